use domain::Role;
use domain::{OfficeId, UserId};
use serde::Serialize;
use utoipa::ToSchema;

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use domain::{Action, ActorKind, Resource, ValidationErrors};
use serde::Deserialize;

use crate::accounts::auth::SignedIn;
use crate::accounts::auth::passwords::{self, Verification};
use crate::accounts::login::TokenResponse;
use crate::accounts::login::start_session;
use crate::http::blocking::run_blocking;
use crate::http::extractors::parse_json;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// Who am I
///
/// The caller's account (or integration token), role and offices.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller.", body = MeView))
)]
#[get("/me")]
pub async fn get_me(caller: SignedIn, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let caller = caller.0;
    caller.authorize(Action::ReadOwnAccount, Resource::Network)?;
    let actor = caller.actor.clone();
    let pool = state.pool.clone();
    let me = run_blocking(move || -> Result<MeView, persistence::RepoError> {
        let mut conn = pool.get()?;
        Ok(match actor.kind {
            ActorKind::User => {
                let user =
                    persistence::accounts::users::find(&mut conn, &UserId::from_stored(actor.id.clone()))?
                        .ok_or(persistence::RepoError::NotFound)?;
                MeView {
                    id: user.id.clone(),
                    kind: "user".into(),
                    role: user.role()?,
                    email: Some(user.email),
                    display_name: user.display_name,
                    employer_organization_id: Some(user.employer_organization_id),
                    password_change_required: user.password_change_required,
                    offices: actor.offices.into_iter().map(OfficeId::into_string).collect(),
                }
            }
            ActorKind::Integration => MeView {
                id: actor.id.clone(),
                kind: "integration".into(),
                role: actor.role,
                email: None,
                display_name: "integration token".into(),
                employer_organization_id: None,
                password_change_required: false,
                offices: Vec::new(),
            },
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(me))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(format = Password)]
    pub current_password: String,
    /// 12 to 128 characters, not easy to guess (checked with zxcvbn).
    #[schema(format = Password)]
    pub new_password: String,
}

/// Change my password
///
/// Set your own password. Every session of the account ends (other devices must sign
/// in again); the response carries a fresh token pair for this one.
#[utoipa::path(
    tag = "account",
    security(("bearer" = [])),
    request_body = PasswordChange,
    responses((status = 200, description = "Changed; a new token pair.", body = TokenResponse))
)]
#[put("/me/password")]
pub async fn change_password(
    caller: SignedIn,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let caller = caller.0;
    caller.authorize(Action::ChangeOwnPassword, Resource::Network)?;
    let body: PasswordChange = parse_json(&req, &body)?;
    let pool = state.pool.clone();
    let user_id = UserId::from_stored(caller.actor.id.clone());
    let ctx = caller.audit();
    let policy = state.auth.config.pair_throttle;
    let auth = state.auth.clone();
    let user = state.auth.hashing.run(move || -> Result<_, ApiError> {
        let mut conn = pool.get().map_err(persistence::RepoError::from)?;
        let user = persistence::accounts::users::find(&mut conn, &user_id)?
            .ok_or_else(|| ApiError::not_found("no such account"))?;
        // Guessing the current password with a stolen token is throttled like sign-in.
        let key = (format!("password:{}", user.id), policy);
        if let Err(wait) =
            persistence::accounts::throttle::begin_attempt(&mut conn, std::slice::from_ref(&key), ctx.at)?
        {
            auth.refusals.count(crate::accounts::auth::Limit::PasswordChange);
            return Err(crate::accounts::login::throttled(wait));
        }
        let mut errors = ValidationErrors::default();
        if passwords::verify(&user.password_hash, &body.current_password) == Verification::Mismatch {
            tracing::warn!(event = "authn_password_change_fail", user = %user.id, "wrong current password");
            errors.add("/current_password", "is not your current password");
            return Err(ApiError::validation(errors));
        }
        persistence::accounts::throttle::succeeded(&mut conn, &key.0, &[])?;
        if body.new_password == body.current_password {
            errors.add("/new_password", "must differ from the current password");
        }
        domain::accounts::password::check_new_password(
            "/new_password",
            &body.new_password,
            &[&user.email, &user.display_name],
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let hash = passwords::hash(&body.new_password);
        persistence::accounts::users::set_password(
            &mut conn,
            &user_id,
            &hash,
            false,
            "user.password_changed",
            &ctx,
        )?;
        Ok(user)
    })
    .await??;
    state.auth.forget_states();
    tracing::info!(event = "authn_password_change", user = %user.id, "password changed");
    let tokens = start_session(&state, user.id, user.role).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(tokens))
}

/// Who the caller is: an account, or an integration token.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeView {
    #[schema(format = Uuid)]
    pub id: String,
    /// `user` or `integration`.
    #[schema(example = "user")]
    pub kind: String,
    pub role: Role,
    pub email: Option<String>,
    pub display_name: String,
    pub employer_organization_id: Option<String>,
    pub password_change_required: bool,
    /// Offices the account is assigned to today (its write scope as staff).
    pub offices: Vec<String>,
}
