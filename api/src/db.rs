//! Connecting to the database and migrating it.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::config::DatabaseSettings;

/// How long a SQLite connection waits on a lock held by another writer.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// PostgreSQL plans each prepared statement once per connection instead of
/// at every execution: the service's statements are few and fixed (row
/// rules, batched lookups by id), and planning them anew cost a fifth of
/// the database's time on the dashboard page (docs/performance.md). A
/// `plan_cache_mode` in `DATABASE_URL`'s `options` takes precedence.
const GENERIC_PLANS: &str = "force_generic_plan";

/// Opens a connection pool. The embedded SQLite database is created on first
/// use, in WAL mode (readers do not block the writer) with a busy timeout.
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    if settings.embedded
        && let Some(dir) = sqlite_directory(&settings.url)
    {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("failed to create data directory {}", dir.display()))?;
    }
    let statement_timeout = settings.statement_timeout;
    let plan_cache_mode = (!settings.url.contains("plan_cache_mode")).then_some(GENERIC_PLANS);
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .max_connections(settings.max_connections)
        .min_connections(1)
        .acquire_timeout(settings.acquire_timeout)
        .connect_timeout(settings.acquire_timeout)
        .sqlx_logging(false)
        .map_sqlx_postgres_opts(move |opts| {
            let opts = match plan_cache_mode {
                Some(mode) => opts.options([("plan_cache_mode", mode)]),
                None => opts,
            };
            match statement_timeout {
                Some(timeout) => {
                    opts.options([("statement_timeout", format!("{}ms", timeout.as_millis()))])
                }
                None => opts,
            }
        })
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
                // Erased personal data is overwritten, not left in free pages.
                .pragma("secure_delete", "ON")
                .create_if_missing(true)
        });
    match Database::connect(options).await {
        Ok(db) => Ok(db),
        Err(err) => Err(match unreachable_cause(&settings.url).await {
            Some(cause) => anyhow::Error::new(err).context(cause),
            None => anyhow::Error::new(err).context("failed to connect to the database"),
        }),
    }
}

/// Why a PostgreSQL server cannot be reached, as an operator needs to read
/// it: host, port and the cause ("connection refused"), never the password.
/// The pool only says it timed out, so the address is tried once more here.
async fn unreachable_cause(url: &str) -> Option<String> {
    use std::str::FromStr;
    let options = sea_orm::sqlx::postgres::PgConnectOptions::from_str(url).ok()?;
    let (host, port) = (options.get_host().to_owned(), options.get_port());
    if host.starts_with('/') {
        return Some(format!(
            "cannot connect to the database over the socket in {host}"
        ));
    }
    let attempt = tokio::time::timeout(
        Duration::from_secs(3),
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await;
    let cause = match attempt {
        Ok(Ok(_)) => return None,
        Ok(Err(err)) if err.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused: is PostgreSQL running and listening there?".to_owned()
        }
        Ok(Err(err)) => err.to_string(),
        Err(_) => "no answer within 3 s".to_owned(),
    };
    Some(format!(
        "cannot reach the database at {host}:{port} ({cause})"
    ))
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("failed to migrate the database")
}

/// Whether the database answers, within `timeout`.
pub async fn is_ready(db: &DatabaseConnection, timeout: Duration) -> bool {
    matches!(tokio::time::timeout(timeout, db.ping()).await, Ok(Ok(())))
}

fn sqlite_directory(url: &str) -> Option<std::path::PathBuf> {
    let path = url.strip_prefix("sqlite://")?.split('?').next()?;
    std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(std::path::Path::to_path_buf)
}
