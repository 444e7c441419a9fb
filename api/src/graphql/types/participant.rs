use crate::policy::reads::Kind;
use crate::services::placements::States;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::participant;

use super::{Consent, Contribution, Mentor, Mentorship, Placement};
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::enums::{
    LanguageLevel, ParticipantStatus, PlacementStatus, Site, SwedishLevel,
};

use crate::graphql::guards::{ParticipantFieldGuard, Require};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{
    ConsentsOfParticipant, ContributionsOfParticipant, LanguagesOfParticipant,
    MentorsOfParticipant, MentorshipsOfParticipant, PlacementsOfParticipant,
    SensitiveOfParticipant, SkillsOfParticipant,
};

/// A person taking part in Portalen, described from their own skills,
/// languages and goals. Only a first name or alias is required.
///
/// Field access comes in three levels. Candidate fields (name, languages,
/// skills, Swedish level) for anyone who may see the participant. Profile
/// fields for all but employers. Personal fields (family name, contact
/// details, residence status, notes) need the scope `participants:pii`;
/// without it they are null with a FORBIDDEN error on their path.
pub struct Participant(pub participant::Model);

/// A language someone speaks, and how well.
#[derive(SimpleObject)]
pub struct LanguageSkill {
    /// ISO 639 language code, e.g. `ti` for Tigrinya.
    pub language: String,
    /// How well.
    pub level: LanguageLevel,
}

