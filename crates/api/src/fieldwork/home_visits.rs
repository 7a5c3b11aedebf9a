//! Welcome home-visit appointments: the one field-work record with personal data (name,
//! address, phone). The office's staff and coordinators only; every read (each entry of
//! a list, a single read, the answer to an outcome) is written to the personal-data
//! access log in the read's transaction. Never in the directory, HSDS or a public answer;
//! audit events name fields, never values.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::fieldwork::home_visit::{self, TimeWindow, VisitOutcome, VisitSource, VisitStatus};
use domain::{Action, HomeVisitId, Resource, ValidationErrors, directory::schedule::berlin_today};
use persistence::RepoError;
use persistence::fieldwork::DayKey;
use persistence::fieldwork::home_visits::{HomeVisitFilter, HomeVisitRow, NewHomeVisit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::contacts::{ContactView, VisitContactRequest};
use super::{Start, check_day_parameter, office_id_of, prefixed, start};
use crate::accounts::auth::Authenticated;
use crate::directory::office_writes::validate_phone;
use crate::http::conditional::{Audience, JsonBody, created, respond};
use crate::http::extractors::{Query, parse_record_json};
use crate::http::pagination::{self, Page};
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// Where the household lives.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitAddressInput {
    /// Street and house number.
    #[schema(example = "Westerfilder Straße 12")]
    pub street: String,
    /// A Dortmund postal code (44100 to 44399).
    #[schema(example = "44357")]
    pub postal_code: String,
    /// Floor, door, name on the bell.
    #[schema(min_length = 1, max_length = 100, example = "3. OG links")]
    #[serde(default)]
    pub supplement: Option<String>,
}

/// A home-visit appointment as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHomeVisitRequest {
    /// Not in the past.
    pub planned_on: NaiveDate,
    #[serde(default)]
    pub time_window: Option<TimeWindow>,
    /// How the household wants to be addressed (1 to 100 characters).
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    pub address: VisitAddressInput,
    #[serde(default)]
    pub phone: Option<String>,
    /// The language of the visit (see `/api/v1/languages`).
    pub language: String,
    pub source: VisitSource,
}

impl NewHomeVisitRequest {
    fn validate(self, today: NaiveDate) -> Result<NewHomeVisit, ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.check_date("/planned_on", self.planned_on);
        if self.planned_on < today {
            e.add("/planned_on", "must not lie in the past");
        }
        e.require_text("/name", &self.name, 100);
        e.require_text("/address/street", &self.address.street, 200);
        if !home_visit::is_dortmund_postal_code(&self.address.postal_code) {
            e.add(
                "/address/postal_code",
                "must be a Dortmund postal code (44100 to 44399)",
            );
        }
        if let Some(supplement) = &self.address.supplement {
            e.require_text("/address/supplement", supplement, 100);
        }
        if let Some(phone) = &self.phone {
            validate_phone("/phone", phone, &mut e);
        }
        if !domain::directory::languages::is_known(&self.language) {
            e.add("/language", "unknown language code; see /api/v1/languages");
        }
        e.into_result()?;
        Ok(NewHomeVisit {
            planned_on: self.planned_on,
            time_window: self.time_window,
            name: domain::text::normalize(&self.name),
            street: domain::text::normalize(&self.address.street),
            postal_code: self.address.postal_code,
            supplement: self.address.supplement.map(|s| domain::text::normalize(&s)),
            phone: self.phone.map(|p| p.trim().to_owned()),
            language: self.language,
            source: self.source,
        })
    }
}

/// The household's address; `null` once erased.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitAddress {
    pub street: String,
    pub postal_code: String,
    pub supplement: Option<String>,
}

