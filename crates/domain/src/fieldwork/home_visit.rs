//! Welcome home-visit appointments: the one field-work record with personal data (someone
//! has to ring the right doorbell). The visit itself becomes a contact record.

use crate::ProblemCode;

crate::coded_enum! {
    /// Part of the day the visit is planned for.
    pub enum TimeWindow as "time_window" {
        Morning = "morning" ("vormittags", "morning"),
        Afternoon = "afternoon" ("nachmittags", "afternoon"),
        Evening = "evening" ("abends", "evening"),
    }
}

crate::coded_enum! {
    /// Who asked for the visit.
    pub enum VisitSource as "home_visit_source" {
        SelfRequest = "self_request" ("eigene Anfrage", "own request"),
        HousingCompany = "housing_company" ("Wohnungsgesellschaft", "housing company"),
        SocialServices = "social_services" ("Sozialdienste", "social services"),
        Jobcenter = "jobcenter" ("Jobcenter", "Jobcenter"),
        Partner = "partner" ("Partner", "partner"),
        Outreach = "outreach" ("Aufsuchende Arbeit", "Outreach"),
        Other = "other" ("Sonstiges", "other"),
    }
}

crate::coded_enum! {
    /// `planned` until an outcome is recorded (or the retention job lets it expire).
    pub enum VisitStatus as "home_visit_status" {
        Planned = "planned" ("geplant", "planned"),
        Done = "done" ("durchgeführt", "done"),
        NoShow = "no_show" ("nicht angetroffen", "no show"),
        Cancelled = "cancelled" ("abgesagt", "cancelled"),
        /// Still planned 60 days after its date: set by the retention job, never by a client.
        Expired = "expired" ("verfallen", "expired"),
    }
}

crate::coded_enum! {
    /// The outcomes a client records.
    pub enum VisitOutcome as "home_visit_outcome" {
        /// Carries the visit's contact record.
        Done = "done" ("durchgeführt", "done"),
        NoShow = "no_show" ("nicht angetroffen", "no show"),
        Cancelled = "cancelled" ("abgesagt", "cancelled"),
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
