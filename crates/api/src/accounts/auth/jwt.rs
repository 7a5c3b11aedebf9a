//! Access tokens: short-lived EdDSA JWTs (RFC 8725 practices: one pinned algorithm,
//! every registered claim required, explicit token type, small leeway). Tokens are signed
//! with the current key and verified with the key their header's `kid` names: a token
//! naming no key of ours is invalid like any other.

use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};

use super::keys::KeyRing;

pub const TOKEN_TYPE: &str = "access";
/// Clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECONDS: u64 = 5;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// User id.
    pub sub: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub jti: String,
    /// Session id: revoking the session ends the token.
    pub sid: String,
    /// Always `access`; guards against any other token being used as one.
    pub typ: String,
    /// The role at issue time, for clients. Authorization reads the current role.
    pub role: String,
}

pub fn issue(keys: &KeyRing, claims: &Claims) -> String {
    sign(keys, HEADER_TYPE, claims)
}

fn sign(keys: &KeyRing, typ: &str, claims: &impl Serialize) -> String {
    let key = keys.current();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.kid.clone());
    header.typ = Some(typ.into());
    encode(&header, claims, &key.encoding).expect("signing with a valid key cannot fail")
}

/// The verification key named by the token's header, if the token names one of ours.
fn named_key<'k>(keys: &'k KeyRing, token: &str) -> Option<&'k DecodingKey> {
    let kid = decode_header(token).ok()?.kid?;
    keys.by_kid(&kid).map(|k| &k.decoding)
}

/// Verifies signature, algorithm, issuer, audience, time window (against `now`, the
/// application clock's seconds) and token type.
pub fn verify(keys: &KeyRing, issuer: &str, audience: &str, token: &str, now: i64) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
    // The time window is checked below against the application clock, not the library's.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    let data = decode::<Claims>(token, named_key(keys, token)?, &validation).ok()?;
    let claims = data.claims;
    let leeway = i64::try_from(LEEWAY_SECONDS).unwrap_or(i64::MAX);
    let in_window = now < claims.exp.saturating_add(leeway)
        && claims.nbf.saturating_sub(leeway) <= now
        && claims.iat.saturating_sub(leeway) <= now;
    let typed = data.header.typ.as_deref() == Some(HEADER_TYPE) && claims.typ == TOKEN_TYPE;
    (in_window && typed).then_some(claims)
}

/// The JOSE header `typ` of access tokens (RFC 9068).
pub const HEADER_TYPE: &str = "at+jwt";

/// A device token: proof that this client has signed in to this account before, so the
/// account's shared guess budget does not lock it out (OWASP's device-cookie pattern).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeviceClaims {
    pub iss: String,
    pub aud: String,
    /// User id.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    /// Names this device's own failure counter.
    pub jti: String,
    /// Always `device`.
    pub typ: String,
}

pub const DEVICE_TYPE: &str = "device";
const DEVICE_HEADER_TYPE: &str = "device+jwt";

pub fn issue_device(keys: &KeyRing, claims: &DeviceClaims) -> String {
    sign(keys, DEVICE_HEADER_TYPE, claims)
}

/// A valid, unexpired device token, or `None`.
pub fn verify_device(
    keys: &KeyRing,
    issuer: &str,
    audience: &str,
    token: &str,
    now: i64,
) -> Option<DeviceClaims> {
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    validation.validate_exp = false;
    let data = decode::<DeviceClaims>(token, named_key(keys, token)?, &validation).ok()?;
    let claims = data.claims;
    let fresh =
        now < claims.exp && claims.iat <= now.saturating_add(i64::try_from(LEEWAY_SECONDS).unwrap_or(0));
    let typed = data.header.typ.as_deref() == Some(DEVICE_HEADER_TYPE) && claims.typ == DEVICE_TYPE;
    (fresh && typed).then_some(claims)
}

#[cfg(test)]
mod tests {
    use super::super::keys::SigningKeys;
    use super::*;

    fn ring(current: &str, previous: Option<&str>) -> KeyRing {
        let load = |pem: &str| SigningKeys::from_pem(pem).expect("key");
        KeyRing::new(load(current), previous.map(load))
    }

    /// Access and device tokens of the previous key verify until that key is dropped.
    #[test]
    fn tokens_verify_with_the_key_their_kid_names() {
        let (_, old) = SigningKeys::generate();
        let (_, new) = SigningKeys::generate();
        let now = 1_800_000_000;
        let access = Claims {
            iss: "i".into(),
            aud: "a".into(),
            sub: "u".into(),
            exp: now + 900,
            nbf: now,
            iat: now,
            jti: "j".into(),
            sid: "s".into(),
            typ: TOKEN_TYPE.into(),
            role: "staff".into(),
        };
        let device = DeviceClaims {
            iss: "i".into(),
            aud: "a".into(),
            sub: "u".into(),
            exp: now + 900,
            iat: now,
            jti: "d".into(),
            typ: DEVICE_TYPE.into(),
        };
        let before = ring(&old, None);
        let (access_token, device_token) = (issue(&before, &access), issue_device(&before, &device));
        let rotated = ring(&new, Some(&old));
        assert_eq!(
            verify(&rotated, "i", "a", &access_token, now),
            Some(access.clone())
        );
        assert_eq!(
            verify_device(&rotated, "i", "a", &device_token, now),
            Some(device.clone())
        );
        let fresh = issue(&rotated, &access);
        assert_eq!(
            decode_header(&fresh).expect("header").kid.as_deref(),
            Some(rotated.current().kid.as_str())
        );
        let dropped = ring(&new, None);
        assert_eq!(verify(&dropped, "i", "a", &access_token, now), None);
        assert_eq!(verify_device(&dropped, "i", "a", &device_token, now), None);
        assert_eq!(verify(&dropped, "i", "a", &fresh, now), Some(access));
    }
}
