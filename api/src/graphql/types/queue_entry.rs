use async_graphql::{Context, ID, Object, Result};
use entity::queue_entry;

use super::Participant;
use crate::graphql::context::{db, loader_error, loaders};
use crate::graphql::enums::{QueueStatus, Site};
use crate::graphql::guards::Require;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::ParticipantById;
use crate::graphql::scalars::DateTime;
use crate::policy::Scope;
use crate::services;

/// A person in Portalen's intake queue at a site.
pub struct QueueEntry {
    row: queue_entry::Model,
    /// The place in line when the entry comes from a list of the line (no
    /// query per entry); `None` to ask the database.
    known_position: Option<Option<i32>>,
}

impl QueueEntry {
    /// An entry on its own (its position is asked for when selected).
    pub fn new(row: queue_entry::Model) -> Self {
        Self {
            row,
            known_position: None,
        }
    }

    /// An entry of a list of the line from its start, at `position`.
    pub fn in_line(row: queue_entry::Model, position: usize) -> Self {
        Self {
            row,
            known_position: Some(i32::try_from(position).ok()),
        }
    }
}

/// A person in Portalen's intake queue at a site.
#[Object]
impl QueueEntry {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::QueueEntry, self.row.id)
    }

    /// The site whose queue it is.
    async fn site(&self) -> Site {
        self.row.site.into()
    }

    /// The number the person shows, unique at the site.
    async fn number(&self) -> i32 {
        self.row.number
    }

    /// Their first name or alias.
    async fn alias(&self) -> &str {
        &self.row.alias
    }

    /// How to reach them, if they gave a way. Requires `participants:pii`.
    #[graphql(guard = "Require::scope(Scope::ParticipantsPii)")]
    async fn contact(&self) -> Option<&str> {
        self.row.contact.as_deref()
    }

    /// Where they stand.
    async fn status(&self) -> QueueStatus {
        self.row.status.into()
    }

    /// Their place in line (1 is next), while in line.
    async fn position(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        if let Some(known) = self.known_position {
            return Ok(known);
        }
        let position = services::queue::position(db(ctx)?, &self.row).await?;
        Ok(position.and_then(|p| i32::try_from(p).ok()))
    }

    /// The queue's order: when they joined, unless an administrator moved them.
    async fn queued_at(&self) -> DateTime {
        DateTime(self.row.queued_at)
    }

    /// Why an administrator last moved them.
    async fn move_reason(&self) -> Option<&str> {
        self.row.move_reason.as_deref()
    }

    /// The intake offered (a session, a start date).
    async fn offer(&self) -> Option<&str> {
        self.row.offer.as_deref()
    }

    /// Until when the offer stands.
    async fn offer_expires_at(&self) -> Option<DateTime> {
        self.row.offer_expires_at.map(DateTime)
    }

    /// The participant they became. Requires `participants:read`.
    #[graphql(guard = "Require::scope(Scope::ParticipantsRead)")]
    async fn participant(&self, ctx: &Context<'_>) -> Result<Option<Participant>> {
        let Some(id) = self.row.participant_id else {
            return Ok(None);
        };
        let row = loaders(ctx)?
            .load_one(ParticipantById(id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(Participant))
    }

    /// When they joined.
    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.row.updated_at)
    }

    /// When they left the line, if they did.
    async fn left_at(&self) -> Option<DateTime> {
        self.row.left_at.map(DateTime)
    }
}
