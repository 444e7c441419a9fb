//! Query roots, one per domain, merged into [`QueryRoot`]. Each declares what
//! it requires with a guard; row policy is applied by the services.

use crate::graphql::scalars::Date;
use async_graphql::{Context, ID, InputObject, MergedObject, Object, Result};
use sea_orm::DatabaseConnection;

use super::connection::{ListOrder, Paged, connection, count_with, page_request};

use super::enums::{
    OpportunityKind, ParticipantStatus, PlacementStatus, Site, SlotStatus, SwedishLevel,
};
use super::guards::{Require, caller};
use super::ids::{NodeType, decode_as};
use super::types::{
    ApiClient, Employer, InternshipSlot, Mentor, Participant, PartnerOrganisation, Placement,
    Viewer,
};
use crate::policy::Scope;
use crate::services;

/// Every query of the API.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    super::node::NodeQuery,
    ViewerQuery,
    PartnerQuery,
    EmployerQuery,
    SlotQuery,
    ParticipantQuery,
    PlacementQuery,
    MentorQuery,
    super::relations::RelationQuery,
    super::audit::AuditQuery,
    super::privacy::PrivacyQuery,
    super::reports::ReportQuery,
    super::matching::MatchingQuery,
    ApiClientQuery,
);

pub(crate) fn db<'a>(ctx: &'a Context<'_>) -> Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

/// Who is calling.
#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The caller: subject, role, organisation and the scopes in force.
    /// Requires a token.
    #[graphql(guard = "Require::authenticated()")]
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        Ok(Viewer(caller(ctx)?.clone()))
    }
}

/// Queries about partner organisations.
#[derive(Default)]
pub struct PartnerQuery;

#[Object]
impl PartnerQuery {
    /// The partner organisations of the network, in a stable order. Public:
    /// the network's members are no secret.
    #[graphql(complexity = "super::connection::page_cost(first, last, child_complexity)")]
    async fn partner_organisations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<PartnerOrganisation>> {
        let page = page_request(after, before, first, last)?;
        let db = db(ctx)?.clone();
        let rows = services::partners::list_partners(&db, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            PartnerOrganisation,
            move || {
                let db = db.clone();
                count_with(async move { services::partners::count_partners(&db).await })
            },
        ))
    }

    /// The partner organisation with this slug; NOT_FOUND if there is none. Public.
    async fn partner_organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's slug, e.g. `vita-hasten`.")] slug: String,
    ) -> Result<Option<PartnerOrganisation>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let row = services::partners::find_partner_by_slug(db(ctx)?, &slug).await?;
        Ok(Some(PartnerOrganisation(row)))
    }
}

/// Queries about employers.
#[derive(Default)]
pub struct EmployerQuery;

#[Object]
impl EmployerQuery {
    /// Employers, in a stable order. Requires `employers:read`.
    #[graphql(
        guard = "Require::scope(Scope::EmployersRead)",
        complexity = "super::connection::page_cost(first, last, child_complexity)"
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
            move || {
                let db = db.clone();
                count_with(async move { services::employers::count_employers(&db).await })
            },
        ))
    }

    /// The employer with this id; NOT_FOUND if there is none. Requires `employers:read`.
    #[graphql(guard = "Require::scope(Scope::EmployersRead)")]
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

/// Narrows a list of placements; given fields must all hold.
#[derive(InputObject, Default)]
pub struct PlacementFilter {
    /// In any of these statuses.
    #[graphql(default)]
    pub status: Vec<PlacementStatus>,
    /// Of any of these kinds.
    #[graphql(default)]
    pub kind: Vec<OpportunityKind>,
    /// At this employer.
    pub employer_id: Option<ID>,
    /// Followed by this partner organisation.
    pub responsible_partner_id: Option<ID>,
    /// Of this participant.
    pub participant_id: Option<ID>,
    /// Starting on or after this day.
    pub starts_from: Option<Date>,
    /// Starting on or before this day.
    pub starts_until: Option<Date>,
}

impl PlacementFilter {
    fn into_service(self) -> Result<services::placements::PlacementFilter> {
        Ok(services::placements::PlacementFilter {
            statuses: self.status.into_iter().map(Into::into).collect(),
            kinds: self.kind.into_iter().map(Into::into).collect(),
            employer_id: self
                .employer_id
                .map(|id| decode_as(&id, NodeType::Employer, "filter.employerId"))
                .transpose()?,
            responsible_partner_id: self
                .responsible_partner_id
                .map(|id| {
                    decode_as(
                        &id,
                        NodeType::PartnerOrganisation,
                        "filter.responsiblePartnerId",
                    )
                })
                .transpose()?,
            participant_id: self
                .participant_id
                .map(|id| decode_as(&id, NodeType::Participant, "filter.participantId"))
                .transpose()?,
            starts_from: self.starts_from.map(|d| d.0),
            starts_until: self.starts_until.map(|d| d.0),
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
        guard = "Require::scope(Scope::SlotsRead)",
        complexity = "super::connection::page_cost(first, last, child_complexity)"
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
            move || {
                let db = db.clone();
                count_with(async move { services::slots::count_open_slots(&db).await })
            },
        ))
    }

