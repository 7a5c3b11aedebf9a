//! Relocations: an office's move from one location period to the next.

use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use chrono::NaiveDate;
use domain::{Action, Address, AddressInput, Coordinates, LocationPeriodId, Resource, ValidationErrors};
use persistence::directory::offices::NewLocation;
use persistence::read_model;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::accounts::auth::Authenticated;
use crate::directory::office_writes::{answer_office_write, check_organization};
use crate::directory::offices::{LocationView, location_in, office_at};
use crate::directory::snapshot::Snapshot;
use crate::http::conditional::{Audience, JsonBody, created, require_if_match, respond};
use crate::http::extractors::{parse_json, present};
use crate::http::problem::ApiError;
use crate::state::AppState;

/// Relocate an office
///
/// Record a move: the open location period ends on `moved_on` and the new one begins.
/// Refused with 409 when the move is not after the current period began
/// (`move_predates_current_period`), goes to the current address
/// (`move_to_current_address`), or the office has no open period (`no_open_location_period`).
#[utoipa::path(
    tag = "offices",
    security(("bearer" = [])),
    params(("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde")),
    request_body = RelocationRequest,
    responses(
        (status = 201, description = "The new location period.", body = LocationView),
        (status = 409, description = "The move conflicts with the location history.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/offices/{office}/relocations")]
pub async fn relocate_office(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    let office_id = office_at(&snapshot, &id)?.office_id();
    caller.authorize(Action::RelocateOffice, Resource::Office(&office_id))?;
    let request: RelocationRequest = parse_json(&req, &body)?;
    let (moved_on, location) = request.validate(&snapshot).map_err(ApiError::validation)?;
    let (ctx, oid) = (caller.audit(), office_id.clone());
    let (period, committed) = state
        .db(move |conn| {
            read_model::write_office(conn, &oid.clone(), |conn| {
                persistence::directory::offices::relocate(conn, &oid, moved_on, location, &ctx)
            })
        })
        .await?;
    let office = answer_office_write(&state, &committed).await?;
    let view = office
        .locations
        .iter()
        .find(|l| l.id == period.id)
        .ok_or_else(|| persistence::RepoError::Corrupt("the new location period was not read back".into()))?;
    Ok(created(
        &format!("/api/v1/offices/{office_id}/locations/{}", view.id),
        &JsonBody::new(view),
    ))
}

/// Where an office is from `valid_from` on.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub valid_from: NaiveDate,
    pub address: AddressInput,
    /// WGS84 latitude in decimal degrees, within Dortmund; with `longitude`, or neither.
    #[serde(default)]
    #[schema(value_type = Option<f64>, minimum = 51.35, maximum = 51.65, example = 51.5447)]
    pub latitude: Option<Value>,
    /// WGS84 longitude in decimal degrees, within Dortmund; with `latitude`, or neither.
    #[serde(default)]
    #[schema(value_type = Option<f64>, minimum = 7.25, maximum = 7.7, example = 7.3857)]
    pub longitude: Option<Value>,
    #[schema(example = "Ladenlokal")]
    pub premises: Option<String>,
    #[schema(format = Uuid)]
    pub host_organization_id: Option<String>,
    #[serde(default)]
    pub temporary: bool,
    pub reason: Option<String>,
    pub note: Option<String>,
}

impl LocationInput {
    /// Checks an office's first location (pointers under `prefix`), which may not start
    /// before the office opens.
    pub(crate) fn validate_first(
        self,
        directory: &Snapshot,
        opened_on: Option<NaiveDate>,
        prefix: &str,
        e: &mut ValidationErrors,
    ) -> (NaiveDate, NewLocation) {
        let mut sub = ValidationErrors::default();
        sub.check_date("/valid_from", self.valid_from);
        if let Some(opened) = opened_on
            && self.valid_from < opened
        {
            sub.add("/valid_from", "must not be before opened_on");
        }
        let first = self.into_new_location(directory, &mut sub);
        e.0.extend(sub.0.into_iter().map(|mut f| {
            f.pointer = f.pointer.map(|p| format!("{prefix}{p}"));
            f
        }));
        first
    }

    /// The place itself: its texts checked, its host looked up in the directory.
    fn into_new_location(self, directory: &Snapshot, e: &mut ValidationErrors) -> (NaiveDate, NewLocation) {
        let address = Address::from(self.address);
        validate_location_text(&address, &self.premises, &self.reason, &self.note, e);
        let coordinates = check_coordinates(self.latitude, self.longitude, e);
        let host = self
            .host_organization_id
            .as_deref()
            .and_then(|h| check_organization(directory, "/host_organization_id", h, None, e));
        (
            self.valid_from,
            NewLocation {
                address,
                premises: self.premises,
                host_organization_id: host,
                temporary: self.temporary,
                reason: self.reason,
                note: self.note,
                coordinates,
            },
        )
    }
}

/// A move: the open location period ends on `moved_on` and the new one starts that day.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelocationRequest {
    pub moved_on: NaiveDate,
    pub address: AddressInput,
    /// WGS84 latitude in decimal degrees, within Dortmund; with `longitude`, or neither.
    #[serde(default)]
    #[schema(value_type = Option<f64>, minimum = 51.35, maximum = 51.65, example = 51.5447)]
    pub latitude: Option<Value>,
    /// WGS84 longitude in decimal degrees, within Dortmund; with `latitude`, or neither.
    #[serde(default)]
    #[schema(value_type = Option<f64>, minimum = 7.25, maximum = 7.7, example = 7.3857)]
    pub longitude: Option<Value>,
    #[schema(example = "Ladenlokal")]
    pub premises: Option<String>,
    #[schema(format = Uuid)]
    pub host_organization_id: Option<String>,
    #[serde(default)]
    pub temporary: bool,
    pub reason: Option<String>,
    pub note: Option<String>,
}

