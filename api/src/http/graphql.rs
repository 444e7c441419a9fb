//! `POST /graphql`, `GET /graphql` (GraphQL over HTTP) and GraphiQL.

use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use async_graphql::BatchRequest;
use async_graphql_actix_web::{GraphQLBatchRequest, GraphQLRequest};
use sea_orm::DatabaseConnection;
use tracing_actix_web::RequestId;

use super::auth::{self as http_auth, AuthFailure, AuthState};
use crate::graphql::context::{PersonalReads, RequestId as RequestIdData};
use crate::graphql::error::ErrorCode;
use crate::graphql::input_check::{BadInput, InputCheck};
use crate::graphql::persisted::{Lookup, PersistedDocuments};
use crate::graphql::write::IdempotencyKey;
use crate::graphql::{AppSchema, loaders};
use crate::metrics::Metrics;
use crate::ratelimit::{Budget, Charge, Key, RATE_LIMITED, RateLimits};
use crate::services::audit::Actor;

/// `POST /graphql`.
pub async fn execute_post(
    req: HttpRequest,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    auth: web::Data<AuthState>,
    request_id: RequestId,
    request: Result<GraphQLBatchRequest, actix_web::Error>,
    limits: Option<web::Data<crate::graphql::Limits>>,
) -> HttpResponse {
    let limits = limits.as_ref().map(|l| l.get_ref());
    if !json_body(&req) {
        return error_answer(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as JSON, with `Content-Type: application/json`",
            &request_id,
        );
    }
    let request = match request {
        Ok(request) => request,
        Err(err) => return malformed(&err, &request_id),
    };
    let requests = match request.into_inner() {
        BatchRequest::Single(request) => {
            let request = GraphQLRequest(request);
            return execute(&req, &schema, &db, &auth, request_id, request, limits).await;
        }
        BatchRequest::Batch(requests) => requests,
    };
    // A batch: each operation runs as if sent alone (own cost, own audit),
    // one after another; the answer is the array of their answers.
    let max = limits.map_or(usize::MAX, |l| l.max_batch_length);
    if requests.is_empty() || requests.len() > max {
        return error_answer(
            StatusCode::OK,
            "QUERY_TOO_COMPLEX",
            &format!(
                "the batch has {} operations; it must have 1 to {max} (MAX_BATCH_LENGTH)",
                requests.len()
            ),
            &request_id,
        );
    }
    let mut answers = Vec::with_capacity(requests.len());
    let mut last = None;
    for request in requests {
        let response = execute(
            &req,
            &schema,
            &db,
            &auth,
            request_id,
            GraphQLRequest(request),
            limits,
        )
        .await;
        // Refused credentials or budget refuse the rest alike: answer as is.
        if !response.status().is_success() {
            return response;
        }
        let headers = response.headers().clone();
        match actix_web::body::to_bytes(response.into_body()).await {
            Ok(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
                Ok(answer) => answers.push(answer),
                Err(err) => {
                    tracing::error!(error = %err, "a batched answer was not JSON");
                    return HttpResponse::InternalServerError().finish();
                }
            },
            Err(_) => return HttpResponse::InternalServerError().finish(),
        }
        last = Some(headers);
    }
    let mut response = HttpResponse::Ok().json(answers);
    // The budget as the last operation left it.
    for (name, value) in last.iter().flat_map(|h| h.iter()) {
        if name.as_str().starts_with("x-ratelimit-") {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response
}

/// Whether a POST body is declared JSON. GraphQL over HTTP asks for
/// `application/json`; a body without a media type, or `text/plain` (which
/// a cross-site HTML form or `fetch` may send without a preflight), is
/// refused with 415 before anything runs.
fn json_body(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// Runs one GraphQL request as its caller. A request with bad credentials
/// is refused whole, with 401 and no data. Every error in the response
/// carries the request id in `extensions.requestId`, matching the logs.
async fn execute(
    req: &HttpRequest,
    schema: &AppSchema,
    db: &DatabaseConnection,
    auth: &AuthState,
    request_id: RequestId,
    request: GraphQLRequest,
    limits: Option<&crate::graphql::Limits>,
) -> HttpResponse {
    let started = std::time::Instant::now();
    let rate_limits = req.app_data::<web::Data<RateLimits>>();
    let address_budget = || {
        let ip = req.peer_addr()?.ip();
        rate_limits?.budget(Key::Address(ip))
    };
    let caller = match http_auth::caller(req, auth, db).await {
        Ok(caller) => caller,
        Err(failure) => {
            if let Some(metrics) = req.app_data::<web::Data<Metrics>>() {
                metrics.auth_failure("graphql");
            }
            // Guessing tokens costs the address a point a try.
            let budget = address_budget();
            let charge = budget.as_ref().map(|b| b.charge(1));
            if let Some(refused) = refused_charge(req, budget.as_ref(), charge, &request_id) {
                record(req, "unauthenticated", RATE_LIMITED, started);
                return refused;
            }
            record(req, "unauthenticated", "UNAUTHENTICATED", started);
            return with_charge(refuse(failure, &request_id.to_string()), charge);
        }
    };
    let budget = match &caller {
        Some(caller) => {
            rate_limits.and_then(|r| r.budget(Key::Organisation(caller.organisation_slug.clone())))
        }
        None => address_budget(),
    };
    // A persisted document (APQ or trusted) runs already parsed.
    let mut request = request;
    let mut stored = None;
    let mut register = None;
    if let Some(persisted) = req.app_data::<web::Data<PersistedDocuments>>() {
        let organisation = caller.as_ref().map(|c| c.organisation_slug.as_str());
        match persisted.lookup(
            &request.0.query,
            request.0.extensions.0.get("persistedQuery"),
            organisation,
        ) {
            Lookup::Text => {}
            Lookup::Stored(document) => {
                request.0.query = document.query.to_string();
                stored = Some(document);
            }
            Lookup::Register { hash } => register = Some(hash),
            Lookup::Refused { code, message } => {
                let charge = budget.as_ref().map(|b| b.charge(1));
                if let Some(refused) = refused_charge(req, budget.as_ref(), charge, &request_id) {
                    record(req, "invalid", RATE_LIMITED, started);
                    return refused;
                }
                record(req, "invalid", code, started);
                return with_charge(
                    error_answer(StatusCode::OK, code, &message, &request_id),
                    charge,
                );
            }
        }
    }
    // Parsed once here; the limits, the metrics label and the execution
    // all use this document. A syntax error is the executor's to report.
    let document = match &stored {
        Some(stored) => Some(stored.document.clone()),
        None => async_graphql::parser::parse_query(&request.0.query).ok(),
    };
    if let (Some(hash), Some(document), Some(persisted)) = (
        register,
        &document,
        req.app_data::<web::Data<PersistedDocuments>>(),
    ) {
        persisted.register(hash, &request.0.query, document);
    }
    // The document's own limits: a refused query runs nothing and costs 1.
    if let (Some(limits), Some(document)) = (limits, &document)
        && let Err(message) = limits.check_parsed(document, request.0.operation_name.as_deref())
    {
        let charge = budget.as_ref().map(|b| b.charge(1));
        if let Some(refused) = refused_charge(req, budget.as_ref(), charge, &request_id) {
            record(req, "invalid", RATE_LIMITED, started);
            return refused;
        }
        record(req, "invalid", "QUERY_TOO_COMPLEX", started);
        return with_charge(
            error_answer(StatusCode::OK, "QUERY_TOO_COMPLEX", &message, &request_id),
            charge,
        );
    }
    // Every argument value against its scalar's rules (control characters,
    // dates, integer ranges), before anything runs.
    if let (Some(check), Some(document)) = (req.app_data::<web::Data<InputCheck>>(), &document)
        && let Err(bad) = check.check(
            document,
            request.0.operation_name.as_deref(),
            &request.0.variables,
        )
    {
        tracing::info!(path = %bad.path, "refused an invalid argument value");
        let charge = budget.as_ref().map(|b| b.charge(1));
        if let Some(refused) = refused_charge(req, budget.as_ref(), charge, &request_id) {
            record(req, "invalid", RATE_LIMITED, started);
            return refused;
        }
        record(req, "invalid", ErrorCode::BadUserInput.as_str(), started);
        return with_charge(bad_input_answer(req, &bad, &request_id), charge);
    }
    let mut request = request.into_inner().data(loaders::for_request(
        db.clone(),
        caller.clone(),
        auth.loader_batch_window,
    ));
    if let Some(key) = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
    {
        request = request.data(IdempotencyKey(key.to_owned()));
    }
    let reads = PersonalReads::default();
    request = request
        .data(RequestIdData(request_id.to_string()))
        .data(reads.clone());
    if let Some(caller) = &caller {
        request = request.data(caller.clone());
    }
    if let Some(budget) = &budget {
        // Charged with the query's complexity once it is validated.
        request = request.data(budget.clone());
    }
    let no_query = request.query.is_empty();
    let parses = document.is_some();
    let mut operation = request.operation_name.clone();
    let mut label = "invalid".to_owned();
    // Kept to put the answer in the spec's shape after execution.
    let shape = document.as_ref().map(|d| {
        (
            d.clone(),
            request.operation_name.clone(),
            request.variables.clone(),
        )
    });
    if let Some(document) = document {
        // The one named operation of the document, if the client named none.
        if operation.is_none()
            && let async_graphql::parser::types::DocumentOperations::Multiple(ops) =
                &document.operations
        {
            operation = ops.keys().next().map(|name| name.to_string());
        }
        label = crate::metrics::operation_label(&document, operation.as_deref());
        request.set_parsed_query(document);
    }
    let timeout = req
        .app_data::<web::Data<RequestTimeout>>()
        .map_or(std::time::Duration::from_secs(30), |t| t.0);
    // Dropping the execution on time-out rolls its transaction back.
    let Ok(mut response) = tokio::time::timeout(timeout, schema.execute(request)).await else {
        tracing::warn!(timeout_s = timeout.as_secs_f64(), "request timed out");
        record(req, "timeout", "TIMEOUT", started);
        let charge = budget.as_ref().map(|b| b.charge(1));
        return with_charge(
            error_answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "TIMEOUT",
                &format!(
                    "the request took longer than {} s and was abandoned; retry a change with the same Idempotency-Key",
                    timeout.as_secs_f64()
                ),
                &request_id,
            ),
            charge,
        );
    };
    if let Some(caller) = &caller {
        let events = reads.events(operation.as_deref());
        if !events.is_empty() {
            let actor = Actor::caller(caller, Some(request_id.to_string()));
            if let Err(err) = crate::unit_of_work::record_reads(db, &actor, events).await {
                // No personal value leaves without its audit record.
                let err = crate::graphql::error::to_graphql(&err);
                response = async_graphql::Response::from_errors(vec![
                    err.into_server_error(async_graphql::Pos::default()),
                ]);
            }
        }
    }
    if let (Some((document, operation_name, variables)), Some(check)) =
        (&shape, req.app_data::<web::Data<InputCheck>>())
    {
        crate::graphql::response_shape::complete(
            check,
            document,
            operation_name.as_deref(),
            variables,
            &mut response,
        );
    }
    // What the pages did not fill is given back, and the cost reported.
    if let Some(budget) = &budget
        && let Some(requested) = budget.charged().filter(|c| c.retry_after.is_none())
        && let Some(settled) = budget.settle(actual_cost(&response.data))
    {
        response.extensions.insert(
            "cost".to_owned(),
            async_graphql::Value::from_json(serde_json::json!({
                "requested": requested.cost,
                "actual": settled.cost,
                "throttleStatus": {
                    "maximumAvailable": settled.limit,
                    "currentlyAvailable": settled.remaining,
                    "restoreRate": settled.restore_rate,
                },
            }))
            .unwrap_or_default(),
        );
    }
    if !response.errors.is_empty() {
        label_errors(&mut response.errors, parses, &request_id.to_string());
    }
    let outcome = response
        .errors
        .first()
        .and_then(|e| e.extensions.as_ref())
        .and_then(|x| x.get("code"))
        .and_then(|code| match code {
            async_graphql::Value::String(code) => Some(code.clone()),
            _ => None,
        });
    let operation = match outcome.as_deref() {
        Some("GRAPHQL_PARSE_FAILED" | "GRAPHQL_VALIDATION_FAILED") => "invalid".to_owned(),
        _ => label,
    };
    // Requests that never reached validation (syntax errors) cost 1.
    let charge = budget.as_ref().map(|b| b.charge(1));
    if outcome.as_deref() != Some(RATE_LIMITED)
        && let Some(refused) = refused_charge(req, budget.as_ref(), charge, &request_id)
    {
        record(req, &operation, RATE_LIMITED, started);
        return refused;
    }
    record(req, &operation, outcome.as_deref().unwrap_or("ok"), started);
    crate::telemetry::record_graphql(&operation, caller.as_ref());
    let mut http = render(req, &response, no_query, outcome.as_deref());
    if has_code(&response, ErrorCode::IdempotencyKeyInUse.as_str()) {
        http.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(crate::graphql::error::KEY_IN_USE_RETRY_AFTER_SECS),
        );
    }
    if outcome.as_deref() == Some(RATE_LIMITED) {
        if let (Some(metrics), Some(budget)) = (req.app_data::<web::Data<Metrics>>(), &budget) {
            metrics.rate_limited(budget.key().class());
        }
        *http.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    }
    with_charge(http, charge)
}

/// What an answer actually cost: one point per field it holds, as the
/// requested cost counts one per field selected (times the page size for a
/// connection's items), so a page that returned fewer items costs less.
fn actual_cost(data: &async_graphql::Value) -> usize {
    fn count(value: &async_graphql::Value) -> usize {
        match value {
            async_graphql::Value::Object(fields) => fields.values().map(|v| 1 + count(v)).sum(),
            async_graphql::Value::List(items) => items.iter().map(count).sum(),
            _ => 0,
        }
    }
    count(data).max(1)
}

/// Whether any error of the response carries `code`.
fn has_code(response: &async_graphql::Response, code: &str) -> bool {
    response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| matches!(c, async_graphql::Value::String(c) if c == code))
    })
}

