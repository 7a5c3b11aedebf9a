use actix_web::{HttpRequest, HttpResponse, get, web};
use domain::District;
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::auth::MaybeAuthenticated;
use crate::http::extractors::Query;
use crate::http::pagination::ListQuery;
use crate::http::pagination::{self, Page};
use crate::http::problem::ApiError;
use crate::state::AppState;

/// List districts
///
/// The twelve city districts (Stadtbezirke) of Dortmund, in official order.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "directory",
    params(ListQuery),
    responses((status = 200, description = "All districts.", body = Page<DistrictView>))
)]
#[get("/districts")]
pub async fn list_districts(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    pagination::cached_list(
        &req,
        &query,
        &snapshot.first_pages.districts,
        &snapshot.districts,
        |d| &d.sort_key,
        caller.audience(),
    )
}

/// A city district (Stadtbezirk).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DistrictView {
    pub code: District,
    #[schema(example = "Hörde")]
    pub name: String,
    #[serde(skip)]
    pub(crate) sort_key: String,
}

impl DistrictView {
    pub fn new(d: District, position: usize) -> Self {
        DistrictView {
            code: d,
            name: d.name().to_owned(),
            sort_key: format!("{position:04}"),
        }
    }
}
