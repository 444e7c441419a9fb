//! What the `portalen` binary does for each subcommand.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::config::{
    Cli, ClientCommand, ClientCreateArgs, Command, GlobalArgs, RetentionArgs, RetentionCommand,
    SeedArgs, SeedDemo, ServeArgs, TokenArgs,
};
use crate::http::auth::AuthState;
use crate::policy::{Role, Scope};
use crate::services::ServiceError;
use crate::services::audit::Actor;
use crate::startup::{Application, ServerSettings};
use crate::unit_of_work::{UnitOfWork, Work};
use crate::{db, graphql, seed, telemetry};

/// Parses the command line and runs it.
pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Schema) => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        command => {
            let telemetry = telemetry::init_with_traces(
                &cli.global.log_level,
                cli.global.log_format,
                cli.global.otel_exporter_otlp_endpoint.as_deref(),
            )?;
            let result = match command {
                None => serve(&cli.global, &cli.serve).await,
                Some(Command::Serve(args)) => serve(&cli.global, &args).await,
                Some(Command::Migrate) => {
                    let db = open(&cli.global).await?;
                    tracing::info!("migrations applied");
                    db.close().await.context("failed to close the database")
                }
                Some(Command::Seed(args)) => run_seed(&cli.global, &args).await,
                Some(Command::Token(args)) => mint_token(&cli.global, &args).await,
                Some(Command::Client(ClientCommand::Create(args))) => {
                    create_client(&cli.global, &args).await
                }
                Some(Command::Retention(RetentionCommand::Run(args))) => {
                    run_retention(&cli.global, &args).await
                }
                Some(Command::ExpireOffers) => {
                    let db = open(&cli.global).await?;
                    let expired = crate::jobs::expire_offers(&db, chrono::Utc::now())
                        .await
                        .map_err(service_error)?;
                    println!("{}", serde_json::json!({ "expired": expired }));
                    db.close().await.context("failed to close the database")
                }
                Some(Command::Schema) => Ok(()),
            };
            telemetry.shutdown();
            result
        }
    }
}

/// Connects and migrates.
async fn open(global: &GlobalArgs) -> anyhow::Result<DatabaseConnection> {
    let settings = global.database()?;
    let db = db::connect(&settings).await?;
    db::migrate(&db).await?;
    Ok(db)
}

/// The trusted documents of the manifest configured, if any.
fn persisted_documents(
    args: &ServeArgs,
) -> anyhow::Result<crate::graphql::persisted::PersistedDocuments> {
    use crate::graphql::persisted::{PersistedDocuments, TrustedDocumentsMode};
    match &args.trusted_documents_manifest {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("failed to read {}", path.display()))?;
            let documents = PersistedDocuments::from_manifest(&text, args.trusted_documents)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            tracing::info!(
                documents = documents.trusted_len(),
                "trusted documents loaded"
            );
            Ok(documents)
        }
        None if args.trusted_documents == TrustedDocumentsMode::Enforce => Err(anyhow::anyhow!(
            "TRUSTED_DOCUMENTS=enforce needs TRUSTED_DOCUMENTS_MANIFEST"
        )),
        None => Ok(PersistedDocuments::new()),
    }
}

async fn serve(global: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let settings = global.database()?;
    let mut db = db::connect(&settings).await?;
    // Counts every SQL statement, for `portalen_db_statements_total`.
    db.set_metric_callback(|_| crate::metrics::count_statement());
    db::migrate(&db).await?;
    if args.seed_demo == SeedDemo::IfEmpty && is_empty(&db).await? {
        let counts = seed::demo::seed_demo(&db).await?;
        tracing::info!(?counts, "seeded the demo network into an empty database");
    }
    let auth = AuthState {
        keys: global.key_ring()?,
        tokens: global.token_settings(),
        access_token_ttl: Duration::from_secs(global.access_token_ttl),
        loader_batch_window: Duration::from_millis(args.loader_batch_window_ms),
        callers: Default::default(),
        sign_in: crate::sign_in::SignIn::start(&db, args.sign_in(global.access_token_ttl))?,
    };
    let server = Application::build(
        &ServerSettings {
            bind_addr: args.bind_addr,
            workers: args.workers.map(usize::from),
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout),
            limits: args.limits(),
            cors_allowed_origins: args.cors_allowed_origins.clone(),
            cors_allowed_headers: args.cors_allowed_headers.clone(),
            persisted_documents: std::sync::Arc::new(persisted_documents(args)?),
            max_body_bytes: usize::try_from(args.max_body_bytes).unwrap_or(usize::MAX),
            rate_limits: args.rate_limits(),
            request_timeout: Duration::from_secs(args.request_timeout),
        },
        db.clone(),
        auth,
    )?;
    stop_on_signal(server.handle())?;
    tracing::info!(
        addr = %server.addr(),
        embedded = settings.embedded,
        startup_ms = started.elapsed().as_millis() as u64,
        "serving the Portalen API at http://{}/graphql",
        server.addr()
    );
    server
        .run_until_stopped()
        .await
        .context("the server failed")?;
    db.close().await.context("failed to close the database")?;
    tracing::info!("shutdown complete");
    Ok(())
}

/// Stops the server gracefully on SIGTERM or Ctrl-C. The handlers are
/// installed before this returns, so a signal sent once the server reports
/// ready is never lost.
fn stop_on_signal(handle: actix_web::dev::ServerHandle) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("failed to handle SIGTERM")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("failed to handle SIGINT")?;
        tokio::spawn(async move {
            let name = tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "SIGINT",
            };
            tracing::info!(signal = name, "shutting down: finishing in-flight requests");
            handle.stop(true).await;
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("shutting down: finishing in-flight requests");
            handle.stop(true).await;
        }
    });
    Ok(())
}

