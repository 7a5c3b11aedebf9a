//! Bearer-token extractors. Put one first in a handler's arguments: extractors run in
//! order, so a missing or bad token is a 401 before the body is even parsed.

use domain::ProblemCode;
use domain::SessionId;
use domain::UserId;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use domain::{Actor, ActorKind, Role};

use super::jwt;
use super::secrets::{API_TOKEN_PREFIX, token_hash};
use crate::http::blocking::run_blocking;
use crate::http::problem::ApiError;
use crate::http::request_id::RequestId;
use crate::state::AppState;

/// An authenticated caller who may use the API normally.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub actor: Actor,
    /// The sign-in session, for user tokens; `None` for integration tokens.
    pub session_id: Option<SessionId>,
    pub password_change_required: bool,
    pub request_id: Option<String>,
    /// When the request was authenticated, from the application clock: the time of
    /// every change it makes.
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Like [`Authenticated`], but also admits accounts that must still change their
/// initial password: only for `/me`, `/me/password` and logout.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Authenticated);

impl Authenticated {
    /// The account behind the token; `None` for integration tokens.
    pub fn user_id(&self) -> Option<UserId> {
        (self.actor.kind == ActorKind::User).then(|| UserId::from_stored(self.actor.id.clone()))
    }

    /// The audit context of this caller's changes.
    pub fn audit(&self) -> persistence::audit::AuditContext {
        persistence::audit::AuditContext {
            actor_id: Some(self.actor.id.clone()),
            actor_kind: Some(match self.actor.kind {
                ActorKind::User => "user",
                ActorKind::Integration => "integration",
            }),
            actor_role: Some(self.actor.role.as_str()),
            request_id: self.request_id.clone(),
            at: self.at.naive_utc(),
        }
    }

    /// Asks the policy; a refusal is logged (`authz_fail`) and becomes 403 `forbidden`.
    pub fn authorize(&self, action: domain::Action, resource: domain::Resource<'_>) -> Result<(), ApiError> {
        domain::authorize(&self.actor, action, resource).map_err(|denied| {
            tracing::warn!(
                event = "authz_fail",
                actor = %self.actor.id,
                role = denied.role,
                action = ?denied.action,
                "access denied"
            );
            ApiError::new(ProblemCode::Forbidden, "your account may not do this")
        })
    }
}

pub fn unauthenticated(detail: &str) -> ApiError {
    let mut err = ApiError::new(ProblemCode::Unauthenticated, detail);
    err.bearer_challenge = true;
    err
}

/// A token was sent but is not (or no longer) valid: refresh or sign in again.
fn invalid_token(detail: &str) -> ApiError {
    let mut err = unauthenticated(detail);
    err.invalid_token = true;
    err
}

fn bearer_token(req: &HttpRequest) -> Result<&str, ApiError> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthenticated("send `Authorization: Bearer <token>`"))?;
    header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| unauthenticated("the Authorization header must use the Bearer scheme"))
}

fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|r| r.0.clone())
}

/// The caller of a live session, or 401 when the session has ended.
fn from_session(
    claims: &jwt::Claims,
    session: Option<std::sync::Arc<persistence::accounts::sessions::SessionState>>,
    request_id: Option<String>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Authenticated, ApiError> {
    let session = session
        .filter(|s| s.user_id == claims.sub)
        .ok_or_else(|| invalid_token("the session has ended; sign in again"))?;
    Ok(Authenticated {
        actor: Actor {
            id: session.user_id.clone(),
            kind: ActorKind::User,
            role: session.role,
            offices: session.offices.clone(),
        },
        session_id: Some(SessionId::from_stored(claims.sid.clone())),
        password_change_required: session.password_change_required,
        request_id,
        at,
    })
}

/// The common case without any await: a token verified before and a session state
/// read within the last seconds. `None` when the database has to be asked.
fn authenticate_cached(req: &HttpRequest) -> Option<Result<Authenticated, ApiError>> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .expect("AppState is registered");
    let token = match bearer_token(req) {
        Ok(token) => token,
        Err(e) => return Some(Err(e)),
    };
    if token.starts_with(API_TOKEN_PREFIX) {
        return None;
    }
    let claims = state.auth.verified(token, state.clock.unix_seconds())?;
    let session = state.auth.session(&claims.sid)?;
    Some(from_session(&claims, session, request_id(req), state.clock.now()))
}

