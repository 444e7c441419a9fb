//! What an operation costs: charges against the caller's budget (and the
//! answers when it is spent), and the request metrics.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use tracing_actix_web::RequestId;

use async_graphql::parser::types::ExecutableDocument;

use super::answers::error_answer;
use crate::graphql::cost;
use crate::graphql::input_check::InputCheck;
use crate::metrics::Metrics;
use crate::ratelimit::{Budget, Charge, RATE_LIMITED};

/// What an answer actually cost: one point per field it holds, as the
/// requested cost counts one per field selected (times the page size for a
/// connection's items), so a page that returned fewer items costs less.
pub fn actual_cost(data: &async_graphql::Value) -> usize {
    fn count(value: &async_graphql::Value) -> usize {
        match value {
            async_graphql::Value::Object(fields) => fields.values().map(|v| 1 + count(v)).sum(),
            async_graphql::Value::List(items) => items.iter().map(count).sum(),
            _ => 0,
        }
    }
    count(data).max(1)
}

/// Charges `budget` with what `document` asks for ([`cost::requested`]);
/// the 429 answer if the budget does not cover it. A document over the
/// complexity limit `max` is not charged here: validation refuses it, at a
/// cost of 1.
pub fn charge_requested(
    req: &HttpRequest,
    budget: &Budget,
    check: &InputCheck,
    document: &ExecutableDocument,
    variables: &async_graphql::Variables,
    max: Option<usize>,
    request_id: &RequestId,
) -> Option<HttpResponse> {
    let requested = cost::requested(check, document, variables);
    if max.is_some_and(|max| requested > max) {
        return None;
    }
    let charge = budget.charge(requested);
    refused_charge(req, Some(budget), Some(charge), request_id)
}

/// Adds the budget headers (and `Retry-After` on a refusal) to an answer.
pub fn with_charge(mut response: HttpResponse, charge: Option<Charge>) -> HttpResponse {
    if let Some(charge) = charge {
        for (name, value) in charge.headers() {
            if let Ok(value) = header::HeaderValue::from_str(&value) {
                response
                    .headers_mut()
                    .insert(header::HeaderName::from_static(name), value);
            }
        }
    }
    response
}

/// The 429 answer for a charge the budget refused; `None` if it was allowed.
pub fn refused_charge(
    req: &HttpRequest,
    budget: Option<&Budget>,
    charge: Option<Charge>,
    request_id: &RequestId,
) -> Option<HttpResponse> {
    let charge = charge?;
    let wait = charge.retry_after?;
    if let (Some(metrics), Some(budget)) = (req.app_data::<web::Data<Metrics>>(), budget) {
        metrics.rate_limited(budget.key().class());
    }
    let response = error_answer(
        StatusCode::TOO_MANY_REQUESTS,
        RATE_LIMITED,
        &charge.refusal(wait),
        request_id,
    );
    Some(with_charge(response, Some(charge)))
}

pub fn record(req: &HttpRequest, operation: &str, outcome: &str, started: std::time::Instant) {
    if let Some(metrics) = req.app_data::<web::Data<Metrics>>() {
        metrics.observe_request(operation, outcome, started.elapsed());
    }
}
