use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A full office or a smaller outpost of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfficeKind {
    Office,
    Outpost,
}

/// Where an office is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfficeStatus {
    Planned,
    Active,
    Closed,
}

macro_rules! str_enum {
    ($ty:ty { $($variant:ident => $s:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $s),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

str_enum!(OfficeKind { Office => "office", Outpost => "outpost" });
str_enum!(OfficeStatus { Planned => "planned", Active => "active", Closed => "closed" });

/// A URL-friendly office name such as `mengede-huckarde`: 3 to 64 characters of
/// lowercase ASCII letters, digits and single hyphens, not starting or ending with one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(s: &str) -> Option<Slug> {
        let ok = (3..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        ok.then(|| Slug(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("mengede-huckarde").is_some());
        assert!(Slug::parse("eving2").is_some());
        for bad in ["", "ab", "-eving", "eving-", "ev--ing", "Eving", "hörde", "a b c"] {
            assert!(Slug::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn enums_round_trip() {
        for k in [OfficeKind::Office, OfficeKind::Outpost] {
            assert_eq!(OfficeKind::parse(k.as_str()), Some(k));
        }
        for s in [OfficeStatus::Planned, OfficeStatus::Active, OfficeStatus::Closed] {
            assert_eq!(OfficeStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(OfficeStatus::parse("open"), None);
    }
}
