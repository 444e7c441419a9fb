use portalen_api::seed::{SeedCounts, demo, scale};

use crate::helpers::{Fixture, TestApp};

#[tokio::test]
async fn the_demo_seed_is_idempotent() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let first = demo::seed_demo(&app.db).await.expect("first run");
    let second = demo::seed_demo(&app.db).await.expect("second run");
    assert_eq!(first, second);
    assert_eq!(first.partner_organisations, 10);
    assert!(first.participants > 0 && first.placements > 0 && first.mentors > 0);
    assert_eq!(SeedCounts::read(&app.db).await.expect("counts"), first);
}

#[tokio::test]
async fn the_demo_seed_has_no_real_contact_details() {
    use sea_orm::EntityTrait;
    let app = TestApp::builder().fixture(Fixture::Demo).start().await;
    let people = entity::participant::Entity::find()
        .all(&app.db)
        .await
        .expect("participants");
    for person in &people {
        if let Some(email) = &person.email {
            assert!(email.ends_with("@example.org"), "{email}");
        }
        if let Some(phone) = &person.phone {
            // PTS reserves 070-174 06 05 to 070-174 06 99 for fiction.
            assert!(phone.starts_with("+46 70 174 06 "), "{phone}");
        }
    }
}

#[tokio::test]
async fn the_scale_seed_loads_proportional_counts_and_is_deterministic() {
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    let counts = scale::seed_scale(&app.db, 400).await.expect("scale seed");
    assert_eq!(counts.participants, 400);
    assert_eq!(counts.employers, 20);
    assert_eq!(counts.mentors, 40);
    assert_eq!(counts.internship_slots, 40);
    assert_eq!(counts.placements, 200);
    assert_eq!(counts.mentorships, 40);
    assert_eq!(counts.consents, 400);
    // The same N again adds nothing: the rows are the same rows.
    let again = scale::seed_scale(&app.db, 400).await.expect("second run");
    assert_eq!(again, counts);
}