/// The media type of GraphQL over HTTP answers.
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// Renders a GraphQL response as GraphQL over HTTP asks: in the media type
/// the client accepts (`application/graphql-response+json` when it says so,
/// `application/json` otherwise); a request without a query is 400; a
/// document that does not parse or validate has no `data` entry and, for
/// `application/graphql-response+json`, answers 400.
fn render(
    req: &HttpRequest,
    response: &async_graphql::Response,
    no_query: bool,
    outcome: Option<&str>,
) -> HttpResponse {
    let graphql_json = accepts_graphql_json(req);
    let request_error = matches!(
        outcome,
        Some("GRAPHQL_PARSE_FAILED" | "GRAPHQL_VALIDATION_FAILED")
    ) && response.data == async_graphql::Value::Null;
    let mut body = match serde_json::to_value(response) {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "failed to serialise a response");
            return HttpResponse::InternalServerError().finish();
        }
    };
    if request_error && let Some(body) = body.as_object_mut() {
        body.shift_remove("data");
    }
    let mut http = if no_query || (request_error && graphql_json) {
        HttpResponse::BadRequest()
    } else {
        HttpResponse::Ok()
    };
    http.content_type(if graphql_json {
        GRAPHQL_RESPONSE_JSON
    } else {
        "application/json"
    });
    http.json(body)
}

