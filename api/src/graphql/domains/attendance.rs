//! Attendance: who took part in a session, by name and as a headcount.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::events::Event;
use crate::graphql::context::caller;
use crate::graphql::domains::activities::ActivitySessionPayload;
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, payload};
use crate::graphql::types::ActivitySession;
use crate::graphql::write::Write;
use crate::policy::{Role, Scope};
use crate::services::ServiceResult;
use crate::services::attendance::{self as service, AttendanceChange};

/// Participants who took part in a session.
#[derive(InputObject)]
pub struct RecordAttendanceInput {
    /// The session: scheduled, and started.
    pub session_id: ID,
    /// The participants, 1 to 200, each one the caller may see. Those
    /// recorded already stay recorded once.
    pub participant_ids: Vec<ID>,
}

/// A participant's attendance taken back.
#[derive(InputObject)]
pub struct RemoveAttendanceInput {
    /// The session.
    pub session_id: ID,
    /// The participant.
    pub participant_id: ID,
}

/// The anonymous headcount of a session.
#[derive(InputObject)]
pub struct SetSessionHeadcountInput {
    /// The session: scheduled, and started.
    pub session_id: ID,
    /// How many walk-ins came without giving a name, 0 to 10,000; it
    /// replaces the count given before.
    pub count: i32,
}

/// The result of an attendance mutation.
#[derive(SimpleObject)]
pub struct AttendancePayload {
    /// The session, with its counts, unless the input was refused.
    pub session: Option<ActivitySession>,
    /// How many participants the call added (recording) or removed.
    pub changed: i32,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

const RECORDERS: &[Role] = &[Role::Administrator, Role::Partner];

/// Mutations of attendance.
#[derive(Default)]
pub struct AttendanceMutation;

#[Object]
impl AttendanceMutation {
    /// Records participants as taking part in a session; recording someone
    /// twice counts once. NOT_FOUND (and nothing recorded) if any
    /// participant is not one the caller may see. Requires
    /// `attendance:write`, as administrator or partner.
    #[graphql(guard = "Require::roles(Scope::AttendanceWrite, RECORDERS)")]
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session and who took part; see the input type.")]
        input: RecordAttendanceInput,
    ) -> Result<AttendancePayload> {
        let session_id = decode_as(
            &input.session_id,
            NodeType::ActivitySession,
            "input.sessionId",
        )?;
        let participant_ids = input
            .participant_ids
            .iter()
            .map(|id| decode_as(id, NodeType::Participant, "input.participantIds"))
            .collect::<Result<Vec<_>>>()?;
        let write = Write::begin(ctx).await?;
        let result =
            service::record_attendance(write.txn(), caller(ctx)?, session_id, &participant_ids)
                .await;
        attendance_payload(
            write
                .finish_each_announcing(
                    result,
                    |c| vec![("activity_session", c.session.id)],
                    |c| vec![Event::AttendanceRecorded(c.session.id)],
                )
                .await,
        )
    }

    /// Takes back one participant's attendance (a correction, audited).
    /// Requires `attendance:write`, as administrator or partner.
    #[graphql(guard = "Require::roles(Scope::AttendanceWrite, RECORDERS)")]
    async fn remove_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session and the participant; see the input type.")]
        input: RemoveAttendanceInput,
    ) -> Result<AttendancePayload> {
        let session_id = decode_as(
            &input.session_id,
            NodeType::ActivitySession,
            "input.sessionId",
        )?;
        let participant_id = decode_as(
            &input.participant_id,
            NodeType::Participant,
            "input.participantId",
        )?;
        let write = Write::begin(ctx).await?;
        let result =
            service::remove_attendance(write.txn(), caller(ctx)?, session_id, participant_id).await;
        attendance_payload(
            write
                .finish_each_announcing(
                    result,
                    |c| vec![("activity_session", c.session.id)],
                    |c| vec![Event::AttendanceRecorded(c.session.id)],
                )
                .await,
        )
    }

    /// Sets the anonymous headcount of a session (the organiser's count of
    /// walk-ins; a new count replaces the old). Requires `attendance:write`,
    /// as the organiser.
    #[graphql(guard = "Require::roles(Scope::AttendanceWrite, RECORDERS)")]
    async fn set_session_headcount(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session and the count; see the input type.")]
        input: SetSessionHeadcountInput,
    ) -> Result<ActivitySessionPayload> {
        let session_id = decode_as(
            &input.session_id,
            NodeType::ActivitySession,
            "input.sessionId",
        )?;
        let write = Write::begin(ctx).await?;
        let result =
            service::set_headcount(write.txn(), caller(ctx)?, session_id, input.count).await;
        let result = write
            .finish_each_announcing(
                result,
                |s| vec![("activity_session", s.id)],
                |s| vec![Event::AttendanceRecorded(s.id)],
            )
            .await;
        let (session, user_errors) = payload(result)?;
        Ok(ActivitySessionPayload {
            session: session.map(ActivitySession),
            user_errors,
        })
    }
}

fn attendance_payload(result: ServiceResult<AttendanceChange>) -> Result<AttendancePayload> {
    let (change, user_errors) = payload(result)?;
    Ok(AttendancePayload {
        changed: change
            .as_ref()
            .map_or(0, |c| i32::try_from(c.changed).unwrap_or(i32::MAX)),
        session: change.map(|c| ActivitySession(c.session)),
        user_errors,
    })
}
