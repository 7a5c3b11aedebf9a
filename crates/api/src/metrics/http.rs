//! Counting and timing every request of the API listener.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

use crate::state::AppState;

/// Records each request under its route template, method and final status. Wraps the
/// request context, so a panic's 500 is counted too (under `unmatched`: the request,
/// and with it the route, is lost with the panic).
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.metrics.clone());
    let method = method_label(req.method());
    let started = Instant::now();
    let outcome = next.call(req).await;
    if let Some(metrics) = metrics {
        let (route, status) = match &outcome {
            // After routing this is a lookup by the matched resource; for requests that
            // no resource took (404, 405, refusals before routing) actix matches the
            // path against the templates, so a 405 still carries its route.
            Ok(res) => (res.request().match_pattern(), res.status().as_u16()),
            Err(e) => (None, e.as_response_error().status_code().as_u16()),
        };
        metrics.record_request(route, method, status, started.elapsed());
    }
    outcome
}

/// Methods outside the usual set share one label: a client can send any token as a
/// method, and each must not become a series of its own.
fn method_label(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusual_methods_share_one_label() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(
            method_label(&Method::from_bytes(b"PROPFIND").expect("a token")),
            "other"
        );
        assert_eq!(
            method_label(&Method::from_bytes(b"get").expect("a token")),
            "other"
        );
    }
}