/// An answer with one error and no data: every refusal that happens before
/// (or instead of) execution has this shape.
fn error_answer(
    status: StatusCode,
    code: &str,
    message: &str,
    request_id: &impl std::fmt::Display,
) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({
        "errors": [{
            "message": message,
            "extensions": { "code": code, "requestId": request_id.to_string() }
        }]
    }))
}

/// The answer to an argument value that breaks its type's rules: like a
/// validation error (no `data`; 400 for `application/graphql-response+json`,
/// 200 for `application/json`), with code `BAD_USER_INPUT` and the value's
/// path in `extensions.field`.
fn bad_input_answer(req: &HttpRequest, bad: &BadInput, request_id: &RequestId) -> HttpResponse {
    let graphql_json = accepts_graphql_json(req);
    let mut http = if graphql_json {
        HttpResponse::BadRequest()
    } else {
        HttpResponse::Ok()
    };
    http.content_type(if graphql_json {
        GRAPHQL_RESPONSE_JSON
    } else {
        "application/json"
    });
    http.json(serde_json::json!({
        "errors": [{
            "message": format!("{}: {}", bad.path, bad.message),
            "locations": [{ "line": bad.pos.line, "column": bad.pos.column }],
            "extensions": {
                "code": ErrorCode::BadUserInput.as_str(),
                "field": bad.path,
                "requestId": request_id.to_string(),
            }
        }]
    }))
}

