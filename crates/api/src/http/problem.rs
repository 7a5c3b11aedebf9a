//! RFC 9457 problem details: the one error shape of the API.
//!
//! Handlers and extractors return [`ApiError`]; the [`render_problems`] middleware turns
//! every 4xx/5xx response, whatever produced it, into `application/problem+json` with
//! the request path as `instance` and the request id.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use domain::ProblemCode;
use domain::{FieldError, RelocationError, ValidationErrors};
use persistence::RepoError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::request_id::RequestId;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error as every client sees it (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// URI identifying the problem type; stable per `code`.
    #[schema(example = "urn:lokal-willkommen:problem:not_found")]
    pub r#type: String,
    #[schema(example = "Not Found")]
    pub title: String,
    /// Equals the HTTP status code.
    #[schema(example = 404)]
    pub status: u16,
    #[schema(example = "no office with id or slug \"nowhere\"")]
    pub detail: String,
    /// The request path this problem occurred on.
    #[schema(example = "/api/v1/offices/nowhere")]
    pub instance: Option<String>,
    /// Stable machine-readable code; switch on this, not on `title` or `detail`.
    pub code: ProblemCode,
    /// The request id, also sent as `X-Request-Id`; quote it when reporting a problem.
    pub request_id: Option<String>,
    /// Every invalid input, for validation problems; empty otherwise.
    pub errors: Vec<FieldError>,
}

/// An error on its way to becoming a [`Problem`].
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ProblemCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub allow: Option<String>,
    /// Seconds to send as `Retry-After` (429).
    pub retry_after: Option<u64>,
    /// Send `WWW-Authenticate: Bearer` (401).
    pub bearer_challenge: bool,
    /// With the challenge: the token that was sent is not valid (RFC 6750
    /// `error="invalid_token"`), so a client knows to refresh or sign in again.
    pub invalid_token: bool,
}

impl ApiError {
    /// A problem with the status its code is always sent with.
    pub fn new(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::with_status(
            StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            detail,
        )
    }

    fn with_status(status: StatusCode, code: ProblemCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            allow: None,
            retry_after: None,
            bearer_challenge: false,
            invalid_token: false,
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ProblemCode::NotFound, detail)
    }

    /// One bad query or path parameter.
    pub fn invalid_parameter(name: &str, message: impl Into<String>) -> Self {
        let mut errors = ValidationErrors::default();
        errors.add_parameter(name, message);
        let mut err = ApiError::new(
            ProblemCode::InvalidParameter,
            format!("query or path parameter `{name}` is invalid"),
        );
        err.errors = errors.0;
        err
    }

    pub fn validation(errors: ValidationErrors) -> Self {
        let mut err = Self::new(
            ProblemCode::ValidationFailed,
            "the request is well-formed but some values are invalid; see `errors`",
        );
        err.errors = errors.0;
        err
    }

    pub fn internal() -> Self {
        Self::new(
            ProblemCode::InternalError,
            "an unexpected error occurred; it has been logged",
        )
    }

    pub fn method_not_allowed(allow: String) -> Self {
        let mut err = Self::new(
            ProblemCode::MethodNotAllowed,
            format!("this resource supports {allow}"),
        );
        err.allow = Some(allow);
        err
    }

    /// A generic problem for a status produced outside our code (actix internals).
    pub fn from_status(status: StatusCode) -> Self {
        let code = match status.as_u16() {
            400 => ProblemCode::BadRequest,
            404 => ProblemCode::NotFound,
            405 => ProblemCode::MethodNotAllowed,
            408 => ProblemCode::RequestTimeout,
            413 => ProblemCode::PayloadTooLarge,
            415 => ProblemCode::UnsupportedMediaType,
            431 => ProblemCode::HeadersTooLarge,
            s if s >= 500 => ProblemCode::InternalError,
            _ => ProblemCode::ClientError,
        };
        let detail = if status.is_server_error() {
            "an unexpected error occurred; it has been logged".to_owned()
        } else {
            status
                .canonical_reason()
                .unwrap_or("request failed")
                .to_lowercase()
        };
        Self::with_status(status, code, detail)
    }

    pub fn to_problem(&self, instance: Option<String>, request_id: Option<String>) -> Problem {
        Problem {
            r#type: format!("urn:lokal-willkommen:problem:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            instance,
            code: self.code,
            request_id,
            errors: self.errors.clone(),
        }
    }

    pub(crate) fn render(&self, instance: Option<String>, request_id: Option<String>) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if self.status.is_client_error() || self.status.is_server_error() {
            res.insert_header((header::CACHE_CONTROL, "no-store"));
        }
        if let Some(allow) = &self.allow {
            res.insert_header((header::ALLOW, allow.as_str()));
        }
        if let Some(seconds) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if self.bearer_challenge {
            let challenge = if self.invalid_token {
                "Bearer realm=\"lokal-willkommen\", error=\"invalid_token\""
            } else {
                "Bearer realm=\"lokal-willkommen\""
            };
            res.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        let body = serde_json::to_vec(&self.to_problem(instance, request_id)).expect("problems serialize");
        res.body(body)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        self.render(None, None)
    }
}

