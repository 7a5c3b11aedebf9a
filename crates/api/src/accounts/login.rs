use domain::ProblemCode;
use domain::UserId;
use serde::Serialize;
use utoipa::ToSchema;

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use persistence::accounts::sessions::Rotation;
use serde::Deserialize;

use crate::accounts::auth::extract::unauthenticated;
use crate::accounts::auth::jwt::{self, Claims};
use crate::accounts::auth::passwords::{self, DUMMY_HASH, Verification};
use crate::accounts::auth::secrets::{REFRESH_PREFIX, random_token, token_hash};
use crate::accounts::auth::{AuthState, Limit, SignedIn};
use crate::http::client_address::client_address;
use crate::http::extractors::parse_json;
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "erika.mustermann@stadtdo.de")]
    pub email: String,
    #[schema(format = Password)]
    pub password: String,
    /// The `device_token` of an earlier sign-in to this account from this client, if
    /// the client kept one: it exempts the client from the account's shared guess budget.
    #[serde(default)]
    pub device_token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

fn invalid_credentials() -> ApiError {
    unauthenticated_with(
        ProblemCode::InvalidCredentials,
        "the email or the password is wrong",
    )
}

fn unauthenticated_with(code: ProblemCode, detail: &str) -> ApiError {
    let mut err = unauthenticated(detail);
    err.code = code;
    err
}

pub(crate) fn throttled(wait: Duration) -> ApiError {
    let mut err = ApiError::new(
        ProblemCode::TooManyAttempts,
        "too many failed sign-ins; wait before trying again",
    );
    err.retry_after = Some(wait.as_secs().max(1) + u64::from(wait.subsec_nanos() > 0));
    err
}

/// Issues an access token for a session and pairs it with the given refresh token.
pub(crate) fn token_pair(
    auth: &AuthState,
    user_id: &str,
    role: &str,
    session_id: &str,
    refresh_token: String,
) -> TokenResponse {
    let now = auth.clock.unix_seconds();
    let ttl = auth.config.access_ttl.as_secs();
    let claims = Claims {
        iss: auth.config.issuer.clone(),
        aud: auth.config.audience.clone(),
        sub: user_id.to_owned(),
        exp: now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX)),
        nbf: now,
        iat: now,
        jti: uuid::Uuid::now_v7().to_string(),
        sid: session_id.to_owned(),
        typ: jwt::TOKEN_TYPE.into(),
        role: role.to_owned(),
    };
    TokenResponse {
        access_token: jwt::issue(&auth.keys, &claims),
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: ttl,
        device_token: None,
    }
}

/// A fresh device token for `user_id` (see `jwt::DeviceClaims`).
fn device_token(auth: &AuthState, user_id: &str) -> String {
    let now = auth.clock.unix_seconds();
    jwt::issue_device(
        &auth.keys,
        &jwt::DeviceClaims {
            iss: auth.config.issuer.clone(),
            aud: auth.config.audience.clone(),
            sub: user_id.to_owned(),
            exp: now.saturating_add(i64::try_from(DEVICE_TOKEN_TTL.as_secs()).unwrap_or(i64::MAX)),
            iat: now,
            jti: uuid::Uuid::now_v7().to_string(),
            typ: jwt::DEVICE_TYPE.into(),
        },
    )
}

const DEVICE_TOKEN_TTL: Duration = Duration::from_hours(24 * 90);

/// Starts a new session for `user` and returns its first token pair.
pub(crate) async fn start_session(
    state: &AppState,
    user_id: String,
    role: String,
) -> Result<TokenResponse, ApiError> {
    let refresh_token = random_token(REFRESH_PREFIX);
    let hash = token_hash(&refresh_token);
    let expires = state.clock.now_naive()
        + chrono::Duration::from_std(state.auth.config.session_ttl).expect("sane ttl");
    let uid = UserId::from_stored(user_id.clone());
    let now = state.clock.now_naive();
    let session = state
        .db(move |conn| persistence::accounts::sessions::start(conn, &uid, &hash, expires, now))
        .await?;
    Ok(token_pair(
        &state.auth,
        &user_id,
        &role,
        &session.id,
        refresh_token,
    ))
}

