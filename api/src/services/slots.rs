//! Internship slots: places employers offer.

use crate::services::batch::key_in;
use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::{OpportunityKind, Site, SlotStatus, SwedishLevel, internship_slot, slot_skill};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use super::input::{normalise_tags, optional_text, required_text};
use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::policy::{Caller, actions, rows};

type Slot = internship_slot::Model;

fn open() -> Select<internship_slot::Entity> {
    internship_slot::Entity::find().filter(internship_slot::Column::Status.eq(SlotStatus::Open))
}

/// A page of open slots, in the order they were posted.
#[tracing::instrument(skip(db))]
pub async fn list_open_slots<C: ConnectionTrait>(
    db: &C,
    page: PageRequest,
) -> ServiceResult<Page<Slot>> {
    pagination::fetch_page(
        db,
        open(),
        internship_slot::Column::Id,
        page,
        "failed to list open slots",
    )
    .await
}

/// How many slots are open.
pub async fn count_open_slots<C: ConnectionTrait>(db: &C) -> ServiceResult<u64> {
    pagination::count(db, open(), "failed to count open slots").await
}

/// The slot with this id, if the caller may see it.
#[tracing::instrument(skip(db, caller))]
pub async fn find_slot<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Slot> {
    internship_slot::Entity::find_by_id(id)
        .filter(rows::slots(caller))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read slot"))?
        .ok_or(ServiceError::NotFound {
            entity: "internship slot",
        })
}