impl From<RepoError> for ApiError {
    fn from(err: RepoError) -> Self {
        match err {
            RepoError::NotFound => ApiError::not_found("the resource does not exist"),
            // A compare-and-swap on the version lost to a concurrent write.
            RepoError::Stale => precondition_failed(),
            RepoError::Refused { code, detail } => ApiError::new(code, detail),
            RepoError::Invalid(errors) => ApiError::validation(errors),
            RepoError::Relocation(e) => ApiError::from(e),
            RepoError::Staffing(e) => ApiError::new(e.code(), e.to_string()),
            RepoError::Invariant(v) => {
                let mut err = ApiError::new(v.code, v.detail.clone());
                let mut errors = ValidationErrors::default();
                errors.add(v.pointer, v.detail);
                err.errors = errors.0;
                err
            }
            other => {
                tracing::error!(error = %error_chain(&other), "persistence failure");
                ApiError::internal()
            }
        }
    }
}

/// An error with all its sources, for the log of a 500 (never for the client).
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// 412: the `If-Match` ETag is not the current one.
pub fn precondition_failed() -> ApiError {
    ApiError::new(
        ProblemCode::EtagMismatch,
        "the resource changed since you read it; GET it again and reapply your change",
    )
}

impl From<RelocationError> for ApiError {
    fn from(err: RelocationError) -> Self {
        ApiError::new(err.code(), err.to_string())
    }
}

/// Renders every error response as problem+json, adding `instance` and the request id,
/// and answers a panic anywhere inside with a 500 problem instead of a dropped connection
/// (the panic hook has logged it). It runs inside the CORS layer, so these answers carry
/// the CORS headers a browser needs to read them.
/// Inner middleware must answer with an error *response* (`HttpResponse::from_error`),
/// not `Err`: the request cannot be cloned here without breaking routing.
pub async fn render_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    use futures_util::FutureExt;
    let path = req.path().to_owned();
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let res = match std::panic::AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(res) => res?,
        Err(_) => {
            // The request is gone with the panic (routing needs it unshared, so it cannot
            // be kept); the answer goes out on a stand-in for the same path.
            let stand_in = actix_web::test::TestRequest::with_uri(&path).to_http_request();
            let response = ApiError::internal().render(Some(path), request_id);
            return Ok(ServiceResponse::new(stand_in, response).map_into_right_body());
        }
    };
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res.map_into_left_body());
    }
    let rendered = problem_response(res.request(), status, res.response().error(), res.headers());
    Ok(res.into_response(rendered).map_into_right_body())
}

fn problem_response(
    req: &actix_web::HttpRequest,
    status: StatusCode,
    error: Option<&actix_web::Error>,
    original_headers: &header::HeaderMap,
) -> HttpResponse {
    let mut api_error = match error.and_then(|e| e.as_error::<ApiError>()) {
        Some(api) => api.clone(),
        None => {
            if let Some(err) = error
                && status.is_server_error()
            {
                tracing::error!(error = %err, "unhandled error");
            }
            ApiError::from_status(status)
        }
    };
    let header = |name| original_headers.get(name).cloned();
    if api_error.allow.is_none() {
        api_error.allow = header(header::ALLOW).and_then(|v| v.to_str().ok().map(str::to_owned));
    }
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let mut rendered = api_error.render(Some(req.path().to_owned()), request_id);
    if let Some(v) = header(header::RETRY_AFTER) {
        rendered.headers_mut().insert(header::RETRY_AFTER, v);
    }
    rendered
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    use super::*;

    #[actix_rt::test]
    async fn a_panicking_handler_answers_500_problem_json() {
        let app = test::init_service(
            App::new()
                .wrap(from_fn(render_problems))
                .wrap(from_fn(crate::http::request_id::request_context))
                .route("/ok", web::get().to(|| async { HttpResponse::Ok().finish() }))
                .route(
                    "/boom",
                    web::get().to(|| async {
                        assert!(std::hint::black_box(false), "a bug");
                        HttpResponse::Ok().finish()
                    }),
                ),
        )
        .await;
        let res = test::call_service(&app, test::TestRequest::get().uri("/boom").to_request()).await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            res.headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some(PROBLEM_JSON)
        );
        let body = test::read_body(res).await;
        let problem: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(problem["code"], "internal_error");
        assert_eq!(problem["instance"], "/boom");
        assert!(
            !String::from_utf8_lossy(&body).contains("a bug"),
            "no panic text leaks"
        );
        // The worker keeps serving.
        let res = test::call_service(&app, test::TestRequest::get().uri("/ok").to_request()).await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    /// Panics are answered inside the CORS layer, so a browser can read the 500 too.
    #[actix_rt::test]
    async fn a_panic_answer_keeps_the_cors_grant() {
        let app = test::init_service(
            App::new()
                .wrap(from_fn(render_problems))
                .wrap(actix_cors::Cors::default().allow_any_origin())
                .wrap(from_fn(crate::http::request_id::request_context))
                .route(
                    "/boom",
                    web::get().to(|| async {
                        assert!(std::hint::black_box(false), "a bug");
                        HttpResponse::Ok().finish()
                    }),
                ),
        )
        .await;
        let req = test::TestRequest::get()
            .uri("/boom")
            .insert_header((header::ORIGIN, "https://www.dortmund.de"))
            .to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            res.headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .and_then(|v| v.to_str().ok()),
            Some("https://www.dortmund.de")
        );
        assert!(res.headers().contains_key("x-request-id"));
    }
}
