//! Mutation roots, one per domain, merged into [`MutationRoot`].
//!
//! Each mutation takes one input object and returns a payload with the
//! changed object and `userErrors` for validation failures, which change
//! nothing. Authorization and not-found failures are GraphQL errors with
//! `extensions.code`.

use crate::graphql::scalars::Date;
use async_graphql::{
    Context, Enum, ID, InputObject, MaybeUndefined, MergedObject, Object, Result, SimpleObject,
};

use super::audit::Write;
use super::enums::{
    LanguageLevel, OpportunityKind, ParticipantStatus, PartnerStatus, PlacementOutcome,
    Role as RoleEnum, Site, SlotStatus, SwedishLevel,
};
use super::guards::{Require, caller};
use super::ids::{NodeType, decode_as};
use super::types::{
    ApiClient, Employer, InternshipSlot, Mentor, Participant, PartnerOrganisation, Placement,
};
use crate::events::Event;
use crate::policy::{Role, Scope};
use crate::services::{self, ServiceError, ServiceResult};

/// Every mutation of the API.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    ParticipantMutation,
    EmployerMutation,
    MentorMutation,
    super::relations::RelationMutation,
    super::privacy::PrivacyMutation,
    SlotMutation,
    PlacementMutation,
    LifecycleMutation,
    PartnerMutation,
    ApiClientMutation,
);

/// Why an input was refused.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserErrorCode {
    /// A value breaks a rule (length, range, format, order of dates).
    Invalid,
    /// A value clashes with stored data.
    Taken,
}

/// A validation failure of one input field. Nothing was changed.
#[derive(SimpleObject, Debug, Clone)]
pub struct UserError {
    /// Path to the input field, e.g. `["input", "endsOn"]`.
    pub field: Vec<String>,
    /// What is wrong, for people.
    pub message: String,
    /// What is wrong, for programs.
    pub code: UserErrorCode,
}

/// A user error at `field`, a dotted path inside the input
/// (`languages.0.language`), as the path array clients match on
/// (`["input", "languages", "0", "language"]`).
fn user_error(field: &str, message: String) -> UserError {
    let mut path = vec!["input".to_owned()];
    path.extend(
        field
            .split('.')
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    );
    UserError {
        field: path,
        message,
        code: UserErrorCode::Invalid,
    }
}

/// Splits a service result into the payload's object and user errors;
/// anything that is not about the input is a GraphQL error.
pub(crate) fn payload<T>(result: ServiceResult<T>) -> Result<(Option<T>, Vec<UserError>)> {
    match result {
        Ok(value) => Ok((Some(value), Vec::new())),
        Err(ServiceError::InvalidInput { field, message }) => {
            Ok((None, vec![user_error(&field, message)]))
        }
        Err(ServiceError::InvalidInputs { errors }) => Ok((
            None,
            errors
                .into_iter()
                .map(|(field, message)| user_error(&field, message))
                .collect(),
        )),
        Err(other) => Err(other.into()),
    }
}

fn parse_scopes(names: &[String]) -> ServiceResult<Vec<Scope>> {
    names
        .iter()
        .map(|name| {
            Scope::parse(name)
                .ok_or_else(|| ServiceError::invalid("scopes", format!("unknown scope {name}")))
        })
        .collect()
}

/// A language someone speaks, and how well.
#[derive(InputObject)]
pub struct LanguageSkillInput {
    /// ISO 639 code, e.g. `ti`.
    pub language: String,
    /// How well.
    pub level: LanguageLevel,
}

/// A new participant. Only `displayName` is required: no papers or
/// registration are needed to take part.
#[derive(InputObject)]
pub struct CreateParticipantInput {
    /// A key of the client's choosing that makes a retry safe: the same key
    /// with the same input returns what the first request created; with
    /// another input, CONFLICT. The `Idempotency-Key` header does the same.
    pub client_mutation_id: Option<String>,
    /// First name or alias, 1 to 100 characters.
    pub display_name: String,
    /// What the participant agreed the organisation may use their data for,
    /// as told to them; recorded as their consent to the caller's organisation.
    pub consent_purpose: String,
    /// Family name. Personal: needs `participants:pii`.
    pub family_name: Option<String>,
    /// E-mail address. Personal: needs `participants:pii`.
    pub email: Option<String>,
    /// Phone number, 7 to 15 digits. Personal: needs `participants:pii`.
    pub phone: Option<String>,
    /// Level of Swedish.
    pub swedish_level: Option<SwedishLevel>,
    /// Hageby or Ringdansen.
    pub site: Option<Site>,
    /// Default `QUEUED`.
    pub status: Option<ParticipantStatus>,
    /// Their own goal or business idea, up to 2000 characters.
    pub goal: Option<String>,
    /// Interests, as tags.
    #[graphql(default)]
    pub interests: Vec<String>,
    /// Languages spoken.
    #[graphql(default)]
    pub languages: Vec<LanguageSkillInput>,
    /// Skills and assets, as tags.
    #[graphql(default)]
    pub skills: Vec<String>,
    /// Residence status. Personal: needs `participants:pii`.
    pub residence_status: Option<String>,
    /// Caseworkers' notes. Personal: needs `participants:pii`.
    pub notes: Option<String>,
}

