//! Internship slots: posting, editing, opening and closing.

use crate::policy::reads::Kind;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};

use crate::graphql::connection::{Paged, connection, counted, page_request};
use crate::graphql::context::{caller, db};
use crate::graphql::enums::{OpportunityKind, Site, SlotStatus, SwedishLevel};
use crate::graphql::guards::Require;
use crate::graphql::ids::{NodeType, decode_as};
use crate::graphql::payload::{UserError, maybe, payload};
use crate::graphql::scalars::Date;
use crate::graphql::types::InternshipSlot;
use crate::graphql::write::Write;
use crate::policy::{Role, Scope};
use crate::services::{self, ServiceError};

/// Narrows a list of slots; given fields must all hold.
#[derive(InputObject, Default)]
pub struct SlotFilter {
    /// In any of these statuses.
    #[graphql(default)]
    pub status: Vec<SlotStatus>,
    /// Of any of these kinds.
    #[graphql(default)]
    pub kind: Vec<OpportunityKind>,
    /// Near this site.
    pub site: Option<Site>,
    /// Offered by this employer.
    pub employer_id: Option<ID>,
    /// Starting on or after this day.
    pub starts_from: Option<Date>,
    /// Starting on or before this day.
    pub starts_until: Option<Date>,
    /// Wanting this skill (a tag).
    pub wanted_skill: Option<String>,
}

impl SlotFilter {
    fn into_service(self) -> Result<services::slots::SlotFilter> {
        Ok(services::slots::SlotFilter {
            statuses: self.status.into_iter().map(Into::into).collect(),
            kinds: self.kind.into_iter().map(Into::into).collect(),
            site: self.site.map(Into::into),
            employer_id: self
                .employer_id
                .map(|id| decode_as(&id, NodeType::Employer, "filter.employerId"))
                .transpose()?,
            starts_from: self.starts_from.map(|d| d.0),
            starts_until: self.starts_until.map(|d| d.0),
            wanted_skill: self.wanted_skill,
        })
    }
}

/// Queries about internship slots.
#[derive(Default)]
pub struct SlotQuery;

#[Object]
impl SlotQuery {
    /// Slots open for candidates, in the order they were posted. Requires `slots:read`.
    #[graphql(
        guard = "Require::read(Kind::InternshipSlot)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    async fn open_internship_slots(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<InternshipSlot>> {
        let page = page_request(after, before, first, last)?;
        let db = db(ctx)?.clone();
        let rows = services::slots::list_open_slots(&db, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            InternshipSlot,
            counted(db, |db| async move {
                services::slots::count_open_slots(&db).await
            }),
        ))
    }

    /// The slots the caller may see (open ones, and drafts and closed ones
    /// on the caller's side), in the order they were posted, narrowed by
    /// `filter`. Requires `slots:read`.
    #[graphql(
        guard = "Require::read(Kind::InternshipSlot)",
        complexity = "crate::graphql::connection::page_cost(first, last, child_complexity)"
    )]
    async fn internship_slots(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only slots matching all given fields.")] filter: Option<SlotFilter>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<InternshipSlot>> {
        let page = page_request(after, before, first, last)?;
        let filter = match filter {
            Some(filter) => filter.into_service()?,
            None => Default::default(),
        };
        let db = db(ctx)?.clone();
        let caller = caller(ctx)?.clone();
        let rows = services::slots::list_slots(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            InternshipSlot,
            counted((db, caller, filter), |(db, caller, filter)| async move {
                services::slots::count_slots(&db, &caller, &filter).await
            }),
        ))
    }

    /// The slot with this id: an open one, or a draft or closed one of an
    /// employer on the caller's side; NOT_FOUND otherwise. Requires `slots:read`.
    #[graphql(guard = "Require::read(Kind::InternshipSlot)")]
    async fn internship_slot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slot's global id.")] id: ID,
    ) -> Result<Option<InternshipSlot>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let id = decode_as(&id, NodeType::InternshipSlot, "id")?;
        Ok(Some(InternshipSlot(
            services::slots::find_slot(db(ctx)?, caller(ctx)?, id).await?,
        )))
    }
}

