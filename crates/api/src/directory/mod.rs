//! The public directory: districts, organizations, offices and their location history,
//! consultation hours and sessions, topics and services, the iCalendar and HSDS exports,
//! and the in-memory snapshot every public read is served from.

pub mod cache;
pub mod districts;
pub mod hours;
pub mod hsds;
pub mod ics;
pub mod office_writes;
pub mod offices;
pub mod organizations;
pub mod reference;
pub mod relocations;
pub mod services;
pub mod snapshot;
mod stored;

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
        .service(offices::get_office_location)
        .service(relocations::update_office_location)
        .service(relocations::relocate_office)
        .service(reference::list_languages)
        .service(reference::list_topics)
        .service(reference::list_code_lists)
        .service(services::list_services)
        .service(services::create_service)
        .service(services::get_service)
        .service(services::update_service)
        .service(services::office_services)
        .service(hours::get_hours)
        .service(hours::put_hours)
        .service(hours::sessions)
        .service(ics::consultation_hours_ics);
}
