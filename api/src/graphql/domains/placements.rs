//! Placements of participants at employers, and their lifecycle.

use crate::policy::reads::Kind;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::connection::{ListOrder, Paged, connection, counted, page_request};
use crate::graphql::context::{caller, db};
use crate::graphql::enums::{OpportunityKind, PlacementOutcome, PlacementStatus};
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, payload};
use crate::graphql::scalars::Date;
use crate::graphql::types::Placement;
use crate::graphql::write::Write;
use crate::policy::{Role, Scope};
use crate::services::placement_lifecycle::Transition;
use crate::services::{self};

/// Narrows a list of placements; given fields must all hold.
#[derive(InputObject, Default)]
pub struct PlacementFilter {
    /// In any of these statuses.
    #[graphql(default)]
    pub status: Vec<PlacementStatus>,
    /// Of any of these kinds.
    #[graphql(default)]
    pub kind: Vec<OpportunityKind>,
    /// At this employer.
    pub employer_id: Option<ID>,
    /// Followed by this partner organisation.
    pub responsible_partner_id: Option<ID>,
    /// Of this participant.
    pub participant_id: Option<ID>,
    /// Starting on or after this day.
    pub starts_from: Option<Date>,
    /// Starting on or before this day.
    pub starts_until: Option<Date>,
}

impl PlacementFilter {
    fn into_service(self) -> Result<services::placements::PlacementFilter> {
        Ok(services::placements::PlacementFilter {
            statuses: self.status.into_iter().map(Into::into).collect(),
            kinds: self.kind.into_iter().map(Into::into).collect(),
            employer_id: self
                .employer_id
                .map(|id| decode_as(&id, NodeType::Employer, "filter.employerId"))
                .transpose()?,
            responsible_partner_id: self
                .responsible_partner_id
                .map(|id| {
                    decode_as(
                        &id,
                        NodeType::PartnerOrganisation,
                        "filter.responsiblePartnerId",
                    )
                })
                .transpose()?,
            participant_id: self
                .participant_id
                .map(|id| decode_as(&id, NodeType::Participant, "filter.participantId"))
                .transpose()?,
            starts_from: self.starts_from.map(|d| d.0),
            starts_until: self.starts_until.map(|d| d.0),
        })
    }
}

/// Queries about placements.
#[derive(Default)]
pub struct PlacementQuery;

#[Object]
impl PlacementQuery {
    /// The placements the caller may see, oldest first, narrowed by
    /// `filter`. Requires `placements:read`.
    #[graphql(
        guard = "Require::read(Kind::Placement)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "a connection's order, filter and four paging arguments"
    )]
    async fn placements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order; default oldest first.")] order_by: Option<ListOrder>,
        #[graphql(desc = "Only placements matching all given fields.")] filter: Option<
            PlacementFilter,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<Placement>> {
        let page = page_request(after, before, first, last)?;
        let filter = match filter {
            Some(filter) => filter.into_service()?,
            None => Default::default(),
        };
        let db = db(ctx)?.clone();
        let caller = caller(ctx)?.clone();
        let page = ListOrder::apply(order_by, page);
        let rows = services::placements::list_placements(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            Placement,
            counted((db, caller, filter), |(db, caller, filter)| async move {
                services::placements::count_placements(&db, &caller, &filter).await
            }),
        ))
    }

    /// The placement with this id, if the caller may see it; NOT_FOUND
    /// otherwise. Requires `placements:read`.
    #[graphql(guard = "Require::read(Kind::Placement)")]
    async fn placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The placement's global id.")] id: ID,
    ) -> Result<Option<Placement>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let id = decode_as(&id, NodeType::Placement, "id")?;
        Ok(Some(Placement(
            services::placements::find_placement(db(ctx)?, caller(ctx)?, id).await?,
        )))
    }
}

/// New dates for a placement.
#[derive(InputObject)]
pub struct ReschedulePlacementInput {
    /// The placement.
    pub id: ID,
    /// First day.
    pub starts_on: Option<Date>,
    /// Last day, not before the first.
    pub ends_on: Option<Date>,
    /// The version last read; a stale version answers CONFLICT.
    pub version: i32,
}

