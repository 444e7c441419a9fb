//! Domain events for subscriptions, and their fan-out.
//!
//! On PostgreSQL an event is sent with `pg_notify` inside the transaction of
//! the change, so it is delivered exactly when (and only if) the change
//! commits, to every API instance listening on the database, this one
//! included: several instances behind a load balancer all deliver every
//! event. On the embedded database (one process) the event goes straight to
//! the in-process channel after the commit.
//!
//! Events carry ids only. Each subscriber loads the row through its own row
//! policy, so it receives only what it may see.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::services::{ServiceError, ServiceResult};

/// The PostgreSQL channel the instances share.
pub const CHANNEL: &str = "portalen_events";

/// Something subscribers may want to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id")]
pub enum Event {
    /// A slot became open for proposals.
    SlotPosted(Uuid),
    /// A placement was proposed or changed.
    PlacementChanged(Uuid),
}

/// A changed row that subscribers hear of: the events its change announces.
/// The unit of work publishes them when the change commits.
pub trait Announced {
    /// The events for this row as it now stands.
    fn announced(&self) -> Vec<Event>;
}

impl Announced for entity::placement::Model {
    fn announced(&self) -> Vec<Event> {
        vec![Event::PlacementChanged(self.id)]
    }
}

impl Announced for entity::internship_slot::Model {
    /// A slot is announced when it is open for proposals.
    fn announced(&self) -> Vec<Event> {
        if self.status == entity::SlotStatus::Open {
            vec![Event::SlotPosted(self.id)]
        } else {
            Vec::new()
        }
    }
}

/// The fan-out: publish into the database (PostgreSQL) or the process
/// (SQLite); subscribe from the process.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
    postgres: bool,
}

impl EventBus {
    /// Starts the bus for `db`; on PostgreSQL, a task that listens on the
    /// shared channel (reconnecting by itself) and feeds local subscribers.
    pub fn start(db: &DatabaseConnection) -> Self {
        let (sender, _) = broadcast::channel(1024);
        let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
        if postgres {
            let pool = db.get_postgres_connection_pool().clone();
            let sender = sender.clone();
            tokio::spawn(async move {
                loop {
                    match listen(&pool, &sender).await {
                        Ok(()) => return,
                        Err(err) => {
                            tracing::warn!(error = %err, "event listener lost; reconnecting");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                }
            });
        }
        Self { sender, postgres }
    }

    /// Publishes `events` as part of the transaction `txn` is in (PostgreSQL);
    /// returns those to send after the commit (SQLite).
    pub async fn publish_in<C: ConnectionTrait>(
        &self,
        txn: &C,
        events: Vec<Event>,
    ) -> ServiceResult<Vec<Event>> {
        if !self.postgres {
            return Ok(events);
        }
        for event in events {
            let payload = serde_json::to_string(&event).unwrap_or_default();
            txn.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            ))
            .await
            .map_err(ServiceError::database("failed to publish an event"))?;
        }
        Ok(Vec::new())
    }

    /// Sends events to this process's subscribers (after a commit).
    pub fn send_local(&self, events: Vec<Event>) {
        for event in events {
            // No subscriber is not an error.
            let _ = self.sender.send(event);
        }
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}

async fn listen(
    pool: &sea_orm::sqlx::PgPool,
    sender: &broadcast::Sender<Event>,
) -> Result<(), sea_orm::sqlx::Error> {
    let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    loop {
        let notification = listener.recv().await?;
        match serde_json::from_str::<Event>(notification.payload()) {
            Ok(event) => {
                let _ = sender.send(event);
            }
            Err(err) => tracing::warn!(error = %err, "ignored a malformed event"),
        }
    }
}
