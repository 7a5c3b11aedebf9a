//! The network's first expansion as published in the local press: the City of
//! Dortmund, the providers, and five offices. Applied on the first start of an empty
//! database; `lokal-willkommen seed` re-applies it. Idempotent: it inserts only what
//! is missing (organizations by name, offices by slug) and never overwrites edits.

use chrono::NaiveDate;
use domain::{Address, District, LocalizedText, OfficeKind, OfficeStatus, OrganizationKind};

use crate::directory::offices::{self, NewLocation, NewOffice};
use crate::directory::organizations::{self, NewOrganization};
use crate::{DbConnection, RepoError, change_feed, write_tx};

pub const CITY: &str = "Stadt Dortmund";
const CARITAS: &str = "Caritasverband Dortmund e.V.";
const DIAKONIE: &str = "Diakonisches Werk Dortmund und Lünen gGmbH";
const AWO: &str = "AWO Unterbezirk Dortmund";
const DRK: &str = "DRK Kreisverband Dortmund e.V.";
const EHC: &str = "European Homecare GmbH";
const NOAH: &str = "Ev. Noah-Kirchengemeinde Dortmund";

const ORGANIZATIONS: &[(&str, &str, OrganizationKind, &str)] = &[
    (
        CITY,
        "Stadt Dortmund",
        OrganizationKind::Municipality,
        "https://www.dortmund.de",
    ),
    (
        CARITAS,
        "Caritas Dortmund",
        OrganizationKind::WelfareProvider,
        "https://www.caritas-dortmund.de",
    ),
    (
        DIAKONIE,
        "Diakonie Dortmund",
        OrganizationKind::WelfareProvider,
        "https://www.diakoniedortmund.de",
    ),
    (
        AWO,
        "AWO Dortmund",
        OrganizationKind::WelfareProvider,
        "https://www.awo-dortmund.de",
    ),
    (
        DRK,
        "DRK Dortmund",
        OrganizationKind::WelfareProvider,
        "https://www.drk-dortmund.de",
    ),
    (
        EHC,
        "European Homecare",
        OrganizationKind::WelfareProvider,
        "https://www.eu-homecare.com",
    ),
    (NOAH, "Noah-Gemeinde", OrganizationKind::Partner, ""),
];

/// What a seed run inserted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub organizations_created: usize,
    pub offices_created: usize,
    pub services_created: usize,
}

/// Seeds only when the database has no organizations yet (a fresh database).
#[tracing::instrument(name = "db.seed.seed_if_empty", skip_all)]
pub fn seed_if_empty(
    conn: &mut DbConnection,
    clock: &domain::Clock,
) -> Result<Option<SeedReport>, RepoError> {
    use diesel::prelude::*;
    let existing: i64 = crate::schema::organizations::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(None);
    }
    seed(conn, clock).map(Some)
}