/// Whether the client asked for `application/graphql-response+json`.
fn accepts_graphql_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains(GRAPHQL_RESPONSE_JSON))
}

/// The answer to a body that is not a GraphQL request at all: 400, JSON.
fn malformed(err: &actix_web::Error, request_id: &RequestId) -> HttpResponse {
    let status = err.as_response_error().status_code();
    let status = if status.is_client_error() {
        status
    } else {
        StatusCode::BAD_REQUEST
    };
    error_answer(
        status,
        "BAD_REQUEST",
        "the body is not a GraphQL request: send JSON with a string `query`, and optional `operationName` and `variables` (an object)",
        request_id,
    )
}

/// Adds the budget headers (and `Retry-After` on a refusal) to an answer.
fn with_charge(mut response: HttpResponse, charge: Option<Charge>) -> HttpResponse {
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
fn refused_charge(
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

fn record(req: &HttpRequest, operation: &str, outcome: &str, started: std::time::Instant) {
    if let Some(metrics) = req.app_data::<web::Data<Metrics>>() {
        metrics.observe_request(operation, outcome, started.elapsed());
    }
}

/// `GET /metrics`: Prometheus metrics in the text format. Counts and
/// timings only; expose it to the monitoring network, not the internet.
pub async fn metrics(
    metrics: web::Data<Metrics>,
    db: web::Data<DatabaseConnection>,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render(&db))
}

/// The answer to bad credentials: 401, no data, one UNAUTHENTICATED error.
fn refuse(failure: AuthFailure, request_id: &str) -> HttpResponse {
    let (status, code, message) = match failure {
        AuthFailure::Unauthenticated(reason) => {
            (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated, reason)
        }
        AuthFailure::Internal(err) if err.is_unavailable() => {
            tracing::warn!(error = ?err, "authentication failed: the database is unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServiceUnavailable,
                "the service is temporarily unavailable; try again shortly".to_owned(),
            )
        }
        AuthFailure::Internal(err) => {
            tracing::error!(error = ?err, "authentication failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalServerError,
                "internal server error".to_owned(),
            )
        }
    };
    let mut response = error_answer(status, code.as_str(), &message, &request_id);
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static(r#"Bearer error="invalid_token""#),
        );
    }
    response
}

