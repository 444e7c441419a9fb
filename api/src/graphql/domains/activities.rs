//! Activities and their sessions: the network's weekly programme.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::NaiveTime;

use crate::domain::recurrence::WeeklyRule;
use crate::graphql::connection::{Paged, connection, counted, page_request};
use crate::graphql::context::{caller, db};
use crate::graphql::enums::{ActivityKind, SessionStatus, Site, Weekday};
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, payload};
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::types::{Activity, ActivitySession};
use crate::graphql::write::Write;
use crate::policy::reads::Kind;
use crate::policy::{Role, Scope};
use crate::services::activities as activities_service;
use crate::services::activity_sessions as sessions_service;
use crate::services::{ServiceError, ServiceResult};

mod update;
pub use update::ActivityUpdateMutation;

/// Which activities a list holds; every part given must hold.
#[derive(InputObject, Default)]
pub struct ActivityFilter {
    /// At any of these sites.
    #[graphql(default)]
    pub site: Vec<Site>,
    /// Of any of these kinds.
    #[graphql(default)]
    pub kind: Vec<ActivityKind>,
    /// Organised by this partner organisation.
    pub organiser_id: Option<ID>,
    /// Held in this language (ISO 639 code, e.g. `ar`).
    pub language: Option<String>,
    /// With places left (`true`; unlimited counts as left) or full (`false`).
    pub has_places_left: Option<bool>,
}

impl ActivityFilter {
    fn into_service(self, prefix: &str) -> Result<activities_service::ActivityFilter> {
        Ok(activities_service::ActivityFilter {
            sites: self.site.into_iter().map(Into::into).collect(),
            kinds: self.kind.into_iter().map(Into::into).collect(),
            organiser_id: self
                .organiser_id
                .map(|id| {
                    decode_as(
                        &id,
                        NodeType::PartnerOrganisation,
                        &format!("{prefix}.organiserId"),
                    )
                })
                .transpose()?,
            language: self.language,
            has_places_left: self.has_places_left,
        })
    }
}

/// Which sessions a list holds; every part given must hold.
#[derive(InputObject, Default)]
pub struct SessionFilter {
    /// Starting at or after this instant.
    pub from: Option<DateTime>,
    /// Starting before this instant.
    pub to: Option<DateTime>,
    /// In any of these statuses (both when empty).
    #[graphql(default)]
    pub status: Vec<SessionStatus>,
    /// Of this activity.
    pub activity_id: Option<ID>,
    /// At any of these sites.
    #[graphql(default)]
    pub site: Vec<Site>,
    /// Of activities of any of these kinds.
    #[graphql(default)]
    pub kind: Vec<ActivityKind>,
    /// Of activities organised by this partner organisation.
    pub organiser_id: Option<ID>,
    /// Of activities held in this language (ISO 639 code).
    pub language: Option<String>,
    /// Of activities with places left (`true`) or full (`false`).
    pub has_places_left: Option<bool>,
}

impl SessionFilter {
    fn into_service(self) -> Result<sessions_service::SessionFilter> {
        Ok(sessions_service::SessionFilter {
            from: self.from.map(|t| t.0),
            to: self.to.map(|t| t.0),
            statuses: self.status.into_iter().map(Into::into).collect(),
            activity_id: self
                .activity_id
                .map(|id| decode_as(&id, NodeType::Activity, "filter.activityId"))
                .transpose()?,
            activity: ActivityFilter {
                site: self.site,
                kind: self.kind,
                organiser_id: self.organiser_id,
                language: self.language,
                has_places_left: self.has_places_left,
            }
            .into_service("filter")?,
        })
    }
}

/// Queries about activities and sessions.
#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// Activities, oldest first. Requires `activities:read`.
    #[graphql(
        guard = "Require::read(Kind::Activity)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which activities; all when not given.")] filter: Option<ActivityFilter>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<Activity>> {
        let page = page_request(after, before, first, last)?;
        let filter = filter.unwrap_or_default().into_service("filter")?;
        let (db, caller) = (db(ctx)?.clone(), caller(ctx)?.clone());
        let rows = activities_service::list_activities(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            Activity,
            counted((db, caller, filter), |(db, caller, filter)| async move {
                activities_service::count_activities(&db, &caller, &filter).await
            }),
        ))
    }

    /// The activity with this id; NOT_FOUND if there is none. Requires `activities:read`.
    #[graphql(guard = "Require::read(Kind::Activity)")]
    async fn activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The activity's global id.")] id: ID,
    ) -> Result<Option<Activity>> {
        let id = decode_as(&id, NodeType::Activity, "id")?;
        let row = activities_service::find_activity(db(ctx)?, caller(ctx)?, id).await?;
        Ok(Some(Activity(row)))
    }

    /// Sessions in time order (start, then id): "this week at Hageby" is
    /// `filter: {from, to, site: [HAGEBY]}`. Requires `activities:read`.
    #[graphql(
        guard = "Require::read(Kind::ActivitySession)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    async fn activity_sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which sessions; all when not given.")] filter: Option<SessionFilter>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<ActivitySession>> {
        let page = page_request(after, before, first, last)?;
        let filter = filter.unwrap_or_default().into_service()?;
        let (db, caller) = (db(ctx)?.clone(), caller(ctx)?.clone());
        let rows = sessions_service::list_sessions(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            ActivitySession,
            counted((db, caller, filter), |(db, caller, filter)| async move {
                sessions_service::count_sessions(&db, &caller, &filter).await
            }),
        ))
    }
}

