//! What participants give: recording a contribution.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::context::caller;
use crate::graphql::enums::ContributionKind;
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, payload};
use crate::graphql::scalars::Date;
use crate::graphql::types::Contribution;
use crate::graphql::write::Write;
use crate::policy::{Role, Scope};
use crate::services::contributions as service;

/// Something a participant gave.
#[derive(InputObject)]
pub struct RecordContributionInput {
    /// The participant, one the caller may see.
    pub participant_id: ID,
    /// What kind of thing.
    pub kind: ContributionKind,
    /// The day (not in the future).
    pub occurred_on: Date,
    /// The time given, more than 0 and at most 24 hours.
    pub hours: f64,
    /// The activity it was given at, if any.
    pub activity_id: Option<ID>,
    /// What they did, at most 500 characters.
    pub description: Option<String>,
}

/// The result of `recordContribution`.
#[derive(SimpleObject)]
pub struct ContributionPayload {
    /// The contribution as stored, unless the input was refused.
    pub contribution: Option<Contribution>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of contributions.
#[derive(Default)]
pub struct ContributionMutation;

#[Object]
impl ContributionMutation {
    /// Records what a participant gave. Requires `participants:write`, as
    /// administrator or partner, for a participant it may see.
    #[graphql(
        guard = "Require::roles(Scope::ParticipantsWrite, &[Role::Administrator, Role::Partner])"
    )]
    async fn record_contribution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What was given; see the input type.")] input: RecordContributionInput,
    ) -> Result<ContributionPayload> {
        let participant_id = decode_as(
            &input.participant_id,
            NodeType::Participant,
            "input.participantId",
        )?;
        let activity_id = input
            .activity_id
            .as_ref()
            .map(|id| decode_as(id, NodeType::Activity, "input.activityId"))
            .transpose()?;
        let write = Write::begin(ctx).await?;
        let result = service::record(
            write.txn(),
            caller(ctx)?,
            service::NewContribution {
                participant_id,
                kind: input.kind.into(),
                occurred_on: input.occurred_on.0,
                hours: input.hours,
                activity_id,
                description: input.description,
            },
        )
        .await;
        let (contribution, user_errors) = payload(write.finish(result).await)?;
        Ok(ContributionPayload {
            contribution: contribution.map(Contribution),
            user_errors,
        })
    }
}
