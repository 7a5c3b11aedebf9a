//! Welcome home-visit appointments: the one field-work record with personal data (someone
//! has to ring the right doorbell). The visit itself becomes a contact record.

use super::code_list;
use crate::ProblemCode;

code_list! {
    /// Part of the day the visit is planned for.
    TimeWindow {
        Morning => "morning",
        Afternoon => "afternoon",
        Evening => "evening",
    }
}

code_list! {
    /// Who asked for the visit.
    VisitSource {
        SelfRequest => "self_request",
        HousingCompany => "housing_company",
        SocialServices => "social_services",
        Jobcenter => "jobcenter",
        Partner => "partner",
        Outreach => "outreach",
        Other => "other",
    }
}

code_list! {
    /// `planned` until an outcome is recorded (or the retention job lets it expire).
    VisitStatus {
        Planned => "planned",
        Done => "done",
        NoShow => "no_show",
        Cancelled => "cancelled",
        /// Still planned 60 days after its date: set by the retention job, never by a client.
        Expired => "expired",
    }
}

code_list! {
    /// The outcomes a client records.
    VisitOutcome {
        /// Carries the visit's contact record.
        Done => "done",
        NoShow => "no_show",
        Cancelled => "cancelled",
    }
}

/// Whether a postal code is Dortmund's (441xx to 443xx).
pub fn is_dortmund_postal_code(code: &str) -> bool {
    code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) && ("44100".."44400").contains(&code)
}

/// The outcome cannot be recorded in this state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the visit is already {0}; its outcome cannot change")]
pub struct AlreadyResolved(pub VisitStatus);

impl AlreadyResolved {
    pub fn code(self) -> ProblemCode {
        ProblemCode::HomeVisitResolved
    }
}

/// The state machine: `planned -> done | no_show | cancelled`; every other state is final.
pub fn record_outcome(current: VisitStatus, outcome: VisitOutcome) -> Result<VisitStatus, AlreadyResolved> {
    match current {
        VisitStatus::Planned => Ok(match outcome {
            VisitOutcome::Done => VisitStatus::Done,
            VisitOutcome::NoShow => VisitStatus::NoShow,
            VisitOutcome::Cancelled => VisitStatus::Cancelled,
        }),
        resolved => Err(AlreadyResolved(resolved)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_planned_visits_take_an_outcome() {
        for outcome in VisitOutcome::ALL {
            let next = record_outcome(VisitStatus::Planned, *outcome);
            assert_eq!(next.map(VisitStatus::as_str), Ok(outcome.as_str()));
            for resolved in &VisitStatus::ALL[1..] {
                assert_eq!(
                    record_outcome(*resolved, *outcome),
                    Err(AlreadyResolved(*resolved))
                );
            }
        }
    }

    #[test]
    fn dortmund_postal_codes() {
        for ok in ["44135", "44100", "44399", "44309"] {
            assert!(is_dortmund_postal_code(ok), "{ok}");
        }
        for bad in ["44099", "44400", "10115", "4413", "441355", "4413a"] {
            assert!(!is_dortmund_postal_code(bad), "{bad}");
        }
    }
}
