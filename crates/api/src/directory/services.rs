//! Services: the shared base offer of every office and the local services of each.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::{Action, LocalizedText, Resource, ValidationErrors};
use persistence::RepoError;
use persistence::directory::content::{NewService, ServiceChanges, ServiceRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::auth::{Authenticated, MaybeAuthenticated};
use crate::directory::offices::{LangQuery, office_at};
use crate::directory::snapshot::Snapshot;
use crate::directory::stored::stored_json;
use crate::http::conditional::{Audience, JsonBody, created, require_if_match};
use crate::http::extractors::Query;
use crate::http::extractors::parse_json;
use crate::http::localize::{requested_language, respond_localized};
use crate::http::pagination::{self, ListQuery, Page};
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::state::AppState;
use domain::{Id, OfficeId, ServiceId};

/// List services
///
/// All services: the shared base offer of every office and the local services of each.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    params(ListQuery),
    responses((status = 200, description = "A page of services.", body = Page<ServiceView>))
)]
#[get("/services")]
pub async fn list_services(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<ListQuery>,
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

/// Get a service
///
/// One service.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    params(("id" = uuid::Uuid, Path, description = "Service id"), LangQuery),
    responses((status = 200, description = "The service.", body = ServiceView))
)]
#[get("/services/{id}")]
pub async fn get_service(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id::<ServiceId>("id", &id)?;
    let lang = requested_language(&req, query.lang.as_deref())?;
    let snapshot = state.directory.get();
    let service = snapshot
        .service(&id)
        .ok_or_else(|| ApiError::not_found(format!("no service with id {id}")))?;
    Ok(respond_localized(
        &req,
        &JsonBody::new(service),
        caller.audience(),
        lang.as_deref(),
    ))
}

/// Services of an office
///
/// The services of one office: the base offer plus its local services.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    params(("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde"), LangQuery),
    responses((status = 200, description = "The office's services.", body = Page<ServiceView>))
)]
#[get("/offices/{office}/services")]
pub async fn office_services(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = requested_language(&req, query.lang.as_deref())?;
    let snapshot = state.directory.get();
    let office = office_at(&snapshot, &id)?;
    let items: Vec<ServiceView> = snapshot.services_of(office.id()).into_iter().cloned().collect();
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

/// Checks names, description and topic codes (against the directory's topics).
fn validate_content(
    directory: &Snapshot,
    name: Option<&LocalizedText>,
    description: Option<&LocalizedText>,
    topics: Option<&[String]>,
    e: &mut ValidationErrors,
) {
    if let Some(n) = name {
        n.validate("/name", 200, e);
    }
    if let Some(d) = description {
        d.validate_multiline("/description", 4000, e);
    }
    let topics = topics.unwrap_or_default();
    for (i, t) in topics.iter().enumerate() {
        if topics[..i].contains(t) {
            e.add(format!("/topics/{i}"), "lists a topic twice");
        } else if !directory.topics.iter().any(|x| &x.code == t) {
            e.add(format!("/topics/{i}"), "unknown topic code; see /api/v1/topics");
        }
    }
}

impl NewServiceRequest {
    /// Checks every field (the office and topics against the directory) into the write
    /// model. An unknown or malformed `office_id` is a validation error at its pointer.
    pub fn validate(self, directory: &Snapshot) -> Result<NewService, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let office_id = match &self.office_id {
            Some(raw) => match OfficeId::parse(raw).and_then(|id| directory.office(id)) {
                Some(office) => Some(office.id().to_owned()),
                None => {
                    e.add("/office_id", "no office with this id");
                    None
                }
            },
            None => None,
        };
        validate_content(
            directory,
            Some(&self.name),
            Some(&self.description),
            Some(&self.topics),
            &mut e,
        );
        e.into_result()?;
        Ok(NewService {
            office_id,
            code: None,
            name: self.name,
            description: self.description,
            topics: self.topics,
        })
    }
}

impl ServicePatch {
    /// Checks the fields present into the write model.
    pub fn validate(self, directory: &Snapshot) -> Result<ServiceChanges, ValidationErrors> {
        let mut e = ValidationErrors::default();
        validate_content(
            directory,
            self.name.as_ref(),
            self.description.as_ref(),
            self.topics.as_deref(),
            &mut e,
        );
        e.into_result()?;
        Ok(ServiceChanges {
            name: self.name,
            description: self.description,
            topics: self.topics,
        })
    }
}

/// Create a service
///
/// Add a service: a local one for an office (its staff, coordinators, admins), or one
/// of the base offer (coordinators, admins).
#[utoipa::path(
    security(("bearer" = [])),
    tag = "content",
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
            caller.authorize(Action::ManageLocalServices, Resource::Office(office))?;
        }
        _ => caller.authorize(Action::ManageBaseServices, Resource::Network)?,
    }
    let snapshot = state.directory.get();
    let new = parse_json::<NewServiceRequest>(&req, &body)?
        .validate(&snapshot)
        .map_err(ApiError::validation)?;
    match &new.office_id {
        Some(office) => caller.authorize(
            Action::ManageLocalServices,
            Resource::Office(&OfficeId::from_stored(office.clone())),
        )?,
        None => caller.authorize(Action::ManageBaseServices, Resource::Network)?,
    }
    let ctx = caller.audit();
    let row = state
        .db(move |conn| persistence::directory::content::create_service(conn, new, &ctx))
        .await?;
    let view = ServiceView::from_row(&row)?;
    state.directory.refresh_after_write(&state.pool).await;
    Ok(created(
        &format!("/api/v1/services/{}", row.id),
        &JsonBody::new(&view),
    ))
}

/// Update a service
///
/// Change a service. Needs `If-Match`.
#[utoipa::path(
    security(("bearer" = [])),
    tag = "content",
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
    let id = parse_id::<ServiceId>("id", &id)?;
    let snapshot = state.directory.get();
    let service = snapshot
        .service(&id)
        .ok_or_else(|| ApiError::not_found(format!("no service with id {id}")))?;
    match &service.office_id {
        Some(office) => caller.authorize(
            Action::ManageLocalServices,
            Resource::Office(&OfficeId::from_stored(office.clone())),
        )?,
        None => caller.authorize(Action::ManageBaseServices, Resource::Network)?,
    }
    let changes = parse_json::<ServicePatch>(&req, &body)?
        .validate(&snapshot)
        .map_err(ApiError::validation)?;
    require_if_match(&req, &[&JsonBody::new(service).etag])?;
    let (ctx, version) = (caller.audit(), service.version);
    let row = state
        .db(move |conn| persistence::directory::content::update_service(conn, &id, version, &changes, &ctx))
        .await?;
    let view = ServiceView::from_row(&row)?;
    state.directory.refresh_after_write(&state.pool).await;
    Ok(crate::http::conditional::respond(
        &req,
        &JsonBody::new(&view),
        Audience::Private,
    ))
}

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
