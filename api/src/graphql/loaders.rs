//! DataLoaders: every nested field reads through these, so a page of N items
//! costs one query per relation, `... WHERE key IN (...)`, never N.
//!
//! One loader type serves every relation; each relation has its own key
//! type. A loader is made per request, for that request's caller: loads of
//! protected tables add the caller's row policy, so a nested field never
//! shows a row its top-level query would not.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    activity, activity_session, consent, contribution, employer, internship_slot, membership,
    mentor, mentorship, participant, participant_language, participant_sensitive,
    partner_organisation, person, placement, registration, volunteer_hours,
};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::policy::Caller;
use crate::services::mentorships::MentorshipsBy;
use crate::services::placements::{PlacementsBy, States};
use crate::services::{self, ServiceError};

/// Loads rows for one request.
pub struct DbLoader {
    db: DatabaseConnection,
    caller: Option<Caller>,
}

/// The per-request loader, as resolvers find it in the context.
pub type Loaders = DataLoader<DbLoader>;

/// A fresh loader for one request and its caller. Keys asked for within
/// `batch_window` of the first one go into one query.
pub fn for_request(
    db: DatabaseConnection,
    caller: Option<Caller>,
    batch_window: std::time::Duration,
) -> Loaders {
    DataLoader::new(DbLoader { db, caller }, spawn_after_yields).delay(batch_window)
}

/// Times a batch's fetch yields to the scheduler before it takes its keys.
const YIELDS_BEFORE_FETCH: usize = 16;

/// Runs a batch's fetch once the request that asked for its first key has
/// had its turns: the fetch yields to the scheduler a few times before it
/// takes its keys, so every sibling field polled in those turns joins the
/// batch, without a timer (on an HTTP worker's single-threaded runtime the
/// request's task runs between the yields).
fn spawn_after_yields(fetch: futures_util::future::BoxFuture<'static, ()>) {
    tokio::spawn(async move {
        for _ in 0..YIELDS_BEFORE_FETCH {
            tokio::task::yield_now().await;
        }
        fetch.await;
    });
}

