//! `spawn_app()` and the request helpers the tests share.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use portalen_api::startup::{Application, ServerSettings};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};

/// Which database the suite runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database made for one test, removed when dropped.
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    admin_url: Option<String>,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// A new, empty database on the backend `DATABASE_URL` names (SQLite if unset).
    pub async fn create() -> Self {
        match std::env::var("DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => {
                let name = format!("portalen_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(&url)
                    .await
                    .expect("connect to the PostgreSQL server");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create the test database");
                admin.close().await.expect("close the admin connection");
                Self {
                    url: with_database(&url, &name),
                    backend: Backend::Postgres,
                    admin_url: Some(url),
                    name,
                    _dir: None,
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("create a temporary directory");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("portalen.db").display()
                );
                Self {
                    url,
                    backend: Backend::Sqlite,
                    admin_url: None,
                    name: String::new(),
                    _dir: Some(dir),
                }
            }
        }
    }

    /// Connection settings as the service would use them.
    pub fn settings(&self) -> portalen_api::config::DatabaseSettings {
        portalen_api::config::DatabaseSettings {
            url: self.url.clone(),
            embedded: false,
            max_connections: 5,
            acquire_timeout: Duration::from_secs(2),
        }
    }

    /// Removes the database while the app still uses it (an outage).
    pub async fn drop_now(&self) {
        if let Some(admin_url) = &self.admin_url {
            let admin = Database::connect(admin_url)
                .await
                .expect("connect to the PostgreSQL server");
            admin
                .execute_unprepared(&format!(
                    "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                    self.name
                ))
                .await
                .expect("drop the test database");
            admin.close().await.expect("close the admin connection");
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(admin_url) = self.admin_url.clone() else {
            return;
        };
        let name = self.name.clone();
        // Drop runs outside async; a short-lived runtime on its own thread
        // removes the database without blocking the test's runtime.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let server = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// A running API on its own database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub database: TestDatabase,
    statements: Arc<AtomicU64>,
    handle: ServerHandle,
}

/// What the app starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixture {
    /// Migrated, no rows.
    Empty,
    /// The demo network.
    Demo,
}

/// Starts the API on a random port, over a fresh, migrated database with the
/// demo network loaded.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Fixture::Demo).await
}

/// Starts the API over a fresh, migrated database with `fixture` loaded.
pub async fn spawn_app_with(fixture: Fixture) -> TestApp {
    let database = TestDatabase::create().await;
    let mut db = portalen_api::db::connect(&database.settings())
        .await
        .expect("connect");
    portalen_api::db::migrate(&db).await.expect("migrate");
    if fixture == Fixture::Demo {
        portalen_api::seed::demo::seed_demo(&db)
            .await
            .expect("seed the demo network");
    }
    let statements = Arc::new(AtomicU64::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let app = Application::build(
        &ServerSettings {
            bind_addr: "127.0.0.1:0".parse().expect("address"),
            workers: Some(1),
            shutdown_timeout: Duration::from_secs(1),
            handle_signals: false,
        },
        db.clone(),
    )
    .expect("build the application");
    let address = format!("http://{}", app.addr());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        db,
        database,
        statements,
        handle,
    }
}

impl TestApp {
    /// POSTs a GraphQL request and returns the JSON body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("send the GraphQL request");
        assert!(
            response.status().is_success(),
            "status {}",
            response.status()
        );
        response.json().await.expect("a JSON body")
    }

    /// GETs a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("send the request")
    }

    /// SQL statements run since the last call (or since start).
    pub fn take_statement_count(&self) -> u64 {
        self.statements.swap(0, Ordering::SeqCst)
    }

    /// Stops the server, letting in-flight requests finish.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

/// The `extensions.code` of each error in a GraphQL response.
pub fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn with_database_replaces_only_the_name() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
}
