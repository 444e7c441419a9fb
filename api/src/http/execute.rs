//! Running one GraphQL operation at the edge, as a list of steps: the
//! persisted document, the document's limits, the argument values, the
//! request's data, the run within the time-out, the audit of personal reads,
//! and the answer with its cost. A step that refuses answers at once, at a
//! cost of 1 against the caller's budget.

use std::time::{Duration, Instant};

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql_actix_web::GraphQLRequest;
use sea_orm::DatabaseConnection;
use tracing_actix_web::RequestId;

use super::accounting::{actual_cost, charge_requested, record, refused_charge, with_charge};
use super::answers::{bad_input_answer, error_answer, has_code, label_errors, refuse, render};
use super::auth::{AuthFailure, AuthState};
use crate::graphql::context::{PersonalReads, RequestLogId};
use crate::graphql::error::ErrorCode;
use crate::graphql::input_check::InputCheck;
use crate::graphql::persisted::{Lookup, PersistedDocuments};
use crate::graphql::write::IdempotencyKey;
use crate::graphql::{AppSchema, loaders};
use crate::metrics::Metrics;
use crate::policy::Caller;
use crate::ratelimit::{Budget, Key, RATE_LIMITED, RateLimits};
use crate::services::audit::Actor;

/// One GraphQL operation on its way through the edge: what every step
/// needs to refuse it or answer it.
pub struct Exchange<'a> {
    req: &'a HttpRequest,
    request_id: RequestId,
    started: Instant,
    caller: Option<Caller>,
    /// The caller's organisation's budget, or the address's when anonymous.
    budget: Option<Budget>,
}

/// A step's refusal: the answer to send instead of running the operation.
type Refused = Box<HttpResponse>;

impl<'a> Exchange<'a> {
    /// `started`: when the operation's timing starts (for the first
    /// operation of a request, before its credentials were checked).
    pub fn new(
        req: &'a HttpRequest,
        request_id: RequestId,
        caller: Option<Caller>,
        started: Instant,
    ) -> Self {
        let budget = req
            .app_data::<web::Data<RateLimits>>()
            .and_then(|limits| match &caller {
                Some(caller) => limits.budget(Key::Organisation(caller.organisation_slug.clone())),
                None => limits.budget(Key::Address(req.peer_addr()?.ip())),
            });
        Self {
            req,
            request_id,
            started,
            caller,
            budget,
        }
    }

    fn app_data<T: 'static>(&self) -> Option<&'a web::Data<T>> {
        self.req.app_data::<web::Data<T>>()
    }

    /// Refuses the operation with `answer` before it runs, at a cost of 1
    /// (429 instead if the budget is spent), and records the outcome.
    fn refuse(&self, label: &str, code: &str, answer: HttpResponse) -> Refused {
        let charge = self.budget.as_ref().map(|b| b.charge(1));
        if let Some(refused) =
            refused_charge(self.req, self.budget.as_ref(), charge, &self.request_id)
        {
            record(self.req, label, RATE_LIMITED, self.started);
            return Box::new(refused);
        }
        record(self.req, label, code, self.started);
        Box::new(with_charge(answer, charge))
    }
}

/// Answers refused credentials: 401 (or 503 when the database cannot
/// tell), charging the client's address a point a try, so that guessing
/// tokens is rate limited.
pub fn refuse_credentials(
    req: &HttpRequest,
    failure: AuthFailure,
    request_id: RequestId,
    started: Instant,
) -> HttpResponse {
    if let Some(metrics) = req.app_data::<web::Data<Metrics>>() {
        metrics.auth_failure("graphql");
    }
    let exchange = Exchange::new(req, request_id, None, started);
    let answer = refuse(failure, &request_id.to_string());
    let code = ErrorCode::Unauthenticated.as_str();
    *exchange.refuse("unauthenticated", code, answer)
}

