//! Referrals ("if that is not possible, referral helps"): inside a contact record, each
//! issued and later closed with what came of it.

use chrono::NaiveDate;

use crate::{OrganizationId, ServiceId};

crate::coded_enum! {
    /// Where the person was referred to, by kind of service.
    pub enum TargetCategory as "target_category" {
        /// Jobcenter, immigration office, Familienkasse, registry office.
        Authority = "authority" ("Behörde", "authority"),
        /// MBE, JMD.
        MigrationCounselling = "migration_counselling" ("Migrationsberatung (MBE, JMD)", "migration counselling"),
        /// Debt, family, addiction, pregnancy.
        SocialCounselling = "social_counselling" ("Soziale Beratung", "social counselling"),
        LanguageCourse = "language_course" ("Sprachkurs", "language course"),
        ChildcareAndSchool = "childcare_and_school" ("Kita und Schule", "childcare and school"),
        HealthCare = "health_care" ("Gesundheitsversorgung", "health care"),
        Housing = "housing" ("Wohnen", "housing"),
        WorkAndTraining = "work_and_training" ("Arbeit und Ausbildung", "work and training"),
        LegalAdvice = "legal_advice" ("Rechtsberatung", "legal advice"),
        /// Mentoring, Patenschaft.
        VolunteerSupport = "volunteer_support" ("Ehrenamtliche Begleitung (Patenschaft)", "volunteer support (mentoring)"),
        LeisureAndCulture = "leisure_and_culture" ("Freizeit und Kultur", "leisure and culture"),
        Other = "other" ("Sonstiges", "other"),
    }
}

crate::coded_enum! {
    /// How the referral was made.
    pub enum ReferralMode as "referral_mode" {
        /// The address was handed over.
        Information = "information" ("Information (Adresse weitergegeben)", "information (address handed over)"),
        /// Staff called or wrote to the service for the person: needs their consent.
        ContactedOnBehalf = "contacted_on_behalf" ("Kontakt für die Person aufgenommen", "contacted on the person's behalf"),
        Accompanied = "accompanied" ("begleitet", "accompanied"),
    }
}

crate::coded_enum! {
    /// `issued` until closed with an outcome.
    pub enum ReferralStatus as "referral_status" {
        Issued = "issued" ("offen", "issued"),
        Closed = "closed" ("abgeschlossen", "closed"),
    }
}

crate::coded_enum! {
    /// What came of a referral, as far as the office learned.
    pub enum ReferralOutcome as "referral_outcome" {
        TakenUp = "taken_up" ("wahrgenommen", "taken up"),
        NotTakenUp = "not_taken_up" ("nicht wahrgenommen", "not taken up"),
        NoCapacity = "no_capacity" ("keine Kapazität", "no capacity"),
        NotEligible = "not_eligible" ("kein Anspruch", "not eligible"),
        Unknown = "unknown" ("unbekannt", "unknown"),
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
