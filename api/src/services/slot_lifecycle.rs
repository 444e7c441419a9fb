//! What employers (and the partners they are, and administrators) do with
//! their slots: edit, open, close, and delete drafts. Every change names the
//! version the caller last read; a stale one answers CONFLICT.
//!
//! ```text
//! draft ──open──▶ open ──(last place taken)──▶ filled
//!   │              ▲ │◀──(a place given back)───┘ │
//!  delete          │ └──close──▶ closed ◀──close──┘
//!                  └────open─────┘
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use entity::{OpportunityKind, Site, SlotStatus, SwedishLevel, internship_slot, slot_skill};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::input::{optional_text, required_text};
use super::placement_lifecycle::{lock_slot, places_taken};
use super::{ServiceError, ServiceResult};
use crate::policy::{Caller, actions};

type Slot = internship_slot::Model;

fn now() -> DateTime<Utc> {
    chrono::SubsecRound::trunc_subsecs(Utc::now(), 6)
}

fn status_name(status: SlotStatus) -> String {
    format!("{status:?}").to_uppercase()
}

/// A slot the caller may see and manage, at `version`, read under the
/// slot's lock (held until the transaction ends), so the places taken that
/// the change is decided on cannot change before it is written.
async fn managed<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    version: Option<i32>,
) -> ServiceResult<Slot> {
    lock_slot(db, id).await?;
    let slot = super::slots::find_slot(db, caller, id).await?;
    let employer = super::employers::find_employer(db, slot.employer_id).await?;
    if !actions::may_manage_slots_of(caller, employer.id, employer.partner_organisation_id) {
        return Err(ServiceError::Forbidden {
            reason: "you may not change this employer's slots".to_owned(),
        });
    }
    if let Some(version) = version
        && version != slot.version
    {
        return Err(ServiceError::Conflict {
            message: format!(
                "the slot has changed since version {version}; it is now {} at version {}",
                status_name(slot.status),
                slot.version
            ),
        });
    }
    Ok(slot)
}

/// Writes `row` if the stored version is still `version`.
async fn save<C: ConnectionTrait>(db: &C, row: Slot, version: i32) -> ServiceResult<Slot> {
    let at = now();
    let mut active: internship_slot::ActiveModel = row.clone().into();
    active.version = Set(version + 1);
    active.updated_at = Set(at);
    active.title = Set(row.title.clone());
    active.description = Set(row.description.clone());
    active.kind = Set(row.kind);
    active.places = Set(row.places);
    active.site = Set(row.site);
    active.starts_on = Set(row.starts_on);
    active.ends_on = Set(row.ends_on);
    active.required_swedish_level = Set(row.required_swedish_level);
    active.status = Set(row.status);
    let result = internship_slot::Entity::update_many()
        .set(active)
        .filter(internship_slot::Column::Id.eq(row.id))
        .filter(internship_slot::Column::Version.eq(version))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to change slot"))?;
    if result.rows_affected != 1 {
        return Err(ServiceError::Conflict {
            message: "the slot was changed at the same time; read it again".to_owned(),
        });
    }
    Ok(Slot {
        version: version + 1,
        updated_at: at,
        ..row
    })
}

/// Changes to a slot; `None` leaves a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct SlotChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub kind: Option<OpportunityKind>,
    pub places: Option<i32>,
    pub site: Option<Option<Site>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<Option<NaiveDate>>,
    pub required_swedish_level: Option<Option<SwedishLevel>>,
    pub wanted_skills: Option<Vec<String>>,
}