    /// The slots the caller may see (open ones, and drafts and closed ones
    /// on the caller's side), in the order they were posted, narrowed by
    /// `filter`. Requires `slots:read`.
    #[graphql(
        guard = "Require::scope(Scope::SlotsRead)",
        complexity = "super::connection::page_cost(first, last, child_complexity)"
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
            move || {
                let (db, caller, filter) = (db.clone(), caller.clone(), filter.clone());
                count_with(async move { services::slots::count_slots(&db, &caller, &filter).await })
            },
        ))
    }

    /// The slot with this id: an open one, or a draft or closed one of an
    /// employer on the caller's side; NOT_FOUND otherwise. Requires `slots:read`.
    #[graphql(guard = "Require::scope(Scope::SlotsRead)")]
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

/// Narrows a list of participants; given fields must all hold.
#[derive(InputObject, Default)]
pub struct ParticipantFilter {
    /// At this site.
    pub site: Option<Site>,
    /// In any of these statuses.
    #[graphql(default)]
    pub status: Vec<ParticipantStatus>,
    /// Speaks this language (ISO 639 code, e.g. `ti`), at any level.
    pub language: Option<String>,
    /// Has this skill (a tag, e.g. `cooking`).
    pub skill: Option<String>,
    /// Speaks Swedish at this level or above.
    pub swedish_level_at_least: Option<SwedishLevel>,
    /// Part of the name, case-insensitive (1 to 100 characters). Matches the
    /// family name only for callers who may read personal fields.
    pub name_contains: Option<String>,
}

impl From<ParticipantFilter> for services::participants::ParticipantFilter {
    fn from(filter: ParticipantFilter) -> Self {
        Self {
            site: filter.site.map(Into::into),
            statuses: filter.status.into_iter().map(Into::into).collect(),
            language: filter.language,
            skill: filter.skill,
            swedish_level_at_least: filter.swedish_level_at_least.map(Into::into),
            name_contains: filter.name_contains,
        }
    }
}

/// Queries about participants.
#[derive(Default)]
pub struct ParticipantQuery;

#[Object]
impl ParticipantQuery {
    /// The participants the caller may see (see the row policy in the README),
    /// in the order they joined, narrowed by `filter`. Requires `participants:read`.
    #[graphql(
        guard = "Require::scope(Scope::ParticipantsRead)",
        complexity = "super::connection::page_cost(first, last, child_complexity)"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "a connection's order, filter and four paging arguments"
    )]
    async fn participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order; default oldest first.")] order_by: Option<ListOrder>,
        #[graphql(desc = "Only participants matching all given fields.")] filter: Option<
            ParticipantFilter,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<Participant>> {
        let page = page_request(after, before, first, last)?;
        let filter = filter.map(Into::into).unwrap_or_default();
        let db = db(ctx)?.clone();
        let caller = caller(ctx)?.clone();
        let page = ListOrder::apply(order_by, page);
        let rows = services::participants::list_participants(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            Participant,
            move || {
                let (db, caller, filter) = (db.clone(), caller.clone(), filter.clone());
                count_with(async move {
                    services::participants::count_participants(&db, &caller, &filter).await
                })
            },
        ))
    }

    /// The participant with this id, if the caller may see them; NOT_FOUND
    /// otherwise. Requires `participants:read`.
    #[graphql(guard = "Require::scope(Scope::ParticipantsRead)")]
    async fn participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The participant's global id.")] id: ID,
    ) -> Result<Option<Participant>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let id = decode_as(&id, NodeType::Participant, "id")?;
        Ok(Some(Participant(
            services::participants::find_participant(db(ctx)?, caller(ctx)?, id).await?,
        )))
    }
}

/// Queries about placements.
#[derive(Default)]
pub struct PlacementQuery;

