//! A person's sign-in session: one membership, one family of refresh
//! tokens, revoked at sign-out or when a refresh token is reused.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub membership_id: Uuid,
    /// `one_time_code` or `token_exchange`.
    pub method: String,
    pub created_at: DateTimeUtc,
    /// No refresh past this, however often refreshed.
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    /// `sign_out`, `refresh_token_reuse` or `revoked`.
    pub revoked_reason: Option<String>,
    #[sea_orm(belongs_to, from = "person_id", to = "id")]
    pub person: BelongsTo<super::person::Entity>,
    #[sea_orm(belongs_to, from = "membership_id", to = "id")]
    pub membership: BelongsTo<super::membership::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
