//! The service layer's error, mapped to a GraphQL `extensions.code` in one
//! place (`graphql::error`).

use sea_orm::{DbErr, SqlErr};

/// Result of a service call.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// Everything a service call can fail with.
///
/// Deliberately not `Display`: async-graphql converts any `Display` error
/// into a GraphQL error without a code, so `?` would silently lose the code.
/// Without it, the only conversion is the one in `graphql::error`.
#[derive(Debug)]
pub enum ServiceError {
    /// No valid credentials. Code `UNAUTHENTICATED`.
    Unauthenticated { reason: String },
    /// Valid credentials that do not allow this. Code `FORBIDDEN`.
    Forbidden { reason: String },
    /// The row does not exist, or the caller may not see it. Code `NOT_FOUND`.
    NotFound { entity: &'static str },
    /// The input breaks a rule; nothing was changed. Code `BAD_USER_INPUT`.
    InvalidInput { field: String, message: String },
    /// Several input fields break rules; nothing was changed. Each is
    /// reported (as a user error, or `BAD_USER_INPUT` naming the first).
    InvalidInputs { errors: Vec<(String, String)> },
    /// The change clashes with the stored state (a unique value taken, a
    /// stale version). Code `CONFLICT`.
    Conflict { message: String },
    /// The same idempotency key is held by a request still running; retry
    /// after a moment for its result. Code `IDEMPOTENCY_KEY_IN_USE`, with
    /// `extensions.retryAfter` (seconds) and a `Retry-After` header.
    KeyInUse,
    /// The database failed. Logged with the request id, and shown to clients
    /// only as `INTERNAL_SERVER_ERROR`.
    Database {
        context: &'static str,
        source: DbErr,
    },
}

impl ServiceError {
    /// A rule broken by one input field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Wraps a database error with what was being done, turning constraint
    /// violations the schema names into clear input errors.
    ///
    /// SQLite names the columns (`UNIQUE constraint failed: employer.organisation_number`)
    /// and PostgreSQL the index (`ux_employer_organisation_number`), so each
    /// known constraint is listed with both spellings.
    pub fn database(context: &'static str) -> impl FnOnce(DbErr) -> Self {
        Self::database_referencing(context, "id", "a referenced record does not exist")
    }

    /// As [`Self::database`], naming the input field and message to give when
    /// a foreign key points at nothing.
    pub fn database_referencing(
        context: &'static str,
        field: &'static str,
        missing: &'static str,
    ) -> impl FnOnce(DbErr) -> Self {
        move |source| match source.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(message)) => {
                match UNIQUE_CONSTRAINTS.iter().find(|c| c.matches(&message)) {
                    Some(constraint) => Self::Conflict {
                        message: constraint.message.to_owned(),
                    },
                    None => Self::Conflict {
                        message: "a record with the same unique value already exists".to_owned(),
                    },
                }
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Self::InvalidInput {
                field: field.to_owned(),
                message: missing.to_owned(),
            },
            _ => Self::Database { context, source },
        }
    }
}

/// Collects every invalid input field of a request, so that a client learns
/// of all of them at once rather than one per attempt.
#[derive(Debug, Default)]
pub struct Validation {
    errors: Vec<(String, String)>,
}

impl Validation {
    /// Starts with no errors.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of a check that passed; a failed one is noted (an error
    /// that is not about the input is returned at once).
    pub fn check<T>(&mut self, result: ServiceResult<T>) -> ServiceResult<Option<T>> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(ServiceError::InvalidInput { field, message }) => {
                self.errors.push((field, message));
                Ok(None)
            }
            Err(ServiceError::InvalidInputs { errors }) => {
                self.errors.extend(errors);
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// Notes a broken rule of `field`.
    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push((field.into(), message.into()));
    }

    /// `Ok` if every check passed; otherwise every failure, in order.
    pub fn finish(mut self) -> ServiceResult<()> {
        match self.errors.len() {
            0 => Ok(()),
            1 => {
                let (field, message) = self.errors.remove(0);
                Err(ServiceError::InvalidInput { field, message })
            }
            _ => Err(ServiceError::InvalidInputs {
                errors: self.errors,
            }),
        }
    }
}

impl ServiceError {
    /// Whether the failure is the database being out of reach (down,
    /// restarting, pool exhausted), rather than a fault: worth a retry.
    pub fn is_unavailable(&self) -> bool {
        let Self::Database { source, .. } = self else {
            return false;
        };
        unavailable(source)
    }
}

/// Whether a database error means the database cannot be reached.
pub fn unavailable(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    let runtime = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return matches!(err, DbErr::Conn(_));
    };
    match sqlx.as_ref() {
        Sqlx::Io(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed
        | Sqlx::Tls(_)
        | Sqlx::Protocol(_) => true,
        // Connection exceptions, shutdown, a database that is gone.
        Sqlx::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || code.starts_with("57P") || code == "3D000"
        }),
        _ => matches!(err, DbErr::Conn(_)),
    }
}

struct UniqueConstraint {
    index: &'static str,
    columns: &'static str,
    message: &'static str,
}

impl UniqueConstraint {
    fn matches(&self, message: &str) -> bool {
        message.contains(self.index) || message.contains(self.columns)
    }
}

const UNIQUE_CONSTRAINTS: &[UniqueConstraint] = &[
    UniqueConstraint {
        index: "ux_partner_organisation_slug",
        columns: "partner_organisation.slug",
        message: "a partner organisation with this slug already exists",
    },
    UniqueConstraint {
        index: "ux_employer_organisation_number",
        columns: "employer.organisation_number",
        message: "an employer with this organisation number already exists",
    },
    UniqueConstraint {
        index: "ux_idempotency_key_scope_key",
        columns: "idempotency_key.scope, idempotency_key.key",
        message: "a request with this idempotency key is already being processed",
    },
    UniqueConstraint {
        index: "ux_mentorship_current",
        columns: "mentorship.mentor_id, mentorship.participant_id",
        message: "this mentor already mentors this participant",
    },
    UniqueConstraint {
        index: "ux_placement_open_in_slot",
        columns: "placement.participant_id, placement.slot_id",
        message: "the participant already has an open placement in this slot",
    },
    UniqueConstraint {
        index: "ux_membership_active",
        columns: "membership.person_id, membership.partner_organisation_id, membership.role",
        message: "this person already has this role in this organisation",
    },
    UniqueConstraint {
        index: "ux_identity_provider_issuer",
        columns: "identity_provider.issuer",
        message: "an identity provider with this issuer is already registered",
    },
    UniqueConstraint {
        index: "ux_registration_open",
        columns: "registration.activity_id, registration.participant_id",
        message: "the participant is already signed up for this activity",
    },
    UniqueConstraint {
        index: "ux_consent_in_force",
        columns: "consent.participant_id, consent.partner_organisation_id",
        message: "a consent for this organisation is already in force",
    },
];
