//! A participant at an employer, optionally through a slot, followed by one
//! responsible partner organisation from proposal to outcome.

use sea_orm::entity::prelude::*;

use crate::{OpportunityKind, PlacementOutcome, PlacementStatus};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "placement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub participant_id: Uuid,
    pub employer_id: Uuid,
    pub slot_id: Option<Uuid>,
    /// The partner organisation that follows this placement.
    pub responsible_partner_id: Uuid,
    /// The mentor who supports the participant during the placement, if any.
    pub mentor_id: Option<Uuid>,
    pub kind: OpportunityKind,
    pub status: PlacementStatus,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub outcome: Option<PlacementOutcome>,
    /// Optimistic-concurrency version, bumped on every change.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "participant_id", to = "id")]
    pub participant: BelongsTo<super::participant::Entity>,
    #[sea_orm(belongs_to, from = "employer_id", to = "id")]
    pub employer: BelongsTo<super::employer::Entity>,
    #[sea_orm(belongs_to, from = "slot_id", to = "id")]
    pub slot: HasOne<super::internship_slot::Entity>,
    #[sea_orm(belongs_to, from = "responsible_partner_id", to = "id")]
    pub responsible_partner: BelongsTo<super::partner_organisation::Entity>,
    #[sea_orm(belongs_to, from = "mentor_id", to = "id")]
    pub mentor: HasOne<super::mentor::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