/// Runs one GraphQL operation as its caller, step by step. `parsed` is the
/// request's text already parsed, if the handler had to parse it. Every
/// error in the answer carries the request id in `extensions.requestId`,
/// matching the logs.
pub async fn execute(
    exchange: Exchange<'_>,
    schema: &AppSchema,
    db: &DatabaseConnection,
    auth: &AuthState,
    request: GraphQLRequest,
    parsed: Option<ExecutableDocument>,
    limits: Option<&crate::graphql::Limits>,
) -> HttpResponse {
    let steps = async {
        let (request, document) = persisted_document(&exchange, request.0, parsed)?;
        check_limits(&exchange, limits, &request, document.as_ref())?;
        check_input(&exchange, &request, document.as_ref())?;
        charge_cost(&exchange, limits, &request, document.as_ref())?;
        let (request, prepared) = prepare(&exchange, db, auth, request, document);
        let response = run(&exchange, schema, request).await?;
        let response = audit_reads(&exchange, db, &prepared, response).await;
        Ok::<_, Refused>(answer(&exchange, prepared, response))
    };
    match steps.await {
        Ok(answer) => answer,
        Err(refused) => *refused,
    }
}

/// Step: a persisted document (APQ or trusted) replaces the query text,
/// already parsed; any other text is parsed here (unless the handler did),
/// once, for every later step. A syntax error is the executor's to report.
fn persisted_document(
    exchange: &Exchange<'_>,
    mut request: async_graphql::Request,
    parsed: Option<ExecutableDocument>,
) -> Result<(async_graphql::Request, Option<ExecutableDocument>), Refused> {
    let persisted = exchange.app_data::<PersistedDocuments>();
    let lookup = match persisted {
        Some(persisted) => {
            let organisation = exchange
                .caller
                .as_ref()
                .map(|c| c.organisation_slug.as_str());
            let extension = request.extensions.0.get("persistedQuery");
            persisted.lookup(&request.query, extension, organisation)
        }
        None => Lookup::Text,
    };
    let register = match lookup {
        Lookup::Text => None,
        Lookup::Register { hash } => Some(hash),
        Lookup::Stored(stored) => {
            request.query = stored.query.to_string();
            return Ok((request, Some(stored.document.clone())));
        }
        Lookup::Refused { code, message } => {
            return Err(exchange.refuse(
                "invalid",
                code,
                error_answer(StatusCode::OK, code, &message, &exchange.request_id),
            ));
        }
    };
    let document = parsed.or_else(|| async_graphql::parser::parse_query(&request.query).ok());
    if let (Some(hash), Some(document), Some(persisted)) = (register, &document, persisted) {
        persisted.register(hash, &request.query, document);
    }
    Ok((request, document))
}

/// Step: the document's own limits (aliases, root fields, batch); a query
/// over one runs nothing.
fn check_limits(
    exchange: &Exchange<'_>,
    limits: Option<&crate::graphql::Limits>,
    request: &async_graphql::Request,
    document: Option<&ExecutableDocument>,
) -> Result<(), Refused> {
    let (Some(limits), Some(document)) = (limits, document) else {
        return Ok(());
    };
    match limits.check_parsed(document, request.operation_name.as_deref()) {
        Ok(()) => Ok(()),
        Err(message) => Err(exchange.refuse(
            "invalid",
            "QUERY_TOO_COMPLEX",
            error_answer(
                StatusCode::OK,
                "QUERY_TOO_COMPLEX",
                &message,
                &exchange.request_id,
            ),
        )),
    }
}

/// Step: every argument value against its scalar's rules (control
/// characters, dates, integer ranges), before anything runs.
fn check_input(
    exchange: &Exchange<'_>,
    request: &async_graphql::Request,
    document: Option<&ExecutableDocument>,
) -> Result<(), Refused> {
    let (Some(check), Some(document)) = (exchange.app_data::<InputCheck>(), document) else {
        return Ok(());
    };
    match check.check(
        document,
        request.operation_name.as_deref(),
        &request.variables,
    ) {
        Ok(()) => Ok(()),
        Err(bad) => {
            tracing::info!(path = %bad.path, "refused an invalid argument value");
            Err(exchange.refuse(
                "invalid",
                ErrorCode::BadUserInput.as_str(),
                bad_input_answer(exchange.req, &bad, &exchange.request_id),
            ))
        }
    }
}

