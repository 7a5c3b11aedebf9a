use chrono::{DateTime, Utc};
use domain::Role;
use persistence::accounts::api_tokens::ApiTokenRow;
use serde::Serialize;
use utoipa::ToSchema;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use domain::{Action, Resource, ValidationErrors};
use serde::Deserialize;

use crate::accounts::auth::Authenticated;
use crate::accounts::auth::secrets::{API_TOKEN_PREFIX, random_token, token_hash};
use crate::http::conditional::{Audience, JsonBody, created, respond};
use crate::http::extractors::Query;
use crate::http::extractors::parse_json;
use crate::http::pagination::{ListQuery, Page};
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::state::AppState;
use domain::ApiTokenId;

/// Longest lifetime of an integration token; integrations rotate at least yearly.
const MAX_DAYS: i64 = 366;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiTokenRequest {
    /// What the token is for, e.g. "Stadtportal dortmund.de".
    #[schema(example = "Stadtportal dortmund.de")]
    pub name: String,
    /// When the token stops working; at most 366 days ahead.
    pub expires_at: DateTime<Utc>,
}

/// List integration tokens
///
/// Integration tokens (without their secrets), oldest first.
#[utoipa::path(
    tag = "integrations",
    security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, description = "A page of tokens.", body = Page<ApiTokenView>))
)]
#[get("/api-tokens")]
pub async fn list_api_tokens(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageApiTokens, Resource::Network)?;
    let (after, limit) = query.parse()?;
    let rows = state
        .db(move |conn| {
            persistence::accounts::api_tokens::list(
                conn,
                after.as_deref(),
                i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1,
            )
        })
        .await?;
    let views: Vec<ApiTokenView> = rows.iter().map(ApiTokenView::from_row).collect();
    let page = crate::http::pagination::paginate(&views, |t| &t.id, None, limit);
    Ok(respond(&req, &JsonBody::new(&page), Audience::Private))
}

/// Create an integration token
///
/// Issue a read-only (`reader`) token for an integration. The secret is in this
/// response only; send it as `Authorization: Bearer <token>`.
#[utoipa::path(
    tag = "integrations",
    security(("bearer" = [])),
    request_body = NewApiTokenRequest,
    responses((status = 201, description = "Created; `token` is shown once.", body = NewApiTokenView))
)]
#[post("/api-tokens")]
pub async fn create_api_token(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageApiTokens, Resource::Network)?;
    let body: NewApiTokenRequest = parse_json(&req, &body)?;
    let mut errors = ValidationErrors::default();
    errors.require_text("/name", &body.name, 200);
    let now = caller.at;
    if body.expires_at <= now {
        errors.add("/expires_at", "must be in the future");
    } else if body.expires_at > now + chrono::Duration::days(MAX_DAYS) {
        errors.add("/expires_at", format!("must be at most {MAX_DAYS} days ahead"));
    }
    errors.into_result().map_err(ApiError::validation)?;
    let token = random_token(API_TOKEN_PREFIX);
    let hash = token_hash(&token);
    let ctx = caller.audit();
    let row = state
        .db(move |conn| {
            persistence::accounts::api_tokens::create(
                conn,
                &body.name,
                &hash,
                body.expires_at.naive_utc(),
                &ctx,
            )
        })
        .await?;
    let view = NewApiTokenView {
        token_info: ApiTokenView::from_row(&row),
        token,
    };
    Ok(created(
        &format!("/api/v1/api-tokens/{}", row.id),
        &JsonBody::new(&view),
    ))
}

/// Revoke an integration token
///
/// Revoke a token; it stops working within seconds on every instance.
#[utoipa::path(
    tag = "integrations",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Token id")),
    responses((status = 200, description = "Revoked.", body = ApiTokenView))
)]
#[post("/api-tokens/{id}/revoke")]
pub async fn revoke_api_token(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageApiTokens, Resource::Network)?;
    let id = parse_id::<ApiTokenId>("id", &id)?;
    let ctx = caller.audit();
    let row = state
        .db(move |conn| persistence::accounts::api_tokens::revoke(conn, &id, &ctx))
        .await?;
    state.auth.forget_states();
    tracing::info!(event = "authn_token_revoked", token = %row.id, by = %caller.actor.id, "integration token revoked");
    Ok(respond(
        &req,
        &JsonBody::new(&ApiTokenView::from_row(&row)),
        Audience::Private,
    ))
}

/// An integration token, without its secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiTokenView {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub role: Role,
    #[schema(format = Uuid)]
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiTokenView {
    pub fn from_row(row: &ApiTokenRow) -> ApiTokenView {
        ApiTokenView {
            id: row.id.clone(),
            name: row.name.clone(),
            role: Role::Reader,
            created_by: row.created_by.clone(),
            created_at: row.created_at.and_utc(),
            expires_at: row.expires_at.and_utc(),
            revoked_at: row.revoked_at.map(|t| t.and_utc()),
        }
    }
}

/// A newly created integration token: `token` is shown here once and never again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewApiTokenView {
    #[serde(flatten)]
    pub token_info: ApiTokenView,
    /// The secret; store it now. Only its hash is kept.
    pub token: String,
}
