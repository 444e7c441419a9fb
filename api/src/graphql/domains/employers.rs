//! Employers offering internships, jobs and mentorships.

use crate::policy::reads::Kind;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};

use crate::graphql::connection::{Paged, connection, counted, page_request};
use crate::graphql::context::{caller, db};
use crate::graphql::enums::Site;
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, UserErrorCode, maybe, payload};
use crate::graphql::types::Employer;
use crate::graphql::write::Write;
use crate::policy::{Role, Scope};
use crate::services::{self, ServiceError, ServiceResult};

/// Queries about employers.
#[derive(Default)]
pub struct EmployerQuery;

#[Object]
impl EmployerQuery {
    /// Employers, in a stable order. Requires `employers:read`.
    #[graphql(
        guard = "Require::read(Kind::Employer)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    async fn employers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<Employer>> {
        let page = page_request(after, before, first, last)?;
        let db = db(ctx)?.clone();
        let rows = services::employers::list_employers(&db, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            Employer,
            counted(db, |db| async move {
                services::employers::count_employers(&db).await
            }),
        ))
    }

    /// The employer with this id; NOT_FOUND if there is none. Requires `employers:read`.
    #[graphql(guard = "Require::read(Kind::Employer)")]
    async fn employer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The employer's global id.")] id: ID,
    ) -> Result<Option<Employer>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let id = decode_as(&id, NodeType::Employer, "id")?;
        Ok(Some(Employer(
            services::employers::find_employer(db(ctx)?, id).await?,
        )))
    }
}

/// A new employer.
#[derive(InputObject)]
pub struct CreateEmployerInput {
    /// A key of the client's choosing that makes a retry safe: the same key
    /// with the same input returns what the first request created; with
    /// another input, CONFLICT. The `Idempotency-Key` header does the same.
    pub client_mutation_id: Option<String>,
    /// Name, 1 to 200 characters.
    pub name: String,
    /// Swedish organisation number, `NNNNNN-NNNN` (checked).
    pub organisation_number: String,
    /// Line of business.
    pub industry: Option<String>,
    /// Street address.
    pub street_address: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// The nearest Portalen site, if either.
    pub site: Option<Site>,
}

/// Changes to an employer: a field left out stays, `null` clears it.
#[derive(InputObject)]
pub struct UpdateEmployerInput {
    /// The employer.
    pub id: ID,
    /// Name, 1 to 200 characters.
    pub name: Option<String>,
    /// Swedish organisation number (checked).
    pub organisation_number: Option<String>,
    /// Line of business.
    pub industry: MaybeUndefined<String>,
    /// Street address.
    pub street_address: MaybeUndefined<String>,
    /// Postal code.
    pub postal_code: MaybeUndefined<String>,
    /// City.
    pub city: MaybeUndefined<String>,
    /// The nearest Portalen site.
    pub site: MaybeUndefined<Site>,
}

/// The result of an employer mutation.
#[derive(SimpleObject)]
pub struct EmployerPayload {
    /// The input's `clientMutationId`, echoed back (Relay), when given.
    pub client_mutation_id: Option<String>,
    /// The employer as stored, unless the input was refused.
    pub employer: Option<Employer>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of employers.
#[derive(Default)]
pub struct EmployerMutation;

#[Object]
impl EmployerMutation {
    /// Registers an employer. A partner that registers itself as an employer
    /// is linked to it by an administrator. Requires `employers:write`, as
    /// administrator or partner.
    #[graphql(
        guard = "Require::roles(Scope::EmployersWrite, &[Role::Administrator, Role::Partner])"
    )]
    async fn create_employer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The employer to register; see the input type.")]
        input: CreateEmployerInput,
    ) -> Result<EmployerPayload> {
        let client_mutation_id = input.client_mutation_id.clone();
        let write = Write::begin_idempotent(ctx).await?;
        if let Some(id) = write.replayed() {
            let row = services::employers::find_employer(write.txn(), id).await;
            let row = write.end_replay(row).await?;
            return Ok(EmployerPayload {
                client_mutation_id: client_mutation_id.clone(),
                employer: Some(Employer(row)),
                user_errors: Vec::new(),
            });
        }
        let result = services::employers::create_employer(
            write.txn(),
            services::employers::NewEmployer {
                name: input.name,
                organisation_number: input.organisation_number,
                industry: input.industry,
                street_address: input.street_address,
                postal_code: input.postal_code,
                city: input.city,
                site: input.site.map(Into::into),
                partner_organisation_id: None,
            },
        )
        .await;
        employer_payload(write.finish(result).await, client_mutation_id)
    }

    /// Changes an employer: an administrator any, a partner the employers
    /// that are the organisation, an employer itself. Requires `employers:write`.
    #[graphql(guard = "Require::scope(Scope::EmployersWrite)")]
    async fn update_employer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: UpdateEmployerInput,
    ) -> Result<EmployerPayload> {
        let id = decode_as(&input.id, NodeType::Employer, "id")?;
        let changes = services::employers::EmployerChanges {
            name: input.name,
            organisation_number: input.organisation_number,
            industry: maybe(input.industry),
            street_address: maybe(input.street_address),
            postal_code: maybe(input.postal_code),
            city: maybe(input.city),
            site: maybe(input.site).map(|s| s.map(Into::into)),
        };
        let write = Write::begin(ctx).await?;
        let result =
            services::employers::update_employer(write.txn(), caller(ctx)?, id, changes).await;
        employer_payload(write.finish(result).await, None)
    }
}

/// Maps an employer result, turning a taken organisation number into a
/// user error on that field.
fn employer_payload(
    result: ServiceResult<entity::employer::Model>,
    client_mutation_id: Option<String>,
) -> Result<EmployerPayload> {
    let result = match result {
        Err(ServiceError::Conflict { message }) if message.contains("organisation number") => {
            return Ok(EmployerPayload {
                client_mutation_id,
                employer: None,
                user_errors: vec![UserError {
                    field: vec!["input".to_owned(), "organisationNumber".to_owned()],
                    message,
                    code: UserErrorCode::Taken,
                }],
            });
        }
        other => other,
    };
    let (employer, user_errors) = payload(result)?;
    Ok(EmployerPayload {
        client_mutation_id,
        employer: employer.map(Employer),
        user_errors,
    })
}
