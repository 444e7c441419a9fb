//! Query roots, one per domain, merged into [`QueryRoot`].

use async_graphql::{Context, ID, MergedObject, Object, Result};
use sea_orm::DatabaseConnection;

use super::connection::{Paged, connection, count_with, page_request};
use super::ids::{NodeType, decode_as};
use super::types::{Employer, InternshipSlot, PartnerOrganisation};
use crate::services;

/// Every query of the API.
#[derive(MergedObject, Default)]
pub struct QueryRoot(PartnerQuery, EmployerQuery, SlotQuery);

fn db<'a>(ctx: &'a Context<'_>) -> Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

/// Queries about partner organisations.
#[derive(Default)]
pub struct PartnerQuery;

#[Object]
impl PartnerQuery {
    /// The partner organisations of the network, in the order they joined.
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

    /// The partner organisation with this slug; NOT_FOUND if there is none.
    async fn partner_organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's slug, e.g. `vita-hasten`.")] slug: String,
    ) -> Result<PartnerOrganisation> {
        let row = services::partners::find_partner_by_slug(db(ctx)?, &slug).await?;
        Ok(PartnerOrganisation(row))
    }
}

/// Queries about employers.
#[derive(Default)]
pub struct EmployerQuery;

#[Object]
impl EmployerQuery {
    /// Employers, in the order they were registered.
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

    /// The employer with this id; NOT_FOUND if there is none.
    async fn employer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The employer's global id.")] id: ID,
    ) -> Result<Employer> {
        let id = decode_as(&id, NodeType::Employer, "id")?;
        Ok(Employer(
            services::employers::find_employer(db(ctx)?, id).await?,
        ))
    }
}

/// Queries about internship slots.
#[derive(Default)]
pub struct SlotQuery;

#[Object]
impl SlotQuery {
    /// Slots open for candidates, in the order they were posted.
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

    /// The open slot with this id; NOT_FOUND if there is none or it is not open.
    async fn internship_slot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slot's global id.")] id: ID,
    ) -> Result<InternshipSlot> {
        let id = decode_as(&id, NodeType::InternshipSlot, "id")?;
        let slot = services::slots::find_slot(db(ctx)?, id).await?;
        // Until authorization lands, only open slots are public: drafts and
        // closed slots belong to their employer.
        if slot.status != entity::SlotStatus::Open {
            return Err(services::ServiceError::NotFound {
                entity: "internship slot",
            }
            .into());
        }
        Ok(InternshipSlot(slot))
    }
}
