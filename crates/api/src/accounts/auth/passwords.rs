//! argon2id password hashing. Always call these on the blocking pool (`http::blocking::run_blocking`):
//! one hash costs tens of milliseconds by design.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
pub const M_COST_KIB: u32 = 19_456;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;

fn hasher() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid parameters")
        .to_string()
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    Mismatch,
    /// Correct; `needs_rehash` when the stored hash uses weaker or other parameters.
    Match {
        needs_rehash: bool,
    },
}

pub fn verify(stored: &str, password: &str) -> Verification {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verification::Mismatch;
    };
    if Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Verification::Mismatch;
    }
    let current = parsed.algorithm == argon2::ARGON2ID_IDENT
        && Params::try_from(&parsed)
            .is_ok_and(|p| p.m_cost() >= M_COST_KIB && p.t_cost() >= T_COST && p.p_cost() >= P_COST);
    Verification::Match {
        needs_rehash: !current,
    }
}

/// A hash of a random password, verified against when the account does not exist, so
/// an unknown email costs the same time as a wrong password.
pub static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash("no account has this password, ever"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verify_and_rehash_detection() {
        let h = hash("Fahrrad-Lampe-Kaffee-7");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            verify(&h, "Fahrrad-Lampe-Kaffee-7"),
            Verification::Match { needs_rehash: false }
        );
        assert_eq!(verify(&h, "wrong"), Verification::Mismatch);
        assert_eq!(verify("garbage", "x"), Verification::Mismatch);
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert_eq!(verify(&weak, "pw"), Verification::Match { needs_rehash: true });
    }
}
