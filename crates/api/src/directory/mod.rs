//! The public directory: districts, organizations, offices and their location history,
//! consultation hours and sessions, topics and services, the iCalendar and HSDS exports,
//! and the in-memory snapshot every public read is served from.

pub mod cache;
pub mod content;
pub mod content_views;
pub mod districts;
pub mod hsds;
pub mod ics;
pub mod input;
pub mod office_writes;
pub mod offices;
pub mod organizations;
pub mod views;

use utoipa_actix_web::service_config::ServiceConfig;

/// Routes outside `/api/v1`: the HSDS export.
pub fn configure_root(cfg: &mut ServiceConfig) {
    cfg.service(hsds::hsds_root)
        .service(hsds::hsds_services)
        .service(hsds::hsds_service)
        .service(hsds::hsds_organizations)
        .service(hsds::hsds_service_at_locations);
}

/// Routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(districts::list_districts)
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
        .service(ics::consultation_hours_ics);
}
