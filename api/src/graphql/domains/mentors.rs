//! Mentors: their listing, registration and changes.

use crate::policy::reads::Kind;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};

use crate::graphql::connection::{Paged, connection, counted, page_request};
use crate::graphql::context::{caller, db};
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, maybe, payload};
use crate::graphql::types::Mentor;
use crate::graphql::write::Write;
use crate::policy::{Role, Scope};
use crate::services::{self};

/// Narrows a list of mentors; given fields must all hold.
#[derive(InputObject, Default)]
pub struct MentorFilter {
    /// Speaks this language (ISO 639 code).
    pub language: Option<String>,
    /// Knows this field (a tag, e.g. `logistics`).
    pub expertise: Option<String>,
    /// Takes part now, or not.
    pub active: Option<bool>,
    /// Has room for another mentee, or is full.
    pub has_spare_capacity: Option<bool>,
}

impl From<MentorFilter> for services::mentors::MentorFilter {
    fn from(filter: MentorFilter) -> Self {
        Self {
            language: filter.language,
            expertise: filter.expertise,
            active: filter.active,
            has_spare_capacity: filter.has_spare_capacity,
        }
    }
}

/// Queries about mentors.
#[derive(Default)]
pub struct MentorQuery;

#[Object]
impl MentorQuery {
    /// The mentors the caller may see, narrowed by `filter`. Requires `mentors:read`.
    #[graphql(
        guard = "Require::read(Kind::Mentor)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    async fn mentors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only mentors matching all given fields.")] filter: Option<MentorFilter>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<Mentor>> {
        let page = page_request(after, before, first, last)?;
        let filter = filter.map(Into::into).unwrap_or_default();
        let db = db(ctx)?.clone();
        let caller = caller(ctx)?.clone();
        let rows = services::mentors::list_mentors(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            Mentor,
            counted((db, caller, filter), |(db, caller, filter)| async move {
                services::mentors::count_mentors(&db, &caller, &filter).await
            }),
        ))
    }

    /// The mentor with this id, if the caller may see them; NOT_FOUND
    /// otherwise. Requires `mentors:read`.
    #[graphql(guard = "Require::read(Kind::Mentor)")]
    async fn mentor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mentor's global id.")] id: ID,
    ) -> Result<Option<Mentor>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let id = decode_as(&id, NodeType::Mentor, "id")?;
        Ok(Some(Mentor(
            services::mentors::find_mentor(db(ctx)?, caller(ctx)?, id).await?,
        )))
    }
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
        #[graphql(desc = "The mentor to register; see the input type.")] input: CreateMentorInput,
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
