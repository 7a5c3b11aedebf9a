//! Creating, changing and relocating offices.

use chrono::NaiveDate;
use domain::{Address, District, LocalizedText, OfficeKind, OfficeStatus};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::http::extractors::present;
use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use domain::{Action, OrganizationKind, Resource, ValidationErrors};
use persistence::directory::offices::{NewLocation, NewOffice, OfficeChanges};

use crate::accounts::auth::Authenticated;
use crate::directory::cache::Snapshot;
use crate::directory::offices::LocationView;
use crate::directory::offices::OfficeView;
use crate::directory::offices::office_at;
use crate::http::conditional::{Audience, JsonBody, created, require_if_match, respond};
use crate::http::extractors::parse_json;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// Checks that `id` names an organization, of `kind` if given.
fn check_organization(
    snapshot: &Snapshot,
    pointer: &str,
    raw: &str,
    kind: Option<OrganizationKind>,
    e: &mut ValidationErrors,
) -> Option<String> {
    let Ok(id) = uuid::Uuid::parse_str(raw).map(|u| u.hyphenated().to_string()) else {
        e.add(pointer, "must be a UUID");
        return None;
    };
    match snapshot.organization(&id).map(|i| &snapshot.organizations[i]) {
        None => e.add(pointer, "no organization with this id"),
        Some(org) if kind.is_some_and(|k| org.kind != k) => {
            e.add(pointer, "must be a welfare provider (kind `welfare_provider`)")
        }
        Some(_) => return Some(id),
    }
    None
}

/// Add an office or outpost, optionally with its first location.
#[utoipa::path(
    tag = "offices",
    summary = "Create an office",
    security(("bearer" = [])),
    request_body = NewOfficeRequest,
    responses(
        (status = 201, description = "Created.", body = OfficeView),
        (status = 409, description = "`slug_taken`.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/offices")]
pub async fn create_office(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::CreateOffice, Resource::Network)?;
    let b: NewOfficeRequest = parse_json(&req, &body)?;
    let snapshot = state.directory.get();
    let mut e = ValidationErrors::default();
    validate_slug("/slug", &b.slug, &mut e);
    e.require_text("/name", &b.name, 200);
    validate_districts("/districts", &b.districts, &mut e);
    b.description.validate("/description", 4000, &mut e);
    if let Some(p) = &b.contact.phone {
        validate_phone("/contact/phone", p, &mut e);
    }
    if let Some(m) = &b.contact.email {
        validate_email("/contact/email", m, &mut e);
    }
    let provider = check_organization(
        &snapshot,
        "/provider_organization_id",
        &b.provider_organization_id,
        Some(OrganizationKind::WelfareProvider),
        &mut e,
    );
    let first_location = match b.location {
        Some(l) => {
            let mut sub = ValidationErrors::default();
            validate_location_text(&l.address, &l.premises, &l.reason, &l.note, &mut sub);
            let host = l
                .host_organization_id
                .as_deref()
                .and_then(|h| check_organization(&snapshot, "/host_organization_id", h, None, &mut sub));
            e.0.extend(sub.0.into_iter().map(|mut f| {
                f.pointer = f.pointer.map(|p| format!("/location{p}"));
                f
            }));
            if let Some(opened) = b.opened_on
                && l.valid_from < opened
            {
                e.add("/location/valid_from", "must not be before opened_on");
            }
            Some((
                l.valid_from,
                NewLocation {
                    address: l.address,
                    premises: l.premises,
                    host_organization_id: host,
                    temporary: l.temporary,
                    reason: l.reason,
                    note: l.note,
                },
            ))
        }
        None => None,
    };
    e.into_result().map_err(ApiError::validation)?;
    let new = NewOffice {
        slug: b.slug,
        name: b.name.trim().to_owned(),
        kind: b.kind,
        status: b.status,
        provider_organization_id: provider.expect("validated"),
        districts: b.districts,
        opened_on: b.opened_on,
        phone: b.contact.phone,
        email: b.contact.email,
        description: b.description,
        first_location,
    };
    let ctx = caller.audit();
    let row = state
        .db(move |conn| persistence::directory::offices::create(conn, new, &ctx))
        .await?;
    state.directory.reload(&state.pool).await?;
    let snapshot = state.directory.get();
    let index = snapshot.office(&row.id).ok_or_else(ApiError::internal)?;
    Ok(created(
        &format!("/api/v1/offices/{}", row.id),
        snapshot.office_body_for(index, true),
    ))
}

