//! GraphQL enumerations, mirroring the stored ones in `entity`.

use async_graphql::Enum;

/// What kind of organisation a partner is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::PartnerKind")]
pub enum PartnerKind {
    /// A municipality (kommun).
    Municipality,
    /// A housing company (bostadsbolag).
    HousingCompany,
    /// A study association (studieförbund).
    StudyAssociation,
    /// A folk high school (folkhögskola).
    FolkHighSchool,
    /// A government authority (myndighet).
    Authority,
    /// A church or congregation.
    Church,
    /// The public employment service.
    EmploymentService,
    /// A company.
    Company,
    /// A sports club.
    SportsClub,
    /// A non-profit association.
    NonProfit,
}

/// How a partner organisation belongs to the network.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::PartnerNetwork")]
pub enum PartnerNetwork {
    /// One of the six organisations that run Portalen together.
    Core,
    /// Works alongside the core partners.
    Associated,
    /// A company or club in the #starkaretillsammans initiative.
    StarkareTillsammans,
}

/// Whether a partner organisation's access is in force.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::PartnerStatus")]
pub enum PartnerStatus {
    /// Access is in force.
    Active,
    /// Access is withdrawn; its tokens are refused.
    Suspended,
}

/// The two places where Portalen works.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::Site")]
pub enum Site {
    /// Hageby, Norrköping.
    Hageby,
    /// Ringdansen, Norrköping.
    Ringdansen,
}

/// Level of Swedish on the CEFR scale.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::SwedishLevel")]
pub enum SwedishLevel {
    /// No Swedish yet.
    None,
    /// CEFR A1, breakthrough.
    A1,
    /// CEFR A2, waystage.
    A2,
    /// CEFR B1, threshold.
    B1,
    /// CEFR B2, vantage.
    B2,
    /// CEFR C1, effective operational proficiency.
    C1,
    /// CEFR C2, mastery.
    C2,
}

/// What an employer offers.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::OpportunityKind")]
pub enum OpportunityKind {
    /// An internship (praktik): an unpaid work placement.
    Internship,
    /// A paid job.
    Job,
    /// A training place.
    TrainingPlace,
    /// A study visit.
    StudyVisit,
}

/// Lifecycle of an internship slot.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::SlotStatus")]
pub enum SlotStatus {
    /// Being written; seen only by its employer.
    Draft,
    /// Taking candidates.
    Open,
    /// Every place is taken.
    Filled,
    /// No longer offered.
    Closed,
}