async fn is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    let partners = entity::partner_organisation::Entity::find()
        .count(db)
        .await
        .context("failed to count partner organisations")?;
    Ok(partners == 0)
}

async fn run_seed(global: &GlobalArgs, args: &SeedArgs) -> anyhow::Result<()> {
    let db = open(global).await?;
    let started = Instant::now();
    if args.demo {
        let counts = seed::demo::seed_demo(&db).await?;
        tracing::info!(
            ?counts,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo network seeded"
        );
        println!("{}", serde_json::to_string(&counts)?);
    }
    if let Some(participants) = args.scale {
        let counts = seed::scale::seed_scale(&db, participants).await?;
        let elapsed = started.elapsed();
        tracing::info!(
            ?counts,
            elapsed_ms = elapsed.as_millis() as u64,
            "scale data set seeded"
        );
        println!("{}", serde_json::to_string(&counts)?);
    }
    db.close().await.context("failed to close the database")
}

fn service_error(err: ServiceError) -> anyhow::Error {
    match err {
        ServiceError::InvalidInput { field, message } => anyhow::anyhow!("{field}: {message}"),
        ServiceError::InvalidInputs { errors } => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        ServiceError::NotFound { entity } => anyhow::anyhow!("{entity} not found"),
        ServiceError::Conflict { message }
        | ServiceError::Forbidden { reason: message }
        | ServiceError::Unauthenticated { reason: message } => {
            anyhow::anyhow!(message)
        }
        ServiceError::KeyInUse => anyhow::anyhow!("the idempotency key is in use; retry"),
        ServiceError::Database { context, source } => anyhow::Error::new(source).context(context),
    }
}

async fn mint_token(global: &GlobalArgs, args: &TokenArgs) -> anyhow::Result<()> {
    let db = open(global).await?;
    let keys = global.key_ring()?;
    let mut scopes = scopes_of(&args.scopes)?;
    if scopes.is_empty() {
        let partner = crate::services::partners::find_partner_by_slug(&db, &args.partner)
            .await
            .map_err(service_error)?;
        scopes = partner
            .granted_scopes
            .as_slice()
            .iter()
            .filter_map(|s| Scope::parse(s))
            .collect();
    }
    crate::services::callers::check_grant(&db, &args.partner, args.role, &scopes)
        .await
        .map_err(service_error)?;
    let subject = match (args.role.subject_prefix(), &args.subject) {
        (Some(prefix), Some(subject)) if subject.starts_with(prefix) => subject.clone(),
        (Some(prefix), _) => anyhow::bail!(
            "--subject {prefix}<uuid> is required for the role {}",
            args.role
        ),
        (None, subject) => subject.clone().unwrap_or_else(|| "cli".to_owned()),
    };
    let issued = crate::auth::token::issue(
        &keys,
        &global.token_settings(),
        &crate::auth::token::NewToken {
            subject: &subject,
            organisation: &args.partner,
            role: args.role.as_str(),
            scopes: scopes.iter().map(|s| s.as_str()).collect(),
            ttl: Duration::from_secs(args.ttl),
            client_id: None,
        },
    )
    .context("failed to sign the token")?;
    println!("{}", issued.token);
    db.close().await.context("failed to close the database")
}

async fn create_client(global: &GlobalArgs, args: &ClientCreateArgs) -> anyhow::Result<()> {
    let db = open(global).await?;
    if !matches!(args.role, Role::Partner | Role::Administrator) {
        anyhow::bail!("an API client acts as partner or administrator");
    }
    let scopes = scopes_of(&args.scopes)?;
    let unit = UnitOfWork::begin(
        &db,
        Work::new(Actor::system("cli"), "client create").fields(
            ["name", "partner", "role", "scopes"]
                .map(String::from)
                .to_vec(),
        ),
    )
    .await
    .map_err(service_error)?;
    let created = crate::services::api_clients::create_api_client(
        unit.txn(),
        crate::services::api_clients::NewApiClient {
            partner_slug: args.partner.clone(),
            name: args.name.clone(),
            role: args.role,
            scopes,
            created_by: Some("cli".to_owned()),
        },
    )
    .await;
    let created = unit
        .finish_with(created, |c| ("api_client", c.client.id))
        .await
        .map_err(service_error)?;
    println!(
        "{}",
        serde_json::json!({
            "client_id": created.client.client_id,
            "client_secret": created.secret,
            "partner": args.partner,
            "note": "the secret is shown only now; store it safely",
        })
    );
    db.close().await.context("failed to close the database")
}

async fn run_retention(global: &GlobalArgs, args: &RetentionArgs) -> anyhow::Result<()> {
    let db = open(global).await?;
    let run = crate::jobs::retention(
        &db,
        chrono::Utc::now(),
        chrono::Duration::days(i64::from(args.days)),
        args.dry_run,
    )
    .await
    .map_err(service_error)?;
    tracing::info!(
        participants = run.participants.len(),
        applied = run.applied,
        "retention run"
    );
    println!(
        "{}",
        serde_json::json!({
            "dry_run": args.dry_run,
            "retention_days": args.days,
            "inactive_since_before": run.cutoff,
            "anonymised": if run.applied { run.participants.len() } else { 0 },
            "would_anonymise": if run.applied { 0 } else { run.participants.len() },
            "participant_ids": run.participants,
        })
    );
    db.close().await.context("failed to close the database")
}

/// Scope names from the command line (space-separated within an argument).
fn scopes_of(names: &[String]) -> anyhow::Result<Vec<Scope>> {
    let names: Vec<&str> = names.iter().flat_map(|n| n.split_whitespace()).collect();
    Scope::parse_all(&names).map_err(|name| anyhow::anyhow!("unknown scope {name:?}"))
}
