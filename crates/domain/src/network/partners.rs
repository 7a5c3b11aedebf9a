//! The partner network: what the offices know about partner organizations (kind
//! `partner`), their cooperations with offices, and the people to contact there.

use chrono::{Months, NaiveDate};

use crate::OrganizationKind;

crate::coded_enum! {
    /// What kind of actor a partner is.
    pub enum ActorType as "actor_type" {
        MigrantOrganization = "migrant_organization" ("Migrantenorganisation", "migrant organization"),
        ReligiousCommunity = "religious_community" ("Religionsgemeinschaft", "religious community"),
        Association = "association" ("Verein", "association"),
        School = "school" ("Schule", "school"),
        Daycare = "daycare" ("Kita", "daycare"),
        AdultEducation = "adult_education" ("Erwachsenenbildung", "adult education"),
        CounsellingService = "counselling_service" ("Beratungsstelle", "counselling service"),
        Authority = "authority" ("Behörde", "authority"),
        HousingCompany = "housing_company" ("Wohnungsgesellschaft", "housing company"),
        Employer = "employer" ("Arbeitgeber", "employer"),
        HealthCare = "health_care" ("Gesundheitswesen", "health care"),
        VolunteerInitiative = "volunteer_initiative" ("Ehrenamtsinitiative", "volunteer initiative"),
        Other = "other" ("Sonstiges", "other"),
    }
}

crate::coded_enum! {
    /// Who does a partner's work: volunteers, paid staff, or both.
    pub enum PartnerStaffing as "partner_staffing" {
        Volunteer = "volunteer" ("ehrenamtlich", "volunteer"),
        Professional = "professional" ("hauptamtlich", "professional"),
        Mixed = "mixed" ("gemischt", "mixed"),
    }
}

crate::coded_enum! {
    /// Who may see a partner: `public` partners are in the public organization list and
    /// the HSDS export; `internal` ones only for staff, coordinators and admins. Every
    /// organization that is not a partner is public.
    pub enum Visibility as "visibility" {
        Public = "public" ("öffentlich", "public"),
        Internal = "internal" ("intern", "internal"),
    }
}

crate::coded_enum! {
    /// How a partner works with an office.
    pub enum CooperationKind as "cooperation_kind" {
        ReferralPartner = "referral_partner" ("Vermittlungspartner", "referral partner"),
        /// Hosts the office or its events (e.g. a parish hall).
        Premises = "premises" ("Räumlichkeiten", "premises"),
        JointEvents = "joint_events" ("Gemeinsame Veranstaltungen", "joint events"),
        RoundTableMember = "round_table_member" ("Mitglied am Runden Tisch", "round table member"),
        Other = "other" ("Sonstiges", "other"),
    }
}

/// The partner fields (`actor_type`, `staffing`, `districts`, `visibility`) belong to
/// partners only.
pub fn has_partner_fields(kind: OrganizationKind) -> bool {
    kind == OrganizationKind::Partner
}

/// A contact person's details are due for review one year after the last review
/// (29 February is followed by 28 February).
pub fn review_due(last_reviewed_on: NaiveDate) -> NaiveDate {
    last_reviewed_on
        .checked_add_months(Months::new(12))
        .unwrap_or(last_reviewed_on)
}

/// Why a cooperation cannot end as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CooperationError {
    #[error("the cooperation has already ended")]
    AlreadyEnded,
    #[error("a cooperation ends after the day it started")]
    EndNotAfterStart,
}

/// Cooperations are half-open `[started_on, ended_on)` like staff assignments: `ended_on`
/// is the first day without the cooperation. Ending is one action, done once.
pub fn check_end(
    started_on: NaiveDate,
    current_end: Option<NaiveDate>,
    ended_on: NaiveDate,
) -> Result<(), CooperationError> {
    if current_end.is_some() {
        return Err(CooperationError::AlreadyEnded);
    }
    if ended_on <= started_on {
        return Err(CooperationError::EndNotAfterStart);
    }
    Ok(())
}

/// Whether a cooperation runs on `day`.
pub fn is_active(started_on: NaiveDate, ended_on: Option<NaiveDate>, day: NaiveDate) -> bool {
    started_on <= day && ended_on.is_none_or(|end| day < end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn reviews_fall_due_a_year_later() {
        assert_eq!(review_due(day(2025, 11, 16)), day(2026, 11, 16));
        assert_eq!(review_due(day(2024, 2, 29)), day(2025, 2, 28));
    }

    #[test]
    fn cooperations_end_once_and_after_their_start() {
        let start = day(2025, 1, 1);
        assert_eq!(check_end(start, None, day(2025, 6, 1)), Ok(()));
        assert_eq!(
            check_end(start, None, start),
            Err(CooperationError::EndNotAfterStart)
        );
        assert_eq!(
            check_end(start, Some(day(2025, 6, 1)), day(2025, 7, 1)),
            Err(CooperationError::AlreadyEnded)
        );
        assert!(is_active(start, None, start));
        assert!(is_active(start, Some(day(2025, 6, 1)), day(2025, 5, 31)));
        assert!(!is_active(start, Some(day(2025, 6, 1)), day(2025, 6, 1)));
        assert!(!is_active(start, None, day(2024, 12, 31)));
    }

    #[test]
    fn only_partners_have_partner_fields() {
        assert!(has_partner_fields(OrganizationKind::Partner));
        assert!(!has_partner_fields(OrganizationKind::WelfareProvider));
        assert!(!has_partner_fields(OrganizationKind::Municipality));
    }
}
