//! Password rules: length, and strength as estimated by zxcvbn (dictionary words, names,
//! keyboard patterns, dates, repeats), with the person's own email and name as hints.

use crate::ValidationErrors;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

/// Words zxcvbn's English dictionaries miss but an attacker on this service tries first.
const CONTEXT_WORDS: &[&str] = &[
    "lokal",
    "willkommen",
    "lokalwillkommen",
    "dortmund",
    "stadtdo",
    "stadt",
    "passwort",
    "kennwort",
    "geheim",
    "hallo",
    "sommer",
    "winter",
    "herbst",
    "fruehling",
    "caritas",
    "diakonie",
    "awo",
    "drk",
    "integration",
];

/// Checks a new password; `hints` are words an attacker would try first (email, name).
pub fn check_new_password(pointer: &str, password: &str, hints: &[&str], errors: &mut ValidationErrors) {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        errors.add(pointer, format!("must be at least {MIN_CHARS} characters"));
        return;
    }
    if chars > MAX_CHARS {
        errors.add(pointer, format!("must be at most {MAX_CHARS} characters"));
        return;
    }
    let mut inputs: Vec<&str> = CONTEXT_WORDS.to_vec();
    for hint in hints {
        inputs.push(hint);
        inputs.extend(
            hint.split(|c: char| !c.is_alphanumeric())
                .filter(|p| p.len() >= 3),
        );
    }
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    // Score 4 means at least 10^10 guesses: out of reach of an offline attack on a leaked
    // argon2id hash. Score 3 (10^8) lets "firstname.lastname" through.
    if (estimate.score() as u8) < 4 {
        let advice = estimate
            .feedback()
            .and_then(|f| f.warning().map(|w| w.to_string()))
            .unwrap_or_else(|| "it is too easy to guess".to_owned());
        errors.add(
            pointer,
            format!("is too weak: {advice}. Use a longer passphrase of several unrelated words"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pw: &str, hints: &[&str]) -> Vec<String> {
        let mut e = ValidationErrors::default();
        check_new_password("/password", pw, hints, &mut e);
        e.0.into_iter().map(|f| f.message).collect()
    }

    #[test]
    fn length_and_strength() {
        assert!(check("short", &[])[0].contains("at least 12"));
        assert!(check(&"a".repeat(129), &[])[0].contains("at most 128"));
        assert!(check("password1234", &[])[0].contains("too weak"));
        assert!(check("qwertyuiop123", &[])[0].contains("too weak"));
        assert!(check("erika.mustermann", &["erika.mustermann@stadtdo.de"])[0].contains("too weak"));
        assert!(check("lokalwillkommen2026", &[])[0].contains("too weak"));
        assert!(check("Fahrrad-Lampe-Kaffee-Dortmund-7", &[]).is_empty());
    }
}
