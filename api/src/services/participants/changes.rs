//! What can be set on a participant, and the rules it is checked by before
//! anything is written.

use entity::{LanguageLevel, ParticipantStatus, Site, SwedishLevel};

use super::super::ServiceResult;

/// A language and how well, as given in an input.
#[derive(Debug, Clone)]
pub struct LanguageInput {
    pub language: String,
    pub level: LanguageLevel,
}

/// The fields of a participant that can be set. In an update, `None` leaves a
/// field as it is and `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ParticipantChanges {
    pub display_name: Option<String>,
    pub family_name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub swedish_level: Option<Option<SwedishLevel>>,
    pub site: Option<Option<Site>>,
    pub status: Option<ParticipantStatus>,
    pub goal: Option<Option<String>>,
    pub interests: Option<Vec<String>>,
    pub languages: Option<Vec<LanguageInput>>,
    pub skills: Option<Vec<String>>,
    pub residence_status: Option<Option<String>>,
    pub notes: Option<Option<String>>,
}

impl ParticipantChanges {
    /// Whether the changes touch a personal field.
    pub(super) fn touches_personal_fields(&self) -> bool {
        self.family_name.is_some()
            || self.email.is_some()
            || self.phone.is_some()
            || self.residence_status.is_some()
            || self.notes.is_some()
    }

    pub(super) fn touches_sensitive_record(&self) -> bool {
        self.residence_status.is_some() || self.notes.is_some()
    }
}

fn optional(
    field: &str,
    value: Option<Option<String>>,
    max: usize,
) -> ServiceResult<Option<Option<String>>> {
    match value {
        None => Ok(None),
        Some(value) => super::super::input::optional_text(field, value.as_deref(), max).map(Some),
    }
}

/// Checks and normalises every given field, before anything is written.
/// Every field checked, and every failure reported at once.
pub(super) fn validate(mut changes: ParticipantChanges) -> ServiceResult<ParticipantChanges> {
    use crate::domain::contact::{normalise_email, normalise_phone};
    let mut v = super::super::error::Validation::new();
    if let Some(name) = &changes.display_name {
        changes.display_name =
            v.check(super::super::input::required_text("displayName", name, 100))?;
    }
    if let Some(value) = v.check(optional("familyName", changes.family_name.take(), 100))? {
        changes.family_name = value;
    }
    if let Some(value) = v.check(optional("goal", changes.goal.take(), 2000))? {
        changes.goal = value;
    }
    if let Some(value) = v.check(optional(
        "residenceStatus",
        changes.residence_status.take(),
        500,
    ))? {
        changes.residence_status = value;
    }
    if let Some(value) = v.check(optional("notes", changes.notes.take(), 5000))? {
        changes.notes = value;
    }
    if let Some(Some(email)) = &changes.email {
        match normalise_email(email) {
            Ok(email) => changes.email = Some(Some(email)),
            Err(message) => v.fail("email", message),
        }
    }
    if let Some(Some(phone)) = &changes.phone {
        match normalise_phone(phone) {
            Ok(phone) => changes.phone = Some(Some(phone)),
            Err(message) => v.fail("phone", message),
        }
    }
    if let Some(interests) = &changes.interests {
        changes.interests = v.check(super::super::input::normalise_tags("interests", interests))?;
    }
    if let Some(skills) = &changes.skills {
        changes.skills = v.check(super::super::input::normalise_tags("skills", skills))?;
    }
    if let Some(languages) = &mut changes.languages {
        let mut seen = Vec::new();
        for (i, entry) in languages.iter_mut().enumerate() {
            let parsed = crate::domain::LanguageCode::parse(&entry.language);
            entry.language = entry.language.trim().to_lowercase();
            if parsed.is_none() {
                v.fail(
                    format!("languages.{i}.language"),
                    "an ISO 639 code, e.g. ti",
                );
            } else if seen.contains(&entry.language) {
                v.fail(format!("languages.{i}.language"), "each language once");
            }
            seen.push(entry.language.clone());
        }
        if languages.len() > 30 {
            v.fail("languages", "at most 30 languages");
        }
    }
    v.finish()?;
    Ok(changes)
}
