//! Something Portalen does, once or weekly: a language café, Swedish
//! practice, a course, a study visit at an employer, ...

use sea_orm::entity::prelude::*;

use crate::{ActivityKind, Site};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: ActivityKind,
    pub title: String,
    pub description: Option<String>,
    /// The partner organisation that organises it.
    pub organiser_id: Uuid,
    /// The employer a study visit goes to.
    pub employer_id: Option<Uuid>,
    /// The Portalen site it is held at, if at one.
    pub site: Option<Site>,
    /// Where else it is held (an employer's address, a hall), if not at a site.
    pub place: Option<String>,
    /// Who it is for, if not everyone (e.g. women, newly arrived).
    pub target_group: Option<String>,
    /// How many may take part, if limited.
    pub capacity: Option<i32>,
    /// Whether taking part needs a registration (most activities: no).
    pub registration_required: bool,
    /// Places held (registered, or offered to the first in line); never
    /// more than `capacity`.
    pub places_taken: i32,
    /// How long an offered place waits for its answer.
    pub offer_hours: i32,
    /// The weekly rule its sessions were made from, as JSON, if recurring.
    pub weekly_rule: Option<String>,
    /// Optimistic-concurrency version, bumped on every change.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "organiser_id", to = "id")]
    pub organiser: BelongsTo<super::partner_organisation::Entity>,
    #[sea_orm(belongs_to, from = "employer_id", to = "id")]
    pub employer: HasOne<super::employer::Entity>,
    #[sea_orm(has_many)]
    pub languages: HasMany<super::activity_language::Entity>,
    #[sea_orm(has_many)]
    pub sessions: HasMany<super::activity_session::Entity>,
    #[sea_orm(has_many)]
    pub registrations: HasMany<super::registration::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
