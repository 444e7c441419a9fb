//! Column and constraint builders shared by the migrations.
//!
//! These describe conventions (UUID keys, UTC timestamps, named constraints),
//! not any one table, so editing them is editing every migration: add a new
//! helper rather than change an existing one.

use sea_orm_migration::prelude::*;

/// `id uuid PRIMARY KEY`.
pub fn id() -> ColumnDef {
    ColumnDef::new("id").uuid().not_null().primary_key().take()
}

/// A required UUID column (a foreign key).
pub fn uuid(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).uuid().not_null().take()
}

/// An optional UUID column (an optional foreign key).
pub fn uuid_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).uuid().null().take()
}

/// A required string of at most `len` characters.
pub fn string(name: &'static str, len: u32) -> ColumnDef {
    ColumnDef::new(name).string_len(len).not_null().take()
}

/// An optional string of at most `len` characters.
pub fn string_null(name: &'static str, len: u32) -> ColumnDef {
    ColumnDef::new(name).string_len(len).null().take()
}

/// An optional free text.
pub fn text_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).text().null().take()
}

/// A required timestamp in UTC.
pub fn timestamp(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .take()
}

/// An optional timestamp in UTC.
pub fn timestamp_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .null()
        .take()
}

/// A JSON list of strings, `[]` when empty.
pub fn string_list(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).json_binary().not_null().take()
}

/// `CHECK (column IN (...))` for a column holding an enumeration.
pub fn one_of(column: &'static str, values: &[&'static str]) -> SimpleExpr {
    Expr::col(column).is_in(values.iter().copied())
}

/// `CHECK (column IS NULL OR column IN (...))` for an optional enumeration.
pub fn null_or_one_of(column: &'static str, values: &[&'static str]) -> SimpleExpr {
    Expr::col(column)
        .is_null()
        .or(Expr::col(column).is_in(values.iter().copied()))
}

/// A named foreign key from `table.column` to `to_table.id`.
pub fn foreign_key(
    table: &'static str,
    column: &'static str,
    to_table: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(to_table, "id")
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Cascade)
        .take()
}

/// A named index on `table (columns...)`.
pub fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(format!("idx_{table}_{}", columns.join("_")))
        .table(table);
    for column in columns {
        index.col(*column);
    }
    index.take()
}

/// A named unique index on `table (columns...)`; the name starts with `ux_`,
/// which the API maps to a clear CONFLICT error.
pub fn unique(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(format!("ux_{table}_{}", columns.join("_")))
        .table(table)
        .unique();
    for column in columns {
        index.col(*column);
    }
    index.take()
}

/// Stored values of the `site` enumeration.
pub const SITES: &[&str] = &["hageby", "ringdansen"];
/// Stored values of the `swedish_level` enumeration.
pub const SWEDISH_LEVELS: &[&str] = &["none", "a1", "a2", "b1", "b2", "c1", "c2"];
/// Stored values of the opportunity kind (slots and placements).
pub const OPPORTUNITY_KINDS: &[&str] = &["internship", "job", "training_place", "study_visit"];
