//! Loading data: the demo network, and generated data sets for benchmarks.
//!
//! Both are deterministic: row ids are derived from what a row is (its
//! place in the seed), so running a seed twice inserts nothing the second
//! time. Ids are UUIDv7 built from a fixed timestamp per row, so they sort in
//! seed order, as ids made at run time sort in creation order.
//!
//! No real person's data is here. Organisations are named from public
//! sources; every person, e-mail address (at example.org) and phone number
//! (from the range Swedish regulator PTS reserves for fiction) is
//! synthetic, and so are all organisation numbers.

pub mod demo;
pub mod scale;

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait};
use serde::Serialize;
use uuid::{Builder, Uuid};

/// How many rows each table holds after a seed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SeedCounts {
    pub partner_organisations: u64,
    pub employers: u64,
    pub mentors: u64,
    pub participants: u64,
    pub internship_slots: u64,
    pub placements: u64,
    pub mentorships: u64,
    pub consents: u64,
    pub activities: u64,
    pub activity_sessions: u64,
    pub attendance: u64,
}

impl SeedCounts {
    /// Counts the rows of every seeded table.
    pub async fn read<C: ConnectionTrait>(db: &C) -> Result<Self, sea_orm::DbErr> {
        use entity::*;
        use sea_orm::PaginatorTrait;
        Ok(Self {
            partner_organisations: partner_organisation::Entity::find().count(db).await?,
            employers: employer::Entity::find().count(db).await?,
            mentors: mentor::Entity::find().count(db).await?,
            participants: participant::Entity::find().count(db).await?,
            internship_slots: internship_slot::Entity::find().count(db).await?,
            placements: placement::Entity::find().count(db).await?,
            mentorships: mentorship::Entity::find().count(db).await?,
            consents: consent::Entity::find().count(db).await?,
            activities: activity::Entity::find().count(db).await?,
            activity_sessions: activity_session::Entity::find().count(db).await?,
            attendance: attendance::Entity::find().count(db).await?,
        })
    }
}

/// A deterministic, time-ordered id: UUIDv7 at `base_millis + index`, with
/// the random bits taken from a name-based hash of `kind` and `index`.
pub(crate) fn seeded_id(base_millis: u64, kind: &str, index: u64) -> Uuid {
    let name = Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("portalen:{kind}:{index}").as_bytes(),
    );
    let mut random = [0u8; 10];
    random.copy_from_slice(&name.as_bytes()[..10]);
    Builder::from_unix_timestamp_millis(base_millis + index, &random).into_uuid()
}

/// Inserts rows in batches, skipping any whose primary key exists already.
/// Batches stay under both databases' limits on bound parameters.
pub(crate) async fn insert_new<A, C>(
    db: &C,
    rows: Vec<A>,
    columns: usize,
) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    // SQLite allows 32,766 parameters a statement, PostgreSQL 65,535.
    let per_batch = (30_000 / columns.max(1)).max(1);
    let mut rows = rows;
    while !rows.is_empty() {
        let rest = rows.split_off(per_batch.min(rows.len()));
        <A::Entity as EntityTrait>::insert_many(rows)
            .on_conflict_do_nothing()
            .exec_without_returning(db)
            .await?;
        rows = rest;
    }
    Ok(())
}
