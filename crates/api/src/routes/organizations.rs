use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::conditional::{Audience, JsonBody, respond};
use crate::pagination::{self, Page};
use crate::problem::ApiError;
use crate::routes::{ListQuery, parse_uuid};
use crate::state::AppState;
use crate::views::OrganizationView;

/// The City of Dortmund, the welfare providers and partner organizations, oldest first.
#[utoipa::path(
    tag = "directory",
    summary = "List organizations",
    params(ListQuery),
    responses((status = 200, description = "A page of organizations.", body = Page<OrganizationView>))
)]
#[get("/organizations")]
pub async fn list_organizations(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    if query.is_first_page() {
        return Ok(respond(
            &req,
            &snapshot.first_pages.organizations,
            Audience::Public,
        ));
    }
    let (after, limit) = query.parse()?;
    let page = pagination::paginate(&snapshot.organizations, |o| &o.id, after.as_deref(), limit);
    Ok(respond(&req, &JsonBody::new(&page), Audience::Public))
}

/// One organization.
#[utoipa::path(
    tag = "directory",
    summary = "Get an organization",
    params(("id" = uuid::Uuid, Path, description = "Organization id")),
    responses((status = 200, description = "The organization.", body = OrganizationView))
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
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
        Audience::Public,
    ))
}
