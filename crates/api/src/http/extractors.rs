//! Extractor settings: body limits and problem responses for bad JSON, queries and paths.

use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::web;
use domain::ProblemCode;
use serde::{Deserialize, Deserializer};

use crate::http::problem::ApiError;

/// The largest request body accepted (64 KiB); larger ones get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        .error_handler(|err, _req| json_error(&err).into())
}

pub fn json_error(err: &JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => too_large(),
        JsonPayloadError::ContentType => ApiError::new(
            ProblemCode::UnsupportedMediaType,
            "send the body as application/json",
        ),
        JsonPayloadError::Deserialize(e) if e.is_syntax() || e.is_eof() => ApiError::new(
            ProblemCode::MalformedJson,
            format!("the body is not valid JSON: {e}"),
        ),
        JsonPayloadError::Deserialize(e) => ApiError::new(
            ProblemCode::InvalidBody,
            format!("the body does not match the schema: {e}"),
        ),
        _ => ApiError::new(ProblemCode::UnreadableBody, "the request body could not be read"),
    }
}

pub fn too_large() -> ApiError {
    ApiError::new(
        ProblemCode::PayloadTooLarge,
        format!("request bodies are limited to {MAX_BODY_BYTES} bytes"),
    )
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let QueryPayloadError::Deserialize(e) = &err else {
            return ApiError::new(ProblemCode::InvalidQuery, "the query string could not be read").into();
        };
        ApiError::new(
            ProblemCode::InvalidQuery,
            format!("invalid query parameters: {e}"),
        )
        .into()
    })
}

/// A query string deserialized into `T` (`deny_unknown_fields`): like `web::Query`, but a
/// problem names the parameter (`errors[].parameter`), unknown ones included.
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::de::DeserializeOwned> actix_web::FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

fn parse_query<T: serde::de::DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let pairs = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
    serde_path_to_error::deserialize(pairs).map_err(|e| {
        let message = e.inner().to_string();
        // An unknown parameter is named in the message; any other error at its path.
        let name = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
            .or_else(|| {
                message
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split('`').next())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| e.path().to_string());
        let mut errors = domain::ValidationErrors::default();
        errors.add_parameter(name.clone(), message);
        let mut err = ApiError::new(
            ProblemCode::InvalidQuery,
            format!("query parameter `{name}` is invalid; see `errors`"),
        );
        err.errors = errors.0;
        err
    })
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        ApiError::new(ProblemCode::InvalidPath, format!("invalid path: {err}")).into()
    })
}

/// A `lang` that is not a language tag, on any operation that declares it (also where it
/// changes nothing, so a client's mistake shows at once).
fn malformed_language(req: &actix_web::dev::ServiceRequest) -> Option<ApiError> {
    form_urlencoded_parse(req.query_string())
        .find(|(name, _)| name == "lang")
        .and_then(|(_, tag)| crate::http::localize::check_language_tag(&tag).err())
}

/// A query parameter the operation does not declare: 400 naming it.
fn undeclared_parameter(req: &actix_web::dev::ServiceRequest) -> Option<ApiError> {
    let query = req.query_string();
    if query.is_empty() {
        return None;
    }
    let routes = req.app_data::<web::Data<crate::http::openapi::RouteTable>>()?;
    let method = if req.method() == actix_web::http::Method::HEAD {
        "GET"
    } else {
        req.method().as_str()
    };
    let name = routes.undeclared_query_parameter(method, req.path(), query)?;
    let mut errors = domain::ValidationErrors::default();
    errors.add_parameter(name.clone(), "this operation has no such query parameter");
    let mut err = ApiError::new(
        ProblemCode::InvalidQuery,
        format!("unknown query parameter `{name}`"),
    );
    err.errors = errors.0;
    Some(err)
}

/// Whether a path or query carries U+0000, raw or percent-encoded, without allocating.
fn has_nul(s: &str) -> bool {
    let b = s.as_bytes();
    b.contains(&0) || b.windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// Refuses, before any routing or reading and on every path, a declared body over the
/// limit and U+0000 in the path or query: no parameter, filter or cursor may carry it.
pub async fn reject_oversized(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let uri = req.uri();
    let refusal = if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        Some(too_large())
    } else if has_nul(uri.path()) {
        Some(ApiError::new(
            ProblemCode::InvalidPath,
            "the path must not contain U+0000",
        ))
    } else if uri.query().is_some_and(has_nul) {
        Some(ApiError::new(
            ProblemCode::InvalidQuery,
            "query parameters must not contain U+0000",
        ))
    } else {
        undeclared_parameter(&req).or_else(|| malformed_language(&req))
    };
    // HEAD is GET without the body: routed as GET, and the HTTP layer, which saw the
    // request's real method, leaves the body out (keeping its length).
    let mut req = req;
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    if let Some(err) = refusal {
        let response = actix_web::HttpResponse::from_error(err);
        // `ServiceResponse::new` keeps the error attached for `render_problems`.
        let (http_req, _) = req.into_parts();
        return Ok(actix_web::dev::ServiceResponse::new(http_req, response).map_into_right_body());
    }
    next.call(req)
        .await
        .map(actix_web::dev::ServiceResponse::map_into_left_body)
}