/// Changes to a participant: a field left out stays as it is, `null` clears
/// it, and a given list replaces the whole list.
#[derive(InputObject)]
pub struct UpdateParticipantInput {
    /// The participant.
    pub id: ID,
    /// First name or alias, 1 to 100 characters.
    pub display_name: Option<String>,
    /// Family name. Personal: needs `participants:pii`.
    pub family_name: MaybeUndefined<String>,
    /// E-mail address. Personal: needs `participants:pii`.
    pub email: MaybeUndefined<String>,
    /// Phone number. Personal: needs `participants:pii`.
    pub phone: MaybeUndefined<String>,
    /// Level of Swedish.
    pub swedish_level: MaybeUndefined<SwedishLevel>,
    /// Hageby or Ringdansen.
    pub site: MaybeUndefined<Site>,
    /// Where the participant is on the way.
    pub status: Option<ParticipantStatus>,
    /// Their own goal or business idea.
    pub goal: MaybeUndefined<String>,
    /// Interests, replacing the current ones.
    pub interests: Option<Vec<String>>,
    /// Languages, replacing the current ones.
    pub languages: Option<Vec<LanguageSkillInput>>,
    /// Skills, replacing the current ones.
    pub skills: Option<Vec<String>>,
    /// Residence status. Personal: needs `participants:pii`.
    pub residence_status: MaybeUndefined<String>,
    /// Caseworkers' notes. Personal: needs `participants:pii`.
    pub notes: MaybeUndefined<String>,
}

/// The result of a participant mutation.
#[derive(SimpleObject)]
pub struct ParticipantPayload {
    /// The input's `clientMutationId`, echoed back (Relay), when given.
    pub client_mutation_id: Option<String>,
    /// The participant as stored, unless the input was refused.
    pub participant: Option<Participant>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

fn languages(list: Vec<LanguageSkillInput>) -> Vec<services::participants::LanguageInput> {
    list.into_iter()
        .map(|l| services::participants::LanguageInput {
            language: l.language,
            level: l.level.into(),
        })
        .collect()
}

/// Mutations of participants.
#[derive(Default)]
pub struct ParticipantMutation;

#[Object]
impl ParticipantMutation {
    /// Registers a participant with the caller's organisation and records
    /// their consent to it. Requires `participants:write`, as administrator
    /// or partner; personal fields need `participants:pii`.
    #[graphql(
        guard = "Require::roles(Scope::ParticipantsWrite, &[Role::Administrator, Role::Partner])"
    )]
    async fn create_participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: CreateParticipantInput,
    ) -> Result<ParticipantPayload> {
        let client_mutation_id = input.client_mutation_id.clone();
        let changes = services::participants::ParticipantChanges {
            display_name: Some(input.display_name),
            family_name: input.family_name.map(Some),
            email: input.email.map(Some),
            phone: input.phone.map(Some),
            swedish_level: input.swedish_level.map(|l| Some(l.into())),
            site: input.site.map(|s| Some(s.into())),
            status: input.status.map(Into::into),
            goal: input.goal.map(Some),
            interests: Some(input.interests),
            languages: Some(languages(input.languages)),
            skills: Some(input.skills),
            residence_status: input.residence_status.map(Some),
            notes: input.notes.map(Some),
        };
        let write = Write::begin_idempotent(ctx).await?;
        if let Some(id) = write.replayed() {
            let row = services::participants::find_participant(write.txn(), caller(ctx)?, id).await;
            let row = write.end_replay(row).await?;
            return Ok(ParticipantPayload {
                client_mutation_id: client_mutation_id.clone(),
                participant: Some(Participant(row)),
                user_errors: Vec::new(),
            });
        }
        let result = services::participants::create_participant(
            write.txn(),
            caller(ctx)?,
            changes,
            &input.consent_purpose,
        )
        .await;
        let (participant, user_errors) = payload(write.finish(result).await)?;
        Ok(ParticipantPayload {
            client_mutation_id: client_mutation_id.clone(),
            participant: participant.map(Participant),
            user_errors,
        })
    }

    /// Changes a participant the caller may see. Requires
    /// `participants:write`, as administrator or partner; personal fields
    /// need `participants:pii`.
    #[graphql(
        guard = "Require::roles(Scope::ParticipantsWrite, &[Role::Administrator, Role::Partner])"
    )]
    async fn update_participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: UpdateParticipantInput,
    ) -> Result<ParticipantPayload> {
        let id = decode_as(&input.id, NodeType::Participant, "id")?;
        let changes = services::participants::ParticipantChanges {
            display_name: input.display_name,
            family_name: maybe(input.family_name),
            email: maybe(input.email),
            phone: maybe(input.phone),
            swedish_level: maybe(input.swedish_level).map(|l| l.map(Into::into)),
            site: maybe(input.site).map(|s| s.map(Into::into)),
            status: input.status.map(Into::into),
            goal: maybe(input.goal),
            interests: input.interests,
            languages: input.languages.map(languages),
            skills: input.skills,
            residence_status: maybe(input.residence_status),
            notes: maybe(input.notes),
        };
        let write = Write::begin(ctx).await?;
        let result =
            services::participants::update_participant(write.txn(), caller(ctx)?, id, changes)
                .await;
        let (participant, user_errors) = payload(write.finish(result).await)?;
        Ok(ParticipantPayload {
            client_mutation_id: None,
            participant: participant.map(Participant),
            user_errors,
        })
    }
}

/// A new employer.
#[derive(InputObject)]
pub struct CreateEmployerInput {
    /// A key of the client's choosing that makes a retry safe: the same key
    /// with the same input returns what the first request created; with
    /// another input, CONFLICT. The `Idempotency-Key` header does the same.
    pub client_mutation_id: Option<String>,
    /// Name, 1 to 200 characters.
    pub name: String,
    /// Swedish organisation number, `NNNNNN-NNNN` (checked).
    pub organisation_number: String,
    /// Line of business.
    pub industry: Option<String>,
    /// Street address.
    pub street_address: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// The nearest Portalen site, if either.
    pub site: Option<Site>,
}

