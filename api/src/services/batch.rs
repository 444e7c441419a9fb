//! The condition a batch loader selects its rows by: `column` is one of
//! `keys`.
//!
//! On PostgreSQL it is `column = ANY($1)` with the keys as one `uuid[]`
//! parameter, so that a loader's statement is the same text for every batch
//! size: prepared once per connection, and planned (generically) as an index
//! lookup per key. With `IN ($1, …, $n)` every batch size was a statement of
//! its own, and the generic plan of a long list chose bitmap scans that
//! read several indexes (docs/performance.md). SQLite has no array
//! parameters and keeps `IN (…)`.

use sea_orm::sea_query::{Expr, ExprTrait, PgFunc, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend};
use uuid::Uuid;

/// `column` is one of `keys`, in the form the connection's database plans
/// best.
pub fn key_in<C: ColumnTrait>(db: &impl ConnectionTrait, column: C, keys: &[Uuid]) -> SimpleExpr {
    key_in_for(db.get_database_backend(), column, keys)
}

fn key_in_for<C: ColumnTrait>(backend: DbBackend, column: C, keys: &[Uuid]) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => {
            Expr::col((column.entity_name(), column)).eq(PgFunc::any(Expr::val(keys.to_vec())))
        }
        _ => column.is_in(keys.iter().copied()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::placement;
    use sea_orm::{EntityTrait, QueryFilter, QueryTrait};

    fn sql(backend: DbBackend, keys: usize) -> (String, usize) {
        let keys: Vec<Uuid> = (0..keys).map(|_| Uuid::now_v7()).collect();
        let statement = placement::Entity::find()
            .filter(key_in_for(backend, placement::Column::ParticipantId, &keys))
            .build(backend);
        let values = statement.values.map_or(0, |v| v.0.len());
        (statement.sql, values)
    }

    #[test]
    fn on_postgres_every_batch_size_is_one_statement_with_one_array_parameter() {
        let (one, one_values) = sql(DbBackend::Postgres, 1);
        let (fifty, fifty_values) = sql(DbBackend::Postgres, 50);
        assert_eq!(one, fifty);
        assert!(
            one.ends_with(r#"WHERE "placement"."participant_id" = ANY($1)"#),
            "{one}"
        );
        assert_eq!((one_values, fifty_values), (1, 1));
    }

    #[test]
    fn on_sqlite_the_keys_are_a_list() {
        let (three, values) = sql(DbBackend::Sqlite, 3);
        assert!(
            three.ends_with(r#"WHERE "placement"."participant_id" IN (?, ?, ?)"#),
            "{three}"
        );
        assert_eq!(values, 3);
    }
}
