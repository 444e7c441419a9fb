//! Mentorships between mentors and participants.

use crate::policy::reads::Kind;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::connection::{Paged, connection, counted, page_request};
use crate::graphql::context::{caller, db};
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as, decode_optional};
use crate::graphql::payload::{UserError, payload};
use crate::graphql::scalars::Date;
use crate::graphql::types::Mentorship;
use crate::graphql::write::Write;
use crate::policy::{Role, Scope};
use crate::services::{self};

/// Narrows a list of mentorships; given fields must all hold.
#[derive(InputObject, Default)]
pub struct MentorshipFilter {
    /// Of this mentor.
    pub mentor_id: Option<ID>,
    /// Of this participant.
    pub participant_id: Option<ID>,
    /// Not yet ended (`true`), or ended (`false`).
    pub current: Option<bool>,
}

impl MentorshipFilter {
    fn into_service(self) -> Result<services::mentorships::MentorshipFilter> {
        Ok(services::mentorships::MentorshipFilter {
            mentor_id: decode_optional(self.mentor_id, NodeType::Mentor, "filter.mentorId")?,
            participant_id: decode_optional(
                self.participant_id,
                NodeType::Participant,
                "filter.participantId",
            )?,
            current: self.current,
        })
    }
}

/// Queries about mentorships.
#[derive(Default)]
pub struct MentorshipQuery;

#[Object]
impl MentorshipQuery {
    /// The mentorships the caller may see, oldest first, narrowed by
    /// `filter`: all for an administrator; for a partner those of its
    /// mentors and of the participants it may see; their own for a mentor or
    /// a participant. Requires `mentors:read`.
    #[graphql(
        guard = "Require::read(Kind::Mentorship)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    async fn mentorships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only mentorships matching all given fields.")] filter: Option<
            MentorshipFilter,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<Mentorship>> {
        let page = page_request(after, before, first, last)?;
        let filter = match filter {
            Some(filter) => filter.into_service()?,
            None => Default::default(),
        };
        let db = db(ctx)?.clone();
        let caller = caller(ctx)?.clone();
        let rows = services::mentorships::list_mentorships(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            Mentorship,
            counted((db, caller, filter), |(db, caller, filter)| async move {
                services::mentorships::count_mentorships(&db, &caller, &filter).await
            }),
        ))
    }

    /// The mentorship with this id, if the caller may see it; NOT_FOUND
    /// otherwise. Requires `mentors:read`.
    #[graphql(guard = "Require::read(Kind::Mentorship)")]
    async fn mentorship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mentorship's global id.")] id: ID,
    ) -> Result<Option<Mentorship>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let id = decode_as(&id, NodeType::Mentorship, "id")?;
        Ok(Some(Mentorship(
            services::mentorships::find_mentorship(db(ctx)?, caller(ctx)?, id).await?,
        )))
    }
}

/// A new mentorship.
#[derive(InputObject)]
pub struct StartMentorshipInput {
    /// A key of the client's choosing that makes a retry safe: the same key
    /// with the same input returns what the first request created; with
    /// another input, CONFLICT. The `Idempotency-Key` header does the same.
    pub client_mutation_id: Option<String>,
    /// The mentor; they must take part and have spare capacity.
    pub mentor_id: ID,
    /// The participant.
    pub participant_id: ID,
    /// First day; default today.
    pub started_on: Option<Date>,
}

/// The end of a mentorship.
#[derive(InputObject)]
pub struct EndMentorshipInput {
    /// The mentorship.
    pub id: ID,
    /// Last day, not before the first; default today.
    pub ended_on: Option<Date>,
}

/// The result of a mentorship mutation.
#[derive(SimpleObject)]
pub struct MentorshipPayload {
    /// The input's `clientMutationId`, echoed back (Relay), when given.
    pub client_mutation_id: Option<String>,
    /// The mentorship as stored, unless the input was refused.
    pub mentorship: Option<Mentorship>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of mentorships.
#[derive(Default)]
pub struct MentorshipMutation;

#[Object]
impl MentorshipMutation {
    /// Starts a mentorship between a mentor and a participant the caller may
    /// both see: an administrator any mentor, a partner its own. A mentor
    /// without spare capacity, or who does not take part now, answers
    /// CONFLICT, as does a mentorship already under way. Requires
    /// `mentors:write`.
    #[graphql(guard = "Require::roles(Scope::MentorsWrite, &[Role::Administrator, Role::Partner])")]
    async fn start_mentorship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mentorship to start; see the input type.")]
        input: StartMentorshipInput,
    ) -> Result<MentorshipPayload> {
        let client_mutation_id = input.client_mutation_id.clone();
        let mentor_id = decode_as(&input.mentor_id, NodeType::Mentor, "mentorId")?;
        let participant_id = decode_as(
            &input.participant_id,
            NodeType::Participant,
            "participantId",
        )?;
        let write = Write::begin_idempotent(ctx).await?;
        if let Some(id) = write.replayed() {
            let row = services::mentorships::find_mentorship(write.txn(), caller(ctx)?, id).await;
            let row = write.end_replay(row).await?;
            return Ok(MentorshipPayload {
                client_mutation_id: client_mutation_id.clone(),
                mentorship: Some(Mentorship(row)),
                user_errors: Vec::new(),
            });
        }
        let result = services::mentorships::start_mentorship(
            write.txn(),
            caller(ctx)?,
            mentor_id,
            participant_id,
            input.started_on.map(|d| d.0),
        )
        .await;
        let (mentorship, user_errors) = payload(write.finish(result).await)?;
        Ok(MentorshipPayload {
            client_mutation_id: client_mutation_id.clone(),
            mentorship: mentorship.map(Mentorship),
            user_errors,
        })
    }

    /// Ends a mentorship: an administrator any, a partner those of its
    /// mentors, the mentor or the participant their own. Ending one that has
    /// already ended returns it unchanged. Requires `mentors:write`.
    #[graphql(
        guard = "Require::roles(Scope::MentorsWrite, &[Role::Administrator, Role::Partner, Role::Mentor, Role::Participant])"
    )]
    async fn end_mentorship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: EndMentorshipInput,
    ) -> Result<MentorshipPayload> {
        let id = decode_as(&input.id, NodeType::Mentorship, "id")?;
        let write = Write::begin(ctx).await?;
        let result = services::mentorships::end_mentorship(
            write.txn(),
            caller(ctx)?,
            id,
            input.ended_on.map(|d| d.0),
        )
        .await;
        let (mentorship, user_errors) = payload(write.finish(result).await)?;
        Ok(MentorshipPayload {
            client_mutation_id: None,
            mentorship: mentorship.map(Mentorship),
            user_errors,
        })
    }
}