/// Changes to an employer: a field left out stays, `null` clears it.
#[derive(InputObject)]
pub struct UpdateEmployerInput {
    /// The employer.
    pub id: ID,
    /// Name, 1 to 200 characters.
    pub name: Option<String>,
    /// Swedish organisation number (checked).
    pub organisation_number: Option<String>,
    /// Line of business.
    pub industry: MaybeUndefined<String>,
    /// Street address.
    pub street_address: MaybeUndefined<String>,
    /// Postal code.
    pub postal_code: MaybeUndefined<String>,
    /// City.
    pub city: MaybeUndefined<String>,
    /// The nearest Portalen site.
    pub site: MaybeUndefined<Site>,
}

/// The result of an employer mutation.
#[derive(SimpleObject)]
pub struct EmployerPayload {
    /// The input's `clientMutationId`, echoed back (Relay), when given.
    pub client_mutation_id: Option<String>,
    /// The employer as stored, unless the input was refused.
    pub employer: Option<Employer>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of employers.
#[derive(Default)]
pub struct EmployerMutation;

#[Object]
impl EmployerMutation {
    /// Registers an employer. A partner that registers itself as an employer
    /// is linked to it by an administrator. Requires `employers:write`, as
    /// administrator or partner.
    #[graphql(
        guard = "Require::roles(Scope::EmployersWrite, &[Role::Administrator, Role::Partner])"
    )]
    async fn create_employer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: CreateEmployerInput,
    ) -> Result<EmployerPayload> {
        let client_mutation_id = input.client_mutation_id.clone();
        let write = Write::begin_idempotent(ctx).await?;
        if let Some(id) = write.replayed() {
            let row = services::employers::find_employer(write.txn(), id).await;
            let row = write.end_replay(row).await?;
            return Ok(EmployerPayload {
                client_mutation_id: client_mutation_id.clone(),
                employer: Some(Employer(row)),
                user_errors: Vec::new(),
            });
        }
        let result = services::employers::create_employer(
            write.txn(),
            services::employers::NewEmployer {
                name: input.name,
                organisation_number: input.organisation_number,
                industry: input.industry,
                street_address: input.street_address,
                postal_code: input.postal_code,
                city: input.city,
                site: input.site.map(Into::into),
                partner_organisation_id: None,
            },
        )
        .await;
        employer_payload(write.finish(result).await, client_mutation_id)
    }

    /// Changes an employer: an administrator any, a partner the employers
    /// that are the organisation, an employer itself. Requires `employers:write`.
    #[graphql(guard = "Require::scope(Scope::EmployersWrite)")]
    async fn update_employer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: UpdateEmployerInput,
    ) -> Result<EmployerPayload> {
        let id = decode_as(&input.id, NodeType::Employer, "id")?;
        let changes = services::employers::EmployerChanges {
            name: input.name,
            organisation_number: input.organisation_number,
            industry: maybe(input.industry),
            street_address: maybe(input.street_address),
            postal_code: maybe(input.postal_code),
            city: maybe(input.city),
            site: maybe(input.site).map(|s| s.map(Into::into)),
        };
        let write = Write::begin(ctx).await?;
        let result =
            services::employers::update_employer(write.txn(), caller(ctx)?, id, changes).await;
        employer_payload(write.finish(result).await, None)
    }
}

/// Maps an employer result, turning a taken organisation number into a
/// user error on that field.
fn employer_payload(
    result: ServiceResult<entity::employer::Model>,
    client_mutation_id: Option<String>,
) -> Result<EmployerPayload> {
    let result = match result {
        Err(ServiceError::Conflict { message }) if message.contains("organisation number") => {
            return Ok(EmployerPayload {
                client_mutation_id,
                employer: None,
                user_errors: vec![UserError {
                    field: vec!["input".to_owned(), "organisationNumber".to_owned()],
                    message,
                    code: UserErrorCode::Taken,
                }],
            });
        }
        other => other,
    };
    let (employer, user_errors) = payload(result)?;
    Ok(EmployerPayload {
        client_mutation_id,
        employer: employer.map(Employer),
        user_errors,
    })
}

/// A new mentor.
#[derive(InputObject)]
pub struct CreateMentorInput {
    /// A key of the client's choosing that makes a retry safe: the same key
    /// with the same input returns what the first request created; with
    /// another input, CONFLICT. The `Idempotency-Key` header does the same.
    pub client_mutation_id: Option<String>,
    /// Given name, 1 to 100 characters.
    pub given_name: String,
    /// Family name.
    pub family_name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Most mentees at once, 0 to 20 (default 1).
    pub capacity: Option<i32>,
    /// Languages spoken (ISO 639 codes).
    #[graphql(default)]
    pub languages: Vec<String>,
    /// Fields of expertise, as tags.
    #[graphql(default)]
    pub expertise: Vec<String>,
    /// The organisation the mentor volunteers through; default the
    /// caller's. Only administrators name another.
    pub partner_slug: Option<String>,
}

/// Changes to a mentor: a field left out stays, `null` clears it, lists replace.
#[derive(InputObject)]
pub struct UpdateMentorInput {
    /// The mentor.
    pub id: ID,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: MaybeUndefined<String>,
    /// E-mail address.
    pub email: MaybeUndefined<String>,
    /// Phone number.
    pub phone: MaybeUndefined<String>,
    /// Most mentees at once, 0 to 20.
    pub capacity: Option<i32>,
    /// Whether the mentor takes part now.
    pub active: Option<bool>,
    /// Languages, replacing the current ones.
    pub languages: Option<Vec<String>>,
    /// Expertise, replacing the current ones.
    pub expertise: Option<Vec<String>>,
}

