use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use domain::{Action, Resource};

use crate::accounts::auth::Authenticated;
use crate::accounts::auth::MaybeAuthenticated;
use crate::directory::input::{NewOrganizationRequest, OrganizationPatch};
use crate::directory::views::OrganizationView;
use crate::http::conditional::{Audience, created, require_if_match, respond};
use crate::http::extractors::parse_json;
use crate::http::pagination::ListQuery;
use crate::http::pagination::{self, Page};
use crate::http::path::parse_uuid;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// The City of Dortmund, the welfare providers and partner organizations, oldest first.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "directory",
    summary = "List organizations",
    params(ListQuery),
    responses((status = 200, description = "A page of organizations.", body = Page<OrganizationView>))
)]
#[get("/organizations")]
pub async fn list_organizations(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    pagination::cached_list(
        &req,
        &query,
        &snapshot.first_pages.organizations,
        &snapshot.organizations,
        |o| &o.id,
        caller.audience(),
    )
}

/// One organization.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "directory",
    summary = "Get an organization",
    params(("id" = uuid::Uuid, Path, description = "Organization id")),
    responses((status = 200, description = "The organization.", body = OrganizationView))
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_uuid("id", &id)?;
    let snapshot = state.directory.get();
    let index = snapshot
        .organization(&id)
        .ok_or_else(|| ApiError::not_found(format!("no organization with id {id}")))?;
    Ok(respond(
        &req,
        snapshot.organization_body(index),
        caller.audience(),
    ))
}

/// Add an organization (a provider, or a partner such as a parish hosting an office).
#[utoipa::path(
    tag = "directory",
    summary = "Create an organization",
    security(("bearer" = [])),
    request_body = NewOrganizationRequest,
    responses(
        (status = 201, description = "Created.", body = OrganizationView),
        (status = 409, description = "`organization_name_taken`.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organizations")]
pub async fn create_organization(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::CreateOrganization, Resource::Network)?;
    let body: NewOrganizationRequest = parse_json(&req, &body)?;
    body.validate().map_err(ApiError::validation)?;
    let ctx = caller.audit();
    let row = state
        .db(move |conn| {
            persistence::directory::organizations::create(
                conn,
                persistence::directory::organizations::NewOrganization {
                    name: body.name.trim().to_owned(),
                    short_name: body.short_name.map(|s| s.trim().to_owned()),
                    kind: body.kind,
                    website: body.website,
                },
                &ctx,
            )
        })
        .await?;
    state.directory.reload(&state.pool).await?;
    let snapshot = state.directory.get();
    let index = snapshot.organization(&row.id).ok_or_else(ApiError::internal)?;
    Ok(created(
        &format!("/api/v1/organizations/{}", row.id),
        snapshot.organization_body(index),
    ))
}

/// Change an organization. Needs `If-Match` with the current ETag.
#[utoipa::path(
    tag = "directory",
    summary = "Update an organization",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Organization id")),
    request_body = OrganizationPatch,
    responses((status = 200, description = "Updated.", body = OrganizationView))
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::UpdateOrganization, Resource::Network)?;
    let id = parse_uuid("id", &id)?;
    let snapshot = state.directory.get();
    let index = snapshot
        .organization(&id)
        .ok_or_else(|| ApiError::not_found(format!("no organization with id {id}")))?;
    require_if_match(&req, &[&snapshot.organization_body(index).etag])?;
    let version = snapshot.organizations[index].version;
    let body: OrganizationPatch = parse_json(&req, &body)?;
    body.validate().map_err(ApiError::validation)?;
    let changes = persistence::directory::organizations::OrganizationChanges {
        name: body.name.map(|n| n.trim().to_owned()),
        short_name: body.short_name,
        kind: body.kind,
        website: body.website,
    };
    let ctx = caller.audit();
    let org_id = id.clone();
    state
        .db(move |conn| persistence::directory::organizations::update(conn, &org_id, version, &changes, &ctx))
        .await?;
    state.directory.reload(&state.pool).await?;
    let snapshot = state.directory.get();
    let index = snapshot.organization(&id).ok_or_else(ApiError::internal)?;
    Ok(respond(
        &req,
        snapshot.organization_body(index),
        Audience::Private,
    ))
}