/// Step: charges the caller's budget with what the document asks for
/// ([`cost::requested`]), before anything runs; over the budget is 429 and
/// runs nothing. What the answer's pages leave empty is given back in
/// [`answer`]. A document over the complexity limit is the validation's to
/// refuse, at a cost of 1.
fn charge_cost(
    exchange: &Exchange<'_>,
    limits: Option<&crate::graphql::Limits>,
    request: &async_graphql::Request,
    document: Option<&ExecutableDocument>,
) -> Result<(), Refused> {
    let (Some(budget), Some(check), Some(document)) = (
        exchange.budget.as_ref(),
        exchange.app_data::<InputCheck>(),
        document,
    ) else {
        return Ok(());
    };
    let max = limits.map(|l| l.max_complexity);
    match charge_requested(
        exchange.req,
        budget,
        check,
        document,
        &request.variables,
        max,
        &exchange.request_id,
    ) {
        Some(refused) => {
            let label =
                crate::metrics::operation_label(document, request.operation_name.as_deref());
            record(exchange.req, &label, RATE_LIMITED, exchange.started);
            Err(Box::new(refused))
        }
        None => Ok(()),
    }
}

/// An operation ready to run, and what the steps after it need.
struct Prepared {
    reads: PersonalReads,
    no_query: bool,
    parses: bool,
    /// The operation's name, or the document's one operation's.
    operation: Option<String>,
    /// The metrics label of the operation.
    label: String,
    /// To put the answer in the spec's shape after execution.
    shape: Option<(ExecutableDocument, Option<String>, async_graphql::Variables)>,
}

/// Step: the request's data (loaders, caller, request id, idempotency key,
/// budget, the personal reads to audit) and its parsed document.
fn prepare(
    exchange: &Exchange<'_>,
    db: &DatabaseConnection,
    auth: &AuthState,
    request: async_graphql::Request,
    document: Option<ExecutableDocument>,
) -> (async_graphql::Request, Prepared) {
    let caller = exchange.caller.clone();
    let mut request = request.data(loaders::for_request(
        db.clone(),
        caller.clone(),
        auth.loader_batch_window,
    ));
    if let Some(key) = exchange
        .req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
    {
        request = request.data(IdempotencyKey(key.to_owned()));
    }
    let reads = PersonalReads::default();
    request = request
        .data(RequestLogId(exchange.request_id.to_string()))
        .data(reads.clone())
        .data(auth.callers.clone());
    if let Some(caller) = caller {
        request = request.data(caller);
    }
    let no_query = request.query.is_empty();
    let parses = document.is_some();
    let mut operation = request.operation_name.clone();
    let mut label = "invalid".to_owned();
    let shape = document.as_ref().map(|d| {
        (
            d.clone(),
            request.operation_name.clone(),
            request.variables.clone(),
        )
    });
    if let Some(document) = document {
        if operation.is_none()
            && let async_graphql::parser::types::DocumentOperations::Multiple(ops) =
                &document.operations
        {
            operation = ops.keys().next().map(|name| name.to_string());
        }
        label = crate::metrics::operation_label(&document, operation.as_deref());
        request.set_parsed_query(document);
    }
    let prepared = Prepared {
        reads,
        no_query,
        parses,
        operation,
        label,
        shape,
    };
    (request, prepared)
}