impl RelocationRequest {
    /// Checks the new location (its host against the directory) into the write model.
    pub fn validate(self, directory: &Snapshot) -> Result<(NaiveDate, NewLocation), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.check_date("/moved_on", self.moved_on);
        let moved = LocationInput {
            valid_from: self.moved_on,
            address: self.address,
            latitude: self.latitude,
            longitude: self.longitude,
            premises: self.premises,
            host_organization_id: self.host_organization_id,
            temporary: self.temporary,
            reason: self.reason,
            note: self.note,
        }
        .into_new_location(directory, &mut e);
        e.into_result()?;
        Ok(moved)
    }
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
        match value {
            Some(v) if pointer == "/note" => e.require_multiline_text(pointer, v, max),
            Some(v) => e.require_text(pointer, v, max),
            None => {}
        }
    }
}

/// Checks a coordinate pair as sent (pointers `/latitude` and `/longitude`). The values
/// are taken as any JSON, so a string is a 422 at its pointer rather than a 400 for the
/// whole body; the rules themselves are `Coordinates::check`.
pub(crate) fn check_coordinates(
    latitude: Option<Value>,
    longitude: Option<Value>,
    e: &mut ValidationErrors,
) -> Option<Coordinates> {
    let mut numbers = true;
    let mut number = |value: Option<Value>, pointer: &str| match value {
        None => None,
        Some(Value::Number(n)) => n.as_f64(),
        Some(_) => {
            e.add(pointer, "must be a number (WGS84 decimal degrees) or null");
            numbers = false;
            None
        }
    };
    let (latitude, longitude) = (number(latitude, "/latitude"), number(longitude, "/longitude"));
    if !numbers {
        return None;
    }
    Coordinates::check(latitude, longitude, "", e)
}

/// Sets or clears the coordinates of a location period; both fields are required
/// (`null` for both clears them).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationPatch {
    /// WGS84 latitude in decimal degrees, within Dortmund, or `null`.
    #[serde(default, deserialize_with = "present")]
    #[schema(required = true, value_type = Option<f64>, minimum = 51.35, maximum = 51.65, example = 51.5447)]
    pub latitude: Option<Option<Value>>,
    /// WGS84 longitude in decimal degrees, within Dortmund, or `null`.
    #[serde(default, deserialize_with = "present")]
    #[schema(required = true, value_type = Option<f64>, minimum = 7.25, maximum = 7.7, example = 7.3857)]
    pub longitude: Option<Option<Value>>,
}

impl LocationPatch {
    /// The coordinates to store (`None`: clear them).
    pub fn validate(self) -> Result<Option<Coordinates>, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let (Some(latitude), Some(longitude)) = (&self.latitude, &self.longitude) else {
            for (pointer, value) in [("/latitude", &self.latitude), ("/longitude", &self.longitude)] {
                if value.is_none() {
                    e.add(
                        pointer,
                        "is required: latitude and longitude are set together (null for both clears them)",
                    );
                }
            }
            return Err(e);
        };
        let coordinates = check_coordinates(latitude.clone(), longitude.clone(), &mut e);
        e.into_result()?;
        Ok(coordinates)
    }
}

/// Correct a location period's coordinates
///
/// Correct the coordinates of a location period (the address and dates stay as recorded;
/// a new address is a move). Needs `If-Match` with the period's `ETag` (from its `GET`,
/// or the relocation that created it). Coordinates lie in Dortmund (latitude 51.35 to
/// 51.65, longitude 7.25 to 7.70), both or neither.
#[utoipa::path(
    tag = "offices",
    security(("bearer" = [])),
    params(
        ("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde"),
        ("location_id" = uuid::Uuid, Path, description = "Location period id"),
    ),
    request_body = LocationPatch,
    responses((status = 200, description = "The location period as corrected.", body = LocationView))
)]
#[patch("/offices/{office}/locations/{location_id}")]
pub async fn update_office_location(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (raw_office, raw_location) = path.into_inner();
    let snapshot = state.directory.get();
    let office = office_at(&snapshot, &raw_office)?;
    let office_id = office.office_id();
    caller.authorize(Action::RelocateOffice, Resource::Office(&office_id))?;
    let period = location_in(office, &raw_location)?;
    let coordinates = parse_json::<LocationPatch>(&req, &body)?
        .validate()
        .map_err(ApiError::validation)?;
    require_if_match(&req, &[&JsonBody::new(period).etag])?;
    let period_id = LocationPeriodId::from_stored(period.id.clone());
    let (version, ctx, oid) = (office.view.version, caller.audit(), office_id.clone());
    let (row, committed) = state
        .db(move |conn| {
            read_model::write_office(conn, &oid.clone(), |conn| {
                persistence::directory::offices::correct_coordinates(
                    conn,
                    &oid,
                    &period_id,
                    version,
                    coordinates,
                    &ctx,
                )
            })
        })
        .await?;
    let office = answer_office_write(&state, &committed).await?;
    let view = office.locations.iter().find(|l| l.id == row.id).ok_or_else(|| {
        persistence::RepoError::Corrupt("the corrected location period was not read back".into())
    })?;
    Ok(respond(&req, &JsonBody::new(view), Audience::Private))
}
