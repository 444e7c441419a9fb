//! Configuration, from flags and the environment (flags win), checked once at
//! start so that a bad value stops the process with a clear message.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The command line of the `portalen` binary.
#[derive(Debug, Parser)]
#[command(
    name = "portalen",
    version,
    about = "The Portalen partner-network GraphQL API"
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Serve options, for `portalen` with no subcommand.
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// What the binary does.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API (the default).
    Serve(ServeArgs),
    /// Apply pending migrations and exit.
    Migrate,
    /// Load the demo network or a generated data set.
    Seed(SeedArgs),
    /// Print the GraphQL schema (SDL) and exit.
    Schema,
    /// Mint an access token with the configured key, for local use and scripts.
    Token(TokenArgs),
    /// Manage API clients of partner systems.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Data retention: anonymise participants inactive for too long.
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// End the offers of places on waiting lists that were not answered in
    /// time, and offer each place to the next in line (run it every few
    /// minutes, e.g. from cron). Prints how many expired, as JSON.
    ExpireOffers,
}

/// `portalen retention ...`.
#[derive(Debug, Clone, Subcommand)]
pub enum RetentionCommand {
    /// Anonymise participants who are inactive, unchanged for the retention
    /// period, and with no open placement or current mentorship. Prints what
    /// it did (or, with `--dry-run`, what it would do) as JSON.
    Run(RetentionArgs),
}

/// Options of `portalen retention run`.
#[derive(Debug, Clone, Args)]
pub struct RetentionArgs {
    /// Show who would be anonymised, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The retention period in days.
    #[arg(long, env = "RETENTION_DAYS", default_value_t = 730, value_parser = clap::value_parser!(u32).range(30..=3650))]
    pub days: u32,
}

/// Options of `portalen token`.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// The partner organisation's slug (the token's `org`).
    #[arg(long)]
    pub partner: String,
    /// administrator, partner, employer, mentor or participant.
    #[arg(long)]
    pub role: crate::policy::Role,
    /// Scopes, comma- or space-separated; default: the organisation's whole grant.
    #[arg(long, value_delimiter = ',')]
    pub scopes: Vec<String>,
    /// Lifetime: seconds, or a duration such as `15m` or `1h` (at most a day).
    #[arg(long, default_value = "3600", value_parser = seconds_between::<1, 86_400>)]
    pub ttl: u64,
    /// The token's subject. Required for employer, mentor and participant
    /// (`employer:<uuid>`, ...); default `cli` for the others.
    #[arg(long)]
    pub subject: Option<String>,
}

/// `portalen client ...`.
#[derive(Debug, Clone, Subcommand)]
pub enum ClientCommand {
    /// Create an API client; prints its id and secret (shown once).
    Create(ClientCreateArgs),
}

/// Options of `portalen client create`.
#[derive(Debug, Clone, Args)]
pub struct ClientCreateArgs {
    /// The partner organisation's slug.
    #[arg(long)]
    pub partner: String,
    /// What the client is for.
    #[arg(long, default_value = "Partner system")]
    pub name: String,
    /// partner or administrator.
    #[arg(long, default_value = "partner")]
    pub role: crate::policy::Role,
    /// The most it may ask for, comma-separated; default: the whole grant.
    #[arg(long, value_delimiter = ',')]
    pub scopes: Vec<String>,
}

