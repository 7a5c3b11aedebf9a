//! Code lists: the closed vocabularies records are described with, as data, with German
//! and English labels and one version for the whole set (`GET /api/v1/code-lists`).
//!
//! Codes are added, never renamed or reused: a report over old records must still read
//! them. A retired code stays in its list (marked `retired`) so old records keep their
//! label, and is refused in new records.

use serde::Serialize;
use utoipa::ToSchema;

/// The version of the whole set; raised whenever a code is added or retired. Frozen
/// reports record it.
pub const VERSION: &str = "2026.1";

/// One code of a list with its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    pub code: &'static str,
    pub de: &'static str,
    pub en: &'static str,
    /// Readable in old records, refused in new ones.
    pub retired: bool,
}

impl Code {
    pub const fn new(code: &'static str, de: &'static str, en: &'static str) -> Code {
        Code {
            code,
            de,
            en,
            retired: false,
        }
    }
}

/// A named list of codes.
#[derive(Debug, Clone, Copy)]
pub struct CodeList {
    /// The field the list is for (`channel`, `target_category`, ...).
    pub name: &'static str,
    pub codes: &'static [Code],
}

impl CodeList {
    /// Whether `code` may be used in a new record.
    pub fn accepts(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c.code == code && !c.retired)
    }
}

/// An enum whose variants are the codes of one list, labels beside them: the serde name
/// of each variant is its code, `ALL` lists the variants, `LIST` is the code list.
///
/// ```ignore
/// coded_enum! {
///     /// How the contact came about.
///     pub enum Channel as "channel" {
///         OfficeHours = "office_hours" ("Offene Sprechstunde", "Walk-in consultation hours"),
///         Phone = "phone" ("Telefon", "Phone"),
///     }
/// }
/// ```
#[macro_export]
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident as $list:literal {
            $($(#[$vmeta:meta])* $variant:ident = $code:tt ($de:literal, $en:literal)),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const LIST: $crate::code_lists::CodeList = $crate::code_lists::CodeList {
                name: $list,
                codes: &[$($crate::code_lists::Code::new($code, $de, $en)),+],
            };

            /// The code as sent and stored.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Districts as a code list (their English label is the German name).
pub fn districts() -> CodeList {
    static CODES: std::sync::LazyLock<Vec<Code>> = std::sync::LazyLock::new(|| {
        crate::District::ALL
            .iter()
            .map(|d| Code::new(d.code(), d.name(), d.name()))
            .collect()
    });
    CodeList {
        name: "district",
        codes: CODES.as_slice(),
    }
}

/// Languages as a code list.
pub fn languages() -> CodeList {
    static CODES: std::sync::LazyLock<Vec<Code>> = std::sync::LazyLock::new(|| {
        crate::directory::languages::LANGUAGES
            .iter()
            .map(|l| Code::new(l.code, l.name_de, l.name_en))
            .collect()
    });
    CodeList {
        name: "language",
        codes: CODES.as_slice(),
    }
}

/// Every list held in code (topics are directory data and join them in the API).
pub fn all() -> Vec<CodeList> {
    use crate::fieldwork::contact::{
        Audience, Channel, ContactDuration, ContactOutcome, CorrectionReason, Interpreting,
    };
    use crate::fieldwork::home_visit::{TimeWindow, VisitOutcome, VisitSource, VisitStatus};
    use crate::fieldwork::referral::{ReferralMode, ReferralOutcome, ReferralStatus, TargetCategory};
    use crate::network::meetings::{MeetingRole, MeetingType};
    use crate::network::partners::{ActorType, CooperationKind, PartnerStaffing, Visibility};
    use crate::privacy::{AccessPurpose, PersonalRecordType};
    vec![
        districts(),
        languages(),
        Channel::LIST,
        ContactDuration::LIST,
        Audience::LIST,
        Interpreting::LIST,
        ContactOutcome::LIST,
        CorrectionReason::LIST,
        TargetCategory::LIST,
        ReferralMode::LIST,
        ReferralStatus::LIST,
        ReferralOutcome::LIST,
        TimeWindow::LIST,
        VisitSource::LIST,
        VisitStatus::LIST,
        VisitOutcome::LIST,
        MeetingType::LIST,
        MeetingRole::LIST,
        ActorType::LIST,
        PartnerStaffing::LIST,
        Visibility::LIST,
        CooperationKind::LIST,
        PersonalRecordType::LIST,
        AccessPurpose::LIST,
    ]
}

/// A code as served: the code and its labels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodeView {
    #[schema(example = "office_hours")]
    pub code: String,
    pub label: crate::LocalizedText,
    /// Readable in old records, refused in new ones.
    pub retired: bool,
}

/// A code list as served.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodeListView {
    /// The field the list is for.
    #[schema(example = "channel")]
    pub name: String,
    pub codes: Vec<CodeView>,
}

impl From<&CodeList> for CodeListView {
    fn from(list: &CodeList) -> CodeListView {
        CodeListView {
            name: list.name.to_owned(),
            codes: list
                .codes
                .iter()
                .map(|c| CodeView {
                    code: c.code.to_owned(),
                    label: crate::LocalizedText(
                        [
                            ("de".to_owned(), c.de.to_owned()),
                            ("en".to_owned(), c.en.to_owned()),
                        ]
                        .into(),
                    ),
                    retired: c.retired,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::coded_enum! {
        /// A list for the test.
        pub enum Colour as "colour" {
            Red = "red" ("Rot", "Red"),
            DarkBlue = "dark_blue" ("Dunkelblau", "Dark blue"),
        }
    }

    #[test]
    fn coded_enums_serialize_as_their_codes() {
        assert_eq!(serde_json::to_value(Colour::DarkBlue).unwrap(), "dark_blue");
        assert_eq!(Colour::parse("red"), Some(Colour::Red));
        assert_eq!(Colour::LIST.codes.len(), Colour::ALL.len());
        for (variant, code) in Colour::ALL.iter().zip(Colour::LIST.codes) {
            assert_eq!(variant.as_str(), code.code);
        }
        assert!(Colour::LIST.accepts("red") && !Colour::LIST.accepts("green"));
    }

    #[test]
    fn list_names_and_codes_are_unique() {
        let lists = all();
        let mut names: Vec<&str> = lists.iter().map(|l| l.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), lists.len());
        for list in &lists {
            let mut codes: Vec<&str> = list.codes.iter().map(|c| c.code).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), list.codes.len(), "{}", list.name);
        }
    }
}
