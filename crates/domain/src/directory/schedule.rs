//! Consultation hours: weekly slots in Europe/Berlin wall-clock time, closures, and
//! one-off extra sessions, expanded into dated sessions with exact UTC instants.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Berlin;

use crate::ValidationErrors;

/// The office's time zone.
pub const BERLIN: chrono_tz::Tz = Berlin;

/// A wall-clock time `HH:MM` in Europe/Berlin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WallTime(NaiveTime);

impl WallTime {
    /// Exactly `HH:MM` with two digits each: the stored text must compare like the
    /// time it stands for (a space-padded `" 9:00"` would not).
    pub fn parse(s: &str) -> Option<WallTime> {
        let b = s.as_bytes();
        let valid_shape =
            b.len() == 5 && b[2] == b':' && [b[0], b[1], b[3], b[4]].iter().all(u8::is_ascii_digit);
        if !valid_shape {
            return None;
        }
        NaiveTime::parse_from_str(s, "%H:%M").ok().map(WallTime)
    }

    pub fn time(self) -> NaiveTime {
        self.0
    }
}

impl fmt::Display for WallTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%H:%M"))
    }
}

/// One weekly consultation slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub weekday: Weekday,
    pub opens: WallTime,
    pub closes: WallTime,
    pub languages: Vec<String>,
}

/// Days without consultation, both inclusive (holidays, vacations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// A one-off session on a given day (e.g. at another place in the district).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraSession {
    pub day: NaiveDate,
    pub opens: WallTime,
    pub closes: WallTime,
    pub languages: Vec<String>,
}

/// A concrete session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub day: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub languages: Vec<String>,
    /// Index into the extra sessions, for one-off sessions; `None` for weekly ones.
    pub extra: Option<usize>,
}

/// The instant a Berlin wall-clock time on `day` denotes. In the spring gap (02:00 to
/// 03:00 does not exist) the time moves forward by the gap; in the autumn overlap the
/// earlier instant is used.
pub fn berlin_instant(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = NaiveDateTime::new(day, time);
    match Berlin.from_local_datetime(&local).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => Berlin
            .from_local_datetime(&(local + chrono::Duration::hours(1)))
            .earliest()
            .expect("one hour after a gap exists")
            .with_timezone(&Utc),
    }
}

/// Today's date in Dortmund.
pub fn berlin_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Berlin).date_naive()
}

fn closed(closures: &[Closure], day: NaiveDate) -> bool {
    closures.iter().any(|c| c.first_day <= day && day <= c.last_day)
}

