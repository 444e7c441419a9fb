//! Guards: what each query, mutation and sensitive field requires, declared
//! on the field itself with `#[graphql(guard = ...)]`.

use async_graphql::{Context, Guard, Result};

use super::context::{PersonalReads, caller};
use super::error::{ErrorCode, error};
use crate::policy::rows::{ParticipantFields, participant_fields};
use crate::policy::{Role, Scope};

/// Requires a caller holding a scope, and optionally one of some roles.
pub struct Require {
    scope: Option<Scope>,
    roles: &'static [Role],
}

impl Require {
    /// Any authenticated caller holding `scope`.
    pub const fn scope(scope: Scope) -> Self {
        Self {
            scope: Some(scope),
            roles: &[],
        }
    }

    /// An administrator holding `scope`.
    pub const fn administrator(scope: Scope) -> Self {
        Self {
            scope: Some(scope),
            roles: &[Role::Administrator],
        }
    }

    /// A caller of one of `roles` holding `scope`.
    pub const fn roles(scope: Scope, roles: &'static [Role]) -> Self {
        Self {
            scope: Some(scope),
            roles,
        }
    }

    /// Any authenticated caller.
    pub const fn authenticated() -> Self {
        Self {
            scope: None,
            roles: &[],
        }
    }
}

impl Guard for Require {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        let caller = caller(ctx)?;
        if !self.roles.is_empty() && !self.roles.contains(&caller.role) {
            let roles: Vec<&str> = self.roles.iter().map(|r| r.as_str()).collect();
            return Err(error(
                ErrorCode::Forbidden,
                format!("this needs the role {}", roles.join(" or ")),
            ));
        }
        if let Some(scope) = self.scope
            && !caller.has(scope)
        {
            return Err(error(
                ErrorCode::Forbidden,
                format!("this needs the scope {}", scope.as_str()),
            ));
        }
        Ok(())
    }
}

/// Requires that the caller may read a level of fields of one participant,
/// as `policy::rows::participant_fields` decides. Without it the field is
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
