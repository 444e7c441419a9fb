//! The placement lifecycle as an explicit state machine, and the slot
//! capacity it keeps.
//!
//! ```text
//! proposed ──accept──▶ accepted ──start──▶ active ──complete──▶ completed
//!    │  └──decline──▶ declined       │             │
//!    └──────cancel───────────────────┴──cancel─────┴──▶ cancelled
//! ```
//!
//! Who may do what: the partner proposes (an administrator may too); the
//! employer accepts or declines; the responsible partner or the employer
//! starts it; either side cancels; the responsible partner completes it
//! with an outcome. Every transition names the version the caller last read;
//! a stale version, or a transition the current state does not allow,
//! answers CONFLICT with the current state and changes nothing.
//!
//! Capacity: accepting a placement in a slot takes one of its places. The
//! slot's row is locked first (an UPDATE, which holds a row lock on
//! PostgreSQL and the write lock on SQLite until commit), then the places
//! taken are counted, so concurrent accepts can never overbook. When the
//! last place is taken the slot becomes `filled`; when an accepted or active
//! placement is cancelled, a filled slot opens again.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    OpportunityKind, PlacementOutcome, PlacementStatus, SlotStatus, internship_slot, placement,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::policy::{Caller, actions};

type Placement = placement::Model;

/// Statuses that hold one of a slot's places.
pub const TAKING_A_PLACE: [PlacementStatus; 2] =
    [PlacementStatus::Accepted, PlacementStatus::Active];

fn now() -> DateTime<Utc> {
    chrono::SubsecRound::trunc_subsecs(Utc::now(), 6)
}

fn status_name(status: PlacementStatus) -> &'static str {
    match status {
        PlacementStatus::Proposed => "PROPOSED",
        PlacementStatus::Accepted => "ACCEPTED",
        PlacementStatus::Active => "ACTIVE",
        PlacementStatus::Completed => "COMPLETED",
        PlacementStatus::Cancelled => "CANCELLED",
        PlacementStatus::Declined => "DECLINED",
    }
}

/// A proposal of a placement.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub participant_id: Uuid,
    /// The slot, whose employer, kind and dates are the defaults.
    pub slot_id: Option<Uuid>,
    /// Needed without a slot.
    pub employer_id: Option<Uuid>,
    pub kind: Option<OpportunityKind>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub mentor_id: Option<Uuid>,
    /// For an administrator: the organisation that will follow it (default
    /// the caller's own).
    pub responsible_partner_id: Option<Uuid>,
}

