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
    assert_eq!(counts.employers, 10);
    assert_eq!(counts.mentors, 40);
    assert_eq!(counts.internship_slots, 100);
    assert_eq!(counts.placements, 1000);
    assert_eq!(counts.mentorships, 40);
    assert_eq!(counts.consents, 400);
    // The weekly life: one activity per 100 (at least 4), 26 weeks each, 50
    // attendances per participant, none at a cancelled session.
    assert_eq!(counts.activities, 4);
    assert_eq!(counts.activity_sessions, 104);
    assert_eq!(counts.attendance, 400 * 50);
    {
        use entity::{SessionStatus, activity_session, attendance};
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let cancelled: Vec<uuid::Uuid> = activity_session::Entity::find()
            .filter(activity_session::Column::Status.eq(SessionStatus::Cancelled))
            .all(&app.db)
            .await
            .expect("sessions")
            .into_iter()
            .map(|s| s.id)
            .collect();
        let at_cancelled = attendance::Entity::find()
            .filter(attendance::Column::SessionId.is_in(cancelled))
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(at_cancelled, 0);
    }
    // The same N again adds nothing: the rows are the same rows.
    let again = scale::seed_scale(&app.db, 400).await.expect("second run");
    assert_eq!(again, counts);
}

#[tokio::test]
async fn the_scale_seed_has_the_peers_shape_and_keeps_every_slot_rule() {
    use entity::{PlacementStatus, SlotStatus, internship_slot, placement};
    use sea_orm::EntityTrait;
    use std::collections::HashMap;
    let app = TestApp::builder().fixture(Fixture::Empty).start().await;
    scale::seed_scale(&app.db, 2000).await.expect("scale seed");
    let placements = placement::Entity::find()
        .all(&app.db)
        .await
        .expect("placements");
    let share = |f: &dyn Fn(&placement::Model) -> bool| {
        placements.iter().filter(|p| f(p)).count() as f64 / placements.len() as f64
    };
    let active = share(&|p| p.status == PlacementStatus::Active);
    let in_slot = share(&|p| p.slot_id.is_some());
    let mentored = share(&|p| p.mentor_id.is_some());
    assert!((0.37..0.43).contains(&active), "active {active}");
    assert!((0.55..0.62).contains(&in_slot), "in a slot {in_slot}");
    assert!((0.82..0.88).contains(&mentored), "with a mentor {mentored}");
    let slots: HashMap<_, _> = internship_slot::Entity::find()
        .all(&app.db)
        .await
        .expect("slots")
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut taken: HashMap<_, i32> = HashMap::new();
    for p in &placements {
        if let Some(slot) = p.slot_id {
            assert_eq!(
                p.employer_id, slots[&slot].employer_id,
                "a slot's placement is at its employer"
            );
            if matches!(
                p.status,
                PlacementStatus::Accepted | PlacementStatus::Active
            ) {
                *taken.entry(slot).or_default() += 1;
            }
        }
    }
    for slot in slots.values() {
        let taken = taken.get(&slot.id).copied().unwrap_or(0);
        assert!(taken <= slot.places, "slot {} overbooked", slot.id);
        assert_eq!(
            slot.status == SlotStatus::Filled,
            taken == slot.places,
            "slot {}",
            slot.id
        );
    }
}