#[tracing::instrument(name = "db.seed.seed", skip_all)]
pub fn seed(conn: &mut DbConnection, clock: &domain::Clock) -> Result<SeedReport, RepoError> {
    let ctx = crate::audit::AuditContext::system("seed", clock);
    write_tx(conn, |conn| {
        // Instances starting together on an empty database seed one after the other;
        // the later ones find everything present.
        crate::db::lock_key(conn, "seed", "")?;
        let mut report = SeedReport::default();
        let org_id = |conn: &mut DbConnection, name: &str| -> Result<String, RepoError> {
            Ok(organizations::find_by_name(conn, name)?
                .ok_or_else(|| RepoError::Corrupt(format!("seed organization {name} missing")))?
                .id)
        };
        for (name, short, kind, website) in ORGANIZATIONS {
            if organizations::find_by_name(conn, name)?.is_none() {
                organizations::insert(
                    conn,
                    NewOrganization {
                        name: (*name).into(),
                        short_name: Some((*short).into()),
                        kind: *kind,
                        website: (!website.is_empty()).then(|| (*website).into()),
                        // Seeded partners (the parish that hosted an office) are public,
                        // as the press reported them.
                        partner: (*kind == OrganizationKind::Partner).then(|| {
                            organizations::PartnerProfile {
                                actor_type: Some(domain::network::partners::ActorType::ReligiousCommunity),
                                staffing: None,
                                districts: Vec::new(),
                                visibility: domain::network::partners::Visibility::Public,
                            }
                        }),
                    },
                    &ctx,
                )?;
                report.organizations_created += 1;
            }
        }
        for office in office_seeds() {
            if offices::find_by_slug(conn, office.slug)?.is_some() {
                continue;
            }
            let provider = org_id(conn, office.provider)?;
            let first = office.locations[0].clone();
            let host = match first.host {
                Some(h) => Some(org_id(conn, h)?),
                None => None,
            };
            let row = offices::insert(
                conn,
                NewOffice {
                    slug: office.slug.into(),
                    name: office.name.into(),
                    kind: OfficeKind::Office,
                    status: OfficeStatus::Active,
                    provider_organization_id: provider,
                    districts: office.districts.to_vec(),
                    opened_on: Some(office.opened_on),
                    phone: office.phone.map(Into::into),
                    email: office.email.map(Into::into),
                    description: LocalizedText::german(format!(
                        "lokal willkommen ist die Anlaufstelle für Neuzugewanderte im Stadtbezirk {}: \
                         Sprechstunden, Willkommensbesuche, Runde Tische und ein Netzwerk vor Ort.",
                        office
                            .districts
                            .iter()
                            .map(|d| d.name())
                            .collect::<Vec<_>>()
                            .join(" und ")
                    )),
                    first_location: Some((office.opened_on, first.into_new(host))),
                },
                &ctx,
            )?;
            if let Some(hours) = &office.hours {
                crate::directory::content::insert_hours(conn, &row.id, hours)?;
            }
            for later in &office.locations[1..] {
                let host = match later.host {
                    Some(h) => Some(org_id(conn, h)?),
                    None => None,
                };
                let moved_on = later.from.expect("later seed locations carry their move day");
                offices::relocate_in_tx(conn, &row.id, moved_on, later.clone().into_new(host), &ctx)?;
            }
            report.offices_created += 1;
        }
        for (code, name_de, name_en, description_de, topics) in BASE_OFFER {
            let exists: i64 = {
                use diesel::prelude::*;
                crate::schema::services::table
                    .filter(crate::schema::services::code.eq(code))
                    .count()
                    .get_result(conn)?
            };
            if exists == 0 {
                let mut name = LocalizedText::german(*name_de);
                name.0.insert("en".into(), (*name_en).into());
                crate::directory::content::insert_service(
                    conn,
                    crate::directory::content::NewService {
                        office_id: None,
                        code: Some((*code).into()),
                        name,
                        description: LocalizedText::german(*description_de),
                        topics: topics.iter().map(|t| (*t).to_owned()).collect(),
                    },
                    &ctx,
                )?;
                report.services_created += 1;
            }
        }
        if report != SeedReport::default() {
            change_feed::bump(conn)?;
        }
        Ok(report)
    })
}

#[derive(Clone)]
struct LocationSeed {
    from: Option<NaiveDate>,
    street: Option<&'static str>,
    postal_code: Option<&'static str>,
    district: District,
    premises: Option<&'static str>,
    host: Option<&'static str>,
    temporary: bool,
    reason: Option<&'static str>,
    note: Option<&'static str>,
}

impl LocationSeed {
    fn into_new(self, host_organization_id: Option<String>) -> NewLocation {
        NewLocation {
            address: Address {
                street: self.street.map(Into::into),
                postal_code: self.postal_code.map(Into::into),
                city: "Dortmund".into(),
                district: self.district,
            },
            premises: self.premises.map(Into::into),
            host_organization_id,
            temporary: self.temporary,
            reason: self.reason.map(Into::into),
            note: self.note.map(Into::into),
            // No building-exact coordinates were published; coordinators enter them.
            coordinates: None,
        }
    }

    fn at(street: &'static str, postal_code: &'static str, district: District) -> LocationSeed {
        LocationSeed {
            from: None,
            street: Some(street),
            postal_code: Some(postal_code),
            district,
            premises: None,
            host: None,
            temporary: false,
            reason: None,
            note: None,
        }
    }
}

struct OfficeSeed {
    slug: &'static str,
    name: &'static str,
    provider: &'static str,
    districts: &'static [District],
    opened_on: NaiveDate,
    phone: Option<&'static str>,
    email: Option<&'static str>,
    locations: Vec<LocationSeed>,
    /// Only published hours; no office gets invented ones.
    hours: Option<crate::directory::content::Hours>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid seed date")
}

