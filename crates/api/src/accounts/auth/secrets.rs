//! Opaque random tokens (refresh and integration tokens) and how they are stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

pub const REFRESH_PREFIX: &str = "lwr_";
pub const API_TOKEN_PREFIX: &str = "lwt_";

/// 256 random bits, base64url, with a prefix saying what the token is (helps secret scanners).
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form: SHA-256, hex. High-entropy tokens need no slow hash.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().fold(String::with_capacity(64), |mut hex, b| {
        let _ = std::fmt::Write::write_fmt(&mut hex, format_args!("{b:02x}"));
        hex
    })
}
