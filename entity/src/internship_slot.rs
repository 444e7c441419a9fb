//! A place an employer offers: an internship (praktik), a job, a training place
//! or a study visit.

use sea_orm::entity::prelude::*;

use crate::{OpportunityKind, Site, SlotStatus, SwedishLevel};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "internship_slot")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub employer_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub kind: OpportunityKind,
    /// How many participants the slot takes.
    pub places: i32,
    pub site: Option<Site>,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub required_swedish_level: Option<SwedishLevel>,
    pub status: SlotStatus,
    /// Optimistic-concurrency version, bumped on every change.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "employer_id", to = "id")]
    pub employer: BelongsTo<super::employer::Entity>,
    #[sea_orm(has_many)]
    pub skills: HasMany<super::slot_skill::Entity>,
    #[sea_orm(has_many)]
    pub placements: HasMany<super::placement::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
