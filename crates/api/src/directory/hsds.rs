//! Open Referral HSDS 3.0: the directory in the human-services data standard, for
//! other directories to import. Anonymous and open to every origin. Absent values are
//! left out (HSDS types are not nullable), unlike in our own API.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::Offset;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::IntoParams;

use crate::directory::snapshot::{OfficeEntry, Snapshot};
use crate::http::conditional::{Audience, JsonBody, respond};
use crate::http::extractors::Query;
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::state::AppState;
use domain::ServiceId;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HsdsPage {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 2_147_483_647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

fn obj(pairs: Vec<(&str, Option<Value>)>) -> Value {
    let map: Map<String, Value> = pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
        .collect();
    Value::Object(map)
}

fn german(text: &domain::LocalizedText) -> String {
    text.0.get("de").cloned().unwrap_or_default()
}

/// The envelope of HSDS list endpoints.
fn paged(items: Vec<Value>, q: &HsdsPage) -> Result<Value, ApiError> {
    let size = crate::http::pagination::limit(q.per_page)?;
    let page = q.page.unwrap_or(1);
    if page == 0 || i32::try_from(page).is_err() {
        return Err(ApiError::invalid_parameter(
            "page",
            "pages count from 1 (an int32)",
        ));
    }
    let total = items.len();
    let total_pages = total.div_ceil(size).max(1);
    let contents: Vec<Value> = items
        .into_iter()
        .skip((page as usize - 1) * size)
        .take(size)
        .collect();
    Ok(json!({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": contents.len(),
        "first_page": page == 1,
        "last_page": page as usize >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    }))
}

fn city_id(snapshot: &Snapshot) -> Option<String> {
    snapshot
        .organizations
        .iter()
        .map(|o| &o.view)
        .find(|o| o.kind == domain::OrganizationKind::Municipality)
        .map(|o| o.id.clone())
}

fn organization(o: &crate::directory::organizations::OrganizationView) -> Value {
    let role = match o.kind {
        domain::OrganizationKind::Municipality => "Kommune; Trägerin des Netzwerks lokal willkommen",
        domain::OrganizationKind::WelfareProvider => {
            "Wohlfahrtsverband; betreibt lokal-willkommen-Büros gemeinsam mit der Stadt"
        }
        domain::OrganizationKind::Partner => "Partnerorganisation im Netzwerk lokal willkommen",
    };
    obj(vec![
        ("id", Some(json!(o.id))),
        ("name", Some(json!(o.name))),
        ("alternate_name", o.short_name.clone().map(Value::from)),
        ("description", Some(json!(role))),
        ("website", o.website.clone().map(Value::from)),
    ])
}

/// The office's physical location as HSDS sees it (one per office; its current address
/// and, when recorded, its WGS84 coordinates).
fn location(snapshot: &Snapshot, entry: &OfficeEntry) -> Value {
    let office = &entry.view;
    let current = office.current_location.as_ref();
    let address = current.and_then(|l| {
        let street = l.address.street.clone()?;
        Some(json!([{
            "id": l.id,
            "location_id": office.id,
            "address_1": street,
            "city": l.address.city,
            "state_province": "Nordrhein-Westfalen",
            "postal_code": l.address.postal_code.clone().unwrap_or_default(),
            "country": "DE",
            "address_type": "physical",
        }]))
    });
    obj(vec![
        ("id", Some(json!(office.id))),
        ("location_type", Some(json!("physical"))),
        ("name", Some(json!(office.name))),
        ("organization_id", city_id(snapshot).map(Value::from)),
        ("latitude", current.and_then(|l| l.latitude).map(Value::from)),
        ("longitude", current.and_then(|l| l.longitude).map(Value::from)),
        ("addresses", address),
    ])
}

/// Weekly slots as HSDS schedules, times with the current Berlin UTC offset.
fn schedules(snapshot: &Snapshot, entry: &OfficeEntry, service_id: &str) -> Vec<Value> {
    let office = &entry.view;
    let offset = snapshot
        .taken_at
        .with_timezone(&domain::directory::schedule::BERLIN)
        .offset()
        .fix()
        .to_string();
    entry
        .schedule
        .slots
        .iter()
        .enumerate()
        .map(|(i, slot)| {
            json!({
                "id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("{}/{service_id}/slot/{i}", office.id).as_bytes()),
                "service_id": service_id,
                "location_id": office.id,
                "freq": "WEEKLY",
                "byday": crate::directory::hsds::ical_day(slot.weekday),
                "opens_at": format!("{}{offset}", slot.opens),
                "closes_at": format!("{}{offset}", slot.closes),
                "description": format!(
                    "{} {}-{} Uhr (Ortszeit Europe/Berlin); Sprachen: {}",
                    ical_day(slot.weekday), slot.opens, slot.closes, slot.languages.join(", ")
                ),
            })
        })
        .collect()
}

pub(crate) fn ical_day(d: chrono::Weekday) -> &'static str {
    ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][d.num_days_from_monday() as usize]
}

/// Offices that offer a service: every office for the base offer, one for a local service.
fn offices_of<'s>(
    snapshot: &'s Snapshot,
    service: &crate::directory::services::ServiceView,
) -> Vec<&'s OfficeEntry> {
    snapshot
        .offices
        .iter()
        .filter(|entry| service.office_id.as_deref().is_none_or(|o| o == entry.id()))
        .collect()
}

