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

/// Whether a membership is in force.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::MembershipStatus")]
pub enum MembershipStatus {
    /// In force: the person can sign in to it.
    Active,
    /// Ended: its tokens and sessions are refused.
    Ended,
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

/// Where a participant is on the way to self-sufficiency.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::ParticipantStatus")]
pub enum ParticipantStatus {
    /// Waiting for a place.
    Queued,
    /// Taking part.
    Active,
    /// Gone on to work or studies.
    SelfSufficient,
    /// No longer taking part.
    Inactive,
}

/// How well someone speaks a language.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::LanguageLevel")]
pub enum LanguageLevel {
    /// A few words and phrases.
    Basic,
    /// Everyday conversation.
    Conversational,
    /// Fluent.
    Fluent,
    /// Mother tongue.
    Native,
}

/// Lifecycle of a placement.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::PlacementStatus")]
pub enum PlacementStatus {
    /// Proposed by a partner, awaiting the employer.
    Proposed,
    /// Accepted by the employer.
    Accepted,
    /// Under way.
    Active,
    /// Finished, with an outcome.
    Completed,
    /// Called off by either side.
    Cancelled,
    /// Declined by the employer.
    Declined,
}

/// Where a participant went after a placement.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::PlacementOutcome")]
pub enum PlacementOutcome {
    /// Into work.
    Work,
    /// Into studies.
    Studies,
    /// Into an internship.
    Internship,
    /// Still looking.
    ContinuedSearch,
    /// Something else.
    Other,
}

/// What kind of user a token is for.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::policy::Role")]
pub enum Role {
    /// Portalen coordinators: the whole network.
    Administrator,
    /// Staff or systems of one partner organisation.
    Partner,
    /// An employer: its own slots and the placements at its workplace.
    Employer,
    /// A mentor: their own mentees.
    Mentor,
    /// A participant: their own profile and placements.
    Participant,
    /// A volunteer of one organisation: the network's open slots and
    /// employers, nobody's personal data.
    Volunteer,
}

/// What kind of thing an activity is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::ActivityKind")]
pub enum ActivityKind {
    /// A language café (språkkafé): conversation over coffee, open to all.
    LanguageCafe,
    /// Swedish practice in a group.
    SwedishPractice,
    /// A course over several sessions (e.g. start your own business).
    Course,
    /// A study circle (studiecirkel).
    StudyCircle,
    /// A visit to an employer's workplace.
    StudyVisit,
    /// An information meeting.
    InformationMeeting,
    /// A workshop.
    Workshop,
    /// A coaching drop-in: come when it suits you.
    CoachingDropIn,
    /// A social event.
    SocialEvent,
    /// A sports event.
    SportsEvent,
}

/// Whether a session takes place.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::SessionStatus")]
pub enum SessionStatus {
    /// It takes place as planned (or as moved).
    Scheduled,
    /// It does not take place; `cancelReason` says why.
    Cancelled,
}

/// A day of the week.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl From<Weekday> for chrono::Weekday {
    fn from(day: Weekday) -> Self {
        match day {
            Weekday::Monday => Self::Mon,
            Weekday::Tuesday => Self::Tue,
            Weekday::Wednesday => Self::Wed,
            Weekday::Thursday => Self::Thu,
            Weekday::Friday => Self::Fri,
            Weekday::Saturday => Self::Sat,
            Weekday::Sunday => Self::Sun,
        }
    }
}

impl From<chrono::Weekday> for Weekday {
    fn from(day: chrono::Weekday) -> Self {
        match day {
            chrono::Weekday::Mon => Self::Monday,
            chrono::Weekday::Tue => Self::Tuesday,
            chrono::Weekday::Wed => Self::Wednesday,
            chrono::Weekday::Thu => Self::Thursday,
            chrono::Weekday::Fri => Self::Friday,
            chrono::Weekday::Sat => Self::Saturday,
            chrono::Weekday::Sun => Self::Sunday,
        }
    }
}

/// Where a sign-up stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::RegistrationStatus")]
pub enum RegistrationStatus {
    /// Has a place.
    Registered,
    /// On the waiting list.
    Waiting,
    /// A place is offered until `offerExpiresAt`: accept or decline it.
    Offered,
    /// Cancelled.
    Cancelled,
    /// The offered place was turned down.
    Declined,
    /// The offered place was not answered in time.
    Expired,
}

/// Where a person in the intake queue stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::QueueStatus")]
pub enum QueueStatus {
    /// In line.
    Waiting,
    /// An intake is offered until `offerExpiresAt`.
    Offered,
    /// Took the intake: now a participant.
    Accepted,
    /// Left the queue.
    Withdrawn,
    /// Let the offer pass unanswered.
    Expired,
}

/// What kind of thing a participant gave.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::ContributionKind")]
pub enum ContributionKind {
    /// Hosting (the language café, a meal).
    Hosting,
    /// Interpreting for others.
    Interpreting,
    /// Teaching a skill.
    Teaching,
    /// Helping at an event.
    HelpingAtEvent,
    /// Guiding newcomers.
    Guiding,
    /// Something else.
    Other,
}

/// What a volunteer did at a session.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::VolunteerTask")]
pub enum VolunteerTask {
    /// Guiding newcomers (a refugee guide).
    Guiding,
    /// Hosting (the language café).
    Hosting,
    /// Interpreting.
    Interpreting,
    /// Teaching.
    Teaching,
    /// Mentoring.
    Mentoring,
    /// Something else.
    Other,
}

/// Where logged volunteer hours stand.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::HoursStatus")]
pub enum HoursStatus {
    /// Logged, waiting for the organiser.
    Logged,
    /// Approved by the organiser.
    Approved,
    /// Declined by the organiser.
    Declined,
}