fn office_seeds() -> Vec<OfficeSeed> {
    use District::*;
    vec![
        OfficeSeed {
            slug: "brackel-aplerbeck",
            name: "lokal willkommen Brackel/Aplerbeck",
            provider: CARITAS,
            districts: &[Brackel, Aplerbeck],
            opened_on: date(2016, 10, 1),
            phone: None,
            email: None,
            hours: None,
            locations: vec![LocationSeed {
                note: Some(
                    "Pilotbüro, eröffnet im Oktober 2016; der genaue Tag ist nicht veröffentlicht, \
                     erfasst ist der 1. Oktober 2016.",
                ),
                ..LocationSeed::at("Brackeler Hellweg 146", "44309", Brackel)
            }],
        },
        OfficeSeed {
            slug: "mengede-huckarde",
            name: "lokal willkommen Mengede/Huckarde",
            provider: DIAKONIE,
            districts: &[Mengede, Huckarde],
            opened_on: date(2018, 2, 9),
            phone: Some("0231 50 11 148"),
            email: Some("lokalwillkommen.mh@stadtdo.de"),
            hours: Some(mengede_hours()),
            locations: vec![
                LocationSeed {
                    from: None,
                    street: None,
                    postal_code: None,
                    district: Mengede,
                    premises: Some("Gemeindehaus der Ev. Noah-Kirchengemeinde"),
                    host: Some(NOAH),
                    temporary: true,
                    reason: Some("Vorübergehender Start im Gemeindehaus"),
                    note: Some("Die Straße des Gemeindehauses ist nicht veröffentlicht."),
                },
                LocationSeed {
                    from: Some(date(2018, 12, 1)),
                    premises: Some("Ladenlokal, von der Diakonie angemietet und renoviert"),
                    reason: Some("Umzug aus dem Gemeindehaus in ein eigenes Ladenlokal"),
                    note: Some(
                        "Der genaue Umzugstag ist nicht veröffentlicht (später im Jahr 2018); \
                         der 1. Dezember 2018 ist ein Näherungswert.",
                    ),
                    ..LocationSeed::at("Westerfilder Straße 54", "44357", Mengede)
                },
            ],
        },
        OfficeSeed {
            slug: "hoerde-hombruch",
            name: "lokal willkommen Hörde/Hombruch",
            provider: AWO,
            districts: &[Hoerde, Hombruch],
            opened_on: date(2018, 3, 9),
            phone: None,
            email: None,
            hours: None,
            locations: vec![LocationSeed::at("Schildplatz 7", "44263", Hoerde)],
        },
        OfficeSeed {
            slug: "eving-scharnhorst",
            name: "lokal willkommen Eving/Scharnhorst",
            provider: DRK,
            districts: &[Eving, Scharnhorst],
            opened_on: date(2019, 1, 31),
            phone: None,
            email: None,
            hours: None,
            locations: vec![LocationSeed::at("Bayrische Straße 135", "44339", Eving)],
        },
        OfficeSeed {
            slug: "luetgendortmund",
            name: "lokal willkommen Lütgendortmund",
            provider: EHC,
            districts: &[Luetgendortmund],
            opened_on: date(2019, 2, 6),
            phone: None,
            email: None,
            hours: None,
            locations: vec![LocationSeed::at(
                "Lütgendortmunder Straße 128",
                "44388",
                Luetgendortmund,
            )],
        },
    ]
}

/// The published hours of Mengede/Huckarde: Mon and Fri 9-12, Tue 13-16, Thu 14-17,
/// also by appointment; German, Arabic, English, Persian, Kurdish.
fn mengede_hours() -> crate::directory::content::Hours {
    let languages: Vec<String> = ["de", "ar", "en", "fa", "ku"].map(String::from).to_vec();
    let slot = |weekday, opens: &str, closes: &str| crate::directory::content::HoursSlot {
        weekday,
        opens: opens.to_owned(),
        closes: closes.to_owned(),
        languages: languages.clone(),
        note: None,
    };
    crate::directory::content::Hours {
        by_appointment: true,
        slots: vec![
            slot(1, "09:00", "12:00"),
            slot(2, "13:00", "16:00"),
            slot(4, "14:00", "17:00"),
            slot(5, "09:00", "12:00"),
        ],
        closures: Vec::new(),
        extra_sessions: Vec::new(),
    }
}

/// The shared base offer of every office: (code, German name, English name, description, topics).
const BASE_OFFER: &[(&str, &str, &str, &str, &[&str])] = &[
    (
        "consultation-hours",
        "Sprechstunden",
        "Consultation hours",
        "Beratung und Orientierung zu allen Fragen des Ankommens, in mehreren Sprachen.",
        &[
            "birth",
            "childcare-place",
            "school-enrollment",
            "job-search",
            "energy-contract",
            "public-transport-ticket",
            "housing",
            "health",
            "language-course",
            "residence-matters",
        ],
    ),
    (
        "welcome-visits",
        "Willkommensbesuche",
        "Welcome home visits",
        "Besuche bei neu zugezogenen Familien, um den Stadtteil und seine Angebote vorzustellen.",
        &[
            "childcare-place",
            "school-enrollment",
            "leisure-and-neighbourhood",
        ],
    ),
    (
        "round-tables",
        "Runde Tische",
        "Round tables",
        "Austausch der Akteure im Stadtbezirk über Integration vor Ort.",
        &["leisure-and-neighbourhood"],
    ),
    (
        "networking",
        "Vernetzung im Stadtteil",
        "Local networking",
        "Kontakte zu Vereinen, Schulen, Kitas, Gemeinden und Beratungsstellen; Weitervermittlung.",
        &["leisure-and-neighbourhood", "language-course"],
    ),
    (
        "volunteer-contact",
        "Anlaufstelle für Ehrenamt und Anregungen",
        "Contact point for volunteers and suggestions",
        "Ehrenamtliche und Bürgerinnen und Bürger können Angebote und Anregungen einbringen.",
        &["volunteering"],
    ),
];
