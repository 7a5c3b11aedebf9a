//! Accounts: authentication (tokens, sessions, passwords), the caller's own account,
//! user administration, integration tokens and the audit log.

pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod login;
pub mod me;
pub mod users;

use utoipa_actix_web::service_config::ServiceConfig;

/// Routes outside `/api/v1`: the public keys verifying access tokens.
pub fn configure_root(cfg: &mut ServiceConfig) {
    cfg.service(login::jwks);
}

/// Routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login::login)
        .service(login::refresh_tokens)
        .service(login::logout)
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
        .service(audit::list_audit_events);
}
