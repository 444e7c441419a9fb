//! Mentors, as the caller may see them.

use crate::services::batch::key_in;
use std::collections::HashMap;

use entity::{mentor, mentor_expertise, mentor_language, mentorship};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Select, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::policy::{Caller, actions, rows};

type Mentor = mentor::Model;

fn visible(caller: &Caller) -> Select<mentor::Entity> {
    mentor::Entity::find().filter(rows::mentors(caller))
}

/// What a list of mentors is narrowed by; given fields must all hold.
#[derive(Debug, Clone, Default)]
pub struct MentorFilter {
    /// Speaks this language (ISO 639 code).
    pub language: Option<String>,
    /// Knows this field (a tag).
    pub expertise: Option<String>,
    /// Takes part now.
    pub active: Option<bool>,
    /// Has room for another mentee: fewer current mentorships than capacity.
    pub has_spare_capacity: Option<bool>,
}

/// Mentees a mentor has now, compared with their capacity. Quoted
/// identifiers read the same on SQLite and PostgreSQL.
const CURRENT_MENTEES: &str = r#"(SELECT COUNT(*) FROM "mentorship" WHERE "mentorship"."mentor_id" = "mentor"."id" AND "mentorship"."ended_on" IS NULL)"#;

impl MentorFilter {
    fn condition(&self) -> ServiceResult<Condition> {
        let mut condition = Condition::all();
        if let Some(language) = &self.language {
            let language = crate::domain::LanguageCode::parse(language)
                .ok_or_else(|| {
                    ServiceError::invalid("filter.language", "an ISO 639 language code, e.g. ar")
                })?
                .into_string();
            condition = condition.add(
                mentor::Column::Id.in_subquery(
                    Query::select()
                        .column(mentor_language::Column::MentorId)
                        .from(mentor_language::Entity)
                        .and_where(mentor_language::Column::Language.eq(language))
                        .to_owned(),
                ),
            );
        }
        if let Some(field) = &self.expertise {
            let field =
                super::input::normalise_tags("filter.expertise", std::slice::from_ref(field))?;
            condition = condition.add(
                mentor::Column::Id.in_subquery(
                    Query::select()
                        .column(mentor_expertise::Column::MentorId)
                        .from(mentor_expertise::Entity)
                        .and_where(mentor_expertise::Column::Field.is_in(field))
                        .to_owned(),
                ),
            );
        }
        if let Some(active) = self.active {
            condition = condition.add(mentor::Column::Active.eq(active));
        }
        if let Some(spare) = self.has_spare_capacity {
            let op = if spare { "<" } else { ">=" };
            condition = condition.add(Expr::cust(format!(
                r#"{CURRENT_MENTEES} {op} "mentor"."capacity""#
            )));
        }
        Ok(condition)
    }
}

/// A page of the mentors the caller may see, narrowed by `filter`.
#[tracing::instrument(skip(db, caller))]
pub async fn list_mentors<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &MentorFilter,
    page: PageRequest,
) -> ServiceResult<Page<Mentor>> {
    let select = visible(caller).filter(filter.condition()?);
    pagination::fetch_page(
        db,
        select,
        mentor::Column::Id,
        page,
        "failed to list mentors",
    )
    .await
}

/// Every mentor the caller may see that matches `filter`, oldest first.
pub async fn all_mentors<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &MentorFilter,
) -> ServiceResult<Vec<Mentor>> {
    visible(caller)
        .filter(filter.condition()?)
        .order_by_asc(mentor::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to list mentors"))
}

/// How many mentors the caller may see that match `filter`.
pub async fn count_mentors<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &MentorFilter,
) -> ServiceResult<u64> {
    let select = visible(caller).filter(filter.condition()?);
    pagination::count(db, select, "failed to count mentors").await
}

/// One mentor, if the caller may see them.
pub async fn find_mentor<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Mentor> {
    visible(caller)
        .filter(mentor::Column::Id.eq(id))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read mentor"))?
        .ok_or(ServiceError::NotFound { entity: "mentor" })
}

