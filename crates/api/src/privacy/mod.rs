//! Data protection: the personal-data access log.

pub mod access_log;

use utoipa_actix_web::service_config::ServiceConfig;

/// Routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(access_log::list_access_log);
}