/// The result of a mentor mutation.
#[derive(SimpleObject)]
pub struct MentorPayload {
    /// The input's `clientMutationId`, echoed back (Relay), when given.
    pub client_mutation_id: Option<String>,
    /// The mentor as stored, unless the input was refused.
    pub mentor: Option<Mentor>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of mentors.
#[derive(Default)]
pub struct MentorMutation;

#[Object]
impl MentorMutation {
    /// Registers a mentor with the caller's organisation (an administrator
    /// may name another). Requires `mentors:write`, as administrator or partner.
    #[graphql(guard = "Require::roles(Scope::MentorsWrite, &[Role::Administrator, Role::Partner])")]
    async fn create_mentor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: CreateMentorInput,
    ) -> Result<MentorPayload> {
        let client_mutation_id = input.client_mutation_id.clone();
        let changes = services::mentors::MentorChanges {
            given_name: Some(input.given_name),
            family_name: input.family_name.map(Some),
            email: input.email.map(Some),
            phone: input.phone.map(Some),
            capacity: input.capacity,
            active: None,
            languages: Some(input.languages),
            expertise: Some(input.expertise),
        };
        let write = Write::begin_idempotent(ctx).await?;
        if let Some(id) = write.replayed() {
            let row = services::mentors::find_mentor(write.txn(), caller(ctx)?, id).await;
            let row = write.end_replay(row).await?;
            return Ok(MentorPayload {
                client_mutation_id: client_mutation_id.clone(),
                mentor: Some(Mentor(row)),
                user_errors: Vec::new(),
            });
        }
        let result = services::mentors::create_mentor(
            write.txn(),
            caller(ctx)?,
            changes,
            input.partner_slug.as_deref(),
        )
        .await;
        let (mentor, user_errors) = payload(write.finish(result).await)?;
        Ok(MentorPayload {
            client_mutation_id: client_mutation_id.clone(),
            mentor: mentor.map(Mentor),
            user_errors,
        })
    }

    /// Changes a mentor: an administrator any, a partner its own
    /// organisation's, a mentor themselves. Requires `mentors:write`.
    #[graphql(guard = "Require::scope(Scope::MentorsWrite)")]
    async fn update_mentor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: UpdateMentorInput,
    ) -> Result<MentorPayload> {
        let id = decode_as(&input.id, NodeType::Mentor, "id")?;
        let changes = services::mentors::MentorChanges {
            given_name: input.given_name,
            family_name: maybe(input.family_name),
            email: maybe(input.email),
            phone: maybe(input.phone),
            capacity: input.capacity,
            active: input.active,
            languages: input.languages,
            expertise: input.expertise,
        };
        let write = Write::begin(ctx).await?;
        let result = services::mentors::update_mentor(write.txn(), caller(ctx)?, id, changes).await;
        let (mentor, user_errors) = payload(write.finish(result).await)?;
        Ok(MentorPayload {
            client_mutation_id: None,
            mentor: mentor.map(Mentor),
            user_errors,
        })
    }
}

/// A new internship slot.
#[derive(InputObject)]
pub struct PostInternshipSlotInput {
    /// A key of the client's choosing that makes a retry safe: the same key
    /// with the same input returns what the first request created; with
    /// another input, CONFLICT. The `Idempotency-Key` header does the same.
    pub client_mutation_id: Option<String>,
    /// The employer offering it.
    pub employer_id: ID,
    /// Short title, 1 to 200 characters.
    pub title: String,
    /// What the slot involves.
    pub description: Option<String>,
    /// What kind of opportunity.
    pub kind: OpportunityKind,
    /// How many participants it takes, 1 to 1000.
    pub places: i32,
    /// The nearest Portalen site, if either.
    pub site: Option<Site>,
    /// First day.
    pub starts_on: Date,
    /// Last day, not before the first.
    pub ends_on: Option<Date>,
    /// The Swedish it needs, if any.
    pub required_swedish_level: Option<SwedishLevel>,
    /// Skills wanted, lowercase tags.
    #[graphql(default)]
    pub wanted_skills: Vec<String>,
    /// `DRAFT` (default) or `OPEN`.
    pub status: Option<SlotStatus>,
}

