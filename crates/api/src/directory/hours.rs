//! Consultation hours: weekly slots, closures and extra sessions, and the dated sessions
//! they expand to.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use domain::{Action, Resource, ValidationErrors};
use persistence::directory::content::{Hours, HoursClosure, HoursExtra, HoursSlot};
use persistence::read_model;
use utoipa::IntoParams;

use crate::accounts::auth::{Authenticated, MaybeAuthenticated};
use crate::directory::office_writes::answer_office_write;
use crate::directory::offices::{LangQuery, office_at};
use crate::directory::stored::{corrupt, stored_json};
use crate::http::conditional::{Audience, JsonBody, require_if_match};
use crate::http::extractors::Query;
use crate::http::extractors::parse_json;
use crate::http::localize::{requested_language, respond_localized};
use crate::http::pagination::Page;
use crate::http::problem::ApiError;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc, Weekday};
use domain::LocalizedText;
use domain::directory::schedule::{self, Closure, ExtraSession, Slot, WallTime};
use persistence::RepoError;
use persistence::directory::content::{ClosureRow, ExtraSessionRow, SlotRow};
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
        .get(usize::try_from(n - 1).ok()?)
        .copied()
    }

    pub fn number(self) -> i32 {
        i32::from(u8::try_from(self.weekday().number_from_monday()).unwrap_or(1))
    }
}

/// A weekly slot; times are `HH:MM` wall-clock time in Europe/Berlin.
#[derive(Debug, Clone, Serialize, ToSchema)]
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
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClosureView {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub reason: Option<LocalizedText>,
}

/// A one-off session, e.g. held at another place in the district.
#[derive(Debug, Clone, Serialize, ToSchema)]
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
    /// The weekly slots in OpenStreetMap `opening_hours` syntax; `null` when none are published.
    #[schema(example = "Mo,Fr 09:00-12:00; Tu 13:00-16:00; Th 14:00-17:00")]
    pub opening_hours: Option<String>,
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
            let languages: Vec<String> = stored_json(&row.languages, "languages")?;
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
                note: row.note.as_deref().map(|n| stored_json(n, "note")).transpose()?,
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
                    .map(|n| stored_json(n, "reason"))
                    .transpose()?,
            });
        }
        let mut extra_views = Vec::new();
        for row in extras {
            let languages: Vec<String> = stored_json(&row.languages, "languages")?;
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
                note: row.note.as_deref().map(|n| stored_json(n, "note")).transpose()?,
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
            opening_hours: Some(schedule::osm_opening_hours(&schedule.slots)).filter(|h| !h.is_empty()),
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

/// Consultation hours of an office
///
/// An office's consultation hours: weekly slots, closures, extra sessions, and the
/// OpenStreetMap `opening_hours` string.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    params(("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde"), LangQuery),
    responses((status = 200, description = "The consultation hours.", body = crate::directory::hours::ConsultationHoursView))
)]
#[get("/offices/{office}/consultation-hours")]
pub async fn get_hours(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = requested_language(&req, query.lang.as_deref())?;
    let snapshot = state.directory.get();
    let office = office_at(&snapshot, &id)?;
    Ok(respond_localized(
        &req,
        office.hours_body(),
        caller.audience(),
        lang.as_deref(),
    ))
}

/// The whole consultation hours of an office, replacing the current ones.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursRequest {
    #[serde(default)]
    pub by_appointment: bool,
    #[serde(default)]
    pub slots: Vec<SlotInput>,
    #[serde(default)]
    pub closures: Vec<ClosureInput>,
    #[serde(default)]
    pub extra_sessions: Vec<ExtraSessionInput>,
}

/// A weekly slot; times are `HH:MM` wall-clock time in Europe/Berlin.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotInput {
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
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureInput {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub reason: Option<LocalizedText>,
}

