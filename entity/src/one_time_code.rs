//! A one-time sign-in code sent by e-mail; only its hash is kept.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "one_time_code")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    /// PHC-format argon2 hash of the code.
    pub code_hash: String,
    /// Attempts made with it, at most five.
    pub attempts: i32,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "person_id", to = "id")]
    pub person: BelongsTo<super::person::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
