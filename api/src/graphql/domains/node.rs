//! Global object identification: `node(id:)` and `nodes(ids:)` resolve any
//! global id through the same scopes and row policy as the typed queries.

use async_graphql::{Context, Guard, ID, Interface, Object, Result};

use crate::graphql::context::{caller, db, loader_error, loaders};
use crate::graphql::error::bad_input;
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode};
use crate::graphql::loaders::{
    ActivityById, ConsentById, EmployerById, MembershipById, MentorById, MentorshipById,
    ParticipantById, PartnerById, PersonById, PlacementById, SessionById, SlotById,
};
use crate::graphql::types::{
    Activity, ActivitySession, ApiClient, AuditEvent, Consent, Employer, IdentityProvider,
    InternshipSlot, Membership, Mentor, Mentorship, Participant, PartnerOrganisation, Person,
    Placement, QueueEntry, Registration, VolunteerHours,
};
use crate::policy::reads::Kind;
use crate::services;

/// The most ids one `nodes` call takes.
pub const MAX_NODES: usize = 100;

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    PartnerOrganisation(PartnerOrganisation),
    Employer(Employer),
    InternshipSlot(InternshipSlot),
    Participant(Participant),
    Placement(Placement),
    Mentor(Mentor),
    Mentorship(Mentorship),
    Consent(Consent),
    ApiClient(ApiClient),
    AuditEvent(AuditEvent),
    Membership(Membership),
    Person(Person),
    IdentityProvider(IdentityProvider),
    Activity(Activity),
    ActivitySession(ActivitySession),
    Registration(Registration),
    QueueEntry(QueueEntry),
    VolunteerHours(VolunteerHours),
}

/// The kind of object a global id names, as the policy knows it.
fn kind(node_type: NodeType) -> Kind {
    match node_type {
        NodeType::PartnerOrganisation => Kind::PartnerOrganisation,
        NodeType::Employer => Kind::Employer,
        NodeType::InternshipSlot => Kind::InternshipSlot,
        NodeType::Participant => Kind::Participant,
        NodeType::Placement => Kind::Placement,
        NodeType::Mentor => Kind::Mentor,
        NodeType::Mentorship => Kind::Mentorship,
        NodeType::Consent => Kind::Consent,
        NodeType::ApiClient => Kind::ApiClient,
        NodeType::AuditEvent => Kind::AuditEvent,
        NodeType::Membership => Kind::Membership,
        NodeType::Person => Kind::Person,
        NodeType::IdentityProvider => Kind::IdentityProvider,
        NodeType::Activity => Kind::Activity,
        NodeType::ActivitySession => Kind::ActivitySession,
        NodeType::Registration => Kind::Registration,
        NodeType::QueueEntry => Kind::QueueEntry,
        NodeType::VolunteerHours => Kind::VolunteerHours,
    }
}

