//! `GET /graphql/ws`: subscriptions over WebSocket (graphql-transport-ws,
//! and the older subscriptions-transport-ws), held to the same rules as an
//! HTTP request for as long as the socket is open.
//!
//! async-graphql runs the protocol; this module owns the socket around it:
//! - `connection_init` carries the token (`{"token": "..."}` or
//!   `{"Authorization": "Bearer ..."}`); a refused token closes the socket
//!   with `4401 Unauthorized` (graphql-ws's code, so clients fetch a new
//!   token), not the library's `1002`.
//! - The socket closes with `4401` when the token expires, and when the
//!   caller is no longer who the token was (organisation suspended, API
//!   client revoked); with `4403 Forbidden` when the organisation's grant no
//!   longer covers a scope the token had. The caller is checked again before
//!   every event is delivered and every [`RECHECK_EVERY`] in between, so an
//!   event is only ever resolved for a caller whose access is what it was.
//! - Every event is resolved with the row policy and field rules of the
//!   caller (loaders without a cache, so a revoked consent hides a row at
//!   once), and the personal fields it shows are written to the audit trail
//!   before it is sent (no write, no event: the socket closes with `1011`).
//! - Events and client messages draw on the organisation's rate-limit
//!   budget, one point each; an empty budget closes the socket with `4429`.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::header::{HeaderValue, SEC_WEBSOCKET_PROTOCOL};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Message};
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use futures_util::StreamExt;
use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, watch};

use super::auth::AuthState;
use crate::graphql::context::PersonalReads;
use crate::graphql::domains::subscriptions::{Closing, LiveCaller, RECHECK_EVERY, close_code};
use crate::graphql::{AppSchema, loaders};
use crate::ratelimit::{Budget, Key, RateLimits};
use crate::services::{self, ServiceError, audit::Actor};

/// What `connection_init` established, read by the loop once it is done.
#[derive(Default)]
struct Established {
    live: Option<Arc<LiveCaller>>,
    reads: Option<PersonalReads>,
    budget: Option<Budget>,
    /// Set when `connection_init` was refused: the close code to use.
    refused: Option<u16>,
}

/// `GET /graphql/ws`.
pub async fn subscriptions(
    req: HttpRequest,
    payload: web::Payload,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    auth: web::Data<AuthState>,
) -> actix_web::Result<HttpResponse> {
    let protocol = req
        .headers()
        .get(SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
        })
        .ok_or_else(|| {
            actix_web::error::ErrorBadRequest(
                "ask for the graphql-transport-ws sub-protocol (Sec-WebSocket-Protocol)",
            )
        })?;
    let rate_limits = req.app_data::<web::Data<RateLimits>>().cloned();
    let (mut response, session, messages) = actix_ws::handle(&req, payload)?;
    response.headers_mut().insert(
        SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(protocol.sec_websocket_protocol()),
    );
    let connection = Connection {
        schema: AppSchema::clone(&schema),
        db: db.get_ref().clone(),
        auth: auth.into_inner(),
        rate_limits: rate_limits.map(|r| r.into_inner()),
        protocol,
    };
    actix_web::rt::spawn(connection.serve(session, messages));
    Ok(response)
}

struct Connection {
    schema: AppSchema,
    db: DatabaseConnection,
    auth: Arc<AuthState>,
    rate_limits: Option<Arc<RateLimits>>,
    protocol: WebSocketProtocols,
}

/// The token in a `connection_init` payload.
fn token_of(init: &serde_json::Value) -> Option<String> {
    init.get("token")
        .and_then(|t| t.as_str())
        .map(str::to_owned)
        .or_else(|| {
            init.get("Authorization")
                .or_else(|| init.get("authorization"))
                .and_then(|t| t.as_str())
                .and_then(|t| t.strip_prefix("Bearer "))
                .map(str::to_owned)
        })
}

