//! Access tokens: short-lived EdDSA JWTs (RFC 8725 practices: one pinned algorithm,
//! every registered claim required, explicit token type, small leeway).

use jsonwebtoken::{Algorithm, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use super::keys::SigningKeys;

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

pub fn issue(keys: &SigningKeys, claims: &Claims) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(keys.kid.clone());
    header.typ = Some(HEADER_TYPE.into());
    encode(&header, claims, &keys.encoding).expect("signing with a valid key cannot fail")
}

/// Verifies signature, algorithm, issuer, audience, time window (against `now`, the
/// application clock's seconds) and token type.
pub fn verify(keys: &SigningKeys, issuer: &str, audience: &str, token: &str, now: i64) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
    // The time window is checked below against the application clock, not the library's.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    let data = decode::<Claims>(token, &keys.decoding, &validation).ok()?;
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

pub fn issue_device(keys: &SigningKeys, claims: &DeviceClaims) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(keys.kid.clone());
    header.typ = Some(DEVICE_HEADER_TYPE.into());
    encode(&header, claims, &keys.encoding).expect("signing with a valid key cannot fail")
}

/// A valid, unexpired device token, or `None`.
pub fn verify_device(
    keys: &SigningKeys,
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
    let data = decode::<DeviceClaims>(token, &keys.decoding, &validation).ok()?;
    let claims = data.claims;
    let fresh =
        now < claims.exp && claims.iat <= now.saturating_add(i64::try_from(LEEWAY_SECONDS).unwrap_or(0));
    let typed = data.header.typ.as_deref() == Some(DEVICE_HEADER_TYPE) && claims.typ == DEVICE_TYPE;
    (fresh && typed).then_some(claims)
}