/// A one-off session, e.g. held at another place in the district.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraSessionInput {
    pub day: NaiveDate,
    pub opens: String,
    pub closes: String,
    pub languages: Vec<String>,
    /// Where it takes place, if not at the office.
    pub place: Option<String>,
    pub note: Option<LocalizedText>,
}

fn wall(pointer: &str, raw: &str, e: &mut ValidationErrors) -> Option<WallTime> {
    let time = WallTime::parse(raw);
    if time.is_none() {
        e.add(pointer, "must be HH:MM (00:00 to 23:59)");
    }
    time
}

impl HoursRequest {
    /// Checks times, overlaps, languages and texts into the write model.
    pub fn validate(self) -> Result<Hours, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.slots.len() > 100 || self.closures.len() > 200 || self.extra_sessions.len() > 500 {
            e.add("", "at most 100 slots, 200 closures and 500 extra sessions");
            return Err(e);
        }
        let slots: Vec<Option<Slot>> = self
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let opens = wall(&format!("/slots/{i}/opens"), &s.opens, &mut e);
                let closes = wall(&format!("/slots/{i}/closes"), &s.closes, &mut e);
                Some(Slot {
                    weekday: s.weekday.weekday(),
                    opens: opens?,
                    closes: closes?,
                    languages: s.languages.clone(),
                })
            })
            .collect();
        let extras: Vec<Option<ExtraSession>> = self
            .extra_sessions
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let opens = wall(&format!("/extra_sessions/{i}/opens"), &x.opens, &mut e);
                let closes = wall(&format!("/extra_sessions/{i}/closes"), &x.closes, &mut e);
                Some(ExtraSession {
                    day: x.day,
                    opens: opens?,
                    closes: closes?,
                    languages: x.languages.clone(),
                })
            })
            .collect();
        for (i, c) in self.closures.iter().enumerate() {
            e.check_date(&format!("/closures/{i}/first_day"), c.first_day);
            e.check_date(&format!("/closures/{i}/last_day"), c.last_day);
        }
        for (i, x) in self.extra_sessions.iter().enumerate() {
            e.check_date(&format!("/extra_sessions/{i}/day"), x.day);
        }
        let closures: Vec<Closure> = self
            .closures
            .iter()
            .map(|c| Closure {
                first_day: c.first_day,
                last_day: c.last_day,
            })
            .collect();
        if e.is_empty() {
            let slots: Vec<Slot> = slots.into_iter().flatten().collect();
            let extras: Vec<ExtraSession> = extras.into_iter().flatten().collect();
            schedule::validate(&slots, &closures, &extras, &mut e);
        }
        for (i, s) in self.slots.iter().enumerate() {
            if let Some(n) = &s.note {
                n.validate(&format!("/slots/{i}/note"), 500, &mut e);
            }
        }
        for (i, c) in self.closures.iter().enumerate() {
            if let Some(r) = &c.reason {
                r.validate(&format!("/closures/{i}/reason"), 500, &mut e);
            }
        }
        for (i, x) in self.extra_sessions.iter().enumerate() {
            if let Some(p) = &x.place {
                e.require_text(&format!("/extra_sessions/{i}/place"), p, 300);
            }
        }
        e.into_result()?;
        Ok(Hours {
            by_appointment: self.by_appointment,
            slots: self
                .slots
                .into_iter()
                .map(|s| HoursSlot {
                    weekday: s.weekday.number(),
                    opens: s.opens,
                    closes: s.closes,
                    languages: s.languages,
                    note: s.note,
                })
                .collect(),
            closures: self
                .closures
                .into_iter()
                .map(|c| HoursClosure {
                    first_day: c.first_day,
                    last_day: c.last_day,
                    reason: c.reason,
                })
                .collect(),
            extra_sessions: self
                .extra_sessions
                .into_iter()
                .map(|x| HoursExtra {
                    day: x.day,
                    opens: x.opens,
                    closes: x.closes,
                    languages: x.languages,
                    place: x.place,
                    note: x.note,
                })
                .collect(),
        })
    }
}

