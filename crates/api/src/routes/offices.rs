use actix_web::{HttpRequest, HttpResponse, get, web};
use domain::{District, OfficeKind, OfficeStatus};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::MaybeAuthenticated;
use crate::conditional::{JsonBody, respond};
use crate::directory_cache::Snapshot;
use crate::pagination::{self, ListQuery, Page};
use crate::problem::ApiError;
use crate::routes::parse_office_key;
use crate::state::AppState;
use crate::views::{LocationView, OfficeView};

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
}

/// Offices and outposts with their districts, provider and current location, oldest first.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "offices",
    summary = "List offices",
    params(OfficeQuery),
    responses((status = 200, description = "A page of offices.", body = Page<OfficeView>))
)]
#[get("/offices")]
pub async fn list_offices(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<OfficeQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let snapshot = state.directory.get();
    let paging = ListQuery {
        limit: q.limit,
        cursor: q.cursor,
    };
    let unfiltered = q.district.is_none() && q.status.is_none() && q.kind.is_none();
    let private = caller.0.is_some();
    if unfiltered && paging.is_first_page() {
        return Ok(respond(
            &req,
            snapshot.offices_first_page(private),
            caller.audience(),
        ));
    }
    let (after, limit) = paging.parse()?;
    let matching = snapshot.offices_for(private).iter().filter(|o| {
        q.district
            .is_none_or(|d| o.districts.iter().any(|od| od.code == d))
            && q.status.is_none_or(|s| o.status == s)
            && q.kind.is_none_or(|k| o.kind == k)
    });
    let page = pagination::paginate(matching, |o| &o.id, after.as_deref(), limit);
    Ok(respond(&req, &JsonBody::new(&page), caller.audience()))
}

fn find_office(snapshot: &Snapshot, key: &str) -> Result<usize, ApiError> {
    snapshot
        .office(key)
        .ok_or_else(|| ApiError::not_found(format!("no office with id or slug {key:?}")))
}

/// One office, by id or slug (e.g. `mengede-huckarde`).
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "offices",
    summary = "Get an office",
    params(("id_or_slug" = String, Path, description = "Office id (UUID) or slug", example = "mengede-huckarde")),
    responses((status = 200, description = "The office.", body = OfficeView))
)]
#[get("/offices/{id_or_slug}")]
pub async fn get_office(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = parse_office_key("id_or_slug", &key)?;
    let snapshot = state.directory.get();
    let index = find_office(&snapshot, &key)?;
    Ok(respond(
        &req,
        snapshot.office_body_for(index, caller.0.is_some()),
        caller.audience(),
    ))
}

/// Where the office has been, is, and (if a move is announced) will be: oldest first.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "offices",
    summary = "Location history of an office",
    params(
        ("id_or_slug" = String, Path, description = "Office id (UUID) or slug", example = "mengede-huckarde"),
        ListQuery,
    ),
    responses((status = 200, description = "The office's location periods.", body = Page<LocationView>))
)]
#[get("/offices/{id_or_slug}/locations")]
pub async fn list_office_locations(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    key: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let key = parse_office_key("id_or_slug", &key)?;
    let snapshot = state.directory.get();
    let index = find_office(&snapshot, &key)?;
    if query.is_first_page() {
        return Ok(respond(
            &req,
            snapshot.locations_first_page(index),
            caller.audience(),
        ));
    }
    let (after, limit) = query.parse()?;
    let page = pagination::paginate(
        &snapshot.locations[index],
        |l| &l.sort_key,
        after.as_deref(),
        limit,
    );
    Ok(respond(&req, &JsonBody::new(&page), caller.audience()))
}
