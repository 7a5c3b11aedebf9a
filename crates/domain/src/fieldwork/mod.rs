//! Field work: what the offices do all day, recorded without filing people.
//!
//! Contact records (one counselling contact each, anonymous by construction: no field
//! could hold a name, an address or free text), the referrals inside them, and home-visit
//! appointments (the one record here with personal data, see `privacy`). The code lists
//! are data: codes are added, never renamed or reused.

pub mod contact;
pub mod home_visit;
pub mod referral;

/// A code list: an enum whose values travel as `snake_case` codes, stored as those codes,
/// and documented in the contract as an enum.
macro_rules! code_list {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $code:tt,)+ }) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $code)] $variant,)+
        }

        impl $name {
            /// Every code, in the list's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The code as sent and stored.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            pub fn parse(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use code_list;

/// Checks a list of codes: between `min` and `max` entries, each known and none twice;
/// errors point at the list or at the offending entry.
pub fn check_codes(
    pointer: &str,
    codes: &[String],
    (min, max): (usize, usize),
    known: impl Fn(&str) -> bool,
    unknown_message: &str,
    errors: &mut crate::ValidationErrors,
) {
    if codes.len() < min || codes.len() > max {
        errors.add(pointer, format!("must list {min} to {max} codes"));
    }
    for (i, code) in codes.iter().enumerate() {
        if codes[..i].contains(code) {
            errors.add(format!("{pointer}/{i}"), "lists a code twice");
        } else if !known(code) {
            errors.add(format!("{pointer}/{i}"), unknown_message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lists_are_unique_and_round_trip() {
        fn check<T: Copy + PartialEq + std::fmt::Debug + serde::Serialize>(
            all: &[T],
            code: fn(T) -> &'static str,
            parse: fn(&str) -> Option<T>,
        ) {
            let mut seen = std::collections::HashSet::new();
            for v in all {
                assert!(seen.insert(code(*v)), "{v:?} twice");
                assert_eq!(parse(code(*v)), Some(*v));
                assert_eq!(
                    serde_json::to_value(v).ok(),
                    Some(serde_json::Value::from(code(*v)))
                );
            }
        }
        use contact::*;
        use home_visit::*;
        use referral::*;
        check(Channel::ALL, Channel::as_str, Channel::parse);
        check(
            ContactDuration::ALL,
            ContactDuration::as_str,
            ContactDuration::parse,
        );
        check(Audience::ALL, Audience::as_str, Audience::parse);
        check(Interpreting::ALL, Interpreting::as_str, Interpreting::parse);
        check(ContactOutcome::ALL, ContactOutcome::as_str, ContactOutcome::parse);
        check(
            CorrectionReason::ALL,
            CorrectionReason::as_str,
            CorrectionReason::parse,
        );
        check(TargetCategory::ALL, TargetCategory::as_str, TargetCategory::parse);
        check(ReferralMode::ALL, ReferralMode::as_str, ReferralMode::parse);
        check(ReferralStatus::ALL, ReferralStatus::as_str, ReferralStatus::parse);
        check(
            ReferralOutcome::ALL,
            ReferralOutcome::as_str,
            ReferralOutcome::parse,
        );
        check(TimeWindow::ALL, TimeWindow::as_str, TimeWindow::parse);
        check(VisitSource::ALL, VisitSource::as_str, VisitSource::parse);
        check(VisitStatus::ALL, VisitStatus::as_str, VisitStatus::parse);
        assert_eq!(
            ContactDuration::parse("15_to_30"),
            Some(ContactDuration::From15To30)
        );
    }

    #[test]
    fn code_lists_report_every_bad_entry() {
        let mut e = crate::ValidationErrors::default();
        let codes: Vec<String> = ["de", "xx", "de"].map(String::from).to_vec();
        check_codes("/languages", &codes, (1, 5), |c| c == "de", "unknown", &mut e);
        let pointers: Vec<_> = e.0.iter().filter_map(|f| f.pointer.clone()).collect();
        assert_eq!(pointers, ["/languages/1", "/languages/2"]);
        let mut e = crate::ValidationErrors::default();
        check_codes("/topics", &[], (1, 8), |_| true, "unknown", &mut e);
        assert_eq!(e.0[0].pointer.as_deref(), Some("/topics"));
    }
}