/// Step: runs the operation within the request time-out. Dropping the
/// execution on time-out rolls its transaction back.
async fn run(
    exchange: &Exchange<'_>,
    schema: &AppSchema,
    request: async_graphql::Request,
) -> Result<async_graphql::Response, Refused> {
    let timeout = exchange
        .app_data::<RequestTimeout>()
        .map_or(Duration::from_secs(30), |t| t.0);
    match tokio::time::timeout(timeout, schema.execute(request)).await {
        Ok(response) => Ok(response),
        Err(_) => {
            tracing::warn!(timeout_s = timeout.as_secs_f64(), "request timed out");
            record(exchange.req, "timeout", "TIMEOUT", exchange.started);
            let charge = exchange.budget.as_ref().map(|b| b.charge(1));
            Err(Box::new(with_charge(
                error_answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "TIMEOUT",
                    &format!(
                        "the request took longer than {} s and was abandoned; retry a change with the same Idempotency-Key",
                        timeout.as_secs_f64()
                    ),
                    &exchange.request_id,
                ),
                charge,
            )))
        }
    }
}

/// Step: records the personal fields the operation read before the answer
/// leaves; if they cannot be recorded, the answer is replaced by the error.
async fn audit_reads(
    exchange: &Exchange<'_>,
    db: &DatabaseConnection,
    prepared: &Prepared,
    response: async_graphql::Response,
) -> async_graphql::Response {
    let Some(caller) = &exchange.caller else {
        return response;
    };
    let events = prepared.reads.events(prepared.operation.as_deref());
    if events.is_empty() {
        return response;
    }
    let actor = Actor::caller(caller, Some(exchange.request_id.to_string()));
    match crate::services::audit::record(db, &actor, events).await {
        Ok(()) => response,
        Err(err) => {
            // No personal value leaves without its audit record.
            let err = crate::graphql::error::to_graphql(&err);
            async_graphql::Response::from_errors(vec![
                err.into_server_error(async_graphql::Pos::default()),
            ])
        }
    }
}

/// Step: the answer: in the spec's shape, with the cost settled, stable
/// error codes, the metrics recorded and the budget's headers.
fn answer(
    exchange: &Exchange<'_>,
    prepared: Prepared,
    mut response: async_graphql::Response,
) -> HttpResponse {
    let req = exchange.req;
    if let (Some((document, operation_name, variables)), Some(check)) =
        (&prepared.shape, exchange.app_data::<InputCheck>())
    {
        crate::graphql::response_shape::complete(
            check,
            document,
            operation_name.as_deref(),
            variables,
            &mut response,
        );
    }
    settle_cost(exchange.budget.as_ref(), &mut response);
    if !response.errors.is_empty() {
        label_errors(
            &mut response.errors,
            prepared.parses,
            &exchange.request_id.to_string(),
        );
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
        _ => prepared.label,
    };
    // Requests that never reached validation (syntax errors) cost 1.
    let budget = exchange.budget.as_ref();
    let charge = budget.map(|b| b.charge(1));
    if outcome.as_deref() != Some(RATE_LIMITED)
        && let Some(refused) = refused_charge(req, budget, charge, &exchange.request_id)
    {
        record(req, &operation, RATE_LIMITED, exchange.started);
        return refused;
    }
    record(
        req,
        &operation,
        outcome.as_deref().unwrap_or("ok"),
        exchange.started,
    );
    crate::telemetry::record_graphql(&operation, exchange.caller.as_ref());
    let mut http = render(req, &response, prepared.no_query, outcome.as_deref());
    if has_code(&response, ErrorCode::IdempotencyKeyInUse.as_str()) {
        http.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(crate::graphql::error::KEY_IN_USE_RETRY_AFTER_SECS),
        );
    }
    if outcome.as_deref() == Some(RATE_LIMITED) {
        if let (Some(metrics), Some(budget)) = (exchange.app_data::<Metrics>(), budget) {
            metrics.rate_limited(budget.key().class());
        }
        *http.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    }
    with_charge(http, charge)
}

/// What the pages did not fill is given back, and the cost reported in
/// `extensions.cost`.
fn settle_cost(budget: Option<&Budget>, response: &mut async_graphql::Response) {
    if let Some(budget) = budget
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
}

/// How long one GraphQL request may take (app data).
#[derive(Debug, Clone, Copy)]
pub struct RequestTimeout(pub Duration);
