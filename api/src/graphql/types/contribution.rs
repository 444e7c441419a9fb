use async_graphql::{Context, Object, Result};
use entity::contribution;

use super::Activity;
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::enums::ContributionKind;
use crate::graphql::loaders::ActivityById;
use crate::graphql::scalars::{Date, DateTime};

/// Something a participant gave (the method's 50/50): hosting the café,
/// interpreting, teaching a skill, helping at an event.
pub struct Contribution(pub contribution::Model);

/// Something a participant gave (the method's 50/50): hosting the café,
/// interpreting, teaching a skill, helping at an event.
#[Object]
impl Contribution {
    /// What kind of thing they gave.
    async fn kind(&self) -> ContributionKind {
        self.0.kind.into()
    }

    /// The day.
    async fn occurred_on(&self) -> Date {
        Date(self.0.occurred_on)
    }

    /// The time given, in hours.
    async fn hours(&self) -> f64 {
        f64::from(self.0.minutes) / 60.0
    }

    /// What they did, in a few words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The activity it was given at, if any.
    async fn activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        let Some(id) = self.0.activity_id else {
            return Ok(None);
        };
        let row = loaders(ctx)?
            .load_one(ActivityById(id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(Activity))
    }

    /// When it was recorded.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}
