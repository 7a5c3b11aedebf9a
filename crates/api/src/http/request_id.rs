//! Request ids, the request span, and one access-log line per request.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::http::header::CONTENT_SECURITY_POLICY;

use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// API responses may not load or frame anything.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
/// The Swagger UI under `/docs/` may load its own (vendored) scripts and styles, nothing
/// from elsewhere.
const DOCS_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The id of the current request: the caller's `X-Request-Id` when it is a sane token
/// (1 to 64 characters of `A-Za-z0-9._-`), a fresh UUIDv7 otherwise.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn accept(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let ok = (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    ok.then(|| s.to_owned())
}

/// The outermost layer of our own: gives the request its id and span, writes the access
/// log line and sets the Content-Security-Policy, for every answer including the CORS
/// layer's (which sits inside it). Panics are answered inside, by `render_problems`.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(X_REQUEST_ID)
        .and_then(accept)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    // The path is logged without its query string, which may carry search terms.
    let path = req.path().to_owned();
    let span = tracing::info_span!("http", request_id = %id, method = %req.method(), path = %path);
    let started = Instant::now();
    let mut res = next.call(req).instrument(span.clone()).await?;
    let policy = if path.starts_with("/docs") {
        DOCS_POLICY
    } else {
        API_POLICY
    };
    res.headers_mut()
        .insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    res.headers_mut().insert(
        X_REQUEST_ID,
        HeaderValue::from_str(&id).expect("validated or generated id"),
    );
    let status = res.status().as_u16();
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    span.in_scope(|| tracing::info!(status, micros, "request"));
    Ok(res)
}