/// Change an office. Needs `If-Match`. Staff may change contact and description of
/// their own offices; everything else needs a coordinator or admin.
#[utoipa::path(
    tag = "offices",
    summary = "Update an office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Office id (UUID) or slug")),
    request_body = OfficePatch,
    responses(
        (status = 200, description = "Updated.", body = OfficeView),
        (status = 409, description = "`slug_taken`.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/offices/{id}")]
pub async fn update_office(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    let index = office_at(&snapshot, &id)?;
    let office = &snapshot.offices[index];
    // The least this needs; the body decides whether structure rights are needed too.
    caller.authorize(Action::UpdateOfficeDetails, Resource::Office(&office.id))?;
    let b: OfficePatch = parse_json(&req, &body)?;
    if b.touches_structure() {
        caller.authorize(Action::UpdateOfficeStructure, Resource::Office(&office.id))?;
    }
    require_if_match(
        &req,
        &[
            &snapshot.office_body_for(index, true).etag,
            &snapshot.office_body_for(index, false).etag,
        ],
    )?;

    let mut e = ValidationErrors::default();
    if let Some(s) = &b.slug {
        validate_slug("/slug", s, &mut e);
    }
    if let Some(n) = &b.name {
        e.require_text("/name", n, 200);
    }
    if let Some(d) = &b.districts {
        validate_districts("/districts", d, &mut e);
    }
    if let Some(d) = &b.description {
        d.validate("/description", 4000, &mut e);
    }
    if let Some(Some(p)) = &b.phone {
        validate_phone("/phone", p, &mut e);
    }
    if let Some(Some(m)) = &b.email {
        validate_email("/email", m, &mut e);
    }
    let provider = b.provider_organization_id.as_deref().and_then(|p| {
        check_organization(
            &snapshot,
            "/provider_organization_id",
            p,
            Some(OrganizationKind::WelfareProvider),
            &mut e,
        )
    });
    let opened = b.opened_on.unwrap_or(office.opened_on);
    let closed = b.closed_on.unwrap_or(office.closed_on);
    if let (Some(o), Some(c)) = (opened, closed)
        && c < o
    {
        e.add("/closed_on", "must not be before opened_on");
    }
    e.into_result().map_err(ApiError::validation)?;

    let changes = OfficeChanges {
        slug: b.slug,
        name: b.name.map(|n| n.trim().to_owned()),
        kind: b.kind,
        status: b.status,
        provider_organization_id: provider,
        districts: b.districts,
        opened_on: b.opened_on,
        closed_on: b.closed_on,
        phone: b.phone,
        email: b.email,
        description: b.description,
    };
    let (office_id, version, ctx) = (office.id.clone(), office.version, caller.audit());
    let oid = office_id.clone();
    state
        .db(move |conn| persistence::directory::offices::update(conn, &oid, version, &changes, &ctx))
        .await?;
    state.directory.reload(&state.pool).await?;
    let snapshot = state.directory.get();
    let index = snapshot.office(&office_id).ok_or_else(ApiError::internal)?;
    Ok(respond(
        &req,
        snapshot.office_body_for(index, true),
        Audience::Private,
    ))
}

/// Record a move: the open location period ends on `moved_on` and the new one begins.
/// Refused with 409 when the move is not after the current period began
/// (`move_predates_current_period`), goes to the current address
/// (`move_to_current_address`), or the office has no open period (`no_open_location_period`).
#[utoipa::path(
    tag = "offices",
    summary = "Relocate an office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Office id (UUID) or slug")),
    request_body = RelocationRequest,
    responses(
        (status = 201, description = "The new location period.", body = LocationView),
        (status = 409, description = "The move conflicts with the location history.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/offices/{id}/relocations")]
pub async fn relocate_office(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    let index = office_at(&snapshot, &id)?;
    let office_id = snapshot.offices[index].id.clone();
    caller.authorize(Action::RelocateOffice, Resource::Office(&office_id))?;
    let b: RelocationRequest = parse_json(&req, &body)?;
    let mut e = ValidationErrors::default();
    validate_location_text(&b.address, &b.premises, &b.reason, &b.note, &mut e);
    let host = b
        .host_organization_id
        .as_deref()
        .and_then(|h| check_organization(&snapshot, "/host_organization_id", h, None, &mut e));
    e.into_result().map_err(ApiError::validation)?;
    let location = NewLocation {
        address: b.address,
        premises: b.premises,
        host_organization_id: host,
        temporary: b.temporary,
        reason: b.reason,
        note: b.note,
    };
    let (ctx, oid) = (caller.audit(), office_id.clone());
    let period = state
        .db(move |conn| persistence::directory::offices::relocate(conn, &oid, b.moved_on, location, &ctx))
        .await?;
    state.directory.reload(&state.pool).await?;
    let snapshot = state.directory.get();
    let index = snapshot.office(&office_id).ok_or_else(ApiError::internal)?;
    let view = snapshot.locations[index]
        .iter()
        .find(|l| l.id == period.id)
        .ok_or_else(ApiError::internal)?;
    Ok(created(
        &format!("/api/v1/offices/{office_id}/locations"),
        &JsonBody::new(view),
    ))
}

