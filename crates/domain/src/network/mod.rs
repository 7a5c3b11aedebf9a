//! The offices' network work: meetings they organize or join (round tables, working
//! groups, trainings...) and the partner network (partners' profile, cooperations with
//! offices, contact persons). Pure rules over plain values; code lists as enums whose
//! codes are stable (added, never renamed or reused).

pub mod meetings;
pub mod partners;

/// An enum of codes: serialized as its code (the variant's snake_case name), parsed back
/// from it, listed in `ALL`.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $code:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        // The codes are the variants' snake_case names (the test below checks that
        // serde agrees with `as_str`): utoipa reads `rename_all`, but not a `rename`
        // built by this macro.
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every code, in the order of the code list.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable code, as stored and sent.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            pub fn parse(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == code)
            }
        }
    };
}
pub(crate) use code_enum;

#[cfg(test)]
mod tests {
    use super::meetings::{MeetingRole, MeetingType};
    use super::partners::{ActorType, CooperationKind, PartnerStaffing, Visibility};

    fn round_trips<T: serde::Serialize + Copy + PartialEq + std::fmt::Debug>(
        all: &[T],
        code: fn(T) -> &'static str,
        parse: fn(&str) -> Option<T>,
    ) {
        for &v in all {
            assert_eq!(parse(code(v)), Some(v));
            assert_eq!(
                serde_json::to_value(v).ok(),
                Some(serde_json::Value::from(code(v)))
            );
            assert!(code(v).chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn codes_round_trip_and_match_serde() {
        round_trips(MeetingType::ALL, MeetingType::as_str, MeetingType::parse);
        round_trips(MeetingRole::ALL, MeetingRole::as_str, MeetingRole::parse);
        round_trips(ActorType::ALL, ActorType::as_str, ActorType::parse);
        round_trips(
            PartnerStaffing::ALL,
            PartnerStaffing::as_str,
            PartnerStaffing::parse,
        );
        round_trips(Visibility::ALL, Visibility::as_str, Visibility::parse);
        round_trips(
            CooperationKind::ALL,
            CooperationKind::as_str,
            CooperationKind::parse,
        );
        assert_eq!(MeetingType::parse("party"), None);
    }
}