/// A home-visit appointment. Name, address and phone are personal data: every answer
/// that shows them is written to the access log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HomeVisitView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub office_id: String,
    pub planned_on: NaiveDate,
    pub time_window: Option<TimeWindow>,
    /// `null` once erased by the retention rules.
    pub name: Option<String>,
    /// `null` once erased by the retention rules.
    pub address: Option<VisitAddress>,
    pub phone: Option<String>,
    pub language: String,
    pub source: VisitSource,
    pub status: VisitStatus,
    /// The visit's contact record, once it was done.
    pub contact_id: Option<String>,
    pub outcome_recorded_at: Option<DateTime<Utc>>,
    /// When the personal data was erased.
    pub erased_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl HomeVisitView {
    pub fn from_row(row: &HomeVisitRow) -> Result<HomeVisitView, RepoError> {
        let address = match (&row.street, &row.postal_code) {
            (Some(street), Some(postal_code)) => Some(VisitAddress {
                street: street.clone(),
                postal_code: postal_code.clone(),
                supplement: row.supplement.clone(),
            }),
            _ => None,
        };
        Ok(HomeVisitView {
            id: row.id.clone(),
            office_id: row.office_id.clone(),
            planned_on: row.planned_on,
            time_window: row.time_window()?,
            name: row.name.clone(),
            address,
            phone: row.phone.clone(),
            language: row.language.clone(),
            source: row.source()?,
            status: row.status()?,
            contact_id: row.contact_id.clone(),
            outcome_recorded_at: row.outcome_recorded_at.map(|t| t.and_utc()),
            erased_at: row.erased_at.map(|t| t.and_utc()),
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

/// Plan a home visit
///
/// Record a welcome-visit appointment of the office: its staff and coordinators.
#[utoipa::path(
    tag = "fieldwork",
    security(("bearer" = [])),
    params(("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde")),
    request_body = NewHomeVisitRequest,
    responses((status = 201, description = "Planned.", body = HomeVisitView))
)]
#[post("/offices/{office}/home-visits")]
pub async fn create_home_visit(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    office: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let office_id = office_id_of(&state, &office)?;
    caller.authorize(Action::ManageHomeVisits, Resource::Office(&office_id))?;
    let body: NewHomeVisitRequest = parse_record_json(&req, &body)?;
    let new = body
        .validate(berlin_today(caller.at))
        .map_err(ApiError::validation)?;
    let ctx = caller.audit();
    let row = state
        .db(move |conn| persistence::fieldwork::home_visits::create(conn, &office_id, new, &ctx))
        .await?;
    let view = HomeVisitView::from_row(&row)?;
    Ok(created(
        &format!("/api/v1/home-visits/{}", view.id),
        &JsonBody::new(&view),
    ))
}

/// Filters and paging of an office's appointments.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HomeVisitQuery {
    pub status: Option<VisitStatus>,
    /// Planned on or after this day.
    pub from: Option<NaiveDate>,
    /// Planned on or before this day.
    pub to: Option<NaiveDate>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List an office's home visits
///
/// The office's appointments by planned day (earliest first). Every appointment shown is
/// written to the personal-data access log (purpose `list`). The office's staff and
/// coordinators.
#[utoipa::path(
    tag = "fieldwork",
    security(("bearer" = [])),
    params(
        ("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde"),
        HomeVisitQuery,
    ),
    responses((status = 200, description = "A page of appointments.", body = Page<HomeVisitView>))
)]
#[get("/offices/{office}/home-visits")]
pub async fn list_office_home_visits(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    office: web::Path<String>,
    query: Query<HomeVisitQuery>,
) -> Result<HttpResponse, ApiError> {
    let office_id = office_id_of(&state, &office)?;
    caller.authorize(Action::ManageHomeVisits, Resource::Office(&office_id))?;
    let q = query.into_inner();
    check_day_parameter("from", q.from)?;
    check_day_parameter("to", q.to)?;
    let limit = pagination::limit(q.limit)?;
    let (rows, more) = match start(q.cursor.as_deref())? {
        Start::End => (Vec::new(), false),
        start => {
            let after = match start {
                Start::After(key) => Some(key),
                _ => None,
            };
            let filter = HomeVisitFilter {
                status: q.status,
                from: q.from,
                to: q.to,
            };
            let ctx = caller.audit();
            state
                .db(move |conn| {
                    persistence::fieldwork::home_visits::list(
                        conn,
                        &office_id,
                        &filter,
                        after.as_ref(),
                        limit,
                        &ctx,
                    )
                })
                .await?
        }
    };
    let next_cursor = rows.last().filter(|_| more).map(|last| {
        pagination::encode_cursor(
            &DayKey {
                day: last.planned_on,
                id: last.id.clone(),
            }
            .encode(),
        )
    });
    let items = rows
        .iter()
        .map(HomeVisitView::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(respond(
        &req,
        &JsonBody::new(&Page { items, next_cursor }),
        Audience::Private,
    ))
}

/// The appointment's office, for a caller allowed to manage home visits there.
async fn authorize_visit(
    caller: &Authenticated,
    state: &AppState,
    raw_id: &str,
) -> Result<HomeVisitId, ApiError> {
    let id: HomeVisitId = parse_id("id", raw_id)?;
    let lookup = id.clone();
    let office = state
        .db(move |conn| persistence::fieldwork::home_visits::office_of(conn, &lookup))
        .await?
        .ok_or_else(|| ApiError::not_found("no home visit with this id"))?;
    caller.authorize(Action::ManageHomeVisits, Resource::Office(&office))?;
    Ok(id)
}

/// Get a home visit
///
/// One appointment; the read is written to the personal-data access log (purpose
/// `read`). The office's staff and coordinators.
#[utoipa::path(
    tag = "fieldwork",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Home visit id")),
    responses((status = 200, description = "The appointment.", body = HomeVisitView))
)]
#[get("/home-visits/{id}")]
pub async fn get_home_visit(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = authorize_visit(&caller, &state, &id).await?;
    let ctx = caller.audit();
    let row = state
        .db(move |conn| persistence::fieldwork::home_visits::read(conn, &id, &ctx))
        .await?;
    let view = HomeVisitView::from_row(&row)?;
    Ok(respond(&req, &JsonBody::new(&view), Audience::Private))
}