/// Edits a slot that is not closed. Places cannot go below those taken;
/// raising them opens a filled slot, lowering them to those taken fills it.
#[tracing::instrument(skip(db, caller, changes))]
pub async fn update_slot<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    version: i32,
    changes: SlotChanges,
) -> ServiceResult<Slot> {
    let mut slot = managed(db, caller, id, Some(version)).await?;
    if slot.status == SlotStatus::Closed {
        return Err(ServiceError::Conflict {
            message: "the slot is CLOSED; open it again to change it".to_owned(),
        });
    }
    if let Some(title) = &changes.title {
        slot.title = required_text("title", title, 200)?;
    }
    if let Some(description) = &changes.description {
        slot.description = optional_text("description", description.as_deref(), 5000)?;
    }
    if let Some(kind) = changes.kind {
        slot.kind = kind;
    }
    if let Some(site) = changes.site {
        slot.site = site;
    }
    if let Some(starts_on) = changes.starts_on {
        slot.starts_on = starts_on;
    }
    if let Some(ends_on) = changes.ends_on {
        slot.ends_on = ends_on;
    }
    if slot.ends_on.is_some_and(|end| end < slot.starts_on) {
        return Err(ServiceError::invalid(
            "endsOn",
            "must not be before startsOn",
        ));
    }
    if let Some(level) = changes.required_swedish_level {
        slot.required_swedish_level = level;
    }
    let skills = changes
        .wanted_skills
        .as_deref()
        .map(|skills| super::input::normalise_tags("wantedSkills", skills))
        .transpose()?;
    if let Some(places) = changes.places {
        if !(1..=super::slots::MAX_PLACES).contains(&places) {
            return Err(ServiceError::invalid(
                "places",
                format!("must be between 1 and {}", super::slots::MAX_PLACES),
            ));
        }
        let taken = places_taken(db, id).await?;
        if u64::try_from(places).unwrap_or(0) < taken {
            return Err(ServiceError::invalid(
                "places",
                format!("{taken} places are taken already"),
            ));
        }
        slot.places = places;
        let full = u64::try_from(places).unwrap_or(0) == taken;
        slot.status = match (slot.status, full) {
            (SlotStatus::Open, true) => SlotStatus::Filled,
            (SlotStatus::Filled, false) => SlotStatus::Open,
            (status, _) => status,
        };
    }
    if let Some(skills) = skills {
        slot_skill::Entity::delete_many()
            .filter(slot_skill::Column::SlotId.eq(id))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to replace slot skills"))?;
        if !skills.is_empty() {
            slot_skill::Entity::insert_many(skills.into_iter().map(|skill| {
                slot_skill::ActiveModel {
                    slot_id: Set(id),
                    skill: Set(skill),
                }
            }))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to write slot skills"))?;
        }
    }
    save(db, slot, version).await
}

/// Opens a draft or closed slot for proposals (filled at once if its
/// places are all taken).
#[tracing::instrument(skip(db, caller))]
pub async fn open_slot<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    version: i32,
) -> ServiceResult<Slot> {
    let mut slot = managed(db, caller, id, Some(version)).await?;
    if !matches!(slot.status, SlotStatus::Draft | SlotStatus::Closed) {
        return Err(ServiceError::Conflict {
            message: format!(
                "the slot is {}; it cannot be opened",
                status_name(slot.status)
            ),
        });
    }
    let taken = places_taken(db, id).await?;
    slot.status = if taken >= u64::try_from(slot.places).unwrap_or(0) {
        SlotStatus::Filled
    } else {
        SlotStatus::Open
    };
    save(db, slot, version).await
}

/// Closes an open or filled slot: no new proposals or accepts. Placements
/// already accepted stay.
#[tracing::instrument(skip(db, caller))]
pub async fn close_slot<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
    version: i32,
) -> ServiceResult<Slot> {
    let mut slot = managed(db, caller, id, Some(version)).await?;
    if !matches!(slot.status, SlotStatus::Open | SlotStatus::Filled) {
        return Err(ServiceError::Conflict {
            message: format!(
                "the slot is {}; it cannot be closed",
                status_name(slot.status)
            ),
        });
    }
    slot.status = SlotStatus::Closed;
    save(db, slot, version).await
}

/// Deletes a draft slot (drafts never have placements). Returns the slot as
/// it was.
#[tracing::instrument(skip(db, caller))]
pub async fn delete_slot<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Slot> {
    let slot = managed(db, caller, id, None).await?;
    if slot.status != SlotStatus::Draft {
        return Err(ServiceError::Conflict {
            message: format!(
                "the slot is {}; only drafts are deleted (close it instead)",
                status_name(slot.status)
            ),
        });
    }
    slot_skill::Entity::delete_many()
        .filter(slot_skill::Column::SlotId.eq(id))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to delete slot skills"))?;
    let result = internship_slot::Entity::delete_many()
        .filter(internship_slot::Column::Id.eq(id))
        .filter(internship_slot::Column::Status.eq(SlotStatus::Draft))
        .exec(db)
        .await
        .map_err(ServiceError::database_referencing(
            "failed to delete slot",
            "id",
            "the slot has placements; close it instead",
        ))?;
    if result.rows_affected != 1 {
        return Err(ServiceError::Conflict {
            message: "the slot was changed at the same time; read it again".to_owned(),
        });
    }
    Ok(slot)
}
