//! Rows the tests build directly through the services: a partner holding
//! every scope, its employers, open slots, and global ids.

use entity::*;
use portalen_api::policy::Scope;
use uuid::Uuid;

use crate::helpers::TestApp;

/// The global id of row `id` of GraphQL type `kind`.
pub fn gid(kind: &str, id: Uuid) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// The row id inside a global id.
pub fn uuid_of(global_id: &str) -> Uuid {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global_id)
        .expect("a global id");
    let text = String::from_utf8(bytes).expect("utf-8");
    let (_, id) = text.split_once(':').expect("Kind:id");
    Uuid::parse_str(id).expect("a uuid")
}

/// A core partner organisation granted every scope.
pub async fn partner(app: &TestApp, slug: &str, name: &str) -> partner_organisation::Model {
    portalen_api::services::partners::create_partner(
        &app.db,
        portalen_api::services::partners::NewPartner {
            slug: slug.to_owned(),
            name: name.to_owned(),
            kind: PartnerKind::NonProfit,
            network: PartnerNetwork::Core,
            granted_scopes: Scope::ALL.iter().map(|s| s.as_str().to_owned()).collect(),
            contact_email: None,
            contact_phone: None,
            website: None,
        },
    )
    .await
    .expect("partner")
}

/// An employer linked to `partner`, with the organisation number made from
/// `nine_digits`.
pub async fn employer(app: &TestApp, partner: Uuid, name: &str, nine_digits: u32) -> Uuid {
    portalen_api::services::employers::create_employer(
        &app.db,
        portalen_api::services::employers::NewEmployer {
            name: name.to_owned(),
            organisation_number: portalen_api::domain::OrganisationNumber::from_nine_digits(
                nine_digits,
            )
            .expect("number")
            .to_string(),
            partner_organisation_id: Some(partner),
            ..Default::default()
        },
    )
    .await
    .expect("employer")
    .id
}

/// An open internship slot of `employer` at Hageby with `places` places.
pub async fn open_slot(app: &TestApp, employer: Uuid, places: i32) -> Uuid {
    portalen_api::services::slots::create_slot(
        &app.db,
        portalen_api::services::slots::NewSlot {
            employer_id: employer,
            title: "Lagerpraktik".to_owned(),
            description: None,
            kind: OpportunityKind::Internship,
            places,
            site: Some(Site::Hageby),
            starts_on: chrono::NaiveDate::from_ymd_opt(2027, 2, 1).expect("date"),
            ends_on: None,
            required_swedish_level: None,
            wanted_skills: vec![],
            status: SlotStatus::Open,
        },
    )
    .await
    .expect("slot")
    .id
}
