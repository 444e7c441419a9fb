//! Consents: a participant's agreement that a partner organisation may see
//! their data. Row policy reads them on every request, so granting and
//! revoking take effect on the next one.

use crate::services::batch::key_in;
use std::collections::HashMap;

use entity::consent;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select,
};
use uuid::Uuid;

use super::pagination::{self, Page, PageRequest};
use super::{ServiceError, ServiceResult};
use crate::policy::{Caller, actions, rows};

type Consent = consent::Model;

fn visible(caller: &Caller) -> Select<consent::Entity> {
    consent::Entity::find().filter(rows::consents(caller))
}

/// What a list of consents is narrowed by; given fields must all hold.
#[derive(Debug, Clone, Default)]
pub struct ConsentFilter {
    pub participant_id: Option<Uuid>,
    pub partner_organisation_id: Option<Uuid>,
    /// Not revoked (`true`) or revoked (`false`).
    pub in_force: Option<bool>,
}

impl ConsentFilter {
    fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(id) = self.participant_id {
            condition = condition.add(consent::Column::ParticipantId.eq(id));
        }
        if let Some(id) = self.partner_organisation_id {
            condition = condition.add(consent::Column::PartnerOrganisationId.eq(id));
        }
        match self.in_force {
            Some(true) => condition = condition.add(consent::Column::RevokedAt.is_null()),
            Some(false) => condition = condition.add(consent::Column::RevokedAt.is_not_null()),
            None => {}
        }
        condition
    }
}

/// A page of the consents the caller may see, narrowed by `filter`.
#[tracing::instrument(skip(db, caller))]
pub async fn list_consents<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &ConsentFilter,
    page: PageRequest,
) -> ServiceResult<Page<Consent>> {
    let select = visible(caller).filter(filter.condition());
    pagination::fetch_page(
        db,
        select,
        consent::Column::Id,
        page,
        "failed to list consents",
    )
    .await
}

/// How many consents the caller may see match `filter`.
pub async fn count_consents<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    filter: &ConsentFilter,
) -> ServiceResult<u64> {
    let select = visible(caller).filter(filter.condition());
    pagination::count(db, select, "failed to count consents").await
}

/// One consent, if the caller may see it.
pub async fn find_consent<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Consent> {
    visible(caller)
        .filter(consent::Column::Id.eq(id))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read consent"))?
        .ok_or(ServiceError::NotFound { entity: "consent" })
}

/// The consents with these ids that the caller may see.
pub async fn load_consents<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Consent>> {
    let rows = visible(caller)
        .filter(key_in(db, consent::Column::Id, ids))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load consents"))?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// The consents the caller may see of each of these participants, oldest first.
pub async fn load_consents_of_participants<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    participant_ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<Consent>>> {
    let rows = visible(caller)
        .filter(key_in(db, consent::Column::ParticipantId, participant_ids))
        .order_by_asc(consent::Column::Id)
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load consents"))?;
    let mut grouped: HashMap<Uuid, Vec<Consent>> = HashMap::new();
    for row in rows {
        grouped.entry(row.participant_id).or_default().push(row);
    }
    Ok(grouped)
}

/// Records that a participant the caller may see consents to sharing their
/// data with a partner organisation (`partner_id`, default the caller's
/// own) for `purpose`. If the same consent is already in force it is
/// returned as it is; one in force for another purpose is a CONFLICT (revoke
/// it first).
#[tracing::instrument(skip(db, caller, purpose))]
pub async fn grant_consent<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    participant_id: Uuid,
    partner_id: Option<Uuid>,
    purpose: &str,
) -> ServiceResult<Consent> {
    use sea_orm::ActiveValue::Set;
    let purpose = super::input::required_text("purpose", purpose, 500)?;
    let partner_id = match partner_id {
        Some(id) => {
            entity::partner_organisation::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(ServiceError::database(
                    "failed to read partner organisation",
                ))?
                .ok_or(ServiceError::NotFound {
                    entity: "partner organisation",
                })?
                .id
        }
        None => caller.organisation_id,
    };
    super::participants::find_participant(db, caller, participant_id).await?;
    if !actions::may_grant_consent(caller, participant_id, partner_id) {
        return Err(ServiceError::Forbidden {
            reason: "a partner records consents given to its own organisation".to_owned(),
        });
    }
    // Microseconds, as PostgreSQL stores them, so what is returned is what is read back.
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
    // One statement: insert unless a consent for this organisation is in
    // force (the partial unique index `ux_consent_in_force`). Concurrent
    // grants wait for each other there; the losers insert nothing and read
    // the winner's row below, so a retried grant always answers the consent
    // in force, never a duplicate.
    let id = Uuid::now_v7();
    consent::Entity::insert(consent::ActiveModel {
        id: Set(id),
        participant_id: Set(participant_id),
        partner_organisation_id: Set(partner_id),
        purpose: Set(purpose.clone()),
        recorded_by: Set(Some(caller.subject.chars().take(200).collect())),
        granted_at: Set(now),
        revoked_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            consent::Column::ParticipantId,
            consent::Column::PartnerOrganisationId,
        ])
        .target_and_where(Expr::col(consent::Column::RevokedAt).is_null())
        .do_nothing()
        .to_owned(),
    )
    .try_insert()
    .exec_without_returning(db)
    .await
    .map_err(ServiceError::database("failed to record consent"))?;
    let in_force = consent::Entity::find()
        .filter(consent::Column::ParticipantId.eq(participant_id))
        .filter(consent::Column::PartnerOrganisationId.eq(partner_id))
        .filter(consent::Column::RevokedAt.is_null())
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read consent"))?
        .ok_or(ServiceError::NotFound { entity: "consent" })?;
    if in_force.id == id || in_force.purpose == purpose {
        Ok(in_force)
    } else {
        Err(ServiceError::Conflict {
            message: "a consent for this organisation is already in force for another purpose; revoke it first".to_owned(),
        })
    }
}

/// Revokes a consent the caller may see; the organisation loses access to
/// the participant from the next request on (unless it follows an active
/// placement of theirs). Revoking a revoked consent returns it as it is.
#[tracing::instrument(skip(db, caller))]
pub async fn revoke_consent<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Consent> {
    let current = find_consent(db, caller, id).await?;
    if !actions::may_revoke_consent(caller, &current) {
        return Err(ServiceError::Forbidden {
            reason: "you may not revoke this consent".to_owned(),
        });
    }
    if current.revoked_at.is_some() {
        return Ok(current);
    }
    // Microseconds, as PostgreSQL stores them, so what is returned is what is read back.
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
    let result = consent::Entity::update_many()
        .col_expr(consent::Column::RevokedAt, Expr::value(now))
        .col_expr(consent::Column::UpdatedAt, Expr::value(now))
        .filter(consent::Column::Id.eq(id))
        .filter(consent::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to revoke consent"))?;
    if result.rows_affected == 0 {
        return Err(ServiceError::Conflict {
            message: "the consent was revoked at the same time".to_owned(),
        });
    }
    Ok(consent::Model {
        revoked_at: Some(now),
        updated_at: now,
        ..current
    })
}
