//! What a mutation answers: its payload's user errors, which say why an
//! input was refused and change nothing. Authorization and not-found
//! failures are GraphQL errors with `extensions.code` instead.

use async_graphql::{Enum, MaybeUndefined, Result, SimpleObject};

use crate::services::{ServiceError, ServiceResult};

/// Why an input was refused.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserErrorCode {
    /// A value breaks a rule (length, range, format, order of dates).
    Invalid,
    /// A value clashes with stored data.
    Taken,
}

/// A validation failure of one input field. Nothing was changed.
#[derive(SimpleObject, Debug, Clone)]
pub struct UserError {
    /// Path to the input field, e.g. `["input", "endsOn"]`.
    pub field: Vec<String>,
    /// What is wrong, for people.
    pub message: String,
    /// What is wrong, for programs.
    pub code: UserErrorCode,
}

/// A user error at `field`, a dotted path inside the input
/// (`languages.0.language`), as the path array clients match on
/// (`["input", "languages", "0", "language"]`).
fn user_error(field: &str, message: String) -> UserError {
    let mut path = vec!["input".to_owned()];
    path.extend(
        field
            .split('.')
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    );
    UserError {
        field: path,
        message,
        code: UserErrorCode::Invalid,
    }
}

/// Splits a service result into the payload's object and user errors;
/// anything that is not about the input is a GraphQL error.
pub fn payload<T>(result: ServiceResult<T>) -> Result<(Option<T>, Vec<UserError>)> {
    match result {
        Ok(value) => Ok((Some(value), Vec::new())),
        Err(ServiceError::InvalidInput { field, message }) => {
            Ok((None, vec![user_error(&field, message)]))
        }
        Err(ServiceError::InvalidInputs { errors }) => Ok((
            None,
            errors
                .into_iter()
                .map(|(field, message)| user_error(&field, message))
                .collect(),
        )),
        Err(other) => Err(other.into()),
    }
}

/// A nullable input field as a change: absent leaves it, `null` clears it,
/// a value sets it.
pub fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}
