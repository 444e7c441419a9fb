//! Signing people in: the settings and the shared state of the three ways
//! (a partner's identity provider, a one-time code by e-mail, a refresh
//! token), and the mailer that sends one-time codes.
//!
//! A code request is answered at once and identically whether or not the
//! address is known (no account enumeration): the request only hands the
//! address to the mailer's queue, and the mailer, off the request, looks the
//! person up, stores a new code in a unit of work and sends it.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;

use crate::auth::federation::ProviderKeys;
use crate::services::audit::Actor;
use crate::services::sessions::SessionSettings;
use crate::services::{one_time_codes, people};
use crate::unit_of_work::{UnitOfWork, Work};

/// How people sign in.
#[derive(Debug, Clone)]
pub struct SignInSettings {
    /// Where one-time codes are sent from: `smtp://host:port` (STARTTLS
    /// with `?tls=required`) or `smtps://user:password@host`. Without it,
    /// sign-in by code is off.
    pub smtp_url: Option<String>,
    /// The sender of the codes.
    pub mail_from: String,
    /// How long a code is valid.
    pub code_ttl: Duration,
    /// Codes one address may be sent per hour.
    pub codes_per_address_per_hour: NonZeroU32,
    /// Code requests and code attempts one client address may make per
    /// hour.
    pub code_requests_per_client_per_hour: NonZeroU32,
    /// Lifetimes of people's tokens and sessions.
    pub sessions: SessionSettings,
    /// The least time between two fetches of a provider's keys.
    pub provider_keys_refetch_after: Duration,
}

impl Default for SignInSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            mail_from: "Portalen <no-reply@portalen.invalid>".to_owned(),
            code_ttl: Duration::from_secs(600),
            codes_per_address_per_hour: NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN),
            code_requests_per_client_per_hour: NonZeroU32::new(60).unwrap_or(NonZeroU32::MIN),
            sessions: SessionSettings::default(),
            provider_keys_refetch_after: Duration::from_secs(60),
        }
    }
}

/// A request for a code, queued for the mailer.
#[derive(Debug)]
struct CodeRequest {
    email: String,
    request_id: String,
}

/// The sign-in state a server shares between its workers.
pub struct SignIn {
    pub settings: SignInSettings,
    /// Identity providers' keys, as last fetched.
    pub provider_keys: ProviderKeys,
    mailer: Option<mpsc::Sender<CodeRequest>>,
    per_address: DefaultKeyedRateLimiter<String>,
    per_client: DefaultKeyedRateLimiter<IpAddr>,
}

/// Why a code request or attempt was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    /// Sign-in by code is not configured (no SMTP server).
    Off,
    /// Too many requests from this client address or for this address.
    TooMany,
}

impl SignIn {
    /// The sign-in state, and, with an SMTP server configured, the mailer
    /// running on `db`.
    pub fn start(db: &DatabaseConnection, settings: SignInSettings) -> anyhow::Result<Arc<Self>> {
        let mailer = match &settings.smtp_url {
            None => None,
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL is not a valid SMTP URL: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build();
                let from: Mailbox = settings
                    .mail_from
                    .parse()
                    .map_err(|e| anyhow::anyhow!("MAIL_FROM is not a mailbox: {e}"))?;
                let (sender, receiver) = mpsc::channel(1024);
                tokio::spawn(run_mailer(
                    db.clone(),
                    transport,
                    from,
                    settings.code_ttl,
                    receiver,
                ));
                Some(sender)
            }
        };
        Ok(Arc::new(Self {
            provider_keys: ProviderKeys::new(settings.provider_keys_refetch_after),
            per_address: RateLimiter::keyed(Quota::per_hour(settings.codes_per_address_per_hour)),
            per_client: RateLimiter::keyed(Quota::per_hour(
                settings.code_requests_per_client_per_hour,
            )),
            mailer,
            settings,
        }))
    }

    /// Whether a client address may make one more code request or attempt.
    pub fn allow_client(&self, client: Option<IpAddr>) -> bool {
        if self.per_client.len() > 100_000 {
            self.per_client.retain_recent();
        }
        client.is_none_or(|client| self.per_client.check_key(&client).is_ok())
    }

    /// Queues a code for `email` (already checked and lower-cased), if the
    /// address's budget allows. Known or not, the answer is the same.
    pub fn request_code(&self, email: String, request_id: String) -> Result<(), CodeRefusal> {
        let Some(mailer) = &self.mailer else {
            return Err(CodeRefusal::Off);
        };
        if self.per_address.len() > 100_000 {
            self.per_address.retain_recent();
        }
        if self.per_address.check_key(&email).is_err() {
            return Err(CodeRefusal::TooMany);
        }
        if mailer.try_send(CodeRequest { email, request_id }).is_err() {
            tracing::warn!("the code mailer's queue is full; a code request was dropped");
            return Err(CodeRefusal::TooMany);
        }
        Ok(())
    }

    /// Whether sign-in by code is on.
    pub fn codes_enabled(&self) -> bool {
        self.mailer.is_some()
    }
}

async fn run_mailer(
    db: DatabaseConnection,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    ttl: Duration,
    mut requests: mpsc::Receiver<CodeRequest>,
) {
    use tracing::Instrument;
    while let Some(request) = requests.recv().await {
        let span = tracing::info_span!("one-time code", request_id = %request.request_id);
        let sent = send_code(&db, &transport, &from, ttl, &request)
            .instrument(span)
            .await;
        if let Err(err) = sent {
            tracing::warn!(request_id = %request.request_id, error = %err, "failed to send a one-time code");
        }
    }
}

async fn send_code(
    db: &DatabaseConnection,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    ttl: Duration,
    request: &CodeRequest,
) -> anyhow::Result<()> {
    let person = people::find_person_by_email(db, &request.email)
        .await
        .map_err(|_| anyhow::anyhow!("failed to look up the address"))?;
    let Some(person) = person else {
        tracing::info!(request_id = %request.request_id, "a code was asked for an unknown address; nothing sent");
        return Ok(());
    };
    let actor = Actor {
        subject: format!("person:{}", person.id),
        organisation_id: None,
        role: None,
        request_id: Some(request.request_id.clone()),
    };
    let unit = UnitOfWork::begin(db, Work::new(actor, "one-time code issued"))
        .await
        .map_err(|_| anyhow::anyhow!("failed to begin"))?;
    let issued = one_time_codes::issue(unit.txn(), person.id, ttl).await;
    let issued = unit
        .finish_with(issued, |_| ("person", person.id))
        .await
        .map_err(|_| anyhow::anyhow!("failed to store the code"))?;
    let to: Mailbox = person
        .email
        .parse()
        .map_err(|e| anyhow::anyhow!("the stored address is not a mailbox: {e}"))?;
    let minutes = ttl.as_secs() / 60;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject("Your Portalen sign-in code")
        .body(format!(
            "Hello {name},\n\nyour code to sign in to Portalen is\n\n    {code}\n\n\
             It works once, for {minutes} minutes. If you did not ask for it, \
             you can ignore this message.\n",
            name = person.name,
            code = issued.code,
        ))
        .map_err(|e| anyhow::anyhow!("could not write the message: {e}"))?;
    transport
        .send(message)
        .await
        .map_err(|e| anyhow::anyhow!("the SMTP server refused: {e}"))?;
    tracing::info!(request_id = %request.request_id, "sent a one-time code");
    Ok(())
}
