use chrono::{DateTime, Utc};
use domain::Role;
use persistence::RepoError;
use persistence::accounts::users::UserRow;
use serde::Serialize;
use utoipa::ToSchema;

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use domain::{Action, Resource, UserId, ValidationErrors};
use serde::Deserialize;

use crate::accounts::auth::Authenticated;
use crate::accounts::auth::passwords;
use crate::directory::office_writes::{check_organization, validate_email};
use crate::http::conditional::{Audience, JsonBody, created, require_if_match, respond};
use crate::http::extractors::Query;
use crate::http::extractors::parse_json;
use crate::http::pagination::{ListQuery, Page};
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    #[schema(example = "erika.mustermann@stadtdo.de")]
    pub email: String,
    #[schema(example = "Erika Mustermann")]
    pub display_name: String,
    pub role: Role,
    /// The City of Dortmund or a provider.
    #[schema(format = Uuid)]
    pub employer_organization_id: String,
    /// Initial password chosen by the admin; the account must replace it at first sign-in.
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    #[schema(format = Uuid)]
    pub employer_organization_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// A one-time password for the account, passed on by the admin; the account must
    /// replace it at its next sign-in. All its sessions end.
    #[schema(format = Password)]
    pub password: String,
}

async fn body_of(state: &AppState, id: UserId) -> Result<(UserView, JsonBody), ApiError> {
    let row = state
        .db(move |conn| persistence::accounts::users::find(conn, &id))
        .await?
        .ok_or_else(|| ApiError::not_found("no account with this id"))?;
    let view = UserView::from_row(&row)?;
    let body = JsonBody::new(&view);
    Ok((view, body))
}

/// List accounts
///
/// All accounts, oldest first.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, description = "A page of accounts.", body = Page<UserView>))
)]
#[get("/users")]
pub async fn list_users(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageUsers, Resource::Network)?;
    let (after, limit) = query.parse()?;
    let rows = state
        .db(move |conn| {
            persistence::accounts::users::list(
                conn,
                after.as_deref(),
                i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1,
            )
        })
        .await?;
    let views = rows
        .iter()
        .map(UserView::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let page = crate::http::pagination::paginate(&views, |u| &u.id, None, limit);
    Ok(respond(&req, &JsonBody::new(&page), Audience::Private))
}

/// Create an account
///
/// Create an account with an initial password the admin passes on.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = NewUserRequest,
    responses(
        (status = 201, description = "Created.", body = UserView),
        (status = 409, description = "Email taken (`email_taken`) or unknown organization.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageUsers, Resource::Network)?;
    let body: NewUserRequest = parse_json(&req, &body)?;
    let mut errors = ValidationErrors::default();
    validate_email("/email", &body.email, &mut errors);
    errors.require_text("/display_name", &body.display_name, 200);
    let org_id = check_organization(
        &state.directory.get(),
        "/employer_organization_id",
        &body.employer_organization_id,
        None,
        &mut errors,
    );
    let ctx = caller.audit();
    let pool = state.pool.clone();
    let row = state
        .auth
        .hashing
        .run(move || -> Result<_, ApiError> {
            domain::accounts::password::check_new_password(
                "/password",
                &body.password,
                &[&body.email, &body.display_name],
                &mut errors,
            );
            let (Some(org_id), true) = (org_id, errors.is_empty()) else {
                return Err(ApiError::validation(errors));
            };
            let hash = passwords::hash(&body.password);
            let mut conn = pool.get().map_err(persistence::RepoError::from)?;
            Ok(persistence::accounts::users::create(
                &mut conn,
                persistence::accounts::users::NewUser {
                    email: domain::text::normalize(&body.email),
                    display_name: domain::text::normalize(&body.display_name),
                    employer_organization_id: org_id,
                    role: body.role,
                    password_hash: hash,
                    password_change_required: true,
                },
                &ctx,
            )?)
        })
        .await??;
    tracing::info!(event = "user_created", user = %row.id, by = %caller.actor.id, "account created");
    let view = UserView::from_row(&row)?;
    Ok(created(
        &format!("/api/v1/users/{}", view.id),
        &JsonBody::new(&view),
    ))
}

/// Get an account
///
/// One account.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Account id")),
    responses((status = 200, description = "The account.", body = UserView))
)]
#[get("/users/{id}")]
pub async fn get_user(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageUsers, Resource::Network)?;
    let id = parse_id::<UserId>("id", &id)?;
    let (_, body) = body_of(&state, id).await?;
    Ok(respond(&req, &body, Audience::Private))
}

