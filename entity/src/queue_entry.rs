//! A person in Portalen's intake queue at a site, known by a first name or
//! alias and the number they show.

use sea_orm::entity::prelude::*;

use crate::{QueueStatus, Site};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "queue_entry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub site: Site,
    /// The number the person shows, unique at the site.
    pub number: i32,
    /// A first name or alias; no papers needed.
    pub alias: String,
    /// A way to reach them, if they gave one (personal).
    pub contact: Option<String>,
    pub status: QueueStatus,
    /// The queue's order: when they joined, unless an administrator moved them.
    pub queued_at: DateTimeUtc,
    /// What they are offered (an intake session, a start date).
    pub offer: Option<String>,
    pub offer_expires_at: Option<DateTimeUtc>,
    /// Why an administrator last moved them.
    pub move_reason: Option<String>,
    /// The participant they became on accepting.
    pub participant_id: Option<Uuid>,
    /// The organisation whose staff added them.
    pub added_by: Uuid,
    /// When they left the queue (accepted, withdrew, or let an offer expire).
    pub left_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
