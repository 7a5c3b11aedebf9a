use chrono::{DateTime, NaiveDate, Utc};
use domain::{Address, LocalizedText};
use persistence::RepoError;
use persistence::directory::rows::{LocationPeriodRow, OfficeRow, district};
use serde::Serialize;
use utoipa::ToSchema;

use crate::directory::districts::DistrictView;
use crate::directory::organizations::OrganizationRef;
use crate::http::extractors::Query;
use actix_web::{HttpRequest, HttpResponse, get, web};
use domain::{District, Id, LocationPeriodId, OfficeKind, OfficeStatus};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::accounts::auth::MaybeAuthenticated;
use crate::directory::snapshot::{OfficeEntry, Snapshot};
use crate::http::conditional::{JsonBody, respond};
use crate::http::localize::{requested_language, respond_localized};
use crate::http::pagination::{self, ListQuery, Page};
use crate::http::path::{parse_id, parse_office_key};
use crate::http::problem::ApiError;
use crate::state::AppState;

/// Filters and paging for the office list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OfficeQuery {
    /// Only offices serving this district.
    pub district: Option<District>,
    pub status: Option<OfficeStatus>,
    pub kind: Option<OfficeKind>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only offices holding a consultation session at this instant (RFC 3339).
    pub open_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Only offices consulting in this language (ISO 639 code); with `open_at`, in the
    /// session running then.
    pub language: Option<String>,
    /// Language for localized texts; overrides `Accept-Language`.
    pub lang: Option<String>,
}

/// Language selection for a single resource.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// Language for localized texts (ISO 639 code); overrides `Accept-Language`.
    pub lang: Option<String>,
}

/// List offices
///
/// Offices and outposts with their districts, provider and current location, oldest first.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "offices",
    params(OfficeQuery),
    responses((status = 200, description = "A page of offices.", body = Page<OfficeView>))
)]
#[get("/offices")]
pub async fn list_offices(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<OfficeQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let snapshot = state.directory.get();
    let lang = requested_language(&req, q.lang.as_deref())?;
    let paging = ListQuery {
        limit: q.limit,
        cursor: q.cursor,
        lang: None,
    };
    if q.open_at
        .is_some_and(|at| !domain::validation::instant_in_window(at))
    {
        return Err(ApiError::invalid_parameter(
            "open_at",
            domain::validation::DATE_WINDOW_MESSAGE,
        ));
    }
    if let Some(code) = &q.language
        && !domain::directory::languages::is_known(code)
    {
        return Err(ApiError::invalid_parameter(
            "language",
            "unknown language code; see /api/v1/languages",
        ));
    }
    let unfiltered = q.district.is_none()
        && q.status.is_none()
        && q.kind.is_none()
        && q.open_at.is_none()
        && q.language.is_none();
    let private = caller.0.is_some();
    if unfiltered && paging.is_first_page() {
        return Ok(respond_localized(
            &req,
            snapshot.offices_first_page(private),
            caller.audience(),
            lang.as_deref(),
        ));
    }
    let (after, limit) = paging.parse()?;
    let speaks = |languages: &[String]| q.language.as_ref().is_none_or(|l| languages.contains(l));
    let matching = snapshot.offices.iter().filter(|entry| {
        let o = &entry.view;
        q.district
            .is_none_or(|d| o.districts.iter().any(|od| od.code == d))
            && q.status.is_none_or(|s| o.status == s)
            && q.kind.is_none_or(|k| o.kind == k)
            && match q.open_at {
                // A session running at that instant, in the language if one is asked for.
                Some(at) => open_at(entry, at).is_some_and(|session| speaks(&session.languages)),
                None => speaks(&o.languages),
            }
    });
    let page = pagination::paginate(
        matching.map(|entry| entry.view_for(private)),
        |o| &o.id,
        after.as_deref(),
        limit,
    );
    Ok(respond_localized(
        &req,
        &JsonBody::new(&page),
        caller.audience(),
        lang.as_deref(),
    ))
}

