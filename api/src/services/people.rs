//! People and their memberships: a person is one human, known by their
//! e-mail address across the network; each membership gives them one role
//! in one organisation. A token always acts for one membership.

use chrono::Utc;
use entity::{MembershipStatus, employer, membership, mentor, participant, person};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::error::Validation;
use super::input::required_text;
use super::{ServiceError, ServiceResult};
use crate::domain::contact::{normalise_email, normalise_phone};
use crate::policy::{Caller, Role, actions, rows};

type Membership = membership::Model;
type Person = person::Model;

mod reads;
pub use reads::*;

/// Who a new membership is for and what it gives.
#[derive(Debug, Clone)]
pub struct NewMembership {
    pub organisation_slug: String,
    /// The person's name, used when the address is new to Portalen.
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub role: Role,
    /// The row a personal role acts as: an employer for an employer's
    /// contact, a mentor, a participant.
    pub acts_as: Option<Uuid>,
    pub created_by: Option<String>,
}

/// A person's address as Portalen keys it: checked, and lower-cased whole
/// (the same mailbox however it is typed).
pub fn person_email(input: &str) -> ServiceResult<String> {
    normalise_email(input)
        .map(|email| email.to_lowercase())
        .map_err(|message| ServiceError::invalid("email", message))
}

/// Finds the person with `email`, or adds them: one statement that cannot
/// make two people of one address, however many requests race.
pub async fn ensure_person<C: ConnectionTrait>(
    db: &C,
    name: &str,
    email: &str,
    phone: Option<String>,
) -> ServiceResult<Person> {
    let now = Utc::now();
    person::Entity::insert(person::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        email: Set(email.to_owned()),
        phone: Set(phone),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing_on([person::Column::Email])
    .exec(db)
    .await
    .map_err(ServiceError::database("failed to add a person"))?;
    person::Entity::find()
        .filter(person::Column::Email.eq(email))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read a person"))?
        .ok_or(ServiceError::NotFound { entity: "person" })
}

/// The person with this address, if Portalen knows them.
pub async fn find_person_by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> ServiceResult<Option<Person>> {
    person::Entity::find()
        .filter(person::Column::Email.eq(email))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read a person"))
}

/// Checks that the row a personal role acts as belongs to the organisation
/// (an employer linked to it, a mentor volunteering through it) or, for a
/// participant, is one the caller may see.
async fn check_acts_as<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    organisation: Uuid,
    role: Role,
    acts_as: Option<Uuid>,
) -> ServiceResult<(Option<Uuid>, Option<Uuid>, Option<Uuid>)> {
    let missing =
        |what: &str| ServiceError::invalid("actsAsId", format!("{what} of the organisation"));
    match (role, acts_as) {
        (Role::Employer | Role::Mentor | Role::Participant, None) => Err(ServiceError::invalid(
            "actsAsId",
            format!("a {role} membership names the {role} it acts as"),
        )),
        (Role::Employer, Some(id)) => {
            let found = employer::Entity::find_by_id(id)
                .filter(employer::Column::PartnerOrganisationId.eq(organisation))
                .one(db)
                .await
                .map_err(ServiceError::database("failed to read an employer"))?;
            found
                .map(|_| (Some(id), None, None))
                .ok_or_else(|| missing("not an employer"))
        }
        (Role::Mentor, Some(id)) => {
            let found = mentor::Entity::find_by_id(id)
                .filter(mentor::Column::PartnerOrganisationId.eq(organisation))
                .one(db)
                .await
                .map_err(ServiceError::database("failed to read a mentor"))?;
            found
                .map(|_| (None, Some(id), None))
                .ok_or_else(|| missing("not a mentor"))
        }
        (Role::Participant, Some(id)) => {
            let found = participant::Entity::find_by_id(id)
                .filter(rows::participants(caller))
                .filter(participant::Column::ErasedAt.is_null())
                .one(db)
                .await
                .map_err(ServiceError::database("failed to read a participant"))?;
            found
                .map(|_| (None, None, Some(id)))
                .ok_or_else(|| ServiceError::invalid("actsAsId", "no such participant"))
        }
        (_, Some(_)) => Err(ServiceError::invalid(
            "actsAsId",
            format!("a {role} membership acts as the organisation, not as a row"),
        )),
        (_, None) => Ok((None, None, None)),
    }
}

/// Gives a person (found by address, or added) a membership of an
/// organisation. Who may: see [`actions::may_manage_membership`].
#[tracing::instrument(skip(db, caller, input), fields(org = %input.organisation_slug, role = %input.role))]
pub async fn add_membership<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    input: NewMembership,
) -> ServiceResult<Membership> {
    let mut validation = Validation::new();
    let name = validation.check(required_text("name", &input.name, 200))?;
    let email = validation.check(person_email(&input.email))?;
    let phone = match input
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => None,
        Some(phone) => validation.check(
            normalise_phone(phone).map_err(|message| ServiceError::invalid("phone", message)),
        )?,
    };
    validation.finish()?;
    let (Some(name), Some(email)) = (name, email) else {
        return Err(ServiceError::invalid("email", "an address is required"));
    };
    let organisation = super::partners::find_partner_by_slug(db, &input.organisation_slug).await?;
    if !actions::may_manage_membership(caller, organisation.id, input.role) {
        return Err(ServiceError::Forbidden {
            reason: format!(
                "you may not give {} memberships of {}",
                input.role, organisation.slug
            ),
        });
    }
    if !actions::role_allowed_by_grant(input.role, super::partners::granted(&organisation)) {
        return Err(ServiceError::invalid(
            "role",
            format!("{} may not have administrators", organisation.slug),
        ));
    }
    let (employer_id, mentor_id, participant_id) =
        check_acts_as(db, caller, organisation.id, input.role, input.acts_as).await?;
    let person = ensure_person(db, &name, &email, phone).await?;
    insert_membership(
        db,
        membership::Model {
            person_id: person.id,
            partner_organisation_id: organisation.id,
            role: input.role.as_membership(),
            employer_id,
            mentor_id,
            participant_id,
            created_by: input.created_by,
            ..new_membership()
        },
    )
    .await
}