/// Sign in
///
/// Sign in with email and password.
///
/// Failures are counted per account *and* client address (from the fifth, that client
/// waits with exponential back-off, at most 15 minutes: 429 with `Retry-After`), per
/// address over all accounts (from the twentieth), and per account over all clients (a
/// shared guess budget that slows guessing to one try a minute). A client that sends the
/// `device_token` of an earlier sign-in to the account is counted on its own instead of
/// the account-wide and pair counters, so others' failures never lock it out. Unknown
/// email and wrong password answer alike.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in.", body = TokenResponse),
        (status = 401, description = "Wrong email or password.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: LoginRequest = parse_json(&req, &body)?;
    // A place for the password check first: under a flood the surplus is refused before
    // it costs a database write.
    let admission = state.auth.hashing.admit()?;
    let mut email = persistence::accounts::users::normalize_email(&body.email);
    if email.len() > 254 {
        // No account has such an email; keep throttle keys bounded.
        email = "(too long)".into();
    }
    let address = client_address(&req, &state.auth.config.trusted_proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let cfg = state.auth.config.clone();
    let device = body.device_token.as_deref().and_then(|t| {
        jwt::verify_device(
            &state.auth.keys,
            &cfg.issuer,
            &cfg.audience,
            t,
            state.clock.unix_seconds(),
        )
    });
    let address_key = (format!("address:{address}"), cfg.address_throttle);

    // Count the attempt before checking the password, so parallel guesses cannot all
    // pass the check before the first failure is recorded.
    let now = state.clock.now_naive();
    let lookup_email = email.clone();
    let (lookup_address, lookup_address_key) = (address.clone(), address_key.clone());
    let (admitted, user, client_key, forgive) = state
        .db(move |conn| {
            let (address, address_key) = (lookup_address, lookup_address_key);
            let user = persistence::accounts::users::find_by_email(conn, &lookup_email)?;
            let trusted = device.filter(|d| user.as_ref().is_some_and(|u| u.id == d.sub));
            let (client_key, mut keys) = match trusted {
                // A known device: its own counter only (and the address's).
                Some(d) => ((format!("device:{}", d.jti), cfg.pair_throttle), vec![]),
                None => (
                    (format!("pair:{lookup_email}|{address}"), cfg.pair_throttle),
                    vec![(format!("account:{lookup_email}"), cfg.account_throttle)],
                ),
            };
            keys.push(address_key);
            // A success clears the client's counter and gives back what it counted elsewhere.
            let forgive = keys.clone();
            keys.push(client_key.clone());
            let admitted = persistence::accounts::throttle::begin_attempt(conn, &keys, now)?;
            Ok((admitted, user, client_key, forgive))
        })
        .await?;
    if let Err(wait) = admitted {
        tracing::warn!(event = "authn_login_lock", address = %address, "sign-in refused: throttled");
        state.auth.refusals.count(Limit::SignIn);
        return Err(throttled(wait));
    }

    // Always run one argon2 verification, also for unknown or inactive accounts, so
    // timing does not reveal which emails exist.
    let password = body.password;
    let stored = user
        .as_ref()
        .filter(|u| u.active)
        .map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
    let outcome = admission
        .run(move || {
            let outcome = if password.len() > 1024 {
                Verification::Mismatch
            } else {
                passwords::verify(&stored, &password)
            };
            let upgraded = matches!(outcome, Verification::Match { needs_rehash: true })
                .then(|| passwords::hash(&password));
            (outcome, upgraded)
        })
        .await?;
    let (Some(user), (Verification::Match { .. }, upgraded)) = (user.filter(|u| u.active), outcome) else {
        tracing::warn!(event = "authn_login_fail", address = %address, "sign-in failed");
        return Err(invalid_credentials());
    };
    let (id, old) = (UserId::from_stored(user.id.clone()), user.password_hash.clone());
    state
        .db(move |conn| {
            persistence::accounts::throttle::succeeded(conn, &client_key.0, &forgive)?;
            if let Some(new_hash) = upgraded {
                persistence::accounts::users::upgrade_hash(conn, &id, &old, &new_hash)?;
            }
            Ok(())
        })
        .await?;
    tracing::info!(event = "authn_login_success", user = %user.id, "signed in");
    let mut tokens = start_session(&state, user.id.clone(), user.role.clone()).await?;
    tokens.device_token = Some(device_token(&state.auth, &user.id));
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(tokens))
}

