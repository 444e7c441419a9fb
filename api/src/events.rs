//! Domain events for subscriptions, and their fan-out.
//!
//! An event is published once its change has committed, never before: on
//! PostgreSQL it goes to a notifier task that sends it with `pg_notify` on
//! its own connection, to every API instance listening on the database, this
//! one included (several instances behind a load balancer all deliver every
//! event); on the embedded database (one process) it goes straight to the
//! in-process channel.
//!
//! Sending after the commit, from one task, keeps PostgreSQL's notification
//! queue lock out of the writers' transactions: inside them, every
//! committing writer waited on that one lock in turn. The price: an event
//! whose process stops between the commit and the send is lost (a
//! subscriber that reconnects reads the current state anyway).
//!
//! Events carry ids only. Each subscriber loads the row through its own row
//! policy, so it receives only what it may see.

use std::time::Duration;

use sea_orm::{DatabaseBackend, DatabaseConnection};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

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
    /// An activity session was scheduled, moved or cancelled.
    SessionChanged(Uuid),
    /// Attendance of a session was recorded or corrected (names or headcount).
    AttendanceRecorded(Uuid),
    /// A place on an activity was offered to the next on its waiting list.
    PlaceOffered(Uuid),
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

impl Announced for entity::activity_session::Model {
    fn announced(&self) -> Vec<Event> {
        vec![Event::SessionChanged(self.id)]
    }
}

/// The fan-out: publish into the database (PostgreSQL) or the process
/// (SQLite); subscribe from the process.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
    /// On PostgreSQL, the notifier task's queue.
    notifier: Option<tokio::sync::mpsc::Sender<Event>>,
}

/// Events queued for the notifier at most; past it, new ones are dropped
/// (and logged) rather than making writers wait.
const NOTIFIER_QUEUE: usize = 10_000;

impl EventBus {
    /// Starts the bus for `db`; on PostgreSQL, a task that listens on the
    /// shared channel (reconnecting by itself) and feeds local subscribers.
    pub fn start(db: &DatabaseConnection) -> Self {
        let (sender, _) = broadcast::channel(1024);
        let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
        let mut notifier = None;
        if postgres {
            let pool = db.get_postgres_connection_pool().clone();
            let (queue, events) = tokio::sync::mpsc::channel(NOTIFIER_QUEUE);
            tokio::spawn(notify(pool.clone(), events));
            notifier = Some(queue);
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
        Self { sender, notifier }
    }

    /// Publishes the events of a change that has committed: to every
    /// instance through the notifier (PostgreSQL), or to this process's
    /// subscribers (SQLite). Never waits.
    pub fn publish(&self, events: Vec<Event>) {
        for event in events {
            match &self.notifier {
                Some(queue) => {
                    if queue.try_send(event).is_err() {
                        tracing::warn!(
                            ?event,
                            "the event notifier is behind; an event was dropped"
                        );
                    }
                }
                // No subscriber is not an error.
                None => {
                    let _ = self.sender.send(event);
                }
            }
        }
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}

/// Sends queued events with `pg_notify`, a batch per statement, on its own
/// connection; reconnects by itself.
async fn notify(pool: sea_orm::sqlx::PgPool, mut events: tokio::sync::mpsc::Receiver<Event>) {
    let mut batch = Vec::new();
    while events.recv_many(&mut batch, 256).await > 0 {
        let payloads: Vec<String> = batch
            .drain(..)
            .filter_map(|event| serde_json::to_string(&event).ok())
            .collect();
        let sent = sea_orm::sqlx::query(
            "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload",
        )
        .bind(CHANNEL)
        .bind(&payloads)
        .execute(&pool)
        .await;
        if let Err(err) = sent {
            tracing::warn!(error = %err, events = payloads.len(), "failed to send events");
        }
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
