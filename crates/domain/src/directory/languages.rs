//! The languages consultations are held in: ISO 639 codes with German and English names.

use serde::Serialize;
use utoipa::ToSchema;

/// A language offices may consult in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Language {
    /// ISO 639-1 code (ISO 639-3 where there is no two-letter code).
    #[schema(example = "fa")]
    pub code: &'static str,
    #[schema(example = "Persisch (Farsi)")]
    pub name_de: &'static str,
    #[schema(example = "Persian (Farsi)")]
    pub name_en: &'static str,
}

const fn lang(code: &'static str, name_de: &'static str, name_en: &'static str) -> Language {
    Language {
        code,
        name_de,
        name_en,
    }
}

/// The reference list, German first, then alphabetical by code.
pub const LANGUAGES: &[Language] = &[
    lang("de", "Deutsch", "German"),
    lang("ar", "Arabisch", "Arabic"),
    lang("bg", "Bulgarisch", "Bulgarian"),
    lang("en", "Englisch", "English"),
    lang("es", "Spanisch", "Spanish"),
    lang("fa", "Persisch (Farsi)", "Persian (Farsi)"),
    lang("fr", "Französisch", "French"),
    lang("it", "Italienisch", "Italian"),
    lang("ku", "Kurdisch", "Kurdish"),
    lang("pl", "Polnisch", "Polish"),
    lang("ps", "Paschtu", "Pashto"),
    lang("ro", "Rumänisch", "Romanian"),
    lang("ru", "Russisch", "Russian"),
    lang("so", "Somali", "Somali"),
    lang("sq", "Albanisch", "Albanian"),
    lang("ti", "Tigrinya", "Tigrinya"),
    lang("tr", "Türkisch", "Turkish"),
    lang("uk", "Ukrainisch", "Ukrainian"),
];

pub fn is_known(code: &str) -> bool {
    LANGUAGES.iter().any(|l| l.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_languages_are_listed_once() {
        for code in [
            "de", "ar", "en", "fa", "ku", "fr", "tr", "ru", "uk", "ti", "so", "ps",
        ] {
            assert!(is_known(code), "{code}");
        }
        let mut codes: Vec<_> = LANGUAGES.iter().map(|l| l.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), LANGUAGES.len());
        assert!(!is_known("xx"));
    }
}
