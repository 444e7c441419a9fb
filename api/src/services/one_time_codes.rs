//! One-time sign-in codes: six random digits, sent by e-mail, stored only as
//! an argon2 hash, valid for ten minutes and for five attempts, used once.
//! A new code replaces the person's earlier ones.

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::Utc;
use entity::{one_time_code, person};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};

/// Attempts a code allows.
pub const MAX_ATTEMPTS: i32 = 5;

fn hash_code(code: &str) -> ServiceResult<String> {
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|_| ServiceError::invalid("code", "could not salt the code"))?;
    Argon2::default()
        .hash_password(code.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| ServiceError::invalid("code", "could not hash the code"))
}

fn code_matches(code: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(code.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Six random digits, uniformly drawn.
fn new_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// A code issued to a person, to send them.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub id: Uuid,
    pub code: String,
}

/// Issues a new code for `person_id`, valid for `ttl`; the person's earlier
/// codes stop working.
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    person_id: Uuid,
    ttl: Duration,
) -> ServiceResult<IssuedCode> {
    let now = Utc::now();
    one_time_code::Entity::update_many()
        .col_expr(one_time_code::Column::UsedAt, Expr::value(now))
        .filter(one_time_code::Column::PersonId.eq(person_id))
        .filter(one_time_code::Column::UsedAt.is_null())
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to retire earlier codes"))?;
    let code = new_code();
    let id = Uuid::now_v7();
    let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::minutes(10));
    one_time_code::Entity::insert(one_time_code::ActiveModel {
        id: Set(id),
        person_id: Set(person_id),
        code_hash: Set(hash_code(&code)?),
        attempts: Set(0),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .map_err(ServiceError::database("failed to store a code"))?;
    Ok(IssuedCode { id, code })
}

/// What trying a code came to. Both must be committed: a wrong attempt
/// counts.
#[derive(Debug)]
pub enum Redeemed {
    /// The code was right and is now used.
    Person(person::Model),
    /// No such address, no live code, too many attempts, or a wrong code:
    /// told apart in the log only, never to the client.
    Refused(&'static str),
}

/// Tries `code` for `email`: counts the attempt in one conditional
/// statement (so five attempts are five, however many race), then marks
/// the code used in another (so it signs in once).
pub async fn redeem<C: ConnectionTrait>(
    db: &C,
    email: &str,
    code: &str,
) -> ServiceResult<Redeemed> {
    let Some(person) = super::people::find_person_by_email(db, email).await? else {
        return Ok(Redeemed::Refused("unknown address"));
    };
    let now = Utc::now();
    let live = one_time_code::Entity::find()
        .filter(one_time_code::Column::PersonId.eq(person.id))
        .filter(one_time_code::Column::UsedAt.is_null())
        .filter(one_time_code::Column::ExpiresAt.gt(now))
        .order_by_desc(one_time_code::Column::Id)
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read a code"))?;
    let Some(live) = live else {
        return Ok(Redeemed::Refused("no live code"));
    };
    let counted = one_time_code::Entity::update_many()
        .col_expr(
            one_time_code::Column::Attempts,
            Expr::col(one_time_code::Column::Attempts).add(1),
        )
        .filter(one_time_code::Column::Id.eq(live.id))
        .filter(one_time_code::Column::UsedAt.is_null())
        .filter(one_time_code::Column::Attempts.lt(MAX_ATTEMPTS))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to count an attempt"))?;
    if counted.rows_affected != 1 {
        return Ok(Redeemed::Refused("too many attempts"));
    }
    if !code_matches(code.trim(), &live.code_hash) {
        return Ok(Redeemed::Refused("wrong code"));
    }
    let used = one_time_code::Entity::update_many()
        .col_expr(one_time_code::Column::UsedAt, Expr::value(now))
        .filter(one_time_code::Column::Id.eq(live.id))
        .filter(one_time_code::Column::UsedAt.is_null())
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to use a code"))?;
    if used.rows_affected != 1 {
        return Ok(Redeemed::Refused("code already used"));
    }
    Ok(Redeemed::Person(person))
}
