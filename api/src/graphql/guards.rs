//! Guards: what each query, mutation and sensitive field requires, declared
//! on the field itself with `#[graphql(guard = ...)]`.

use async_graphql::{Context, Guard, Result};

use super::context::{PersonalReads, caller};
use super::error::{ErrorCode, error};
use crate::policy::fields::{ParticipantFields, participant_fields};
use crate::policy::reads::{self, Kind, Requirement};
use crate::policy::{Role, Scope};

/// Requires what a [`Requirement`] of the policy asks; FORBIDDEN with the
/// policy's reason otherwise, UNAUTHENTICATED without a caller.
pub struct Require(Option<Requirement>);

impl Require {
    /// Any authenticated caller holding `scope`.
    pub const fn scope(scope: Scope) -> Self {
        Self(Some(Requirement::scope(scope)))
    }

    /// An administrator holding `scope`.
    pub const fn administrator(scope: Scope) -> Self {
        Self(Some(Requirement::administrator(scope)))
    }

    /// A caller of one of `roles` holding `scope`.
    pub const fn roles(scope: Scope, roles: &'static [Role]) -> Self {
        Self(Some(Requirement::roles(scope, roles)))
    }

    /// Any authenticated caller.
    pub const fn authenticated() -> Self {
        Self(Some(Requirement::authenticated()))
    }

    /// What reading objects of `kind` needs ([`reads::read`]); for a
    /// public kind, nothing, not even a token.
    pub const fn read(kind: Kind) -> Self {
        Self(reads::read(kind))
    }
}

impl Guard for Require {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        match &self.0 {
            Some(requirement) => requirement
                .check(caller(ctx)?)
                .map_err(|reason| error(ErrorCode::Forbidden, reason)),
            None => Ok(()),
        }
    }
}

/// Requires that the caller may read a level of fields of one participant,
/// as `policy::fields::participant_fields` decides. Without it the field is
/// null with FORBIDDEN on its path; the rest of the result still comes back.
pub struct ParticipantFieldGuard {
    participant: uuid::Uuid,
    level: ParticipantFields,
}

impl ParticipantFieldGuard {
    /// Profile fields: everyone who sees the participant except employers.
    pub fn profile(participant: uuid::Uuid) -> Self {
        Self {
            participant,
            level: ParticipantFields::Profile,
        }
    }

    /// Personal fields: `participants:pii`, as administrator, partner or the
    /// participant themselves.
    pub fn personal(participant: uuid::Uuid) -> Self {
        Self {
            participant,
            level: ParticipantFields::Personal,
        }
    }
}

impl Guard for ParticipantFieldGuard {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        let allowed = participant_fields(caller(ctx)?, self.participant);
        match (self.level, allowed) {
            (ParticipantFields::Personal, ParticipantFields::Personal) => {
                // Every personal field read is audited before the response leaves.
                ctx.data::<PersonalReads>()?
                    .note(self.participant, ctx.field().name());
                Ok(())
            }
            (ParticipantFields::Personal, _) => Err(error(
                ErrorCode::Forbidden,
                "personal fields need the scope participants:pii",
            )),
            (ParticipantFields::Profile, ParticipantFields::Candidate) => Err(error(
                ErrorCode::Forbidden,
                "this field is not shown to employers",
            )),
            _ => Ok(()),
        }
    }
}