/// Every session from `from` to `to` (both inclusive, Berlin calendar days), in time
/// order: weekly slots except on closed days, plus the extra sessions (which take place
/// even on a closed day: they were planned for it).
pub fn expand(
    slots: &[Slot],
    closures: &[Closure],
    extras: &[ExtraSession],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Session> {
    let mut sessions = Vec::new();
    let mut day = from;
    while day <= to {
        if !closed(closures, day) {
            for slot in slots.iter().filter(|s| s.weekday == day.weekday()) {
                sessions.push(Session {
                    day,
                    starts_at: berlin_instant(day, slot.opens.time()),
                    ends_at: berlin_instant(day, slot.closes.time()),
                    languages: slot.languages.clone(),
                    extra: None,
                });
            }
        }
        // Dates are bounded by the API's window; at the calendar's end the loop just ends.
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    for (i, extra) in extras
        .iter()
        .enumerate()
        .filter(|(_, e)| from <= e.day && e.day <= to)
    {
        sessions.push(Session {
            day: extra.day,
            starts_at: berlin_instant(extra.day, extra.opens.time()),
            ends_at: berlin_instant(extra.day, extra.closes.time()),
            languages: extra.languages.clone(),
            extra: Some(i),
        });
    }
    sessions.sort_by_key(|s| s.starts_at);
    sessions
}

/// The session running at `instant`, if any.
pub fn session_at(sessions: &[Session], instant: DateTime<Utc>) -> Option<&Session> {
    sessions
        .iter()
        .find(|s| s.starts_at <= instant && instant < s.ends_at)
}

fn validate_languages(pointer: &str, languages: &[String], errors: &mut ValidationErrors) {
    if languages.is_empty() {
        errors.add(pointer, "name at least one language");
    }
    for (i, code) in languages.iter().enumerate() {
        if languages[..i].contains(code) {
            errors.add(format!("{pointer}/{i}"), "lists a language twice");
        } else if !crate::directory::languages::is_known(code) {
            errors.add(
                format!("{pointer}/{i}"),
                format!("unknown language code {code:?}; see /api/v1/languages"),
            );
        }
    }
}

/// Slots close after they open, use known languages, and do not overlap on one weekday.
pub fn validate(
    slots: &[Slot],
    closures: &[Closure],
    extras: &[ExtraSession],
    errors: &mut ValidationErrors,
) {
    for (i, slot) in slots.iter().enumerate() {
        if slot.closes <= slot.opens {
            errors.add(format!("/slots/{i}/closes"), "must be after opens");
        }
        validate_languages(&format!("/slots/{i}/languages"), &slot.languages, errors);
        let overlaps = slots[..i].iter().any(|other| {
            other.weekday == slot.weekday && other.opens < slot.closes && slot.opens < other.closes
        });
        if overlaps {
            errors.add(format!("/slots/{i}"), "overlaps another slot on the same weekday");
        }
    }
    for (i, c) in closures.iter().enumerate() {
        if c.last_day < c.first_day {
            errors.add(format!("/closures/{i}/last_day"), "must not be before first_day");
        }
    }
    for (i, e) in extras.iter().enumerate() {
        if e.closes <= e.opens {
            errors.add(format!("/extra_sessions/{i}/closes"), "must be after opens");
        }
        validate_languages(&format!("/extra_sessions/{i}/languages"), &e.languages, errors);
    }
}

fn osm_day(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Mo",
        Weekday::Tue => "Tu",
        Weekday::Wed => "We",
        Weekday::Thu => "Th",
        Weekday::Fri => "Fr",
        Weekday::Sat => "Sa",
        Weekday::Sun => "Su",
    }
}

/// The weekly slots as an OpenStreetMap `opening_hours` value, days with the same hours
/// grouped: `Mo,Fr 09:00-12:00; Tu 13:00-16:00; Th 14:00-17:00`. Empty without slots.
pub fn osm_opening_hours(slots: &[Slot]) -> String {
    type Ranges = Vec<(WallTime, WallTime)>;
    let mut by_day: BTreeMap<u32, Vec<(WallTime, WallTime)>> = BTreeMap::new();
    for s in slots {
        by_day
            .entry(s.weekday.num_days_from_monday())
            .or_default()
            .push((s.opens, s.closes));
    }
    let mut groups: Vec<(Vec<u32>, Ranges)> = Vec::new();
    for (day, mut ranges) in by_day {
        ranges.sort();
        match groups.iter_mut().find(|(_, r)| *r == ranges) {
            Some((days, _)) => days.push(day),
            None => groups.push((vec![day], ranges)),
        }
    }
    groups
        .iter()
        .map(|(days, ranges)| {
            let days: Vec<&str> = days
                .iter()
                .map(|d| osm_day(Weekday::try_from(u8::try_from(*d).unwrap_or(0)).expect("0..7")))
                .collect();
            let ranges: Vec<String> = ranges.iter().map(|(o, c)| format!("{o}-{c}")).collect();
            format!("{} {}", days.join(","), ranges.join(","))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_times_are_exactly_two_digits_colon_two_digits() {
        assert!(WallTime::parse("09:00").is_some());
        assert!(WallTime::parse("23:59").is_some());
        for bad in [
            " 9:00", "9:00 ", "+9:00", "09:0 ", "24:00", "09-00", "0900", "09:60", "",
        ] {
            assert!(WallTime::parse(bad).is_none(), "{bad:?}");
        }
    }

    fn t(s: &str) -> WallTime {
        WallTime::parse(s).unwrap()
    }

    fn slot(weekday: Weekday, opens: &str, closes: &str) -> Slot {
        Slot {
            weekday,
            opens: t(opens),
            closes: t(closes),
            languages: vec!["de".into(), "ar".into()],
        }
    }

    /// The published hours of the Mengede/Huckarde office.
    fn mengede() -> Vec<Slot> {
        vec![
            slot(Weekday::Mon, "09:00", "12:00"),
            slot(Weekday::Tue, "13:00", "16:00"),
            slot(Weekday::Thu, "14:00", "17:00"),
            slot(Weekday::Fri, "09:00", "12:00"),
        ]
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn wall_times() {
        assert_eq!(t("09:05").to_string(), "09:05");
        for bad in ["9:00", "24:00", "09:60", "0900", "09:00:00", ""] {
            assert!(WallTime::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn osm_string_groups_days() {
        assert_eq!(
            osm_opening_hours(&mengede()),
            "Mo,Fr 09:00-12:00; Tu 13:00-16:00; Th 14:00-17:00"
        );
        assert_eq!(osm_opening_hours(&[]), "");
        let split = [
            slot(Weekday::Wed, "14:00", "16:00"),
            slot(Weekday::Wed, "09:00", "11:00"),
        ];
        assert_eq!(osm_opening_hours(&split), "We 09:00-11:00,14:00-16:00");
    }

    #[test]
    fn expansion_follows_daylight_saving_time() {
        // 2026: summer time starts Sunday 29 March, ends Sunday 25 October.
        let s = expand(&mengede(), &[], &[], d(2026, 3, 27), d(2026, 3, 31));
        let starts: Vec<String> = s.iter().map(|x| x.starts_at.to_rfc3339()).collect();
        assert_eq!(
            starts,
            [
                "2026-03-27T08:00:00+00:00",
                "2026-03-30T07:00:00+00:00",
                "2026-03-31T11:00:00+00:00"
            ],
            "09:00 is 08:00Z in winter, 07:00Z in summer"
        );
        let s = expand(&mengede(), &[], &[], d(2026, 10, 23), d(2026, 10, 27));
        let starts: Vec<String> = s.iter().map(|x| x.starts_at.to_rfc3339()).collect();
        assert_eq!(
            starts,
            [
                "2026-10-23T07:00:00+00:00",
                "2026-10-26T08:00:00+00:00",
                "2026-10-27T12:00:00+00:00"
            ]
        );
        assert_eq!(s[0].ends_at - s[0].starts_at, chrono::Duration::hours(3));
    }

    #[test]
    fn closures_remove_days_and_extras_add_sessions() {
        let closures = [Closure {
            first_day: d(2026, 12, 24),
            last_day: d(2027, 1, 1),
        }];
        let extras = [ExtraSession {
            day: d(2026, 12, 30),
            opens: t("10:00"),
            closes: t("12:00"),
            languages: vec!["de".into()],
        }];
        let s = expand(&mengede(), &closures, &extras, d(2026, 12, 21), d(2027, 1, 5));
        let days: Vec<String> = s.iter().map(|x| x.day.to_string()).collect();
        assert_eq!(
            days,
            [
                "2026-12-21",
                "2026-12-22",
                "2026-12-30",
                "2027-01-04",
                "2027-01-05"
            ]
        );
        assert_eq!(s[2].extra, Some(0));
        assert!(session_at(&s, "2026-12-21T09:30:00Z".parse().unwrap()).is_some());
        assert!(
            session_at(&s, "2026-12-21T11:00:00Z".parse().unwrap()).is_none(),
            "ends at 12:00 Berlin = 11:00Z"
        );
    }

    #[test]
    fn spring_gap_moves_forward() {
        let at = berlin_instant(d(2026, 3, 29), NaiveTime::from_hms_opt(2, 30, 0).unwrap());
        assert_eq!(at.to_rfc3339(), "2026-03-29T01:30:00+00:00");
    }

    #[test]
    fn validation_finds_overlaps_and_bad_languages() {
        let mut slots = mengede();
        slots.push(slot(Weekday::Mon, "11:00", "13:00"));
        slots.push(Slot {
            languages: vec!["xx".into()],
            ..slot(Weekday::Wed, "10:00", "09:00")
        });
        let mut e = ValidationErrors::default();
        validate(&slots, &[], &[], &mut e);
        let pointers: Vec<_> = e.0.iter().map(|f| f.pointer.clone().unwrap()).collect();
        assert_eq!(pointers, ["/slots/4", "/slots/5/closes", "/slots/5/languages/0"]);
    }
}