/// The session the office holds at `at`, if any.
fn open_at(
    office: &OfficeEntry,
    at: chrono::DateTime<chrono::Utc>,
) -> Option<domain::directory::schedule::Session> {
    let schedule = &office.schedule;
    let day = domain::directory::schedule::berlin_today(at);
    let sessions =
        domain::directory::schedule::expand(&schedule.slots, &schedule.closures, &schedule.extras, day, day);
    domain::directory::schedule::session_at(&sessions, at).cloned()
}

/// The office a path segment names (UUID or slug): 400 when it is neither, 404 when unknown.
pub(crate) fn office_at<'s>(snapshot: &'s Snapshot, raw: &str) -> Result<&'s OfficeEntry, ApiError> {
    find_office(snapshot, &parse_office_key("office", raw)?)
}

pub(crate) fn find_office<'s>(snapshot: &'s Snapshot, key: &str) -> Result<&'s OfficeEntry, ApiError> {
    snapshot
        .office(key)
        .ok_or_else(|| ApiError::not_found(format!("no office with id or slug {key:?}")))
}

/// Get an office
///
/// One office, by id or slug (e.g. `mengede-huckarde`).
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "offices",
    params(
        ("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde"),
        LangQuery,
    ),
    responses((status = 200, description = "The office.", body = OfficeView))
)]
#[get("/offices/{office}")]
pub async fn get_office(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    key: web::Path<String>,
    query: Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let key = parse_office_key("office", &key)?;
    let lang = requested_language(&req, query.lang.as_deref())?;
    let snapshot = state.directory.get();
    let office = find_office(&snapshot, &key)?;
    Ok(respond_localized(
        &req,
        office.body_for(caller.0.is_some()),
        caller.audience(),
        lang.as_deref(),
    ))
}

/// Location history of an office
///
/// Where the office has been, is, and (if a move is announced) will be: oldest first.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "offices",
    params(
        ("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde"),
        ListQuery,
    ),
    responses((status = 200, description = "The office's location periods.", body = Page<LocationView>))
)]
#[get("/offices/{office}/locations")]
pub async fn list_office_locations(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    key: web::Path<String>,
    query: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let key = parse_office_key("office", &key)?;
    let snapshot = state.directory.get();
    let office = find_office(&snapshot, &key)?;
    if query.is_first_page() {
        return Ok(respond(&req, office.locations_first_page(), caller.audience()));
    }
    let (after, limit) = query.parse()?;
    let page = pagination::paginate(&office.locations, |l| &l.sort_key, after.as_deref(), limit);
    Ok(respond(&req, &JsonBody::new(&page), caller.audience()))
}

/// One location period of an office
///
/// One location period of an office. Its `ETag` is what `PATCH` of the period needs.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "offices",
    params(
        ("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde"),
        ("location_id" = uuid::Uuid, Path, description = "Location period id"),
    ),
    responses((status = 200, description = "The location period.", body = LocationView))
)]
#[get("/offices/{office}/locations/{location_id}")]
pub async fn get_office_location(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (raw_office, raw_location) = path.into_inner();
    let snapshot = state.directory.get();
    let office = office_at(&snapshot, &raw_office)?;
    let period = location_in(office, &raw_location)?;
    Ok(respond(&req, &JsonBody::new(period), caller.audience()))
}

/// The location period a path segment names: 400 when it is no UUID, 404 when the
/// office has no such period.
pub(crate) fn location_in<'s>(office: &'s OfficeEntry, raw: &str) -> Result<&'s LocationView, ApiError> {
    let id: LocationPeriodId = parse_id("location_id", raw)?;
    office
        .locations
        .iter()
        .find(|l| l.id == id.as_str())
        .ok_or_else(|| ApiError::not_found(format!("office {} has no location period {id}", office.id())))
}

