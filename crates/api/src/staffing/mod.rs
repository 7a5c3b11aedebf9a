//! The tandem of each office: assignments, ends, handovers and the staffing report.

pub mod staff;

use utoipa_actix_web::service_config::ServiceConfig;

/// Routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(staff::get_staff)
        .service(staff::assign_staff)
        .service(staff::handover)
        .service(staff::end_assignment)
        .service(staff::staffing_report);
}