/// The outcome of a visit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HomeVisitOutcomeRequest {
    pub status: VisitOutcome,
    /// The visit's contact record: required with `done`, refused otherwise. Stored with
    /// `channel: home_visit`, in the same transaction.
    #[serde(default)]
    pub contact: Option<VisitContactRequest>,
}

/// The appointment after its outcome, and the contact record a visit that was done made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HomeVisitOutcomeView {
    pub home_visit: HomeVisitView,
    pub contact: Option<ContactView>,
}

/// Record a home visit's outcome
///
/// `planned` becomes `done` (with the visit's contact record), `no_show` or `cancelled`,
/// once: a second outcome is 409 `home_visit_resolved`. The office's staff and
/// coordinators; the answer shows the appointment and is access-logged.
#[utoipa::path(
    tag = "fieldwork",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Home visit id")),
    request_body = HomeVisitOutcomeRequest,
    responses((status = 200, description = "Recorded.", body = HomeVisitOutcomeView))
)]
#[post("/home-visits/{id}/outcome")]
pub async fn record_home_visit_outcome(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = authorize_visit(&caller, &state, &id).await?;
    let body: HomeVisitOutcomeRequest = parse_record_json(&req, &body)?;
    let contact = match (body.status, body.contact) {
        (VisitOutcome::Done, Some(contact)) => Some(
            contact
                .into_contact()
                .validate(&state.directory.get(), caller.actor.role, berlin_today(caller.at))
                .map_err(|mut err| {
                    err.errors = prefixed(ValidationErrors(err.errors), "/contact").0;
                    err
                })?,
        ),
        (VisitOutcome::Done, None) => {
            return Err(ApiError::validation(ValidationErrors::single(
                "/contact",
                "a visit that was done carries its contact record",
            )));
        }
        (_, Some(_)) => {
            return Err(ApiError::validation(ValidationErrors::single(
                "/contact",
                "only a visit that was done carries a contact record",
            )));
        }
        (_, None) => None,
    };
    let ctx = caller.audit();
    let status = body.status;
    let (row, stored) = state
        .db(move |conn| {
            persistence::fieldwork::home_visits::record_outcome(conn, &id, status, contact.as_ref(), &ctx)
        })
        .await?;
    let view = HomeVisitOutcomeView {
        home_visit: HomeVisitView::from_row(&row)?,
        contact: stored.as_ref().map(ContactView::from_stored).transpose()?,
    };
    Ok(respond(&req, &JsonBody::new(&view), Audience::Private))
}
