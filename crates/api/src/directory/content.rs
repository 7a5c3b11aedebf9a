//! Directory content: languages, topics, services, consultation hours and sessions.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::NaiveDate;
use domain::directory::languages::{LANGUAGES, Language};
use domain::directory::schedule::{self, ExtraSession, Slot, WallTime};
use domain::{Action, LocalizedText, Resource, ValidationErrors};
use persistence::directory::content::{
    Hours, HoursClosure, HoursExtra, HoursSlot, NewService, ServiceChanges,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::accounts::auth::{Authenticated, MaybeAuthenticated};
use crate::directory::content_views::{
    ClosureView, ExtraSessionView, ServiceView, SessionView, SlotView, TopicView,
};
use crate::directory::offices::{LangQuery, find_office, office_at};
use crate::http::conditional::{Audience, JsonBody, created, require_if_match};
use crate::http::extractors::parse_json;
use crate::http::localize::{requested_language, respond_localized};
use crate::http::pagination::{self, ListQuery, Page};
use crate::http::path::parse_uuid;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// The languages consultations can be held in (ISO 639 codes, German and English names).
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    summary = "List languages",
    responses((status = 200, description = "All languages.", body = Page<Language>))
)]
#[get("/languages")]
pub async fn list_languages(caller: MaybeAuthenticated, req: HttpRequest) -> HttpResponse {
    let page = Page {
        items: LANGUAGES.to_vec(),
        next_cursor: None,
    };
    crate::http::conditional::respond(&req, &JsonBody::new(&page), caller.audience())
}

/// Topics people come to the offices with.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    summary = "List topics",
    params(ListQuery),
    responses((status = 200, description = "All topics.", body = Page<TopicView>))
)]
#[get("/topics")]
pub async fn list_topics(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    pagination::cached_list(
        &req,
        &query,
        &snapshot.first_pages.topics,
        &snapshot.topics,
        |t| &t.sort_key,
        caller.audience(),
    )
}

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

/// An office's consultation hours: weekly slots, closures, extra sessions, and the
/// OpenStreetMap `opening_hours` string.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    summary = "Consultation hours of an office",
    params(("id" = String, Path, description = "Office id (UUID) or slug"), LangQuery),
    responses((status = 200, description = "The consultation hours.", body = crate::directory::content_views::ConsultationHoursView))
)]
#[get("/offices/{id}/consultation-hours")]
pub async fn get_hours(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = requested_language(&req, query.lang.as_deref())?;
    let snapshot = state.directory.get();
    let index = office_at(&snapshot, &id)?;
    Ok(respond_localized(
        &req,
        snapshot.hours_body(index),
        caller.audience(),
        lang.as_deref(),
    ))
}

/// The whole consultation hours of an office, replacing the current ones.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursRequest {
    #[serde(default)]
    pub by_appointment: bool,
    #[serde(default)]
    pub slots: Vec<SlotView>,
    #[serde(default)]
    pub closures: Vec<ClosureView>,
    #[serde(default)]
    pub extra_sessions: Vec<ExtraSessionView>,
}

fn wall(pointer: &str, raw: &str, e: &mut ValidationErrors) -> WallTime {
    WallTime::parse(raw).unwrap_or_else(|| {
        e.add(pointer, "must be HH:MM (00:00 to 23:59)");
        WallTime::parse("00:00").expect("valid")
    })
}

