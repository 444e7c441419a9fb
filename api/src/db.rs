//! Connecting to the database and migrating it.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::config::DatabaseSettings;

/// How long a SQLite connection waits on a lock held by another writer.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .max_connections(settings.max_connections)
        .min_connections(1)
        .acquire_timeout(settings.acquire_timeout)
        .connect_timeout(settings.acquire_timeout)
        .sqlx_logging(false)
        .map_sqlx_postgres_opts(move |opts| match statement_timeout {
            Some(timeout) => {
                opts.options([("statement_timeout", format!("{}ms", timeout.as_millis()))])
            }
            None => opts,
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
    Database::connect(options)
        .await
        .context("failed to connect to the database")
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