/// A new internship slot.
#[derive(InputObject)]
pub struct PostInternshipSlotInput {
    /// A key of the client's choosing that makes a retry safe: the same key
    /// with the same input returns what the first request created; with
    /// another input, CONFLICT. The `Idempotency-Key` header does the same.
    pub client_mutation_id: Option<String>,
    /// The employer offering it.
    pub employer_id: ID,
    /// Short title, 1 to 200 characters.
    pub title: String,
    /// What the slot involves.
    pub description: Option<String>,
    /// What kind of opportunity.
    pub kind: OpportunityKind,
    /// How many participants it takes, 1 to 1000.
    pub places: i32,
    /// The nearest Portalen site, if either.
    pub site: Option<Site>,
    /// First day.
    pub starts_on: Date,
    /// Last day, not before the first.
    pub ends_on: Option<Date>,
    /// The Swedish it needs, if any.
    pub required_swedish_level: Option<SwedishLevel>,
    /// Skills wanted, lowercase tags.
    #[graphql(default)]
    pub wanted_skills: Vec<String>,
    /// `DRAFT` (default) or `OPEN`.
    pub status: Option<SlotStatus>,
}

/// The result of `postInternshipSlot`.
#[derive(SimpleObject)]
pub struct PostInternshipSlotPayload {
    /// The input's `clientMutationId`, echoed back (Relay), when given.
    pub client_mutation_id: Option<String>,
    /// The new slot, unless the input was refused.
    pub internship_slot: Option<InternshipSlot>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Changes to a slot: a field left out stays, `null` clears it, lists replace.
#[derive(InputObject)]
pub struct UpdateInternshipSlotInput {
    /// The slot.
    pub id: ID,
    /// The version last read; a stale version answers CONFLICT.
    pub version: i32,
    /// Title, 1 to 200 characters.
    pub title: Option<String>,
    /// Description, at most 5000 characters.
    pub description: MaybeUndefined<String>,
    /// What kind of opportunity.
    pub kind: Option<OpportunityKind>,
    /// How many participants it takes: 1 to 1000, not fewer than are taken.
    pub places: Option<i32>,
    /// Hageby or Ringdansen.
    pub site: MaybeUndefined<Site>,
    /// First day.
    pub starts_on: Option<Date>,
    /// Last day, not before the first.
    pub ends_on: MaybeUndefined<Date>,
    /// The Swedish a participant needs.
    pub required_swedish_level: MaybeUndefined<SwedishLevel>,
    /// Skills wanted (replaces the list).
    pub wanted_skills: Option<Vec<String>>,
}

/// A slot and the version last read.
#[derive(InputObject)]
pub struct InternshipSlotVersionInput {
    /// The slot.
    pub id: ID,
    /// The version last read; a stale version answers CONFLICT.
    pub version: i32,
}

/// A draft slot to delete.
#[derive(InputObject)]
pub struct DeleteInternshipSlotInput {
    /// The slot; it must be a draft.
    pub id: ID,
}

/// The result of a change to a slot.
#[derive(SimpleObject)]
pub struct InternshipSlotPayload {
    /// The slot as stored, unless the input was refused.
    pub internship_slot: Option<InternshipSlot>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// The result of `deleteInternshipSlot`.
#[derive(SimpleObject)]
pub struct DeleteInternshipSlotPayload {
    /// The id of the deleted slot, unless the input was refused.
    pub deleted_internship_slot_id: Option<ID>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// Mutations of internship slots.
#[derive(Default)]
pub struct SlotMutation;

#[Object]
impl SlotMutation {
    /// Edits a slot that is not closed; places cannot go below those taken.
    /// Who may: as for `postInternshipSlot`. Requires `slots:write`.
    #[graphql(
        guard = "Require::roles(Scope::SlotsWrite, &[Role::Administrator, Role::Partner, Role::Employer])"
    )]
    async fn update_internship_slot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change; see the input type.")] input: UpdateInternshipSlotInput,
    ) -> Result<InternshipSlotPayload> {
        let id = decode_as(&input.id, NodeType::InternshipSlot, "id")?;
        let changes = services::slot_lifecycle::SlotChanges {
            title: input.title,
            description: maybe(input.description),
            kind: input.kind.map(Into::into),
            places: input.places,
            site: maybe(input.site).map(|s| s.map(Into::into)),
            starts_on: input.starts_on.map(|d| d.0),
            ends_on: maybe(input.ends_on.map_value(|d| d.0)),
            required_swedish_level: maybe(input.required_swedish_level).map(|l| l.map(Into::into)),
            wanted_skills: input.wanted_skills,
        };
        let write = Write::begin(ctx).await?;
        let result = services::slot_lifecycle::update_slot(
            write.txn(),
            caller(ctx)?,
            id,
            input.version,
            changes,
        )
        .await;
        let (slot, user_errors) = payload(write.finish(result).await)?;
        Ok(InternshipSlotPayload {
            internship_slot: slot.map(InternshipSlot),
            user_errors,
        })
    }

