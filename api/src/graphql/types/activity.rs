use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::{activity, activity_session};

use super::{Employer, Participant, PartnerOrganisation, Registration, VolunteerHours};
use crate::domain::recurrence::{WeeklyRule, in_stockholm};
use crate::graphql::context::{loader_error, loaders};
use crate::graphql::enums::{ActivityKind, SessionStatus, Site, Weekday};
use crate::graphql::guards::Require;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::loaders::{
    ActivityById, AttendeesOfSession, EmployerById, LanguagesOfActivity, NamedAttendanceOfSession,
    PartnerById, RegistrationsOfActivity, SessionsOfActivity, VolunteerHoursOfSession,
    WaitingListOfActivity,
};
use crate::graphql::scalars::{Date, DateTime};
use crate::policy::reads::Kind;

/// Something Portalen does, once or weekly: a language café, Swedish
/// practice, a course, a study visit at an employer, ... Taking part needs
/// no registration unless `registrationRequired` says so.
pub struct Activity(pub activity::Model);

/// Something Portalen does, once or weekly: a language café, Swedish
/// practice, a course, a study visit at an employer, ... Taking part needs
/// no registration unless `registrationRequired` says so.
#[Object]
impl Activity {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Activity, self.0.id)
    }

    /// What kind of activity it is.
    async fn kind(&self) -> ActivityKind {
        self.0.kind.into()
    }

    /// Its title, e.g. `Språkkafé på Hageby`.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What happens there.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The partner organisation that organises it.
    async fn organiser(&self, ctx: &Context<'_>) -> Result<Option<PartnerOrganisation>> {
        let row = loaders(ctx)?
            .load_one(PartnerById(self.0.organiser_id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(PartnerOrganisation))
    }

    /// The employer a study visit goes to. Requires `employers:read`.
    #[graphql(guard = "Require::read(Kind::Employer)")]
    async fn employer(&self, ctx: &Context<'_>) -> Result<Option<Employer>> {
        let Some(id) = self.0.employer_id else {
            return Ok(None);
        };
        let row = loaders(ctx)?
            .load_one(EmployerById(id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(Employer))
    }

    /// The Portalen site it is held at, if at one.
    async fn site(&self) -> Option<Site> {
        self.0.site.map(Into::into)
    }

    /// Where else it is held (an address, a hall), if not only at a site.
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }

    /// The languages it is held in (ISO 639 codes), in code order.
    async fn languages(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(loaders(ctx)?
            .load_one(LanguagesOfActivity(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default())
    }

    /// Who it is for, if not for everyone (e.g. `women`, `newly arrived`).
    async fn target_group(&self) -> Option<&str> {
        self.0.target_group.as_deref()
    }

    /// How many may take part, if limited.
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }

    /// Whether taking part needs a registration. Most activities need none.
    async fn registration_required(&self) -> bool {
        self.0.registration_required
    }

    /// Places left for sign-ups; null when the places are not limited.
    async fn places_left(&self) -> Option<i32> {
        self.0
            .capacity
            .map(|capacity| (capacity - self.0.places_taken).max(0))
    }

    /// How many wait for a place.
    async fn waiting_count(&self, ctx: &Context<'_>) -> Result<i32> {
        let list = loaders(ctx)?
            .load_one(WaitingListOfActivity(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(i32::try_from(list.len()).unwrap_or(i32::MAX))
    }

    /// How long an offered place waits for its answer, in hours.
    async fn offer_hours(&self) -> i32 {
        self.0.offer_hours
    }

    /// The sign-ups the caller may see (of participants it may see), first
    /// come first. Requires `participants:read`.
    #[graphql(guard = "Require::read(Kind::Registration)")]
    async fn registrations(&self, ctx: &Context<'_>) -> Result<Option<Vec<Registration>>> {
        let rows = loaders(ctx)?
            .load_one(RegistrationsOfActivity(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(Registration).collect()))
    }

    /// The weekly rule its sessions were made from, if it recurs.
    async fn weekly_rule(&self) -> Option<WeeklyRuleView> {
        let rule: WeeklyRule = serde_json::from_str(self.0.weekly_rule.as_deref()?).ok()?;
        Some(WeeklyRuleView {
            weekday: rule.weekday.into(),
            start_time: rule.start_time.format("%H:%M").to_string(),
            end_time: rule.end_time.format("%H:%M").to_string(),
            from: Date(rule.from),
            until: Date(rule.until),
            except: rule.except.into_iter().map(Date).collect(),
        })
    }

    /// Its sessions, in time order (cancelled ones too, marked so).
    async fn sessions(&self, ctx: &Context<'_>) -> Result<Vec<ActivitySession>> {
        let rows = loaders(ctx)?
            .load_one(SessionsOfActivity(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(rows.into_iter().map(ActivitySession).collect())
    }

    /// When it was recorded.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When it last changed (its creation, if never since).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// A weekly rule: the weekday and wall-clock times (Europe/Stockholm) of a
/// recurring activity's sessions, from one date to another, except some.
#[derive(SimpleObject)]
#[graphql(name = "WeeklyRule")]
pub struct WeeklyRuleView {
    /// The day of the week.
    pub weekday: Weekday,
    /// When each session starts, `HH:MM` in Stockholm time.
    pub start_time: String,
    /// When each session ends, `HH:MM` in Stockholm time.
    pub end_time: String,
    /// The first date it may fall on.
    pub from: Date,
    /// The last date it may fall on.
    pub until: Date,
    /// Dates without a session (a holiday).
    pub except: Vec<Date>,
}

/// One occurrence of an activity. `startsAt` and `endsAt` are instants
/// (UTC); `startsAtLocal` and `endsAtLocal` the same in Stockholm time with
/// its offset, which is +01:00 in winter and +02:00 in summer.
pub struct ActivitySession(pub activity_session::Model);

/// One occurrence of an activity. `startsAt` and `endsAt` are instants
/// (UTC); `startsAtLocal` and `endsAtLocal` the same in Stockholm time with
/// its offset, which is +01:00 in winter and +02:00 in summer.
#[Object]
impl ActivitySession {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ActivitySession, self.0.id)
    }

    /// The activity it is an occurrence of.
    async fn activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        let row = loaders(ctx)?
            .load_one(ActivityById(self.0.activity_id))
            .await
            .map_err(loader_error)?;
        Ok(row.map(Activity))
    }

    /// When it starts.
    async fn starts_at(&self) -> DateTime {
        DateTime(self.0.starts_at)
    }

    /// When it ends.
    async fn ends_at(&self) -> DateTime {
        DateTime(self.0.ends_at)
    }

    /// When it starts, in Stockholm time: RFC 3339 with the offset in force
    /// then, e.g. `2027-01-12T14:00:00+01:00`.
    async fn starts_at_local(&self) -> String {
        in_stockholm(self.0.starts_at)
    }

    /// When it ends, in Stockholm time (RFC 3339 with its offset).
    async fn ends_at_local(&self) -> String {
        in_stockholm(self.0.ends_at)
    }

    /// Whether it takes place.
    async fn status(&self) -> SessionStatus {
        self.0.status.into()
    }

    /// Why it was cancelled, when it was.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }

    /// How many took part: named, anonymous walk-ins, and both. For
    /// everyone who sees the session; the names are in `attendees`.
    async fn attendance(&self, ctx: &Context<'_>) -> Result<AttendanceCounts> {
        let named = loaders(ctx)?
            .load_one(NamedAttendanceOfSession(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or(0);
        let anonymous = i64::from(self.0.anonymous_headcount);
        Ok(AttendanceCounts {
            named,
            anonymous,
            total: named + anonymous,
        })
    }

    /// The participants recorded as taking part whom the caller may see (a
    /// partner: those with a consent to it or a placement it follows), in id
    /// order. Requires `participants:read`.
    #[graphql(guard = "Require::read(Kind::Participant)")]
    async fn attendees(&self, ctx: &Context<'_>) -> Result<Option<Vec<Participant>>> {
        let rows = loaders(ctx)?
            .load_one(AttendeesOfSession(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(Participant).collect()))
    }

    /// The volunteer hours logged at the session that the caller may see
    /// (a volunteer their own; a partner its volunteers' and, as organiser,
    /// all), in the order they were logged. Requires `volunteers:read`.
    #[graphql(guard = "Require::read(Kind::VolunteerHours)")]
    async fn volunteer_hours(&self, ctx: &Context<'_>) -> Result<Option<Vec<VolunteerHours>>> {
        let rows = loaders(ctx)?
            .load_one(VolunteerHoursOfSession(self.0.id))
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(VolunteerHours).collect()))
    }

    /// When it was recorded.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// How many took part in a session.
#[derive(SimpleObject)]
pub struct AttendanceCounts {
    /// Participants recorded by name (each once).
    pub named: i64,
    /// Walk-ins counted without names.
    pub anonymous: i64,
    /// Both together.
    pub total: i64,
}
