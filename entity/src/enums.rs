//! Enumerations shared by the entities, stored as short lowercase strings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What kind of organisation a partner is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum PartnerKind {
    #[sea_orm(string_value = "municipality")]
    Municipality,
    #[sea_orm(string_value = "housing_company")]
    HousingCompany,
    #[sea_orm(string_value = "study_association")]
    StudyAssociation,
    #[sea_orm(string_value = "folk_high_school")]
    FolkHighSchool,
    #[sea_orm(string_value = "authority")]
    Authority,
    #[sea_orm(string_value = "church")]
    Church,
    #[sea_orm(string_value = "employment_service")]
    EmploymentService,
    #[sea_orm(string_value = "company")]
    Company,
    #[sea_orm(string_value = "sports_club")]
    SportsClub,
    #[sea_orm(string_value = "non_profit")]
    NonProfit,
}

/// How a partner organisation belongs to the network.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum PartnerNetwork {
    /// One of the six organisations that run Portalen together.
    #[sea_orm(string_value = "core")]
    Core,
    /// Works alongside the core partners (Arbetsförmedlingen).
    #[sea_orm(string_value = "associated")]
    Associated,
    /// A company or club in the #starkaretillsammans initiative.
    #[sea_orm(string_value = "starkare_tillsammans")]
    StarkareTillsammans,
}

/// Whether a partner organisation's access is in force.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PartnerStatus {
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "suspended")]
    Suspended,
}

/// The two places where Portalen works.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Site {
    #[sea_orm(string_value = "hageby")]
    Hageby,
    #[sea_orm(string_value = "ringdansen")]
    Ringdansen,
}

/// Where a participant is on the way to self-sufficiency.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ParticipantStatus {
    #[sea_orm(string_value = "queued")]
    Queued,
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "self_sufficient")]
    SelfSufficient,
    #[sea_orm(string_value = "inactive")]
    Inactive,
}

/// Level of Swedish on the CEFR scale, with `none` for a beginner.
///
/// Variants are declared in ascending order, so `Ord` compares levels.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum SwedishLevel {
    #[sea_orm(string_value = "none")]
    None,
    #[sea_orm(string_value = "a1")]
    A1,
    #[sea_orm(string_value = "a2")]
    A2,
    #[sea_orm(string_value = "b1")]
    B1,
    #[sea_orm(string_value = "b2")]
    B2,
    #[sea_orm(string_value = "c1")]
    C1,
    #[sea_orm(string_value = "c2")]
    C2,
}

/// How well someone speaks a language (other than the Swedish level).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum LanguageLevel {
    #[sea_orm(string_value = "basic")]
    Basic,
    #[sea_orm(string_value = "conversational")]
    Conversational,
    #[sea_orm(string_value = "fluent")]
    Fluent,
    #[sea_orm(string_value = "native")]
    Native,
}

/// What an employer offers: the kind of a slot and of the placement made in it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum OpportunityKind {
    /// Praktik: an unpaid work placement.
    #[sea_orm(string_value = "internship")]
    Internship,
    #[sea_orm(string_value = "job")]
    Job,
    #[sea_orm(string_value = "training_place")]
    TrainingPlace,
    #[sea_orm(string_value = "study_visit")]
    StudyVisit,
}

/// Lifecycle of an internship slot.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SlotStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "filled")]
    Filled,
    #[sea_orm(string_value = "closed")]
    Closed,
}

/// Lifecycle of a placement.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PlacementStatus {
    #[sea_orm(string_value = "proposed")]
    Proposed,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "completed")]
    Completed,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    #[sea_orm(string_value = "declined")]
    Declined,
}

/// Where a participant went after a placement.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum PlacementOutcome {
    #[sea_orm(string_value = "work")]
    Work,
    #[sea_orm(string_value = "studies")]
    Studies,
    #[sea_orm(string_value = "internship")]
    Internship,
    #[sea_orm(string_value = "continued_search")]
    ContinuedSearch,
    #[sea_orm(string_value = "other")]
    Other,
}

/// The role a person holds in an organisation through a membership.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MembershipRole {
    #[sea_orm(string_value = "administrator")]
    Administrator,
    #[sea_orm(string_value = "partner")]
    Partner,
    #[sea_orm(string_value = "employer")]
    Employer,
    #[sea_orm(string_value = "mentor")]
    Mentor,
    #[sea_orm(string_value = "volunteer")]
    Volunteer,
    #[sea_orm(string_value = "participant")]
    Participant,
}

/// Whether a membership is in force.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MembershipStatus {
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "ended")]
    Ended,
}

/// What kind of thing an activity is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ActivityKind {
    #[sea_orm(string_value = "language_cafe")]
    LanguageCafe,
    #[sea_orm(string_value = "swedish_practice")]
    SwedishPractice,
    #[sea_orm(string_value = "course")]
    Course,
    #[sea_orm(string_value = "study_circle")]
    StudyCircle,
    #[sea_orm(string_value = "study_visit")]
    StudyVisit,
    #[sea_orm(string_value = "information_meeting")]
    InformationMeeting,
    #[sea_orm(string_value = "workshop")]
    Workshop,
    #[sea_orm(string_value = "coaching_drop_in")]
    CoachingDropIn,
    #[sea_orm(string_value = "social_event")]
    SocialEvent,
    #[sea_orm(string_value = "sports_event")]
    SportsEvent,
}

/// Whether a session takes place.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SessionStatus {
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// Where a sign-up stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RegistrationStatus {
    #[sea_orm(string_value = "registered")]
    Registered,
    #[sea_orm(string_value = "waiting")]
    Waiting,
    #[sea_orm(string_value = "offered")]
    Offered,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    #[sea_orm(string_value = "declined")]
    Declined,
    #[sea_orm(string_value = "expired")]
    Expired,
}

/// Where a person in the intake queue stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum QueueStatus {
    #[sea_orm(string_value = "waiting")]
    Waiting,
    #[sea_orm(string_value = "offered")]
    Offered,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
    #[sea_orm(string_value = "expired")]
    Expired,
}

/// What kind of thing a participant gave.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ContributionKind {
    #[sea_orm(string_value = "hosting")]
    Hosting,
    #[sea_orm(string_value = "interpreting")]
    Interpreting,
    #[sea_orm(string_value = "teaching")]
    Teaching,
    #[sea_orm(string_value = "helping_at_event")]
    HelpingAtEvent,
    #[sea_orm(string_value = "guiding")]
    Guiding,
    #[sea_orm(string_value = "other")]
    Other,
}

/// What a volunteer did at a session.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum VolunteerTask {
    #[sea_orm(string_value = "guiding")]
    Guiding,
    #[sea_orm(string_value = "hosting")]
    Hosting,
    #[sea_orm(string_value = "interpreting")]
    Interpreting,
    #[sea_orm(string_value = "teaching")]
    Teaching,
    #[sea_orm(string_value = "mentoring")]
    Mentoring,
    #[sea_orm(string_value = "other")]
    Other,
}

/// Where logged volunteer hours stand.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum HoursStatus {
    #[sea_orm(string_value = "logged")]
    Logged,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "declined")]
    Declined,
}