/// Options every subcommand shares.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Database to use, `postgres://...` or `sqlite://...`. Unset: an embedded
    /// SQLite database in the data directory.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where the embedded database (and, later, development keys) are kept.
    #[arg(long, env = "PORTALEN_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Most open database connections.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 20, global = true,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub database_max_connections: u32,
    /// How long to wait for a free database connection before failing:
    /// seconds, or a duration such as `1m`.
    #[arg(long, env = "DATABASE_ACQUIRE_TIMEOUT", default_value = "5", global = true,
          value_parser = seconds_between::<1, 300>)]
    pub database_acquire_timeout: u64,
    /// Seconds one SQL statement may run on PostgreSQL before it is
    /// cancelled; 0 for no limit.
    #[arg(long, env = "DATABASE_STATEMENT_TIMEOUT", default_value = "15", global = true,
          value_parser = seconds_between::<0, 3600>)]
    pub database_statement_timeout: u64,
    /// The Ed25519 private key (PKCS#8 PEM, a path or the PEM itself) that
    /// signs access tokens. Unset: a development key kept in the data directory.
    #[arg(long, env = "JWT_SIGNING_KEY", global = true, hide_env_values = true)]
    pub jwt_signing_key: Option<String>,
    /// More keys accepted for verification only (paths, comma-separated), to
    /// rotate: sign with the new key, keep the old here until its tokens expire.
    #[arg(
        long,
        env = "JWT_VERIFICATION_KEYS",
        value_delimiter = ',',
        global = true
    )]
    pub jwt_verification_keys: Vec<String>,
    /// The `iss` of issued tokens, and the only one accepted.
    #[arg(long, env = "JWT_ISSUER", default_value = "portalen", global = true)]
    pub jwt_issuer: String,
    /// The `aud` of issued tokens, and the only one accepted.
    #[arg(
        long,
        env = "JWT_AUDIENCE",
        default_value = "portalen-api",
        global = true
    )]
    pub jwt_audience: String,
    /// Lifetime of access tokens from the client-credentials grant: seconds,
    /// or a duration such as `15m`.
    #[arg(long, env = "ACCESS_TOKEN_TTL", default_value = "900", global = true,
          value_parser = seconds_between::<60, 86_400>)]
    pub access_token_ttl: u64,
    /// Log filter, in `tracing` syntax (`info`, `portalen_api=debug,info`).
    #[arg(long, env = "LOG_LEVEL", default_value = "info", global = true)]
    pub log_level: String,
    /// An OpenTelemetry collector's OTLP/HTTP address (e.g.
    /// `http://otel-collector:4318`): request spans are exported there. Unset: off.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", global = true)]
    pub otel_exporter_otlp_endpoint: Option<String>,
    /// Log format: `pretty` for a terminal, `json` for production, `auto`
    /// picks by whether standard output is a terminal.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto, global = true)]
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Auto,
    Pretty,
    Json,
}

/// Options of `portalen serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "BIND_ADDR", default_value = "127.0.0.1:8080")]
    pub bind_addr: SocketAddr,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "WORKERS", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub workers: Option<u16>,
    /// Whether to load the demo network into an empty database at start.
    #[arg(long, env = "SEED_DEMO", value_enum, default_value_t = SeedDemo::IfEmpty)]
    pub seed_demo: SeedDemo,
    /// Milliseconds a DataLoader also waits for more keys before it queries.
    /// None by default: a batch is taken once the request's task has had its
    /// turns, so every level is one query without a timer.
    #[arg(long, env = "LOADER_BATCH_WINDOW_MS", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=100))]
    pub loader_batch_window_ms: u64,
    /// The SMTP server one-time sign-in codes are sent through:
    /// `smtp://host:587?tls=required` (STARTTLS), `smtps://user:pass@host`
    /// (TLS), `smtp://localhost:25` (plain, on the host only). Unset: sign-in
    /// by code is off.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of one-time codes.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Portalen <no-reply@portalen.invalid>"
    )]
    pub mail_from: String,
    /// Lifetime of each refresh token of a person's session: seconds, or a
    /// duration such as `14d`.
    #[arg(long, env = "REFRESH_TOKEN_TTL", default_value = "14d",
          value_parser = seconds_between::<300, 7_776_000>)]
    pub refresh_token_ttl: u64,
    /// A person's session's whole life, however often refreshed.
    #[arg(long, env = "SESSION_TTL", default_value = "30d",
          value_parser = seconds_between::<300, 31_536_000>)]
    pub session_ttl: u64,
    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "SHUTDOWN_TIMEOUT", default_value = "30",
          value_parser = seconds_between::<0, 600>)]
    pub shutdown_timeout: u64,
    /// Seconds a GraphQL request may take before it is abandoned (its
    /// transaction rolled back) and answered 503 `TIMEOUT`.
    #[arg(long, env = "REQUEST_TIMEOUT", default_value = "30",
          value_parser = seconds_between::<1, 600>)]
    pub request_timeout: u64,
    /// Deepest nesting of fields a query may have.
    #[arg(long, env = "MAX_QUERY_DEPTH", default_value_t = 15,
          value_parser = clap::value_parser!(u16).range(1..=100))]
    pub max_query_depth: u16,
    /// Highest query cost: 1 per field, connection fields times their page size.
    #[arg(long, env = "MAX_QUERY_COMPLEXITY", default_value_t = 5_000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_query_complexity: u32,
    /// Most aliased fields in one query.
    #[arg(long, env = "MAX_QUERY_ALIASES", default_value_t = 30,
          value_parser = clap::value_parser!(u16).range(0..=1000))]
    pub max_query_aliases: u16,
    /// Most root fields in one operation.
    #[arg(long, env = "MAX_ROOT_FIELDS", default_value_t = 15,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub max_root_fields: u16,
    /// Browser origins allowed to call the API (CORS), comma-separated,
    /// e.g. `https://dashboard.example.org`; none by default.
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub cors_allowed_origins: Vec<String>,
    /// A persisted-query manifest (Apollo's format; each operation may list
    /// the organisations, by slug, that may run it): trusted documents.
    #[arg(long, env = "TRUSTED_DOCUMENTS_MANIFEST")]
    pub trusted_documents_manifest: Option<PathBuf>,
    /// `enforce`: only the manifest's documents run, each for the
    /// organisations it lists; `allow` (default): any document runs, and
    /// persisted queries register on first use.
    #[arg(long, env = "TRUSTED_DOCUMENTS", value_enum, default_value_t = crate::graphql::persisted::TrustedDocumentsMode::Allow)]
    pub trusted_documents: crate::graphql::persisted::TrustedDocumentsMode,
    /// Request headers a browser on an allowed origin may send,
    /// comma-separated. The default covers the API's own headers and those
    /// tracing and GraphQL clients add (W3C trace context and baggage,
    /// Sentry, Apollo's client identification).
    #[arg(long, env = "CORS_ALLOWED_HEADERS", value_delimiter = ',',
          value_parser = header_name,
          default_values_t = DEFAULT_CORS_ALLOWED_HEADERS.map(String::from))]
    pub cors_allowed_headers: Vec<String>,
    /// The largest request body accepted, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 262_144,
          value_parser = clap::value_parser!(u32).range(1024..=16_777_216))]
    pub max_body_bytes: u32,
    /// Most operations in one batched request (a JSON array of requests).
    #[arg(long, env = "MAX_BATCH_LENGTH", default_value_t = 10,
          value_parser = clap::value_parser!(u16).range(1..=100))]
    pub max_batch_length: u16,
    /// Each partner organisation's rate limit, in query complexity points
    /// per minute (a token bucket of that size); 0 turns it off.
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", default_value_t = 60_000)]
    pub rate_limit_per_minute: u32,
    /// The rate limit of each client address for requests without a token,
    /// in points per minute; 0 turns it off.
    #[arg(long, env = "ANONYMOUS_RATE_LIMIT_PER_MINUTE", default_value_t = 6_000)]
    pub anonymous_rate_limit_per_minute: u32,
    /// Whether introspection answers (`false` to turn it off).
    #[arg(long, env = "INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,
}