/// The slots with these ids that the caller may see.
pub async fn load_slots<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Slot>> {
    let rows = internship_slot::Entity::find()
        .filter(rows::slots(caller))
        .filter(key_in(db, internship_slot::Column::Id, ids))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load slots"))?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// The open slots of each of these employers.
pub async fn load_open_slots_of_employers<C: ConnectionTrait>(
    db: &C,
    employer_ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Slot>>> {
    let rows = open()
        .filter(key_in(
            db,
            internship_slot::Column::EmployerId,
            employer_ids,
        ))
        .order_by_asc(internship_slot::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load slots of employers"))?;
    let mut grouped: HashMap<Uuid, Vec<Slot>> = HashMap::new();
    for row in rows {
        grouped.entry(row.employer_id).or_default().push(row);
    }
    Ok(grouped)
}

/// The wanted skills of each of these slots, sorted.
pub async fn load_slot_skills<C: ConnectionTrait>(
    db: &C,
    slot_ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<String>>> {
    let rows = slot_skill::Entity::find()
        .filter(key_in(db, slot_skill::Column::SlotId, slot_ids))
        .order_by_asc(slot_skill::Column::Skill)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load slot skills"))?;
    let mut grouped: HashMap<Uuid, Vec<String>> = HashMap::new();
    for row in rows {
        grouped.entry(row.slot_id).or_default().push(row.skill);
    }
    Ok(grouped)
}

/// What it takes to post a slot.
#[derive(Debug, Clone)]
pub struct NewSlot {
    pub employer_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub kind: OpportunityKind,
    pub places: i32,
    pub site: Option<Site>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub required_swedish_level: Option<SwedishLevel>,
    pub wanted_skills: Vec<String>,
    pub status: SlotStatus,
}

/// The most places one slot may offer.
pub const MAX_PLACES: i32 = 1000;

/// Posts a slot for an employer the caller may post for: an administrator
/// for any, a partner for employers that are the organisation, an employer
/// for itself only; anyone else is FORBIDDEN (employers are not secret).
#[tracing::instrument(skip(db, caller, input), fields(employer_id = %input.employer_id))]
pub async fn post_slot<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    input: NewSlot,
) -> ServiceResult<Slot> {
    let employer = super::employers::find_employer(db, input.employer_id).await?;
    if !actions::may_manage_slots_of(caller, employer.id, employer.partner_organisation_id) {
        return Err(ServiceError::Forbidden {
            reason: "you may not post slots for this employer".to_owned(),
        });
    }
    create_slot(db, input).await
}

/// Posts a slot with its wanted skills, in one transaction. No caller check:
/// for seeds and for [`post_slot`], which checks first.
#[tracing::instrument(skip(db, input), fields(employer_id = %input.employer_id))]
pub async fn create_slot<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    input: NewSlot,
) -> ServiceResult<Slot> {
    // Every field checked, and every failure reported at once.
    let mut v = super::error::Validation::new();
    let title = v.check(required_text("title", &input.title, 200))?;
    let description = v.check(optional_text(
        "description",
        input.description.as_deref(),
        5000,
    ))?;
    if !(1..=MAX_PLACES).contains(&input.places) {
        v.fail("places", format!("must be between 1 and {MAX_PLACES}"));
    }
    if input.ends_on.is_some_and(|end| end < input.starts_on) {
        v.fail("endsOn", "must not be before startsOn");
    }
    let skills = v.check(normalise_tags("wantedSkills", &input.wanted_skills))?;
    v.finish()?;
    let (Some(title), Some(description), Some(skills)) = (title, description, skills) else {
        return Err(ServiceError::invalid("input", "invalid"));
    };
    let now = Utc::now();
    let id = Uuid::now_v7();
    let txn = db
        .begin()
        .await
        .map_err(ServiceError::database("failed to begin transaction"))?;
    let slot = internship_slot::Entity::insert(internship_slot::ActiveModel {
        id: Set(id),
        employer_id: Set(input.employer_id),
        title: Set(title),
        description: Set(description),
        kind: Set(input.kind),
        places: Set(input.places),
        site: Set(input.site),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        required_swedish_level: Set(input.required_swedish_level),
        status: Set(input.status),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await
    .map_err(ServiceError::database_referencing(
        "failed to insert slot",
        "employerId",
        "no employer has this id",
    ))?;
    if !skills.is_empty() {
        slot_skill::Entity::insert_many(skills.into_iter().map(|skill| slot_skill::ActiveModel {
            slot_id: Set(id),
            skill: Set(skill),
        }))
        .exec(&txn)
        .await
        .map_err(ServiceError::database("failed to insert slot skills"))?;
    }
    txn.commit()
        .await
        .map_err(ServiceError::database("failed to commit slot"))?;
    Ok(slot)
}

/// What a list of slots is narrowed by; given fields must all hold.
#[derive(Debug, Clone, Default)]
pub struct SlotFilter {
    /// Any of these statuses.
    pub statuses: Vec<SlotStatus>,
    /// Any of these kinds.
    pub kinds: Vec<OpportunityKind>,
    pub site: Option<Site>,
    pub employer_id: Option<Uuid>,
    /// Starting on or after this day.
    pub starts_from: Option<NaiveDate>,
    /// Starting on or before this day.
    pub starts_until: Option<NaiveDate>,
    /// Wanting this skill.
    pub wanted_skill: Option<String>,
}

impl SlotFilter {
    fn condition(&self) -> ServiceResult<sea_orm::Condition> {
        use sea_orm::sea_query::Query;
        let mut condition = sea_orm::Condition::all();
        if !self.statuses.is_empty() {
            condition =
                condition.add(internship_slot::Column::Status.is_in(self.statuses.iter().copied()));
        }
        if !self.kinds.is_empty() {
            condition =
                condition.add(internship_slot::Column::Kind.is_in(self.kinds.iter().copied()));
        }
        if let Some(site) = self.site {
            condition = condition.add(internship_slot::Column::Site.eq(site));
        }
        if let Some(employer) = self.employer_id {
            condition = condition.add(internship_slot::Column::EmployerId.eq(employer));
        }
        if let (Some(from), Some(until)) = (self.starts_from, self.starts_until)
            && until < from
        {
            return Err(ServiceError::invalid(
                "filter.startsUntil",
                "must not be before startsFrom",
            ));
        }
        if let Some(from) = self.starts_from {
            condition = condition.add(internship_slot::Column::StartsOn.gte(from));
        }
        if let Some(until) = self.starts_until {
            condition = condition.add(internship_slot::Column::StartsOn.lte(until));
        }
        if let Some(skill) = &self.wanted_skill {
            let skill = normalise_tags("filter.wantedSkill", std::slice::from_ref(skill))?;
            condition = condition.add(
                internship_slot::Column::Id.in_subquery(
                    Query::select()
                        .column(slot_skill::Column::SlotId)
                        .from(slot_skill::Entity)
                        .and_where(slot_skill::Column::Skill.is_in(skill))
                        .to_owned(),
                ),
            );
        }
        Ok(condition)
    }
}

fn visible(caller: &Caller) -> Select<internship_slot::Entity> {
    internship_slot::Entity::find().filter(rows::slots(caller))
}

/// A page of the slots the caller may see, narrowed by `filter`.
#[tracing::instrument(skip(db, caller))]
pub async fn list_slots<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &SlotFilter,
    page: PageRequest,
) -> ServiceResult<Page<Slot>> {
    let select = visible(caller).filter(filter.condition()?);
    pagination::fetch_page(
        db,
        select,
        internship_slot::Column::Id,
        page,
        "failed to list slots",
    )
    .await
}

/// How many slots the caller may see that match `filter`.
pub async fn count_slots<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &SlotFilter,
) -> ServiceResult<u64> {
    let select = visible(caller).filter(filter.condition()?);
    pagination::count(db, select, "failed to count slots").await
}

/// The slots the caller may see of each of these employers, oldest first.
pub async fn load_slots_of_employers<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    employer_ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Slot>>> {
    let rows = visible(caller)
        .filter(key_in(
            db,
            internship_slot::Column::EmployerId,
            employer_ids,
        ))
        .order_by_asc(internship_slot::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load slots of employers"))?;
    let mut grouped: HashMap<Uuid, Vec<Slot>> = HashMap::new();
    for row in rows {
        grouped.entry(row.employer_id).or_default().push(row);
    }
    Ok(grouped)
}
