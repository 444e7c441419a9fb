//! A person taking part in Portalen. Only a first name or alias is required:
//! no papers or registration are needed to take part.
//!
//! Sensitive fields (residence status, notes) live apart, in
//! [`super::participant_sensitive`].

use sea_orm::entity::prelude::*;

use crate::{ParticipantStatus, Site, StringList, SwedishLevel};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// First name or alias: the only required field.
    pub display_name: String,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub swedish_level: Option<SwedishLevel>,
    pub site: Option<Site>,
    pub status: ParticipantStatus,
    /// The participant's own goal or business idea, in their words.
    pub goal: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub interests: StringList,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the personal data was erased; the row is then anonymised.
    pub erased_at: Option<DateTimeUtc>,
    #[sea_orm(has_many)]
    pub languages: HasMany<super::participant_language::Entity>,
    #[sea_orm(has_many)]
    pub skills: HasMany<super::participant_skill::Entity>,
    #[sea_orm(has_one)]
    pub sensitive: HasOne<super::participant_sensitive::Entity>,
    #[sea_orm(has_many)]
    pub placements: HasMany<super::placement::Entity>,
    #[sea_orm(has_many)]
    pub mentorships: HasMany<super::mentorship::Entity>,
    #[sea_orm(has_many)]
    pub consents: HasMany<super::consent::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
