//! Turning verified token claims into a [`Caller`], against the database's
//! current state: the organisation must exist and be active, its grant
//! today caps the token's scopes, and a client-credentials token's client
//! must not be revoked, and a person's token's membership must be in force
//! and its session not revoked. Revoking a scope or a client, ending a
//! membership, signing out or suspending a partner takes effect on the next
//! request. A token's scopes are also capped by its role
//! ([`Role::ceiling`]).

use std::collections::BTreeSet;

use entity::{PartnerStatus, api_client, partner_organisation};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::auth::Claims;
use crate::policy::{Caller, PersonCaller, Principal, Role, Scope, actions};

fn refused(reason: &str) -> ServiceError {
    ServiceError::Unauthenticated {
        reason: reason.to_owned(),
    }
}

/// The caller the claims describe, as of now.
#[tracing::instrument(skip_all, fields(org = %claims.org, role = %claims.role))]
pub async fn authenticate<C: ConnectionTrait>(db: &C, claims: &Claims) -> ServiceResult<Caller> {
    let role: Role = claims
        .role
        .parse()
        .map_err(|_| refused("the token has an unknown role"))?;
    let person_token = match &claims.mid {
        None => None,
        Some(mid) => {
            // A person's token: its membership and session decide, as of now.
            let person_id = claims
                .sub
                .strip_prefix("person:")
                .and_then(|id| Uuid::parse_str(id).ok())
                .ok_or_else(|| refused("the token's subject is not a person"))?;
            let membership_id =
                Uuid::parse_str(mid).map_err(|_| refused("the token's membership is malformed"))?;
            let session_id = claims
                .sid
                .as_deref()
                .map(Uuid::parse_str)
                .transpose()
                .map_err(|_| refused("the token's session is malformed"))?;
            Some(PersonCaller {
                person_id,
                membership_id,
                session_id,
            })
        }
    };
    let principal = match (person_token, role.subject_prefix()) {
        (Some(_), _) | (None, None) => Principal::Organisation,
        (None, Some(prefix)) => {
            let id = claims
                .sub
                .strip_prefix(prefix)
                .and_then(|id| Uuid::parse_str(id).ok())
                .ok_or_else(|| refused("the token's subject does not match its role"))?;
            match role {
                Role::Employer => Principal::Employer(id),
                Role::Mentor => Principal::Mentor(id),
                _ => Principal::Participant(id),
            }
        }
    };
    let token_scopes = claims
        .scope
        .split_whitespace()
        .map(|name| Scope::parse(name).ok_or_else(|| refused("the token has an unknown scope")))
        .collect::<ServiceResult<BTreeSet<Scope>>>()?;
    let organisation = partner_organisation::Entity::find()
        .filter(partner_organisation::Column::Slug.eq(claims.org.as_str()))
        .one(db)
        .await
        .map_err(ServiceError::database(
            "failed to read the caller's organisation",
        ))?
        .ok_or_else(|| refused("the token's organisation is unknown"))?;
    if organisation.status != PartnerStatus::Active {
        return Err(refused("the token's organisation is suspended"));
    }
    let granted: BTreeSet<Scope> = super::partners::granted(&organisation)
        .into_iter()
        .collect();
    if !actions::role_allowed_by_grant(role, granted.iter().copied()) {
        return Err(refused(
            "the token's organisation may not have administrators",
        ));
    }
    let principal = match person_token {
        None => principal,
        Some(person) => {
            let membership = super::people::membership_in_force(
                db,
                person.person_id,
                person.membership_id,
                person.session_id,
            )
            .await?
            .ok_or_else(|| {
                refused("the token's membership has ended or its session was revoked")
            })?;
            if membership.partner_organisation_id != organisation.id
                || Role::of_membership(membership.role) != role
            {
                return Err(refused("the token does not match its membership"));
            }
            match (
                membership.employer_id,
                membership.mentor_id,
                membership.participant_id,
            ) {
                (Some(id), _, _) => Principal::Employer(id),
                (_, Some(id), _) => Principal::Mentor(id),
                (_, _, Some(id)) => Principal::Participant(id),
                _ => Principal::Organisation,
            }
        }
    };
    if let Some(client_id) = &claims.client_id {
        // A client-credentials token lives only as long as its client:
        // revoking the client stops its tokens on the next request.
        let client = api_client::Entity::find()
            .filter(api_client::Column::ClientId.eq(client_id.as_str()))
            .one(db)
            .await
            .map_err(ServiceError::database(
                "failed to read the token's API client",
            ))?
            .ok_or_else(|| refused("the token's API client is unknown"))?;
        if client.revoked_at.is_some() {
            return Err(refused("the token's API client has been revoked"));
        }
        if client.partner_organisation_id != organisation.id {
            return Err(refused(
                "the token's API client belongs to another organisation",
            ));
        }
    }
    Ok(Caller {
        subject: claims.sub.clone(),
        role,
        principal,
        organisation_id: organisation.id,
        organisation_slug: organisation.slug,
        scopes: token_scopes
            .intersection(&granted)
            .copied()
            .filter(|scope| role.ceiling().contains(scope))
            .collect(),
        person: person_token,
    })
}

