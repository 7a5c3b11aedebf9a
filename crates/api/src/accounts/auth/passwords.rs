//! argon2id password hashing. Run these on the password threads (`hashing::HashingGate`):
//! one hash costs tens of milliseconds and 19 MiB by design.
//!
//! The 19 MiB working memory is kept per thread and reused instead of being allocated for
//! every hash: the system allocator keeps freed blocks of that size around (per thread,
//! and ever larger under its dynamic mmap threshold), which made resident memory grow by
//! hundreds of MiB under a sign-in flood.

use std::cell::RefCell;
use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
pub const M_COST_KIB: u32 = 19_456;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;
/// Stored hashes whose memory cost exceeds this are refused rather than computed.
const MAX_M_COST_KIB: u32 = 256 * 1024;

thread_local! {
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// The raw argon2 output for `password` and `salt`, in this thread's reused memory.
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> bool {
    if params.m_cost() > MAX_M_COST_KIB {
        return false;
    }
    let argon2 = Argon2::new(algorithm, version, params.clone());
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        let blocks = params.block_count();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        argon2
            .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
            .is_ok()
    })
}

pub fn hash(password: &str) -> String {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).expect("valid argon2 parameters");
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt
        .decode_b64(&mut salt_bytes)
        .expect("a generated salt decodes");
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    assert!(
        compute(
            Algorithm::Argon2id,
            Version::V0x13,
            &params,
            password.as_bytes(),
            raw_salt,
            &mut out
        ),
        "argon2 hashing cannot fail with valid parameters"
    );
    PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).expect("parameters encode"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).expect("valid output length")),
    }
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
    let (Ok(algorithm), Ok(params), Some(expected), Some(salt)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
        parsed.hash,
        parsed.salt,
    ) else {
        return Verification::Mismatch;
    };
    let version = parsed
        .version
        .map_or(Ok(Version::V0x13), Version::try_from)
        .unwrap_or(Version::V0x13);
    let mut salt_bytes = [0u8; 64];
    let Ok(raw_salt) = salt.decode_b64(&mut salt_bytes) else {
        return Verification::Mismatch;
    };
    let mut out = vec![0u8; expected.len()];
    if !compute(
        algorithm,
        version,
        &params,
        password.as_bytes(),
        raw_salt,
        &mut out,
    ) {
        return Verification::Mismatch;
    }
    // `Output` compares in constant time.
    if Output::new(&out).ok() != Some(expected) {
        return Verification::Mismatch;
    }
    let current = parsed.algorithm == argon2::ARGON2ID_IDENT
        && params.m_cost() >= M_COST_KIB
        && params.t_cost() >= T_COST
        && params.p_cost() >= P_COST;
    Verification::Match {
        needs_rehash: !current,
    }
}

/// A hash of a random password, verified against when the account does not exist, so
/// an unknown email costs the same time as a wrong password.
pub static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash("no account has this password, ever"));

#[cfg(test)]
mod tests {
    use argon2::password_hash::PasswordHasher;

    use super::*;

    #[test]
    fn hashes_interoperate_with_the_argon2_crate() {
        let ours = hash("Fahrrad-Lampe-Kaffee-7");
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            argon2::password_hash::PasswordVerifier::verify_password(
                &Argon2::default(),
                b"Fahrrad-Lampe-Kaffee-7",
                &parsed
            )
            .is_ok(),
            "the crate verifies our hashes"
        );
        let theirs = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(M_COST_KIB, T_COST, P_COST, None).unwrap(),
        )
        .hash_password(b"pw", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert_eq!(verify(&theirs, "pw"), Verification::Match { needs_rehash: false });
        assert_eq!(verify(&theirs, "pW"), Verification::Mismatch);
    }

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