/// Update an account
///
/// Change name, role or employer. Needs `If-Match`. The last active admin cannot be demoted.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Account id")),
    request_body = UserPatch,
    responses(
        (status = 200, description = "Updated.", body = UserView),
        (status = 409, description = "`last_active_admin` or unknown organization.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageUsers, Resource::Network)?;
    let id = parse_id::<UserId>("id", &id)?;
    let (current, current_body) = body_of(&state, id.clone()).await?;
    let body: UserPatch = parse_json(&req, &body)?;
    let mut errors = ValidationErrors::default();
    if let Some(name) = &body.display_name {
        errors.require_text("/display_name", name, 200);
    }
    let employer = match &body.employer_organization_id {
        Some(raw) => check_organization(
            &state.directory.get(),
            "/employer_organization_id",
            raw,
            None,
            &mut errors,
        ),
        None => None,
    };
    errors.into_result().map_err(ApiError::validation)?;
    require_if_match(&req, &[&current_body.etag])?;
    if body
        .role
        .is_some_and(|role| role.as_str() != current.role.as_str())
    {
        refuse_own_account(&caller, &id, "another admin must change your role")?;
    }
    let changes = persistence::accounts::users::UserChanges {
        display_name: body.display_name.map(|n| domain::text::normalize(&n)),
        role: body.role,
        employer_organization_id: employer,
    };
    let ctx = caller.audit();
    let row = state
        .db(move |conn| persistence::accounts::users::update(conn, &id, current.version, &changes, &ctx))
        .await?;
    state.auth.forget_states();
    let view = UserView::from_row(&row)?;
    Ok(respond(&req, &JsonBody::new(&view), Audience::Private))
}

/// Admins do not lock themselves out: deactivating or demoting one's own account, or
/// resetting one's own password past `/me/password`, is for another admin to do.
fn refuse_own_account(caller: &Authenticated, id: &UserId, what: &str) -> Result<(), ApiError> {
    if domain::Id::as_str(id) == caller.actor.id {
        return Err(ApiError::new(domain::ProblemCode::OwnAccount, what.to_owned()));
    }
    Ok(())
}

async fn set_active(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: String,
    active: bool,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageUsers, Resource::Network)?;
    let id = parse_id::<UserId>("id", &id)?;
    if !active {
        refuse_own_account(&caller, &id, "another admin must deactivate your account")?;
    }
    let ctx = caller.audit();
    let row = state
        .db(move |conn| {
            persistence::accounts::users::find(conn, &id)?.ok_or(persistence::RepoError::NotFound)?;
            persistence::accounts::users::set_active(conn, &id, active, &ctx)
        })
        .await?;
    state.auth.forget_states();
    // Deactivation ends assignments, which changes offices' staffing status.
    state.directory.refresh_after_write(&state.pool).await;
    tracing::info!(
        event = if active { "user_reactivated" } else { "user_deactivated" },
        user = %row.id,
        by = %caller.actor.id,
        "account state changed"
    );
    let view = UserView::from_row(&row)?;
    Ok(respond(&req, &JsonBody::new(&view), Audience::Private))
}

/// Deactivate an account
///
/// Deactivate an account: it can no longer sign in and its sessions end at once.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Account id")),
    responses(
        (status = 200, description = "Deactivated.", body = UserView),
        (status = 409, description = "`last_active_admin`, `own_account`.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/deactivate")]
pub async fn deactivate_user(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_active(caller, req, state, id.into_inner(), false).await
}

/// Reactivate an account
///
/// Reactivate a deactivated account.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Account id")),
    responses((status = 200, description = "Reactivated.", body = UserView))
)]
#[post("/users/{id}/reactivate")]
pub async fn reactivate_user(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_active(caller, req, state, id.into_inner(), true).await
}

/// Reset an account's password
///
/// Set a one-time password for an account (the admin passes it on). The account must
/// choose its own at next sign-in; all its sessions end now.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Account id")),
    request_body = PasswordReset,
    responses((status = 204, description = "Reset; sessions ended."))
)]
#[post("/users/{id}/password-reset")]
pub async fn reset_password(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageUsers, Resource::Network)?;
    let id = parse_id::<UserId>("id", &id)?;
    // /me/password asks for the current password; this route would let a hijacked session
    // skip that and keep the account.
    refuse_own_account(
        &caller,
        &id,
        "change your own password at PUT /api/v1/me/password",
    )?;
    let ctx = caller.audit();
    let pool = state.pool.clone();
    let password = parse_json::<PasswordReset>(&req, &body)?.password;
    state
        .auth
        .hashing
        .run(move || -> Result<(), ApiError> {
            let mut conn = pool.get().map_err(persistence::RepoError::from)?;
            let user = persistence::accounts::users::find(&mut conn, &id)?
                .ok_or_else(|| ApiError::not_found("no account with this id"))?;
            let mut errors = ValidationErrors::default();
            domain::accounts::password::check_new_password(
                "/password",
                &password,
                &[&user.email, &user.display_name],
                &mut errors,
            );
            errors.into_result().map_err(ApiError::validation)?;
            let hash = passwords::hash(&password);
            persistence::accounts::users::set_password(
                &mut conn,
                &id,
                &hash,
                true,
                "user.password_reset",
                &ctx,
            )?;
            Ok(())
        })
        .await??;
    state.auth.forget_states();
    tracing::info!(event = "authn_password_reset", by = %caller.actor.id, "password reset");
    Ok(HttpResponse::NoContent().finish())
}

/// An account, as admins see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(example = "erika.mustermann@stadtdo.de")]
    pub email: String,
    pub display_name: String,
    #[schema(format = Uuid)]
    pub employer_organization_id: String,
    pub role: Role,
    pub active: bool,
    /// The account signs in with a password set by an admin and must choose its own.
    pub password_change_required: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) version: i64,
}

impl UserView {
    pub fn from_row(row: &UserRow) -> Result<UserView, RepoError> {
        Ok(UserView {
            id: row.id.clone(),
            email: row.email.clone(),
            display_name: row.display_name.clone(),
            employer_organization_id: row.employer_organization_id.clone(),
            role: row.role()?,
            active: row.active,
            password_change_required: row.password_change_required,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        })
    }
}
