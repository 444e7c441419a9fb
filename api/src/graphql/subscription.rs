//! Subscriptions, over WebSocket at `/graphql/ws` (graphql-transport-ws),
//! authenticated by the token in the connection's init payload. Each event
//! is loaded through the subscriber's own row policy: a subscriber receives
//! only what it may see.

use async_graphql::{Context, Result, Subscription};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::guards::{Require, caller};
use super::query::db;
use super::types::{InternshipSlot, Placement};
use crate::events::{Event, EventBus};
use crate::policy::Scope;
use crate::services;

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

/// Every subscription of the API.
#[derive(Default)]
pub struct SubscriptionRoot;

/// Every subscription of the API: over WebSocket at `/graphql/ws`
/// (graphql-transport-ws), with the token in the connection's init payload.
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// A slot became open for proposals (posted open, or opened), among the
    /// slots the subscriber may see. Requires `slots:read`.
    #[graphql(guard = "Require::scope(Scope::SlotsRead)")]
    async fn slot_posted(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = InternshipSlot>> {
        let caller = caller(ctx)?.clone();
        let db = db(ctx)?.clone();
        let stream = events(ctx.data::<EventBus>()?);
        Ok(futures_util::StreamExt::filter_map(stream, move |event| {
            let (caller, db) = (caller.clone(), db.clone());
            async move {
                let Event::SlotPosted(id) = event else {
                    return None;
                };
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
    #[graphql(guard = "Require::scope(Scope::PlacementsRead)")]
    async fn placement_changed(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = Placement>> {
        let caller = caller(ctx)?.clone();
        let db = db(ctx)?.clone();
        let stream = events(ctx.data::<EventBus>()?);
        Ok(futures_util::StreamExt::filter_map(stream, move |event| {
            let (caller, db) = (caller.clone(), db.clone());
            async move {
                let Event::PlacementChanged(id) = event else {
                    return None;
                };
                services::placements::find_placement(&db, &caller, id)
                    .await
                    .ok()
                    .map(Placement)
            }
        }))
    }
}
