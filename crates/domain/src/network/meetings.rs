//! Network meetings: round tables, working groups, trainings and the like that offices
//! organize or take part in. A meeting is counted, never minuted: its title names the
//! subject, participants are head counts (per organization, and anonymous counts of
//! volunteers, residents, newcomers and others).

use chrono::NaiveDate;

use crate::validation::ValidationErrors;
use crate::{District, OfficeId, OrganizationId};

crate::coded_enum! {
    /// What kind of meeting.
    pub enum MeetingType as "meeting_type" {
        RoundTable = "round_table" ("Runder Tisch", "round table"),
        NetworkMeeting = "network_meeting" ("Netzwerktreffen", "network meeting"),
        WorkingGroup = "working_group" ("Arbeitskreis", "working group"),
        CooperationTalk = "cooperation_talk" ("Kooperationsgespräch", "cooperation talk"),
        EncounterEvent = "encounter_event" ("Begegnungsveranstaltung", "encounter event"),
        Training = "training" ("Schulung", "training"),
        InformationEvent = "information_event" ("Informationsveranstaltung", "information event"),
    }
}

crate::coded_enum! {
    /// The part the meeting's offices played in it.
    pub enum MeetingRole as "meeting_role" {
        Organizer = "organizer" ("Veranstalter", "organizer"),
        CoOrganizer = "co_organizer" ("Mitveranstalter", "co-organizer"),
        Participant = "participant" ("Teilnehmend", "participant"),
    }
}

/// Each head count lies in `0..=MAX_COUNT`.
pub const MAX_COUNT: i32 = 10_000;
/// The most characters of a title.
pub const MAX_TITLE: usize = 200;
/// The most organizations listed as participants of one meeting.
pub const MAX_ORGANIZATIONS: usize = 100;
/// The most topic codes of one meeting.
pub const MAX_TOPICS: usize = 10;

/// An organization that took part, with how many of its people came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationParticipation {
    pub organization_id: OrganizationId,
    pub persons: i32,
}

/// Who came: organizations with head counts, and anonymous counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Participants {
    pub organizations: Vec<OrganizationParticipation>,
    pub volunteers: i32,
    pub residents: i32,
    pub newcomers: i32,
    pub others: i32,
}

impl Participants {
    /// Everybody counted.
    pub fn total(&self) -> i64 {
        self.organizations
            .iter()
            .map(|o| i64::from(o.persons))
            .chain([self.volunteers, self.residents, self.newcomers, self.others].map(i64::from))
            .sum()
    }
}

/// A meeting as recorded (the write model the rules look at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub meeting_type: MeetingType,
    pub held_on: NaiveDate,
    /// The offices that took part; at least one.
    pub offices: Vec<OfficeId>,
    pub role: MeetingRole,
    /// Districts the meeting concerned; may be empty (city-wide).
    pub districts: Vec<District>,
    /// Topic codes of the directory (whether they exist is checked against it).
    pub topics: Vec<String>,
    pub title: String,
    pub participants: Participants,
    pub follow_up_planned: bool,
}

