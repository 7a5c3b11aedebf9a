//! Demo field work: a plausible, clearly fictitious year of every office's work (contact
//! records with referrals, home visits, network meetings), so a frontend developer sees
//! realistic lists at once; and a bulk loader for benchmarks.
//!
//! Deterministic: the same seed and day give the same data. Household names of home
//! visits are "Demo-Haushalt n" and addresses are on "Demoweg", never real people.

use anyhow::Context;
use chrono::{Datelike, Days, NaiveDate};
use domain::District;
use domain::fieldwork::contact::{
    Audience, Channel, ContactDuration, ContactOutcome, ContactRecord, Interpreting,
};
use domain::fieldwork::home_visit::{TimeWindow, VisitOutcome, VisitSource};
use domain::fieldwork::referral::{Referral, ReferralMode, ReferralOutcome, TargetCategory};
use domain::network::meetings::{Meeting, MeetingRole, MeetingType, Participants};
use domain::network::partners::{ActorType, CooperationKind, PartnerStaffing, Visibility};
use domain::{HomeVisitId, OfficeId, OrganizationId, ReferralId};
use persistence::DbPool;
use persistence::audit::AuditContext;

/// SplitMix64: a tiny deterministic generator; demo data needs repeatability, not secrecy.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Weighted towards the offices' core work: walk-ins, refugees, German and Arabic.
const CHANNELS: [Channel; 10] = [
    Channel::OfficeHours,
    Channel::OfficeHours,
    Channel::OfficeHours,
    Channel::OfficeHours,
    Channel::Appointment,
    Channel::Phone,
    Channel::Phone,
    Channel::Message,
    Channel::Outreach,
    Channel::Accompaniment,
];
const AUDIENCES: [Audience; 7] = [
    Audience::Refugee,
    Audience::Refugee,
    Audience::Refugee,
    Audience::OtherImmigrant,
    Audience::OtherImmigrant,
    Audience::LocalResident,
    Audience::Volunteer,
];
const LANGUAGES: [&str; 9] = ["de", "de", "de", "ar", "ar", "fa", "en", "ku", "uk"];
const TOPICS: [&str; 12] = [
    "school-enrollment",
    "childcare-place",
    "job-search",
    "housing",
    "health",
    "language-course",
    "residence-matters",
    "benefits-and-money",
    "authorities-and-forms",
    "family-and-parenting",
    "energy-contract",
    "digital-access",
];
const TARGETS: [TargetCategory; 8] = [
    TargetCategory::Authority,
    TargetCategory::MigrationCounselling,
    TargetCategory::SocialCounselling,
    TargetCategory::LanguageCourse,
    TargetCategory::ChildcareAndSchool,
    TargetCategory::HealthCare,
    TargetCategory::Housing,
    TargetCategory::WorkAndTraining,
];

