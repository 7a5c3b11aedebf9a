use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::auth::MaybeAuthenticated;
use crate::conditional::{JsonBody, respond};
use crate::pagination::{self, Page};
use crate::problem::ApiError;
use crate::routes::ListQuery;
use crate::state::AppState;
use crate::views::DistrictView;

/// The twelve city districts (Stadtbezirke) of Dortmund, in official order.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "directory",
    summary = "List districts",
    params(ListQuery),
    responses((status = 200, description = "All districts.", body = Page<DistrictView>))
)]
#[get("/districts")]
pub async fn list_districts(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    if query.is_first_page() {
        return Ok(respond(&req, &snapshot.first_pages.districts, caller.audience()));
    }
    let (after, limit) = query.parse()?;
    let page = pagination::paginate(&snapshot.districts, |d| &d.sort_key, after.as_deref(), limit);
    Ok(respond(&req, &JsonBody::new(&page), caller.audience()))
}
