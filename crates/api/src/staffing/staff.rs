//! The tandem of each office: assignments, ends, handovers, and the staffing report.

use chrono::NaiveDate;
use domain::OfficeStatus;
use domain::staffing::{Side, StaffingStatus};
use domain::{AssignmentId, Id, OfficeId, UserId};
use persistence::RepoError;
use persistence::staffing::assignments::StaffedAssignment;
use serde::Serialize;
use utoipa::ToSchema;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use domain::{Action, Resource, ValidationErrors};
use serde::Deserialize;

use crate::accounts::auth::Authenticated;
use crate::directory::offices::office_at;
use crate::http::conditional::{Audience, JsonBody, created, respond};
use crate::http::extractors::parse_json;
use crate::http::pagination::Page;
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    #[schema(format = Uuid)]
    pub user_id: String,
    pub side: Side,
    pub started_on: NaiveDate,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndRequest {
    /// The first day without the assignment.
    pub ended_on: NaiveDate,
    #[schema(example = "Elternzeit")]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    pub side: Side,
    /// The successor.
    #[schema(format = Uuid)]
    pub user_id: String,
    /// The successor's first day, and the predecessor's first day without the assignment.
    pub on: NaiveDate,
}

async fn staff_of(state: &AppState, office_id: OfficeId) -> Result<OfficeStaffView, ApiError> {
    let oid = office_id.clone();
    let rows = state
        .db(move |conn| persistence::staffing::assignments::for_office(conn, &oid))
        .await?;
    Ok(staff_view(office_id, &rows, state.clock.today())?)
}

/// The tandem of an office on `today`, from its assignments.
fn staff_view(
    office_id: OfficeId,
    rows: &[StaffedAssignment],
    today: NaiveDate,
) -> Result<OfficeStaffView, RepoError> {
    let history = rows
        .iter()
        .map(|a| AssignmentView::from(a, today))
        .collect::<Result<Vec<_>, _>>()?;
    let current = |side| history.iter().find(|a| a.side == side && a.is_current).cloned();
    let (city, provider) = (current(Side::City), current(Side::Provider));
    let staffing_status = match (&city, &provider) {
        (Some(_), Some(_)) => StaffingStatus::Paired,
        (None, Some(_)) => StaffingStatus::CityMissing,
        (Some(_), None) => StaffingStatus::ProviderMissing,
        (None, None) => StaffingStatus::Vacant,
    };
    Ok(OfficeStaffView {
        office_id: office_id.into_string(),
        staffing_status,
        city,
        provider,
        history,
    })
}

/// Runs a staffing write and reads the office's staff back in the same transaction, so
/// the answer is built from what was committed. Staffing changes alter staffing status
/// (directory) and staff scopes (sessions): both caches are refreshed, and a failed
/// refresh is only logged.
async fn write_staffing<T: Send + 'static>(
    state: &AppState,
    office_id: OfficeId,
    write: impl FnOnce(&mut persistence::DbConnection) -> Result<T, RepoError> + Send + 'static,
) -> Result<(T, OfficeStaffView), ApiError> {
    let oid = office_id.clone();
    let (written, rows) = state
        .db(move |conn| {
            persistence::write_tx(conn, |conn| {
                let written = write(conn)?;
                // The office's invariants hold after the change, or nothing is committed.
                persistence::read_model::checked_office(conn, &oid)?;
                Ok((
                    written,
                    persistence::staffing::assignments::for_office(conn, &oid)?,
                ))
            })
        })
        .await?;
    state.auth.forget_states();
    state.directory.refresh_after_write(&state.pool).await;
    Ok((written, staff_view(office_id, &rows, state.clock.today())?))
}

fn assignment_in(view: &OfficeStaffView, id: &str) -> Result<AssignmentView, RepoError> {
    view.history
        .iter()
        .find(|a| a.id == id)
        .cloned()
        .ok_or_else(|| RepoError::Corrupt(format!("assignment {id} was not read back")))
}

/// Staff of an office
///
/// The office's tandem today and every assignment it had. Names are personal data:
/// admins, coordinators and the office's own staff only.
#[utoipa::path(
    tag = "staffing",
    security(("bearer" = [])),
    params(("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde")),
    responses((status = 200, description = "The tandem and its history.", body = OfficeStaffView))
)]
#[get("/offices/{office}/staff")]
pub async fn get_staff(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let office_id = office_id_of(&state, &id)?;
    caller.authorize(Action::ReadStaffing, Resource::Office(&office_id))?;
    let view = staff_of(&state, office_id).await?;
    Ok(respond(&req, &JsonBody::new(&view), Audience::Private))
}

