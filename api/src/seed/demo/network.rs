//! The demo network's data: the partnership by organisation name, the
//! workplaces, and the synthetic people, slots and placements. Loaded by
//! [`super::seed_demo`].

use entity::*;

use crate::policy::Scope;

/// 2026-01-01T00:00:00Z: demo ids sort after this instant, in seed order.
pub(super) const BASE_MILLIS: u64 = 1_767_225_600_000;

pub(super) struct PartnerSpec {
    pub(super) slug: &'static str,
    pub(super) name: &'static str,
    pub(super) kind: PartnerKind,
    pub(super) network: PartnerNetwork,
    pub(super) website: Option<&'static str>,
    pub(super) scopes: &'static [Scope],
}

use Scope::*;

pub(super) const ALL_SCOPES: &[Scope] = &Scope::ALL;

const fn partner(
    slug: &'static str,
    name: &'static str,
    kind: PartnerKind,
    network: PartnerNetwork,
    website: Option<&'static str>,
    scopes: &'static [Scope],
) -> PartnerSpec {
    PartnerSpec {
        slug,
        name,
        kind,
        network,
        website,
        scopes,
    }
}

/// The six partners that run Portalen, Arbetsförmedlingen alongside them, and
/// #starkaretillsammans partners. Vita Hästen is real; the two `Exempel`
/// companies are made up to show a company that is both partner and employer.
#[rustfmt::skip]
pub(super) const PARTNERS: &[PartnerSpec] = &[
    partner("hyresbostader", "Hyresbostäder i Norrköping", PartnerKind::HousingCompany, PartnerNetwork::Core, Some("https://www.hyresbostader.se"), ALL_SCOPES),
    partner("norrkopings-kommun", "Norrköpings kommun", PartnerKind::Municipality, PartnerNetwork::Core, Some("https://www.norrkoping.se"), &[ParticipantsRead, ParticipantsWrite, ParticipantsPii, MentorsRead, EmployersRead, SlotsRead, PlacementsRead, PlacementsWrite, ReportsRead, MembersAdmin, ActivitiesRead, ActivitiesWrite, AttendanceWrite, RegistrationsWrite, QueueRead, QueueWrite, VolunteersRead, VolunteersWrite]),
    partner("abf-ostergotland", "ABF Östergötland", PartnerKind::StudyAssociation, PartnerNetwork::Core, Some("https://www.abf.se"), &[ParticipantsRead, ParticipantsWrite, MentorsRead, MentorsWrite, SlotsRead, PlacementsRead, MembersAdmin, ActivitiesRead, ActivitiesWrite, AttendanceWrite, RegistrationsWrite, QueueRead, QueueWrite, VolunteersRead, VolunteersWrite]),
    partner("migrationsverket", "Migrationsverket", PartnerKind::Authority, PartnerNetwork::Core, Some("https://www.migrationsverket.se"), &[ParticipantsRead, ReportsRead, ActivitiesRead]),
    partner("marieborgs-folkhogskola", "Marieborgs folkhögskola", PartnerKind::FolkHighSchool, PartnerNetwork::Core, None, &[ParticipantsRead, ParticipantsWrite, MentorsRead, SlotsRead, PlacementsRead, PlacementsWrite, ActivitiesRead, ActivitiesWrite, AttendanceWrite, RegistrationsWrite, VolunteersRead, VolunteersWrite]),
    partner("svenska-kyrkan", "Svenska kyrkan i Norrköping", PartnerKind::Church, PartnerNetwork::Core, Some("https://www.svenskakyrkan.se"), &[ParticipantsRead, ParticipantsWrite, MentorsRead, MentorsWrite, PlacementsRead, ActivitiesRead, ActivitiesWrite, AttendanceWrite, RegistrationsWrite, VolunteersRead, VolunteersWrite]),
    partner("arbetsformedlingen", "Arbetsförmedlingen", PartnerKind::EmploymentService, PartnerNetwork::Associated, Some("https://arbetsformedlingen.se"), &[ParticipantsRead, EmployersRead, EmployersWrite, SlotsRead, SlotsWrite, PlacementsRead, PlacementsWrite, ReportsRead, ActivitiesRead]),
    partner("vita-hasten", "HC Vita Hästen", PartnerKind::SportsClub, PartnerNetwork::StarkareTillsammans, Some("https://www.vitahasten.se"), &[MentorsRead, MentorsWrite, EmployersRead, SlotsRead, SlotsWrite, PlacementsRead, PlacementsWrite, ActivitiesRead, ActivitiesWrite, AttendanceWrite, RegistrationsWrite, VolunteersRead, VolunteersWrite]),
    partner("exempel-logistik", "Exempel Logistik Norrköping AB", PartnerKind::Company, PartnerNetwork::StarkareTillsammans, None, &[EmployersRead, SlotsRead, SlotsWrite, PlacementsRead, ActivitiesRead]),
    partner("exempel-idrottsforening", "Exempel Idrottsförening Hageby", PartnerKind::NonProfit, PartnerNetwork::StarkareTillsammans, None, &[MentorsRead, MentorsWrite, SlotsRead, ActivitiesRead]),
];