impl ServeArgs {
    /// The GraphQL limits these options set.
    pub fn limits(&self) -> crate::graphql::Limits {
        crate::graphql::Limits {
            max_depth: usize::from(self.max_query_depth),
            max_complexity: usize::try_from(self.max_query_complexity).unwrap_or(usize::MAX),
            max_aliases: usize::from(self.max_query_aliases),
            max_root_fields: usize::from(self.max_root_fields),
            max_batch_length: usize::from(self.max_batch_length),
            introspection: self.introspection,
        }
    }
}

impl ServeArgs {
    /// How people sign in, with access tokens of `access_token_ttl` seconds.
    pub fn sign_in(&self, access_token_ttl: u64) -> crate::sign_in::SignInSettings {
        use std::time::Duration;
        crate::sign_in::SignInSettings {
            smtp_url: self.smtp_url.clone(),
            mail_from: self.mail_from.clone(),
            sessions: crate::services::sessions::SessionSettings {
                access_token_ttl: Duration::from_secs(access_token_ttl),
                refresh_token_ttl: Duration::from_secs(self.refresh_token_ttl),
                session_ttl: Duration::from_secs(self.session_ttl),
            },
            ..Default::default()
        }
    }

    /// The rate-limit budgets these options set.
    pub fn rate_limits(&self) -> crate::ratelimit::RateLimitSettings {
        crate::ratelimit::RateLimitSettings {
            organisation_per_minute: std::num::NonZeroU32::new(self.rate_limit_per_minute),
            anonymous_per_minute: std::num::NonZeroU32::new(self.anonymous_rate_limit_per_minute),
        }
    }
}

/// When `serve` loads the demo network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeedDemo {
    /// When the database has no partner organisations yet.
    IfEmpty,
    /// Never: production.
    Never,
}

/// Options of `portalen seed`.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct SeedArgs {
    /// Load the demo network (idempotent).
    #[arg(long)]
    pub demo: bool,
    /// Generate this many synthetic participants, with proportional
    /// employers, mentors, slots and placements (deterministic).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub scale: Option<u32>,
}

