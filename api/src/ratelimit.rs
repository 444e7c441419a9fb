//! Rate limiting: a token bucket per partner organisation (and per client
//! address for requests without a token), whose cost is the query's
//! complexity, the same number the complexity limit uses.
//!
//! The bucket holds a minute's budget and refills continuously (GCRA, by
//! `governor`). A request's cost is charged once, when async-graphql has
//! validated the document and knows its complexity (see [`RateLimitExtension`]);
//! a request that never gets that far (bad credentials, a syntax error, a
//! query over a limit) costs 1. Over budget, the request runs nothing and
//! answers HTTP 429 with `Retry-After`; every answer carries the budget left
//! in `X-RateLimit-*` headers.
//!
//! The buckets live in the process: with several instances behind a load
//! balancer, each enforces its own budget.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{ServerError, ValidationResult};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

/// Budgets, in complexity points per minute; `None` turns a class off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Each partner organisation's budget, shared by all its tokens.
    pub organisation_per_minute: Option<NonZeroU32>,
    /// Each client address's budget for requests without a valid token.
    pub anonymous_per_minute: Option<NonZeroU32>,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            organisation_per_minute: NonZeroU32::new(60_000),
            anonymous_per_minute: NonZeroU32::new(6_000),
        }
    }
}

impl RateLimitSettings {
    /// No limits at all.
    pub fn off() -> Self {
        Self {
            organisation_per_minute: None,
            anonymous_per_minute: None,
        }
    }
}

type Buckets =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// Whose bucket a request draws on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Organisation(String),
    Address(IpAddr),
}

impl Key {
    /// The metrics label of the bucket class.
    pub fn class(&self) -> &'static str {
        match self {
            Key::Organisation(_) => "organisation",
            Key::Address(_) => "anonymous",
        }
    }
}

/// The process's buckets. Cheap to share.
#[derive(Clone)]
pub struct RateLimits {
    organisations: Option<Arc<(Buckets, u32)>>,
    addresses: Option<Arc<(Buckets, u32)>>,
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings) -> Self {
        let buckets = |budget: Option<NonZeroU32>| {
            budget.map(|per_minute| {
                let limiter = RateLimiter::keyed(Quota::per_minute(per_minute))
                    .with_middleware::<StateInformationMiddleware>();
                Arc::new((limiter, per_minute.get()))
            })
        };
        Self {
            organisations: buckets(settings.organisation_per_minute),
            addresses: buckets(settings.anonymous_per_minute),
        }
    }

    /// A request's budget, or `None` when its class is not limited.
    pub fn budget(&self, key: Key) -> Option<Budget> {
        let buckets = match &key {
            Key::Organisation(_) => self.organisations.clone(),
            Key::Address(_) => self.addresses.clone(),
        }?;
        Some(Budget {
            buckets,
            key,
            charge: Arc::new(Mutex::new(None)),
        })
    }

    /// Forgets buckets that are full again, so that memory stays bounded by
    /// the callers of the last minute. Call it now and then.
    pub fn forget_idle(&self) {
        for buckets in [&self.organisations, &self.addresses].into_iter().flatten() {
            buckets.0.retain_recent();
            buckets.0.shrink_to_fit();
        }
    }
}

/// What charging a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge {
    /// The bucket's size: a minute's budget.
    pub limit: u32,
    /// Points left after this request.
    pub remaining: u32,
    /// What this request cost (or would have).
    pub cost: u32,
    /// `Some` when the request was refused: when to try again.
    pub retry_after: Option<Duration>,
}

impl Charge {
    /// What a refused request is told; `wait` is its `retry_after`.
    pub fn refusal(&self, wait: Duration) -> String {
        format!(
            "rate limit exceeded: this query costs {} points and {} of {} per minute are left; retry in {} s",
            self.cost,
            self.remaining,
            self.limit,
            wait.as_secs().max(1)
        )
    }

    /// The headers every answer carries, and `Retry-After` on a refusal.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", self.remaining.to_string()),
            ("x-ratelimit-cost", self.cost.to_string()),
        ];
        if let Some(wait) = self.retry_after {
            // Whole seconds, rounded up: never earlier than the bucket allows.
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            headers.push(("retry-after", seconds.max(1).to_string()));
        }
        headers
    }
}

/// One request's draw on its bucket. Charged at most once.
#[derive(Clone)]
pub struct Budget {
    buckets: Arc<(Buckets, u32)>,
    key: Key,
    charge: Arc<Mutex<Option<Charge>>>,
}

impl Budget {
    /// Whose bucket this is.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// Charges `cost` points, once; a second call returns the first charge.
    pub fn charge(&self, cost: usize) -> Charge {
        let mut slot = match self.charge.lock() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(charge) = *slot {
            return charge;
        }
        let (buckets, limit) = &*self.buckets;
        let cost = u32::try_from(cost).unwrap_or(u32::MAX).max(1);
        let n = NonZeroU32::new(cost).unwrap_or(NonZeroU32::MIN);
        let name = match &self.key {
            Key::Organisation(slug) => format!("org:{slug}"),
            Key::Address(ip) => format!("ip:{ip}"),
        };
        let charge = match buckets.check_key_n(&name, n) {
            Ok(Ok(state)) => Charge {
                limit: *limit,
                remaining: state.remaining_burst_capacity(),
                cost,
                retry_after: None,
            },
            Ok(Err(not_until)) => Charge {
                limit: *limit,
                remaining: 0,
                cost,
                retry_after: Some(not_until.wait_time_from(buckets.clock().now())),
            },
            // Costs more than a full bucket: it can never run. The complexity
            // limit is meant to prevent this; a minute is the honest answer.
            Err(_) => Charge {
                limit: *limit,
                remaining: 0,
                cost,
                retry_after: Some(Duration::from_secs(60)),
            },
        };
        *slot = Some(charge);
        charge
    }

    /// The charge made, if any.
    pub fn charged(&self) -> Option<Charge> {
        match self.charge.lock() {
            Ok(slot) => *slot,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

/// The error code of a refused request.
pub const RATE_LIMITED: &str = "RATE_LIMITED";

/// Charges the request's [`Budget`] (from the request data) with the
/// complexity async-graphql computed while validating, and refuses the
/// request before any resolver runs when the budget does not cover it.
pub struct RateLimitExtension;

impl ExtensionFactory for RateLimitExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RateLimitCharge)
    }
}

struct RateLimitCharge;

#[async_trait::async_trait]
impl Extension for RateLimitCharge {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await;
        let Some(budget) = ctx.data_opt::<Budget>() else {
            return result;
        };
        let cost = match &result {
            Ok(validated) => validated.complexity,
            Err(_) => 1,
        };
        let charge = budget.charge(cost);
        if let Some(wait) = charge.retry_after {
            let mut error = ServerError::new(charge.refusal(wait), None);
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            extensions.set("code", RATE_LIMITED);
            error.extensions = Some(extensions);
            return Err(vec![error]);
        }
        result
    }
}