/// The result of `postInternshipSlot`.
#[derive(SimpleObject)]
pub struct PostInternshipSlotPayload {
    /// The input's `clientMutationId`, echoed back (Relay), when given.
    pub client_mutation_id: Option<String>,
    /// The new slot, unless the input was refused.
    pub internship_slot: Option<InternshipSlot>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Changes to a slot: a field left out stays, `null` clears it, lists replace.
#[derive(InputObject)]
pub struct UpdateInternshipSlotInput {
    /// The slot.
    pub id: ID,
    /// The version last read; a stale version answers CONFLICT.
    pub version: i32,
    /// Title, 1 to 200 characters.
    pub title: Option<String>,
    /// Description, at most 5000 characters.
    pub description: MaybeUndefined<String>,
    /// What kind of opportunity.
    pub kind: Option<OpportunityKind>,
    /// How many participants it takes: 1 to 1000, not fewer than are taken.
    pub places: Option<i32>,
    /// Hageby or Ringdansen.
    pub site: MaybeUndefined<Site>,
    /// First day.
    pub starts_on: Option<Date>,
    /// Last day, not before the first.
    pub ends_on: MaybeUndefined<Date>,
    /// The Swedish a participant needs.
    pub required_swedish_level: MaybeUndefined<SwedishLevel>,
    /// Skills wanted (replaces the list).
    pub wanted_skills: Option<Vec<String>>,
}

/// A slot and the version last read.
#[derive(InputObject)]
pub struct InternshipSlotVersionInput {
    /// The slot.
    pub id: ID,
    /// The version last read; a stale version answers CONFLICT.
    pub version: i32,
}

/// A draft slot to delete.
#[derive(InputObject)]
pub struct DeleteInternshipSlotInput {
    /// The slot; it must be a draft.
    pub id: ID,
}

/// The result of a change to a slot.
#[derive(SimpleObject)]
pub struct InternshipSlotPayload {
    /// The slot as stored, unless the input was refused.
    pub internship_slot: Option<InternshipSlot>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// The result of `deleteInternshipSlot`.
#[derive(SimpleObject)]
pub struct DeleteInternshipSlotPayload {
    /// The id of the deleted slot, unless the input was refused.
    pub deleted_internship_slot_id: Option<ID>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of internship slots.
#[derive(Default)]
pub struct SlotMutation;

#[Object]
impl SlotMutation {
    /// Edits a slot that is not closed; places cannot go below those taken.
    /// Who may: as for `postInternshipSlot`. Requires `slots:write`.
    #[graphql(
        guard = "Require::roles(Scope::SlotsWrite, &[Role::Administrator, Role::Partner, Role::Employer])"
    )]
    async fn update_internship_slot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: UpdateInternshipSlotInput,
    ) -> Result<InternshipSlotPayload> {
        let id = decode_as(&input.id, NodeType::InternshipSlot, "id")?;
        let changes = services::slot_lifecycle::SlotChanges {
            title: input.title,
            description: maybe(input.description),
            kind: input.kind.map(Into::into),
            places: input.places,
            site: maybe(input.site).map(|s| s.map(Into::into)),
            starts_on: input.starts_on.map(|d| d.0),
            ends_on: maybe(input.ends_on.map_value(|d| d.0)),
            required_swedish_level: maybe(input.required_swedish_level).map(|l| l.map(Into::into)),
            wanted_skills: input.wanted_skills,
        };
        let write = Write::begin(ctx).await?;
        let result = services::slot_lifecycle::update_slot(
            write.txn(),
            caller(ctx)?,
            id,
            input.version,
            changes,
        )
        .await;
        let (slot, user_errors) = payload(write.finish(result).await)?;
        Ok(InternshipSlotPayload {
            internship_slot: slot.map(InternshipSlot),
            user_errors,
        })
    }

    /// Opens a draft or closed slot for proposals. Requires `slots:write`.
    #[graphql(
        guard = "Require::roles(Scope::SlotsWrite, &[Role::Administrator, Role::Partner, Role::Employer])"
    )]
    async fn open_internship_slot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which slot, at which version.")] input: InternshipSlotVersionInput,
    ) -> Result<InternshipSlotPayload> {
        let id = decode_as(&input.id, NodeType::InternshipSlot, "id")?;
        let write = Write::begin(ctx).await?;
        let result =
            services::slot_lifecycle::open_slot(write.txn(), caller(ctx)?, id, input.version).await;
        let (slot, user_errors) = payload(
            write
                .finish_publishing(result, |slot| {
                    if slot.status == entity::SlotStatus::Open {
                        vec![Event::SlotPosted(slot.id)]
                    } else {
                        Vec::new()
                    }
                })
                .await,
        )?;
        Ok(InternshipSlotPayload {
            internship_slot: slot.map(InternshipSlot),
            user_errors,
        })
    }

    /// Closes an open or filled slot: no new proposals or accepts; accepted
    /// placements stay. Requires `slots:write`.
    #[graphql(
        guard = "Require::roles(Scope::SlotsWrite, &[Role::Administrator, Role::Partner, Role::Employer])"
    )]
    async fn close_internship_slot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which slot, at which version.")] input: InternshipSlotVersionInput,
    ) -> Result<InternshipSlotPayload> {
        let id = decode_as(&input.id, NodeType::InternshipSlot, "id")?;
        let write = Write::begin(ctx).await?;
        let result =
            services::slot_lifecycle::close_slot(write.txn(), caller(ctx)?, id, input.version)
                .await;
        let (slot, user_errors) = payload(write.finish(result).await)?;
        Ok(InternshipSlotPayload {
            internship_slot: slot.map(InternshipSlot),
            user_errors,
        })
    }

    /// Deletes a draft slot; any other answers CONFLICT (close it instead).
    /// Requires `slots:write`.
    #[graphql(
        guard = "Require::roles(Scope::SlotsWrite, &[Role::Administrator, Role::Partner, Role::Employer])"
    )]
    async fn delete_internship_slot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which slot.")] input: DeleteInternshipSlotInput,
    ) -> Result<DeleteInternshipSlotPayload> {
        let id = decode_as(&input.id, NodeType::InternshipSlot, "id")?;
        let write = Write::begin(ctx).await?;
        let result = services::slot_lifecycle::delete_slot(write.txn(), caller(ctx)?, id).await;
        let (slot, user_errors) = payload(write.finish(result).await)?;
        Ok(DeleteInternshipSlotPayload {
            deleted_internship_slot_id: slot
                .map(|s| super::ids::encode(NodeType::InternshipSlot, s.id)),
            user_errors,
        })
    }

    /// Posts a slot. An employer posts for itself only, a partner for
    /// employers that are the organisation, an administrator for any.
    /// Requires `slots:write`.
    #[graphql(guard = "Require::scope(Scope::SlotsWrite)")]
    async fn post_internship_slot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: PostInternshipSlotInput,
    ) -> Result<PostInternshipSlotPayload> {
        let client_mutation_id = input.client_mutation_id.clone();
        let employer_id = decode_as(&input.employer_id, NodeType::Employer, "employerId")?;
        let status = input.status.map_or(entity::SlotStatus::Draft, Into::into);
        if !matches!(status, entity::SlotStatus::Draft | entity::SlotStatus::Open) {
            let (_, user_errors) = payload::<()>(Err(ServiceError::invalid(
                "status",
                "a new slot is DRAFT or OPEN",
            )))?;
            return Ok(PostInternshipSlotPayload {
                client_mutation_id: client_mutation_id.clone(),
                internship_slot: None,
                user_errors,
            });
        }
        let new = services::slots::NewSlot {
            employer_id,
            title: input.title,
            description: input.description,
            kind: input.kind.into(),
            places: input.places,
            site: input.site.map(Into::into),
            starts_on: input.starts_on.0,
            ends_on: input.ends_on.map(|d| d.0),
            required_swedish_level: input.required_swedish_level.map(Into::into),
            wanted_skills: input.wanted_skills,
            status,
        };
        let write = Write::begin_idempotent(ctx).await?;
        if let Some(id) = write.replayed() {
            let row = services::slots::find_slot(write.txn(), caller(ctx)?, id).await;
            let row = write.end_replay(row).await?;
            return Ok(PostInternshipSlotPayload {
                client_mutation_id: client_mutation_id.clone(),
                internship_slot: Some(InternshipSlot(row)),
                user_errors: Vec::new(),
            });
        }
        let result = services::slots::post_slot(write.txn(), caller(ctx)?, new).await;
        let (slot, user_errors) = payload(
            write
                .finish_publishing(result, |slot| {
                    if slot.status == entity::SlotStatus::Open {
                        vec![Event::SlotPosted(slot.id)]
                    } else {
                        Vec::new()
                    }
                })
                .await,
        )?;
        Ok(PostInternshipSlotPayload {
            client_mutation_id: client_mutation_id.clone(),
            internship_slot: slot.map(InternshipSlot),
            user_errors,
        })
    }
}