/// Gives every error a stable `extensions.code` and the request id.
///
/// Resolver errors carry their code already. Errors async-graphql raises
/// before running anything (syntax, unknown fields, wrong types) carry none:
/// they are the client's, as GRAPHQL_PARSE_FAILED or GRAPHQL_VALIDATION_FAILED.
/// A codeless error inside execution is a server bug and is masked.
fn label_errors(errors: &mut [async_graphql::ServerError], parses: bool, request_id: &str) {
    for error in errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            let limit = match error.message.as_str() {
                "Query is nested too deep." => Some("MAX_QUERY_DEPTH"),
                "Query is too complex." => Some("MAX_QUERY_COMPLEXITY"),
                _ => None,
            };
            if let Some(limit) = limit {
                error.message = format!("{} The limit is set by {limit}.", error.message);
                extensions.set("code", "QUERY_TOO_COMPLEX");
                extensions.set("requestId", request_id);
                continue;
            }
            // A scalar that failed to parse when its resolver read it: the
            // client's value, never a server fault (the edge's input check
            // should have refused it first).
            if error.message.starts_with("Failed to parse \"") {
                tracing::info!(message = %error.message, "an argument value failed to parse");
                extensions.set("code", ErrorCode::BadUserInput.as_str());
                extensions.set("requestId", request_id);
                continue;
            }
            let code = if error.path.is_empty() {
                if parses {
                    "GRAPHQL_VALIDATION_FAILED"
                } else {
                    "GRAPHQL_PARSE_FAILED"
                }
            } else {
                tracing::error!(message = %error.message, "resolver error without a code");
                error.message = "internal server error".to_owned();
                ErrorCode::InternalServerError.as_str()
            };
            extensions.set("code", code);
        }
        extensions.set("requestId", request_id);
    }
}

