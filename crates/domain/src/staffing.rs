//! The tandem: each office is staffed by one employee of the City of Dortmund (`city`
//! side) and one of the office's welfare provider (`provider` side).
//!
//! Assignments are half-open `[started_on, ended_on)`, like location periods:
//! `ended_on` is the first day without the assignment, so a handover on day D ends the
//! predecessor on D and starts the successor on D: no gap, no overlap.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::OrganizationKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// An employee of the City of Dortmund.
    City,
    /// An employee of the office's welfare provider.
    Provider,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::City => "city",
            Side::Provider => "provider",
        }
    }

    pub fn parse(s: &str) -> Option<Side> {
        [Side::City, Side::Provider].into_iter().find(|x| x.as_str() == s)
    }
}

/// Whether both sides of an office's tandem are filled today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffingStatus {
    Paired,
    CityMissing,
    ProviderMissing,
    Vacant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub user_id: String,
    pub side: Side,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

impl Assignment {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.started_on <= day && self.ended_on.is_none_or(|end| day < end)
    }

    fn overlaps(&self, started_on: NaiveDate, ended_on: Option<NaiveDate>) -> bool {
        let self_end = self.ended_on.unwrap_or(NaiveDate::MAX);
        let other_end = ended_on.unwrap_or(NaiveDate::MAX);
        self.started_on < other_end && started_on < self_end
    }
}

/// The office facts the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeFacts<'a> {
    pub provider_organization_id: &'a str,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
}

/// The employer facts the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Employer<'a> {
    pub organization_id: &'a str,
    pub kind: OrganizationKind,
}

/// A broken staffing rule; each has one stable problem code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffingError {
    #[error(
        "the city side needs an employee of the City of Dortmund; the provider side an employee of the office's provider"
    )]
    SideEmployerMismatch,
    #[error("that side of the tandem is already staffed during this time")]
    SideAlreadyStaffed,
    #[error("this person is already assigned to this office during this time")]
    AssignmentOverlaps,
    #[error("the assignment would start before the office opened")]
    BeforeOfficeOpened,
    #[error("the assignment would start after the office closed")]
    AfterOfficeClosed,
    #[error("the end must be after the start (ended_on is the first day without the assignment)")]
    EndNotAfterStart,
    #[error("the assignment has already ended")]
    AlreadyEnded,
    #[error("nobody holds that side of the tandem to hand over from")]
    NoCurrentHolder,
    #[error("the successor must start after the current holder started")]
    HandoverNotAfterStart,
    #[error("the account is deactivated")]
    UserInactive,
}

impl StaffingError {
    pub fn code(&self) -> crate::ProblemCode {
        match self {
            StaffingError::SideEmployerMismatch => crate::ProblemCode::SideEmployerMismatch,
            StaffingError::SideAlreadyStaffed => crate::ProblemCode::SideAlreadyStaffed,
            StaffingError::AssignmentOverlaps => crate::ProblemCode::AssignmentOverlaps,
            StaffingError::BeforeOfficeOpened => crate::ProblemCode::BeforeOfficeOpened,
            StaffingError::AfterOfficeClosed => crate::ProblemCode::AfterOfficeClosed,
            StaffingError::EndNotAfterStart => crate::ProblemCode::EndNotAfterStart,
            StaffingError::AlreadyEnded => crate::ProblemCode::AssignmentAlreadyEnded,
            StaffingError::NoCurrentHolder => crate::ProblemCode::NoCurrentHolder,
            StaffingError::HandoverNotAfterStart => crate::ProblemCode::HandoverNotAfterStart,
            StaffingError::UserInactive => crate::ProblemCode::UserInactive,
        }
    }
}

/// The side follows the employer: city side for the municipality, provider side for the
/// office's own provider (which changes when the office's provider changes).
pub fn employer_fits(side: Side, employer: Employer<'_>, office: OfficeFacts<'_>) -> bool {
    match side {
        Side::City => employer.kind == OrganizationKind::Municipality,
        Side::Provider => employer.organization_id == office.provider_organization_id,
    }
}

/// Checks a new open-ended assignment against the office's others (any period).
pub fn check_assign(
    existing: &[Assignment],
    new: &Assignment,
    employer: Employer<'_>,
    office: OfficeFacts<'_>,
) -> Result<(), StaffingError> {
    if !employer_fits(new.side, employer, office) {
        return Err(StaffingError::SideEmployerMismatch);
    }
    if office.opened_on.is_some_and(|opened| new.started_on < opened) {
        return Err(StaffingError::BeforeOfficeOpened);
    }
    if office.closed_on.is_some_and(|closed| new.started_on >= closed) {
        return Err(StaffingError::AfterOfficeClosed);
    }
    if let Some(end) = new.ended_on
        && end <= new.started_on
    {
        return Err(StaffingError::EndNotAfterStart);
    }
    if existing
        .iter()
        .any(|a| a.user_id == new.user_id && a.overlaps(new.started_on, new.ended_on))
    {
        return Err(StaffingError::AssignmentOverlaps);
    }
    if existing
        .iter()
        .any(|a| a.side == new.side && a.overlaps(new.started_on, new.ended_on))
    {
        return Err(StaffingError::SideAlreadyStaffed);
    }
    Ok(())
}

