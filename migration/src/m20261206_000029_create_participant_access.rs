//! Which partner organisations may see which participants, kept by the
//! database itself: one row per organisation and participant with the number
//! of reasons it may (a consent to it in force, an active placement it is
//! responsible for). A partner's participant rule then reads one index range
//! (`organisation_id, participant_id`) instead of probing consents and
//! placements participant by participant.
//!
//! Triggers on `consent` and `placement` add and take away a reason in the
//! same transaction as the change, whoever makes it (the services, seeds, an
//! operator's SQL): an in-force consent or an active placement counts +1
//! when it begins and -1 when it ends. The counts are increments (an upsert
//! on PostgreSQL, serialised writers on SQLite), so concurrent changes to the
//! same pair commute; nothing reads and then writes. Rows whose count falls
//! to 0 stay, and mean "no reason".

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const T: &str = "participant_access";

/// The same reason on both backends: `(organisation, participant, in force)`
/// of a consent and of a placement row.
const CONSENT: (&str, &str, &str) = (
    "partner_organisation_id",
    "participant_id",
    "revoked_at IS NULL",
);
const PLACEMENT: (&str, &str, &str) = (
    "responsible_partner_id",
    "participant_id",
    "status = 'active'",
);

/// The reason's condition on the old and on the new row.
fn qualified(holds: &str) -> (String, String) {
    (format!("OLD.{holds}"), format!("NEW.{holds}"))
}

fn postgres_trigger(table: &str, (org, who, holds): (&str, &str, &str)) -> String {
    let (old, new) = qualified(holds);
    format!(
        "CREATE FUNCTION {table}_participant_access() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.{org} = NEW.{org} AND OLD.{who} = NEW.{who}
     AND ({old}) IS NOT DISTINCT FROM ({new}) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND {old} THEN
    UPDATE {T} SET reasons = reasons - 1
     WHERE organisation_id = OLD.{org} AND participant_id = OLD.{who};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND {new} THEN
    INSERT INTO {T} (organisation_id, participant_id, reasons) VALUES (NEW.{org}, NEW.{who}, 1)
    ON CONFLICT (organisation_id, participant_id) DO UPDATE SET reasons = {T}.reasons + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER {table}_participant_access AFTER INSERT OR UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION {table}_participant_access();"
    )
}

fn sqlite_triggers(table: &str, (org, who, holds): (&str, &str, &str)) -> Vec<String> {
    let (old, new) = qualified(holds);
    let add = format!(
        "INSERT INTO {T} (organisation_id, participant_id, reasons) SELECT NEW.{org}, NEW.{who}, 1 WHERE {new} \
         ON CONFLICT (organisation_id, participant_id) DO UPDATE SET reasons = reasons + 1;"
    );
    let take = format!(
        "UPDATE {T} SET reasons = reasons - 1 \
         WHERE organisation_id = OLD.{org} AND participant_id = OLD.{who} AND {old};"
    );
    vec![
        format!("CREATE TRIGGER {table}_access_insert AFTER INSERT ON {table} BEGIN {add} END"),
        format!(
            "CREATE TRIGGER {table}_access_update AFTER UPDATE ON {table} \
             WHEN NOT (OLD.{org} = NEW.{org} AND OLD.{who} = NEW.{who} AND ({old}) IS ({new})) \
             BEGIN {take} {add} END"
        ),
        format!("CREATE TRIGGER {table}_access_delete AFTER DELETE ON {table} BEGIN {take} END"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(T)
                    .col(uuid("organisation_id"))
                    .col(uuid("participant_id"))
                    .col(ColumnDef::new("reasons").integer().not_null())
                    .primary_key(Index::create().col("organisation_id").col("participant_id"))
                    .check(Expr::col("reasons").gte(0))
                    .foreign_key(&mut foreign_key(
                        T,
                        "organisation_id",
                        "partner_organisation",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        T,
                        "participant_id",
                        "participant",
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        let db = manager.get_connection();
        // What is in force today, counted once.
        db.execute_unprepared(&format!(
            "INSERT INTO {T} (organisation_id, participant_id, reasons) \
             SELECT organisation_id, participant_id, COUNT(*) FROM ( \
               SELECT partner_organisation_id AS organisation_id, participant_id FROM consent WHERE revoked_at IS NULL \
               UNION ALL \
               SELECT responsible_partner_id, participant_id FROM placement WHERE status = 'active' \
             ) AS reasons GROUP BY organisation_id, participant_id"
        ))
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                for (table, reason) in [("consent", CONSENT), ("placement", PLACEMENT)] {
                    db.execute_unprepared(&postgres_trigger(table, reason))
                        .await?;
                }
            }
            _ => {
                for (table, reason) in [("consent", CONSENT), ("placement", PLACEMENT)] {
                    for statement in sqlite_triggers(table, reason) {
                        db.execute_unprepared(&statement).await?;
                    }
                }
            }
        }
        Ok(())
    }
}
