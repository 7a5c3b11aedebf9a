//! The Ed25519 key that signs access tokens, and its public JWK for `/.well-known/jwks.json`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

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

    /// A fresh key and its PEM, for the laptop default that keeps it in the data directory.
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

    /// The public key set city IT can verify our access tokens with.
    pub fn jwks(&self) -> Value {
        json!({
            "keys": [{
                "kty": "OKP",
                "crv": "Ed25519",
                "alg": "EdDSA",
                "use": "sig",
                "kid": self.kid,
                "x": self.public_x,
            }]
        })
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
}
