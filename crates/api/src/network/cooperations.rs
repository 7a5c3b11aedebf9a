//! Cooperations of partner organizations with offices: how a partner works with an
//! office (takes referrals, hosts it, runs events with it...), from when, until when.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::network::partners::{self, CooperationKind};
use domain::{Action, CooperationId, Id, OfficeId, OrganizationId, Resource, ValidationErrors};
use persistence::RepoError;
use persistence::network::cooperations::{CooperationRow, NewCooperation};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::auth::Authenticated;
use crate::http::conditional::{Audience, JsonBody, created, respond};
use crate::http::extractors::{Query, parse_record_json};
use crate::http::pagination::{self, Page};
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCooperationRequest {
    /// The office the partner works with. Staff may start cooperations of the offices
    /// they are assigned to today.
    #[schema(format = Uuid)]
    pub office_id: String,
    pub kind: CooperationKind,
    /// The first day of the cooperation.
    pub started_on: NaiveDate,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndCooperationRequest {
    /// The first day without the cooperation (after `started_on`).
    pub ended_on: NaiveDate,
}

/// A partner's cooperation with an office. Half-open like staff assignments: `ended_on`
/// is the first day without it (`null` while it runs).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CooperationView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    #[schema(format = Uuid)]
    pub office_id: String,
    pub kind: CooperationKind,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    /// Whether the cooperation runs today.
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CooperationView {
    pub fn from_row(row: &CooperationRow, today: NaiveDate) -> Result<CooperationView, RepoError> {
        Ok(CooperationView {
            id: row.id.clone(),
            organization_id: row.organization_id.clone(),
            office_id: row.office_id.clone(),
            kind: row.kind()?,
            started_on: row.started_on,
            ended_on: row.ended_on,
            is_active: partners::is_active(row.started_on, row.ended_on, today),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

/// Paging of the partner network's lists.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The organization must exist (public or internal: the caller sees the partner network).
pub(crate) async fn require_organization(state: &AppState, id: OrganizationId) -> Result<(), ApiError> {
    state
        .db(move |conn| persistence::directory::organizations::find(conn, &id))
        .await?
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("no organization with this id"))
}

/// Cooperations of a partner
///
/// The partner's cooperations with offices, in the order they were recorded, ended ones
/// included. Staff with an office today, coordinators and admins.
#[utoipa::path(
    tag = "network",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Organization id"), PageQuery),
    responses((status = 200, description = "A page of cooperations.", body = Page<CooperationView>))
)]
#[get("/organizations/{id}/cooperations")]
pub async fn list_cooperations(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ReadPartnerNetwork, Resource::Network)?;
    let id = parse_id::<OrganizationId>("id", &id)?;
    let after = pagination::decode_cursor(query.cursor.as_deref())?;
    let limit = pagination::limit(query.limit)?;
    require_organization(&state, id.clone()).await?;
    let rows = state
        .db(move |conn| {
            persistence::network::cooperations::list(
                conn,
                &id,
                after.as_deref(),
                i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1,
            )
        })
        .await?;
    let today = state.clock.today();
    let mut items = rows
        .iter()
        .map(|r| CooperationView::from_row(r, today))
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|c| pagination::encode_cursor(&c.id))
    } else {
        None
    };
    Ok(respond(
        &req,
        &JsonBody::new(&Page { items, next_cursor }),
        Audience::Private,
    ))
}

/// Start a cooperation
///
/// Record that a partner works with an office from `started_on` on. One running
/// cooperation per partner, office and kind (409 `cooperation_exists`); only partners
/// cooperate (409 `not_a_partner`). Staff: for the offices they are assigned to today.
#[utoipa::path(
    tag = "network",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Organization id")),
    request_body = NewCooperationRequest,
    responses((status = 201, description = "Started.", body = CooperationView))
)]
#[post("/organizations/{id}/cooperations")]
pub async fn create_cooperation(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageCooperations, Resource::Network)?;
    let id = parse_id::<OrganizationId>("id", &id)?;
    require_organization(&state, id.clone()).await?;
    let request: NewCooperationRequest = parse_record_json(&req, &body)?;
    let mut e = ValidationErrors::default();
    e.check_date("/started_on", request.started_on);
    let snapshot = state.directory.get();
    let office_id = match OfficeId::parse(&request.office_id) {
        None => {
            e.add("/office_id", "must be a UUID");
            None
        }
        Some(office) if snapshot.office(&office).is_none() => {
            e.add("/office_id", "no office with this id");
            None
        }
        Some(office) => Some(office),
    };
    e.into_result().map_err(ApiError::validation)?;
    let office_id = office_id.ok_or_else(ApiError::internal)?;
    caller.authorize(Action::ManageCooperations, Resource::Office(&office_id))?;
    let new = NewCooperation {
        office_id,
        kind: request.kind,
        started_on: request.started_on,
    };
    let ctx = caller.audit();
    let org = id.clone();
    let row = state
        .db(move |conn| persistence::network::cooperations::create(conn, &org, &new, &ctx))
        .await?;
    let view = CooperationView::from_row(&row, state.clock.today())?;
    Ok(created(
        &format!("/api/v1/organizations/{id}/cooperations"),
        &JsonBody::new(&view),
    ))
}

/// End a cooperation
///
/// End a running cooperation: `ended_on` is its first day without it. Ending it again is
/// 409 `cooperation_already_ended`. Staff: cooperations of their offices.
#[utoipa::path(
    tag = "network",
    security(("bearer" = [])),
    params(
        ("id" = uuid::Uuid, Path, description = "Organization id"),
        ("cooperation_id" = uuid::Uuid, Path, description = "Cooperation id"),
    ),
    request_body = EndCooperationRequest,
    responses((status = 200, description = "Ended.", body = CooperationView))
)]
#[post("/organizations/{id}/cooperations/{cooperation_id}/end")]
pub async fn end_cooperation(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageCooperations, Resource::Network)?;
    let (raw_org, raw_cooperation) = path.into_inner();
    let org = parse_id::<OrganizationId>("id", &raw_org)?;
    let cooperation = parse_id::<CooperationId>("cooperation_id", &raw_cooperation)?;
    let (o, c) = (org.clone(), cooperation.clone());
    let current = state
        .db(move |conn| persistence::network::cooperations::find(conn, &o, &c))
        .await?
        .ok_or_else(|| ApiError::not_found("no cooperation with this id at this organization"))?;
    caller.authorize(
        Action::ManageCooperations,
        Resource::Office(&OfficeId::from_stored(current.office_id.clone())),
    )?;
    let request: EndCooperationRequest = parse_record_json(&req, &body)?;
    let mut e = ValidationErrors::default();
    e.check_date("/ended_on", request.ended_on);
    e.into_result().map_err(ApiError::validation)?;
    let ctx = caller.audit();
    let row = state
        .db(move |conn| {
            persistence::network::cooperations::end(conn, &org, &cooperation, request.ended_on, &ctx)
        })
        .await?;
    let view = CooperationView::from_row(&row, state.clock.today())?;
    Ok(respond(&req, &JsonBody::new(&view), Audience::Private))
}
