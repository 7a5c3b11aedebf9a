//! The offices' network work: meetings they organize or join (round tables, working
//! groups, trainings...) and the partner network (partners' profile, cooperations with
//! offices, contact persons). Pure rules over plain values; code lists as enums
//! (`coded_enum!`, with labels, served at `/api/v1/code-lists`) whose codes are stable (added, never renamed or reused).

pub mod meetings;
pub mod partners;

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