/// Checks a meeting's own rules (not whether its offices, topics and organizations
/// exist: that needs the directory), reporting each broken rule at its JSON pointer.
/// `today` is the Dortmund day of the request: a meeting cannot be recorded ahead.
pub fn check(meeting: &Meeting, today: NaiveDate, e: &mut ValidationErrors) {
    e.check_date("/held_on", meeting.held_on);
    if meeting.held_on > today {
        e.add("/held_on", "must not lie in the future");
    }
    if meeting.offices.is_empty() {
        e.add("/offices", "must name at least one office");
    }
    duplicates("/offices", &meeting.offices, e);
    duplicates("/districts", &meeting.districts, e);
    if meeting.topics.len() > MAX_TOPICS {
        e.add("/topics", format!("must list at most {MAX_TOPICS} topics"));
    }
    duplicates("/topics", &meeting.topics, e);
    e.require_text("/title", &meeting.title, MAX_TITLE);
    let p = &meeting.participants;
    if p.organizations.len() > MAX_ORGANIZATIONS {
        e.add(
            "/participants/organizations",
            format!("must list at most {MAX_ORGANIZATIONS} organizations"),
        );
    }
    for (i, o) in p.organizations.iter().enumerate() {
        if p.organizations[..i]
            .iter()
            .any(|x| x.organization_id == o.organization_id)
        {
            e.add(
                format!("/participants/organizations/{i}/organization_id"),
                "lists an organization twice",
            );
        }
        count(&format!("/participants/organizations/{i}/persons"), o.persons, e);
    }
    for (name, n) in [
        ("volunteers", p.volunteers),
        ("residents", p.residents),
        ("newcomers", p.newcomers),
        ("others", p.others),
    ] {
        count(&format!("/participants/{name}"), n, e);
    }
}

fn count(pointer: &str, n: i32, e: &mut ValidationErrors) {
    if !(0..=MAX_COUNT).contains(&n) {
        e.add(pointer, format!("must be between 0 and {MAX_COUNT}"));
    }
}

/// Reports the second and later occurrence of a value at its index.
fn duplicates<T: PartialEq>(pointer: &str, items: &[T], e: &mut ValidationErrors) {
    for (i, item) in items.iter().enumerate() {
        if items[..i].contains(item) {
            e.add(format!("{pointer}/{i}"), "lists the same value twice");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Id;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn meeting() -> Meeting {
        Meeting {
            meeting_type: MeetingType::RoundTable,
            held_on: day(2026, 11, 12),
            offices: vec![OfficeId::generate()],
            role: MeetingRole::Organizer,
            districts: vec![District::Mengede],
            topics: vec!["housing".into()],
            title: "Runder Tisch Wohnen".into(),
            participants: Participants {
                organizations: vec![OrganizationParticipation {
                    organization_id: OrganizationId::generate(),
                    persons: 3,
                }],
                volunteers: 4,
                residents: 10,
                newcomers: 6,
                others: 0,
            },
            follow_up_planned: true,
        }
    }

    fn pointers(m: &Meeting, today: NaiveDate) -> Vec<String> {
        let mut e = ValidationErrors::default();
        check(m, today, &mut e);
        e.0.into_iter().filter_map(|f| f.pointer).collect()
    }

    #[test]
    fn a_plausible_meeting_passes() {
        let m = meeting();
        assert!(pointers(&m, day(2026, 11, 16)).is_empty());
        assert_eq!(m.participants.total(), 23);
        // Held today is fine; tomorrow is not.
        assert!(pointers(&m, m.held_on).is_empty());
        assert_eq!(pointers(&m, day(2026, 11, 11)), ["/held_on"]);
    }

    #[test]
    fn each_rule_points_at_its_field() {
        let mut m = meeting();
        m.offices.push(m.offices[0].clone());
        m.districts.push(District::Mengede);
        m.topics = vec!["housing".into(), "housing".into()];
        m.title = "  ".into();
        m.participants.volunteers = MAX_COUNT + 1;
        m.participants
            .organizations
            .push(m.participants.organizations[0].clone());
        m.participants.organizations[1].persons = MAX_COUNT + 1;
        assert_eq!(
            pointers(&m, day(2026, 11, 16)),
            [
                "/offices/1",
                "/districts/1",
                "/topics/1",
                "/title",
                "/participants/organizations/1/organization_id",
                "/participants/organizations/1/persons",
                "/participants/volunteers",
            ]
        );
        let mut m = meeting();
        m.offices.clear();
        m.participants.others = MAX_COUNT;
        m.participants.newcomers = -1;
        assert_eq!(
            pointers(&m, day(2026, 11, 16)),
            ["/offices", "/participants/newcomers"]
        );
    }
}
