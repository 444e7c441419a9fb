//! Activities: what Portalen does, once or weekly (a language café at
//! Hageby, ABF's start-your-own-business course, a study visit at an
//! employer). A recurring activity's sessions are made from its weekly rule
//! when it is created, in the same transaction.

use std::collections::HashMap;

use chrono::Utc;
use entity::{ActivityKind, SessionStatus, Site, activity, activity_language, activity_session};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Select,
};
use uuid::Uuid;

use super::batch::key_in;
use super::input::{optional_text, required_text};
use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::domain::LanguageCode;
use crate::domain::recurrence::WeeklyRule;
use crate::policy::{self, Caller};

type Activity = activity::Model;

/// The activities the caller may see.
fn visible(caller: &Caller) -> Select<activity::Entity> {
    activity::Entity::find().filter(policy::rows::activities(caller))
}

/// Which activities a list holds; every part given must hold.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub sites: Vec<Site>,
    pub kinds: Vec<ActivityKind>,
    pub organiser_id: Option<Uuid>,
    /// Held in this language (ISO 639 code).
    pub language: Option<String>,
    /// With places left (unlimited counts as left), or full.
    pub has_places_left: Option<bool>,
}

impl ActivityFilter {
    /// The filter as a condition on `activity`.
    pub fn condition(&self) -> ServiceResult<Condition> {
        let mut condition = Condition::all();
        if !self.sites.is_empty() {
            condition = condition.add(activity::Column::Site.is_in(self.sites.iter().copied()));
        }
        if !self.kinds.is_empty() {
            condition = condition.add(activity::Column::Kind.is_in(self.kinds.iter().copied()));
        }
        if self.has_places_left == Some(true) {
            condition = condition.add(
                Condition::any()
                    .add(activity::Column::Capacity.is_null())
                    .add(
                        Expr::col(activity::Column::PlacesTaken)
                            .lt(Expr::col(activity::Column::Capacity)),
                    ),
            );
        }
        if self.has_places_left == Some(false) {
            condition = condition.add(
                Expr::col(activity::Column::PlacesTaken).gte(Expr::col(activity::Column::Capacity)),
            );
        }
        if let Some(organiser) = self.organiser_id {
            condition = condition.add(activity::Column::OrganiserId.eq(organiser));
        }
        if let Some(language) = &self.language {
            let code = LanguageCode::parse(language).ok_or_else(|| {
                ServiceError::invalid(
                    "language",
                    format!("{language} is not an ISO 639 language code"),
                )
            })?;
            condition = condition.add(
                activity::Column::Id.in_subquery(
                    Query::select()
                        .column(activity_language::Column::ActivityId)
                        .from(activity_language::Entity)
                        .and_where(activity_language::Column::Language.eq(code.as_str()))
                        .to_owned(),
                ),
            );
        }
        Ok(condition)
    }
}

/// A page of the activities the caller may see that match `filter`, oldest first.
#[tracing::instrument(skip(db, caller))]
pub async fn list_activities<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &ActivityFilter,
    page: PageRequest,
) -> ServiceResult<Page<Activity>> {
    let select = visible(caller).filter(filter.condition()?);
    pagination::fetch_page(
        db,
        select,
        activity::Column::Id,
        page,
        "failed to list activities",
    )
    .await
}

/// How many activities the caller may see match `filter`.
pub async fn count_activities<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &ActivityFilter,
) -> ServiceResult<u64> {
    let select = visible(caller).filter(filter.condition()?);
    pagination::count(db, select, "failed to count activities").await
}

/// The activities with these ids that the caller may see (a DataLoader batch).
pub async fn load_activities<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Activity>> {
    let rows = visible(caller)
        .filter(key_in(db, activity::Column::Id, ids))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load activities"))?;
    Ok(rows.into_iter().map(|row| (row.id, row)).collect())
}

/// The activity with this id, if the caller may see it.
pub async fn find_activity<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Activity> {
    load_activities(db, caller, &[id])
        .await?
        .remove(&id)
        .ok_or(ServiceError::NotFound { entity: "activity" })
}

/// The languages of each of these activities, in code order.
pub async fn load_languages<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<String>>> {
    let rows = activity_language::Entity::find()
        .filter(key_in(db, activity_language::Column::ActivityId, ids))
        .order_by_asc(activity_language::Column::Language)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load activity languages"))?;
    let mut grouped: HashMap<Uuid, Vec<String>> = HashMap::new();
    for row in rows {
        grouped
            .entry(row.activity_id)
            .or_default()
            .push(row.language);
    }
    Ok(grouped)
}

/// What it takes to create an activity.
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub kind: ActivityKind,
    pub title: String,
    pub description: Option<String>,
    /// The organising partner; the caller's organisation when not given.
    pub organiser_id: Option<Uuid>,
    pub employer_id: Option<Uuid>,
    pub site: Option<Site>,
    pub place: Option<String>,
    pub languages: Vec<String>,
    pub target_group: Option<String>,
    pub capacity: Option<i32>,
    pub registration_required: bool,
    /// How long an offered place waits for its answer (default 48 hours).
    pub offer_hours: Option<i32>,
    pub weekly_rule: Option<WeeklyRule>,
}