/// Checks ending `a` on `ended_on`.
pub fn check_end(a: &Assignment, ended_on: NaiveDate) -> Result<(), StaffingError> {
    if a.ended_on.is_some() {
        return Err(StaffingError::AlreadyEnded);
    }
    if ended_on <= a.started_on {
        return Err(StaffingError::EndNotAfterStart);
    }
    Ok(())
}

/// Decides a handover of `side` to `successor` starting `on`: returns the index of the
/// open assignment to end on `on`. The successor then starts `on`.
pub fn plan_handover(
    existing: &[Assignment],
    side: Side,
    successor: &Assignment,
    employer: Employer<'_>,
    office: OfficeFacts<'_>,
) -> Result<usize, StaffingError> {
    let current = existing
        .iter()
        .position(|a| a.side == side && a.ended_on.is_none())
        .ok_or(StaffingError::NoCurrentHolder)?;
    if successor.started_on <= existing[current].started_on {
        return Err(StaffingError::HandoverNotAfterStart);
    }
    let mut after = existing.to_vec();
    after[current].ended_on = Some(successor.started_on);
    check_assign(&after, successor, employer, office)?;
    Ok(current)
}

/// The status of an office's tandem on `day`.
pub fn status(assignments: &[Assignment], day: NaiveDate) -> StaffingStatus {
    let has = |side| assignments.iter().any(|a| a.side == side && a.covers(day));
    match (has(Side::City), has(Side::Provider)) {
        (true, true) => StaffingStatus::Paired,
        (false, true) => StaffingStatus::CityMissing,
        (true, false) => StaffingStatus::ProviderMissing,
        (false, false) => StaffingStatus::Vacant,
    }
}