/// An active membership of nobody yet, given now: fill in its person,
/// organisation and role.
pub fn new_membership() -> membership::Model {
    let now = Utc::now();
    membership::Model {
        id: Uuid::now_v7(),
        person_id: Uuid::nil(),
        partner_organisation_id: Uuid::nil(),
        role: entity::MembershipRole::Volunteer,
        employer_id: None,
        mentor_id: None,
        participant_id: None,
        status: MembershipStatus::Active,
        created_by: None,
        created_at: now,
        updated_at: now,
        ended_at: None,
    }
}

/// Inserts a membership; a second active one of the same person,
/// organisation and role is CONFLICT (`ux_membership_active`).
pub async fn insert_membership<C: ConnectionTrait>(
    db: &C,
    row: membership::Model,
) -> ServiceResult<Membership> {
    use sea_orm::ActiveModelTrait;
    let active: membership::ActiveModel = row.into();
    membership::Entity::insert(active.reset_all())
        .exec_with_returning(db)
        .await
        .map_err(ServiceError::database("failed to add a membership"))
}

/// Ends membership `id` if it is active, in one conditional statement (of
/// two racing ends, one ends it and both see it ended), and revokes its
/// sessions.
async fn end_if_active<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    at: chrono::DateTime<Utc>,
    reason: &str,
) -> ServiceResult<()> {
    membership::Entity::update_many()
        .col_expr(
            membership::Column::Status,
            Expr::value(MembershipStatus::Ended),
        )
        .col_expr(membership::Column::EndedAt, Expr::value(at))
        .col_expr(membership::Column::UpdatedAt, Expr::value(at))
        .filter(membership::Column::Id.eq(id))
        .filter(membership::Column::Status.eq(MembershipStatus::Active))
        .exec(db)
        .await
        .map_err(ServiceError::database("failed to end a membership"))?;
    super::sessions::revoke_sessions_of_membership(db, id, reason).await?;
    Ok(())
}

/// Ends a membership the caller may manage: its tokens stop on their next
/// request and its sessions are revoked. Ending it twice keeps the first
/// end.
#[tracing::instrument(skip(db, caller))]
pub async fn end_membership<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: Uuid,
) -> ServiceResult<Membership> {
    let found = membership::Entity::find_by_id(id)
        .filter(rows::memberships(caller))
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read a membership"))?
        .ok_or(ServiceError::NotFound {
            entity: "membership",
        })?;
    if !actions::may_manage_membership(
        caller,
        found.partner_organisation_id,
        Role::of_membership(found.role),
    ) {
        return Err(ServiceError::Forbidden {
            reason: "you may not end this membership".to_owned(),
        });
    }
    end_if_active(db, id, Utc::now(), "membership_ended").await?;
    membership::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(ServiceError::database("failed to read a membership"))?
        .ok_or(ServiceError::NotFound {
            entity: "membership",
        })
}

/// Ends every membership acting as the erased participant `participant_id`
/// (revoking its sessions) and anonymises each of their people who holds
/// no other membership: name, address and phone go, and their codes.
pub async fn erase_persons_of_participant<C: ConnectionTrait>(
    db: &C,
    participant_id: Uuid,
    at: chrono::DateTime<Utc>,
) -> ServiceResult<()> {
    let acting = membership::Entity::find()
        .filter(membership::Column::ParticipantId.eq(participant_id))
        .all(db)
        .await
        .map_err(ServiceError::database("failed to read memberships"))?;
    for row in &acting {
        end_if_active(db, row.id, at, "erased").await?;
        let others = membership::Entity::find()
            .filter(membership::Column::PersonId.eq(row.person_id))
            .filter(
                Condition::any()
                    .add(membership::Column::ParticipantId.is_null())
                    .add(membership::Column::ParticipantId.ne(participant_id)),
            )
            .one(db)
            .await
            .map_err(ServiceError::database("failed to read memberships"))?;
        if others.is_some() {
            continue;
        }
        person::Entity::update_many()
            .col_expr(person::Column::Name, Expr::value("[erased]"))
            .col_expr(
                person::Column::Email,
                Expr::value(format!("erased-{}@erased.invalid", row.person_id)),
            )
            .col_expr(person::Column::Phone, Expr::value(Option::<String>::None))
            .col_expr(person::Column::UpdatedAt, Expr::value(at))
            .filter(person::Column::Id.eq(row.person_id))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to anonymise a person"))?;
        entity::one_time_code::Entity::delete_many()
            .filter(entity::one_time_code::Column::PersonId.eq(row.person_id))
            .exec(db)
            .await
            .map_err(ServiceError::database("failed to erase codes"))?;
    }
    Ok(())
}
