//! A person's membership of a partner organisation: the role they act in
//! and, for the personal roles, the row they act as.

use sea_orm::entity::prelude::*;

use crate::{MembershipRole, MembershipStatus};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub partner_organisation_id: Uuid,
    pub role: MembershipRole,
    /// The employer an employer's contact acts for.
    pub employer_id: Option<Uuid>,
    /// The mentor row a mentor acts as.
    pub mentor_id: Option<Uuid>,
    /// The participant row a participant acts as.
    pub participant_id: Option<Uuid>,
    pub status: MembershipStatus,
    /// Who added it (a token subject).
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
    #[sea_orm(belongs_to, from = "person_id", to = "id")]
    pub person: BelongsTo<super::person::Entity>,
    #[sea_orm(belongs_to, from = "partner_organisation_id", to = "id")]
    pub partner_organisation: BelongsTo<super::partner_organisation::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
