//! Mentors, as the caller may see them.

use std::collections::HashMap;

use entity::mentor;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::policy::{Caller, rows};

/// The mentors with these ids that the caller may see.
pub async fn load_mentors<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, mentor::Model>> {
    let rows = mentor::Entity::find()
        .filter(rows::mentors(caller))
        .filter(mentor::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to load mentors"))?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}