/// Refresh tokens
///
/// Exchange a refresh token for a new token pair. Each refresh token works once;
/// presenting a spent one ends the whole session (someone copied it).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair.", body = TokenResponse),
        (status = 401, description = "Unknown, expired, spent or revoked refresh token.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh_tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: RefreshRequest = parse_json(&req, &body)?;
    let presented = token_hash(&body.refresh_token);
    let next = random_token(REFRESH_PREFIX);
    let next_hash = token_hash(&next);
    let now = state.clock.now_naive();
    let rotation = state
        .db(move |conn| persistence::accounts::sessions::rotate(conn, &presented, &next_hash, now))
        .await?;
    match rotation {
        Rotation::Rotated { session, user } => {
            let tokens = token_pair(&state.auth, &user.id, &user.role, &session.id, next);
            Ok(HttpResponse::Ok()
                .insert_header(("cache-control", "no-store"))
                .json(tokens))
        }
        Rotation::Reused { session } => {
            state.auth.forget_states();
            tracing::warn!(
                event = "authn_token_reuse",
                user = %session.user_id,
                session = %session.id,
                "a spent refresh token was presented; the session is revoked"
            );
            Err(unauthenticated_with(
                ProblemCode::RefreshTokenReused,
                "this refresh token was already used; the session has been ended",
            ))
        }
        Rotation::TooFrequent => {
            state.auth.refusals.count(Limit::Refresh);
            let mut err = ApiError::new(
                ProblemCode::TooManyAttempts,
                "this session refreshes too often; keep the access token until it expires",
            );
            err.retry_after = Some(60);
            Err(err)
        }
        Rotation::Invalid => Err(unauthenticated_with(
            ProblemCode::InvalidRefreshToken,
            "the refresh token is unknown, expired or revoked",
        )),
    }
}

/// Sign out
///
/// End the current session: its refresh token and every access token issued in it stop working.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out."))
)]
#[post("/auth/logout")]
pub async fn logout(caller: SignedIn, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let Some(session_id) = caller.0.session_id.clone() else {
        return Err(ApiError::new(
            ProblemCode::NotASession,
            "integration tokens have no session; ask an admin to revoke the token",
        ));
    };
    let now = caller.0.at.naive_utc();
    state
        .db(move |conn| persistence::accounts::sessions::revoke(conn, &session_id, "logout", now))
        .await?;
    state.auth.forget_states();
    tracing::info!(event = "authn_logout", user = %caller.0.actor.id, "signed out");
    Ok(HttpResponse::NoContent().finish())
}

/// Token verification keys
///
/// The public keys that verify access tokens (JWK Set, RFC 7517; EdDSA / Ed25519).
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "JWK Set.", body = Object))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "public, max-age=300"))
        .json(state.auth.keys.jwks())
}

/// What a successful sign-in or refresh returns.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenResponse {
    /// EdDSA-signed JWT; send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Opaque; exchange at `/api/v1/auth/refresh` for a new pair. Single use.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Only on sign-in (`null` otherwise): keep it and send it with the next sign-in to
    /// this account from this client (valid 90 days). Failed guesses by others then do
    /// not slow this client down.
    pub device_token: Option<String>,
}
