use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::TestDatabase;

const TABLES: &[&str] = &[
    "partner_organisation",
    "employer",
    "mentor",
    "mentor_language",
    "mentor_expertise",
    "participant",
    "participant_language",
    "participant_skill",
    "participant_sensitive",
    "internship_slot",
    "slot_skill",
    "placement",
    "mentorship",
    "consent",
];

#[tokio::test]
async fn migrations_create_every_table_and_a_second_run_is_a_no_op() {
    let database = TestDatabase::create().await;
    let db = portalen_api::db::connect(&database.settings())
        .await
        .expect("connect");
    portalen_api::db::migrate(&db).await.expect("first run");
    portalen_api::db::migrate(&db).await.expect("second run");
    let pending = Migrator::get_pending_migrations(&db)
        .await
        .expect("pending");
    assert!(pending.is_empty());

    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table'",
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .expect("list tables");
    let names: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "name").expect("name"))
        .collect();
    for table in TABLES {
        assert!(
            names.iter().any(|n| n == table),
            "{table} missing from {names:?}"
        );
    }
}

#[tokio::test]
async fn the_embedded_database_uses_wal_and_enforces_foreign_keys() {
    let database = TestDatabase::create().await;
    let db = portalen_api::db::connect(&database.settings())
        .await
        .expect("connect");
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    for (pragma, expected) in [
        ("journal_mode", "wal"),
        ("foreign_keys", "1"),
        ("busy_timeout", "5000"),
    ] {
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                format!("PRAGMA {pragma}"),
            ))
            .await
            .expect("pragma")
            .expect("a row");
        let value = row
            .try_get_by_index::<String>(0)
            .or_else(|_| row.try_get_by_index::<i64>(0).map(|v| v.to_string()))
            .expect("value");
        assert_eq!(value, expected, "{pragma}");
    }
}
