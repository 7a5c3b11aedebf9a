//! `GET /metrics`: on a listener of its own without a token, or on the API listener only
//! with the configured bearer token.

use std::fmt;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use prometheus_client::encoding::prometheus_text::CONTENT_TYPE;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::Metrics;
use crate::accounts::auth::extract::unauthenticated;
use crate::http::problem::ApiError;
use crate::state::AppState;

pub const PATH: &str = "/metrics";

/// The secret that opens `/metrics` on the API listener (`LW_METRICS_TOKEN`). Only its
/// SHA-256 is kept: comparing digests of equal length in constant time reveals neither
/// the token's bytes nor its length through timing.
#[derive(Clone)]
pub struct MetricsToken([u8; 32]);

impl MetricsToken {
    /// Long enough not to be guessed over the network (`openssl rand -hex 32` gives 64).
    pub const MIN_LEN: usize = 32;

    pub fn new(secret: &str) -> Result<MetricsToken, String> {
        if secret.len() < Self::MIN_LEN || !secret.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!(
                "LW_METRICS_TOKEN must be at least {} visible ASCII characters without spaces \
                 (e.g. `openssl rand -hex 32`)",
                Self::MIN_LEN
            ));
        }
        Ok(MetricsToken(Sha256::digest(secret.as_bytes()).into()))
    }

    fn admits(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        self.0.ct_eq(&digest).into()
    }
}

impl fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MetricsToken(<redacted>)")
    }
}

/// Registers `/metrics` on the API listener behind `token`. Without a token nothing is
/// registered and the path is a 404 like any other unknown one.
pub fn configure_guarded(cfg: &mut web::ServiceConfig, token: MetricsToken) {
    cfg.service(
        web::resource(PATH)
            .app_data(web::Data::new(token))
            // HEAD arrives here as GET (see `extractors::reject_oversized`).
            .route(web::get().to(guarded))
            .default_service(web::to(not_allowed)),
    );
}

/// Registers `/metrics` without a token, for the metrics listener (`LW_METRICS_BIND`),
/// which only the network reaches that the operator bound it to.
pub fn configure_listener(cfg: &mut web::ServiceConfig, metrics: Arc<Metrics>) {
    cfg.app_data(web::Data::from(metrics)).service(
        web::resource(PATH)
            .route(web::get().to(open))
            .route(web::head().to(open)),
    );
}

async fn guarded(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Data<MetricsToken>,
) -> Result<HttpResponse, ApiError> {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, credentials)| credentials.trim());
    let Some(presented) = presented else {
        return Err(unauthenticated("send `Authorization: Bearer <LW_METRICS_TOKEN>`"));
    };
    if !token.admits(presented) {
        tracing::warn!(event = "authn_metrics_fail", "metrics refused: wrong token");
        let mut err = unauthenticated("the metrics token is wrong");
        err.invalid_token = true;
        return Err(err);
    }
    exposition(&state.metrics)
}

async fn open(metrics: web::Data<Metrics>) -> Result<HttpResponse, ApiError> {
    exposition(&metrics)
}

async fn not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::method_not_allowed("GET, HEAD".to_owned()))
}

fn exposition(metrics: &Metrics) -> Result<HttpResponse, ApiError> {
    let text = metrics.render().map_err(|_| ApiError::internal())?;
    Ok(HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_admits_only_itself_and_hides_in_debug() {
        let secret = "0123456789abcdef0123456789abcdef";
        let token = MetricsToken::new(secret).expect("long enough");
        assert!(token.admits(secret));
        assert!(!token.admits("0123456789abcdef0123456789abcdeX"));
        assert!(!token.admits(""));
        assert!(!format!("{token:?}").contains(secret));
    }

    #[test]
    fn short_or_spaced_tokens_are_refused() {
        assert!(MetricsToken::new("too-short").is_err());
        assert!(MetricsToken::new("0123456789abcdef 0123456789abcdef").is_err());
    }
}