/// Parses a JSON body read as bytes. Handlers that need authorization take the body
/// as `web::Bytes` and call this after `authorize`, so an unauthorized caller learns
/// nothing from validation and no untrusted JSON is parsed for them.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    req: &actix_web::HttpRequest,
    body: &[u8],
) -> Result<T, ApiError> {
    let json = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
    if !json {
        return Err(json_error(&JsonPayloadError::ContentType));
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| json_error(&JsonPayloadError::Deserialize(e)))?;
    // U+0000 is text no field may hold (PostgreSQL cannot even store it): refused before
    // the body reaches any handler, with a pointer to each place it occurs.
    let mut errors = domain::ValidationErrors::default();
    find_nul(&value, &mut String::new(), &mut errors);
    errors.into_result().map_err(ApiError::validation)?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        // The pointer names where the mismatch is: the field of a wrong type, or the object
        // missing a required field or holding an unknown one.
        let mut pointer = String::new();
        for segment in e.path() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                }
                serde_path_to_error::Segment::Map { key } => {
                    pointer.push('/');
                    pointer.push_str(&domain::validation::pointer_segment(key));
                }
                serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
            }
        }
        let message = e.inner().to_string();
        let mut problem = ApiError::new(
            ProblemCode::InvalidBody,
            format!("the body does not match the schema: {message}"),
        );
        let mut errors = domain::ValidationErrors::default();
        errors.add(
            if pointer.is_empty() {
                "/".to_owned()
            } else {
                pointer
            },
            message,
        );
        problem.errors = errors.0;
        problem
    })
}

/// Adds an error for every string or key under `value` that contains U+0000.
fn find_nul(value: &serde_json::Value, pointer: &mut String, errors: &mut domain::ValidationErrors) {
    use serde_json::Value;
    let here = |pointer: &str| {
        if pointer.is_empty() {
            "/".to_owned()
        } else {
            pointer.to_owned()
        }
    };
    match value {
        Value::String(s) if s.contains('\0') => errors.add(here(pointer), "must not contain U+0000"),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                find_nul(item, pointer, errors);
                pointer.truncate(len);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&domain::validation::pointer_segment(key));
                if key.contains('\0') {
                    errors.add(here(pointer), "keys must not contain U+0000");
                } else {
                    find_nul(item, pointer, errors);
                }
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(MAX_BODY_BYTES)
}

/// Distinguishes an absent field (leave as is) from an explicit `null` (clear it).
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A count: a JSON integer from 0 on, also when written with a zero fraction (`200.0`),
/// which JSON Schema's `integer` admits, so the server must too.
pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    use serde::de::Error;
    let n = serde_json::Number::deserialize(d)?;
    if let Some(u) = n.as_u64() {
        return u32::try_from(u).map_err(|_| D::Error::custom("must be a non-negative integer of 32 bits"));
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => {
            // Integral and in range: the conversion is exact.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(f as u32)
        }
        _ => Err(D::Error::custom("must be a non-negative integer")),
    }
}

#[cfg(test)]
mod count_tests {
    #[test]
    fn counts_accept_integral_numbers_only() {
        #[derive(serde::Deserialize)]
        struct C {
            #[serde(deserialize_with = "super::count")]
            n: u32,
        }
        let n = |json: &str| serde_json::from_str::<C>(json).map(|c| c.n).ok();
        assert_eq!(n(r#"{"n": 200}"#), Some(200));
        assert_eq!(n(r#"{"n": 200.0}"#), Some(200));
        assert_eq!(n(r#"{"n": 0}"#), Some(0));
        for bad in [r#"{"n": 2.5}"#, r#"{"n": -1}"#, r#"{"n": "3"}"#, r#"{"n": 1e20}"#] {
            assert_eq!(n(bad), None, "{bad}");
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};
    use serde_json::Value;

    use crate::http::problem::render_problems;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Input {
        name: String,
    }

    async fn call(body: &'static [u8], content_type: &str) -> (u16, Value) {
        let app = test::init_service(
            App::new()
                .app_data(super::json_config())
                .route(
                    "/",
                    web::post().to(|_: web::Json<Input>| async { HttpResponse::NoContent().finish() }),
                )
                .wrap(from_fn(render_problems)),
        )
        .await;
        let req = test::TestRequest::post()
            .uri("/")
            .insert_header(("content-type", content_type))
            .set_payload(body)
            .to_request();
        let res = test::call_service(&app, req).await;
        let status = res.status().as_u16();
        assert_eq!(
            res.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
        (status, test::read_body_json(res).await)
    }

    #[actix_rt::test]
    async fn json_bodies_fail_as_problems() {
        let (status, body) = call(b"{\"name\": ", "application/json").await;
        assert_eq!((status, body["code"].as_str()), (400, Some("malformed_json")));
        let (status, body) = call(b"{\"name\": \"x\", \"role\": \"admin\"}", "application/json").await;
        assert_eq!((status, body["code"].as_str()), (400, Some("invalid_body")));
        assert!(body["detail"].as_str().unwrap().contains("role"));
        let (status, body) = call(b"name=x", "application/x-www-form-urlencoded").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (415, Some("unsupported_media_type"))
        );
        assert_eq!(body["instance"], "/");
    }
}
