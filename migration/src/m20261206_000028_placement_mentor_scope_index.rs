//! `placement (mentor_id, responsible_partner_id)`: the partner's mentor
//! rule probes, per mentor, whether a placement the partner is responsible
//! for names them; with this index that is one index lookup, where the
//! `IN (subquery)` form read every placement of the partner.

use sea_orm_migration::prelude::*;

use crate::helpers::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index("placement", &["mentor_id", "responsible_partner_id"]))
            .await
    }
}
