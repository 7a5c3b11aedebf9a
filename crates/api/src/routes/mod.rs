//! Every route of the API, registered in one place so the route table (and the
//! OpenAPI document built from it) is complete by construction.

pub use crate::pagination::ListQuery;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod content;
pub mod districts;
pub mod health;
pub mod hsds;
pub mod ics;
pub mod input;
pub mod me;
pub mod office_writes;
pub mod offices;
pub mod organizations;
pub mod staff;
pub mod users;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(auth::jwks)
        .service(hsds::hsds_root)
        .service(hsds::hsds_services)
        .service(hsds::hsds_service)
        .service(hsds::hsds_organizations)
        .service(hsds::hsds_service_at_locations)
        .service(
            scope::scope("/api/v1")
                .service(districts::list_districts)
                .service(organizations::list_organizations)
                .service(organizations::create_organization)
                .service(organizations::get_organization)
                .service(organizations::update_organization)
                .service(offices::list_offices)
                .service(office_writes::create_office)
                .service(offices::get_office)
                .service(office_writes::update_office)
                .service(offices::list_office_locations)
                .service(office_writes::relocate_office)
                .service(staff::get_staff)
                .service(staff::assign_staff)
                .service(staff::handover)
                .service(staff::end_assignment)
                .service(staff::staffing_report)
                .service(content::list_languages)
                .service(content::list_topics)
                .service(content::list_services)
                .service(content::create_service)
                .service(content::get_service)
                .service(content::update_service)
                .service(content::office_services)
                .service(content::get_hours)
                .service(content::put_hours)
                .service(content::sessions)
                .service(ics::consultation_hours_ics)
                .service(auth::login)
                .service(auth::refresh_tokens)
                .service(auth::logout)
                .service(me::get_me)
                .service(me::change_password)
                .service(users::list_users)
                .service(users::create_user)
                .service(users::get_user)
                .service(users::update_user)
                .service(users::deactivate_user)
                .service(users::reactivate_user)
                .service(users::reset_password)
                .service(api_tokens::list_api_tokens)
                .service(api_tokens::create_api_token)
                .service(api_tokens::revoke_api_token)
                .service(audit::list_audit_events),
        );
}

/// A path id must be a UUID; anything else is a 400, not a 404, so typos are obvious.
pub fn parse_uuid(name: &str, raw: &str) -> Result<String, crate::problem::ApiError> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| crate::problem::ApiError::invalid_parameter(name, "must be a UUID"))
}

/// An office is addressed by UUID or by slug.
pub fn parse_office_key(name: &str, raw: &str) -> Result<String, crate::problem::ApiError> {
    if let Ok(id) = uuid::Uuid::parse_str(raw) {
        return Ok(id.hyphenated().to_string());
    }
    domain::Slug::parse(raw)
        .map(|s| s.as_str().to_owned())
        .ok_or_else(|| crate::problem::ApiError::invalid_parameter(name, "must be an office UUID or slug"))
}