/// One contact record occurring on `day`.
fn contact(dice: &mut Dice, day: NaiveDate, channel: Option<Channel>) -> ContactRecord {
    let mut languages = vec![dice.pick(&LANGUAGES).to_owned()];
    if languages[0] != "de" && dice.chance(40) {
        languages.push("de".to_owned());
    }
    let mut topics = vec![dice.pick(&TOPICS).to_owned()];
    if dice.chance(35) {
        let second = dice.pick(&TOPICS).to_owned();
        if second != topics[0] {
            topics.push(second);
        }
    }
    let referred = dice.chance(30);
    let referrals = if referred {
        (0..=dice.below(2))
            .map(|_| {
                let mode = dice.pick(&[
                    ReferralMode::Information,
                    ReferralMode::Information,
                    ReferralMode::ContactedOnBehalf,
                    ReferralMode::Accompanied,
                ]);
                Referral {
                    target_category: dice.pick(&TARGETS),
                    organization_id: None,
                    service_id: None,
                    mode,
                    consent_to_share: mode == ReferralMode::ContactedOnBehalf,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let outcome = if referred {
        ContactOutcome::Referred
    } else {
        dice.pick(&[
            ContactOutcome::Resolved,
            ContactOutcome::Resolved,
            ContactOutcome::FollowUp,
            ContactOutcome::InformationOnly,
        ])
    };
    ContactRecord {
        occurred_on: day,
        channel: channel.unwrap_or_else(|| dice.pick(&CHANNELS)),
        duration: dice.pick(&[
            ContactDuration::Under15,
            ContactDuration::From15To30,
            ContactDuration::From15To30,
            ContactDuration::From30To60,
            ContactDuration::Over60,
        ]),
        persons_present: i32::try_from(1 + dice.below(4)).unwrap_or(1),
        first_contact: dice.chance(35),
        audience: dice.pick(&AUDIENCES),
        residence_district: if dice.chance(85) {
            Some(dice.pick(&District::ALL))
        } else {
            None
        },
        interpreting: if languages.iter().any(|l| l == "de") {
            Interpreting::None
        } else {
            dice.pick(&[
                Interpreting::ByStaff,
                Interpreting::Volunteer,
                Interpreting::Remote,
            ])
        },
        languages,
        topics,
        outcome,
        referrals,
    }
}

/// What [`create_field_work`] made.
#[derive(Debug, Default)]
pub struct FieldWorkSummary {
    pub offices: usize,
    pub contacts: usize,
    pub home_visits: usize,
    pub meetings: usize,
    pub referrals_closed: usize,
    pub partners: usize,
}

/// A year of field work up to `today` for every active office that has none yet.
pub fn create_field_work(pool: &DbPool, clock: &domain::Clock) -> anyhow::Result<FieldWorkSummary> {
    let mut conn = pool.get().context("cannot connect to the database")?;
    let ctx = AuditContext::system("demo", clock);
    let today = domain::directory::schedule::berlin_today(clock.now());
    let mut summary = FieldWorkSummary::default();
    for (n, office) in persistence::directory::offices::active_ids(&mut conn)?
        .into_iter()
        .enumerate()
    {
        if persistence::fieldwork::contacts::count_for_office(&mut conn, &office)? > 0 {
            continue;
        }
        let mut dice = Dice(0x6c77_0000 + n as u64);
        summary.offices += 1;
        for back in (1..=365u64).rev() {
            let day = today - Days::new(back);
            if day.weekday().number_from_monday() > 5 {
                continue;
            }
            for _ in 0..dice.below(4) {
                let stored = persistence::fieldwork::contacts::create(
                    &mut conn,
                    &office,
                    &contact(&mut dice, day, None),
                    &ctx,
                )?;
                summary.contacts += 1;
                // Most referrals older than a few weeks have an outcome by now.
                for referral in &stored.referrals {
                    if back < 21 || !dice.chance(70) {
                        continue;
                    }
                    let outcome = dice.pick(&[
                        ReferralOutcome::TakenUp,
                        ReferralOutcome::TakenUp,
                        ReferralOutcome::TakenUp,
                        ReferralOutcome::NotTakenUp,
                        ReferralOutcome::NoCapacity,
                        ReferralOutcome::NotEligible,
                        ReferralOutcome::Unknown,
                    ]);
                    let closed_on = day + Days::new(3 + dice.below(14) as u64);
                    persistence::fieldwork::contacts::close_referral(
                        &mut conn,
                        &ReferralId::from_stored(referral.id.clone()),
                        outcome,
                        closed_on,
                        &ctx,
                    )?;
                    summary.referrals_closed += 1;
                }
            }
        }
        // Welcome visits: most done (with their contact record), some missed, some ahead.
        for i in 0..16u64 {
            let ahead = i >= 13;
            let planned_on = if ahead {
                today + Days::new(3 + i)
            } else {
                today - Days::new(20 * (i + 1))
            };
            let visit = persistence::fieldwork::home_visits::create(
                &mut conn,
                &office,
                persistence::fieldwork::home_visits::NewHomeVisit {
                    planned_on,
                    time_window: Some(dice.pick(&[TimeWindow::Morning, TimeWindow::Afternoon])),
                    name: format!("Demo-Haushalt {}", i + 1),
                    street: format!("Demoweg {}", 1 + dice.below(80)),
                    postal_code: "44339".to_owned(),
                    supplement: None,
                    phone: None,
                    language: dice.pick(&LANGUAGES).to_owned(),
                    source: dice.pick(&[
                        VisitSource::HousingCompany,
                        VisitSource::SocialServices,
                        VisitSource::SelfRequest,
                    ]),
                },
                &ctx,
            )?;
            summary.home_visits += 1;
            if ahead {
                continue;
            }
            let id = HomeVisitId::from_stored(visit.id.clone());
            if dice.chance(80) {
                let record = contact(&mut dice, planned_on, Some(Channel::HomeVisit));
                persistence::fieldwork::home_visits::record_outcome(
                    &mut conn,
                    &id,
                    VisitOutcome::Done,
                    Some(&record),
                    &ctx,
                )?;
                summary.contacts += 1;
            } else {
                persistence::fieldwork::home_visits::record_outcome(
                    &mut conn,
                    &id,
                    VisitOutcome::NoShow,
                    None,
                    &ctx,
                )?;
            }
        }
        // Round tables and network meetings, about monthly.
        for month in 1..=12u64 {
            let meeting = Meeting {
                meeting_type: dice.pick(&[
                    MeetingType::RoundTable,
                    MeetingType::NetworkMeeting,
                    MeetingType::WorkingGroup,
                    MeetingType::EncounterEvent,
                ]),
                held_on: today - Days::new(30 * month - 10),
                offices: vec![office.clone()],
                role: dice.pick(&[
                    MeetingRole::Organizer,
                    MeetingRole::CoOrganizer,
                    MeetingRole::Participant,
                ]),
                districts: Vec::new(),
                topics: vec![dice.pick(&TOPICS).to_owned()],
                title: format!("Demo: Runder Tisch {month}"),
                participants: Participants {
                    organizations: Vec::new(),
                    volunteers: i32::try_from(dice.below(8)).unwrap_or(0),
                    residents: i32::try_from(dice.below(20)).unwrap_or(0),
                    newcomers: i32::try_from(dice.below(15)).unwrap_or(0),
                    others: i32::try_from(dice.below(5)).unwrap_or(0),
                },
                follow_up_planned: dice.chance(50),
            };
            persistence::network::meetings::create(&mut conn, &meeting, &ctx)?;
            summary.meetings += 1;
        }
    }
    if summary.offices > 0 {
        summary.partners = create_partners(&mut conn, &ctx, today)?;
    }
    Ok(summary)
}

/// Partners of the network, fictitious ("Demo-..."), each cooperating with one office.
fn create_partners(
    conn: &mut persistence::DbConnection,
    ctx: &AuditContext,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    use persistence::directory::organizations::{NewOrganization, PartnerProfile};
    let partners = [
        (
            "Demo-Kulturverein Nordstadt",
            ActorType::MigrantOrganization,
            PartnerStaffing::Volunteer,
            Visibility::Public,
            CooperationKind::JointEvents,
        ),
        (
            "Demo-Gemeinde St. Beispiel",
            ActorType::ReligiousCommunity,
            PartnerStaffing::Mixed,
            Visibility::Public,
            CooperationKind::Premises,
        ),
        (
            "Demo-Grundschule am Park",
            ActorType::School,
            PartnerStaffing::Professional,
            Visibility::Internal,
            CooperationKind::ReferralPartner,
        ),
        (
            "Demo-Wohnungsgesellschaft",
            ActorType::HousingCompany,
            PartnerStaffing::Professional,
            Visibility::Internal,
            CooperationKind::ReferralPartner,
        ),
        (
            "Demo-Nachbarschaftsinitiative",
            ActorType::VolunteerInitiative,
            PartnerStaffing::Volunteer,
            Visibility::Public,
            CooperationKind::RoundTableMember,
        ),
    ];
    let offices = persistence::directory::offices::active_ids(conn)?;
    let mut made = 0;
    for (i, (name, actor_type, staffing, visibility, kind)) in partners.into_iter().enumerate() {
        if persistence::directory::organizations::find_by_name(conn, name)?.is_some() {
            continue;
        }
        let written = persistence::directory::organizations::create(
            conn,
            NewOrganization {
                name: name.to_owned(),
                short_name: None,
                kind: domain::OrganizationKind::Partner,
                website: None,
                partner: Some(PartnerProfile {
                    actor_type: Some(actor_type),
                    staffing: Some(staffing),
                    districts: vec![District::ALL[i % District::ALL.len()]],
                    visibility,
                }),
            },
            ctx,
        )?;
        persistence::network::cooperations::create(
            conn,
            &OrganizationId::from_stored(written.record.row.id.clone()),
            &persistence::network::cooperations::NewCooperation {
                office_id: offices[i % offices.len()].clone(),
                kind,
                started_on: today - Days::new(200 + 30 * i as u64),
            },
            ctx,
        )?;
        made += 1;
    }
    Ok(made)
}

/// Inserts `count` contact records (with referrals) spread over the active offices and
/// the eight years before `today`, in large batches: benchmark volume, written directly
/// (no audit events: this is generated load, not anyone's change).
pub fn load_volume(pool: &DbPool, clock: &domain::Clock, count: usize) -> anyhow::Result<usize> {
    /// Records per transaction.
    const BATCH: usize = 20_000;
    let mut conn = pool.get().context("cannot connect to the database")?;
    let today = domain::directory::schedule::berlin_today(clock.now());
    let offices = persistence::directory::offices::active_ids(&mut conn)?;
    anyhow::ensure!(!offices.is_empty(), "no active office to record contacts for");
    let mut dice = Dice(0x6275_6c6b);
    let span = 8 * 365;
    let mut written = 0;
    while written < count {
        let batch: Vec<(OfficeId, ContactRecord)> = (0..BATCH.min(count - written))
            .map(|_| {
                let office = offices[dice.below(offices.len())].clone();
                let day = today - Days::new(1 + dice.below(span) as u64);
                (office, contact(&mut dice, day, None))
            })
            .collect();
        persistence::fieldwork::contacts::bulk_insert(&mut conn, &batch, clock.now().naive_utc())?;
        written += batch.len();
    }
    persistence::fieldwork::contacts::analyze(&mut conn)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dice_are_deterministic_and_in_range() {
        let (mut a, mut b) = (Dice(7), Dice(7));
        for _ in 0..1000 {
            let x = a.below(13);
            assert_eq!(x, b.below(13));
            assert!(x < 13);
        }
    }

    #[test]
    fn generated_contacts_pass_the_domain_rules() {
        let mut dice = Dice(1);
        let day = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
        for _ in 0..500 {
            let record = contact(&mut dice, day, None);
            let mut errors = domain::ValidationErrors::default();
            let refused =
                domain::fieldwork::contact::check_record(&record, |t| TOPICS.contains(&t), &mut errors);
            assert!(errors.is_empty() && refused.is_ok(), "{record:?}: {errors:?}");
        }
    }
}