/// Since when `side` has been unstaffed on `day` (`None` when it is staffed): the end
/// of its last assignment, or the office's opening day if it never had one.
pub fn vacant_since(
    assignments: &[Assignment],
    side: Side,
    day: NaiveDate,
    opened_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let of_side = assignments.iter().filter(|a| a.side == side);
    if of_side.clone().any(|a| a.covers(day)) {
        return None;
    }
    of_side
        .filter_map(|a| a.ended_on)
        .filter(|end| *end <= day)
        .max()
        .or(opened_on)
        .or(Some(day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CITY: &str = "city";
    const PROVIDER: &str = "provider";

    fn d(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(u64::try_from(n).unwrap())
    }

    fn office() -> OfficeFacts<'static> {
        OfficeFacts {
            provider_organization_id: PROVIDER,
            opened_on: Some(d(0)),
            closed_on: None,
        }
    }

    fn employer(side: Side) -> Employer<'static> {
        match side {
            Side::City => Employer {
                organization_id: CITY,
                kind: OrganizationKind::Municipality,
            },
            Side::Provider => Employer {
                organization_id: PROVIDER,
                kind: OrganizationKind::WelfareProvider,
            },
        }
    }

    fn new(user: &str, side: Side, from: i64) -> Assignment {
        Assignment {
            user_id: user.into(),
            side,
            started_on: d(from),
            ended_on: None,
        }
    }

    #[test]
    fn each_rule_has_its_error() {
        let other_provider = Employer {
            organization_id: "other",
            kind: OrganizationKind::WelfareProvider,
        };
        assert_eq!(
            check_assign(&[], &new("u", Side::Provider, 1), other_provider, office()),
            Err(StaffingError::SideEmployerMismatch)
        );
        assert_eq!(
            check_assign(&[], &new("u", Side::City, 1), employer(Side::Provider), office()),
            Err(StaffingError::SideEmployerMismatch)
        );
        let before = OfficeFacts {
            opened_on: Some(d(10)),
            ..office()
        };
        assert_eq!(
            check_assign(&[], &new("u", Side::City, 5), employer(Side::City), before),
            Err(StaffingError::BeforeOfficeOpened)
        );
        let closed = OfficeFacts {
            closed_on: Some(d(10)),
            ..office()
        };
        assert_eq!(
            check_assign(&[], &new("u", Side::City, 10), employer(Side::City), closed),
            Err(StaffingError::AfterOfficeClosed)
        );
        let existing = [new("a", Side::City, 1)];
        assert_eq!(
            check_assign(
                &existing,
                &new("b", Side::City, 5),
                employer(Side::City),
                office()
            ),
            Err(StaffingError::SideAlreadyStaffed)
        );
        assert_eq!(
            check_assign(
                &existing,
                &new("a", Side::City, 5),
                employer(Side::City),
                office()
            ),
            Err(StaffingError::AssignmentOverlaps)
        );
        assert_eq!(
            check_end(&existing[0], d(1)),
            Err(StaffingError::EndNotAfterStart)
        );
        let mut ended = existing[0].clone();
        ended.ended_on = Some(d(3));
        assert_eq!(check_end(&ended, d(4)), Err(StaffingError::AlreadyEnded));
        assert_eq!(
            plan_handover(
                &[],
                Side::City,
                &new("b", Side::City, 3),
                employer(Side::City),
                office()
            ),
            Err(StaffingError::NoCurrentHolder)
        );
        assert_eq!(
            plan_handover(
                &existing,
                Side::City,
                &new("b", Side::City, 1),
                employer(Side::City),
                office()
            ),
            Err(StaffingError::HandoverNotAfterStart)
        );
    }

    #[test]
    fn status_and_vacancy() {
        let a = [
            new("a", Side::City, 0),
            Assignment {
                ended_on: Some(d(5)),
                ..new("b", Side::Provider, 0)
            },
        ];
        assert_eq!(status(&a, d(3)), StaffingStatus::Paired);
        assert_eq!(status(&a, d(5)), StaffingStatus::ProviderMissing);
        assert_eq!(vacant_since(&a, Side::Provider, d(9), Some(d(0))), Some(d(5)));
        assert_eq!(vacant_since(&a, Side::City, d(9), Some(d(0))), None);
        assert_eq!(status(&[], d(1)), StaffingStatus::Vacant);
        assert_eq!(vacant_since(&[], Side::City, d(9), Some(d(2))), Some(d(2)));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Assign { user: u8, side: bool, day: i64 },
        End { index: usize, day: i64 },
        Handover { user: u8, side: bool, day: i64 },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u8..5, any::<bool>(), 0i64..400).prop_map(|(user, side, day)| Op::Assign { user, side, day }),
            (0usize..10, 0i64..400).prop_map(|(index, day)| Op::End { index, day }),
            (0u8..5, any::<bool>(), 0i64..400).prop_map(|(user, side, day)| Op::Handover { user, side, day }),
        ]
    }

    proptest! {
        /// Whatever sequence of assigns, ends and handovers is attempted, the accepted
        /// ones keep the invariants: per side at most one assignment on any day, no
        /// person twice in the office on one day, no empty or reversed assignment, and a
        /// handover leaves the side staffed without gap from the successor's start.
        #[test]
        fn random_operations_keep_the_invariants(ops in prop::collection::vec(op(), 0..40)) {
            let mut all: Vec<Assignment> = Vec::new();
            for op in ops {
                match op {
                    Op::Assign { user, side, day } => {
                        let side = if side { Side::City } else { Side::Provider };
                        let a = new(&format!("u{user}"), side, day);
                        if check_assign(&all, &a, employer(side), office()).is_ok() {
                            all.push(a);
                        }
                    }
                    Op::End { index, day } => {
                        if let Some(a) = all.get(index).cloned()
                            && check_end(&a, d(day)).is_ok()
                        {
                            all[index].ended_on = Some(d(day));
                        }
                    }
                    Op::Handover { user, side, day } => {
                        let side = if side { Side::City } else { Side::Provider };
                        let successor = new(&format!("u{user}"), side, day);
                        if let Ok(i) = plan_handover(&all, side, &successor, employer(side), office()) {
                            all[i].ended_on = Some(d(day));
                            all.push(successor);
                            prop_assert!(all.iter().any(|a| a.side == side && a.covers(d(day))));
                            prop_assert!(day == 0 || all.iter().any(|a| a.side == side && a.covers(d(day - 1))));
                        }
                    }
                }
                for day in (0..420).step_by(7) {
                    for side in [Side::City, Side::Provider] {
                        prop_assert!(all.iter().filter(|a| a.side == side && a.covers(d(day))).count() <= 1);
                    }
                    for user in 0..5 {
                        let id = format!("u{user}");
                        prop_assert!(all.iter().filter(|a| a.user_id == id && a.covers(d(day))).count() <= 1);
                    }
                }
                for a in &all {
                    prop_assert!(a.ended_on.is_none_or(|e| e > a.started_on));
                }
            }
        }
    }
}
