//! Every route of the API, registered in one table (each feature lists its own routes),
//! so the route table and the OpenAPI document built from it are complete by
//! construction.

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{accounts, directory, fieldwork, health, network, privacy, staffing};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .configure(accounts::configure_root)
        .configure(directory::configure_root)
        .service(
            scope::scope("/api/v1")
                .configure(directory::configure)
                .configure(staffing::configure)
                .configure(fieldwork::configure)
                .configure(network::configure)
                .configure(privacy::configure)
                .configure(accounts::configure),
        );
}