pub(super) struct EmployerSpec {
    pub(super) name: &'static str,
    /// The first nine digits of a synthetic organisation number.
    pub(super) number: u32,
    pub(super) industry: &'static str,
    pub(super) site: Option<Site>,
    /// The partner organisation the employer also is.
    pub(super) partner: Option<&'static str>,
}

const fn employer(
    name: &'static str,
    number: u32,
    industry: &'static str,
    site: Option<Site>,
    partner: Option<&'static str>,
) -> EmployerSpec {
    EmployerSpec {
        name,
        number,
        industry,
        site,
        partner,
    }
}

#[rustfmt::skip]
pub(super) const EMPLOYERS: &[EmployerSpec] = &[
    employer("HC Vita Hästen", 802_990_001, "sports", None, Some("vita-hasten")),
    employer("Exempel Logistik Norrköping AB", 559_990_002, "logistics", None, Some("exempel-logistik")),
    employer("Exempel Bageri Hageby AB", 559_990_003, "bakery", Some(Site::Hageby), None),
    employer("Exempel Omsorg Norrköping AB", 559_990_004, "elder care", Some(Site::Ringdansen), None),
    employer("Exempel Café Ringdansen", 969_990_005, "hospitality", Some(Site::Ringdansen), None),
    employer("Exempel Bygg & Fastighet AB", 559_990_006, "construction", Some(Site::Hageby), None),
];

pub(super) struct MentorSpec {
    pub(super) given: &'static str,
    pub(super) family: &'static str,
    pub(super) partner: &'static str,
    pub(super) capacity: i32,
    pub(super) languages: &'static [&'static str],
    pub(super) expertise: &'static [&'static str],
}

const fn mentor(
    given: &'static str,
    family: &'static str,
    partner: &'static str,
    capacity: i32,
    languages: &'static [&'static str],
    expertise: &'static [&'static str],
) -> MentorSpec {
    MentorSpec {
        given,
        family,
        partner,
        capacity,
        languages,
        expertise,
    }
}

#[rustfmt::skip]
pub(super) const MENTORS: &[MentorSpec] = &[
    mentor("Karin", "Lindqvist", "svenska-kyrkan", 3, &["sv", "en"], &["elder care", "cv writing"]),
    mentor("Lars", "Holmberg", "vita-hasten", 2, &["sv"], &["sports", "event staff"]),
    mentor("Eva", "Sandström", "abf-ostergotland", 4, &["sv", "en", "de"], &["bookkeeping", "starting a business"]),
    mentor("Johan", "Ek", "vita-hasten", 2, &["sv", "en"], &["logistics", "warehouse"]),
    mentor("Rasha", "Haddad", "abf-ostergotland", 3, &["ar", "sv", "en"], &["cooking", "hospitality"]),
    mentor("Mehari", "Tesfaye", "svenska-kyrkan", 2, &["ti", "am", "sv"], &["driving", "logistics"]),
    mentor("Sofia", "Berg", "exempel-idrottsforening", 2, &["sv", "es"], &["childcare", "sports"]),
    mentor("Ahmad", "Karimi", "abf-ostergotland", 3, &["prs", "fa", "sv"], &["carpentry", "construction"]),
];

pub(super) const GIVEN_NAMES: &[&str] = &[
    "Amina", "Yonas", "Farah", "Samir", "Nadia", "Dawit", "Layla", "Omar", "Hodan", "Ali",
    "Mariam", "Tesfay", "Zahra", "Karim", "Sara", "Ahmad", "Rahel", "Hamid", "Noor", "Abdi",
    "Selam", "Yusuf", "Leila", "Bilal",
];
pub(super) const FAMILY_NAMES: &[&str] = &[
    "Demoyan",
    "Exempelzadeh",
    "Provsson",
    "Fiktiva",
    "Testberg",
    "Låtsasson",
];
pub(super) const LANGUAGES: &[&str] = &["ar", "ti", "prs", "so", "fa", "ku", "uk", "en"];
pub(super) const SKILLS: &[&str] = &[
    "cooking",
    "cleaning",
    "childcare",
    "carpentry",
    "driving",
    "sewing",
    "customer service",
    "it support",
    "gardening",
    "bookkeeping",
    "hairdressing",
    "welding",
    "elder care",
    "warehouse",
];
pub(super) const INTERESTS: &[&str] = &[
    "football",
    "music",
    "cooking",
    "handicraft",
    "languages",
    "nature",
    "computers",
];
pub(super) const GOALS: &[&str] = &[
    "Open a small catering business",
    "Work as an assistant nurse",
    "Get a driving licence and work in logistics",
    "Study to become a preschool teacher",
    "Start a tailoring shop",
    "Work in a restaurant kitchen",
];