/// Replace an office's consultation hours (its staff, coordinators, admins). Needs
/// `If-Match` with the ETag of the consultation hours. Slots may not overlap on a weekday,
/// must close after they open, and name known languages.
#[utoipa::path(
    security(("bearer" = [])),
    tag = "content",
    summary = "Replace consultation hours",
    params(("id" = String, Path, description = "Office id (UUID) or slug")),
    request_body = HoursRequest,
    responses((status = 200, description = "The new consultation hours.", body = crate::directory::content_views::ConsultationHoursView))
)]
#[put("/offices/{id}/consultation-hours")]
pub async fn put_hours(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    let index = office_at(&snapshot, &id)?;
    let office = &snapshot.offices[index];
    caller.authorize(Action::ManageConsultationHours, Resource::Office(&office.id))?;
    require_if_match(&req, &[&snapshot.hours_body(index).etag])?;
    let b: HoursRequest = parse_json(&req, &body)?;
    let mut e = ValidationErrors::default();
    let slots: Vec<Slot> = b
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| Slot {
            weekday: s.weekday.weekday(),
            opens: wall(&format!("/slots/{i}/opens"), &s.opens, &mut e),
            closes: wall(&format!("/slots/{i}/closes"), &s.closes, &mut e),
            languages: s.languages.clone(),
        })
        .collect();
    let extras: Vec<ExtraSession> = b
        .extra_sessions
        .iter()
        .enumerate()
        .map(|(i, x)| ExtraSession {
            day: x.day,
            opens: wall(&format!("/extra_sessions/{i}/opens"), &x.opens, &mut e),
            closes: wall(&format!("/extra_sessions/{i}/closes"), &x.closes, &mut e),
            languages: x.languages.clone(),
        })
        .collect();
    let closures: Vec<schedule::Closure> = b
        .closures
        .iter()
        .map(|c| schedule::Closure {
            first_day: c.first_day,
            last_day: c.last_day,
        })
        .collect();
    if e.is_empty() {
        schedule::validate(&slots, &closures, &extras, &mut e);
    }
    for (i, s) in b.slots.iter().enumerate() {
        if let Some(n) = &s.note {
            n.validate(&format!("/slots/{i}/note"), 500, &mut e);
        }
    }
    for (i, c) in b.closures.iter().enumerate() {
        if let Some(r) = &c.reason {
            r.validate(&format!("/closures/{i}/reason"), 500, &mut e);
        }
    }
    for (i, x) in b.extra_sessions.iter().enumerate() {
        if let Some(p) = &x.place {
            e.require_text(&format!("/extra_sessions/{i}/place"), p, 300);
        }
    }
    if b.slots.len() > 100 || b.closures.len() > 200 || b.extra_sessions.len() > 500 {
        e.add("", "at most 100 slots, 200 closures and 500 extra sessions");
    }
    e.into_result().map_err(ApiError::validation)?;
    let hours = Hours {
        by_appointment: b.by_appointment,
        slots: b
            .slots
            .into_iter()
            .map(|s| HoursSlot {
                weekday: s.weekday.number(),
                opens: s.opens,
                closes: s.closes,
                languages: s.languages,
                note: s.note,
            })
            .collect(),
        closures: b
            .closures
            .into_iter()
            .map(|c| HoursClosure {
                first_day: c.first_day,
                last_day: c.last_day,
                reason: c.reason,
            })
            .collect(),
        extra_sessions: b
            .extra_sessions
            .into_iter()
            .map(|x| HoursExtra {
                day: x.day,
                opens: x.opens,
                closes: x.closes,
                languages: x.languages,
                place: x.place,
                note: x.note,
            })
            .collect(),
    };
    let (ctx, version, office_id) = (caller.audit(), office.version, office.id.clone());
    let oid = office_id.clone();
    state
        .db(move |conn| persistence::directory::content::replace_hours(conn, &oid, version, &hours, &ctx))
        .await?;
    state.directory.reload(&state.pool).await?;
    let snapshot = state.directory.get();
    let index = snapshot.office(&office_id).ok_or_else(ApiError::internal)?;
    Ok(crate::http::conditional::respond(
        &req,
        snapshot.hours_body(index),
        Audience::Private,
    ))
}

/// The longest span `/sessions` expands at once.
const MAX_SESSION_DAYS: i64 = 366;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// First day (Berlin calendar day), inclusive.
    pub from: NaiveDate,
    /// Last day, inclusive; at most 366 days after `from`.
    pub to: NaiveDate,
    /// Language for localized texts; overrides `Accept-Language`.
    pub lang: Option<String>,
}

/// The dated sessions from `from` to `to`: weekly slots without closed days, plus extra
/// sessions, with exact UTC instants (daylight saving time included).
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    summary = "Sessions of an office",
    params(("id" = String, Path, description = "Office id (UUID) or slug"), SessionQuery),
    responses((status = 200, description = "The sessions, in time order.", body = Page<SessionView>))
)]
#[get("/offices/{id}/sessions")]
pub async fn sessions(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<SessionQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = requested_language(&req, query.lang.as_deref())?;
    if query.to < query.from {
        return Err(ApiError::invalid_parameter("to", "must not be before from"));
    }
    if (query.to - query.from).num_days() > MAX_SESSION_DAYS {
        return Err(ApiError::invalid_parameter(
            "to",
            format!("at most {MAX_SESSION_DAYS} days after from"),
        ));
    }
    let snapshot = state.directory.get();
    let index = office_at(&snapshot, &id)?;
    let (schedule, hours) = (&snapshot.schedules[index], &snapshot.hours[index]);
    let items: Vec<SessionView> = schedule::expand(
        &schedule.slots,
        &schedule.closures,
        &schedule.extras,
        query.from,
        query.to,
    )
    .into_iter()
    .map(|s| {
        let extra = s.extra.map(|i| &hours.extra_sessions[i]);
        let note = match extra {
            Some(x) => x.note.clone(),
            None => hours
                .slots
                .iter()
                .find(|v| {
                    v.weekday.weekday() == chrono::Datelike::weekday(&s.day) && v.languages == s.languages
                })
                .and_then(|v| v.note.clone()),
        };
        SessionView {
            day: s.day,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            languages: s.languages,
            kind: if extra.is_some() { "extra" } else { "weekly" }.into(),
            place: extra.and_then(|x| x.place.clone()),
            note,
        }
    })
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
