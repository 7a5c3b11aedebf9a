//! The Ed25519 keys of access and device tokens: the current key signs, the previous one
//! (kept during a rotation) still verifies what it signed until that expires. Both are
//! published at `/.well-known/jwks.json`, each under its RFC 7638 thumbprint as `kid`,
//! and a token is checked with the key its header names.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// One Ed25519 key pair, ready to sign and verify.
pub struct SigningKeys {
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// Key id: the RFC 7638 thumbprint of the public key.
    pub kid: String,
    public_x: String,
}

impl SigningKeys {
    /// Loads a PKCS#8 PEM Ed25519 private key (`openssl genpkey -algorithm ed25519`).
    pub fn from_pem(pem: &str) -> Result<SigningKeys, String> {
        let key = SigningKey::from_pkcs8_pem(pem).map_err(|e| format!("not an Ed25519 PKCS#8 key: {e}"))?;
        Ok(Self::from_key(&key))
    }

    /// A fresh key and its PEM (PKCS#8 version 1, as OpenSSL writes it).
    pub fn generate() -> (SigningKeys, String) {
        let key = SigningKey::generate(&mut rand_core::OsRng);
        let pem = pkcs8_v1_pem(&key.to_bytes());
        (Self::from_key(&key), pem)
    }

    fn from_key(key: &SigningKey) -> SigningKeys {
        let der = key.to_pkcs8_der().expect("Ed25519 keys encode");
        let public = key.verifying_key().to_bytes();
        let public_x = URL_SAFE_NO_PAD.encode(public);
        let thumbprint_input = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{public_x}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint_input.as_bytes()));
        SigningKeys {
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            decoding: DecodingKey::from_ed_der(&public),
            kid,
            public_x,
        }
    }

    /// The public key as a JWK (RFC 8037).
    fn jwk(&self) -> Value {
        json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "alg": "EdDSA",
            "use": "sig",
            "kid": self.kid,
            "x": self.public_x,
        })
    }
}

/// The keys in use: the current one signs; the previous one, during a rotation, only
/// verifies tokens it signed before, until they expire.
pub struct KeyRing {
    current: SigningKeys,
    previous: Option<SigningKeys>,
}

impl KeyRing {
    /// A ring of `current` and, if given and different, `previous` (the same key given
    /// twice, a half-done rotation, is one key).
    pub fn new(current: SigningKeys, previous: Option<SigningKeys>) -> KeyRing {
        let previous = previous.filter(|p| p.kid != current.kid);
        KeyRing { current, previous }
    }

    /// The key that signs new tokens.
    pub fn current(&self) -> &SigningKeys {
        &self.current
    }

    /// The key that only verifies, during a rotation.
    pub fn previous(&self) -> Option<&SigningKeys> {
        self.previous.as_ref()
    }

    /// The key named by a token's `kid`, if it is one of ours.
    pub fn by_kid(&self, kid: &str) -> Option<&SigningKeys> {
        std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .find(|k| k.kid == kid)
    }

    /// The public key set city IT can verify our access tokens with: the current key
    /// first, then the previous one.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .map(SigningKeys::jwk)
            .collect();
        json!({ "keys": keys })
    }
}

impl From<SigningKeys> for KeyRing {
    fn from(current: SigningKeys) -> KeyRing {
        KeyRing::new(current, None)
    }
}

/// An Ed25519 private key as PKCS#8 version 1 PEM (RFC 8410, section 7), the form
/// `openssl genpkey -algorithm ed25519` writes and every toolkit reads. (The library's
/// own encoder writes version 2 with the public key embedded, which OpenSSL 3 and
/// Python's `cryptography` refuse.)
fn pkcs8_v1_pem(seed: &[u8; 32]) -> String {
    use base64::engine::general_purpose::STANDARD;
    // SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING seed } }
    const PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ];
    let mut der = PREFIX.to_vec();
    der.extend_from_slice(seed);
    let b64 = STANDARD.encode(der);
    format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_pkcs8_v1_and_load_again() {
        let (keys, pem) = SigningKeys::generate();
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("base64");
        assert_eq!(der.len(), 48);
        assert_eq!(
            &der[..16],
            &[
                0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
                0x20
            ]
        );
        let reloaded = SigningKeys::from_pem(&pem).expect("loads");
        assert_eq!(reloaded.kid, keys.kid);
        assert_eq!(keys.kid.len(), 43, "a base64url SHA-256 thumbprint");
        // Where OpenSSL is installed, it must read the file too.
        if let Ok(dir) = std::env::temp_dir().canonicalize() {
            let path = dir.join(format!("lw-key-{}.pem", uuid::Uuid::now_v7()));
            std::fs::write(&path, &pem).expect("write");
            let openssl = std::process::Command::new("openssl")
                .args(["pkey", "-noout", "-in"])
                .arg(&path)
                .status();
            let _ = std::fs::remove_file(&path);
            if let Ok(status) = openssl {
                assert!(status.success(), "openssl pkey refuses the generated key");
            }
        }
    }

    #[test]
    fn the_ring_finds_keys_by_kid_and_lists_the_current_key_first() {
        let (current, _) = SigningKeys::generate();
        let (previous, _) = SigningKeys::generate();
        let (kid_now, kid_before) = (current.kid.clone(), previous.kid.clone());
        let ring = KeyRing::new(current, Some(previous));
        assert_eq!(ring.current().kid, kid_now);
        assert_eq!(
            ring.by_kid(&kid_before).map(|k| k.kid.as_str()),
            Some(kid_before.as_str())
        );
        assert!(ring.by_kid("unknown").is_none());
        let jwks = ring.jwks();
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .filter_map(|k| k["kid"].as_str())
            .collect();
        assert_eq!(kids, [kid_now.as_str(), kid_before.as_str()]);
    }

    #[test]
    fn the_same_key_as_previous_is_one_key() {
        let (_, pem) = SigningKeys::generate();
        let ring = KeyRing::new(
            SigningKeys::from_pem(&pem).expect("loads"),
            Some(SigningKeys::from_pem(&pem).expect("loads")),
        );
        assert!(ring.previous().is_none());
        assert_eq!(ring.jwks()["keys"].as_array().map(Vec::len), Some(1));
    }

    /// RFC 8037, appendix A.1 and A.3: the example key and its RFC 7638 thumbprint.
    #[test]
    fn the_kid_is_the_rfc_7638_thumbprint() {
        let seed: [u8; 32] = URL_SAFE_NO_PAD
            .decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
            .expect("base64url")
            .try_into()
            .expect("32 bytes");
        let keys = SigningKeys::from_key(&SigningKey::from_bytes(&seed));
        assert_eq!(keys.public_x, "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
        assert_eq!(keys.kid, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }
}