/// The result of `reschedulePlacement`.
#[derive(SimpleObject)]
pub struct ReschedulePlacementPayload {
    /// The placement as changed, unless the input was refused.
    pub placement: Option<Placement>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// A placement to propose: a participant in an open slot, or directly at
/// an employer.
#[derive(InputObject)]
pub struct ProposePlacementInput {
    /// A key of the client's choosing that makes a retry safe: the same key
    /// with the same input returns what the first request created; with
    /// another input, CONFLICT. The `Idempotency-Key` header does the same.
    pub client_mutation_id: Option<String>,
    /// The participant; one the caller may see.
    pub participant_id: ID,
    /// The slot; its employer, kind and dates are the defaults.
    pub slot_id: Option<ID>,
    /// The employer; needed without a slot.
    pub employer_id: Option<ID>,
    /// What kind of opportunity; needed without a slot.
    pub kind: Option<OpportunityKind>,
    /// First day.
    pub starts_on: Option<Date>,
    /// Last day, not before the first.
    pub ends_on: Option<Date>,
    /// A mentor to support the participant.
    pub mentor_id: Option<ID>,
    /// For administrators: the organisation that will follow the placement
    /// (default the caller's own).
    pub responsible_partner_id: Option<ID>,
}

/// A step of a placement's lifecycle.
#[derive(InputObject)]
pub struct PlacementTransitionInput {
    /// The placement.
    pub id: ID,
    /// The version last read; a stale version answers CONFLICT.
    pub version: i32,
}

/// The completion of a placement, with where the participant went.
#[derive(InputObject)]
pub struct CompletePlacementInput {
    /// The placement.
    pub id: ID,
    /// The version last read; a stale version answers CONFLICT.
    pub version: i32,
    /// Where the participant went afterwards.
    pub outcome: PlacementOutcome,
}

/// The result of a placement mutation.
#[derive(SimpleObject)]
pub struct PlacementPayload {
    /// The input's `clientMutationId`, echoed back (Relay), when given.
    pub client_mutation_id: Option<String>,
    /// The placement as stored, unless the input was refused.
    pub placement: Option<Placement>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Runs one lifecycle transition, audited.
async fn step(
    ctx: &Context<'_>,
    id: &ID,
    version: i32,
    step: Transition,
) -> Result<PlacementPayload> {
    let id = decode_as(id, NodeType::Placement, "id")?;
    let write = Write::begin(ctx).await?;
    let result =
        services::placement_lifecycle::transition(write.txn(), caller(ctx)?, id, version, step)
            .await;
    let (placement, user_errors) = payload(write.finish_announcing(result).await)?;
    Ok(PlacementPayload {
        client_mutation_id: None,
        placement: placement.map(Placement),
        user_errors,
    })
}

/// Mutations of placements: rescheduling and the lifecycle (propose, accept
/// or decline, start, complete, cancel). See each mutation for who may make
/// it.
#[derive(Default)]
pub struct PlacementMutation;

#[Object]
impl PlacementMutation {
    /// Changes a placement's dates. Only the responsible partner
    /// organisation (or an administrator) may. Requires `placements:write`.
    #[graphql(guard = "Require::scope(Scope::PlacementsWrite)")]
    async fn reschedule_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: ReschedulePlacementInput,
    ) -> Result<ReschedulePlacementPayload> {
        let id = decode_as(&input.id, NodeType::Placement, "id")?;
        let write = Write::begin(ctx).await?;
        let result = services::placements::reschedule_placement(
            write.txn(),
            caller(ctx)?,
            services::placements::Reschedule {
                id,
                starts_on: input.starts_on.map(|d| d.0),
                ends_on: input.ends_on.map(|d| d.0),
                version: input.version,
            },
        )
        .await;
        let (placement, user_errors) = payload(write.finish_announcing(result).await)?;
        Ok(ReschedulePlacementPayload {
            placement: placement.map(Placement),
            user_errors,
        })
    }

