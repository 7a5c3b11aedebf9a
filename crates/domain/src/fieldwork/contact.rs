//! The contact record: one counselling contact of an office (a consultation in the office
//! hours, a call, a message answered, a welcome home visit, an outreach conversation).
//! It records what happened, never who it happened to.

use chrono::NaiveDate;

use super::code_list;
use super::referral::{Referral, ReferralMode};
use crate::validation::{DATE_WINDOW_MESSAGE, date_in_window};
use crate::{District, ProblemCode, Role, ValidationErrors};

code_list! {
    /// How the contact came about.
    Channel {
        /// Walk-in during consultation hours.
        OfficeHours => "office_hours",
        Appointment => "appointment",
        Phone => "phone",
        /// Mail, messenger or letter.
        Message => "message",
        /// A welcome home visit.
        HomeVisit => "home_visit",
        /// Street, event, school gate.
        Outreach => "outreach",
        /// Going along to an authority or a doctor.
        Accompaniment => "accompaniment",
    }
}

code_list! {
    /// How long the contact took, in minutes.
    ContactDuration {
        Under15 => "under_15",
        From15To30 => "15_to_30",
        From30To60 => "30_to_60",
        Over60 => "over_60",
    }
}

code_list! {
    /// Whom the contact was with, as a group (never a person's status).
    Audience {
        /// Refugees who moved into their own flat: the offices' core group.
        Refugee => "refugee",
        OtherImmigrant => "other_immigrant",
        LocalResident => "local_resident",
        Volunteer => "volunteer",
        /// Staff of another service.
        Professional => "professional",
    }
}

code_list! {
    /// Who interpreted, if anyone.
    Interpreting {
        None => "none",
        ByStaff => "by_staff",
        Volunteer => "volunteer",
        Professional => "professional",
        Remote => "remote",
    }
}

code_list! {
    /// What came of the contact.
    ContactOutcome {
        /// Settled on the spot.
        Resolved => "resolved",
        /// Referred elsewhere: needs at least one referral.
        Referred => "referred",
        /// Another contact is planned.
        FollowUp => "follow_up",
        InformationOnly => "information_only",
    }
}

code_list! {
    /// Why a record is corrected after the 14 days in which its office's staff may edit it.
    CorrectionReason {
        Typo => "typo",
        LateInformation => "late_information",
        WrongOffice => "wrong_office",
        Other => "other",
    }
}

pub const MIN_PERSONS: i32 = 1;
pub const MAX_PERSONS: i32 = 20;
pub const MAX_LANGUAGES: usize = 5;
pub const MAX_TOPICS: usize = 8;
pub const MAX_REFERRALS: usize = 10;
/// Staff record contacts at most this many days back; coordinators may backfill further.
pub const STAFF_BACKFILL_DAYS: i64 = 365;
/// Staff of the office may edit a record this many days after it occurred.
pub const EDIT_WINDOW_DAYS: i64 = 14;

/// A contact record's content, as the rules see it (ids and bookkeeping aside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecord {
    pub occurred_on: NaiveDate,
    pub channel: Channel,
    pub duration: ContactDuration,
    pub persons_present: i32,
    pub first_contact: bool,
    pub audience: Audience,
    pub residence_district: Option<District>,
    /// Language codes the contact was held in.
    pub languages: Vec<String>,
    pub interpreting: Interpreting,
    /// Topic codes of the directory.
    pub topics: Vec<String>,
    pub outcome: ContactOutcome,
    pub referrals: Vec<Referral>,
}

/// Whether a role may record a contact that long ago.
pub fn may_backfill(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Coordinator)
}

/// Why `occurred_on` is refused for a record made on `today`, if it is: never in the
/// future, never outside the API's date window, and for staff at most a year back.
pub fn occurred_on_refusal(occurred_on: NaiveDate, today: NaiveDate, backfill: bool) -> Option<String> {
    if !date_in_window(occurred_on) {
        Some(DATE_WINDOW_MESSAGE.to_owned())
    } else if occurred_on > today {
        Some("must not lie in the future".to_owned())
    } else if !backfill && (today - occurred_on).num_days() > STAFF_BACKFILL_DAYS {
        Some(format!(
            "staff record contacts at most {STAFF_BACKFILL_DAYS} days back; a coordinator may backfill older ones"
        ))
    } else {
        None
    }
}

/// What a caller may do to an existing record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditRight {
    /// Within the edit window: any change, a correction reason optional.
    Open,
    /// After the window, coordinators and admins: only with a correction reason.
    CorrectionOnly,
    /// After the window, staff: no more changes (403 `edit_window_closed`).
    Closed,
}

/// The 14-day rule: staff of the office may edit a record up to [`EDIT_WINDOW_DAYS`]
/// after it occurred (Dortmund calendar days); later only coordinators and admins, with
/// a correction reason.
pub fn edit_right(role: Role, occurred_on: NaiveDate, today: NaiveDate) -> EditRight {
    let within = (today - occurred_on).num_days() <= EDIT_WINDOW_DAYS;
    match (within, role) {
        (true, _) => EditRight::Open,
        (false, Role::Admin | Role::Coordinator) => EditRight::CorrectionOnly,
        (false, Role::Staff | Role::Reader) => EditRight::Closed,
    }
}

/// A refusal of a record that is not a field error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct ContactRefusal {
    pub code: ProblemCode,
    pub pointer: String,
    pub detail: String,
}

