//! Volunteer hours: logged by the volunteer, decided by the organiser.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::connection::{Paged, connection, counted, page_request};
use crate::graphql::context::{caller, db};
use crate::graphql::enums::{HoursStatus, VolunteerTask};
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, payload};
use crate::graphql::types::VolunteerHours;
use crate::graphql::write::Write;
use crate::policy::reads::Kind;
use crate::policy::{Role, Scope};
use crate::services::volunteers as service;

/// Which volunteer hours a list holds; every part given must hold.
#[derive(InputObject, Default)]
pub struct VolunteerHoursFilter {
    /// Where they stand (`LOGGED`: waiting for the organiser).
    pub status: Option<HoursStatus>,
    /// At this session.
    pub session_id: Option<ID>,
}

/// Hours given at a session.
#[derive(InputObject)]
pub struct LogVolunteerHoursInput {
    /// The session: scheduled, and started (not in the future).
    pub session_id: ID,
    /// What the volunteer did.
    pub task: VolunteerTask,
    /// The time given, more than 0 and at most 24 hours.
    pub hours: f64,
    /// A note for the organiser, at most 500 characters.
    pub note: Option<String>,
}

/// The organiser declining logged hours.
#[derive(InputObject)]
pub struct DeclineVolunteerHoursInput {
    /// The hours.
    pub id: ID,
    /// Why, at most 500 characters; the volunteer sees it.
    pub reason: Option<String>,
}

/// The result of a volunteer hours mutation.
#[derive(SimpleObject)]
pub struct VolunteerHoursPayload {
    /// The hours as stored, unless the input was refused.
    pub hours: Option<VolunteerHours>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

const ORGANISERS: &[Role] = &[Role::Administrator, Role::Partner];

/// Queries of volunteer hours.
#[derive(Default)]
pub struct VolunteerQuery;

#[Object]
impl VolunteerQuery {
    /// Volunteer hours, in the order they were logged: a volunteer their
    /// own, a partner those of its volunteers and those at sessions it
    /// organises (filter `status: LOGGED` for those waiting for it). Requires
    /// `volunteers:read`.
    #[graphql(
        guard = "Require::read(Kind::VolunteerHours)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    async fn volunteer_hours(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which hours; all the caller sees when not given.")] filter: Option<
            VolunteerHoursFilter,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<VolunteerHours>> {
        let page = page_request(after, before, first, last)?;
        let filter = filter.unwrap_or_default();
        let filter = service::HoursFilter {
            status: filter.status.map(Into::into),
            session_id: filter
                .session_id
                .as_ref()
                .map(|id| decode_as(id, NodeType::ActivitySession, "filter.sessionId"))
                .transpose()?,
        };
        let (db, caller) = (db(ctx)?.clone(), caller(ctx)?.clone());
        let rows = service::list_hours(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            VolunteerHours,
            counted((db, caller, filter), |(db, caller, filter)| async move {
                service::count_hours(&db, &caller, &filter).await
            }),
        ))
    }
}

/// Mutations of volunteer hours.
#[derive(Default)]
pub struct VolunteerMutation;

#[Object]
impl VolunteerMutation {
    /// Logs the hours the caller gave at a session that took place; logging
    /// again corrects them while they wait for the organiser (CONFLICT once
    /// decided). Hours at a future or cancelled session are refused.
    /// Requires `volunteers:write`, as a volunteer signed in as themself.
    #[graphql(guard = "Require::roles(Scope::VolunteersWrite, &[Role::Volunteer])")]
    async fn log_volunteer_hours(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session and the time; see the input type.")]
        input: LogVolunteerHoursInput,
    ) -> Result<VolunteerHoursPayload> {
        let session_id = decode_as(
            &input.session_id,
            NodeType::ActivitySession,
            "input.sessionId",
        )?;
        let write = Write::begin(ctx).await?;
        let result = service::log_hours(
            write.txn(),
            caller(ctx)?,
            service::LogHours {
                session_id,
                task: input.task.into(),
                hours: input.hours,
                note: input.note,
            },
        )
        .await;
        hours_payload(write.finish(result).await)
    }

    /// Approves logged hours. Requires `volunteers:write`, as the session's
    /// organiser (or an administrator); CONFLICT once decided.
    #[graphql(guard = "Require::roles(Scope::VolunteersWrite, ORGANISERS)")]
    async fn approve_volunteer_hours(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The hours.")] id: ID,
    ) -> Result<VolunteerHoursPayload> {
        let id = decode_as(&id, NodeType::VolunteerHours, "id")?;
        let write = Write::begin(ctx).await?;
        let result = service::decide(write.txn(), caller(ctx)?, id, true, None).await;
        hours_payload(write.finish(result).await)
    }

    /// Declines logged hours, with a reason if given. Requires
    /// `volunteers:write`, as the session's organiser (or an
    /// administrator); CONFLICT once decided.
    #[graphql(guard = "Require::roles(Scope::VolunteersWrite, ORGANISERS)")]
    async fn decline_volunteer_hours(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The hours and why; see the input type.")]
        input: DeclineVolunteerHoursInput,
    ) -> Result<VolunteerHoursPayload> {
        let id = decode_as(&input.id, NodeType::VolunteerHours, "input.id")?;
        let write = Write::begin(ctx).await?;
        let result = service::decide(write.txn(), caller(ctx)?, id, false, input.reason).await;
        hours_payload(write.finish(result).await)
    }
}

fn hours_payload(
    result: crate::services::ServiceResult<entity::volunteer_hours::Model>,
) -> Result<VolunteerHoursPayload> {
    let (hours, user_errors) = payload(result)?;
    Ok(VolunteerHoursPayload {
        hours: hours.map(VolunteerHours),
        user_errors,
    })
}