/// Replace consultation hours
///
/// Replace an office's consultation hours (its staff, coordinators, admins). Needs
/// `If-Match` with the ETag of the consultation hours. Slots may not overlap on a weekday,
/// must close after they open, and name known languages.
#[utoipa::path(
    security(("bearer" = [])),
    tag = "content",
    params(("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde")),
    request_body = HoursRequest,
    responses((status = 200, description = "The new consultation hours.", body = crate::directory::hours::ConsultationHoursView))
)]
#[put("/offices/{office}/consultation-hours")]
pub async fn put_hours(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    let office = office_at(&snapshot, &id)?;
    let office_id = office.office_id();
    caller.authorize(Action::ManageConsultationHours, Resource::Office(&office_id))?;
    let hours = parse_json::<HoursRequest>(&req, &body)?
        .validate()
        .map_err(ApiError::validation)?;
    require_if_match(&req, &[&office.hours_body().etag])?;
    let (ctx, version) = (caller.audit(), office.view.version);
    let ((), committed) = state
        .db(move |conn| {
            read_model::write_office(conn, &office_id.clone(), |conn| {
                persistence::directory::content::replace_hours(conn, &office_id, version, &hours, &ctx)
            })
        })
        .await?;
    let office = answer_office_write(&state, &committed).await?;
    Ok(crate::http::conditional::respond(
        &req,
        office.hours_body(),
        Audience::Private,
    ))
}

/// The longest span `/sessions` expands at once.
const MAX_SESSION_DAYS: i64 = 366;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// First day (Berlin calendar day), inclusive.
    pub from: NaiveDate,
    /// Last day, inclusive; at most 366 days after `from`.
    pub to: NaiveDate,
    /// Language for localized texts; overrides `Accept-Language`.
    pub lang: Option<String>,
}

/// Sessions of an office
///
/// The dated sessions from `from` to `to`: weekly slots without closed days, plus extra
/// sessions, with exact UTC instants (daylight saving time included).
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    params(("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde"), SessionQuery),
    responses((status = 200, description = "The sessions, in time order.", body = Page<SessionView>))
)]
#[get("/offices/{office}/sessions")]
pub async fn sessions(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: Query<SessionQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = requested_language(&req, query.lang.as_deref())?;
    for (name, date) in [("from", query.from), ("to", query.to)] {
        if !domain::validation::date_in_window(date) {
            return Err(ApiError::invalid_parameter(
                name,
                domain::validation::DATE_WINDOW_MESSAGE,
            ));
        }
    }
    if query.to < query.from {
        return Err(ApiError::invalid_parameter("to", "must not be before from"));
    }
    if (query.to - query.from).num_days() > MAX_SESSION_DAYS {
        return Err(ApiError::invalid_parameter(
            "to",
            format!("at most {MAX_SESSION_DAYS} days after from"),
        ));
    }
    let snapshot = state.directory.get();
    let office = office_at(&snapshot, &id)?;
    let (schedule, hours) = (&office.schedule, &office.hours);
    let items: Vec<SessionView> = schedule::expand(
        &schedule.slots,
        &schedule.closures,
        &schedule.extras,
        query.from,
        query.to,
    )
    .into_iter()
    .map(|s| {
        let extra = s.extra.map(|i| &hours.extra_sessions[i]);
        let note = match extra {
            Some(x) => x.note.clone(),
            None => hours
                .slots
                .iter()
                .find(|v| {
                    v.weekday.weekday() == chrono::Datelike::weekday(&s.day) && v.languages == s.languages
                })
                .and_then(|v| v.note.clone()),
        };
        SessionView {
            day: s.day,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            languages: s.languages,
            kind: if extra.is_some() { "extra" } else { "weekly" }.into(),
            place: extra.and_then(|x| x.place.clone()),
            note,
        }
    })
    .collect();
    let page = Page {
        items,
        next_cursor: None,
    };
    Ok(respond_localized(
        &req,
        &JsonBody::new(&page),
        caller.audience(),
        lang.as_deref(),
    ))
}