/// Where an office is from `valid_from` on.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub valid_from: NaiveDate,
    pub address: Address,
    #[schema(example = "Ladenlokal")]
    pub premises: Option<String>,
    #[schema(format = Uuid)]
    pub host_organization_id: Option<String>,
    #[serde(default)]
    pub temporary: bool,
    pub reason: Option<String>,
    pub note: Option<String>,
}

/// A move: the open location period ends on `moved_on` and the new one starts that day.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelocationRequest {
    pub moved_on: NaiveDate,
    pub address: Address,
    #[schema(example = "Ladenlokal")]
    pub premises: Option<String>,
    #[schema(format = Uuid)]
    pub host_organization_id: Option<String>,
    #[serde(default)]
    pub temporary: bool,
    pub reason: Option<String>,
    pub note: Option<String>,
}

pub fn validate_location_text(
    address: &Address,
    premises: &Option<String>,
    reason: &Option<String>,
    note: &Option<String>,
    e: &mut ValidationErrors,
) {
    address.validate_new("/address", e);
    for (pointer, value, max) in [
        ("/premises", premises, 200),
        ("/reason", reason, 500),
        ("/note", note, 1000),
    ] {
        if let Some(v) = value {
            e.require_text(pointer, v, max);
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[schema(example = "0231 50 11 148")]
    pub phone: Option<String>,
    #[schema(example = "lokalwillkommen.mh@stadtdo.de")]
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOfficeRequest {
    #[schema(example = "innenstadt-nord")]
    pub slug: String,
    #[schema(example = "lokal willkommen Innenstadt-Nord")]
    pub name: String,
    pub kind: OfficeKind,
    pub status: OfficeStatus,
    /// The welfare provider running the office with the city.
    #[schema(format = Uuid)]
    pub provider_organization_id: String,
    pub districts: Vec<District>,
    pub opened_on: Option<NaiveDate>,
    #[serde(default)]
    pub contact: ContactInput,
    pub description: LocalizedText,
    /// The first location, if already known.
    pub location: Option<LocationInput>,
}

/// Only the fields present change. Contact and description may be changed by the
/// office's own staff; every other field needs a coordinator or admin.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficePatch {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub kind: Option<OfficeKind>,
    pub status: Option<OfficeStatus>,
    #[schema(format = Uuid)]
    pub provider_organization_id: Option<String>,
    pub districts: Option<Vec<District>>,
    #[serde(default, deserialize_with = "present")]
    pub opened_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    pub closed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub email: Option<Option<String>>,
    pub description: Option<LocalizedText>,
}

impl OfficePatch {
    /// Whether the patch touches anything beyond contact details and description.
    pub fn touches_structure(&self) -> bool {
        self.slug.is_some()
            || self.name.is_some()
            || self.kind.is_some()
            || self.status.is_some()
            || self.provider_organization_id.is_some()
            || self.districts.is_some()
            || self.opened_on.is_some()
            || self.closed_on.is_some()
    }
}

pub fn validate_slug(pointer: &str, slug: &str, e: &mut ValidationErrors) {
    if domain::Slug::parse(slug).is_none() || uuid::Uuid::parse_str(slug).is_ok() {
        e.add(pointer, "3 to 64 lowercase letters, digits and single hyphens");
    }
}

pub fn validate_districts(pointer: &str, districts: &[District], e: &mut ValidationErrors) {
    let mut unique = districts.to_vec();
    unique.sort();
    unique.dedup();
    if districts.is_empty() {
        e.add(pointer, "an office serves at least one district");
    } else if unique.len() != districts.len() {
        e.add(pointer, "lists a district twice");
    }
}

pub fn validate_phone(pointer: &str, phone: &str, e: &mut ValidationErrors) {
    let ok = (3..=50).contains(&phone.trim().len())
        && phone.chars().all(|c| c.is_ascii_digit() || " +-/()".contains(c));
    if !ok {
        e.add(pointer, "digits, spaces and + - / ( ), at most 50 characters");
    }
}

pub fn validate_email(pointer: &str, email: &str, e: &mut ValidationErrors) {
    let ok = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'));
    if !ok {
        e.add(pointer, "must be an email address");
    }
}