/// Where and how to reach the database.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// The connection URL; for SQLite it names a file.
    pub url: String,
    /// True when no `DATABASE_URL` was given and the embedded file is used.
    pub embedded: bool,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// The longest one SQL statement may run (PostgreSQL's
    /// `statement_timeout`); `None` for no limit. SQLite has no equivalent:
    /// its busy timeout bounds waiting for the write lock.
    pub statement_timeout: Option<Duration>,
}

impl GlobalArgs {
    /// Issuer and audience of tokens.
    pub fn token_settings(&self) -> crate::auth::TokenSettings {
        crate::auth::TokenSettings {
            issuer: self.jwt_issuer.clone(),
            audience: self.jwt_audience.clone(),
        }
    }

    /// The signing and verification keys.
    pub fn key_ring(&self) -> anyhow::Result<crate::auth::KeyRing> {
        crate::auth::KeyRing::load(
            self.jwt_signing_key.as_deref(),
            &self.jwt_verification_keys,
            &self.data_dir,
        )
    }

    /// The database to use: `DATABASE_URL`, or the embedded SQLite file.
    pub fn database(&self) -> anyhow::Result<DatabaseSettings> {
        let (url, embedded) = match &self.database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                (url.clone(), false)
            }
            Some(url) if url.starts_with("sqlite:") => (url.clone(), false),
            Some(_) => anyhow::bail!(
                "DATABASE_URL must start with postgres://, postgresql:// or sqlite: (the value is not shown, it may hold a password)"
            ),
            None => {
                let path = self.data_dir.join("portalen.db");
                (format!("sqlite://{}?mode=rwc", path.display()), true)
            }
        };
        Ok(DatabaseSettings {
            url,
            embedded,
            max_connections: self.database_max_connections,
            acquire_timeout: Duration::from_secs(self.database_acquire_timeout),
            statement_timeout: (self.database_statement_timeout > 0)
                .then(|| Duration::from_secs(self.database_statement_timeout)),
        })
    }
}

/// A request header name, as `CORS_ALLOWED_HEADERS` lists them.
fn header_name(raw: &str) -> Result<String, String> {
    let name = raw.trim().to_ascii_lowercase();
    actix_web::http::header::HeaderName::from_bytes(name.as_bytes())
        .map(|_| name.clone())
        .map_err(|_| format!("{raw:?} is not a header name"))
}

/// A duration in whole seconds from `MIN` to `MAX`: plain seconds (`900`)
/// or a duration as people write it (`15m`, `1h 30m`, `90s`).
fn seconds_between<const MIN: u64, const MAX: u64>(raw: &str) -> Result<u64, String> {
    let raw = raw.trim();
    let seconds = match raw.parse::<u64>() {
        Ok(seconds) => seconds,
        Err(_) => {
            let duration = humantime::parse_duration(raw).map_err(|err| {
                format!("{raw:?} is not a duration ({err}); write seconds, or e.g. 15m or 1h")
            })?;
            if duration.subsec_nanos() != 0 {
                return Err(format!("{raw:?} is not a whole number of seconds"));
            }
            duration.as_secs()
        }
    };
    if (MIN..=MAX).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(format!(
            "{raw} is {seconds} s; it must be from {MIN} to {MAX} s"
        ))
    }
}

/// Request headers browsers may send by default: the API's own, and those
/// tracing and GraphQL clients add on their own (W3C trace context and
/// baggage, Sentry, Apollo's client identification and CSRF-prevention
/// header), so a dashboard with such a client works without configuration.
pub const DEFAULT_CORS_ALLOWED_HEADERS: [&str; 13] = [
    "authorization",
    "content-type",
    "accept",
    "idempotency-key",
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "x-request-id",
];

#[cfg(test)]
mod duration_tests {
    use super::seconds_between;

    #[test]
    fn durations_are_seconds_or_human_durations_within_range() {
        assert_eq!(seconds_between::<1, 86_400>("900"), Ok(900));
        assert_eq!(seconds_between::<1, 86_400>("15m"), Ok(900));
        assert_eq!(seconds_between::<1, 86_400>("1h 30m"), Ok(5400));
        assert!(seconds_between::<1, 86_400>("1500ms").is_err());
        assert!(seconds_between::<1, 86_400>("2d").is_err());
        assert!(seconds_between::<1, 86_400>("soon").is_err());
        assert!(seconds_between::<60, 86_400>("30s").is_err());
    }
}
