//! The audit trail: who did or read what, when, in which request. Events
//! hold names and ids, never the personal values themselves. Append-only:
//! triggers refuse every UPDATE and DELETE, on SQLite and PostgreSQL alike.

use sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "audit_event";

const POSTGRES_TRIGGER: &str = r#"
CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"#;

const SQLITE_TRIGGERS: [&str; 2] = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(id())
                    .col(timestamp("occurred_at"))
                    .col(string_null("request_id", 100))
                    .col(string("actor", 200))
                    .col(uuid_null("organisation_id"))
                    .col(string_null("role", 16))
                    .col(string("kind", 16))
                    .col(string("operation", 100))
                    .col(string("entity", 50))
                    .col(uuid_null("entity_id"))
                    .col(string_list("fields"))
                    .check(one_of(
                        "kind",
                        &["mutation", "read", "export", "erasure", "retention"],
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(T, &["actor"])).await?;
        manager.create_index(index(T, &["organisation_id"])).await?;
        manager
            .create_index(index(T, &["entity", "entity_id"]))
            .await?;
        manager.create_index(index(T, &["occurred_at"])).await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(POSTGRES_TRIGGER).await?;
            }
            DatabaseBackend::Sqlite => {
                for trigger in SQLITE_TRIGGERS {
                    db.execute_unprepared(trigger).await?;
                }
            }
            other => {
                return Err(DbErr::Migration(format!(
                    "no append-only trigger for {other:?}"
                )));
            }
        }
        Ok(())
    }
}
