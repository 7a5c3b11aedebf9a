use chrono::{DateTime, Utc};
use domain::{OrganizationKind, ValidationErrors};
use persistence::RepoError;
use persistence::directory::rows::OrganizationRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::extractors::Query;
use crate::http::extractors::present;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use domain::OrganizationId;
use domain::{Action, Resource};
use persistence::directory::organizations::{NewOrganization, OrganizationChanges};

use crate::accounts::auth::Authenticated;
use crate::accounts::auth::MaybeAuthenticated;
use crate::http::conditional::{Audience, JsonBody, created, require_if_match, respond};
use crate::http::extractors::parse_json;
use crate::http::pagination::ListQuery;
use crate::http::pagination::{self, Page};
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// List organizations
///
/// The City of Dortmund, the welfare providers and partner organizations, oldest first.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "directory",
    params(ListQuery),
    responses((status = 200, description = "A page of organizations.", body = Page<OrganizationView>))
)]
#[get("/organizations")]
pub async fn list_organizations(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    pagination::cached_list(
        &req,
        &query,
        &snapshot.first_pages.organizations,
        snapshot.organizations.iter().map(|o| &o.view),
        |o| &o.id,
        caller.audience(),
    )
}

/// Get an organization
///
/// One organization.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "directory",
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
    let id = parse_id::<OrganizationId>("id", &id)?;
    let snapshot = state.directory.get();
    let organization = snapshot
        .organization(&id)
        .ok_or_else(|| ApiError::not_found(format!("no organization with id {id}")))?;
    Ok(respond(&req, &organization.body, caller.audience()))
}

/// Create an organization
///
/// Add an organization (a provider, or a partner such as a parish hosting an office).
#[utoipa::path(
    tag = "directory",
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
    let new = body.validate().map_err(ApiError::validation)?;
    let ctx = caller.audit();
    let row = state
        .db(move |conn| persistence::directory::organizations::create(conn, new, &ctx))
        .await?;
    let view = OrganizationView::from_row(&row)?;
    state.directory.refresh_after_write(&state.pool).await;
    Ok(created(
        &format!("/api/v1/organizations/{}", row.id),
        &JsonBody::new(&view),
    ))
}

/// Update an organization
///
/// Change an organization. Needs `If-Match` with the current ETag.
#[utoipa::path(
    tag = "directory",
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
    let id = parse_id::<OrganizationId>("id", &id)?;
    let snapshot = state.directory.get();
    let organization = snapshot
        .organization(&id)
        .ok_or_else(|| ApiError::not_found(format!("no organization with id {id}")))?;
    let changes = parse_json::<OrganizationPatch>(&req, &body)?
        .validate()
        .map_err(ApiError::validation)?;
    require_if_match(&req, &[&organization.body.etag])?;
    let version = organization.view.version;
    let ctx = caller.audit();
    let row = state
        .db(move |conn| persistence::directory::organizations::update(conn, &id, version, &changes, &ctx))
        .await?;
    let view = OrganizationView::from_row(&row)?;
    state.directory.refresh_after_write(&state.pool).await;
    Ok(respond(&req, &JsonBody::new(&view), Audience::Private))
}

/// An organization as embedded in other resources.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationRef {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(example = "Diakonisches Werk Dortmund und Lünen gGmbH")]
    pub name: String,
    #[schema(example = "Diakonie Dortmund")]
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
}

/// The City of Dortmund, a welfare provider or a partner organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationView {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
    #[schema(example = "https://www.dortmund.de")]
    pub website: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) version: i64,
}

impl OrganizationView {
    pub fn from_row(row: &OrganizationRow) -> Result<Self, RepoError> {
        Ok(OrganizationView {
            id: row.id.clone(),
            name: row.name.clone(),
            short_name: row.short_name.clone(),
            kind: row.kind()?,
            website: row.website.clone(),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        })
    }

    pub fn as_ref(&self) -> OrganizationRef {
        OrganizationRef {
            id: self.id.clone(),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            kind: self.kind,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganizationRequest {
    #[schema(example = "Jugendhilfe St. Elisabeth")]
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
    #[schema(example = "https://www.example.org")]
    pub website: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub short_name: Option<Option<String>>,
    pub kind: Option<OrganizationKind>,
    #[serde(default, deserialize_with = "present")]
    pub website: Option<Option<String>>,
}

pub fn validate_website(pointer: &str, url: &str, errors: &mut ValidationErrors) {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 300
        && !url.chars().any(char::is_whitespace);
    if !ok || domain::text::refusal(url, false).is_some() {
        errors.add(pointer, "must be an http(s) URL of at most 300 characters");
    }
}

impl NewOrganizationRequest {
    /// Checks every field and turns the request into the write model.
    pub fn validate(self) -> Result<NewOrganization, ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.require_text("/name", &self.name, 200);
        if let Some(s) = &self.short_name {
            e.require_text("/short_name", s, 100);
        }
        if let Some(w) = &self.website {
            validate_website("/website", w, &mut e);
        }
        e.into_result()?;
        Ok(NewOrganization {
            name: domain::text::normalize(&self.name),
            short_name: self.short_name.map(|s| domain::text::normalize(&s)),
            kind: self.kind,
            website: self.website,
        })
    }
}

impl OrganizationPatch {
    /// Checks the fields present and turns the patch into the write model.
    pub fn validate(self) -> Result<OrganizationChanges, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Some(n) = &self.name {
            e.require_text("/name", n, 200);
        }
        if let Some(Some(s)) = &self.short_name {
            e.require_text("/short_name", s, 100);
        }
        if let Some(Some(w)) = &self.website {
            validate_website("/website", w, &mut e);
        }
        e.into_result()?;
        Ok(OrganizationChanges {
            name: self.name.map(|n| domain::text::normalize(&n)),
            short_name: self.short_name,
            kind: self.kind,
            website: self.website,
        })
    }
}
