//! The shapes of the edge's answers: GraphQL responses rendered as GraphQL
//! over HTTP asks, refusals before execution, and stable error codes.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use tracing_actix_web::RequestId;

use super::auth::AuthFailure;
use crate::graphql::error::ErrorCode;
use crate::graphql::input_check::BadInput;

/// Whether any error of the response carries `code`.
pub fn has_code(response: &async_graphql::Response, code: &str) -> bool {
    response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| matches!(c, async_graphql::Value::String(c) if c == code))
    })
}

/// The media type of GraphQL over HTTP answers.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// Renders a GraphQL response as GraphQL over HTTP asks: in the media type
/// the client accepts (`application/graphql-response+json` when it says so,
/// `application/json` otherwise); a request without a query is 400; a
/// document that does not parse or validate has no `data` entry and, for
/// `application/graphql-response+json`, answers 400.
pub fn render(
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
    // Serialised once, straight to bytes; a request error (no data key at
    // all) is rare enough to go through a JSON value.
    let body = if request_error {
        serde_json::to_value(response).and_then(|mut body| {
            if let Some(body) = body.as_object_mut() {
                body.shift_remove("data");
            }
            serde_json::to_vec(&body)
        })
    } else {
        serde_json::to_vec(response)
    };
    let body = match body {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "failed to serialise a response");
            return HttpResponse::InternalServerError().finish();
        }
    };
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
    http.body(body)
}

/// An answer with one error and no data: every refusal that happens before
/// (or instead of) execution has this shape.
pub fn error_answer(
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
pub fn bad_input_answer(req: &HttpRequest, bad: &BadInput, request_id: &RequestId) -> HttpResponse {
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
pub fn accepts_graphql_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains(GRAPHQL_RESPONSE_JSON))
}

/// The answer to a body that is not a GraphQL request at all: 400, JSON.
pub fn malformed(err: &actix_web::Error, request_id: &RequestId) -> HttpResponse {
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

/// Gives every error a stable `extensions.code` and the request id.
///
/// Resolver errors carry their code already. Errors async-graphql raises
/// before running anything (syntax, unknown fields, wrong types) carry none:
/// they are the client's, as GRAPHQL_PARSE_FAILED or GRAPHQL_VALIDATION_FAILED.
/// A codeless error inside execution is a server bug and is masked.
pub fn label_errors(errors: &mut [async_graphql::ServerError], parses: bool, request_id: &str) {
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

/// The answer to bad credentials: 401, no data, one UNAUTHENTICATED error.
pub fn refuse(failure: AuthFailure, request_id: &str) -> HttpResponse {
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
