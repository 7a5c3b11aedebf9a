//! Services: the shared base offer of every office and the local services of each.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::{Action, LocalizedText, Resource, ValidationErrors};
use persistence::RepoError;
use persistence::directory::content::{NewService, ServiceChanges, ServiceRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::auth::{Authenticated, MaybeAuthenticated};
use crate::directory::offices::{LangQuery, find_office, office_at};
use crate::directory::stored::stored_json;
use crate::http::conditional::{Audience, JsonBody, created, require_if_match};
use crate::http::extractors::parse_json;
use crate::http::localize::{requested_language, respond_localized};
use crate::http::pagination::{self, ListQuery, Page};
use crate::http::path::parse_uuid;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// All services: the shared base offer of every office and the local services of each.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    summary = "List services",
    params(ListQuery),
    responses((status = 200, description = "A page of services.", body = Page<ServiceView>))
)]
#[get("/services")]
pub async fn list_services(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    pagination::cached_list(
        &req,
        &query,
        &snapshot.first_pages.services,
        &snapshot.services,
        |s| &s.id,
        caller.audience(),
    )
}

/// One service.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    summary = "Get a service",
    params(("id" = uuid::Uuid, Path, description = "Service id"), LangQuery),
    responses((status = 200, description = "The service.", body = ServiceView))
)]
#[get("/services/{id}")]
pub async fn get_service(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_uuid("id", &id)?;
    let lang = requested_language(&req, query.lang.as_deref())?;
    let snapshot = state.directory.get();
    let index = snapshot
        .service(&id)
        .ok_or_else(|| ApiError::not_found(format!("no service with id {id}")))?;
    Ok(respond_localized(
        &req,
        &JsonBody::new(&snapshot.services[index]),
        caller.audience(),
        lang.as_deref(),
    ))
}

