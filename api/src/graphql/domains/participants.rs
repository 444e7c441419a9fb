//! Participants: their listing, registration and changes.

use crate::policy::reads::Kind;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};

use crate::graphql::connection::{ListOrder, Paged, connection, counted, page_request};
use crate::graphql::context::{caller, db};
use crate::graphql::enums::{LanguageLevel, ParticipantStatus, Site, SwedishLevel};
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, maybe, payload};
use crate::graphql::types::Participant;
use crate::graphql::write::Write;
use crate::policy::{Role, Scope};
use crate::services::{self};

/// Narrows a list of participants; given fields must all hold.
#[derive(InputObject, Default)]
pub struct ParticipantFilter {
    /// At this site.
    pub site: Option<Site>,
    /// In any of these statuses.
    #[graphql(default)]
    pub status: Vec<ParticipantStatus>,
    /// Speaks this language (ISO 639 code, e.g. `ti`), at any level.
    pub language: Option<String>,
    /// Has this skill (a tag, e.g. `cooking`).
    pub skill: Option<String>,
    /// Speaks Swedish at this level or above.
    pub swedish_level_at_least: Option<SwedishLevel>,
    /// Part of the name, case-insensitive (1 to 100 characters). Matches the
    /// family name only for callers who may read personal fields.
    pub name_contains: Option<String>,
}

impl From<ParticipantFilter> for services::participants::ParticipantFilter {
    fn from(filter: ParticipantFilter) -> Self {
        Self {
            site: filter.site.map(Into::into),
            statuses: filter.status.into_iter().map(Into::into).collect(),
            language: filter.language,
            skill: filter.skill,
            swedish_level_at_least: filter.swedish_level_at_least.map(Into::into),
            name_contains: filter.name_contains,
        }
    }
}

/// Queries about participants.
#[derive(Default)]
pub struct ParticipantQuery;

#[Object]
impl ParticipantQuery {
    /// The participants the caller may see (see the row policy in the README),
    /// in the order they joined, narrowed by `filter`. Requires `participants:read`.
    #[graphql(
        guard = "Require::read(Kind::Participant)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "a connection's order, filter and four paging arguments"
    )]
    async fn participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order; default oldest first.")] order_by: Option<ListOrder>,
        #[graphql(desc = "Only participants matching all given fields.")] filter: Option<
            ParticipantFilter,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<Participant>> {
        let page = page_request(after, before, first, last)?;
        let filter = filter.map(Into::into).unwrap_or_default();
        let db = db(ctx)?.clone();
        let caller = caller(ctx)?.clone();
        let page = ListOrder::apply(order_by, page);
        let rows = services::participants::list_participants(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            Participant,
            counted((db, caller, filter), |(db, caller, filter)| async move {
                services::participants::count_participants(&db, &caller, &filter).await
            }),
        ))
    }

    /// The participant with this id, if the caller may see them; NOT_FOUND
    /// otherwise. Requires `participants:read`.
    #[graphql(guard = "Require::read(Kind::Participant)")]
    async fn participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The participant's global id.")] id: ID,
    ) -> Result<Option<Participant>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let id = decode_as(&id, NodeType::Participant, "id")?;
        Ok(Some(Participant(
            services::participants::find_participant(db(ctx)?, caller(ctx)?, id).await?,
        )))
    }
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
        #[graphql(desc = "The participant to create; see the input type.")]
        input: CreateParticipantInput,
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