#[Object]
impl PlacementQuery {
    /// The placements the caller may see, oldest first, narrowed by
    /// `filter`. Requires `placements:read`.
    #[graphql(
        guard = "Require::scope(Scope::PlacementsRead)",
        complexity = "super::connection::page_cost(first, last, child_complexity)"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "a connection's order, filter and four paging arguments"
    )]
    async fn placements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order; default oldest first.")] order_by: Option<ListOrder>,
        #[graphql(desc = "Only placements matching all given fields.")] filter: Option<
            PlacementFilter,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<Placement>> {
        let page = page_request(after, before, first, last)?;
        let filter = match filter {
            Some(filter) => filter.into_service()?,
            None => Default::default(),
        };
        let db = db(ctx)?.clone();
        let caller = caller(ctx)?.clone();
        let page = ListOrder::apply(order_by, page);
        let rows = services::placements::list_placements(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            Placement,
            move || {
                let (db, caller, filter) = (db.clone(), caller.clone(), filter.clone());
                count_with(async move {
                    services::placements::count_placements(&db, &caller, &filter).await
                })
            },
        ))
    }

    /// The placement with this id, if the caller may see it; NOT_FOUND
    /// otherwise. Requires `placements:read`.
    #[graphql(guard = "Require::scope(Scope::PlacementsRead)")]
    async fn placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The placement's global id.")] id: ID,
    ) -> Result<Option<Placement>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let id = decode_as(&id, NodeType::Placement, "id")?;
        Ok(Some(Placement(
            services::placements::find_placement(db(ctx)?, caller(ctx)?, id).await?,
        )))
    }
}

/// Narrows a list of mentors; given fields must all hold.
#[derive(InputObject, Default)]
pub struct MentorFilter {
    /// Speaks this language (ISO 639 code).
    pub language: Option<String>,
    /// Knows this field (a tag, e.g. `logistics`).
    pub expertise: Option<String>,
    /// Takes part now, or not.
    pub active: Option<bool>,
    /// Has room for another mentee, or is full.
    pub has_spare_capacity: Option<bool>,
}

impl From<MentorFilter> for services::mentors::MentorFilter {
    fn from(filter: MentorFilter) -> Self {
        Self {
            language: filter.language,
            expertise: filter.expertise,
            active: filter.active,
            has_spare_capacity: filter.has_spare_capacity,
        }
    }
}

/// Queries about mentors.
#[derive(Default)]
pub struct MentorQuery;

#[Object]
impl MentorQuery {
    /// The mentors the caller may see, narrowed by `filter`. Requires `mentors:read`.
    #[graphql(
        guard = "Require::scope(Scope::MentorsRead)",
        complexity = "super::connection::page_cost(first, last, child_complexity)"
    )]
    async fn mentors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only mentors matching all given fields.")] filter: Option<MentorFilter>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<Mentor>> {
        let page = page_request(after, before, first, last)?;
        let filter = filter.map(Into::into).unwrap_or_default();
        let db = db(ctx)?.clone();
        let caller = caller(ctx)?.clone();
        let rows = services::mentors::list_mentors(&db, &caller, &filter, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            Mentor,
            move || {
                let (db, caller, filter) = (db.clone(), caller.clone(), filter.clone());
                count_with(
                    async move { services::mentors::count_mentors(&db, &caller, &filter).await },
                )
            },
        ))
    }

    /// The mentor with this id, if the caller may see them; NOT_FOUND
    /// otherwise. Requires `mentors:read`.
    #[graphql(guard = "Require::scope(Scope::MentorsRead)")]
    async fn mentor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mentor's global id.")] id: ID,
    ) -> Result<Option<Mentor>> {
        // Nullable, as GitHub and Shopify do: a lookup that fails is null
        // with its error, and the rest of the answer stands.
        let id = decode_as(&id, NodeType::Mentor, "id")?;
        Ok(Some(Mentor(
            services::mentors::find_mentor(db(ctx)?, caller(ctx)?, id).await?,
        )))
    }
}

/// Queries about API clients.
#[derive(Default)]
pub struct ApiClientQuery;

#[Object]
impl ApiClientQuery {
    /// Every API client, revoked ones too. Requires the administrator role
    /// and `partners:admin`.
    #[graphql(
        guard = "Require::administrator(Scope::PartnersAdmin)",
        complexity = "super::connection::page_cost(first, last, child_complexity)"
    )]
    async fn api_clients(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many items from the start (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many items from the end (0 to 100).")] last: Option<i32>,
    ) -> Result<Paged<ApiClient>> {
        let page = page_request(after, before, first, last)?;
        let db = db(ctx)?.clone();
        let rows = services::api_clients::list_api_clients(&db, page).await?;
        Ok(connection(
            rows,
            |r| r.id,
            ApiClient,
            move || {
                let db = db.clone();
                count_with(async move { services::api_clients::count_api_clients(&db).await })
            },
        ))
    }
}