/// Proposes a placement of a participant the caller may see, in an open slot
/// or directly at an employer. The caller's organisation becomes the
/// responsible partner.
#[tracing::instrument(skip(db, caller))]
pub async fn propose<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    input: Proposal,
) -> ServiceResult<Placement> {
    use sea_orm::ActiveValue::Set;
    if let Some(placement) = propose_direct(db, caller, &input).await? {
        return Ok(placement);
    }
    super::participants::find_participant(db, caller, input.participant_id).await?;
    let responsible = match input.responsible_partner_id {
        Some(id) if !actions::may_act_for(caller, id) => {
            return Err(ServiceError::Forbidden {
                reason: "a partner proposes placements it will follow itself".to_owned(),
            });
        }
        Some(id) => id,
        None => caller.organisation_id,
    };
    let (employer_id, kind, starts_on, ends_on) = match input.slot_id {
        Some(slot_id) => {
            let slot = super::slots::find_slot(db, caller, slot_id).await?;
            if slot.status != SlotStatus::Open {
                return Err(ServiceError::Conflict {
                    message: format!(
                        "the slot is {}; placements are proposed in open slots",
                        format!("{:?}", slot.status).to_uppercase()
                    ),
                });
            }
            if input.employer_id.is_some_and(|e| e != slot.employer_id) {
                return Err(ServiceError::invalid(
                    "employerId",
                    "not the employer of the slot",
                ));
            }
            (
                slot.employer_id,
                input.kind.unwrap_or(slot.kind),
                input.starts_on.or(Some(slot.starts_on)),
                input.ends_on.or(slot.ends_on),
            )
        }
        None => {
            let employer_id = input
                .employer_id
                .ok_or_else(|| ServiceError::invalid("employerId", "give a slot or an employer"))?;
            super::employers::find_employer(db, employer_id).await?;
            let kind = input
                .kind
                .ok_or_else(|| ServiceError::invalid("kind", "needed without a slot"))?;
            (employer_id, kind, input.starts_on, input.ends_on)
        }
    };
    if let (Some(start), Some(end)) = (starts_on, ends_on)
        && end < start
    {
        return Err(ServiceError::invalid(
            "endsOn",
            "must not be before startsOn",
        ));
    }
    if let Some(mentor_id) = input.mentor_id {
        super::mentors::find_mentor(db, caller, mentor_id).await?;
    }
    let at = now();
    placement::Entity::insert(placement::ActiveModel {
        id: Set(Uuid::now_v7()),
        participant_id: Set(input.participant_id),
        employer_id: Set(employer_id),
        slot_id: Set(input.slot_id),
        responsible_partner_id: Set(responsible),
        mentor_id: Set(input.mentor_id),
        kind: Set(kind),
        status: Set(PlacementStatus::Proposed),
        starts_on: Set(starts_on),
        ends_on: Set(ends_on),
        outcome: Set(None),
        version: Set(1),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .exec_with_returning(db)
    .await
    // One open placement per participant and slot is the unique index
    // `ux_placement_open_in_slot`: of concurrent proposals exactly one is
    // inserted, the others answer CONFLICT.
    .map_err(ServiceError::database_referencing(
        "failed to insert placement",
        "responsiblePartnerId",
        "no partner organisation has this id",
    ))
}

/// The common proposal, directly at an employer (no slot, no mentor, for
/// the caller's own organisation), in one statement: the placement is
/// inserted only if the participant is one the caller may see and the
/// employer exists (`INSERT ... SELECT ... WHERE` the row rule holds).
/// `None` when it was not inserted, or is not of this shape: the caller
/// then runs the checks one by one, which name what is missing.
async fn propose_direct<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    input: &Proposal,
) -> ServiceResult<Option<Placement>> {
    use entity::{employer, participant};
    use sea_orm::sea_query::Query;
    use sea_orm::{Condition, FromQueryResult, Value};
    let (None, None, None, Some(employer_id), Some(kind)) = (
        input.slot_id,
        input.mentor_id,
        input.responsible_partner_id,
        input.employer_id,
        input.kind,
    ) else {
        return Ok(None);
    };
    if let (Some(start), Some(end)) = (input.starts_on, input.ends_on)
        && end < start
    {
        return Ok(None);
    }
    let at = now();
    let values: [(placement::Column, Value); 14] = [
        (placement::Column::Id, Uuid::now_v7().into()),
        (
            placement::Column::ParticipantId,
            input.participant_id.into(),
        ),
        (placement::Column::EmployerId, employer_id.into()),
        (placement::Column::SlotId, Option::<Uuid>::None.into()),
        (
            placement::Column::ResponsiblePartnerId,
            caller.organisation_id.into(),
        ),
        (placement::Column::MentorId, Option::<Uuid>::None.into()),
        (placement::Column::Kind, kind.into()),
        (placement::Column::Status, PlacementStatus::Proposed.into()),
        (placement::Column::StartsOn, input.starts_on.into()),
        (placement::Column::EndsOn, input.ends_on.into()),
        (placement::Column::Outcome, Option::<String>::None.into()),
        (placement::Column::Version, 1i32.into()),
        (placement::Column::CreatedAt, at.into()),
        (placement::Column::UpdatedAt, at.into()),
    ];
    let employer_exists = Query::select()
        .expr(Expr::val(1))
        .from(employer::Entity)
        .and_where(employer::Column::Id.eq(employer_id))
        .to_owned();
    let source = Query::select()
        .exprs(values.iter().map(|(_, v)| Expr::val(v.clone())))
        .from(participant::Entity)
        .cond_where(
            Condition::all()
                .add(participant::Column::Id.eq(input.participant_id))
                .add(crate::policy::rows::participants(caller))
                .add(Expr::exists(employer_exists)),
        )
        .to_owned();
    let insert = Query::insert()
        .into_table(placement::Entity)
        .columns(values.iter().map(|(c, _)| *c))
        .select_from(source)
        .map_err(|_| ServiceError::invalid("input", "could not build the proposal"))?
        .returning_all()
        .to_owned();
    let row = db
        .query_one(&insert)
        .await
        .map_err(ServiceError::database_referencing(
            "failed to insert placement",
            "responsiblePartnerId",
            "no partner organisation has this id",
        ))?;
    row.map(|row| Placement::from_query_result(&row, ""))
        .transpose()
        .map_err(ServiceError::database("failed to read the new placement"))
}

/// A step of the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Accept,
    Decline,
    Start,
    Cancel,
    Complete(PlacementOutcome),
}

