//! Time as a dependency: every "now" and "today" of the service comes from a [`Clock`],
//! the system's in production and a settable one in tests, so no behaviour (and no
//! test) depends on the date the code happens to run.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};

/// A cheap, cloneable source of the current instant.
#[derive(Clone, Debug)]
pub struct Clock {
    /// `None`: the system clock. `Some`: microseconds since the epoch, set by tests.
    manual: Option<Arc<AtomicI64>>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl Clock {
    /// The real time.
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock that stands still at `at` until it is [`set`](Clock::set) or
    /// [`advance`](Clock::advance)d; every clone sees the same time.
    pub fn manual(at: DateTime<Utc>) -> Clock {
        Clock {
            manual: Some(Arc::new(AtomicI64::new(at.timestamp_micros()))),
        }
    }

    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }

    /// The current instant at the precision both databases store (microseconds).
    pub fn now(&self) -> DateTime<Utc> {
        let micros = match &self.manual {
            Some(at) => at.load(Ordering::Acquire),
            None => Utc::now().timestamp_micros(),
        };
        DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// [`now`](Clock::now) as stored: a UTC timestamp without zone.
    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    /// Seconds since the epoch (JWT `iat`/`exp`).
    pub fn unix_seconds(&self) -> i64 {
        self.now().timestamp()
    }

    /// Today's date in Dortmund (Europe/Berlin): the day "current" refers to everywhere.
    pub fn today(&self) -> NaiveDate {
        crate::directory::schedule::berlin_today(self.now())
    }

    /// Sets a manual clock. Panics on the system clock: production time is not settable.
    pub fn set(&self, at: DateTime<Utc>) {
        self.manual_source()
            .store(at.timestamp_micros(), Ordering::Release);
    }

    /// Moves a manual clock forward (or back, with a negative delta).
    pub fn advance(&self, by: TimeDelta) {
        let micros = by.num_microseconds().unwrap_or(i64::MAX);
        self.manual_source().fetch_add(micros, Ordering::AcqRel);
    }

    fn manual_source(&self) -> &AtomicI64 {
        self.manual
            .as_deref()
            .unwrap_or_else(|| panic!("the system clock cannot be set; use Clock::manual"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_is_shared_between_clones_and_moves_only_when_told() {
        let start = DateTime::parse_from_rfc3339("2026-03-29T00:30:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        let clock = Clock::manual(start);
        let clone = clock.clone();
        assert_eq!(clone.now(), start);
        clock.advance(TimeDelta::hours(23));
        assert_eq!(clone.now(), start + TimeDelta::hours(23));
        // 23:30 UTC on 29 March is already 30 March in Berlin (summer time).
        assert_eq!(
            clone.today(),
            NaiveDate::from_ymd_opt(2026, 3, 30).unwrap_or_default()
        );
    }

    #[test]
    #[should_panic(expected = "cannot be set")]
    fn system_clock_cannot_be_set() {
        Clock::system().advance(TimeDelta::seconds(1));
    }
}
