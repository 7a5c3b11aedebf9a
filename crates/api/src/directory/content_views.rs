//! Views of consultation hours, sessions, topics and services.

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use domain::LocalizedText;
use domain::directory::schedule::{self, Closure, ExtraSession, Slot, WallTime};
use persistence::RepoError;
use persistence::directory::content::{ClosureRow, ExtraSessionRow, ServiceRow, SlotRow, TopicRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Day {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Day {
    pub fn weekday(self) -> Weekday {
        match self {
            Day::Monday => Weekday::Mon,
            Day::Tuesday => Weekday::Tue,
            Day::Wednesday => Weekday::Wed,
            Day::Thursday => Weekday::Thu,
            Day::Friday => Weekday::Fri,
            Day::Saturday => Weekday::Sat,
            Day::Sunday => Weekday::Sun,
        }
    }

    pub fn from_number(n: i32) -> Option<Day> {
        [
            Day::Monday,
            Day::Tuesday,
            Day::Wednesday,
            Day::Thursday,
            Day::Friday,
            Day::Saturday,
            Day::Sunday,
        ]
        .get((n - 1) as usize)
        .copied()
    }

    pub fn number(self) -> i32 {
        self.weekday().number_from_monday() as i32
    }
}

/// A weekly slot; times are `HH:MM` wall-clock time in Europe/Berlin.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotView {
    pub weekday: Day,
    #[schema(example = "09:00")]
    pub opens: String,
    #[schema(example = "12:00")]
    pub closes: String,
    /// ISO 639 codes of the languages spoken (see `/api/v1/languages`).
    #[schema(example = json!(["de", "ar"]))]
    pub languages: Vec<String>,
    pub note: Option<LocalizedText>,
}

/// Days without consultation, both inclusive.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureView {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub reason: Option<LocalizedText>,
}

/// A one-off session, e.g. held at another place in the district.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraSessionView {
    pub day: NaiveDate,
    pub opens: String,
    pub closes: String,
    pub languages: Vec<String>,
    /// Where it takes place, if not at the office.
    pub place: Option<String>,
    pub note: Option<LocalizedText>,
}

/// An office's consultation hours.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultationHoursView {
    #[schema(format = Uuid)]
    pub office_id: String,
    /// Consultations are also possible by appointment outside the slots.
    pub by_appointment: bool,
    /// The weekly slots in OpenStreetMap `opening_hours` syntax.
    #[schema(example = "Mo,Fr 09:00-12:00; Tu 13:00-16:00; Th 14:00-17:00")]
    pub opening_hours: String,
    /// All languages of the slots and extra sessions.
    pub languages: Vec<String>,
    pub slots: Vec<SlotView>,
    pub closures: Vec<ClosureView>,
    pub extra_sessions: Vec<ExtraSessionView>,
}

/// The office's schedule in domain terms, for expansion.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    pub slots: Vec<Slot>,
    pub closures: Vec<Closure>,
    pub extras: Vec<ExtraSession>,
}

fn corrupt(what: &str) -> RepoError {
    RepoError::Corrupt(format!("stored {what} is invalid"))
}

fn parse_json<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> Result<T, RepoError> {
    serde_json::from_str(s).map_err(|_| corrupt(what))
}

fn time(s: &str) -> Result<WallTime, RepoError> {
    WallTime::parse(s).ok_or_else(|| corrupt("time"))
}

