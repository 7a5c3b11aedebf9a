//! The application factory used by the server binary and by the tests alike.

use std::sync::Arc;

use actix_cors::{Cors, CorsError};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::{DefaultHeaders, Next, from_fn};
use actix_web::{App, HttpMessage, HttpRequest, web};
use domain::ProblemCode;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::http::conditional::{Audience, JsonBody, respond};
use crate::http::extractors;
use crate::http::openapi::{self, RouteTable};
use crate::http::problem::{ApiError, render_problems};
use crate::http::request_id::{RequestId, X_REQUEST_ID, request_context};
use crate::state::{AppState, HttpConfig};
use crate::{metrics, routes};

/// The complete OpenAPI document, as served at `/openapi.json` and checked in.
pub fn openapi() -> serde_json::Value {
    use utoipa::OpenApi as _;
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(openapi::BaseDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    openapi::complete(doc)
}

/// The OpenAPI document serialized once, shared by every worker (a copy of the document
/// per worker cost megabytes of resident memory).
pub struct ServedDocument(pub JsonBody);

impl ServedDocument {
    pub fn new(doc: &serde_json::Value) -> ServedDocument {
        ServedDocument(JsonBody::new(doc))
    }
}

/// Builds the app for one worker. `doc` is computed once by the caller and shared.
pub fn build_app(
    state: web::Data<AppState>,
    config: HttpConfig,
    doc: Arc<ServedDocument>,
    route_table: Arc<RouteTable>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, _) = App::new()
        .into_utoipa_app()
        .configure(routes::configure)
        .split_for_parts();
    let mut security_headers = DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::X_FRAME_OPTIONS, "DENY"));
    if config.hsts {
        security_headers = security_headers.add((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ));
    }
    let metrics_token = config.metrics_token.clone();
    app.app_data(state)
        .app_data(web::Data::from(route_table))
        .app_data(extractors::json_config())
        .app_data(extractors::payload_config())
        .app_data(extractors::query_config())
        .app_data(extractors::path_config())
        .service(web::redirect("/docs", "/docs/"))
        .app_data(web::Data::from(doc))
        .route("/openapi.json", web::get().to(openapi_json))
        .service(SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::from("/openapi.json")))
        .configure(|cfg| {
            if let Some(token) = metrics_token {
                metrics::endpoint::configure_guarded(cfg, token);
            }
        })
        .default_service(web::to(not_found_or_not_allowed))
        .wrap(from_fn(extractors::reject_oversized))
        .wrap(from_fn(render_problems))
        .wrap(cors(&config.cors_origins))
        .wrap(from_fn(render_cors_rejections))
        .wrap(from_fn(request_context))
        .wrap(from_fn(metrics::observe))
        .wrap(security_headers)
}

/// The contract, as checked in at `openapi/openapi.json`.
async fn openapi_json(req: HttpRequest, doc: web::Data<ServedDocument>) -> actix_web::HttpResponse {
    respond(&req, &doc.0, Audience::Public)
}

async fn not_found_or_not_allowed(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(allow) => ApiError::method_not_allowed(allow),
        None => ApiError::not_found(format!("no resource at {}", req.path())),
    })
}

/// Methods a cross-origin request may use (from `LW_CORS_ORIGINS`; anonymous reads from anywhere).
const CORS_METHODS: [Method; 6] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// Request headers a cross-origin request may send.
const CORS_HEADERS: [header::HeaderName; 6] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    header::IF_MATCH,
    header::IF_NONE_MATCH,
    header::ACCEPT_LANGUAGE,
    X_REQUEST_ID,
];

/// Anonymous reads are open to every origin (the directory is public); anything else
/// (writes, requests carrying a token, preflights for them) only to the configured
/// origins. No cookies are used,
/// so credentials are never allowed.
fn cors(origins: &[String]) -> Cors {
    let origins: Vec<String> = origins.to_vec();
    Cors::default()
        .allowed_origin_fn(move |origin, head| {
            let listed = origin.to_str().is_ok_and(|o| origins.iter().any(|a| a == o));
            let headers = head.headers();
            // A request carrying a token is not an anonymous read, whatever its method.
            let authenticated = headers.contains_key(header::AUTHORIZATION)
                || headers
                    .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
                    .and_then(|h| h.to_str().ok())
                    .is_some_and(|h| h.to_ascii_lowercase().contains("authorization"));
            let reading = head.method == Method::GET
                || head.method == Method::HEAD
                || (head.method == Method::OPTIONS
                    && headers
                        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                        .is_some_and(|m| m == "GET" || m == "HEAD"));
            listed || (reading && !authenticated)
        })
        .allowed_methods(CORS_METHODS)
        .allowed_headers(CORS_HEADERS)
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::CONTENT_LANGUAGE,
            X_REQUEST_ID,
        ])
        .max_age(3600)
}

/// A preflight the CORS layer refused, as problem+json with the code `cors_rejected` and
/// the status actix-cors chose (400), instead of its plain-text body. It sits right
/// outside the CORS layer, inside `request_context`, so the answer has a request id.
/// (Actual requests from other origins are never refused there: they just get no grant.)
async fn render_cors_rejections(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let res = next.call(req).await?;
    let Some(refusal) = res.response().error().and_then(|e| e.as_error::<CorsError>()) else {
        return Ok(res.map_into_left_body());
    };
    let list = |items: &mut dyn Iterator<Item = &str>| items.collect::<Vec<_>>().join(", ");
    let detail = match refusal {
        CorsError::OriginNotAllowed => {
            "this origin may not send this request cross-origin: every origin may \
             read anonymously (GET, HEAD); writes and requests carrying a token only from the \
             origins the server is configured with (LW_CORS_ORIGINS)"
                .to_owned()
        }
        CorsError::MethodNotAllowed => format!(
            "the requested method is not allowed cross-origin (allowed: {})",
            list(&mut CORS_METHODS.iter().map(Method::as_str))
        ),
        CorsError::HeadersNotAllowed => format!(
            "a requested header is not allowed cross-origin (allowed: {})",
            list(&mut CORS_HEADERS.iter().map(header::HeaderName::as_str))
        ),
        other => format!("malformed CORS preflight: {other}"),
    };
    let mut problem = ApiError::new(ProblemCode::CorsRejected, detail);
    problem.status = res.status();
    let request_id = res.request().extensions().get::<RequestId>().map(|r| r.0.clone());
    let rendered = problem.render(Some(res.request().path().to_owned()), request_id);
    Ok(res.into_response(rendered).map_into_right_body())
}