/// Checks a record's content: counts, code lists, the outcome's referrals and each
/// referral's consent. `known_topic` answers for the directory's topic list; the date is
/// checked separately ([`occurred_on_refusal`]), as its rule depends on the caller.
/// Field errors are collected in `errors`; a referral contacted on the person's behalf
/// without consent is the refusal `consent_required`, reported after the field errors.
pub fn check_record(
    record: &ContactRecord,
    known_topic: impl Fn(&str) -> bool,
    errors: &mut ValidationErrors,
) -> Result<(), ContactRefusal> {
    if !(MIN_PERSONS..=MAX_PERSONS).contains(&record.persons_present) {
        errors.add(
            "/persons_present",
            format!("must be between {MIN_PERSONS} and {MAX_PERSONS}"),
        );
    }
    super::check_codes(
        "/languages",
        &record.languages,
        (1, MAX_LANGUAGES),
        crate::directory::languages::is_known,
        "unknown language code; see /api/v1/languages",
        errors,
    );
    super::check_codes(
        "/topics",
        &record.topics,
        (1, MAX_TOPICS),
        known_topic,
        "unknown topic code; see /api/v1/topics",
        errors,
    );
    if record.referrals.len() > MAX_REFERRALS {
        errors.add("/referrals", format!("at most {MAX_REFERRALS} referrals"));
    }
    if record.outcome == ContactOutcome::Referred && record.referrals.is_empty() {
        errors.add("/referrals", "the outcome `referred` needs at least one referral");
    }
    let unconsented = record
        .referrals
        .iter()
        .position(|r| r.mode == ReferralMode::ContactedOnBehalf && !r.consent_to_share);
    match unconsented {
        Some(i) if errors.is_empty() => Err(ContactRefusal {
            code: ProblemCode::ConsentRequired,
            pointer: format!("/referrals/{i}/consent_to_share"),
            detail: "contacting a service on the person's behalf needs their consent to share (`consent_to_share: true`)".into(),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fieldwork::referral::TargetCategory;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    pub(crate) fn record() -> ContactRecord {
        ContactRecord {
            occurred_on: day(2026, 11, 16),
            channel: Channel::OfficeHours,
            duration: ContactDuration::From15To30,
            persons_present: 2,
            first_contact: true,
            audience: Audience::Refugee,
            residence_district: Some(District::Mengede),
            languages: vec!["ar".into(), "de".into()],
            interpreting: Interpreting::ByStaff,
            topics: vec!["school-enrollment".into()],
            outcome: ContactOutcome::Resolved,
            referrals: vec![],
        }
    }

    fn check(record: &ContactRecord) -> (Vec<String>, Option<ContactRefusal>) {
        let mut e = ValidationErrors::default();
        let refusal = check_record(record, |t| t == "school-enrollment", &mut e).err();
        (e.0.into_iter().filter_map(|f| f.pointer).collect(), refusal)
    }

    #[test]
    fn a_plain_record_passes_and_each_rule_points_at_its_field() {
        assert_eq!(check(&record()), (vec![], None));
        let bad = ContactRecord {
            persons_present: 21,
            languages: vec!["xx".into()],
            topics: vec![],
            outcome: ContactOutcome::Referred,
            ..record()
        };
        assert_eq!(
            check(&bad).0,
            ["/persons_present", "/languages/0", "/topics", "/referrals"]
        );
        let zero = ContactRecord {
            persons_present: 0,
            ..record()
        };
        assert_eq!(check(&zero).0, ["/persons_present"]);
    }

    #[test]
    fn contacting_on_behalf_needs_consent() {
        let referral = Referral {
            target_category: TargetCategory::Authority,
            organization_id: None,
            service_id: None,
            mode: ReferralMode::ContactedOnBehalf,
            consent_to_share: false,
        };
        let mut r = ContactRecord {
            outcome: ContactOutcome::Referred,
            referrals: vec![referral.clone(), referral.clone()],
            ..record()
        };
        r.referrals[0].consent_to_share = true;
        let refusal = check(&r).1.map(|x| (x.code, x.pointer));
        assert_eq!(
            refusal,
            Some((
                ProblemCode::ConsentRequired,
                "/referrals/1/consent_to_share".into()
            ))
        );
        r.referrals[1].consent_to_share = true;
        assert_eq!(check(&r), (vec![], None));
    }

    #[test]
    fn dates_are_not_in_the_future_and_staff_go_back_a_year() {
        let today = day(2026, 11, 16);
        assert!(occurred_on_refusal(today, today, false).is_none());
        assert!(occurred_on_refusal(day(2026, 11, 17), today, true).is_some());
        assert!(occurred_on_refusal(day(2025, 11, 16), today, false).is_none());
        assert!(occurred_on_refusal(day(2025, 11, 15), today, false).is_some());
        assert!(occurred_on_refusal(day(2019, 1, 1), today, true).is_none());
        assert!(occurred_on_refusal(day(1899, 12, 31), today, true).is_some());
    }

    proptest! {
        /// Inside the window everyone with access may edit; after it staff never, and
        /// coordinators and admins only with a reason.
        #[test]
        fn the_edit_window_is_fourteen_days(age in 0i64..400, role_i in 0usize..3) {
            let today = day(2026, 11, 16);
            let role = [Role::Admin, Role::Coordinator, Role::Staff][role_i];
            let right = edit_right(role, today - chrono::TimeDelta::days(age), today);
            if age <= EDIT_WINDOW_DAYS {
                prop_assert_eq!(right, EditRight::Open);
            } else if role == Role::Staff {
                prop_assert_eq!(right, EditRight::Closed);
            } else {
                prop_assert_eq!(right, EditRight::CorrectionOnly);
            }
        }
    }
}
