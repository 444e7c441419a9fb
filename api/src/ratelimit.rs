//! Rate limiting: a token bucket per partner organisation (and per client
//! address for requests without a token), whose cost is the query's
//! complexity, the same number the complexity limit uses.
//!
//! The bucket holds a minute's budget and refills continuously. A request is
//! charged its *requested* cost, counted from the parsed document as the
//! complexity limit counts it (`graphql::cost`), before anything runs, so a
//! request the budget does not cover runs nothing. After it ran, what its
//! pages did not fill is given back: the *actual* cost counts the fields the
//! answer holds, as Shopify charges (a page of 100 that returned 3 items
//! costs what 3 cost). A request that never gets to validation (bad
//! credentials, a syntax error, a query over a limit) costs 1. Over budget,
//! the answer is HTTP 429 with `Retry-After`; every answer carries the budget
//! in `X-RateLimit-*` headers and, for GraphQL answers, `extensions.cost`.
//!
//! The buckets live in the process: with several instances behind a load
//! balancer, each enforces its own budget. (Not `governor`: its GCRA cannot
//! give points back.)

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// One bucket: points now, as of when.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    points: f64,
    at: Instant,
}

/// The buckets of one class, and their size (a minute's points).
struct Buckets {
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Buckets {
    fn rate_per_second(&self) -> f64 {
        f64::from(self.per_minute) / 60.0
    }

    /// The bucket of `name` refilled to now, then changed by `change`.
    fn with<T>(&self, name: &str, change: impl FnOnce(&mut Bucket, f64) -> T) -> T {
        let mut buckets = match self.buckets.lock() {
            Ok(buckets) => buckets,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = Instant::now();
        let full = f64::from(self.per_minute);
        let bucket = buckets.entry(name.to_owned()).or_insert(Bucket {
            points: full,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.points = (bucket.points + elapsed * self.rate_per_second()).min(full);
        bucket.at = now;
        change(bucket, full)
    }
}

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
    organisations: Option<Arc<Buckets>>,
    addresses: Option<Arc<Buckets>>,
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings) -> Self {
        let buckets = |budget: Option<NonZeroU32>| {
            budget.map(|per_minute| {
                Arc::new(Buckets {
                    per_minute: per_minute.get(),
                    buckets: Mutex::default(),
                })
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
        for class in [&self.organisations, &self.addresses].into_iter().flatten() {
            let full = f64::from(class.per_minute);
            let rate = class.rate_per_second();
            let now = Instant::now();
            if let Ok(mut buckets) = class.buckets.lock() {
                buckets.retain(|_, b| {
                    b.points + now.saturating_duration_since(b.at).as_secs_f64() * rate < full
                });
                buckets.shrink_to_fit();
            }
        }
    }
}

/// What charging a request came to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Charge {
    /// The bucket's size: a minute's budget.
    pub limit: u32,
    /// Points left after this request.
    pub remaining: u32,
    /// What this request cost (or would have).
    pub cost: u32,
    /// `Some` when the request was refused: when to try again.
    pub retry_after: Option<Duration>,
    /// Seconds until the bucket is full again.
    pub reset_after: u64,
    /// Points the bucket refills per second.
    pub restore_rate: f64,
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
            (
                "x-ratelimit-used",
                self.limit.saturating_sub(self.remaining).to_string(),
            ),
            ("x-ratelimit-reset", self.reset_after.to_string()),
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
    buckets: Arc<Buckets>,
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
        let cost = u32::try_from(cost).unwrap_or(u32::MAX).max(1);
        let charge = self.buckets.with(&self.name(), |bucket, full| {
            let rate = self.buckets.rate_per_second();
            let wanted = f64::from(cost);
            let retry_after = if wanted > full {
                // Costs more than a full bucket: it can never run. The
                // complexity limit is meant to prevent this; a minute is
                // the honest answer.
                Some(Duration::from_secs(60))
            } else if bucket.points >= wanted {
                bucket.points -= wanted;
                None
            } else {
                Some(Duration::from_secs_f64((wanted - bucket.points) / rate))
            };
            self.state(bucket.points, full, cost, retry_after)
        });
        *slot = Some(charge);
        charge
    }

    /// Gives back what a request charged but did not use: its charge is
    /// now `actual` (never more than it was). Returns the charge as it
    /// stands.
    pub fn settle(&self, actual: usize) -> Option<Charge> {
        let mut slot = match self.charge.lock() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        let charged = (*slot)?;
        if charged.retry_after.is_some() {
            return Some(charged);
        }
        let actual = u32::try_from(actual)
            .unwrap_or(u32::MAX)
            .clamp(1, charged.cost);
        let refund = charged.cost - actual;
        let settled = self.buckets.with(&self.name(), |bucket, full| {
            bucket.points = (bucket.points + f64::from(refund)).min(full);
            self.state(bucket.points, full, actual, None)
        });
        *slot = Some(settled);
        Some(settled)
    }

    fn name(&self) -> String {
        match &self.key {
            Key::Organisation(slug) => format!("org:{slug}"),
            Key::Address(ip) => format!("ip:{ip}"),
        }
    }

    fn state(&self, points: f64, full: f64, cost: u32, retry_after: Option<Duration>) -> Charge {
        let rate = self.buckets.rate_per_second();
        Charge {
            limit: self.buckets.per_minute,
            // Whole points, never more than there are.
            remaining: points.max(0.0).floor() as u32,
            cost,
            retry_after,
            reset_after: ((full - points).max(0.0) / rate).ceil() as u64,
            restore_rate: rate,
        }
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
