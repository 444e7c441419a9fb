//! `spawn_app()` and the request helpers the tests share.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use portalen_api::auth::token::{NewToken, issue};
use portalen_api::auth::{KeyRing, TokenSettings};
use portalen_api::http::auth::AuthState;
use portalen_api::ratelimit::RateLimitSettings;
use portalen_api::sign_in::{SignIn, SignInSettings};
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
        Self::create_from(None).await
    }

    /// On PostgreSQL, a new database holding `fixture`, cloned
    /// (`CREATE DATABASE ... TEMPLATE`) from a template migrated and seeded
    /// once (see [`template`]), as crates.io's test harness does; `None` on
    /// SQLite, where a new file is filled in place.
    pub async fn from_template(fixture: Fixture) -> Option<Self> {
        let url = std::env::var("DATABASE_URL").ok()?;
        if !url.starts_with("postgres") {
            return None;
        }
        let template = template(fixture).await;
        Some(Self::create_from(Some(&template)).await)
    }

    async fn create_from(template: Option<&str>) -> Self {
        match std::env::var("DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => {
                let name = format!("portalen_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(&url)
                    .await
                    .expect("connect to the PostgreSQL server");
                let create = match template {
                    Some(template) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
                    None => format!("CREATE DATABASE \"{name}\""),
                };
                admin
                    .execute_unprepared(&create)
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
            statement_timeout: Some(Duration::from_secs(15)),
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

/// Migrates `db` and loads `fixture` into it.
async fn fill(db: &DatabaseConnection, fixture: Fixture) {
    portalen_api::db::migrate(db).await.expect("migrate");
    if fixture == Fixture::Demo {
        portalen_api::seed::demo::seed_demo(db)
            .await
            .expect("seed the demo network");
    }
}

/// The PostgreSQL template holding `fixture`, made once per content: its
/// name carries a hash of the migrations and the demo seed, so a changed
/// migration or seed makes a new template (and older ones are removed).
/// Test processes that start together take turns through an advisory lock;
/// a template is renamed into place only once complete, and takes no
/// connections, so clones never see it half-made or busy.
async fn template(fixture: Fixture) -> String {
    static EMPTY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    static DEMO: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let cell = match fixture {
        Fixture::Empty => &EMPTY,
        Fixture::Demo => &DEMO,
    };
    cell.get_or_init(|| make_template(fixture)).await.clone()
}

async fn make_template(fixture: Fixture) -> String {
    use migration::{Migrator, MigratorTrait};
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for migration in Migrator::migrations() {
        migration.name().hash(&mut hasher);
    }
    include_str!("../../api/src/seed/demo.rs").hash(&mut hasher);
    include_str!("../../api/src/seed/demo/network.rs").hash(&mut hasher);
    include_str!("../../api/src/seed.rs").hash(&mut hasher);
    let content = hasher.finish();
    let kind = match fixture {
        Fixture::Empty => "empty",
        Fixture::Demo => "demo",
    };
    let name = format!("portalen_template_{kind}_{content:016x}");
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    // One connection, so the session's advisory lock is held and released
    // on it.
    let mut options = sea_orm::ConnectOptions::new(url.clone());
    options.max_connections(1).min_connections(1);
    let admin = Database::connect(options)
        .await
        .expect("connect to the PostgreSQL server");
    let lock = i64::from_ne_bytes(content.to_ne_bytes());
    admin
        .execute_unprepared(&format!("SELECT pg_advisory_lock({lock})"))
        .await
        .expect("take the template lock");
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .expect("look for the template")
        .is_some();
    if !exists {
        let building = format!("{name}_building");
        admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
            ))
            .await
            .expect("drop a half-made template");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{building}\""))
            .await
            .expect("create the template");
        let db = Database::connect(with_database(&url, &building))
            .await
            .expect("connect to the template");
        fill(&db, fixture).await;
        db.close().await.expect("close the template");
        for statement in [
            format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""),
            format!("ALTER DATABASE \"{name}\" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"),
        ] {
            admin
                .execute_unprepared(&statement)
                .await
                .expect("finish the template");
        }
        // Templates of older migrations or seeds of this fixture go.
        let stale = admin
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!(
                    "SELECT datname FROM pg_database WHERE datname LIKE 'portalen_template_{kind}_%' \
                     AND datname <> '{name}' AND datname NOT LIKE '%_building'"
                ),
            ))
            .await
            .unwrap_or_default();
        for row in stale {
            if let Ok(old) = row.try_get::<String>("", "datname") {
                let _ = admin
                    .execute_unprepared(&format!("ALTER DATABASE \"{old}\" WITH IS_TEMPLATE false"))
                    .await;
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{old}\""))
                    .await;
            }
        }
    }
    admin
        .execute_unprepared(&format!("SELECT pg_advisory_unlock({lock})"))
        .await
        .expect("release the template lock");
    admin.close().await.expect("close the admin connection");
    name
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
    /// The PEM of the key the app signs with.
    pub signing_pem: String,
    statements: Arc<AtomicU64>,
    pub handle: ServerHandle,
}

