//! What the `portalen` binary does for each subcommand.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::config::{Cli, Command, GlobalArgs, SeedArgs, SeedDemo, ServeArgs};
use crate::startup::{Application, ServerSettings};
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
            telemetry::init(&cli.global.log_level, cli.global.log_format)?;
            match command {
                None => serve(&cli.global, &cli.serve).await,
                Some(Command::Serve(args)) => serve(&cli.global, &args).await,
                Some(Command::Migrate) => {
                    let db = open(&cli.global).await?;
                    tracing::info!("migrations applied");
                    db.close().await.context("failed to close the database")
                }
                Some(Command::Seed(args)) => run_seed(&cli.global, &args).await,
                Some(Command::Schema) => Ok(()),
            }
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

async fn serve(global: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let settings = global.database()?;
    let db = db::connect(&settings).await?;
    db::migrate(&db).await?;
    if args.seed_demo == SeedDemo::IfEmpty && is_empty(&db).await? {
        let counts = seed::demo::seed_demo(&db).await?;
        tracing::info!(?counts, "seeded the demo network into an empty database");
    }
    let server = Application::build(
        &ServerSettings {
            bind_addr: args.bind_addr,
            workers: args.workers.map(usize::from),
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout),
            handle_signals: true,
        },
        db.clone(),
    )?;
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
