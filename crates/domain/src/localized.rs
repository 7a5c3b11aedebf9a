use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ValidationErrors;

/// Text in several languages, keyed by ISO 639 code. German (`de`) is always present.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"de": "Anlaufstelle für Neuzugewanderte", "en": "Contact point for newcomers"}))]
pub struct LocalizedText(pub BTreeMap<String, String>);

impl LocalizedText {
    pub fn german(text: impl Into<String>) -> Self {
        LocalizedText(BTreeMap::from([("de".to_owned(), text.into())]))
    }

    /// Checks a one-line text in every language (names, notes).
    pub fn validate(&self, pointer: &str, max_chars: usize, errors: &mut ValidationErrors) {
        self.check(pointer, max_chars, false, errors);
    }

    /// Checks a text that may span lines (descriptions).
    pub fn validate_multiline(&self, pointer: &str, max_chars: usize, errors: &mut ValidationErrors) {
        self.check(pointer, max_chars, true, errors);
    }

    fn check(&self, pointer: &str, max_chars: usize, multiline: bool, errors: &mut ValidationErrors) {
        if !self.0.contains_key("de") {
            errors.add(pointer, "a German text (key \"de\") is required");
        }
        for (lang, text) in &self.0 {
            let valid_code = (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase());
            if !valid_code {
                errors.add(
                    format!("{pointer}/{}", crate::validation::pointer_segment(lang)),
                    "keys must be ISO 639 language codes",
                );
            }
            let at = format!("{pointer}/{}", crate::validation::pointer_segment(lang));
            if multiline {
                errors.require_multiline_text(&at, text, max_chars);
            } else {
                errors.require_text(&at, text, max_chars);
            }
        }
    }
}