/// New dates for a placement.
#[derive(InputObject)]
pub struct ReschedulePlacementInput {
    /// The placement.
    pub id: ID,
    /// First day.
    pub starts_on: Option<Date>,
    /// Last day, not before the first.
    pub ends_on: Option<Date>,
    /// The version last read; a stale version answers CONFLICT.
    pub version: i32,
}

/// The result of `reschedulePlacement`.
#[derive(SimpleObject)]
pub struct ReschedulePlacementPayload {
    /// The placement as changed, unless the input was refused.
    pub placement: Option<Placement>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of placements.
#[derive(Default)]
pub struct PlacementMutation;

#[Object]
impl PlacementMutation {
    /// Changes a placement's dates. Only the responsible partner
    /// organisation (or an administrator) may. Requires `placements:write`.
    #[graphql(guard = "Require::scope(Scope::PlacementsWrite)")]
    async fn reschedule_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: ReschedulePlacementInput,
    ) -> Result<ReschedulePlacementPayload> {
        let id = decode_as(&input.id, NodeType::Placement, "id")?;
        let write = Write::begin(ctx).await?;
        let result = services::placements::reschedule_placement(
            write.txn(),
            caller(ctx)?,
            services::placements::Reschedule {
                id,
                starts_on: input.starts_on.map(|d| d.0),
                ends_on: input.ends_on.map(|d| d.0),
                version: input.version,
            },
        )
        .await;
        let (placement, user_errors) = payload(
            write
                .finish_publishing(result, |p| vec![Event::PlacementChanged(p.id)])
                .await,
        )?;
        Ok(ReschedulePlacementPayload {
            placement: placement.map(Placement),
            user_errors,
        })
    }
}

/// A placement to propose: a participant in an open slot, or directly at
/// an employer.
#[derive(InputObject)]
pub struct ProposePlacementInput {
    /// A key of the client's choosing that makes a retry safe: the same key
    /// with the same input returns what the first request created; with
    /// another input, CONFLICT. The `Idempotency-Key` header does the same.
    pub client_mutation_id: Option<String>,
    /// The participant; one the caller may see.
    pub participant_id: ID,
    /// The slot; its employer, kind and dates are the defaults.
    pub slot_id: Option<ID>,
    /// The employer; needed without a slot.
    pub employer_id: Option<ID>,
    /// What kind of opportunity; needed without a slot.
    pub kind: Option<OpportunityKind>,
    /// First day.
    pub starts_on: Option<Date>,
    /// Last day, not before the first.
    pub ends_on: Option<Date>,
    /// A mentor to support the participant.
    pub mentor_id: Option<ID>,
    /// For administrators: the organisation that will follow the placement
    /// (default the caller's own).
    pub responsible_partner_id: Option<ID>,
}

/// A step of a placement's lifecycle.
#[derive(InputObject)]
pub struct PlacementTransitionInput {
    /// The placement.
    pub id: ID,
    /// The version last read; a stale version answers CONFLICT.
    pub version: i32,
}

/// The completion of a placement, with where the participant went.
#[derive(InputObject)]
pub struct CompletePlacementInput {
    /// The placement.
    pub id: ID,
    /// The version last read; a stale version answers CONFLICT.
    pub version: i32,
    /// Where the participant went afterwards.
    pub outcome: PlacementOutcome,
}