    /// Opens a draft or closed slot for proposals. Requires `slots:write`.
    #[graphql(
        guard = "Require::roles(Scope::SlotsWrite, &[Role::Administrator, Role::Partner, Role::Employer])"
    )]
    async fn open_internship_slot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which slot, at which version.")] input: InternshipSlotVersionInput,
    ) -> Result<InternshipSlotPayload> {
        let id = decode_as(&input.id, NodeType::InternshipSlot, "id")?;
        let write = Write::begin(ctx).await?;
        let result =
            services::slot_lifecycle::open_slot(write.txn(), caller(ctx)?, id, input.version).await;
        let (slot, user_errors) = payload(write.finish_announcing(result).await)?;
        Ok(InternshipSlotPayload {
            internship_slot: slot.map(InternshipSlot),
            user_errors,
        })
    }

    /// Closes an open or filled slot: no new proposals or accepts; accepted
    /// placements stay. Requires `slots:write`.
    #[graphql(
        guard = "Require::roles(Scope::SlotsWrite, &[Role::Administrator, Role::Partner, Role::Employer])"
    )]
    async fn close_internship_slot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which slot, at which version.")] input: InternshipSlotVersionInput,
    ) -> Result<InternshipSlotPayload> {
        let id = decode_as(&input.id, NodeType::InternshipSlot, "id")?;
        let write = Write::begin(ctx).await?;
        let result =
            services::slot_lifecycle::close_slot(write.txn(), caller(ctx)?, id, input.version)
                .await;
        let (slot, user_errors) = payload(write.finish(result).await)?;
        Ok(InternshipSlotPayload {
            internship_slot: slot.map(InternshipSlot),
            user_errors,
        })
    }

    /// Deletes a draft slot; any other answers CONFLICT (close it instead).
    /// Requires `slots:write`.
    #[graphql(
        guard = "Require::roles(Scope::SlotsWrite, &[Role::Administrator, Role::Partner, Role::Employer])"
    )]
    async fn delete_internship_slot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which slot.")] input: DeleteInternshipSlotInput,
    ) -> Result<DeleteInternshipSlotPayload> {
        let id = decode_as(&input.id, NodeType::InternshipSlot, "id")?;
        let write = Write::begin(ctx).await?;
        let result = services::slot_lifecycle::delete_slot(write.txn(), caller(ctx)?, id).await;
        let (slot, user_errors) = payload(write.finish(result).await)?;
        Ok(DeleteInternshipSlotPayload {
            deleted_internship_slot_id: slot
                .map(|s| crate::graphql::ids::encode(NodeType::InternshipSlot, s.id)),
            user_errors,
        })
    }

    /// Posts a slot. An employer posts for itself only, a partner for
    /// employers that are the organisation, an administrator for any.
    /// Requires `slots:write`.
    #[graphql(guard = "Require::scope(Scope::SlotsWrite)")]
    async fn post_internship_slot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slot to post; see the input type.")] input: PostInternshipSlotInput,
    ) -> Result<PostInternshipSlotPayload> {
        let client_mutation_id = input.client_mutation_id.clone();
        let employer_id = decode_as(&input.employer_id, NodeType::Employer, "employerId")?;
        let status = input.status.map_or(entity::SlotStatus::Draft, Into::into);
        if !matches!(status, entity::SlotStatus::Draft | entity::SlotStatus::Open) {
            let (_, user_errors) = payload::<()>(Err(ServiceError::invalid(
                "status",
                "a new slot is DRAFT or OPEN",
            )))?;
            return Ok(PostInternshipSlotPayload {
                client_mutation_id: client_mutation_id.clone(),
                internship_slot: None,
                user_errors,
            });
        }
        let new = services::slots::NewSlot {
            employer_id,
            title: input.title,
            description: input.description,
            kind: input.kind.into(),
            places: input.places,
            site: input.site.map(Into::into),
            starts_on: input.starts_on.0,
            ends_on: input.ends_on.map(|d| d.0),
            required_swedish_level: input.required_swedish_level.map(Into::into),
            wanted_skills: input.wanted_skills,
            status,
        };
        let write = Write::begin_idempotent(ctx).await?;
        if let Some(id) = write.replayed() {
            let row = services::slots::find_slot(write.txn(), caller(ctx)?, id).await;
            let row = write.end_replay(row).await?;
            return Ok(PostInternshipSlotPayload {
                client_mutation_id: client_mutation_id.clone(),
                internship_slot: Some(InternshipSlot(row)),
                user_errors: Vec::new(),
            });
        }
        let result = services::slots::post_slot(write.txn(), caller(ctx)?, new).await;
        let (slot, user_errors) = payload(write.finish_announcing(result).await)?;
        Ok(PostInternshipSlotPayload {
            client_mutation_id: client_mutation_id.clone(),
            internship_slot: slot.map(InternshipSlot),
            user_errors,
        })
    }
}
