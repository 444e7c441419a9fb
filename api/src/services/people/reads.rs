//! The read side of people and memberships: lists, lookups and the
//! DataLoader batches, each narrowed by the caller's row rule.

use std::collections::HashMap;

use chrono::Utc;
use entity::{MembershipStatus, membership, person, sign_in_session};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
};
use uuid::Uuid;

use super::{Membership, Person};
use crate::policy::{Caller, rows};
use crate::services::batch::key_in;
use crate::services::pagination::{self, Page, PageRequest};
use crate::services::{ServiceError, ServiceResult};

fn visible(caller: &Caller) -> Select<membership::Entity> {
    membership::Entity::find().filter(rows::memberships(caller))
}

/// What a list of memberships is narrowed by.
#[derive(Debug, Clone, Default)]
pub struct MembershipFilter {
    pub organisation_id: Option<Uuid>,
    pub status: Option<MembershipStatus>,
}

impl MembershipFilter {
    fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(id) = self.organisation_id {
            condition = condition.add(membership::Column::PartnerOrganisationId.eq(id));
        }
        if let Some(status) = self.status {
            condition = condition.add(membership::Column::Status.eq(status));
        }
        condition
    }
}

/// A page of the memberships the caller may see.
pub async fn list_memberships<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &MembershipFilter,
    page: PageRequest,
) -> ServiceResult<Page<Membership>> {
    pagination::fetch_page(
        db,
        visible(caller).filter(filter.condition()),
        membership::Column::Id,
        page,
        "failed to list memberships",
    )
    .await
}

/// How many memberships the caller may see match `filter`.
pub async fn count_memberships<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &MembershipFilter,
) -> ServiceResult<u64> {
    pagination::count(
        db,
        visible(caller).filter(filter.condition()),
        "failed to count memberships",
    )
    .await
}

/// A membership the caller may see.
pub async fn find_membership<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Option<Membership>> {
    visible(caller)
        .filter(membership::Column::Id.eq(id))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read a membership"))
}

/// The memberships the caller may see, by id.
pub async fn load_memberships<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Membership>> {
    let rows = visible(caller)
        .filter(key_in(db, membership::Column::Id, ids))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load memberships"))?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// The people the caller may see, by id.
pub async fn load_persons<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Person>> {
    let rows = person::Entity::find()
        .filter(rows::persons(caller))
        .filter(key_in(db, person::Column::Id, ids))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load people"))?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// The memberships the caller may see of each of these people, oldest
/// first.
pub async fn load_memberships_of_persons<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    person_ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Membership>>> {
    let rows = visible(caller)
        .filter(key_in(db, membership::Column::PersonId, person_ids))
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load memberships"))?;
    let mut grouped: HashMap<Uuid, Vec<Membership>> = HashMap::new();
    for row in rows {
        grouped.entry(row.person_id).or_default().push(row);
    }
    Ok(grouped)
}

/// A person's active memberships, oldest first: what they can sign in to.
pub async fn active_memberships_of<C: ConnectionTrait>(
    db: &C,
    person_id: Uuid,
) -> ServiceResult<Vec<Membership>> {
    membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person_id))
        .filter(membership::Column::Status.eq(MembershipStatus::Active))
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to read memberships"))
}

/// The membership a person's token acts for, with its session, as of now,
/// in one statement: `None` unless the membership is active and belongs to
/// `person_id` and the session (if any) is neither revoked nor past its end.
pub async fn membership_in_force<C: ConnectionTrait>(
    db: &C,
    person_id: Uuid,
    membership_id: Uuid,
    session_id: Option<Uuid>,
) -> ServiceResult<Option<Membership>> {
    let mut select = membership::Entity::find_by_id(membership_id)
        .filter(membership::Column::PersonId.eq(person_id))
        .filter(membership::Column::Status.eq(MembershipStatus::Active));
    if let Some(session_id) = session_id {
        select = select.filter(
            membership::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(sign_in_session::Column::MembershipId)
                    .from(sign_in_session::Entity)
                    .and_where(sign_in_session::Column::Id.eq(session_id))
                    .and_where(sign_in_session::Column::RevokedAt.is_null())
                    .and_where(sign_in_session::Column::ExpiresAt.gt(Utc::now()))
                    .to_owned(),
            ),
        );
    }
    select
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read a membership"))
}
