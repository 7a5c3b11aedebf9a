//! Consultation hours as an iCalendar feed (RFC 5545) calendar apps can subscribe to.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};

use crate::directory::offices::office_at;
use crate::directory::snapshot::OfficeEntry;
use crate::http::conditional::JsonBody;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// Europe/Berlin with its daylight-saving rules, for `TZID` references.
const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
TZNAME:CEST\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
TZNAME:CET\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
";

/// Who made the calendar (RFC 5545 `PRODID`).
const PRODID: &str = "-//Stadt Dortmund//lokal willkommen API//DE";

fn berlin(date_time: NaiveDateTime) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time,
        tzid: "Europe/Berlin".into(),
    }
}

/// Consultation hours as iCalendar
///
/// The weekly slots as recurring events (closed days as `EXDATE`s) and the extra
/// sessions as single events, in Europe/Berlin time.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    params(("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde")),
    responses((status = 200, description = "An RFC 5545 calendar.", content_type = "text/calendar", body = String))
)]
#[get("/offices/{office}/consultation-hours.ics")]
pub async fn consultation_hours_ics(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    let entry = office_at(&snapshot, &id)?;
    // Rendered once per snapshot (data version and day), not per request.
    let feed = entry
        .ics
        .get_or_init(|| JsonBody::raw(render(entry, snapshot.today).into_bytes()));
    Ok(crate::http::conditional::respond_as(
        &req,
        feed,
        "text/calendar; charset=utf-8",
        "public, max-age=300",
    ))
}

/// A text value as one iCalendar line: control characters (a line break would start a
/// new property) become spaces; icalendar escapes `\`, `;` and `,` itself.
fn line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The feed of one office. Bounded work whatever the data: exceptions are listed for one
/// year back and two years ahead of `today`.
fn render(entry: &OfficeEntry, today: NaiveDate) -> String {
    let (office, schedule) = (&entry.view, &entry.schedule);
    let name = line(&office.name);
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODID))
        .append_property(("CALSCALE", "GREGORIAN"));
    calendar.name(&name).timezone("Europe/Berlin");
    // The rules start where the office is now (or at its opening, or today) and run on.
    let first_day = office
        .current_location
        .as_ref()
        .map(|l| l.valid_from)
        .or(office.opened_on)
        .unwrap_or(today);
    // Derived from the data, not the clock: the same data gives the same feed and ETag.
    let stamp = office.updated_at;
    let exceptions_from = today.checked_sub_signed(Duration::days(366)).unwrap_or(today);
    let horizon = today.checked_add_signed(Duration::days(730)).unwrap_or(today);
    let summary = format!("Sprechstunde {name}");
    // "Westerfilder Straße 54, 44357 Dortmund", as far as it is known.
    let place = office.current_location.as_ref().and_then(|l| {
        let street = l.address.street.as_deref()?;
        let town = match &l.address.postal_code {
            Some(code) => format!("{code} {}", l.address.city),
            None => l.address.city.clone(),
        };
        Some(line(&format!("{street}, {town}")))
    });
    // RFC 5545 GEO ("latitude;longitude"), so calendar apps can show the place on a map.
    let geo = office
        .current_location
        .as_ref()
        .and_then(|l| Some(format!("{};{}", l.latitude?, l.longitude?)));
    for (i, slot) in schedule.slots.iter().enumerate() {
        let offset = (7 + i64::from(slot.weekday.num_days_from_monday())
            - i64::from(first_day.weekday().num_days_from_monday()))
            % 7;
        let Some(first) = first_day.checked_add_signed(Duration::days(offset)) else {
            continue;
        };
        let mut event = Event::new();
        event
            .uid(&format!("{}-slot-{i}@lokal-willkommen", office.id))
            .timestamp(stamp)
            .summary(&summary)
            .description(&line(&format!("Sprachen: {}", slot.languages.join(", "))))
            .starts(berlin(first.and_time(slot.opens.time())))
            .ends(berlin(first.and_time(slot.closes.time())))
            .add_property(
                "RRULE",
                format!(
                    "FREQ=WEEKLY;BYDAY={}",
                    crate::directory::hsds::ical_day(slot.weekday)
                ),
            );
        if let Some(place) = &place {
            event.location(place);
        }
        if let Some(geo) = &geo {
            event.add_property("GEO", geo);
        }
        // The first occurrence of the slot's weekday in the exception window.
        let skip_weeks = ((exceptions_from - first).num_days().max(0) + 6) / 7;
        let mut day = first
            .checked_add_signed(Duration::weeks(skip_weeks))
            .unwrap_or(horizon);
        while day <= horizon {
            if schedule
                .closures
                .iter()
                .any(|c| c.first_day <= day && day <= c.last_day)
            {
                let at = day
                    .and_time(slot.opens.time())
                    .format("%Y%m%dT%H%M%S")
                    .to_string();
                event.append_multi_property(
                    icalendar::Property::new("EXDATE", at)
                        .add_parameter("TZID", "Europe/Berlin")
                        .done(),
                );
            }
            let Some(next) = day.checked_add_signed(Duration::days(7)) else {
                break;
            };
            day = next;
        }
        calendar.push(event.done());
    }
    for (i, extra) in schedule.extras.iter().enumerate() {
        let mut event = Event::new();
        event
            .uid(&format!("{}-extra-{i}@lokal-willkommen", office.id))
            .timestamp(stamp)
            .summary(&summary)
            .description(&line(&format!("Sprachen: {}", extra.languages.join(", "))))
            .starts(berlin(extra.day.and_time(extra.opens.time())))
            .ends(berlin(extra.day.and_time(extra.closes.time())));
        match entry.hours.extra_sessions[i].place.as_deref() {
            // Another place: its address only (no coordinates are recorded for it).
            Some(other) => {
                event.location(&line(other));
            }
            None => {
                if let Some(place) = &place {
                    event.location(place);
                }
                if let Some(geo) = &geo {
                    event.add_property("GEO", geo);
                }
            }
        }
        calendar.push(event.done());
    }
    // icalendar has no VTIMEZONE builder (a parsed one would get UID and DTSTAMP, which
    // RFC 5545 forbids there), so the fixed definition goes in before the first event.
    let mut body = calendar.to_string();
    // At the start of a line: a value may contain the same words.
    let at = body
        .find("\r\nBEGIN:VEVENT\r\n")
        .or_else(|| body.find("\r\nEND:VCALENDAR"))
        .map_or(body.len(), |i| i + 2);
    body.insert_str(at, VTIMEZONE);
    body
}
