//! GraphQL object types. Each wraps an entity model and exposes only the
//! columns it names: a column reaches the API only when a type says so.

mod activity;
mod api_client;
mod audit_event;
mod consent;
mod contribution;
mod employer;
mod internship_slot;
mod mentor;
mod mentorship;
mod participant;
mod partner_organisation;
mod people;
mod placement;
mod queue_entry;
mod registration;
mod viewer;
mod volunteer_hours;

pub use activity::{Activity, ActivitySession, WeeklyRuleView};
pub use api_client::ApiClient;
pub use audit_event::{AuditEvent, AuditEventKind};
pub use consent::Consent;
pub use contribution::Contribution;
pub use employer::Employer;
pub use internship_slot::InternshipSlot;
pub use mentor::Mentor;
pub use mentorship::Mentorship;
pub use participant::Participant;
pub use partner_organisation::PartnerOrganisation;
pub use people::{GroupMapping, IdentityProvider, Membership, Person};
pub use placement::Placement;
pub use queue_entry::QueueEntry;
pub use registration::Registration;
pub use viewer::Viewer;
pub use volunteer_hours::VolunteerHours;