/// `GET /graphql`: a query in the URL, or GraphiQL for a browser that asks
/// for the page without one.
pub async fn execute_get_or_graphiql(
    req: HttpRequest,
    payload: web::Payload,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    auth: web::Data<AuthState>,
    request_id: RequestId,
) -> actix_web::Result<HttpResponse> {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let has_query = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(|q| q.iter().any(|(k, _)| k == "query"))
        .unwrap_or(false);
    if wants_html && !has_query {
        return Ok(graphiql().await);
    }
    let request = match GraphQLRequest::from_request(&req, &mut payload.into_inner()).await {
        Ok(request) => request,
        Err(err) => return Ok(malformed(&err, &request_id)),
    };
    // Mutations change things: never over GET, which links and prefetchers
    // follow. (Subscriptions have their own endpoint.)
    if !is_query(&request.0.query, request.0.operation_name.as_deref()) {
        let mut response = error_answer(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "only queries may be sent with GET; send mutations with POST",
            &request_id,
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return Ok(response);
    }
    let limits = req.app_data::<web::Data<crate::graphql::Limits>>().cloned();
    Ok(execute(
        &req,
        &schema,
        &db,
        &auth,
        request_id,
        request,
        limits.as_ref().map(|l| l.get_ref()),
    )
    .await)
}

/// Whether the operation a request selects is a query (or cannot be told:
/// a document that does not parse is the validator's to report).
fn is_query(query: &str, operation_name: Option<&str>) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return true;
    };
    let selected = match &document.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => match operation_name {
            Some(name) => ops
                .iter()
                .find(|(n, _)| n.as_str() == name)
                .map(|(_, op)| op),
            None => ops.values().next(),
        },
    };
    selected.is_none_or(|op| op.node.ty == OperationType::Query)
}

/// GraphiQL, the in-browser IDE.
pub async fn graphiql() -> HttpResponse {
    super::graphiql::page().await
}

/// How long one GraphQL request may take (app data).
#[derive(Debug, Clone, Copy)]
pub struct RequestTimeout(pub std::time::Duration);
