//! Subscriptions, over WebSocket at `/graphql/ws` (graphql-transport-ws),
//! authenticated by the token in the connection's init payload. Each event
//! is loaded through the subscriber's own row policy: a subscriber receives
//! only what it may see.

use crate::policy::reads::Kind;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Context, Result, Subscription};
use futures_util::Stream;
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

use crate::auth::Claims;
use crate::events::{Event, EventBus};
use crate::graphql::context::caller;
use crate::graphql::context::db;
use crate::graphql::guards::Require;
use crate::graphql::types::{ActivitySession, InternshipSlot, Placement, Registration};
use crate::policy::Caller;
use crate::services::{self, ServiceError};

/// How often an open socket's caller is checked again between events.
pub const RECHECK_EVERY: Duration = Duration::from_secs(15);

/// graphql-ws close codes (and one of ours for an empty budget).
pub mod close_code {
    /// The token was refused, expired, or no longer stands for its caller.
    pub const UNAUTHORIZED: u16 = 4401;
    /// The caller lost a scope it had when the socket opened.
    pub const FORBIDDEN: u16 = 4403;
    /// The organisation's rate-limit budget is spent; retry later.
    pub const RATE_LIMITED: u16 = 4429;
    /// The audit trail could not be written: nothing personal is sent.
    pub const INTERNAL: u16 = 1011;
}

/// Why the server closes a socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    /// The WebSocket close code.
    pub code: u16,
    /// Said to the client with it.
    pub reason: String,
}

/// The caller of one socket, as its token stands now; shared by the
/// connection's resolvers and the loop that owns the socket.
pub struct LiveCaller {
    db: DatabaseConnection,
    claims: Claims,
    /// The caller as it was when the socket opened; events are delivered
    /// only while the caller is still exactly this.
    opened_as: Caller,
    closing: watch::Sender<Option<Closing>>,
}

impl LiveCaller {
    /// The caller of a socket that opened as `caller` with `claims`; a
    /// change closes it through `closing`.
    pub fn new(
        db: DatabaseConnection,
        claims: Claims,
        caller: Caller,
        closing: watch::Sender<Option<Closing>>,
    ) -> Self {
        Self {
            db,
            claims,
            opened_as: caller,
            closing,
        }
    }

    /// The caller as the socket opened.
    pub fn caller(&self) -> &Caller {
        &self.opened_as
    }

    /// When the token expires (seconds since the epoch).
    pub fn expires_at(&self) -> i64 {
        self.claims.exp
    }

    /// Checks the caller again, as an HTTP request with this token would be
    /// checked now. On any change it closes the socket and answers `false`.
    pub async fn still_authorized(&self) -> bool {
        let now = chrono::Utc::now().timestamp();
        if now >= self.claims.exp {
            self.close(close_code::UNAUTHORIZED, "the token has expired");
            return false;
        }
        match services::callers::authenticate(&self.db, &self.claims).await {
            Ok(current) if current == self.opened_as => true,
            Ok(current) if !self.opened_as.scopes.is_subset(&current.scopes) => {
                self.close(
                    close_code::FORBIDDEN,
                    "the organisation's grant no longer covers this token's scopes",
                );
                false
            }
            Ok(_) => {
                self.close(close_code::UNAUTHORIZED, "the token's caller has changed");
                false
            }
            Err(ServiceError::Unauthenticated { reason }) => {
                self.close(close_code::UNAUTHORIZED, &reason);
                false
            }
            Err(err) => {
                tracing::warn!(error = ?err, "could not check a subscriber's token; closing");
                self.close(close_code::INTERNAL, "the token could not be checked");
                false
            }
        }
    }

    fn close(&self, code: u16, reason: &str) {
        self.closing.send_if_modified(|closing| {
            if closing.is_some() {
                return false;
            }
            *closing = Some(Closing {
                code,
                reason: reason.to_owned(),
            });
            true
        });
    }
}

/// Every event from now on, as a stream, skipping over any the subscriber
/// was too slow to receive.
fn events(bus: &EventBus) -> impl Stream<Item = Event> + use<> {
    futures_util::stream::unfold(bus.subscribe(), |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(event) => return Some((event, receiver)),
                Err(RecvError::Lagged(skipped)) => {
                    tracing::warn!(skipped, "a subscriber fell behind; events skipped");
                }
                Err(RecvError::Closed) => return None,
            }
        }
    })
}

/// Whether an event may be resolved for the socket's caller now: checked
/// as an HTTP request would be (a socket without a live caller, as in
/// in-process tests of the schema, has nothing to recheck).
async fn authorized(live: Option<&LiveCaller>) -> bool {
    match live {
        Some(live) => live.still_authorized().await,
        None => true,
    }
}