impl Transition {
    fn name(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Decline => "decline",
            Self::Start => "start",
            Self::Cancel => "cancel",
            Self::Complete(_) => "complete",
        }
    }

    /// The states it may leave, and the one it enters.
    fn edge(self) -> (&'static [PlacementStatus], PlacementStatus) {
        use PlacementStatus::*;
        match self {
            Self::Accept => (&[Proposed], Accepted),
            Self::Decline => (&[Proposed], Declined),
            Self::Start => (&[Accepted], Active),
            Self::Cancel => (&[Proposed, Accepted, Active], Cancelled),
            Self::Complete(_) => (&[Active], Completed),
        }
    }

    /// The step as the policy names it.
    fn step(self) -> actions::PlacementStep {
        use actions::PlacementStep as P;
        match self {
            Self::Accept => P::Accept,
            Self::Decline => P::Decline,
            Self::Start => P::Start,
            Self::Cancel => P::Cancel,
            Self::Complete(_) => P::Complete,
        }
    }
}

/// Makes one transition of a placement the caller may see, from `version`.
#[tracing::instrument(skip(db, caller))]
pub async fn transition<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    version: i32,
    step: Transition,
) -> ServiceResult<Placement> {
    let current = super::placements::find_placement(db, caller, id).await?;
    let side = actions::placement_side(caller, current.responsible_partner_id, current.employer_id);
    if !actions::may_step_placement(side, step.step()) {
        return Err(ServiceError::Forbidden {
            reason: format!("you may not {} this placement", step.name()),
        });
    }
    if current.version != version {
        return Err(ServiceError::Conflict {
            message: format!(
                "the placement has changed since version {version}; it is now {} at version {}",
                status_name(current.status),
                current.version
            ),
        });
    }
    let (from, to) = step.edge();
    if !from.contains(&current.status) {
        return Err(ServiceError::Conflict {
            message: format!(
                "the placement is {}; it cannot {}",
                status_name(current.status),
                step.name()
            ),
        });
    }
    let at = now();
    if let Some(slot_id) = current.slot_id {
        if step == Transition::Accept {
            take_a_place(db, slot_id, at).await?;
        }
        if step == Transition::Cancel && TAKING_A_PLACE.contains(&current.status) {
            free_a_place(db, slot_id, at).await?;
        }
    }
    let outcome = match step {
        Transition::Complete(outcome) => Some(outcome),
        _ => current.outcome,
    };
    let result = placement::Entity::update_many()
        .col_expr(placement::Column::Status, Expr::value(to))
        .col_expr(placement::Column::Outcome, Expr::value(outcome))
        .col_expr(
            placement::Column::Version,
            Expr::col(placement::Column::Version).add(1),
        )
        .col_expr(placement::Column::UpdatedAt, Expr::value(at))
        .filter(placement::Column::Id.eq(id))
        .filter(placement::Column::Version.eq(version))
        .filter(placement::Column::Status.eq(current.status))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to change placement"))?;
    if result.rows_affected != 1 {
        return Err(ServiceError::Conflict {
            message: "the placement was changed at the same time; read it again".to_owned(),
        });
    }
    Ok(Placement {
        status: to,
        outcome,
        version: current.version + 1,
        updated_at: at,
        ..current
    })
}

