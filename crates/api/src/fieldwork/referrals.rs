//! Referrals of an office's contacts: the follow-up list, and closing a referral with
//! what came of it.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use domain::fieldwork::referral::{ReferralOutcome, ReferralStatus};
use domain::{Action, ReferralId, Resource, ValidationErrors, directory::schedule::berlin_today};
use persistence::fieldwork::DayKey;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::contacts::ReferralView;
use super::{Start, limit_plus_one, office_id_of, page_of, start};
use crate::accounts::auth::Authenticated;
use crate::http::conditional::{Audience, JsonBody, respond};
use crate::http::extractors::{Query, parse_record_json};
use crate::http::pagination::{self, Page};
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// Filters and paging of an office's referrals.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    pub status: Option<ReferralStatus>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List an office's referrals
///
/// Referrals made in the office's contacts, newest contact first; `status=issued` is the
/// follow-up list. The office's staff, coordinators, admins.
#[utoipa::path(
    tag = "fieldwork",
    security(("bearer" = [])),
    params(
        ("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde"),
        ReferralQuery,
    ),
    responses((status = 200, description = "A page of referrals.", body = Page<ReferralView>))
)]
#[get("/offices/{office}/referrals")]
pub async fn list_office_referrals(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    office: web::Path<String>,
    query: Query<ReferralQuery>,
) -> Result<HttpResponse, ApiError> {
    let office_id = office_id_of(&state, &office)?;
    caller.authorize(Action::ReadContacts, Resource::Office(&office_id))?;
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let rows = match start(q.cursor.as_deref())? {
        Start::End => Vec::new(),
        start => {
            let after = match start {
                Start::After(key) => Some(key),
                _ => None,
            };
            let status = q.status;
            state
                .db(move |conn| {
                    persistence::fieldwork::contacts::list_referrals(
                        conn,
                        &office_id,
                        status,
                        after.as_ref(),
                        limit_plus_one(limit),
                    )
                })
                .await?
        }
    };
    let (rows, next_cursor) = page_of(rows, limit, |r| DayKey {
        day: r.occurred_on,
        id: r.referral.id.clone(),
    });
    let items = rows
        .iter()
        .map(ReferralView::from_stored)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(respond(
        &req,
        &JsonBody::new(&Page { items, next_cursor }),
        Audience::Private,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseReferralRequest {
    pub outcome: ReferralOutcome,
    /// When the office learned the outcome: not before the contact, not in the future.
    /// Default: today.
    #[serde(default)]
    pub closed_on: Option<NaiveDate>,
}

/// Close a referral
///
/// Record what came of a referral. Once: closing again is 409 `referral_already_closed`.
/// The office's staff, coordinators, admins.
#[utoipa::path(
    tag = "fieldwork",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Referral id")),
    request_body = CloseReferralRequest,
    responses((status = 200, description = "Closed.", body = ReferralView))
)]
#[post("/referrals/{id}/close")]
pub async fn close_referral(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id: ReferralId = parse_id("id", &id)?;
    let lookup = id.clone();
    let current = state
        .db(move |conn| persistence::fieldwork::contacts::find_referral(conn, &lookup))
        .await?
        .ok_or_else(|| ApiError::not_found("no referral with this id"))?;
    caller.authorize(Action::RecordContacts, Resource::Office(&current.office_id()))?;
    let body: CloseReferralRequest = parse_record_json(&req, &body)?;
    let closed_on = body.closed_on.unwrap_or_else(|| berlin_today(caller.at));
    let mut e = ValidationErrors::default();
    e.check_date("/closed_on", closed_on);
    e.into_result().map_err(ApiError::validation)?;
    let ctx = caller.audit();
    let closed = state
        .db(move |conn| {
            persistence::fieldwork::contacts::close_referral(conn, &id, body.outcome, closed_on, &ctx)
        })
        .await?;
    let view = ReferralView::from_stored(&closed)?;
    Ok(respond(&req, &JsonBody::new(&view), Audience::Private))
}