/// The result of a placement mutation.
#[derive(SimpleObject)]
pub struct PlacementPayload {
    /// The input's `clientMutationId`, echoed back (Relay), when given.
    pub client_mutation_id: Option<String>,
    /// The placement as stored, unless the input was refused.
    pub placement: Option<Placement>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Runs one lifecycle transition, audited.
async fn step(
    ctx: &Context<'_>,
    id: &ID,
    version: i32,
    step: services::lifecycle::Transition,
) -> Result<PlacementPayload> {
    let id = decode_as(id, NodeType::Placement, "id")?;
    let write = Write::begin(ctx).await?;
    let result =
        services::lifecycle::transition(write.txn(), caller(ctx)?, id, version, step).await;
    let (placement, user_errors) = payload(
        write
            .finish_publishing(result, |p| vec![Event::PlacementChanged(p.id)])
            .await,
    )?;
    Ok(PlacementPayload {
        client_mutation_id: None,
        placement: placement.map(Placement),
        user_errors,
    })
}

/// The placement lifecycle: propose, accept or decline, start, complete,
/// cancel. See each mutation for who may make it.
#[derive(Default)]
pub struct LifecycleMutation;

#[Object]
impl LifecycleMutation {
    /// Proposes a placement of a participant the caller may see, in an open
    /// slot or directly at an employer; the caller's organisation follows
    /// it. A slot that is not open, or a participant already proposed in it,
    /// answers CONFLICT. Requires `placements:write`, as administrator or
    /// partner.
    #[graphql(
        guard = "Require::roles(Scope::PlacementsWrite, &[Role::Administrator, Role::Partner])"
    )]
    async fn propose_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to propose; see the input type.")] input: ProposePlacementInput,
    ) -> Result<PlacementPayload> {
        let client_mutation_id = input.client_mutation_id.clone();
        let proposal = services::lifecycle::Proposal {
            participant_id: decode_as(
                &input.participant_id,
                NodeType::Participant,
                "participantId",
            )?,
            slot_id: input
                .slot_id
                .map(|id| decode_as(&id, NodeType::InternshipSlot, "slotId"))
                .transpose()?,
            employer_id: input
                .employer_id
                .map(|id| decode_as(&id, NodeType::Employer, "employerId"))
                .transpose()?,
            kind: input.kind.map(Into::into),
            starts_on: input.starts_on.map(|d| d.0),
            ends_on: input.ends_on.map(|d| d.0),
            mentor_id: input
                .mentor_id
                .map(|id| decode_as(&id, NodeType::Mentor, "mentorId"))
                .transpose()?,
            responsible_partner_id: input
                .responsible_partner_id
                .map(|id| decode_as(&id, NodeType::PartnerOrganisation, "responsiblePartnerId"))
                .transpose()?,
        };
        let write = Write::begin_idempotent(ctx).await?;
        if let Some(id) = write.replayed() {
            let row = services::placements::find_placement(write.txn(), caller(ctx)?, id).await;
            let row = write.end_replay(row).await?;
            return Ok(PlacementPayload {
                client_mutation_id: client_mutation_id.clone(),
                placement: Some(Placement(row)),
                user_errors: Vec::new(),
            });
        }
        let result = services::lifecycle::propose(write.txn(), caller(ctx)?, proposal).await;
        let (placement, user_errors) = payload(
            write
                .finish_publishing(result, |p| vec![Event::PlacementChanged(p.id)])
                .await,
        )?;
        Ok(PlacementPayload {
            client_mutation_id: client_mutation_id.clone(),
            placement: placement.map(Placement),
            user_errors,
        })
    }

    /// The employer accepts a proposed placement, taking one of the slot's
    /// places (the last one fills the slot). No place left answers CONFLICT,
    /// also when many accept at once. Requires `placements:write`.
    #[graphql(guard = "Require::scope(Scope::PlacementsWrite)")]
    async fn accept_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placement, at which version.")] input: PlacementTransitionInput,
    ) -> Result<PlacementPayload> {
        step(
            ctx,
            &input.id,
            input.version,
            services::lifecycle::Transition::Accept,
        )
        .await
    }

    /// The employer declines a proposed placement. Requires `placements:write`.
    #[graphql(guard = "Require::scope(Scope::PlacementsWrite)")]
    async fn decline_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placement, at which version.")] input: PlacementTransitionInput,
    ) -> Result<PlacementPayload> {
        step(
            ctx,
            &input.id,
            input.version,
            services::lifecycle::Transition::Decline,
        )
        .await
    }

    /// The responsible partner or the employer records that an accepted
    /// placement has begun. Requires `placements:write`.
    #[graphql(guard = "Require::scope(Scope::PlacementsWrite)")]
    async fn start_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placement, at which version.")] input: PlacementTransitionInput,
    ) -> Result<PlacementPayload> {
        step(
            ctx,
            &input.id,
            input.version,
            services::lifecycle::Transition::Start,
        )
        .await
    }

    /// Either side cancels a proposed, accepted or active placement; a place
    /// it held is given back (a filled slot opens again). Requires
    /// `placements:write`.
    #[graphql(guard = "Require::scope(Scope::PlacementsWrite)")]
    async fn cancel_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placement, at which version.")] input: PlacementTransitionInput,
    ) -> Result<PlacementPayload> {
        step(
            ctx,
            &input.id,
            input.version,
            services::lifecycle::Transition::Cancel,
        )
        .await
    }

    /// The responsible partner completes an active placement with its
    /// outcome. Requires `placements:write`.
    #[graphql(guard = "Require::scope(Scope::PlacementsWrite)")]
    async fn complete_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placement, at which version, and the outcome.")]
        input: CompletePlacementInput,
    ) -> Result<PlacementPayload> {
        step(
            ctx,
            &input.id,
            input.version,
            services::lifecycle::Transition::Complete(input.outcome.into()),
        )
        .await
    }
}

/// A partner organisation's new grant.
#[derive(InputObject)]
pub struct SetPartnerGrantInput {
    /// The organisation's slug.
    pub slug: String,
    /// Every scope it is to hold (replaces the grant).
    pub scopes: Vec<String>,
}

/// A partner organisation's new status.
#[derive(InputObject)]
pub struct SetPartnerStatusInput {
    /// The organisation's slug.
    pub slug: String,
    /// `ACTIVE` or `SUSPENDED`.
    pub status: PartnerStatus,
}