/// Issuer and audience the test apps use.
pub fn token_settings() -> TokenSettings {
    TokenSettings {
        issuer: "portalen-test".to_owned(),
        audience: "portalen-api".to_owned(),
    }
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
/// demo network loaded: `TestApp::builder().start()`.
pub async fn spawn_app() -> TestApp {
    TestApp::builder().start().await
}

/// How a test app is set up; every setting has the default of a plain
/// `spawn_app()`.
pub struct TestAppBuilder {
    fixture: Fixture,
    signing_pem: Option<String>,
    verify_only: Vec<String>,
    limits: portalen_api::graphql::Limits,
    rate_limits: RateLimitSettings,
    request_timeout: Duration,
    documents: Arc<portalen_api::graphql::persisted::PersistedDocuments>,
    sign_in: SignInSettings,
    loader_batch_window: Duration,
}

impl TestApp {
    /// A test app to set up: the demo network, a new signing key, the
    /// default limits, no rate limits, a 30 s request timeout.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            fixture: Fixture::Demo,
            signing_pem: None,
            verify_only: Vec::new(),
            limits: portalen_api::graphql::Limits::default(),
            rate_limits: RateLimitSettings::default(),
            request_timeout: Duration::from_secs(30),
            documents: Arc::default(),
            sign_in: SignInSettings::default(),
            // Generous, so that statement counts stay exact on a busy machine.
            loader_batch_window: Duration::from_millis(20),
        }
    }
}

impl TestAppBuilder {
    /// What the database holds at start.
    pub fn fixture(mut self, fixture: Fixture) -> Self {
        self.fixture = fixture;
        self
    }

    /// Signs with `signing_pem` and also accepts tokens of `verify_only`.
    pub fn keys(mut self, signing_pem: &str, verify_only: &[String]) -> Self {
        self.signing_pem = Some(signing_pem.to_owned());
        self.verify_only = verify_only.to_vec();
        self
    }

    /// These query limits.
    pub fn limits(mut self, limits: portalen_api::graphql::Limits) -> Self {
        self.limits = limits;
        self
    }

    /// These rate-limit budgets.
    pub fn rate_limits(mut self, rate_limits: RateLimitSettings) -> Self {
        self.rate_limits = rate_limits;
        self
    }

    /// This request timeout.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// These trusted documents (and persisted-query mode).
    pub fn documents(
        mut self,
        documents: portalen_api::graphql::persisted::PersistedDocuments,
    ) -> Self {
        self.documents = Arc::new(documents);
        self
    }

    /// How long a DataLoader gathers keys (the server's default is none).
    pub fn loader_batch_window(mut self, window: Duration) -> Self {
        self.loader_batch_window = window;
        self
    }

    /// These sign-in settings (an SMTP server for one-time codes, ...).
    pub fn sign_in(mut self, settings: SignInSettings) -> Self {
        self.sign_in = settings;
        self
    }

