//! Rules the database and the services enforce, through the library API.

use chrono::NaiveDate;
use portalen_api::services::employers::{NewEmployer, create_employer};
use portalen_api::services::partners::{NewPartner, create_partner};
use portalen_api::services::slots::{NewSlot, create_slot};
use portalen_api::services::{ServiceError, employers, slots};
use sea_orm::{ActiveValue::Set, EntityTrait, PaginatorTrait};

use crate::helpers::{Fixture, TestApp};

fn partner(slug: &str) -> NewPartner {
    NewPartner {
        slug: slug.to_owned(),
        name: "Exempelföreningen".to_owned(),
        kind: entity::PartnerKind::NonProfit,
        network: entity::PartnerNetwork::StarkareTillsammans,
        granted_scopes: vec!["slots:read".to_owned()],
        contact_email: None,
        contact_phone: None,
        website: None,
    }
}

fn employer(number: &str) -> NewEmployer {
    NewEmployer {
        name: "Exempel Verkstad AB".to_owned(),
        organisation_number: number.to_owned(),
        ..NewEmployer::default()
    }
}

fn slot(employer_id: uuid::Uuid) -> NewSlot {
    NewSlot {
        employer_id,
        title: "Praktik i verkstaden".to_owned(),
        description: None,
        kind: entity::OpportunityKind::Internship,
        places: 2,
        site: Some(entity::Site::Hageby),
        starts_on: NaiveDate::from_ymd_opt(2027, 2, 1).expect("date"),
        ends_on: NaiveDate::from_ymd_opt(2027, 3, 1),
        required_swedish_level: None,
        wanted_skills: vec![
            "Welding".to_owned(),
            "welding ".to_owned(),
            "painting".to_owned(),
        ],
        status: entity::SlotStatus::Open,
    }
}

#[tokio::test]
async fn a_duplicate_slug_is_a_conflict_and_changes_nothing() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    create_partner(&app.db, partner("exempel"))
        .await
        .expect("first");
    let err = create_partner(&app.db, partner("exempel"))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(&err, ServiceError::Conflict { message } if message.contains("slug")),
        "{err:?}"
    );
    let count = entity::partner_organisation::Entity::find()
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_slug_that_is_not_url_safe_is_rejected() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let err = create_partner(&app.db, partner("Vita Hästen"))
        .await
        .expect_err("bad slug");
    assert!(
        matches!(&err, ServiceError::InvalidInput { field, .. } if field == "slug"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_bad_organisation_number_is_rejected_before_the_database() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    for bad in ["556016-0681", "850101-1234", "12345", ""] {
        let err = create_employer(&app.db, employer(bad))
            .await
            .expect_err(bad);
        assert!(
            matches!(&err, ServiceError::InvalidInput { field, .. } if field == "organisationNumber"),
            "{bad}: {err:?}"
        );
    }
    assert_eq!(
        entity::employer::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn an_organisation_number_is_normalised_and_unique() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let created = create_employer(&app.db, employer("5560160680"))
        .await
        .expect("create");
    assert_eq!(created.organisation_number, "556016-0680");
    let err = create_employer(&app.db, employer("556016-0680"))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(&err, ServiceError::Conflict { message } if message.contains("organisation number")),
        "{err:?}"
    );
    assert_eq!(
        employers::find_employer(&app.db, created.id)
            .await
            .expect("find")
            .name,
        "Exempel Verkstad AB"
    );
}

#[tokio::test]
async fn an_unknown_foreign_key_is_a_clear_input_error_and_changes_nothing() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let err = create_slot(&app.db, slot(uuid::Uuid::now_v7()))
        .await
        .expect_err("unknown employer");
    assert!(
        matches!(&err, ServiceError::InvalidInput { field, message } if field == "employerId" && message.contains("employer")),
        "{err:?}"
    );
    let mut with_unknown_partner = employer("556016-0680");
    with_unknown_partner.partner_organisation_id = Some(uuid::Uuid::now_v7());
    let err = create_employer(&app.db, with_unknown_partner)
        .await
        .expect_err("unknown partner");
    assert!(
        matches!(&err, ServiceError::InvalidInput { field, .. } if field == "partnerOrganisationId"),
        "{err:?}"
    );
    assert_eq!(
        entity::internship_slot::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        0
    );
    assert_eq!(
        entity::employer::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn a_slot_is_stored_with_normalised_skills_and_checked_dates() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let owner = create_employer(&app.db, employer("556016-0680"))
        .await
        .expect("employer");
    let created = create_slot(&app.db, slot(owner.id)).await.expect("slot");
    let skills = slots::load_slot_skills(&app.db, &[created.id])
        .await
        .expect("skills");
    assert_eq!(
        skills.get(&created.id),
        Some(&vec!["painting".to_owned(), "welding".to_owned()])
    );

    let mut backwards = slot(owner.id);
    backwards.ends_on = NaiveDate::from_ymd_opt(2027, 1, 1);
    let err = create_slot(&app.db, backwards)
        .await
        .expect_err("end before start");
    assert!(
        matches!(&err, ServiceError::InvalidInput { field, .. } if field == "endsOn"),
        "{err:?}"
    );

    let mut no_places = slot(owner.id);
    no_places.places = 0;
    let err = create_slot(&app.db, no_places)
        .await
        .expect_err("no places");
    assert!(
        matches!(&err, ServiceError::InvalidInput { field, .. } if field == "places"),
        "{err:?}"
    );
    assert_eq!(
        entity::internship_slot::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        1
    );
}

#[tokio::test]
async fn the_database_itself_refuses_rows_that_break_its_checks() {
    // The services validate first; the schema is the last line of defence
    // for anything that writes around them.
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let owner = create_employer(&app.db, employer("556016-0680"))
        .await
        .expect("employer");
    let now = chrono::Utc::now();
    let row = entity::internship_slot::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        employer_id: Set(owner.id),
        title: Set("Ogiltig".to_owned()),
        description: Set(None),
        kind: Set(entity::OpportunityKind::Job),
        places: Set(0),
        site: Set(None),
        starts_on: Set(NaiveDate::from_ymd_opt(2027, 2, 1).expect("date")),
        ends_on: Set(None),
        required_swedish_level: Set(None),
        status: Set(entity::SlotStatus::Open),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    assert!(
        entity::internship_slot::Entity::insert(row)
            .exec(&app.db)
            .await
            .is_err()
    );
}