/// The services of one office: the base offer plus its local services.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    summary = "Services of an office",
    params(("id" = String, Path, description = "Office id (UUID) or slug"), LangQuery),
    responses((status = 200, description = "The office's services.", body = Page<ServiceView>))
)]
#[get("/offices/{id}/services")]
pub async fn office_services(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = requested_language(&req, query.lang.as_deref())?;
    let snapshot = state.directory.get();
    let index = office_at(&snapshot, &id)?;
    let items: Vec<ServiceView> = snapshot
        .services_of(&snapshot.offices[index].id)
        .into_iter()
        .cloned()
        .collect();
    let page = Page {
        items,
        next_cursor: None,
    };
    Ok(respond_localized(
        &req,
        &JsonBody::new(&page),
        caller.audience(),
        lang.as_deref(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewServiceRequest {
    /// The office of a local service; omit or `null` for the shared base offer
    /// (coordinators and admins only).
    #[schema(format = Uuid)]
    pub office_id: Option<String>,
    pub name: LocalizedText,
    pub description: LocalizedText,
    /// Topic codes (see `/api/v1/topics`).
    #[serde(default)]
    pub topics: Vec<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePatch {
    pub name: Option<LocalizedText>,
    pub description: Option<LocalizedText>,
    pub topics: Option<Vec<String>>,
}

fn validate_service(
    snapshot: &crate::directory::cache::Snapshot,
    name: Option<&LocalizedText>,
    description: Option<&LocalizedText>,
    topics: Option<&[String]>,
) -> Result<(), ApiError> {
    let mut e = ValidationErrors::default();
    if let Some(n) = name {
        n.validate("/name", 200, &mut e);
    }
    if let Some(d) = description {
        d.validate("/description", 4000, &mut e);
    }
    for (i, t) in topics.unwrap_or_default().iter().enumerate() {
        if !snapshot.topics.iter().any(|x| &x.code == t) {
            e.add(format!("/topics/{i}"), "unknown topic code; see /api/v1/topics");
        }
    }
    e.into_result().map_err(ApiError::validation)
}

/// Add a service: a local one for an office (its staff, coordinators, admins), or one
/// of the base offer (coordinators, admins).
#[utoipa::path(
    security(("bearer" = [])),
    tag = "content",
    summary = "Create a service",
    request_body = NewServiceRequest,
    responses((status = 201, description = "Created.", body = ServiceView))
)]
#[post("/services")]
pub async fn create_service(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The body names the office that decides the action; callers who may manage no
    // services at all are refused before it is read.
    let any_office = caller.actor.offices.iter().next().cloned();
    match &any_office {
        Some(office) if caller.actor.role == domain::Role::Staff => {
            caller.authorize(Action::ManageLocalServices, Resource::Office(office))?
        }
        _ => caller.authorize(Action::ManageBaseServices, Resource::Network)?,
    }
    let b: NewServiceRequest = parse_json(&req, &body)?;
    let snapshot = state.directory.get();
    let office_id = match &b.office_id {
        Some(raw) => {
            let id = parse_uuid("office_id", raw)?;
            let index = find_office(&snapshot, &id)?;
            let id = snapshot.offices[index].id.clone();
            caller.authorize(Action::ManageLocalServices, Resource::Office(&id))?;
            Some(id)
        }
        None => {
            caller.authorize(Action::ManageBaseServices, Resource::Network)?;
            None
        }
    };
    validate_service(&snapshot, Some(&b.name), Some(&b.description), Some(&b.topics))?;
    let ctx = caller.audit();
    let new = NewService {
        office_id,
        code: None,
        name: b.name,
        description: b.description,
        topics: b.topics,
    };
    let row = state
        .db(move |conn| persistence::directory::content::create_service(conn, new, &ctx))
        .await?;
    state.directory.reload(&state.pool).await?;
    let snapshot = state.directory.get();
    let index = snapshot.service(&row.id).ok_or_else(ApiError::internal)?;
    Ok(created(
        &format!("/api/v1/services/{}", row.id),
        &JsonBody::new(&snapshot.services[index]),
    ))
}

/// Change a service. Needs `If-Match`.
#[utoipa::path(
    security(("bearer" = [])),
    tag = "content",
    summary = "Update a service",
    params(("id" = uuid::Uuid, Path, description = "Service id")),
    request_body = ServicePatch,
    responses((status = 200, description = "Updated.", body = ServiceView))
)]
#[patch("/services/{id}")]
pub async fn update_service(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = parse_uuid("id", &id)?;
    let snapshot = state.directory.get();
    let index = snapshot
        .service(&id)
        .ok_or_else(|| ApiError::not_found(format!("no service with id {id}")))?;
    let service = &snapshot.services[index];
    match &service.office_id {
        Some(office) => caller.authorize(Action::ManageLocalServices, Resource::Office(office))?,
        None => caller.authorize(Action::ManageBaseServices, Resource::Network)?,
    }
    require_if_match(&req, &[&JsonBody::new(service).etag])?;
    let b: ServicePatch = parse_json(&req, &body)?;
    validate_service(
        &snapshot,
        b.name.as_ref(),
        b.description.as_ref(),
        b.topics.as_deref(),
    )?;
    let (ctx, version, sid) = (caller.audit(), service.version, id.clone());
    let changes = ServiceChanges {
        name: b.name,
        description: b.description,
        topics: b.topics,
    };
    state
        .db(move |conn| persistence::directory::content::update_service(conn, &sid, version, &changes, &ctx))
        .await?;
    state.directory.reload(&state.pool).await?;
    let snapshot = state.directory.get();
    let index = snapshot.service(&id).ok_or_else(ApiError::internal)?;
    Ok(crate::http::conditional::respond(
        &req,
        &JsonBody::new(&snapshot.services[index]),
        Audience::Private,
    ))
}

/// A service: part of the shared base offer of every office, or local to one office.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceView {
    #[schema(format = Uuid)]
    pub id: String,
    /// `base` (every office offers it) or `local` (one office).
    #[schema(example = "base")]
    pub scope: String,
    /// The office of a local service; `null` for the base offer.
    pub office_id: Option<String>,
    /// Stable code of a base service.
    pub code: Option<String>,
    pub name: LocalizedText,
    pub description: LocalizedText,
    /// Topic codes (see `/api/v1/topics`).
    pub topics: Vec<String>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) version: i64,
}

impl ServiceView {
    pub fn from_row(row: &ServiceRow) -> Result<ServiceView, RepoError> {
        Ok(ServiceView {
            id: row.id.clone(),
            scope: if row.office_id.is_some() { "local" } else { "base" }.into(),
            office_id: row.office_id.clone(),
            code: row.code.clone(),
            name: stored_json(&row.name, "service name")?,
            description: stored_json(&row.description, "service description")?,
            topics: stored_json(&row.topics, "service topics")?,
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        })
    }
}