    /// Starts the app on a random port over its own fresh database.
    pub async fn start(self) -> TestApp {
        let signing_pem = match self.signing_pem {
            Some(pem) => pem,
            None => portalen_api::auth::keys::generate_pem().expect("generate a key"),
        };
        // TEST_LOG=debug shows the server's logs, for debugging a test.
        if let Ok(filter) = std::env::var("TEST_LOG") {
            let _ = portalen_api::telemetry::init(&filter, portalen_api::config::LogFormat::Pretty);
        }
        let (database, filled) = match TestDatabase::from_template(self.fixture).await {
            Some(database) => (database, true),
            None => (TestDatabase::create().await, false),
        };
        let mut db = portalen_api::db::connect(&database.settings())
            .await
            .expect("connect");
        if !filled {
            fill(&db, self.fixture).await;
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
                limits: self.limits,
                cors_allowed_origins: vec!["https://dashboard.example.org".to_owned()],
                cors_allowed_headers: portalen_api::config::DEFAULT_CORS_ALLOWED_HEADERS
                    .map(String::from)
                    .to_vec(),
                max_body_bytes: 64 * 1024,
                rate_limits: self.rate_limits,
                request_timeout: self.request_timeout,
                persisted_documents: self.documents,
            },
            db.clone(),
            AuthState {
                keys: KeyRing::from_pems(&signing_pem, &self.verify_only).expect("keys"),
                tokens: token_settings(),
                access_token_ttl: Duration::from_secs(300),
                loader_batch_window: self.loader_batch_window,
                callers: Default::default(),
                sign_in: SignIn::start(&db, self.sign_in).expect("sign-in"),
            },
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
            signing_pem,
            statements,
            handle,
        }
    }
}