/// The mentors with these ids that the caller may see.
pub async fn load_mentors<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Mentor>> {
    let rows = visible(caller)
        .filter(key_in(db, mentor::Column::Id, ids))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load mentors"))?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// The languages of these mentors, sorted.
pub async fn load_languages<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<String>>> {
    let rows = mentor_language::Entity::find()
        .filter(key_in(db, mentor_language::Column::MentorId, ids))
        .order_by_asc(mentor_language::Column::Language)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load mentor languages"))?;
    let mut grouped: HashMap<Uuid, Vec<String>> = HashMap::new();
    for row in rows {
        grouped.entry(row.mentor_id).or_default().push(row.language);
    }
    Ok(grouped)
}

/// The fields of expertise of these mentors, sorted.
pub async fn load_expertise<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<String>>> {
    let rows = mentor_expertise::Entity::find()
        .filter(key_in(db, mentor_expertise::Column::MentorId, ids))
        .order_by_asc(mentor_expertise::Column::Field)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load mentor expertise"))?;
    let mut grouped: HashMap<Uuid, Vec<String>> = HashMap::new();
    for row in rows {
        grouped.entry(row.mentor_id).or_default().push(row.field);
    }
    Ok(grouped)
}

#[derive(FromQueryResult)]
struct MenteeCount {
    mentor_id: Uuid,
    mentees: i64,
}

/// How many current mentees each of these mentors has.
pub async fn load_current_mentee_counts<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, i64>> {
    let rows = mentorship::Entity::find()
        .select_only()
        .column(mentorship::Column::MentorId)
        .column_as(mentorship::Column::Id.count(), "mentees")
        .filter(key_in(db, mentorship::Column::MentorId, ids))
        .filter(mentorship::Column::EndedOn.is_null())
        .group_by(mentorship::Column::MentorId)
        .into_model::<MenteeCount>()
        .all(db)
        .await
        .map_err(ServiceError::database("failed to count mentees"))?;
    Ok(rows.into_iter().map(|r| (r.mentor_id, r.mentees)).collect())
}

/// The mentors the caller may see who volunteer through each of these
/// partner organisations.
pub async fn load_mentors_of_partners<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    partner_ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Mentor>>> {
    let rows = visible(caller)
        .filter(key_in(
            db,
            mentor::Column::PartnerOrganisationId,
            partner_ids,
        ))
        .order_by_asc(mentor::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load mentors of partners"))?;
    let mut grouped: HashMap<Uuid, Vec<Mentor>> = HashMap::new();
    for row in rows {
        grouped
            .entry(row.partner_organisation_id)
            .or_default()
            .push(row);
    }
    Ok(grouped)
}

/// The current mentors the caller may see of each of these participants.
pub async fn load_current_mentors_of_participants<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    participant_ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Mentor>>> {
    let pairs = mentorship::Entity::find()
        .filter(key_in(
            db,
            mentorship::Column::ParticipantId,
            participant_ids,
        ))
        .filter(mentorship::Column::EndedOn.is_null())
        .find_also_related(mentor::Entity)
        .filter(rows::mentors(caller))
        .order_by_asc(mentorship::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database(
            "failed to load mentors of participants",
        ))?;
    let mut grouped: HashMap<Uuid, Vec<Mentor>> = HashMap::new();
    for (mentorship, mentor) in pairs {
        if let Some(mentor) = mentor {
            grouped
                .entry(mentorship.participant_id)
                .or_default()
                .push(mentor);
        }
    }
    Ok(grouped)
}

/// The fields of a mentor that can be set. In an update, `None` leaves a
/// field as it is and `Some(None)` clears it; lists replace.
#[derive(Debug, Clone, Default)]
pub struct MentorChanges {
    pub given_name: Option<String>,
    pub family_name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub capacity: Option<i32>,
    pub active: Option<bool>,
    pub languages: Option<Vec<String>>,
    pub expertise: Option<Vec<String>>,
}

/// The most mentees one mentor may take.
pub const MAX_CAPACITY: i32 = 20;

/// Every field checked, and every failure reported at once.
fn validate(mut changes: MentorChanges) -> ServiceResult<MentorChanges> {
    use super::input::{optional_text, required_text};
    use crate::domain::contact::{normalise_email, normalise_phone};
    let mut v = super::error::Validation::new();
    if let Some(name) = &changes.given_name {
        changes.given_name = v.check(required_text("givenName", name, 100))?;
    }
    if let Some(family) = changes.family_name.take() {
        changes.family_name = v.check(optional_text("familyName", family.as_deref(), 100))?;
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
    if let Some(capacity) = changes.capacity
        && !(0..=MAX_CAPACITY).contains(&capacity)
    {
        v.fail("capacity", format!("between 0 and {MAX_CAPACITY}"));
    }
    if let Some(languages) = &changes.languages {
        let mut out: Vec<String> = Vec::new();
        for (i, language) in languages.iter().enumerate() {
            match crate::domain::LanguageCode::parse(language) {
                None => v.fail(format!("languages.{i}"), "an ISO 639 code, e.g. ar"),
                Some(code) if !out.iter().any(|l| l == code.as_str()) => {
                    out.push(code.into_string());
                }
                Some(_) => {}
            }
        }
        changes.languages = Some(out);
    }
    if let Some(expertise) = &changes.expertise {
        changes.expertise = v.check(super::input::normalise_tags("expertise", expertise))?;
    }
    v.finish()?;
    Ok(changes)
}

async fn write_tags<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    changes: &MentorChanges,
) -> ServiceResult<()> {
    use sea_orm::ActiveValue::Set;
    if let Some(languages) = &changes.languages {
        mentor_language::Entity::delete_many()
            .filter(mentor_language::Column::MentorId.eq(id))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to replace mentor languages"))?;
        if !languages.is_empty() {
            mentor_language::Entity::insert_many(languages.iter().map(|l| {
                mentor_language::ActiveModel {
                    mentor_id: Set(id),
                    language: Set(l.clone()),
                }
            }))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to write mentor languages"))?;
        }
    }
    if let Some(expertise) = &changes.expertise {
        mentor_expertise::Entity::delete_many()
            .filter(mentor_expertise::Column::MentorId.eq(id))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to replace mentor expertise"))?;
        if !expertise.is_empty() {
            mentor_expertise::Entity::insert_many(expertise.iter().map(|f| {
                mentor_expertise::ActiveModel {
                    mentor_id: Set(id),
                    field: Set(f.clone()),
                }
            }))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to write mentor expertise"))?;
        }
    }
    Ok(())
}

/// Registers a mentor volunteering through the caller's organisation, or,
/// for an administrator, through `partner_slug`.
#[tracing::instrument(skip(db, caller, changes))]
pub async fn create_mentor<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    changes: MentorChanges,
    partner_slug: Option<&str>,
) -> ServiceResult<Mentor> {
    use sea_orm::ActiveValue::Set;
    let partner_id = match partner_slug {
        Some(slug) if !actions::may_act_for_slug(caller, slug) => {
            return Err(ServiceError::Forbidden {
                reason: "a partner registers mentors for its own organisation".to_owned(),
            });
        }
        Some(slug) if slug != caller.organisation_slug => {
            super::partners::find_partner_by_slug(db, slug).await?.id
        }
        _ => caller.organisation_id,
    };
    if changes.given_name.is_none() {
        return Err(ServiceError::invalid("givenName", "must not be empty"));
    }
    let changes = validate(changes)?;
    let now = chrono::Utc::now();
    let id = Uuid::now_v7();
    let txn = db
        .begin()
        .await
        .map_err(ServiceError::database("failed to begin transaction"))?;
    let row = mentor::Entity::insert(mentor::ActiveModel {
        id: Set(id),
        given_name: Set(changes.given_name.clone().unwrap_or_default()),
        family_name: Set(changes.family_name.clone().flatten()),
        email: Set(changes.email.clone().flatten()),
        phone: Set(changes.phone.clone().flatten()),
        partner_organisation_id: Set(partner_id),
        capacity: Set(changes.capacity.unwrap_or(1)),
        active: Set(changes.active.unwrap_or(true)),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await
    .map_err(ServiceError::database("failed to insert mentor"))?;
    write_tags(&txn, id, &changes).await?;
    txn.commit()
        .await
        .map_err(ServiceError::database("failed to commit mentor"))?;
    Ok(row)
}

/// Changes a mentor the caller may manage, all or nothing.
#[tracing::instrument(skip(db, caller, changes))]
pub async fn update_mentor<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    changes: MentorChanges,
) -> ServiceResult<Mentor> {
    use sea_orm::ActiveValue::Set;
    let current = find_mentor(db, caller, id).await?;
    if !actions::may_manage_mentor(caller, current.id, current.partner_organisation_id) {
        return Err(ServiceError::Forbidden {
            reason: "you may not change this mentor".to_owned(),
        });
    }
    let changes = validate(changes)?;
    let txn = db
        .begin()
        .await
        .map_err(ServiceError::database("failed to begin transaction"))?;
    let mut row: mentor::ActiveModel = current.into();
    if let Some(value) = &changes.given_name {
        row.given_name = Set(value.clone());
    }
    if let Some(value) = &changes.family_name {
        row.family_name = Set(value.clone());
    }
    if let Some(value) = &changes.email {
        row.email = Set(value.clone());
    }
    if let Some(value) = &changes.phone {
        row.phone = Set(value.clone());
    }
    if let Some(value) = changes.capacity {
        row.capacity = Set(value);
    }
    if let Some(value) = changes.active {
        row.active = Set(value);
    }
    row.updated_at = Set(chrono::Utc::now());
    let updated = mentor::Entity::update(row)
        .exec(&txn)
        .await
        .map_err(ServiceError::database("failed to update mentor"))?;
    write_tags(&txn, id, &changes).await?;
    txn.commit()
        .await
        .map_err(ServiceError::database("failed to commit mentor"))?;
    Ok(updated)
}
