//! Changing an activity's details.

use async_graphql::{Context, ID, InputObject, Object, Result};

use super::ActivityPayload;
use crate::events::Event;
use crate::graphql::context::caller;
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::payload;
use crate::graphql::types::Activity;
use crate::graphql::write::Write;
use crate::policy::{Role, Scope};
use crate::services::activity_changes as service;

/// Changes to an activity; what is not given stays as it is.
#[derive(InputObject)]
pub struct UpdateActivityInput {
    /// The activity.
    pub id: ID,
    /// A new title, 1 to 200 characters.
    pub title: Option<String>,
    /// A new description, at most 4,000 characters.
    pub description: Option<String>,
    /// A new place (an address, a room), at most 200 characters.
    pub place: Option<String>,
    /// A new target group (e.g. `women`), at most 100 characters.
    pub target_group: Option<String>,
    /// A new number of places, 1 to 10,000, not below the places taken; a
    /// raised number offers the new places to the first in line.
    pub capacity: Option<i32>,
    /// How long an offered place waits for its answer, 1 to 336 hours.
    pub offer_hours: Option<i32>,
}

/// Changing activities.
#[derive(Default)]
pub struct ActivityUpdateMutation;

#[Object]
impl ActivityUpdateMutation {
    /// Changes an activity's details, by one conditional statement: a
    /// capacity below the places taken is refused (`capacity`) and changes
    /// nothing. Requires `activities:write`, as the organiser (or an
    /// administrator).
    #[graphql(
        guard = "Require::roles(Scope::ActivitiesWrite, &[Role::Administrator, Role::Partner])"
    )]
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The activity and its changes; see the input type.")]
        input: UpdateActivityInput,
    ) -> Result<ActivityPayload> {
        let id = decode_as(&input.id, NodeType::Activity, "input.id")?;
        let write = Write::begin(ctx).await?;
        let result = service::update_activity(
            write.txn(),
            caller(ctx)?,
            id,
            service::ActivityChanges {
                title: input.title,
                description: input.description,
                place: input.place,
                target_group: input.target_group,
                capacity: input.capacity,
                offer_hours: input.offer_hours,
            },
        )
        .await;
        let result = write
            .finish_each_announcing(
                result,
                |u| {
                    std::iter::once(("activity", u.activity.id))
                        .chain(u.offered.iter().map(|r| ("registration", r.id)))
                        .collect()
                },
                |u| {
                    u.offered
                        .iter()
                        .map(|r| Event::PlaceOffered(r.id))
                        .collect()
                },
            )
            .await;
        let (update, user_errors) = payload(result)?;
        Ok(ActivityPayload {
            client_mutation_id: None,
            activity: update.map(|u| Activity(u.activity)),
            user_errors,
        })
    }
}
