//! The offices' network work: network meetings, and the partner network's cooperations
//! and contact persons (the partner profile itself is part of the organizations in
//! `directory`). Field work, never in the public directory snapshot.

pub mod contact_persons;
pub mod cooperations;
pub mod meetings;

use utoipa_actix_web::service_config::ServiceConfig;

/// Routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(meetings::list_network_meetings)
        .service(meetings::create_network_meeting)
        .service(meetings::get_network_meeting)
        .service(meetings::update_network_meeting)
        .service(cooperations::list_cooperations)
        .service(cooperations::create_cooperation)
        .service(cooperations::end_cooperation)
        .service(contact_persons::list_contact_persons)
        .service(contact_persons::create_contact_person)
        .service(contact_persons::get_contact_person)
        .service(contact_persons::update_contact_person)
        .service(contact_persons::contact_persons_due_for_review);
}
