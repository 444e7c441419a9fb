//! `POST /graphql`, `GET /graphql` (GraphQL over HTTP) and GraphiQL.

use std::time::Instant;

use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use async_graphql::BatchRequest;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql_actix_web::{GraphQLBatchRequest, GraphQLRequest};
use sea_orm::DatabaseConnection;
use tracing_actix_web::RequestId;

use super::answers::{error_answer, malformed};
use super::auth::{AuthState, Credentials};
use super::execute::{Exchange, execute, refuse_credentials};
use crate::graphql::AppSchema;

/// `POST /graphql`.
pub async fn execute_post(
    req: HttpRequest,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    auth: web::Data<AuthState>,
    request_id: RequestId,
    credentials: Credentials,
    request: Result<GraphQLBatchRequest, actix_web::Error>,
) -> HttpResponse {
    let limits = req.app_data::<web::Data<crate::graphql::Limits>>().cloned();
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
    let started = credentials.started;
    let caller = match credentials.into_caller() {
        Ok(caller) => caller,
        Err(failure) => return refuse_credentials(&req, failure, request_id, started),
    };
    let requests = match request.into_inner() {
        BatchRequest::Single(request) => {
            let exchange = Exchange::new(&req, request_id, caller, started);
            let request = GraphQLRequest(request);
            return execute(exchange, &schema, &db, &auth, request, None, limits).await;
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
    for (n, request) in requests.into_iter().enumerate() {
        // Each operation is timed on its own; the first from the check of
        // the request's credentials.
        let started = if n == 0 { started } else { Instant::now() };
        let exchange = Exchange::new(&req, request_id, caller.clone(), started);
        let response = execute(
            exchange,
            &schema,
            &db,
            &auth,
            GraphQLRequest(request),
            None,
            limits,
        )
        .await;
        // A spent budget refuses the rest alike: answer as is.
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

/// `GET /graphql`: a query in the URL, or GraphiQL for a browser that asks
/// for the page without one.
pub async fn execute_get_or_graphiql(
    req: HttpRequest,
    payload: web::Payload,
    schema: web::Data<AppSchema>,
    db: web::Data<DatabaseConnection>,
    auth: web::Data<AuthState>,
    request_id: RequestId,
    credentials: Credentials,
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
    // Parsed once: for this check and for every step after it.
    let parsed = async_graphql::parser::parse_query(&request.0.query).ok();
    if !is_query(parsed.as_ref(), request.0.operation_name.as_deref()) {
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
    let started = credentials.started;
    let caller = match credentials.into_caller() {
        Ok(caller) => caller,
        Err(failure) => return Ok(refuse_credentials(&req, failure, request_id, started)),
    };
    let limits = req.app_data::<web::Data<crate::graphql::Limits>>().cloned();
    let exchange = Exchange::new(&req, request_id, caller, started);
    Ok(execute(
        exchange,
        &schema,
        &db,
        &auth,
        request,
        parsed,
        limits.as_ref().map(|l| l.get_ref()),
    )
    .await)
}

/// Whether the operation a request selects is a query (or cannot be told:
/// a document that does not parse is the validator's to report).
fn is_query(document: Option<&ExecutableDocument>, operation_name: Option<&str>) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Some(document) = document else {
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