/// Takes one place of a slot, or answers CONFLICT if none is left; marks
/// the slot filled when this was the last. Locks the slot's row first.
async fn take_a_place<C: ConnectionTrait>(
    db: &C,
    slot_id: Uuid,
    at: DateTime<Utc>,
) -> ServiceResult<()> {
    lock_slot(db, slot_id).await?;
    let slot = internship_slot::Entity::find_by_id(slot_id)
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read slot"))?
        .ok_or(ServiceError::NotFound {
            entity: "internship slot",
        })?;
    let taken = places_taken(db, slot_id).await?;
    let places = u64::try_from(slot.places).unwrap_or(0);
    if taken >= places || slot.status == SlotStatus::Closed {
        return Err(ServiceError::Conflict {
            message: format!(
                "the slot has no place left ({taken} of {places} taken; it is {})",
                format!("{:?}", slot.status).to_uppercase()
            ),
        });
    }
    if taken + 1 == places {
        set_slot_status(db, slot_id, SlotStatus::Filled, at).await?;
    }
    Ok(())
}

/// Takes the slot's row lock until the transaction ends: a row lock on
/// PostgreSQL, the database's write lock on SQLite (where every mutation's
/// transaction already begins `IMMEDIATE`). Every writer of a slot's places,
/// status, or of the placements holding its places takes this lock before it
/// reads what it decides on, so those decisions are serialised: an accept
/// and an edit that lowers the places can never both count the same free
/// place. A no-op write rather than `SELECT ... FOR UPDATE`, which SQLite
/// does not have.
pub(crate) async fn lock_slot<C: ConnectionTrait>(db: &C, slot_id: Uuid) -> ServiceResult<()> {
    internship_slot::Entity::update_many()
        .col_expr(
            internship_slot::Column::UpdatedAt,
            Expr::col(internship_slot::Column::UpdatedAt),
        )
        .filter(internship_slot::Column::Id.eq(slot_id))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to lock slot"))?;
    Ok(())
}

/// How many of a slot's places accepted or active placements hold. Read
/// under [`lock_slot`] when a decision depends on it.
pub(crate) async fn places_taken<C: ConnectionTrait>(db: &C, slot_id: Uuid) -> ServiceResult<u64> {
    placement::Entity::find()
        .filter(placement::Column::SlotId.eq(slot_id))
        .filter(placement::Column::Status.is_in(TAKING_A_PLACE))
        .count(db)
        .await
        .map_err(ServiceError::database("failed to count taken places"))
}

/// Gives a place back: a filled slot opens again.
async fn free_a_place<C: ConnectionTrait>(
    db: &C,
    slot_id: Uuid,
    at: DateTime<Utc>,
) -> ServiceResult<()> {
    lock_slot(db, slot_id).await?;
    internship_slot::Entity::update_many()
        .col_expr(
            internship_slot::Column::Status,
            Expr::value(SlotStatus::Open),
        )
        .col_expr(
            internship_slot::Column::Version,
            Expr::col(internship_slot::Column::Version).add(1),
        )
        .col_expr(internship_slot::Column::UpdatedAt, Expr::value(at))
        .filter(internship_slot::Column::Id.eq(slot_id))
        .filter(internship_slot::Column::Status.eq(SlotStatus::Filled))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to reopen slot"))?;
    Ok(())
}

async fn set_slot_status<C: ConnectionTrait>(
    db: &C,
    slot_id: Uuid,
    status: SlotStatus,
    at: DateTime<Utc>,
) -> ServiceResult<()> {
    internship_slot::Entity::update_many()
        .col_expr(internship_slot::Column::Status, Expr::value(status))
        .col_expr(
            internship_slot::Column::Version,
            Expr::col(internship_slot::Column::Version).add(1),
        )
        .col_expr(internship_slot::Column::UpdatedAt, Expr::value(at))
        .filter(internship_slot::Column::Id.eq(slot_id))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to change slot status"))?;
    Ok(())
}
