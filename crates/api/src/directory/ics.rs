//! Consultation hours as an iCalendar feed (RFC 5545) calendar apps can subscribe to.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{Datelike, Duration, NaiveDateTime};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};

use crate::directory::offices::office_at;
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

fn berlin(date_time: NaiveDateTime) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time,
        tzid: "Europe/Berlin".into(),
    }
}

/// The weekly slots as recurring events (closed days as `EXDATE`s) and the extra
/// sessions as single events, in Europe/Berlin time.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    summary = "Consultation hours as iCalendar",
    params(("id" = String, Path, description = "Office id (UUID) or slug")),
    responses((status = 200, description = "An RFC 5545 calendar.", content_type = "text/calendar", body = String))
)]
#[get("/offices/{id}/consultation-hours.ics")]
pub async fn consultation_hours_ics(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let raw = id.into_inner();
    let snapshot = state.directory.get();
    let entry = office_at(&snapshot, &raw)?;
    let (office, schedule) = (&entry.view, &entry.schedule);
    let mut calendar = Calendar::new();
    calendar.name(&office.name).timezone("Europe/Berlin");
    // The rules start at the office's opening (or today) and run on; closed days within
    // the next two years are listed as exceptions.
    let first_day = office.opened_on.unwrap_or(snapshot.today);
    let horizon = snapshot.today + Duration::days(730);
    let summary = format!("Sprechstunde {}", office.name);
    let place = office
        .current_location
        .as_ref()
        .and_then(|l| l.address.street.clone());
    for (i, slot) in schedule.slots.iter().enumerate() {
        let offset = (7 + i64::from(slot.weekday.num_days_from_monday())
            - i64::from(first_day.weekday().num_days_from_monday()))
            % 7;
        let first = first_day + Duration::days(offset);
        let mut event = Event::new();
        event
            .uid(&format!("{}-slot-{i}@lokal-willkommen", office.id))
            .summary(&summary)
            .description(&format!("Sprachen: {}", slot.languages.join(", ")))
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
        let mut day = first;
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
            day += Duration::days(7);
        }
        calendar.push(event.done());
    }
    for (i, extra) in schedule.extras.iter().enumerate() {
        let mut event = Event::new();
        event
            .uid(&format!("{}-extra-{i}@lokal-willkommen", office.id))
            .summary(&summary)
            .description(&format!("Sprachen: {}", extra.languages.join(", ")))
            .starts(berlin(extra.day.and_time(extra.opens.time())))
            .ends(berlin(extra.day.and_time(extra.closes.time())));
        if let Some(p) = entry.hours.extra_sessions[i]
            .place
            .as_deref()
            .or(place.as_deref())
        {
            event.location(p);
        }
        calendar.push(event.done());
    }
    // icalendar has no VTIMEZONE builder (a parsed one would get UID and DTSTAMP, which
    // RFC 5545 forbids there), so the fixed definition goes in before the first event.
    let mut body = calendar.to_string();
    let at = body
        .find("BEGIN:VEVENT")
        .or_else(|| body.find("END:VCALENDAR"))
        .ok_or_else(ApiError::internal)?;
    body.insert_str(at, VTIMEZONE);
    let etag = crate::http::conditional::JsonBody::raw(body.clone().into_bytes());
    let _ = &req;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("etag", etag.etag))
        .insert_header(("cache-control", "public, max-age=300"))
        .body(body))
}