/// The result of a change to a partner organisation.
#[derive(SimpleObject)]
pub struct PartnerOrganisationPayload {
    /// The organisation as changed, unless the input was refused.
    pub partner_organisation: Option<PartnerOrganisation>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of partner organisations.
#[derive(Default)]
pub struct PartnerMutation;

#[Object]
impl PartnerMutation {
    /// Replaces an organisation's grant; its tokens lose any removed scope
    /// on their next request. Requires the administrator role and `partners:admin`.
    #[graphql(guard = "Require::administrator(Scope::PartnersAdmin)")]
    async fn set_partner_grant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: SetPartnerGrantInput,
    ) -> Result<PartnerOrganisationPayload> {
        let write = Write::begin(ctx).await?;
        let result = match parse_scopes(&input.scopes) {
            Ok(scopes) => services::partners::set_grant(write.txn(), &input.slug, &scopes).await,
            Err(err) => Err(err),
        };
        let (partner, user_errors) = payload(write.finish(result).await)?;
        // Committed: tokens remembered with the old grant or status go.
        crate::services::callers::cache::forget_callers();
        Ok(PartnerOrganisationPayload {
            partner_organisation: partner.map(PartnerOrganisation),
            user_errors,
        })
    }

    /// Suspends or reinstates an organisation; a suspended organisation's
    /// tokens and clients are refused from the next request. Requires the
    /// administrator role and `partners:admin`.
    #[graphql(guard = "Require::administrator(Scope::PartnersAdmin)")]
    async fn set_partner_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: SetPartnerStatusInput,
    ) -> Result<PartnerOrganisationPayload> {
        let caller = caller(ctx)?;
        if input.slug == caller.organisation_slug && input.status == PartnerStatus::Suspended {
            let (_, user_errors) = payload::<()>(Err(ServiceError::invalid(
                "status",
                "an administrator cannot suspend their own organisation",
            )))?;
            return Ok(PartnerOrganisationPayload {
                partner_organisation: None,
                user_errors,
            });
        }
        let write = Write::begin(ctx).await?;
        let result =
            services::partners::set_status(write.txn(), &input.slug, input.status.into()).await;
        let (partner, user_errors) = payload(write.finish(result).await)?;
        // Committed: tokens remembered with the old grant or status go.
        crate::services::callers::cache::forget_callers();
        Ok(PartnerOrganisationPayload {
            partner_organisation: partner.map(PartnerOrganisation),
            user_errors,
        })
    }
}

/// A new API client.
#[derive(InputObject)]
pub struct CreateApiClientInput {
    /// The organisation it belongs to.
    pub partner_slug: String,
    /// What it is for, 1 to 200 characters.
    pub name: String,
    /// `PARTNER` (default) or `ADMINISTRATOR`.
    pub role: Option<RoleEnum>,
    /// The most it may ask for; empty for the organisation's whole grant.
    #[graphql(default)]
    pub scopes: Vec<String>,
}

/// The result of `createApiClient`.
#[derive(SimpleObject)]
pub struct CreateApiClientPayload {
    /// The new client, unless the input was refused.
    pub api_client: Option<ApiClient>,
    /// The client's secret. Shown this once: store it now.
    pub client_secret: Option<String>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Which client to revoke.
#[derive(InputObject)]
pub struct RevokeApiClientInput {
    /// The client's global id.
    pub id: ID,
}

/// The result of `revokeApiClient`.
#[derive(SimpleObject)]
pub struct RevokeApiClientPayload {
    /// The revoked client.
    pub api_client: Option<ApiClient>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of API clients.
#[derive(Default)]
pub struct ApiClientMutation;

#[Object]
impl ApiClientMutation {
    /// Creates an API client for a partner system and returns its secret,
    /// once. Requires the administrator role and `partners:admin`.
    #[graphql(guard = "Require::administrator(Scope::PartnersAdmin)")]
    async fn create_api_client(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: CreateApiClientInput,
    ) -> Result<CreateApiClientPayload> {
        let caller = caller(ctx)?;
        let write = Write::begin(ctx).await?;
        let result = match parse_scopes(&input.scopes) {
            Ok(scopes) => {
                services::api_clients::create_api_client(
                    write.txn(),
                    services::api_clients::NewApiClient {
                        partner_slug: input.partner_slug,
                        name: input.name,
                        role: input.role.map_or(crate::policy::Role::Partner, Into::into),
                        scopes,
                        created_by: Some(caller.subject.clone()),
                    },
                )
                .await
            }
            Err(err) => Err(err),
        };
        let result = write
            .finish_with(result, |created| ("api_client", created.client.id))
            .await;
        let (created, user_errors) = payload(result)?;
        let (api_client, client_secret) = match created {
            Some(created) => (Some(ApiClient(created.client)), Some(created.secret)),
            None => (None, None),
        };
        Ok(CreateApiClientPayload {
            api_client,
            client_secret,
            user_errors,
        })
    }

    /// Revokes an API client: its secret stops working at once. Requires the
    /// administrator role and `partners:admin`.
    #[graphql(guard = "Require::administrator(Scope::PartnersAdmin)")]
    async fn revoke_api_client(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: RevokeApiClientInput,
    ) -> Result<RevokeApiClientPayload> {
        let id = decode_as(&input.id, NodeType::ApiClient, "id")?;
        let write = Write::begin(ctx).await?;
        let result = services::api_clients::revoke_api_client(write.txn(), id).await;
        let result = write.finish(result).await;
        // Its tokens stop on the next request, not when they expire.
        crate::services::callers::cache::forget_callers();
        let (client, user_errors) = payload(result)?;
        Ok(RevokeApiClientPayload {
            api_client: client.map(ApiClient),
            user_errors,
        })
    }
}
