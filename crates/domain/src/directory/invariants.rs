//! What must hold for an office as a whole, whatever sequence of writes led there. Every
//! write that touches an office (create, change, relocation, staffing, hours) evaluates
//! [`check`] on the state it is about to commit, inside its transaction.
//!
//! The rules, in plain words (also in `docs/architecture.md`):
//! 1. The office opens on or before its first location period starts (the history before
//!    the first recorded location may be unknown, but no location predates the opening).
//! 2. Location periods are in order, each non-empty, and each ends exactly where the next
//!    begins: no overlap, no gap; only the last may be open. So exactly one period is
//!    current on every day from the first period's start until the history ends.
//! 3. A closing day, when set, lies after the opening. A `closed` office has a closing
//!    day. On the closing day the location history ends (closing ends the open period)
//!    and no period starts on or after it.
//! 4. No staff assignment starts before the opening, and none runs on or past the
//!    closing day.
//! 5. Closures and extra sessions lie inside the office's life: not before it opens, not
//!    on or after it closes.

use chrono::NaiveDate;

use crate::ProblemCode;
use crate::directory::location::LocationPeriod;
use crate::directory::office::OfficeStatus;
use crate::staffing::Assignment;

/// An office's whole state, as it would be committed.
#[derive(Debug, Clone)]
pub struct OfficeState {
    pub status: OfficeStatus,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// Oldest first.
    pub periods: Vec<LocationPeriod>,
    pub assignments: Vec<Assignment>,
    /// Closed day ranges, both days included.
    pub closures: Vec<(NaiveDate, NaiveDate)>,
    pub extra_session_days: Vec<NaiveDate>,
}

/// The first rule an office's state breaks, with where in the office it shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct Violation {
    pub code: ProblemCode,
    /// JSON pointer into the office's representation (`/opened_on`, `/locations/1`, ...).
    pub pointer: String,
    pub detail: String,
}

fn violation(code: ProblemCode, pointer: impl Into<String>, detail: impl Into<String>) -> Violation {
    Violation {
        code,
        pointer: pointer.into(),
        detail: detail.into(),
    }
}

/// Checks every rule of the module documentation; `Err` names the first one broken.
pub fn check(office: &OfficeState) -> Result<(), Violation> {
    check_dates(office)?;
    check_periods(office)?;
    check_assignments(office)?;
    check_content(office)
}

fn check_dates(office: &OfficeState) -> Result<(), Violation> {
    if let (Some(opened), Some(closed)) = (office.opened_on, office.closed_on)
        && closed <= opened
    {
        return Err(violation(
            ProblemCode::ClosedBeforeOpened,
            "/closed_on",
            "the closing day must lie after the opening day",
        ));
    }
    if office.status == OfficeStatus::Closed && office.closed_on.is_none() {
        return Err(violation(
            ProblemCode::ClosedWithoutDate,
            "/closed_on",
            "a closed office needs its closing day",
        ));
    }
    Ok(())
}

fn check_periods(office: &OfficeState) -> Result<(), Violation> {
    if let (Some(opened), Some(first)) = (office.opened_on, office.periods.first())
        && opened > first.valid_from
    {
        return Err(violation(
            ProblemCode::OpenedAfterFirstLocation,
            "/opened_on",
            format!(
                "the office cannot open after its first location period starts ({})",
                first.valid_from
            ),
        ));
    }
    // Periods after the closing day first: closing ends the running period, so a later
    // one would otherwise show as a gap.
    if let Some(closed) = office.closed_on
        && let Some(i) = office.periods.iter().position(|p| p.valid_from >= closed)
    {
        return Err(violation(
            ProblemCode::LocationAfterClosing,
            format!("/locations/{i}"),
            "no location period may start on or after the closing day",
        ));
    }
    for (i, period) in office.periods.iter().enumerate() {
        if period.valid_to.is_some_and(|to| to <= period.valid_from) {
            return Err(violation(
                ProblemCode::LocationPeriodsOverlap,
                format!("/locations/{i}"),
                "a location period must end after it starts",
            ));
        }
        if let Some(next) = office.periods.get(i + 1)
            && period.valid_to != Some(next.valid_from)
        {
            return Err(violation(
                ProblemCode::LocationPeriodsOverlap,
                format!("/locations/{}", i + 1),
                "location periods must follow each other without overlap or gap",
            ));
        }
    }
    if let (Some(closed), Some(last)) = (office.closed_on, office.periods.last())
        && last.valid_to.is_none_or(|to| to > closed)
    {
        return Err(violation(
            ProblemCode::LocationAfterClosing,
            format!("/locations/{}", office.periods.len() - 1),
            "the location history must end on the closing day",
        ));
    }
    Ok(())
}