async fn authenticate(req: HttpRequest) -> Result<Authenticated, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .expect("AppState is registered")
        .clone();
    let request_id = request_id(&req);
    let token = bearer_token(&req)?;
    let auth = &state.auth;
    let at = state.clock.now();
    let now = at.naive_utc();

    if token.starts_with(API_TOKEN_PREFIX) {
        let hash = token_hash(token);
        let actor = match auth.integration(&hash) {
            Some(actor) => actor,
            None => {
                let generation = auth.generation();
                let pool = state.pool.clone();
                let h = hash.clone();
                let row = run_blocking(move || {
                    let mut conn = pool.get()?;
                    persistence::accounts::api_tokens::find_live(&mut conn, &h, now)
                })
                .await?;
                let actor = row.map(|r| Actor {
                    id: r.id,
                    kind: ActorKind::Integration,
                    role: Role::Reader,
                    offices: std::collections::BTreeSet::default(),
                });
                auth.remember_integration(generation, &hash, actor.clone());
                actor
            }
        };
        let actor =
            actor.ok_or_else(|| invalid_token("the integration token is unknown, expired or revoked"))?;
        return Ok(Authenticated {
            actor,
            session_id: None,
            password_change_required: false,
            request_id,
            at,
        });
    }

    let claims = match auth.verified(token, at.timestamp()) {
        Some(claims) => claims,
        None => {
            let claims = jwt::verify(
                &auth.keys,
                &auth.config.issuer,
                &auth.config.audience,
                token,
                at.timestamp(),
            )
            .ok_or_else(|| {
                tracing::info!(event = "authn_token_invalid", "rejected an invalid access token");
                invalid_token("the access token is invalid or expired")
            })?;
            let claims = std::sync::Arc::new(claims);
            auth.remember_verified(token, claims.clone(), at.timestamp());
            claims
        }
    };
    let session = match auth.session(&claims.sid) {
        Some(session) => session,
        None => {
            let generation = auth.generation();
            let pool = state.pool.clone();
            let sid = SessionId::from_stored(claims.sid.clone());
            let session = run_blocking(move || {
                let mut conn = pool.get()?;
                persistence::accounts::sessions::state(&mut conn, &sid, now)
            })
            .await?
            .map(std::sync::Arc::new);
            auth.remember_session(generation, &claims.sid, session.clone());
            session
        }
    };
    from_session(&claims, session, request_id, at)
}

/// Resolves at once on the cached path, or runs the database lookups.
pub enum AuthFuture<T> {
    Ready(Option<Result<T, ApiError>>),
    Pending(Pin<Box<dyn Future<Output = Result<T, ApiError>>>>),
}

impl<T: Unpin> Future for AuthFuture<T> {
    type Output = Result<T, ApiError>;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        match self.get_mut() {
            AuthFuture::Ready(result) => {
                std::task::Poll::Ready(result.take().expect("polled after completion"))
            }
            AuthFuture::Pending(future) => future.as_mut().poll(cx),
        }
    }
}

fn resolve<T: Unpin + 'static>(
    req: &HttpRequest,
    finish: fn(Authenticated) -> Result<T, ApiError>,
) -> AuthFuture<T> {
    match authenticate_cached(req) {
        Some(result) => AuthFuture::Ready(Some(result.and_then(finish))),
        None => {
            let req = req.clone();
            AuthFuture::Pending(Box::pin(async move { authenticate(req).await.and_then(finish) }))
        }
    }
}

fn require_own_password(auth: Authenticated) -> Result<Authenticated, ApiError> {
    if auth.password_change_required {
        return Err(ApiError::new(
            ProblemCode::PasswordChangeRequired,
            "set your own password first: PUT /api/v1/me/password",
        ));
    }
    Ok(auth)
}

impl FromRequest for SignedIn {
    type Error = ApiError;
    type Future = AuthFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        resolve(req, |auth| Ok(SignedIn(auth)))
    }
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = AuthFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        resolve(req, require_own_password)
    }
}

/// For public reads: anonymous without an `Authorization` header; with one, the token
/// must be valid (an expired token is a 401, so clients notice) and the response is
/// private (`Cache-Control: no-store`) because it may carry more than the public view.
#[derive(Debug, Clone)]
pub struct MaybeAuthenticated(pub Option<Authenticated>);

impl MaybeAuthenticated {
    pub fn audience(&self) -> crate::http::conditional::Audience {
        match self.0 {
            Some(_) => crate::http::conditional::Audience::Private,
            None => crate::http::conditional::Audience::Public,
        }
    }
}

impl FromRequest for MaybeAuthenticated {
    type Error = ApiError;
    type Future = AuthFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if !req.headers().contains_key(actix_web::http::header::AUTHORIZATION) {
            return AuthFuture::Ready(Some(Ok(MaybeAuthenticated(None))));
        }
        resolve(req, |auth| Ok(MaybeAuthenticated(Some(auth))))
    }
}
