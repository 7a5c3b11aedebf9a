use actix_web::{HttpResponse, get, web};
use diesel::connection::SimpleConnection;
use domain::ProblemCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::blocking::run_blocking;
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness probe
///
/// Liveness: the process answers. Never touches the database.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The process is alive.", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(Health { status: "ok" })
}

/// Readiness probe
///
/// Readiness: the database answers a query.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "The database is reachable.", body = Health),
        (status = 503, description = "The database is not reachable.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let ok = run_blocking(move || -> bool {
        pool.get()
            .ok()
            .is_some_and(|mut c| c.batch_execute("SELECT 1").is_ok())
    })
    .await;
    if !ok {
        return Err(ApiError::new(
            ProblemCode::DatabaseUnavailable,
            "the database does not answer",
        ));
    }
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(Health { status: "ready" }))
}