/// One period of an office's location history. Periods are half-open: `valid_to` is
/// the move-out day and the first day of the next period; `null` marks the latest one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocationView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub office_id: String,
    pub address: Address,
    /// WGS84 latitude in decimal degrees; `null` (together with `longitude`) when not
    /// recorded.
    #[schema(example = 51.5447)]
    pub latitude: Option<f64>,
    /// WGS84 longitude in decimal degrees; `null` (together with `latitude`) when not
    /// recorded.
    #[schema(example = 7.3857)]
    pub longitude: Option<f64>,
    /// What kind of place it is, e.g. "Ladenlokal" or a parish hall.
    pub premises: Option<String>,
    /// The organization whose rooms the office uses, if not its own.
    pub host_organization: Option<OrganizationRef>,
    /// A provisional location, e.g. the start before the office's own premises were ready.
    pub temporary: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Whether this period applies today (Europe/Berlin calendar day, see docs).
    pub is_current: bool,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) sort_key: String,
}

impl LocationView {
    pub fn from_row(
        row: &LocationPeriodRow,
        today: NaiveDate,
        org: impl Fn(&str) -> Option<OrganizationRef>,
    ) -> Result<Self, RepoError> {
        let period = row.to_domain()?;
        let coordinates = row.coordinates()?;
        Ok(LocationView {
            id: row.id.clone(),
            office_id: row.office_id.clone(),
            is_current: period.covers(today),
            address: period.address,
            latitude: coordinates.map(|c| c.latitude),
            longitude: coordinates.map(|c| c.longitude),
            premises: row.premises.clone(),
            host_organization: row.host_organization_id.as_deref().and_then(org),
            temporary: row.temporary,
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            reason: row.reason.clone(),
            note: row.note.clone(),
            recorded_at: row.recorded_at.and_utc(),
            sort_key: row.valid_from.to_string(),
        })
    }
}

/// How to reach an office, as the office publishes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contact {
    #[schema(example = "0231 50 11 148")]
    pub phone: Option<String>,
    #[schema(example = "lokalwillkommen.mh@stadtdo.de")]
    pub email: Option<String>,
}

/// A lokal willkommen office or outpost with its districts, provider and current location.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfficeView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(example = "mengede-huckarde")]
    pub slug: String,
    #[schema(example = "lokal willkommen Mengede/Huckarde")]
    pub name: String,
    pub kind: OfficeKind,
    pub status: OfficeStatus,
    /// The districts this office serves (one or more).
    pub districts: Vec<DistrictView>,
    /// The welfare provider running this office together with the City of Dortmund.
    pub provider: OrganizationRef,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub contact: Contact,
    pub description: LocalizedText,
    /// Where the office is today; `null` before its first location applies or after it closed.
    pub current_location: Option<LocationView>,
    /// Weekly consultation hours in OpenStreetMap `opening_hours` syntax; `null` when none
    /// are published.
    #[schema(example = "Mo,Fr 09:00-12:00; Tu 13:00-16:00; Th 14:00-17:00")]
    pub opening_hours: Option<String>,
    /// Consultations are also possible by appointment.
    pub by_appointment: bool,
    /// Languages of the office's consultation sessions (ISO 639 codes).
    pub languages: Vec<String>,
    /// Whether both sides of the tandem are staffed today. Only for authenticated
    /// callers; `null` in anonymous responses.
    pub staffing_status: Option<domain::staffing::StaffingStatus>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) version: i64,
}

impl OfficeView {
    pub fn from_row(
        row: &OfficeRow,
        district_codes: &[&str],
        provider: OrganizationRef,
        current_location: Option<LocationView>,
    ) -> Result<Self, RepoError> {
        let mut districts = district_codes
            .iter()
            .map(|c| district(c))
            .collect::<Result<Vec<_>, _>>()?;
        districts.sort();
        Ok(OfficeView {
            id: row.id.clone(),
            slug: row.slug.clone(),
            name: row.name.clone(),
            kind: row.kind()?,
            status: row.status()?,
            districts: districts.into_iter().map(|d| DistrictView::new(d, 0)).collect(),
            provider,
            opened_on: row.opened_on,
            closed_on: row.closed_on,
            contact: Contact {
                phone: row.phone.clone(),
                email: row.email.clone(),
            },
            description: row.description()?,
            current_location,
            opening_hours: None,
            by_appointment: row.by_appointment,
            languages: Vec::new(),
            staffing_status: None,
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        })
    }
}