/// Every subscription of the API.
#[derive(Default)]
pub struct SubscriptionRoot;

/// Every subscription of the API: over WebSocket at `/graphql/ws`
/// (graphql-transport-ws), with the token in the connection's init payload.
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// A slot became open for proposals (posted open, or opened), among the
    /// slots the subscriber may see. Requires `slots:read`.
    #[graphql(guard = "Require::read(Kind::InternshipSlot)")]
    async fn slot_posted(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = InternshipSlot>> {
        let caller = caller(ctx)?.clone();
        let db = db(ctx)?.clone();
        let live = ctx.data_opt::<Arc<LiveCaller>>().cloned();
        let stream = events(ctx.data::<EventBus>()?);
        Ok(futures_util::StreamExt::filter_map(stream, move |event| {
            let (caller, db, live) = (caller.clone(), db.clone(), live.clone());
            async move {
                let Event::SlotPosted(id) = event else {
                    return None;
                };
                if !authorized(live.as_deref()).await {
                    return None;
                }
                services::slots::find_slot(&db, &caller, id)
                    .await
                    .ok()
                    .map(InternshipSlot)
            }
        }))
    }

    /// A placement the subscriber may see was proposed or changed (accepted,
    /// declined, started, completed, cancelled, rescheduled). Requires
    /// `placements:read`.
    #[graphql(guard = "Require::read(Kind::Placement)")]
    async fn placement_changed(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = Placement>> {
        let caller = caller(ctx)?.clone();
        let db = db(ctx)?.clone();
        let live = ctx.data_opt::<Arc<LiveCaller>>().cloned();
        let stream = events(ctx.data::<EventBus>()?);
        Ok(futures_util::StreamExt::filter_map(stream, move |event| {
            let (caller, db, live) = (caller.clone(), db.clone(), live.clone());
            async move {
                let Event::PlacementChanged(id) = event else {
                    return None;
                };
                if !authorized(live.as_deref()).await {
                    return None;
                }
                services::placements::find_placement(&db, &caller, id)
                    .await
                    .ok()
                    .map(Placement)
            }
        }))
    }

    /// A session the subscriber may see was scheduled, moved or cancelled.
    /// Requires `activities:read`.
    #[graphql(guard = "Require::read(Kind::ActivitySession)")]
    async fn session_changed(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = ActivitySession>> {
        sessions_on(ctx, |event| match event {
            Event::SessionChanged(id) => Some(id),
            _ => None,
        })
    }

    /// Attendance of a session was recorded or corrected (names or the
    /// headcount); the session comes with its counts, and its names as the
    /// subscriber may see them. Requires `activities:read`.
    #[graphql(guard = "Require::read(Kind::ActivitySession)")]
    async fn attendance_recorded(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = ActivitySession>> {
        sessions_on(ctx, |event| match event {
            Event::AttendanceRecorded(id) => Some(id),
            _ => None,
        })
    }

    /// A place on an activity was offered to the next on its waiting list,
    /// for sign-ups the subscriber may see (a participant: their own).
    /// Requires `participants:read`.
    #[graphql(guard = "Require::read(Kind::Registration)")]
    async fn place_offered(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = Registration>> {
        let caller = caller(ctx)?.clone();
        let db = db(ctx)?.clone();
        let live = ctx.data_opt::<Arc<LiveCaller>>().cloned();
        let stream = events(ctx.data::<EventBus>()?);
        Ok(futures_util::StreamExt::filter_map(stream, move |event| {
            let (caller, db, live) = (caller.clone(), db.clone(), live.clone());
            async move {
                let Event::PlaceOffered(id) = event else {
                    return None;
                };
                if !authorized(live.as_deref()).await {
                    return None;
                }
                services::registrations::find_registration(&db, &caller, id)
                    .await
                    .ok()
                    .map(Registration)
            }
        }))
    }
}

/// The sessions the events `pick` names, loaded through the subscriber's
/// row policy.
fn sessions_on(
    ctx: &Context<'_>,
    pick: fn(Event) -> Option<uuid::Uuid>,
) -> Result<impl Stream<Item = ActivitySession> + use<>> {
    let caller = caller(ctx)?.clone();
    let db = db(ctx)?.clone();
    let live = ctx.data_opt::<Arc<LiveCaller>>().cloned();
    let stream = events(ctx.data::<EventBus>()?);
    Ok(futures_util::StreamExt::filter_map(stream, move |event| {
        let (caller, db, live) = (caller.clone(), db.clone(), live.clone());
        async move {
            let id = pick(event)?;
            if !authorized(live.as_deref()).await {
                return None;
            }
            services::activity_sessions::load_sessions(&db, &caller, &[id])
                .await
                .ok()?
                .remove(&id)
                .map(ActivitySession)
        }
    }))
}
