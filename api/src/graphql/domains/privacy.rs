//! The participant's rights through the API: `participantExport` (right of
//! access) and `eraseParticipant` (erasure). Both are audited.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::scalars::Json;

use crate::graphql::context::caller;
use crate::graphql::context::db;
use crate::graphql::context::request_id;
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, payload};
use crate::graphql::types::Participant;
use crate::graphql::write::Write;
use crate::policy::{Role, Scope};
use crate::services::{self, audit::Actor, audit::AuditEvent, audit::AuditKind};

/// The participant's rights, as queries.
#[derive(Default)]
pub struct PrivacyQuery;

#[Object]
impl PrivacyQuery {
    /// Everything stored about a participant, as one JSON document: profile,
    /// languages, skills, sensitive record, consents, placements,
    /// mentorships, and the audit events about them (who read or changed
    /// their data, when). For an administrator, or the participant
    /// themselves; requires `participants:pii`. The export is itself audited.
    #[graphql(
        guard = "Require::roles(Scope::ParticipantsPii, &[Role::Administrator, Role::Participant])"
    )]
    async fn participant_export(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The participant's global id.")] id: ID,
    ) -> Result<Option<Json>> {
        let id = decode_as(&id, NodeType::Participant, "id")?;
        let caller = caller(ctx)?;
        let db = db(ctx)?;
        let document = services::privacy::export_participant(db, caller, id).await?;
        // No export leaves without its audit record.
        crate::services::audit::record(
            db,
            &Actor::caller(caller, request_id(ctx)),
            vec![AuditEvent {
                kind: AuditKind::Export,
                operation: "participantExport".to_owned(),
                entity: "participant",
                entity_id: Some(id),
                fields: Vec::new(),
            }],
        )
        .await?;
        Ok(Some(Json(document)))
    }
}

/// A participant to erase.
#[derive(InputObject)]
pub struct EraseParticipantInput {
    /// The participant.
    pub id: ID,
}

/// The result of `eraseParticipant`.
#[derive(SimpleObject)]
pub struct EraseParticipantPayload {
    /// The anonymised record, unless the input was refused.
    pub participant: Option<Participant>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// The participant's rights, as mutations.
#[derive(Default)]
pub struct PrivacyMutation;

#[Object]
impl PrivacyMutation {
    /// Erases a participant's personal data across all tables: names,
    /// contact details, goal, interests, Swedish level, languages, skills,
    /// the sensitive record and consents. Keeps the non-personal facts that
    /// reports count (site, status, placements' kinds, dates and outcomes,
    /// mentorships' dates) on an anonymised record, and records in the audit
    /// trail that the erasure happened, not what was erased. Erasing twice
    /// changes nothing. Requires the administrator role, `participants:write`
    /// and `participants:pii`.
    #[graphql(
        guard = "Require::administrator(Scope::ParticipantsWrite).and(Require::administrator(Scope::ParticipantsPii))"
    )]
    async fn erase_participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to erase; see the input type.")] input: EraseParticipantInput,
    ) -> Result<EraseParticipantPayload> {
        let id = decode_as(&input.id, NodeType::Participant, "id")?;
        let write = Write::begin(ctx).await?.as_kind(AuditKind::Erasure);
        let result = services::privacy::erase_participant(write.txn(), caller(ctx)?, id).await;
        let result = write.finish(result).await;
        if result.is_ok()
            && let Err(err) = services::privacy::purge_erased_remnants(db(ctx)?).await
        {
            // The erasure itself has committed; the remnants go with the
            // next checkpoint or vacuum. Logged for the operator.
            tracing::warn!(error = ?err, "erased values could not be purged from the database files yet");
        }
        let (participant, user_errors) = payload(result)?;
        Ok(EraseParticipantPayload {
            participant: participant.map(Participant),
            user_errors,
        })
    }
}