macro_rules! keys {
    ($($(#[$doc:meta])* $name:ident;)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub struct $name(pub Uuid);
        )*
    };
}

keys! {
    /// Key: an activity by id.
    ActivityById;
    /// Key: the languages of an activity.
    LanguagesOfActivity;
    /// Key: the sessions of an activity, in time order.
    SessionsOfActivity;
    /// Key: a session by id.
    SessionById;
    /// Key: how many participants are recorded by name in a session.
    NamedAttendanceOfSession;
    /// Key: the participants recorded in a session whom the caller may see.
    AttendeesOfSession;
    /// Key: the registrations of an activity the caller may see, first come first.
    RegistrationsOfActivity;
    /// Key: the waiting list of an activity, as registration ids in order.
    WaitingListOfActivity;
    /// Key: what a participant the caller sees has given, newest first.
    ContributionsOfParticipant;
    /// Key: the volunteer hours logged at a session that the caller may see.
    VolunteerHoursOfSession;
    /// Key: the name of a volunteer whose hours the caller may see.
    VolunteerName;
    /// Key: a partner organisation by id.
    PartnerById;
    /// Key: an employer by id.
    EmployerById;
    /// Key: the employers linked to a partner organisation.
    EmployersOfPartner;
    /// Key: the open slots of an employer.
    OpenSlotsOfEmployer;
    /// Key: the wanted skills of a slot.
    SkillsOfSlot;
    /// Key: a slot by id, if the caller may see it.
    SlotById;
    /// Key: a participant by id, if the caller may see them.
    ParticipantById;
    /// Key: the languages of a participant the caller may see.
    LanguagesOfParticipant;
    /// Key: the skills of a participant the caller may see.
    SkillsOfParticipant;
    /// Key: the sensitive record of a participant whose personal fields the caller may read.
    SensitiveOfParticipant;
    /// Key: a mentor by id, if the caller may see them.
    MentorById;
    /// Key: a placement by id, if the caller may see it.
    PlacementById;
    /// Key: the languages of a mentor the caller may see.
    LanguagesOfMentor;
    /// Key: the expertise of a mentor the caller may see.
    ExpertiseOfMentor;
    /// Key: how many current mentees a mentor the caller may see has.
    MenteeCountOfMentor;
    /// Key: the placements the caller may see at an employer.
    PlacementsOfEmployer;
    /// Key: the placements the caller may see in a slot.
    PlacementsOfSlot;
    /// Key: the placements the caller may see that a partner organisation follows.
    PlacementsOfPartner;
    /// Key: the slots the caller may see of an employer.
    SlotsOfEmployer;
    /// Key: the mentors the caller may see of a partner organisation.
    MentorsOfPartner;
    /// Key: the current mentors the caller may see of a participant.
    MentorsOfParticipant;
    /// Key: a mentorship by id, if the caller may see it.
    MentorshipById;
    /// Key: the mentorships the caller may see of a mentor.
    MentorshipsOfMentor;
    /// Key: the mentorships the caller may see of a participant.
    MentorshipsOfParticipant;
    /// Key: a consent by id, if the caller may see it.
    ConsentById;
    /// Key: the consents the caller may see of a participant.
    ConsentsOfParticipant;
    /// Key: a person by id, if the caller may see them.
    PersonById;
    /// Key: a membership by id, if the caller may see it.
    MembershipById;
    /// Key: the memberships the caller may see of a person.
    MembershipsOfPerson;
}

type Shared = Arc<ServiceError>;

fn rekey<K: std::hash::Hash + Eq, V>(
    rows: HashMap<Uuid, V>,
    key: impl Fn(Uuid) -> K,
) -> HashMap<K, V> {
    rows.into_iter().map(|(id, v)| (key(id), v)).collect()
}

fn ids<K>(keys: &[K], id: impl Fn(&K) -> Uuid) -> Vec<Uuid> {
    keys.iter().map(id).collect()
}

/// Implements `Loader<$key>` by calling a service with the raw ids (and, for
/// protected tables, the caller: no caller, no rows).
macro_rules! loader {
    ($key:ident => $value:ty, |$db:ident, $ids:ident| $load:expr) => {
        impl Loader<$key> for DbLoader {
            type Value = $value;
            type Error = Shared;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, Shared> {
                let $db = &self.db;
                let $ids = ids(keys, |k| k.0);
                Ok(rekey($load.await?, $key))
            }
        }
    };
    ($key:ident => $value:ty, |$db:ident, $caller:ident, $ids:ident| $load:expr) => {
        impl Loader<$key> for DbLoader {
            type Value = $value;
            type Error = Shared;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, Shared> {
                let Some($caller) = &self.caller else {
                    return Ok(HashMap::new());
                };
                let $db = &self.db;
                let $ids = ids(keys, |k| k.0);
                Ok(rekey($load.await?, $key))
            }
        }
    };
}

loader!(PartnerById => partner_organisation::Model, |db, ids| services::partners::load_partners(db, &ids));
loader!(EmployerById => employer::Model, |db, ids| services::employers::load_employers(db, &ids));
loader!(EmployersOfPartner => Vec<employer::Model>, |db, ids| services::employers::load_employers_of_partners(db, &ids));
loader!(OpenSlotsOfEmployer => Vec<internship_slot::Model>, |db, ids| services::slots::load_open_slots_of_employers(db, &ids));
loader!(SkillsOfSlot => Vec<String>, |db, ids| services::slots::load_slot_skills(db, &ids));
loader!(SlotById => internship_slot::Model, |db, caller, ids| services::slots::load_slots(db, caller, &ids));
loader!(ParticipantById => participant::Model, |db, caller, ids| services::participants::load_participants(db, caller, &ids));
loader!(LanguagesOfParticipant => Vec<participant_language::Model>, |db, _caller, ids| services::participants::load_languages(db, &ids));
loader!(SkillsOfParticipant => Vec<String>, |db, _caller, ids| services::participants::load_skills(db, &ids));
loader!(SensitiveOfParticipant => participant_sensitive::Model, |db, _caller, ids| services::participants::load_sensitive(db, &ids));

/// Key: the placements of a participant that the caller may see, in these
/// states (none: all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlacementsOfParticipant(pub Uuid, pub States);

impl Loader<PlacementsOfParticipant> for DbLoader {
    type Value = Vec<placement::Model>;
    type Error = Shared;

    /// One query per set of states asked for (a page asks for one).
    async fn load(
        &self,
        keys: &[PlacementsOfParticipant],
    ) -> Result<HashMap<PlacementsOfParticipant, Self::Value>, Shared> {
        let Some(caller) = &self.caller else {
            return Ok(HashMap::new());
        };
        let mut by_states: HashMap<States, Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_states.entry(key.1).or_default().push(key.0);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for (states, ids) in by_states {
            let rows = services::placements::load_placements_in(
                &self.db,
                caller,
                PlacementsBy::Participant,
                states,
                &ids,
            )
            .await?;
            out.extend(
                rows.into_iter()
                    .map(|(id, rows)| (PlacementsOfParticipant(id, states), rows)),
            );
        }
        Ok(out)
    }
}

loader!(PlacementsOfEmployer => Vec<placement::Model>, |db, caller, ids| services::placements::load_placements_by(db, caller, PlacementsBy::Employer, &ids));
loader!(PlacementsOfSlot => Vec<placement::Model>, |db, caller, ids| services::placements::load_placements_by(db, caller, PlacementsBy::Slot, &ids));
loader!(PlacementsOfPartner => Vec<placement::Model>, |db, caller, ids| services::placements::load_placements_by(db, caller, PlacementsBy::ResponsiblePartner, &ids));
loader!(SlotsOfEmployer => Vec<internship_slot::Model>, |db, caller, ids| services::slots::load_slots_of_employers(db, caller, &ids));
loader!(MentorsOfPartner => Vec<mentor::Model>, |db, caller, ids| services::mentors::load_mentors_of_partners(db, caller, &ids));
loader!(MentorsOfParticipant => Vec<mentor::Model>, |db, caller, ids| services::mentors::load_current_mentors_of_participants(db, caller, &ids));
loader!(MentorById => mentor::Model, |db, caller, ids| services::mentors::load_mentors(db, caller, &ids));
loader!(PlacementById => placement::Model, |db, caller, ids| services::placements::load_placements(db, caller, &ids));
loader!(LanguagesOfMentor => Vec<String>, |db, _caller, ids| services::mentors::load_languages(db, &ids));
loader!(ExpertiseOfMentor => Vec<String>, |db, _caller, ids| services::mentors::load_expertise(db, &ids));
loader!(MenteeCountOfMentor => i64, |db, _caller, ids| services::mentors::load_current_mentee_counts(db, &ids));
loader!(MentorshipById => mentorship::Model, |db, caller, ids| services::mentorships::load_mentorships(db, caller, &ids));
loader!(MentorshipsOfMentor => Vec<mentorship::Model>, |db, caller, ids| services::mentorships::load_mentorships_by(db, caller, MentorshipsBy::Mentor, &ids));
loader!(MentorshipsOfParticipant => Vec<mentorship::Model>, |db, caller, ids| services::mentorships::load_mentorships_by(db, caller, MentorshipsBy::Participant, &ids));
loader!(ConsentById => consent::Model, |db, caller, ids| services::consents::load_consents(db, caller, &ids));
loader!(ConsentsOfParticipant => Vec<consent::Model>, |db, caller, ids| services::consents::load_consents_of_participants(db, caller, &ids));
loader!(PersonById => person::Model, |db, caller, ids| services::people::load_persons(db, caller, &ids));
loader!(MembershipById => membership::Model, |db, caller, ids| services::people::load_memberships(db, caller, &ids));
loader!(MembershipsOfPerson => Vec<membership::Model>, |db, caller, ids| services::people::load_memberships_of_persons(db, caller, &ids));
loader!(ActivityById => activity::Model, |db, caller, ids| services::activities::load_activities(db, caller, &ids));
loader!(LanguagesOfActivity => Vec<String>, |db, _caller, ids| services::activities::load_languages(db, &ids));
loader!(SessionsOfActivity => Vec<activity_session::Model>, |db, caller, ids| services::activity_sessions::load_sessions_of_activities(db, caller, &ids));
loader!(SessionById => activity_session::Model, |db, caller, ids| services::activity_sessions::load_sessions(db, caller, &ids));
loader!(NamedAttendanceOfSession => i64, |db, _caller, ids| services::attendance::load_named_counts(db, &ids));
loader!(AttendeesOfSession => Vec<participant::Model>, |db, caller, ids| services::attendance::load_attendees(db, caller, &ids));
loader!(RegistrationsOfActivity => Vec<registration::Model>, |db, caller, ids| services::registrations::load_registrations_of_activities(db, caller, &ids));
loader!(WaitingListOfActivity => Vec<Uuid>, |db, _caller, ids| services::registrations::load_waiting_lists(db, &ids));
loader!(ContributionsOfParticipant => Vec<contribution::Model>, |db, _caller, ids| services::contributions::load_of_participants(db, &ids));
loader!(VolunteerHoursOfSession => Vec<volunteer_hours::Model>, |db, caller, ids| services::volunteers::load_of_sessions(db, caller, &ids));
loader!(VolunteerName => String, |db, caller, ids| services::volunteers::load_names(db, caller, &ids));