impl Connection {
    async fn serve(self, mut session: actix_ws::Session, mut messages: actix_ws::MessageStream) {
        let (closing, mut closed) = watch::channel::<Option<Closing>>(None);
        let established = Arc::new(Mutex::new(Established::default()));
        let (to_protocol, from_client) = mpsc::unbounded_channel::<Vec<u8>>();
        let client = Box::pin(futures_util::stream::unfold(
            from_client,
            |mut rx| async move { rx.recv().await.map(|message| (message, rx)) },
        ));
        let init = {
            let (db, auth, established, closing) = (
                self.db.clone(),
                self.auth.clone(),
                established.clone(),
                closing.clone(),
            );
            let rate_limits = self.rate_limits.clone();
            move |payload: serde_json::Value| async move {
                let refuse = |message: &str| {
                    if let Ok(mut e) = established.lock() {
                        e.refused = Some(close_code::UNAUTHORIZED);
                    }
                    async_graphql::Error::new(message)
                };
                let token =
                    token_of(&payload).ok_or_else(|| refuse("the init payload needs a token"))?;
                let claims = crate::auth::token::verify(&auth.keys, &auth.tokens, &token)
                    .map_err(|e| refuse(&e.to_string()))?;
                let caller = match services::callers::authenticate(&db, &claims).await {
                    Ok(caller) => caller,
                    Err(ServiceError::Unauthenticated { reason }) => return Err(refuse(&reason)),
                    Err(err) => {
                        tracing::warn!(error = ?err, "could not check a subscriber's token");
                        return Err(refuse("the token could not be checked; retry"));
                    }
                };
                let budget = rate_limits
                    .as_ref()
                    .and_then(|r| r.budget(Key::Organisation(caller.organisation_slug.clone())));
                let live = Arc::new(LiveCaller::new(db.clone(), claims, caller.clone(), closing));
                let reads = PersonalReads::default();
                let mut data = async_graphql::Data::default();
                // No batching window: one event's fields load at once, and
                // no cache, so every event reads the rows as they are now.
                data.insert(loaders::for_request(
                    db.clone(),
                    Some(caller.clone()),
                    Duration::ZERO,
                ));
                data.insert(caller);
                data.insert(live.clone());
                data.insert(reads.clone());
                if let Ok(mut e) = established.lock() {
                    e.live = Some(live);
                    e.reads = Some(reads);
                    e.budget = budget;
                }
                Ok(data)
            }
        };
        let mut protocol = Box::pin(
            WebSocket::new(self.schema.clone(), client, self.protocol)
                .on_connection_init(init)
                .keepalive_timeout(None),
        );
        let mut recheck = tokio::time::interval(RECHECK_EVERY);
        recheck.tick().await;
        let outcome: Option<Closing> = loop {
            let expiry = established
                .lock()
                .ok()
                .and_then(|e| e.live.as_ref().map(|l| l.expires_at()));
            let until_expiry = expiry.map(|exp| {
                let left = exp.saturating_sub(chrono::Utc::now().timestamp());
                Duration::from_secs(u64::try_from(left).unwrap_or(0))
            });
            tokio::select! {
                message = messages.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        if !self.charge(&established) {
                            break Some(rate_limited());
                        }
                        if to_protocol.send(text.as_bytes().to_vec()).is_err() {
                            break None;
                        }
                    }
                    Some(Ok(Message::Binary(bytes))) => {
                        if to_protocol.send(bytes.to_vec()).is_err() {
                            break None;
                        }
                    }
                    Some(Ok(Message::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() {
                            break None;
                        }
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break None,
                    Some(Ok(_)) => {}
                },
                out = protocol.next() => match out {
                    Some(WsMessage::Text(text)) => {
                        if let Err(closing) = self.before_sending(&established, &text).await {
                            break Some(closing);
                        }
                        if session.text(text).await.is_err() {
                            break None;
                        }
                    }
                    Some(WsMessage::Close(code, reason)) => {
                        let refused = established.lock().ok().and_then(|e| e.refused);
                        break Some(Closing { code: refused.unwrap_or(code), reason });
                    }
                    None => break None,
                },
                _ = closed.changed() => {
                    break closed.borrow().clone();
                }
                _ = tokio::time::sleep(until_expiry.unwrap_or(Duration::from_secs(3600))), if until_expiry.is_some() => {
                    break Some(Closing {
                        code: close_code::UNAUTHORIZED,
                        reason: "the token has expired".to_owned(),
                    });
                }
                _ = recheck.tick() => {
                    let live = established.lock().ok().and_then(|e| e.live.clone());
                    if let Some(live) = live && !live.still_authorized().await {
                        break closed.borrow().clone();
                    }
                }
            }
        };
        let reason = outcome.map(|c| CloseReason {
            code: CloseCode::Other(c.code),
            description: Some(c.reason),
        });
        let _ = session.close(reason).await;
    }

    /// One point of the organisation's budget; `false` when it is spent.
    fn charge(&self, established: &Mutex<Established>) -> bool {
        let budget = established.lock().ok().and_then(|e| e.budget.clone());
        budget.is_none_or(|b| b.charge(1).retry_after.is_none())
    }

    /// Before an event leaves: the caller checked again, a point charged,
    /// and the personal fields it shows written to the audit trail.
    async fn before_sending(
        &self,
        established: &Mutex<Established>,
        text: &str,
    ) -> Result<(), Closing> {
        if !text.contains("\"next\"") && !text.contains("\"data\"") {
            return Ok(());
        }
        let (live, reads) = match established.lock() {
            Ok(e) => (e.live.clone(), e.reads.clone()),
            Err(_) => (None, None),
        };
        let (Some(live), Some(reads)) = (live, reads) else {
            return Ok(());
        };
        if !self.charge(established) {
            return Err(rate_limited());
        }
        let events = reads.drain_events(Some("subscription"));
        if events.is_empty() {
            return Ok(());
        }
        let actor = Actor::caller(live.caller(), None);
        crate::services::audit::record(&self.db, &actor, events)
            .await
            .map_err(|err| {
                tracing::error!(error = ?err, "could not audit a subscription event's personal reads");
                Closing {
                    code: close_code::INTERNAL,
                    reason: "the event could not be audited".to_owned(),
                }
            })
    }
}

fn rate_limited() -> Closing {
    Closing {
        code: close_code::RATE_LIMITED,
        reason: "the organisation's rate limit is spent; reconnect later".to_owned(),
    }
}