/// A weekly rule: sessions on one weekday at the same Stockholm wall-clock
/// times, from one date to another, except some dates.
#[derive(InputObject)]
pub struct WeeklyRuleInput {
    /// The day of the week.
    pub weekday: Weekday,
    /// When each session starts, `HH:MM` in Stockholm time.
    pub start_time: String,
    /// When each session ends, `HH:MM` in Stockholm time (after the start).
    pub end_time: String,
    /// The first date a session may fall on.
    pub from: Date,
    /// The last date a session may fall on.
    pub until: Date,
    /// Dates without a session (a holiday).
    #[graphql(default)]
    pub except: Vec<Date>,
}

impl WeeklyRuleInput {
    fn into_rule(self) -> ServiceResult<WeeklyRule> {
        let time = |field: &str, raw: &str| {
            NaiveTime::parse_from_str(raw, "%H:%M").map_err(|_| {
                ServiceError::invalid(format!("weeklyRule.{field}"), "a time is HH:MM, e.g. 14:00")
            })
        };
        Ok(WeeklyRule {
            weekday: self.weekday.into(),
            start_time: time("startTime", &self.start_time)?,
            end_time: time("endTime", &self.end_time)?,
            from: self.from.0,
            until: self.until.0,
            except: self.except.into_iter().map(|d| d.0).collect(),
        })
    }
}

/// A new activity.
#[derive(InputObject)]
pub struct CreateActivityInput {
    /// A key of the client's choosing that makes a retry safe (see `createEmployer`).
    pub client_mutation_id: Option<String>,
    /// What kind of activity.
    pub kind: ActivityKind,
    /// Title, 1 to 200 characters.
    pub title: String,
    /// What happens there, at most 4,000 characters.
    pub description: Option<String>,
    /// The organising partner organisation; the caller's own when not given
    /// (only an administrator organises for another).
    pub organiser_id: Option<ID>,
    /// The employer a study visit goes to (required for a study visit).
    pub employer_id: Option<ID>,
    /// The Portalen site it is held at, if at one.
    pub site: Option<Site>,
    /// Where else it is held, at most 200 characters.
    pub place: Option<String>,
    /// The languages it is held in (ISO 639 codes).
    #[graphql(default)]
    pub languages: Vec<String>,
    /// Who it is for, if not everyone, at most 100 characters.
    pub target_group: Option<String>,
    /// How many may take part, 1 to 10,000, if limited.
    pub capacity: Option<i32>,
    /// Whether taking part needs a registration. Default: no.
    #[graphql(default)]
    pub registration_required: bool,
    /// How long a place offered to the first on the waiting list waits for
    /// its answer, 1 to 336 hours (default 48).
    pub offer_hours: Option<i32>,
    /// Makes its sessions, weekly; without it the activity has none until scheduled.
    pub weekly_rule: Option<WeeklyRuleInput>,
}

