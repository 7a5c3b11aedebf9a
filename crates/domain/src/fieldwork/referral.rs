//! Referrals ("if that is not possible, referral helps"): inside a contact record, each
//! issued and later closed with what came of it.

use chrono::NaiveDate;

use super::code_list;
use crate::{OrganizationId, ServiceId};

code_list! {
    /// Where the person was referred to, by kind of service.
    TargetCategory {
        /// Jobcenter, immigration office, Familienkasse, registry office.
        Authority => "authority",
        /// MBE, JMD.
        MigrationCounselling => "migration_counselling",
        /// Debt, family, addiction, pregnancy.
        SocialCounselling => "social_counselling",
        LanguageCourse => "language_course",
        ChildcareAndSchool => "childcare_and_school",
        HealthCare => "health_care",
        Housing => "housing",
        WorkAndTraining => "work_and_training",
        LegalAdvice => "legal_advice",
        /// Mentoring, Patenschaft.
        VolunteerSupport => "volunteer_support",
        LeisureAndCulture => "leisure_and_culture",
        Other => "other",
    }
}

code_list! {
    /// How the referral was made.
    ReferralMode {
        /// The address was handed over.
        Information => "information",
        /// Staff called or wrote to the service for the person: needs their consent.
        ContactedOnBehalf => "contacted_on_behalf",
        Accompanied => "accompanied",
    }
}

code_list! {
    /// `issued` until closed with an outcome.
    ReferralStatus {
        Issued => "issued",
        Closed => "closed",
    }
}

code_list! {
    /// What came of a referral, as far as the office learned.
    ReferralOutcome {
        TakenUp => "taken_up",
        NotTakenUp => "not_taken_up",
        NoCapacity => "no_capacity",
        NotEligible => "not_eligible",
        Unknown => "unknown",
    }
}

/// A referral as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub target_category: TargetCategory,
    pub organization_id: Option<OrganizationId>,
    pub service_id: Option<ServiceId>,
    pub mode: ReferralMode,
    pub consent_to_share: bool,
}

/// Why a referral cannot be closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloseError {
    /// 409 `referral_already_closed`.
    #[error("the referral is already closed")]
    AlreadyClosed,
    /// 422 at `/closed_on`.
    #[error("closed_on must not lie before the contact ({0})")]
    BeforeContact(NaiveDate),
    /// 422 at `/closed_on`.
    #[error("closed_on must not lie in the future")]
    InFuture,
}

/// Closing a referral: once, on a day between its contact and today.
pub fn check_close(
    status: ReferralStatus,
    contact_on: NaiveDate,
    closed_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), CloseError> {
    if closed_on > today {
        Err(CloseError::InFuture)
    } else if closed_on < contact_on {
        Err(CloseError::BeforeContact(contact_on))
    } else if status == ReferralStatus::Closed {
        Err(CloseError::AlreadyClosed)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_referral_closes_once_between_its_contact_and_today() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default();
        assert_eq!(check_close(ReferralStatus::Issued, d(2), d(10), d(16)), Ok(()));
        assert_eq!(check_close(ReferralStatus::Issued, d(2), d(2), d(2)), Ok(()));
        assert_eq!(
            check_close(ReferralStatus::Issued, d(2), d(1), d(16)),
            Err(CloseError::BeforeContact(d(2)))
        );
        assert_eq!(
            check_close(ReferralStatus::Issued, d(2), d(17), d(16)),
            Err(CloseError::InFuture)
        );
        assert_eq!(
            check_close(ReferralStatus::Closed, d(2), d(10), d(16)),
            Err(CloseError::AlreadyClosed)
        );
    }
}
