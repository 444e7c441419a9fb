//! Errors as clients see them: a message and a stable `extensions.code`.
//!
//! This is the one place a service error becomes a GraphQL error. Database
//! and other internal failures are logged here, inside the request's span (so
//! with its request id), and reach the client only as a generic message.

use async_graphql::ErrorExtensions;

use crate::services::ServiceError;

/// The stable codes clients can match on in `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// No valid credentials for an operation that needs them.
    Unauthenticated,
    /// Credentials are valid but do not allow this.
    Forbidden,
    /// The input is malformed or breaks a rule; nothing was changed.
    BadUserInput,
    /// The thing does not exist, or the caller may not know that it does.
    NotFound,
    /// The change clashes with the current state.
    Conflict,
    /// The request's idempotency key is held by a request still running;
    /// retry after `extensions.retryAfter` seconds for its result.
    IdempotencyKeyInUse,
    /// The database cannot be reached right now; retry later.
    ServiceUnavailable,
    /// Something failed on the server; details are in the logs.
    InternalServerError,
}

impl ErrorCode {
    /// The code as it appears in `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::IdempotencyKeyInUse => "IDEMPOTENCY_KEY_IN_USE",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }
}

/// Seconds a client should wait before retrying a request whose
/// idempotency key is in use (also sent as `Retry-After`).
pub const KEY_IN_USE_RETRY_AFTER_SECS: u32 = 1;

/// A GraphQL error with `message` and `extensions.code`.
pub fn error(code: ErrorCode, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code.as_str()))
}

/// A BAD_USER_INPUT error naming the offending argument or input field.
pub fn bad_input(field: &str, message: impl Into<String>) -> async_graphql::Error {
    let message = message.into();
    async_graphql::Error::new(format!("{field}: {message}")).extend_with(|_, e| {
        e.set("code", ErrorCode::BadUserInput.as_str());
        e.set("field", field);
    })
}

impl From<ServiceError> for async_graphql::Error {
    fn from(err: ServiceError) -> Self {
        to_graphql(&err)
    }
}

/// Maps a service error, logging internal ones. Loaders share their errors
/// between callers, so this works on a reference.
pub fn to_graphql(err: &ServiceError) -> async_graphql::Error {
    match err {
        ServiceError::Unauthenticated { reason } => {
            error(ErrorCode::Unauthenticated, reason.clone())
        }
        ServiceError::Forbidden { reason } => error(ErrorCode::Forbidden, reason.clone()),
        ServiceError::NotFound { entity } => {
            error(ErrorCode::NotFound, format!("{entity} not found"))
        }
        ServiceError::InvalidInput { field, message } => bad_input(field, message.clone()),
        ServiceError::InvalidInputs { errors } => {
            let (field, message) = errors.first().cloned().unwrap_or_default();
            bad_input(&field, message).extend_with(|_, e| {
                e.set(
                    "fields",
                    errors
                        .iter()
                        .map(|(f, m)| {
                            let mut object = async_graphql::indexmap::IndexMap::new();
                            object.insert(
                                async_graphql::Name::new("field"),
                                async_graphql::Value::from(f.as_str()),
                            );
                            object.insert(
                                async_graphql::Name::new("message"),
                                async_graphql::Value::from(m.as_str()),
                            );
                            async_graphql::Value::Object(object)
                        })
                        .collect::<Vec<_>>(),
                );
            })
        }
        ServiceError::Conflict { message } => error(ErrorCode::Conflict, message.clone()),
        ServiceError::KeyInUse => error(
            ErrorCode::IdempotencyKeyInUse,
            "a request with this idempotency key is still running; retry shortly for its result",
        )
        .extend_with(|_, e| {
            e.set("retryable", true);
            e.set("retryAfter", KEY_IN_USE_RETRY_AFTER_SECS);
        }),
        ServiceError::Database { context, source } if err.is_unavailable() => {
            tracing::warn!(error = %source, "{context}: the database is unavailable");
            unavailable()
        }
        ServiceError::Database { context, source } => {
            tracing::error!(error = %source, "{context}");
            internal()
        }
    }
}

/// What a client learns when the database is out of reach.
pub fn unavailable() -> async_graphql::Error {
    error(
        ErrorCode::ServiceUnavailable,
        "the service is temporarily unavailable; try again shortly",
    )
}

/// The only thing a client learns of an internal failure.
pub fn internal() -> async_graphql::Error {
    error(ErrorCode::InternalServerError, "internal server error")
}