/// The result of an activity mutation.
#[derive(SimpleObject)]
pub struct ActivityPayload {
    /// The input's `clientMutationId`, echoed back (Relay), when given.
    pub client_mutation_id: Option<String>,
    /// The activity as stored, unless the input was refused.
    pub activity: Option<Activity>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// One more session of an activity.
#[derive(InputObject)]
pub struct ScheduleActivitySessionInput {
    /// The activity.
    pub activity_id: ID,
    /// When it starts.
    pub starts_at: DateTime,
    /// When it ends: after the start, at most 24 hours later.
    pub ends_at: DateTime,
}

/// A session cancelled.
#[derive(InputObject)]
pub struct CancelActivitySessionInput {
    /// The session.
    pub id: ID,
    /// Why, as participants are told (1 to 500 characters).
    pub reason: String,
}

/// A session moved.
#[derive(InputObject)]
pub struct MoveActivitySessionInput {
    /// The session.
    pub id: ID,
    /// When it now starts.
    pub starts_at: DateTime,
    /// When it now ends: after the start, at most 24 hours later.
    pub ends_at: DateTime,
}

/// The result of a session mutation.
#[derive(SimpleObject)]
pub struct ActivitySessionPayload {
    /// The session as stored, unless the input was refused.
    pub session: Option<ActivitySession>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of activities and sessions.
#[derive(Default)]
pub struct ActivityMutation;

const ORGANISERS: &[Role] = &[Role::Administrator, Role::Partner];

#[Object]
impl ActivityMutation {
    /// Creates an activity and, from its weekly rule, its sessions. A
    /// partner organises for its own organisation, an administrator for any.
    /// Requires `activities:write`, as administrator or partner.
    #[graphql(guard = "Require::roles(Scope::ActivitiesWrite, ORGANISERS)")]
    async fn create_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The activity; see the input type.")] input: CreateActivityInput,
    ) -> Result<ActivityPayload> {
        let client_mutation_id = input.client_mutation_id.clone();
        let organiser_id = input
            .organiser_id
            .as_ref()
            .map(|id| decode_as(id, NodeType::PartnerOrganisation, "input.organiserId"))
            .transpose()?;
        let employer_id = input
            .employer_id
            .as_ref()
            .map(|id| decode_as(id, NodeType::Employer, "input.employerId"))
            .transpose()?;
        let write = Write::begin_idempotent(ctx).await?;
        if let Some(id) = write.replayed() {
            let row = activities_service::find_activity(write.txn(), caller(ctx)?, id).await;
            let row = write.end_replay(row).await?;
            return Ok(ActivityPayload {
                client_mutation_id,
                activity: Some(Activity(row)),
                user_errors: Vec::new(),
            });
        }
        let result = match input
            .weekly_rule
            .map(WeeklyRuleInput::into_rule)
            .transpose()
        {
            Err(refused) => Err(refused),
            Ok(weekly_rule) => {
                let new = activities_service::NewActivity {
                    kind: input.kind.into(),
                    title: input.title,
                    description: input.description,
                    organiser_id,
                    employer_id,
                    site: input.site.map(Into::into),
                    place: input.place,
                    languages: input.languages,
                    target_group: input.target_group,
                    capacity: input.capacity,
                    registration_required: input.registration_required,
                    offer_hours: input.offer_hours,
                    weekly_rule,
                };
                activities_service::create_activity(write.txn(), caller(ctx)?, new).await
            }
        };
        let (activity, user_errors) = payload(write.finish(result).await)?;
        Ok(ActivityPayload {
            client_mutation_id,
            activity: activity.map(Activity),
            user_errors,
        })
    }

    /// Schedules one more session of an activity the caller organises.
    /// Requires `activities:write`, as administrator or partner.
    #[graphql(guard = "Require::roles(Scope::ActivitiesWrite, ORGANISERS)")]
    async fn schedule_activity_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session; see the input type.")] input: ScheduleActivitySessionInput,
    ) -> Result<ActivitySessionPayload> {
        let activity_id = decode_as(&input.activity_id, NodeType::Activity, "input.activityId")?;
        let write = Write::begin(ctx).await?;
        let result = sessions_service::schedule_session(
            write.txn(),
            caller(ctx)?,
            activity_id,
            input.starts_at.0,
            input.ends_at.0,
        )
        .await;
        session_payload(write.finish_announcing(result).await)
    }

    /// Cancels a scheduled session, with the reason; CONFLICT if it is
    /// already cancelled. Requires `activities:write`, as its organiser.
    #[graphql(guard = "Require::roles(Scope::ActivitiesWrite, ORGANISERS)")]
    async fn cancel_activity_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session and why; see the input type.")]
        input: CancelActivitySessionInput,
    ) -> Result<ActivitySessionPayload> {
        let id = decode_as(&input.id, NodeType::ActivitySession, "input.id")?;
        let write = Write::begin(ctx).await?;
        let result =
            sessions_service::cancel_session(write.txn(), caller(ctx)?, id, &input.reason).await;
        session_payload(write.finish_announcing(result).await)
    }

    /// Moves a scheduled session to a new start and end; CONFLICT if it is
    /// cancelled. Requires `activities:write`, as its organiser.
    #[graphql(guard = "Require::roles(Scope::ActivitiesWrite, ORGANISERS)")]
    async fn move_activity_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session and its new times; see the input type.")]
        input: MoveActivitySessionInput,
    ) -> Result<ActivitySessionPayload> {
        let id = decode_as(&input.id, NodeType::ActivitySession, "input.id")?;
        let write = Write::begin(ctx).await?;
        let result = sessions_service::move_session(
            write.txn(),
            caller(ctx)?,
            id,
            input.starts_at.0,
            input.ends_at.0,
        )
        .await;
        session_payload(write.finish_announcing(result).await)
    }
}

fn session_payload(
    result: ServiceResult<entity::activity_session::Model>,
) -> Result<ActivitySessionPayload> {
    let (session, user_errors) = payload(result)?;
    Ok(ActivitySessionPayload {
        session: session.map(ActivitySession),
        user_errors,
    })
}