fn check_assignments(office: &OfficeState) -> Result<(), Violation> {
    for (i, a) in office.assignments.iter().enumerate() {
        if office.opened_on.is_some_and(|opened| a.started_on < opened) {
            return Err(violation(
                ProblemCode::BeforeOfficeOpened,
                format!("/staff/{i}"),
                "a staff assignment starts before the office opens",
            ));
        }
        if let Some(closed) = office.closed_on
            && a.ended_on.is_none_or(|end| end > closed)
        {
            return Err(violation(
                ProblemCode::AssignmentAfterClosing,
                format!("/staff/{i}"),
                "staff assignments must end by the closing day; end or hand them over first",
            ));
        }
    }
    Ok(())
}

fn check_content(office: &OfficeState) -> Result<(), Violation> {
    let outside = |day: NaiveDate| {
        office.opened_on.is_some_and(|opened| day < opened)
            || office.closed_on.is_some_and(|closed| day >= closed)
    };
    for (i, (first, last)) in office.closures.iter().enumerate() {
        if outside(*first) || outside(*last) {
            return Err(violation(
                ProblemCode::OutsideOfficeLife,
                format!("/closures/{i}"),
                "closures must lie between the opening and the closing day",
            ));
        }
    }
    for (i, day) in office.extra_session_days.iter().enumerate() {
        if outside(*day) {
            return Err(violation(
                ProblemCode::OutsideOfficeLife,
                format!("/extra_sessions/{i}"),
                "extra sessions must lie between the opening and the closing day",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::location::Address;
    use crate::{District, staffing::Side};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn period(from: NaiveDate, to: Option<NaiveDate>) -> LocationPeriod {
        LocationPeriod {
            valid_from: from,
            valid_to: to,
            address: Address {
                street: Some("A".into()),
                postal_code: Some("44339".into()),
                city: "Dortmund".into(),
                district: District::Eving,
            },
        }
    }

    fn office() -> OfficeState {
        OfficeState {
            status: OfficeStatus::Active,
            opened_on: Some(day(2019, 1, 1)),
            closed_on: None,
            periods: vec![
                period(day(2019, 1, 1), Some(day(2021, 5, 1))),
                period(day(2021, 5, 1), None),
            ],
            assignments: vec![Assignment {
                user_id: "u".into(),
                side: Side::City,
                started_on: day(2020, 1, 1),
                ended_on: None,
            }],
            closures: vec![(day(2022, 12, 24), day(2023, 1, 1))],
            extra_session_days: vec![day(2024, 3, 3)],
        }
    }

    fn code(state: &OfficeState) -> Option<ProblemCode> {
        check(state).err().map(|v| v.code)
    }

    #[test]
    fn each_rule_is_refused_with_its_code() {
        assert_eq!(code(&office()), None);
        let mut late_opening = office();
        late_opening.opened_on = Some(day(2025, 1, 1));
        assert_eq!(code(&late_opening), Some(ProblemCode::OpenedAfterFirstLocation));
        let mut gap = office();
        gap.periods[1].valid_from = day(2021, 6, 1);
        assert_eq!(code(&gap), Some(ProblemCode::LocationPeriodsOverlap));
        let mut closed = office();
        closed.status = OfficeStatus::Closed;
        assert_eq!(code(&closed), Some(ProblemCode::ClosedWithoutDate));
        let mut still_open = office();
        still_open.closed_on = Some(day(2025, 1, 1));
        assert_eq!(code(&still_open), Some(ProblemCode::LocationAfterClosing));
        still_open.periods[1].valid_to = Some(day(2025, 1, 1));
        assert_eq!(code(&still_open), Some(ProblemCode::AssignmentAfterClosing));
        still_open.assignments[0].ended_on = Some(day(2025, 1, 1));
        assert_eq!(code(&still_open), None, "a properly closed office");
        let mut early_staff = office();
        early_staff.assignments[0].started_on = day(2018, 1, 1);
        assert_eq!(code(&early_staff), Some(ProblemCode::BeforeOfficeOpened));
        let mut early_closure = office();
        early_closure.closures[0] = (day(2018, 1, 1), day(2018, 1, 2));
        assert_eq!(code(&early_closure), Some(ProblemCode::OutsideOfficeLife));
        let mut reversed = office();
        reversed.closed_on = Some(day(2018, 1, 1));
        assert_eq!(code(&reversed), Some(ProblemCode::ClosedBeforeOpened));
    }
}