/// The object behind a global id, if the caller may see it.
async fn resolve(ctx: &Context<'_>, id: &ID) -> Result<Option<Node>> {
    let Some((node_type, uuid)) = decode(id) else {
        return Err(bad_input("id", "not a valid id"));
    };
    Require::read(kind(node_type)).check(ctx).await?;
    let loaders = loaders(ctx)?;
    Ok(match node_type {
        NodeType::PartnerOrganisation => loaders
            .load_one(PartnerById(uuid))
            .await
            .map_err(loader_error)?
            .map(|m| Node::PartnerOrganisation(PartnerOrganisation(m))),
        NodeType::Employer => loaders
            .load_one(EmployerById(uuid))
            .await
            .map_err(loader_error)?
            .map(|m| Node::Employer(Employer(m))),
        NodeType::InternshipSlot => loaders
            .load_one(SlotById(uuid))
            .await
            .map_err(loader_error)?
            .map(|m| Node::InternshipSlot(InternshipSlot(m))),
        NodeType::Participant => loaders
            .load_one(ParticipantById(uuid))
            .await
            .map_err(loader_error)?
            .map(|m| Node::Participant(Participant(m))),
        NodeType::Placement => loaders
            .load_one(PlacementById(uuid))
            .await
            .map_err(loader_error)?
            .map(|m| Node::Placement(Placement(m))),
        NodeType::Mentor => loaders
            .load_one(MentorById(uuid))
            .await
            .map_err(loader_error)?
            .map(|m| Node::Mentor(Mentor(m))),
        NodeType::Mentorship => loaders
            .load_one(MentorshipById(uuid))
            .await
            .map_err(loader_error)?
            .map(|m| Node::Mentorship(Mentorship(m))),
        NodeType::Consent => loaders
            .load_one(ConsentById(uuid))
            .await
            .map_err(loader_error)?
            .map(|m| Node::Consent(Consent(m))),
        NodeType::ApiClient => services::api_clients::find_api_client(db(ctx)?, uuid)
            .await?
            .map(|m| Node::ApiClient(ApiClient(m))),
        NodeType::AuditEvent => services::audit::find_event(db(ctx)?, uuid)
            .await?
            .map(|m| Node::AuditEvent(AuditEvent(m))),
        NodeType::Membership => loaders
            .load_one(MembershipById(uuid))
            .await
            .map_err(loader_error)?
            .map(|m| Node::Membership(Membership(m))),
        NodeType::Person => loaders
            .load_one(PersonById(uuid))
            .await
            .map_err(loader_error)?
            .map(|m| Node::Person(Person(m))),
        NodeType::IdentityProvider => {
            services::identity_providers::find(db(ctx)?, caller(ctx)?, uuid)
                .await?
                .map(|m| Node::IdentityProvider(IdentityProvider(m)))
        }
        NodeType::Activity => loaders
            .load_one(ActivityById(uuid))
            .await
            .map_err(loader_error)?
            .map(|m| Node::Activity(Activity(m))),
        NodeType::ActivitySession => loaders
            .load_one(SessionById(uuid))
            .await
            .map_err(loader_error)?
            .map(|m| Node::ActivitySession(ActivitySession(m))),
        NodeType::Registration => {
            match services::registrations::find_registration(db(ctx)?, caller(ctx)?, uuid).await {
                Ok(row) => Some(Node::Registration(Registration(row))),
                Err(services::ServiceError::NotFound { .. }) => None,
                Err(other) => return Err(other.into()),
            }
        }
        NodeType::QueueEntry => {
            match services::queue::find_entry(db(ctx)?, caller(ctx)?, uuid).await {
                Ok(row) => Some(Node::QueueEntry(QueueEntry::new(row))),
                Err(services::ServiceError::NotFound { .. }) => None,
                Err(other) => return Err(other.into()),
            }
        }
        NodeType::VolunteerHours => {
            match services::volunteers::find_hours(db(ctx)?, caller(ctx)?, uuid).await {
                Ok(row) => Some(Node::VolunteerHours(VolunteerHours(row))),
                Err(services::ServiceError::NotFound { .. }) => None,
                Err(other) => return Err(other.into()),
            }
        }
    })
}

/// `node` and `nodes`.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id; NOT_FOUND if there is none or the
    /// caller may not see it. Needs the scope its type needs (see the typed
    /// queries).
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id.")] id: ID,
    ) -> Result<Option<Node>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        resolve(ctx, &id)
            .await?
            .ok_or_else(|| {
                crate::graphql::error::error(
                    crate::graphql::error::ErrorCode::NotFound,
                    "not found",
                )
            })
            .map(Some)
    }

    /// The objects with these global ids, in order: null where an id is
    /// unknown or not visible to the caller. At most 100 ids; loaded in one
    /// batch per type.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids, at most 100.")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(bad_input("ids", format!("at most {MAX_NODES} ids")));
        }
        let lookups = ids.iter().map(|id| resolve(ctx, id));
        let results = futures_util::future::join_all(lookups).await;
        results.into_iter().collect()
    }
}