impl TestApp {
    /// POSTs a GraphQL request without a token and returns the JSON body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self.post_graphql(None, query, variables).await;
        assert!(
            response.status().is_success(),
            "status {}",
            response.status()
        );
        checked(query, response.json().await.expect("a JSON body"))
    }

    /// POSTs a GraphQL request with a bearer token and returns the JSON body.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let response = self.post_graphql(Some(token), query, variables).await;
        assert!(
            response.status().is_success(),
            "status {}",
            response.status()
        );
        checked(query, response.json().await.expect("a JSON body"))
    }

    /// POSTs a GraphQL request and returns the raw response.
    pub async fn post_graphql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("send the GraphQL request")
    }

    /// A token signed with the app's key: `subject` for the personal roles
    /// (`employer:<uuid>` ...), the organisation's whole grant when `scopes`
    /// is empty.
    pub async fn token(&self, org: &str, role: &str, scopes: &[&str], subject: &str) -> String {
        let scopes: Vec<String> = if scopes.is_empty() {
            portalen_api::services::partners::find_partner_by_slug(&self.db, org)
                .await
                .expect("partner")
                .granted_scopes
                .as_slice()
                .to_vec()
        } else {
            scopes.iter().map(|s| (*s).to_owned()).collect()
        };
        let keys = KeyRing::from_pems(&self.signing_pem, &[]).expect("keys");
        issue(
            &keys,
            &token_settings(),
            &NewToken {
                subject,
                organisation: org,
                role,
                scopes: scopes.iter().map(String::as_str).collect(),
                ttl: Duration::from_secs(300),
                client_id: None,
            },
        )
        .expect("issue a token")
        .token
    }

    /// A person with a membership of `role` in `org` (synthetic: a name
    /// and an example.org address).
    pub async fn add_person(&self, org: &str, role: &str, name: &str) -> entity::membership::Model {
        use entity::{MembershipStatus, membership, person};
        use sea_orm::{ActiveValue::Set, EntityTrait};
        let organisation = portalen_api::services::partners::find_partner_by_slug(&self.db, org)
            .await
            .expect("partner");
        let now = chrono::Utc::now();
        let person_id = uuid::Uuid::now_v7();
        person::Entity::insert(person::ActiveModel {
            id: Set(person_id),
            name: Set(name.to_owned()),
            email: Set(format!("{person_id}@example.org")),
            phone: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(&self.db)
        .await
        .expect("person");
        let role: portalen_api::policy::Role = role.parse().expect("role");
        membership::Entity::insert(membership::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            person_id: Set(person_id),
            partner_organisation_id: Set(organisation.id),
            role: Set(role.as_membership()),
            employer_id: Set(None),
            mentor_id: Set(None),
            participant_id: Set(None),
            status: Set(MembershipStatus::Active),
            created_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ended_at: Set(None),
        })
        .exec_with_returning(&self.db)
        .await
        .expect("membership")
    }

    /// An access token of a new sign-in session for `membership`, as a
    /// one-time code would give it.
    pub async fn sign_in_as(&self, membership: &entity::membership::Model) -> String {
        let keys = KeyRing::from_pems(&self.signing_pem, &[]).expect("keys");
        portalen_api::services::sessions::start(
            &self.db,
            &keys,
            &token_settings(),
            &portalen_api::services::sessions::SessionSettings::default(),
            membership,
            portalen_api::services::sessions::Method::OneTimeCode,
            None,
        )
        .await
        .map_err(|e| format!("{e:?}"))
        .expect("sign in")
        .access
        .token
    }

    /// A new person with a membership of `role` in `org`, signed in: their
    /// id and an access token.
    pub async fn person_signed_in(
        &self,
        org: &str,
        role: &str,
        name: &str,
    ) -> (uuid::Uuid, String) {
        let membership = self.add_person(org, role, name).await;
        (membership.person_id, self.sign_in_as(&membership).await)
    }

    /// An administrator token of the host organisation, with every scope.
    pub async fn admin_token(&self) -> String {
        self.token("hyresbostader", "administrator", &[], "coordinator-1")
            .await
    }

    /// GETs a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("send the request")
    }

    /// Whether the app runs on PostgreSQL.
    pub fn on_postgres(&self) -> bool {
        self.database.admin_url.is_some()
    }

    /// A second API instance on the same database, as behind a load
    /// balancer: its address, and a handle to stop it.
    pub async fn second_instance(&self) -> (String, actix_web::dev::ServerHandle) {
        self.instance_on(&self.database.settings().url).await
    }

    /// Another API instance on the database at `url` (for example through a
    /// proxy the test controls).
    pub async fn instance_on(&self, url: &str) -> (String, actix_web::dev::ServerHandle) {
        let mut settings = self.database.settings();
        settings.url = url.to_owned();
        let db = portalen_api::db::connect(&settings).await.expect("connect");
        let app = Application::build(
            &ServerSettings {
                bind_addr: "127.0.0.1:0".parse().expect("address"),
                workers: Some(1),
                shutdown_timeout: Duration::from_secs(1),
                limits: portalen_api::graphql::Limits::default(),
                ..Default::default()
            },
            db.clone(),
            AuthState {
                keys: KeyRing::from_pems(&self.signing_pem, &[]).expect("keys"),
                tokens: token_settings(),
                access_token_ttl: Duration::from_secs(300),
                loader_batch_window: Duration::from_millis(20),
                callers: Default::default(),
                sign_in: SignIn::start(&db, SignInSettings::default()).expect("sign-in"),
            },
        )
        .expect("build the second instance");
        let address = format!("http://{}", app.addr());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        (address, handle)
    }

    /// SQL statements run since the last call (or since start).
    pub fn take_statement_count(&self) -> u64 {
        self.statements.swap(0, Ordering::SeqCst)
    }

    /// How many participant rows the database holds.
    pub async fn participant_count(&self) -> u64 {
        use sea_orm::{EntityTrait, PaginatorTrait};
        entity::participant::Entity::find()
            .count(&self.db)
            .await
            .expect("count participants")
    }

    /// Opens a transaction that holds the lock creating a participant needs
    /// (the table on PostgreSQL, the write lock on SQLite) until it ends.
    pub async fn hold_participant_lock(&self) -> sea_orm::DatabaseTransaction {
        use sea_orm::TransactionTrait;
        let blocker = self.db.begin().await.expect("begin");
        let lock = if self.on_postgres() {
            "LOCK TABLE participant IN ACCESS EXCLUSIVE MODE"
        } else {
            "UPDATE partner_organisation SET name = name"
        };
        blocker.execute_unprepared(lock).await.expect("lock");
        blocker
    }

    /// Stops the server, letting in-flight requests finish.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

/// A response as every test may expect it: whatever a request asks, the
/// server never answers it with an internal error (the tests that break the
/// database on purpose read their answers raw, with `post_graphql`), and the
/// answer has the types and nullability the committed schema promises.
fn checked(query: &str, body: Value) -> Value {
    assert!(
        !error_codes(&body)
            .iter()
            .any(|c| c == "INTERNAL_SERVER_ERROR"),
        "an internal error: {body}"
    );
    if let Err(problem) = crate::conformance::check(query, None, &body) {
        panic!("the answer breaks the schema: {problem}\nquery: {query}\nanswer: {body}");
    }
    body
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