/// A person taking part in Portalen, described from their own skills,
/// languages and goals. Only a first name or alias is required.
///
/// Field access comes in three levels. Candidate fields (name, languages,
/// skills, Swedish level) for anyone who may see the participant. Profile
/// fields for all but employers. Personal fields (family name, contact
/// details, residence status, notes) need the scope `participants:pii`;
/// without it they are null with a FORBIDDEN error on their path.
#[Object]
impl Participant {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Participant, self.0.id)
    }

    /// First name or alias.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// Level of Swedish, if known.
    async fn swedish_level(&self) -> Option<SwedishLevel> {
        self.0.swedish_level.map(Into::into)
    }

    /// Languages spoken, by code.
    async fn languages(&self, ctx: &Context<'_>) -> Result<Vec<LanguageSkill>> {
        let rows = loaders(ctx)?
            .load_one(LanguagesOfParticipant(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|r| LanguageSkill {
                language: r.language,
                level: r.level.into(),
            })
            .collect())
    }

    /// Skills and assets the participant brings, sorted.
    async fn skills(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(loaders(ctx)?
            .load_one(SkillsOfParticipant(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default())
    }

    /// Hageby or Ringdansen. Profile field: not shown to employers.
    #[graphql(guard = "ParticipantFieldGuard::profile(self.0.id)")]
    async fn site(&self) -> Option<Site> {
        self.0.site.map(Into::into)
    }

    /// Where the participant is on the way. Profile field.
    #[graphql(guard = "ParticipantFieldGuard::profile(self.0.id)")]
    async fn status(&self) -> Option<ParticipantStatus> {
        Some(self.0.status.into())
    }

    /// Their own goal or business idea, in their words. Profile field.
    #[graphql(guard = "ParticipantFieldGuard::profile(self.0.id)")]
    async fn goal(&self) -> Option<&str> {
        self.0.goal.as_deref()
    }

    /// When the participant's personal data was erased, if it was; the
    /// record then keeps only non-personal facts. Profile field.
    #[graphql(guard = "ParticipantFieldGuard::profile(self.0.id)")]
    async fn erased_at(&self) -> Option<crate::graphql::scalars::DateTime> {
        self.0.erased_at.map(crate::graphql::scalars::DateTime)
    }

    /// Interests. Profile field.
    #[graphql(guard = "ParticipantFieldGuard::profile(self.0.id)")]
    async fn interests(&self) -> Option<Vec<String>> {
        Some(self.0.interests.as_slice().to_vec())
    }

    /// The participant's placements that the caller may see, oldest first.
    /// Profile field; requires `placements:read`.
    #[graphql(
        guard = "ParticipantFieldGuard::profile(self.0.id).and(Require::read(Kind::Placement))"
    )]
    async fn placements(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default,
            desc = "Only placements in these states (e.g. `[PROPOSED, ACCEPTED, ACTIVE]` for the open ones); empty for all."
        )]
        status: Vec<PlacementStatus>,
    ) -> Result<Option<Option<Vec<Placement>>>> {
        // Nullable: without the scope it is null with its error, and the
        // object it hangs from still answers.
        let states = States::of(status.into_iter().map(Into::into));
        let rows = loaders(ctx)?
            .load_one(PlacementsOfParticipant(self.0.id, states))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(Some(rows.into_iter().map(Placement).collect())))
    }

    /// The participant's current mentors that the caller may see. Profile
    /// field; requires `mentors:read`.
    #[graphql(guard = "ParticipantFieldGuard::profile(self.0.id).and(Require::read(Kind::Mentor))")]
    async fn mentors(&self, ctx: &Context<'_>) -> Result<Option<Vec<Mentor>>> {
        let rows = loaders(ctx)?
            .load_one(MentorsOfParticipant(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(Mentor).collect()))
    }

    /// What the participant has given (the 50/50: hosting, interpreting,
    /// teaching, helping), newest first. Profile field.
    #[graphql(guard = "ParticipantFieldGuard::profile(self.0.id)")]
    async fn contributions(&self, ctx: &Context<'_>) -> Result<Option<Vec<Contribution>>> {
        let rows = loaders(ctx)?
            .load_one(ContributionsOfParticipant(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(Contribution).collect()))
    }

    /// The participant's mentorships, current and ended, that the caller may
    /// see. Profile field; requires `mentors:read`.
    #[graphql(guard = "ParticipantFieldGuard::profile(self.0.id).and(Require::read(Kind::Mentor))")]
    async fn mentorships(&self, ctx: &Context<'_>) -> Result<Option<Vec<Mentorship>>> {
        let rows = loaders(ctx)?
            .load_one(MentorshipsOfParticipant(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(Mentorship).collect()))
    }

    /// The participant's consents, in force and revoked, that the caller may
    /// see: all for an administrator, those given to its organisation for a
    /// partner, their own for the participant. Profile field.
    #[graphql(guard = "ParticipantFieldGuard::profile(self.0.id)")]
    async fn consents(&self, ctx: &Context<'_>) -> Result<Option<Vec<Consent>>> {
        let rows = loaders(ctx)?
            .load_one(ConsentsOfParticipant(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(Consent).collect()))
    }

    /// Family name. Personal field: requires `participants:pii`.
    #[graphql(guard = "ParticipantFieldGuard::personal(self.0.id)")]
    async fn family_name(&self) -> Option<&str> {
        self.0.family_name.as_deref()
    }

    /// E-mail address. Personal field: requires `participants:pii`.
    #[graphql(guard = "ParticipantFieldGuard::personal(self.0.id)")]
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Phone number. Personal field: requires `participants:pii`.
    #[graphql(guard = "ParticipantFieldGuard::personal(self.0.id)")]
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// Residence status. Personal field: requires `participants:pii`.
    #[graphql(guard = "ParticipantFieldGuard::personal(self.0.id)")]
    async fn residence_status(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let row = loaders(ctx)?
            .load_one(SensitiveOfParticipant(self.0.id))
            .await
            .map_err(loader_error)?;
        Ok(row.and_then(|r| r.residence_status))
    }

    /// Caseworkers' notes. Personal field: requires `participants:pii`.
    #[graphql(guard = "ParticipantFieldGuard::personal(self.0.id)")]
    async fn notes(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let row = loaders(ctx)?
            .load_one(SensitiveOfParticipant(self.0.id))
            .await
            .map_err(loader_error)?;
        Ok(row.and_then(|r| r.notes))
    }

    /// When it was recorded.
    async fn created_at(&self) -> crate::graphql::scalars::DateTime {
        crate::graphql::scalars::DateTime(self.0.created_at)
    }

    /// When it last changed (its creation, if never since).
    async fn updated_at(&self) -> crate::graphql::scalars::DateTime {
        crate::graphql::scalars::DateTime(self.0.updated_at)
    }
}
