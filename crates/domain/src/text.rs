//! Text that is really text: what a field may contain, and the form names and emails are
//! compared in.

use unicode_normalization::UnicodeNormalization;

/// Characters that are invisible or reorder text (zero-width, soft hyphen, bidi controls,
/// variation selectors, tags): they make two strings look the same that are not, or a
/// string look different from what it is.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Why a text field's value is refused, if it is.
pub fn refusal(value: &str, multiline: bool) -> Option<&'static str> {
    if value.contains('\0') {
        return Some("must not contain U+0000");
    }
    let line_break = |c: char| multiline && (c == '\n' || c == '\r' || c == '\t');
    if value.chars().any(|c| c.is_control() && !line_break(c)) {
        return Some(if multiline {
            "must not contain control characters (line breaks and tabs are allowed)"
        } else {
            "must be one line without control characters"
        });
    }
    if value.chars().any(is_invisible) {
        return Some("must not contain invisible or text-direction characters");
    }
    None
}

/// The stored form of a name or email: compatibility-normalized (full-width letters,
/// ligatures and decomposed accents become their plain form), trimmed, inner whitespace
/// collapsed.
pub fn normalize(value: &str) -> String {
    value
        .nfkc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The form two names or emails are compared in: [`normalize`]d, invisible characters
/// dropped, case folded.
pub fn comparison_key(value: &str) -> String {
    normalize(&value.chars().filter(|c| !is_invisible(*c)).collect::<String>()).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookalikes_compare_equal() {
        let plain = comparison_key("Caritas Dortmund");
        for variant in [
            "Caritas  Dortmund",
            "CARITAS DORTMUND",
            "Cari\u{200B}tas Dortmund",
            "Cari\u{00AD}tas Dortmund",
            "Ｃａｒｉｔａｓ Dortmund",
        ] {
            assert_eq!(comparison_key(variant), plain, "{variant:?}");
        }
        assert_eq!(
            comparison_key("Diakonie Hörde"),
            comparison_key("Diakonie Ho\u{0308}rde")
        );
    }

    #[test]
    fn control_and_invisible_characters_are_refused() {
        assert!(refusal("Eving\r\nBEGIN:VEVENT", false).is_some());
        assert!(refusal("a\0b", true).is_some());
        assert!(refusal("Zeile eins\nZeile zwei", true).is_none());
        assert!(refusal("Zeile eins\nZeile zwei", false).is_some());
        assert!(refusal("evil\u{202E}txt", true).is_some());
        assert!(refusal("Hörde, Straße 1", false).is_none());
    }
}