/// How long an offered place waits for its answer unless the activity says.
pub const DEFAULT_OFFER_HOURS: i32 = 48;

/// Creates an activity and, from its weekly rule, its sessions. A partner
/// organises for itself; an administrator for any partner.
#[tracing::instrument(skip(db, caller, input))]
pub async fn create_activity<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    input: NewActivity,
) -> ServiceResult<Activity> {
    let organiser_id = input.organiser_id.unwrap_or(caller.organisation_id);
    if !policy::actions::may_act_for(caller, organiser_id) {
        return Err(ServiceError::Forbidden {
            reason: "you may organise activities only for your own organisation".to_owned(),
        });
    }
    let mut v = super::error::Validation::new();
    let title = v.check(required_text("title", &input.title, 200))?;
    let description = v.check(optional_text(
        "description",
        input.description.as_deref(),
        4000,
    ))?;
    let place = v.check(optional_text("place", input.place.as_deref(), 200))?;
    let target_group = v.check(optional_text(
        "targetGroup",
        input.target_group.as_deref(),
        100,
    ))?;
    if input.capacity.is_some_and(|c| !(1..=10_000).contains(&c)) {
        v.fail("capacity", "must be between 1 and 10000");
    }
    if input.offer_hours.is_some_and(|h| !(1..=336).contains(&h)) {
        v.fail("offerHours", "must be between 1 and 336 (two weeks)");
    }
    if input.kind == ActivityKind::StudyVisit && input.employer_id.is_none() {
        v.fail("employerId", "a study visit names the employer it visits");
    }
    let mut languages = Vec::new();
    for language in &input.languages {
        match LanguageCode::parse(language) {
            Some(code) if !languages.contains(&code) => languages.push(code),
            Some(_) => {}
            None => v.fail(
                "languages",
                format!("{language} is not an ISO 639 language code"),
            ),
        }
    }
    let sessions = match &input.weekly_rule {
        Some(rule) => v
            .check(rule.sessions().map_err(|e| {
                ServiceError::invalid(format!("weeklyRule.{}", e.field()), e.to_string())
            }))?
            .unwrap_or_default(),
        None => Vec::new(),
    };
    v.finish()?;
    let (Some(title), Some(description), Some(place), Some(target_group)) =
        (title, description, place, target_group)
    else {
        return Err(ServiceError::invalid("input", "invalid"));
    };
    let now = Utc::now();
    let id = Uuid::now_v7();
    let weekly_rule = input
        .weekly_rule
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| ServiceError::invalid("weeklyRule", e.to_string()))?;
    let row = activity::Entity::insert(activity::ActiveModel {
        id: Set(id),
        kind: Set(input.kind),
        title: Set(title),
        description: Set(description),
        organiser_id: Set(organiser_id),
        employer_id: Set(input.employer_id),
        site: Set(input.site),
        place: Set(place),
        target_group: Set(target_group),
        capacity: Set(input.capacity),
        registration_required: Set(input.registration_required),
        places_taken: Set(0),
        offer_hours: Set(input.offer_hours.unwrap_or(DEFAULT_OFFER_HOURS)),
        weekly_rule: Set(weekly_rule),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(db)
    .await
    .map_err(ServiceError::database_referencing(
        "failed to insert activity",
        if input.employer_id.is_some() {
            "employerId"
        } else {
            "organiserId"
        },
        "no partner organisation or employer has this id",
    ))?;
    if !languages.is_empty() {
        activity_language::Entity::insert_many(languages.iter().map(|code| {
            activity_language::ActiveModel {
                activity_id: Set(id),
                language: Set(code.as_str().to_owned()),
            }
        }))
        .exec(db)
        .await
        .map_err(ServiceError::database(
            "failed to insert activity languages",
        ))?;
    }
    if !sessions.is_empty() {
        activity_session::Entity::insert_many(sessions.into_iter().map(|(starts_at, ends_at)| {
            activity_session::ActiveModel {
                id: Set(Uuid::now_v7()),
                activity_id: Set(id),
                starts_at: Set(starts_at),
                ends_at: Set(ends_at),
                status: Set(SessionStatus::Scheduled),
                cancel_reason: Set(None),
                anonymous_headcount: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
            }
        }))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to insert sessions"))?;
    }
    Ok(row)
}

/// The activity, if the caller may change it: NOT_FOUND when they may not
/// see it, FORBIDDEN when they may see but not change it.
pub async fn changeable_activity<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Activity> {
    let changeable = visible(caller)
        .filter(activity::Column::Id.eq(id))
        .filter(policy::rows::changeable_activities(caller))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read activity"))?;
    match changeable {
        Some(row) => Ok(row),
        None => {
            find_activity(db, caller, id).await?;
            Err(not_the_organiser())
        }
    }
}

/// The refusal of a change to an activity its caller does not organise.
pub fn not_the_organiser() -> ServiceError {
    ServiceError::Forbidden {
        reason: "only the organiser changes an activity and its sessions".to_owned(),
    }
}