/// Checks that `scopes` are within `slug`'s grant, for minting a token, and
/// returns the organisation's id.
pub async fn check_grant<C: ConnectionTrait>(
    db: &C,
    slug: &str,
    role: Role,
    scopes: &[Scope],
) -> ServiceResult<Uuid> {
    let organisation = super::partners::find_partner_by_slug(db, slug).await?;
    if organisation.status != PartnerStatus::Active {
        return Err(ServiceError::Forbidden {
            reason: format!("{slug} is suspended"),
        });
    }
    let granted: Vec<&str> = organisation
        .granted_scopes
        .as_slice()
        .iter()
        .map(String::as_str)
        .collect();
    if let Some(extra) = scopes.iter().find(|s| !granted.contains(&s.as_str())) {
        return Err(ServiceError::invalid(
            "scopes",
            format!("{slug} is not granted {}", extra.as_str()),
        ));
    }
    if !actions::role_allowed_by_grant(role, granted.iter().filter_map(|s| Scope::parse(s))) {
        return Err(ServiceError::invalid(
            "role",
            format!("{slug} may not have administrators"),
        ));
    }
    Ok(organisation.id)
}

/// A short-lived memory of authenticated tokens, so that a token used again
/// within a few seconds skips both its signature check and the
/// organisation's lookup: the largest fixed cost of a request.
///
/// Changes to an organisation (its grant, its status) made through this
/// server clear it at once ([`cache::CallerCache::forget`]); made through another
/// instance, they reach this one within [`cache::CALLER_CACHE_TTL`].
pub mod cache {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use crate::policy::Caller;

    /// How long an authenticated token is remembered.
    pub const CALLER_CACHE_TTL: Duration = Duration::from_secs(5);
    /// The most tokens remembered; past it, the memory starts over.
    const CAPACITY: usize = 10_000;

    struct Entry {
        caller: Caller,
        until: Instant,
        generation: u64,
    }

    /// One server's memory of tokens (a server's, not the process's: it
    /// holds what that server's keys verified).
    #[derive(Clone, Default)]
    pub struct CallerCache {
        entries: Arc<Mutex<HashMap<String, Entry>>>,
        /// Bumped by every change to an organisation or a client: what was
        /// remembered before it is not recalled after.
        generation: Arc<AtomicU64>,
    }

    impl CallerCache {
        /// The generation a lookup starts in; pass it to [`Self::remember`].
        pub fn generation(&self) -> u64 {
            self.generation.load(Ordering::Acquire)
        }

        /// Forgets every remembered token: called by the unit of work once a
        /// change to an organisation's grant or status, or to a client, is
        /// committed.
        pub fn forget(&self) {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }

        /// The caller of a token authenticated a moment ago, if still fresh.
        pub fn recall(&self, token: &str) -> Option<Caller> {
            let entries = self.entries.lock().ok()?;
            let entry = entries.get(token)?;
            (entry.until > Instant::now() && entry.generation == self.generation())
                .then(|| entry.caller.clone())
        }

        /// Remembers a token's caller until the TTL or the token's expiry
        /// (`expires_at`, Unix seconds), whichever is first; not at all if an
        /// organisation changed since `started_in`.
        pub fn remember(&self, token: &str, caller: &Caller, expires_at: i64, started_in: u64) {
            let left = expires_at.saturating_sub(chrono::Utc::now().timestamp());
            let Ok(left) = u64::try_from(left) else {
                return;
            };
            if left == 0 || started_in != self.generation() {
                return;
            }
            let Ok(mut entries) = self.entries.lock() else {
                return;
            };
            if entries.len() >= CAPACITY {
                let now = Instant::now();
                entries.retain(|_, e| e.until > now);
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
            }
            entries.insert(
                token.to_owned(),
                Entry {
                    caller: caller.clone(),
                    until: Instant::now() + CALLER_CACHE_TTL.min(Duration::from_secs(left)),
                    generation: started_in,
                },
            );
        }
    }
}