    /// Proposes a placement of a participant the caller may see, in an open
    /// slot or directly at an employer; the caller's organisation follows
    /// it. A slot that is not open, or a participant already proposed in it,
    /// answers CONFLICT. Requires `placements:write`, as administrator or
    /// partner.
    #[graphql(
        guard = "Require::roles(Scope::PlacementsWrite, &[Role::Administrator, Role::Partner])"
    )]
    async fn propose_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to propose; see the input type.")] input: ProposePlacementInput,
    ) -> Result<PlacementPayload> {
        let client_mutation_id = input.client_mutation_id.clone();
        let proposal = services::placement_lifecycle::Proposal {
            participant_id: decode_as(
                &input.participant_id,
                NodeType::Participant,
                "participantId",
            )?,
            slot_id: input
                .slot_id
                .map(|id| decode_as(&id, NodeType::InternshipSlot, "slotId"))
                .transpose()?,
            employer_id: input
                .employer_id
                .map(|id| decode_as(&id, NodeType::Employer, "employerId"))
                .transpose()?,
            kind: input.kind.map(Into::into),
            starts_on: input.starts_on.map(|d| d.0),
            ends_on: input.ends_on.map(|d| d.0),
            mentor_id: input
                .mentor_id
                .map(|id| decode_as(&id, NodeType::Mentor, "mentorId"))
                .transpose()?,
            responsible_partner_id: input
                .responsible_partner_id
                .map(|id| decode_as(&id, NodeType::PartnerOrganisation, "responsiblePartnerId"))
                .transpose()?,
        };
        let write = Write::begin_idempotent(ctx).await?;
        if let Some(id) = write.replayed() {
            let row = services::placements::find_placement(write.txn(), caller(ctx)?, id).await;
            let row = write.end_replay(row).await?;
            return Ok(PlacementPayload {
                client_mutation_id: client_mutation_id.clone(),
                placement: Some(Placement(row)),
                user_errors: Vec::new(),
            });
        }
        let result =
            services::placement_lifecycle::propose(write.txn(), caller(ctx)?, proposal).await;
        let (placement, user_errors) = payload(write.finish_announcing(result).await)?;
        Ok(PlacementPayload {
            client_mutation_id: client_mutation_id.clone(),
            placement: placement.map(Placement),
            user_errors,
        })
    }

    /// The employer accepts a proposed placement, taking one of the slot's
    /// places (the last one fills the slot). No place left answers CONFLICT,
    /// also when many accept at once. Requires `placements:write`.
    #[graphql(guard = "Require::scope(Scope::PlacementsWrite)")]
    async fn accept_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placement, at which version.")] input: PlacementTransitionInput,
    ) -> Result<PlacementPayload> {
        step(ctx, &input.id, input.version, Transition::Accept).await
    }

    /// The employer declines a proposed placement. Requires `placements:write`.
    #[graphql(guard = "Require::scope(Scope::PlacementsWrite)")]
    async fn decline_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placement, at which version.")] input: PlacementTransitionInput,
    ) -> Result<PlacementPayload> {
        step(ctx, &input.id, input.version, Transition::Decline).await
    }

    /// The responsible partner or the employer records that an accepted
    /// placement has begun. Requires `placements:write`.
    #[graphql(guard = "Require::scope(Scope::PlacementsWrite)")]
    async fn start_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placement, at which version.")] input: PlacementTransitionInput,
    ) -> Result<PlacementPayload> {
        step(ctx, &input.id, input.version, Transition::Start).await
    }

    /// Either side cancels a proposed, accepted or active placement; a place
    /// it held is given back (a filled slot opens again). Requires
    /// `placements:write`.
    #[graphql(guard = "Require::scope(Scope::PlacementsWrite)")]
    async fn cancel_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placement, at which version.")] input: PlacementTransitionInput,
    ) -> Result<PlacementPayload> {
        step(ctx, &input.id, input.version, Transition::Cancel).await
    }

    /// The responsible partner completes an active placement with its
    /// outcome. Requires `placements:write`.
    #[graphql(guard = "Require::scope(Scope::PlacementsWrite)")]
    async fn complete_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placement, at which version, and the outcome.")]
        input: CompletePlacementInput,
    ) -> Result<PlacementPayload> {
        step(
            ctx,
            &input.id,
            input.version,
            Transition::Complete(input.outcome.into()),
        )
        .await
    }
}