fn service(snapshot: &Snapshot, s: &crate::directory::services::ServiceView) -> Value {
    let offices = offices_of(snapshot, s);
    let organization_id = match &s.office_id {
        Some(office) => snapshot.office(office).map(|o| o.view.provider.id.clone()),
        None => city_id(snapshot),
    };
    let is_consultation = s.code.as_deref() == Some("consultation-hours");
    let mut languages: Vec<String> = if is_consultation {
        offices
            .iter()
            .flat_map(|entry| entry.view.languages.clone())
            .collect()
    } else {
        vec!["de".into()]
    };
    languages.sort();
    languages.dedup();
    let language_values: Vec<Value> = languages
        .iter()
        .map(|code| {
            let name = domain::directory::languages::LANGUAGES.iter().find(|l| l.code == code).map_or(code.as_str(), |l| l.name_de);
            json!({
                "id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("{}/language/{code}", s.id).as_bytes()),
                "service_id": s.id,
                "name": name,
                "code": code,
            })
        })
        .collect();
    let schedule_values: Vec<Value> = if is_consultation {
        offices
            .iter()
            .flat_map(|entry| schedules(snapshot, entry, &s.id))
            .collect()
    } else {
        Vec::new()
    };
    obj(vec![
        ("id", Some(json!(s.id))),
        ("organization_id", organization_id.map(Value::from)),
        ("name", Some(json!(german(&s.name)))),
        ("description", Some(json!(german(&s.description)))),
        ("status", Some(json!("active"))),
        ("last_modified", Some(json!(s.updated_at.to_rfc3339()))),
        ("languages", Some(Value::Array(language_values))),
        ("schedules", Some(Value::Array(schedule_values))),
    ])
}

fn service_at_locations(snapshot: &Snapshot) -> Vec<Value> {
    snapshot
        .services
        .iter()
        .flat_map(|s| {
            offices_of(snapshot, s).into_iter().map(move |entry| {
                json!({
                    "id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("{}/{}", s.id, entry.id()).as_bytes()),
                    "service_id": s.id,
                    "location_id": entry.id(),
                    "location": location(snapshot, entry),
                })
            })
        })
        .collect()
}

/// The default first page of list `slot` is built once per snapshot; other pages per request.
fn cached_page(
    req: &HttpRequest,
    snapshot: &Snapshot,
    slot: usize,
    query: &HsdsPage,
    items: impl Fn(&Snapshot) -> Vec<Value>,
) -> Result<HttpResponse, ApiError> {
    let default = query.page.is_none_or(|p| p == 1)
        && query
            .per_page
            .is_none_or(|n| n == crate::http::pagination::DEFAULT_LIMIT);
    if default {
        let body = snapshot.hsds_first_pages[slot].get_or_init(|| {
            JsonBody::new(&paged(items(snapshot), query).expect("the default page is valid"))
        });
        return Ok(respond(req, body, Audience::Public));
    }
    Ok(ok(req, &paged(items(snapshot), query)?))
}

fn ok(req: &HttpRequest, value: &Value) -> HttpResponse {
    respond(req, &JsonBody::new(value), Audience::Public)
}

/// HSDS API information
///
/// API information (HSDS 3.0).
#[utoipa::path(tag = "hsds", responses((status = 200, description = "Version and profile.", body = Object)))]
#[get("/hsds")]
pub async fn hsds_root(req: HttpRequest) -> HttpResponse {
    ok(
        &req,
        &json!({
            "version": "3.0",
            "profile": "https://docs.openreferral.org/en/latest/hsds/schema_reference.html",
            "openapi_url": "/openapi.json",
        }),
    )
}

/// HSDS services
///
/// All services in HSDS form, with their schedules and languages.
#[utoipa::path(tag = "hsds", params(HsdsPage), responses((status = 200, description = "A page of services.", body = Object)))]
#[get("/hsds/services")]
pub async fn hsds_services(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<HsdsPage>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    cached_page(&req, &snapshot, 0, &query, |s| {
        s.services.iter().map(|x| service(s, x)).collect()
    })
}

/// HSDS service
///
/// One service in HSDS form.
#[utoipa::path(tag = "hsds", params(("id" = uuid::Uuid, Path, description = "Service id")), responses((status = 200, description = "The service.", body = Object)))]
#[get("/hsds/services/{id}")]
pub async fn hsds_service(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id::<ServiceId>("id", &id)?;
    let snapshot = state.directory.get();
    let found = snapshot
        .service(&id)
        .ok_or_else(|| ApiError::not_found(format!("no service with id {id}")))?;
    Ok(ok(&req, &service(&snapshot, found)))
}

/// HSDS organizations
///
/// All organizations in HSDS form.
#[utoipa::path(tag = "hsds", params(HsdsPage), responses((status = 200, description = "A page of organizations.", body = Object)))]
#[get("/hsds/organizations")]
pub async fn hsds_organizations(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<HsdsPage>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    cached_page(&req, &snapshot, 1, &query, |s| {
        s.organizations.iter().map(|o| organization(&o.view)).collect()
    })
}

/// HSDS services at locations
///
/// Which service is offered where, with the location embedded.
#[utoipa::path(tag = "hsds", params(HsdsPage), responses((status = 200, description = "A page of service-at-location links.", body = Object)))]
#[get("/hsds/service_at_locations")]
pub async fn hsds_service_at_locations(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<HsdsPage>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    cached_page(&req, &snapshot, 2, &query, service_at_locations)
}
