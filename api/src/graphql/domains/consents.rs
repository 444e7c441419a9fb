//! Participants' consents to share their data with a partner.

use crate::policy::reads::Kind;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::connection::{Paged, connection, counted, page_request};
use crate::graphql::context::{caller, db};
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as, decode_optional};
use crate::graphql::payload::{UserError, payload};
use crate::graphql::types::Consent;
use crate::graphql::write::Write;
use crate::policy::{Role, Scope};
use crate::services::{self};

/// Narrows a list of consents; given fields must all hold.
#[derive(InputObject, Default)]
pub struct ConsentFilter {
    /// Of this participant.
    pub participant_id: Option<ID>,
    /// Given to this partner organisation.
    pub partner_organisation_id: Option<ID>,
    /// In force (`true`), or revoked (`false`).
    pub in_force: Option<bool>,
}

impl ConsentFilter {
    fn into_service(self) -> Result<services::consents::ConsentFilter> {
        Ok(services::consents::ConsentFilter {
            participant_id: decode_optional(
                self.participant_id,
                NodeType::Participant,
                "filter.participantId",
            )?,
            partner_organisation_id: decode_optional(
                self.partner_organisation_id,
                NodeType::PartnerOrganisation,
                "filter.partnerOrganisationId",
            )?,
            in_force: self.in_force,
        })
    }
}

/// Queries about consents.
#[derive(Default)]
pub struct ConsentQuery;

#[Object]
impl ConsentQuery {
    /// The consents the caller may see, oldest first, narrowed by `filter`:
    /// all for an administrator, those given to its organisation for a
    /// partner, their own for a participant. Requires `participants:read`.
    #[graphql(
        guard = "Require::read(Kind::Consent)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    async fn consents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only consents matching all given fields.")] filter: Option<ConsentFilter>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<Consent>> {
        let page = page_request(after, before, first, last)?;
        let filter = match filter {
            Some(filter) => filter.into_service()?,
            None => Default::default(),
        };
        let db = db(ctx)?.clone();
        let caller = caller(ctx)?.clone();
        let rows = services::consents::list_consents(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            Consent,
            counted((db, caller, filter), |(db, caller, filter)| async move {
                services::consents::count_consents(&db, &caller, &filter).await
            }),
        ))
    }

    /// The consent with this id, if the caller may see it; NOT_FOUND
    /// otherwise. Requires `participants:read`.
    #[graphql(guard = "Require::read(Kind::Consent)")]
    async fn consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The consent's global id.")] id: ID,
    ) -> Result<Option<Consent>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let id = decode_as(&id, NodeType::Consent, "id")?;
        Ok(Some(Consent(
            services::consents::find_consent(db(ctx)?, caller(ctx)?, id).await?,
        )))
    }
}

/// A consent to record.
#[derive(InputObject)]
pub struct GrantConsentInput {
    /// A key of the client's choosing that makes a retry safe: the same key
    /// with the same input returns what the first request created; with
    /// another input, CONFLICT. The `Idempotency-Key` header does the same.
    pub client_mutation_id: Option<String>,
    /// The participant who gave it.
    pub participant_id: ID,
    /// The organisation it is given to; default the caller's own.
    pub partner_organisation_id: Option<ID>,
    /// What the data may be used for, as told to the participant (at most
    /// 500 characters).
    pub purpose: String,
}

/// A consent to revoke.
#[derive(InputObject)]
pub struct RevokeConsentInput {
    /// The consent.
    pub id: ID,
}

/// The result of a consent mutation.
#[derive(SimpleObject)]
pub struct ConsentPayload {
    /// The input's `clientMutationId`, echoed back (Relay), when given.
    pub client_mutation_id: Option<String>,
    /// The consent as stored, unless the input was refused.
    pub consent: Option<Consent>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of consents.
#[derive(Default)]
pub struct ConsentMutation;

#[Object]
impl ConsentMutation {
    /// Records a participant's consent to share their data with a partner
    /// organisation: an administrator for any organisation, a partner for
    /// its own (for a participant it may already see, e.g. through an active
    /// placement), a participant for themselves. The same consent already in
    /// force is returned unchanged; one for another purpose answers CONFLICT.
    /// Requires `participants:write`.
    #[graphql(
        guard = "Require::roles(Scope::ParticipantsWrite, &[Role::Administrator, Role::Partner, Role::Participant])"
    )]
    async fn grant_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The consent to record; see the input type.")] input: GrantConsentInput,
    ) -> Result<ConsentPayload> {
        let client_mutation_id = input.client_mutation_id.clone();
        let participant_id = decode_as(
            &input.participant_id,
            NodeType::Participant,
            "participantId",
        )?;
        let partner_id = decode_optional(
            input.partner_organisation_id,
            NodeType::PartnerOrganisation,
            "partnerOrganisationId",
        )?;
        let write = Write::begin_idempotent(ctx).await?;
        if let Some(id) = write.replayed() {
            let row = services::consents::find_consent(write.txn(), caller(ctx)?, id).await;
            let row = write.end_replay(row).await?;
            return Ok(ConsentPayload {
                client_mutation_id: client_mutation_id.clone(),
                consent: Some(Consent(row)),
                user_errors: Vec::new(),
            });
        }
        let result = services::consents::grant_consent(
            write.txn(),
            caller(ctx)?,
            participant_id,
            partner_id,
            &input.purpose,
        )
        .await;
        let (consent, user_errors) = payload(write.finish(result).await)?;
        Ok(ConsentPayload {
            client_mutation_id: client_mutation_id.clone(),
            consent: consent.map(Consent),
            user_errors,
        })
    }

    /// Revokes a consent: an administrator any, a partner one given to it,
    /// a participant their own. From the next request on, the organisation
    /// no longer sees the participant, unless it follows an active placement
    /// of theirs. Revoking a revoked consent returns it unchanged. Requires
    /// `participants:write`.
    #[graphql(
        guard = "Require::roles(Scope::ParticipantsWrite, &[Role::Administrator, Role::Partner, Role::Participant])"
    )]
    async fn revoke_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: RevokeConsentInput,
    ) -> Result<ConsentPayload> {
        let id = decode_as(&input.id, NodeType::Consent, "id")?;
        let write = Write::begin(ctx).await?;
        let result = services::consents::revoke_consent(write.txn(), caller(ctx)?, id).await;
        let (consent, user_errors) = payload(write.finish(result).await)?;
        Ok(ConsentPayload {
            client_mutation_id: None,
            consent: consent.map(Consent),
            user_errors,
        })
    }
}