/// Assign staff
///
/// Assign a person to one side of the tandem from `started_on` on. The city side takes
/// employees of the City of Dortmund, the provider side employees of the office's provider.
#[utoipa::path(
    tag = "staffing",
    security(("bearer" = [])),
    params(("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde")),
    request_body = AssignRequest,
    responses(
        (status = 201, description = "Assigned.", body = AssignmentView),
        (status = 409, description = "`side_already_staffed` or `assignment_overlaps`.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/offices/{office}/staff")]
pub async fn assign_staff(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let office_id = office_id_of(&state, &id)?;
    caller.authorize(Action::ManageStaffing, Resource::Office(&office_id))?;
    let b: AssignRequest = parse_json(&req, &body)?;
    let user_id: UserId = parse_id_field("/user_id", &b.user_id)?;
    check_dates(&[("/started_on", b.started_on)])?;
    let (ctx, oid) = (caller.audit(), office_id.clone());
    let (row, staff) = write_staffing(&state, office_id.clone(), move |conn| {
        persistence::staffing::assignments::assign(conn, &oid, &user_id, b.side, b.started_on, &ctx)
    })
    .await?;
    let view = assignment_in(&staff, &row.id)?;
    Ok(created(
        &format!("/api/v1/offices/{office_id}/staff"),
        &JsonBody::new(&view),
    ))
}

/// End an assignment
///
/// End an assignment. `ended_on` is the first day without it; the person's write access
/// to this office ends with it.
#[utoipa::path(
    tag = "staffing",
    security(("bearer" = [])),
    params(
        ("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde"),
        ("assignment_id" = uuid::Uuid, Path, description = "Assignment id"),
    ),
    request_body = EndRequest,
    responses((status = 200, description = "Ended.", body = AssignmentView))
)]
#[post("/offices/{office}/staff/{assignment_id}/end")]
pub async fn end_assignment(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (raw_office, raw_assignment) = path.into_inner();
    let office_id = office_id_of(&state, &raw_office)?;
    caller.authorize(Action::ManageStaffing, Resource::Office(&office_id))?;
    let assignment_id: AssignmentId = parse_id("assignment_id", &raw_assignment)?;
    let b: EndRequest = parse_json(&req, &body)?;
    let mut e = ValidationErrors::default();
    e.check_date("/ended_on", b.ended_on);
    if let Some(reason) = &b.reason {
        e.require_text("/reason", reason, 500);
    }
    e.into_result().map_err(ApiError::validation)?;
    let (ctx, oid) = (caller.audit(), office_id.clone());
    let (row, staff) = write_staffing(&state, office_id, move |conn| {
        persistence::staffing::assignments::end(
            conn,
            &oid,
            &assignment_id,
            b.ended_on,
            b.reason.as_deref(),
            &ctx,
        )
    })
    .await?;
    let view = assignment_in(&staff, &row.id)?;
    Ok(respond(&req, &JsonBody::new(&view), Audience::Private))
}

