//! DataLoaders: every nested field reads through these, so a page of N items
//! costs one query per relation, `... WHERE key IN (...)`, never N.
//!
//! One loader type serves every relation; each relation has its own key type.
//! A loader is made per request, so nothing cached outlives the request.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{employer, internship_slot, partner_organisation};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::services::{self, ServiceError};

/// Loads rows for one request.
pub struct DbLoader {
    db: DatabaseConnection,
}

/// The per-request loader, as resolvers find it in the context.
pub type Loaders = DataLoader<DbLoader>;

/// A fresh loader for one request.
pub fn for_request(db: DatabaseConnection) -> Loaders {
    DataLoader::new(DbLoader { db }, tokio::spawn)
}

/// Key: a partner organisation by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartnerById(pub Uuid);
/// Key: an employer by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EmployerById(pub Uuid);
/// Key: the employers linked to a partner organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EmployersOfPartner(pub Uuid);
/// Key: the open slots of an employer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpenSlotsOfEmployer(pub Uuid);
/// Key: the wanted skills of a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SkillsOfSlot(pub Uuid);

type Shared = Arc<ServiceError>;

/// Rekeys a service result from raw ids to a loader key type.
fn rekey<K: std::hash::Hash + Eq, V>(
    rows: HashMap<Uuid, V>,
    key: impl Fn(Uuid) -> K,
) -> HashMap<K, V> {
    rows.into_iter().map(|(id, v)| (key(id), v)).collect()
}

fn ids<K>(keys: &[K], id: impl Fn(&K) -> Uuid) -> Vec<Uuid> {
    keys.iter().map(id).collect()
}

impl Loader<PartnerById> for DbLoader {
    type Value = partner_organisation::Model;
    type Error = Shared;

    async fn load(
        &self,
        keys: &[PartnerById],
    ) -> Result<HashMap<PartnerById, Self::Value>, Self::Error> {
        let rows = services::partners::load_partners(&self.db, &ids(keys, |k| k.0)).await?;
        Ok(rekey(rows, PartnerById))
    }
}

impl Loader<EmployerById> for DbLoader {
    type Value = employer::Model;
    type Error = Shared;

    async fn load(
        &self,
        keys: &[EmployerById],
    ) -> Result<HashMap<EmployerById, Self::Value>, Self::Error> {
        let rows = services::employers::load_employers(&self.db, &ids(keys, |k| k.0)).await?;
        Ok(rekey(rows, EmployerById))
    }
}

impl Loader<EmployersOfPartner> for DbLoader {
    type Value = Vec<employer::Model>;
    type Error = Shared;

    async fn load(
        &self,
        keys: &[EmployersOfPartner],
    ) -> Result<HashMap<EmployersOfPartner, Self::Value>, Self::Error> {
        let rows =
            services::employers::load_employers_of_partners(&self.db, &ids(keys, |k| k.0)).await?;
        Ok(rekey(rows, EmployersOfPartner))
    }
}

impl Loader<OpenSlotsOfEmployer> for DbLoader {
    type Value = Vec<internship_slot::Model>;
    type Error = Shared;

    async fn load(
        &self,
        keys: &[OpenSlotsOfEmployer],
    ) -> Result<HashMap<OpenSlotsOfEmployer, Self::Value>, Self::Error> {
        let rows =
            services::slots::load_open_slots_of_employers(&self.db, &ids(keys, |k| k.0)).await?;
        Ok(rekey(rows, OpenSlotsOfEmployer))
    }
}

impl Loader<SkillsOfSlot> for DbLoader {
    type Value = Vec<String>;
    type Error = Shared;

    async fn load(
        &self,
        keys: &[SkillsOfSlot],
    ) -> Result<HashMap<SkillsOfSlot, Self::Value>, Self::Error> {
        let rows = services::slots::load_slot_skills(&self.db, &ids(keys, |k| k.0)).await?;
        Ok(rekey(rows, SkillsOfSlot))
    }
}