pub(super) struct SlotSpec {
    /// Index into [`EMPLOYERS`].
    pub(super) employer: usize,
    pub(super) title: &'static str,
    pub(super) kind: OpportunityKind,
    pub(super) places: i32,
    pub(super) skills: &'static [&'static str],
    pub(super) swedish: Option<SwedishLevel>,
    pub(super) status: SlotStatus,
}

const fn slot(
    employer: usize,
    title: &'static str,
    kind: OpportunityKind,
    places: i32,
    skills: &'static [&'static str],
    swedish: Option<SwedishLevel>,
    status: SlotStatus,
) -> SlotSpec {
    SlotSpec {
        employer,
        title,
        kind,
        places,
        skills,
        swedish,
        status,
    }
}

#[rustfmt::skip]
pub(super) const SLOTS: &[SlotSpec] = &[
    slot(0, "Praktik: event- och arenavärd", OpportunityKind::Internship, 4, &["customer service"], Some(SwedishLevel::A2), SlotStatus::Open),
    slot(0, "Mentorprogram på Himmelstalundshallen", OpportunityKind::TrainingPlace, 6, &[], None, SlotStatus::Open),
    slot(1, "Praktik på lager", OpportunityKind::Internship, 3, &["warehouse", "driving"], Some(SwedishLevel::A1), SlotStatus::Open),
    slot(1, "Truckförare", OpportunityKind::Job, 1, &["driving", "warehouse"], Some(SwedishLevel::B1), SlotStatus::Open),
    slot(2, "Praktik i bageriet", OpportunityKind::Internship, 2, &["cooking"], Some(SwedishLevel::A1), SlotStatus::Open),
    slot(3, "Studiebesök: arbete i äldreomsorgen", OpportunityKind::StudyVisit, 10, &["elder care"], None, SlotStatus::Open),
    slot(4, "Praktik i köket", OpportunityKind::Internship, 2, &["cooking", "cleaning"], Some(SwedishLevel::A2), SlotStatus::Filled),
    slot(5, "Lärlingsplats snickare", OpportunityKind::TrainingPlace, 1, &["carpentry"], Some(SwedishLevel::A2), SlotStatus::Draft),
];

pub(super) struct PlacementSpec {
    pub(super) participant: usize,
    /// Index into [`SLOTS`].
    pub(super) slot: usize,
    pub(super) status: PlacementStatus,
    pub(super) outcome: Option<PlacementOutcome>,
    /// Index into [`MENTORS`].
    pub(super) mentor: Option<usize>,
    pub(super) responsible: &'static str,
}

const fn placement(
    participant: usize,
    slot: usize,
    status: PlacementStatus,
    outcome: Option<PlacementOutcome>,
    mentor: Option<usize>,
    responsible: &'static str,
) -> PlacementSpec {
    PlacementSpec {
        participant,
        slot,
        status,
        outcome,
        mentor,
        responsible,
    }
}

#[rustfmt::skip]
pub(super) const PLACEMENTS: &[PlacementSpec] = &[
    placement(1, 0, PlacementStatus::Active, None, Some(1), "hyresbostader"),
    placement(2, 2, PlacementStatus::Accepted, None, Some(3), "arbetsformedlingen"),
    placement(3, 4, PlacementStatus::Proposed, None, None, "norrkopings-kommun"),
    placement(4, 6, PlacementStatus::Active, None, Some(4), "hyresbostader"),
    placement(5, 6, PlacementStatus::Completed, Some(PlacementOutcome::Work), Some(4), "hyresbostader"),
    placement(7, 5, PlacementStatus::Completed, Some(PlacementOutcome::Studies), Some(0), "marieborgs-folkhogskola"),
    placement(8, 3, PlacementStatus::Declined, None, None, "arbetsformedlingen"),
    placement(9, 0, PlacementStatus::Cancelled, None, None, "hyresbostader"),
    placement(10, 2, PlacementStatus::Active, None, Some(5), "arbetsformedlingen"),
    placement(11, 5, PlacementStatus::Completed, Some(PlacementOutcome::ContinuedSearch), None, "norrkopings-kommun"),
];
