//! Sign-ups for activities with places: a place, the waiting list, and
//! offers of places given up.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::context::caller;
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, payload};
use crate::graphql::types::Registration;
use crate::graphql::write::Write;
use crate::policy::{Role, Scope};
use crate::services::ServiceResult;
use crate::services::registrations as service;

/// A participant signed up for an activity.
#[derive(InputObject)]
pub struct RegisterForActivityInput {
    /// The activity; it must need registration.
    pub activity_id: ID,
    /// The participant, one the caller may see (a participant: themself).
    pub participant_id: ID,
}

/// The result of a sign-up mutation.
#[derive(SimpleObject)]
pub struct RegistrationPayload {
    /// The sign-up as it now stands, unless the input was refused.
    pub registration: Option<Registration>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

const SIGNERS: &[Role] = &[Role::Administrator, Role::Partner, Role::Participant];

/// Mutations of sign-ups.
#[derive(Default)]
pub struct RegistrationMutation;

#[Object]
impl RegistrationMutation {
    /// Signs a participant up: a place while places are left (REGISTERED),
    /// else the end of the waiting list (WAITING). CONFLICT if they are
    /// signed up already. Requires `registrations:write`, as administrator,
    /// partner or the participant.
    #[graphql(guard = "Require::roles(Scope::RegistrationsWrite, SIGNERS)")]
    async fn register_for_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The activity and the participant; see the input type.")]
        input: RegisterForActivityInput,
    ) -> Result<RegistrationPayload> {
        let activity_id = decode_as(&input.activity_id, NodeType::Activity, "input.activityId")?;
        let participant_id = decode_as(
            &input.participant_id,
            NodeType::Participant,
            "input.participantId",
        )?;
        let write = Write::begin(ctx).await?;
        let result =
            service::register(write.txn(), caller(ctx)?, activity_id, participant_id).await;
        registration_payload(write.finish(result).await)
    }

    /// Cancels a sign-up; a place it held is offered to the first on the
    /// waiting list. CONFLICT if it has ended. Requires
    /// `registrations:write`, as administrator, partner or the participant.
    #[graphql(guard = "Require::roles(Scope::RegistrationsWrite, SIGNERS)")]
    async fn cancel_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sign-up's global id.")] id: ID,
    ) -> Result<RegistrationPayload> {
        let id = decode_as(&id, NodeType::Registration, "id")?;
        let write = Write::begin(ctx).await?;
        let result = service::cancel(write.txn(), caller(ctx)?, id).await;
        passed_payload(write, result).await
    }

    /// Takes an offered place before `offerExpiresAt`; CONFLICT once it
    /// has expired. Requires `registrations:write`, as administrator,
    /// partner or the participant.
    #[graphql(guard = "Require::roles(Scope::RegistrationsWrite, SIGNERS)")]
    async fn accept_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sign-up's global id.")] id: ID,
    ) -> Result<RegistrationPayload> {
        let id = decode_as(&id, NodeType::Registration, "id")?;
        let write = Write::begin(ctx).await?;
        let result = service::accept_offer(write.txn(), caller(ctx)?, id).await;
        registration_payload(write.finish(result).await)
    }

    /// Turns an offered place down; it is offered to the next in line.
    /// Requires `registrations:write`, as administrator, partner or the
    /// participant.
    #[graphql(guard = "Require::roles(Scope::RegistrationsWrite, SIGNERS)")]
    async fn decline_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sign-up's global id.")] id: ID,
    ) -> Result<RegistrationPayload> {
        let id = decode_as(&id, NodeType::Registration, "id")?;
        let write = Write::begin(ctx).await?;
        let result = service::decline_offer(write.txn(), caller(ctx)?, id).await;
        passed_payload(write, result).await
    }
}

/// Finishes a change that may have offered the place on: both sign-ups
/// audited, and the offer announced to subscribers.
async fn passed_payload(
    write: crate::unit_of_work::UnitOfWork,
    result: ServiceResult<service::PlacePassed>,
) -> Result<RegistrationPayload> {
    let result = write
        .finish_each_announcing(
            result,
            |p| {
                std::iter::once(&p.registration)
                    .chain(p.offered.as_ref())
                    .map(|r| ("registration", r.id))
                    .collect()
            },
            |p| {
                p.offered
                    .iter()
                    .map(|r| crate::events::Event::PlaceOffered(r.id))
                    .collect()
            },
        )
        .await;
    registration_payload(result.map(|p| p.registration))
}

fn registration_payload(
    result: ServiceResult<entity::registration::Model>,
) -> Result<RegistrationPayload> {
    let (registration, user_errors) = payload(result)?;
    Ok(RegistrationPayload {
        registration: registration.map(Registration),
        user_errors,
    })
}