impl ConsultationHoursView {
    pub fn build(
        office_id: &str,
        by_appointment: bool,
        slots: &[&SlotRow],
        closures: &[&ClosureRow],
        extras: &[&ExtraSessionRow],
    ) -> Result<(ConsultationHoursView, Schedule), RepoError> {
        let mut schedule = Schedule::default();
        let mut slot_views = Vec::new();
        for row in slots {
            let day = Day::from_number(row.weekday).ok_or_else(|| corrupt("weekday"))?;
            let languages: Vec<String> = parse_json(&row.languages, "languages")?;
            schedule.slots.push(Slot {
                weekday: day.weekday(),
                opens: time(&row.opens)?,
                closes: time(&row.closes)?,
                languages: languages.clone(),
            });
            slot_views.push(SlotView {
                weekday: day,
                opens: row.opens.clone(),
                closes: row.closes.clone(),
                languages,
                note: row.note.as_deref().map(|n| parse_json(n, "note")).transpose()?,
            });
        }
        let mut closure_views = Vec::new();
        for row in closures {
            schedule.closures.push(Closure {
                first_day: row.first_day,
                last_day: row.last_day,
            });
            closure_views.push(ClosureView {
                first_day: row.first_day,
                last_day: row.last_day,
                reason: row
                    .reason
                    .as_deref()
                    .map(|n| parse_json(n, "reason"))
                    .transpose()?,
            });
        }
        let mut extra_views = Vec::new();
        for row in extras {
            let languages: Vec<String> = parse_json(&row.languages, "languages")?;
            schedule.extras.push(ExtraSession {
                day: row.day,
                opens: time(&row.opens)?,
                closes: time(&row.closes)?,
                languages: languages.clone(),
            });
            extra_views.push(ExtraSessionView {
                day: row.day,
                opens: row.opens.clone(),
                closes: row.closes.clone(),
                languages,
                place: row.place.clone(),
                note: row.note.as_deref().map(|n| parse_json(n, "note")).transpose()?,
            });
        }
        let mut languages: Vec<String> = schedule
            .slots
            .iter()
            .flat_map(|s| s.languages.iter())
            .chain(schedule.extras.iter().flat_map(|e| e.languages.iter()))
            .cloned()
            .collect();
        languages.sort();
        languages.dedup();
        let view = ConsultationHoursView {
            office_id: office_id.to_owned(),
            by_appointment,
            opening_hours: schedule::osm_opening_hours(&schedule.slots),
            languages,
            slots: slot_views,
            closures: closure_views,
            extra_sessions: extra_views,
        };
        Ok((view, schedule))
    }
}

/// A concrete, dated consultation session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    /// The Berlin calendar day.
    pub day: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub languages: Vec<String>,
    /// `weekly` (from a slot) or `extra` (a one-off session).
    #[schema(example = "weekly")]
    pub kind: String,
    pub place: Option<String>,
    pub note: Option<LocalizedText>,
}

/// A topic people come with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicView {
    #[schema(example = "childcare-place")]
    pub code: String,
    pub name: LocalizedText,
    #[serde(skip)]
    pub(crate) sort_key: String,
}

impl TopicView {
    pub fn from_row(row: &TopicRow) -> Result<TopicView, RepoError> {
        Ok(TopicView {
            code: row.code.clone(),
            name: parse_json(&row.name, "topic name")?,
            sort_key: format!("{:04}", row.position),
        })
    }
}

/// A service: part of the shared base offer of every office, or local to one office.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceView {
    #[schema(format = Uuid)]
    pub id: String,
    /// `base` (every office offers it) or `local` (one office).
    #[schema(example = "base")]
    pub scope: String,
    /// The office of a local service; `null` for the base offer.
    pub office_id: Option<String>,
    /// Stable code of a base service.
    pub code: Option<String>,
    pub name: LocalizedText,
    pub description: LocalizedText,
    /// Topic codes (see `/api/v1/topics`).
    pub topics: Vec<String>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) version: i64,
}

impl ServiceView {
    pub fn from_row(row: &ServiceRow) -> Result<ServiceView, RepoError> {
        Ok(ServiceView {
            id: row.id.clone(),
            scope: if row.office_id.is_some() { "local" } else { "base" }.into(),
            office_id: row.office_id.clone(),
            code: row.code.clone(),
            name: parse_json(&row.name, "service name")?,
            description: parse_json(&row.description, "service description")?,
            topics: parse_json(&row.topics, "service topics")?,
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        })
    }
}