/// Hand over a side of the tandem
///
/// Hand one side over: the current holder's assignment ends on `on` and the successor's
/// starts on `on`, in one transaction (no gap, no overlap).
#[utoipa::path(
    tag = "staffing",
    security(("bearer" = [])),
    params(("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde")),
    request_body = HandoverRequest,
    responses(
        (status = 201, description = "Handed over.", body = HandoverView),
        (status = 409, description = "`no_current_holder`, `handover_not_after_start`, ...", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/offices/{office}/staff/handover")]
pub async fn handover(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let office_id = office_id_of(&state, &id)?;
    caller.authorize(Action::ManageStaffing, Resource::Office(&office_id))?;
    let b: HandoverRequest = parse_json(&req, &body)?;
    let user_id: UserId = parse_id_field("/user_id", &b.user_id)?;
    check_dates(&[("/on", b.on)])?;
    let (ctx, oid) = (caller.audit(), office_id.clone());
    let ((ended, started), staff) = write_staffing(&state, office_id.clone(), move |conn| {
        persistence::staffing::assignments::handover(conn, &oid, b.side, &user_id, b.on, &ctx)
    })
    .await?;
    let view = HandoverView {
        ended: assignment_in(&staff, &ended.id)?,
        started: assignment_in(&staff, &started.id)?,
    };
    Ok(created(
        &format!("/api/v1/offices/{office_id}/staff"),
        &JsonBody::new(&view),
    ))
}

/// Staffing report
///
/// Every office with its staffing status and how long a side has been vacant.
#[utoipa::path(
    tag = "staffing",
    security(("bearer" = [])),
    responses((status = 200, description = "All offices.", body = Page<StaffingReportRow>))
)]
#[get("/reports/staffing")]
pub async fn staffing_report(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ReadStaffingReport, Resource::Network)?;
    let snapshot = state.directory.get();
    let today = snapshot.today;
    let days = |since: Option<NaiveDate>| since.map(|s| (today - s).num_days().max(0));
    let items: Vec<StaffingReportRow> = snapshot
        .offices
        .iter()
        .map(|entry| (&entry.view, &entry.staffing))
        .map(|(o, s)| StaffingReportRow {
            office_id: o.id.clone(),
            slug: o.slug.clone(),
            name: o.name.clone(),
            status: o.status,
            staffing_status: s.status,
            city_vacant_since: s.city_vacant_since,
            city_vacant_days: days(s.city_vacant_since),
            provider_vacant_since: s.provider_vacant_since,
            provider_vacant_days: days(s.provider_vacant_since),
        })
        .collect();
    Ok(respond(
        &req,
        &JsonBody::new(&Page {
            items,
            next_cursor: None,
        }),
        Audience::Private,
    ))
}

fn office_id_of(state: &AppState, raw: &str) -> Result<OfficeId, ApiError> {
    let snapshot = state.directory.get();
    Ok(office_at(&snapshot, raw)?.office_id())
}

/// Dates of a body must lie in the accepted window.
fn check_dates(dates: &[(&str, NaiveDate)]) -> Result<(), ApiError> {
    let mut e = ValidationErrors::default();
    for (pointer, date) in dates {
        e.check_date(pointer, *date);
    }
    e.into_result().map_err(ApiError::validation)
}

/// An id in a body: a malformed one is a validation error at its pointer.
fn parse_id_field<T: Id>(pointer: &str, raw: &str) -> Result<T, ApiError> {
    T::parse(raw).ok_or_else(|| ApiError::validation(ValidationErrors::single(pointer, "must be a UUID")))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffMember {
    #[schema(format = Uuid)]
    pub id: String,
    pub display_name: String,
    pub email: String,
}

/// One assignment of a person to one side of an office's tandem. Half-open:
/// `ended_on` is the first day without the assignment (`null`: open-ended).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignmentView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub office_id: String,
    pub side: Side,
    pub person: StaffMember,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    /// Whether the assignment covers today.
    pub is_current: bool,
}

impl AssignmentView {
    pub fn from(a: &StaffedAssignment, today: NaiveDate) -> Result<AssignmentView, RepoError> {
        let domain = a.row.to_domain()?;
        Ok(AssignmentView {
            id: a.row.id.clone(),
            office_id: a.row.office_id.clone(),
            side: domain.side,
            person: StaffMember {
                id: a.row.user_id.clone(),
                display_name: a.display_name.clone(),
                email: a.email.clone(),
            },
            started_on: a.row.started_on,
            ended_on: a.row.ended_on,
            end_reason: a.row.end_reason.clone(),
            is_current: domain.covers(today),
        })
    }
}

/// An office's tandem today, and its full history (oldest first).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfficeStaffView {
    #[schema(format = Uuid)]
    pub office_id: String,
    pub staffing_status: StaffingStatus,
    pub city: Option<AssignmentView>,
    pub provider: Option<AssignmentView>,
    pub history: Vec<AssignmentView>,
}

/// The result of a handover: the predecessor's ended assignment and the successor's.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HandoverView {
    pub ended: AssignmentView,
    pub started: AssignmentView,
}

/// One office in the staffing report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffingReportRow {
    #[schema(format = Uuid)]
    pub office_id: String,
    pub slug: String,
    pub name: String,
    pub status: OfficeStatus,
    pub staffing_status: StaffingStatus,
    /// Since when the city side is unstaffed; `null` while staffed.
    pub city_vacant_since: Option<NaiveDate>,
    pub city_vacant_days: Option<i64>,
    pub provider_vacant_since: Option<NaiveDate>,
    pub provider_vacant_days: Option<i64>,
}
