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
    parse_body(req, body, false)
}

/// [`parse_json`] for records where a refused value must read as a refusal, not a
/// malformed request: an unknown field (a `name` or `note` sent to an anonymous contact
/// record) or a value outside a code list is 422 `validation_failed` at its pointer
/// instead of 400 `invalid_body`. Wrong JSON types and missing fields stay 400. Used by
/// the field-work resources, whose rule is that nothing a client sends is silently
/// dropped and no unknown code is stored.
pub fn parse_record_json<T: serde::de::DeserializeOwned>(
    req: &actix_web::HttpRequest,
    body: &[u8],
) -> Result<T, ApiError> {
    parse_body(req, body, true)
}

fn parse_body<T: serde::de::DeserializeOwned>(
    req: &actix_web::HttpRequest,
    body: &[u8],
    refusals_are_validation: bool,
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
        if refusals_are_validation {
            if let Some(field) = quoted_after(&message, "unknown field `") {
                // The pointer names the refused field itself.
                let segment = format!("/{}", domain::validation::pointer_segment(field));
                if !pointer.ends_with(&segment) {
                    pointer.push_str(&segment);
                }
                return ApiError::validation(domain::ValidationErrors::single(
                    pointer,
                    format!("`{field}` is not a field of this record and is not stored; remove it"),
                ));
            }
            if message.starts_with("unknown variant `") {
                return ApiError::validation(domain::ValidationErrors::single(
                    if pointer.is_empty() {
                        "/".to_owned()
                    } else {
                        pointer
                    },
                    message,
                ));
            }
        }
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

/// The text between `prefix` and the next backtick of a serde message.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    message.strip_prefix(prefix)?.split('`').next()
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

/// A JSON integer as JSON Schema defines it: any number without a fractional part (`3`
/// and `3.0` alike), saturated to the `i32` range so that range rules report it (422)
/// instead of the parser (400).
pub fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    struct Whole;
    impl serde::de::Visitor<'_> for Whole {
        type Value = i32;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an integer")
        }

        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i32, E> {
            Ok(i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX }))
        }

        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i32, E> {
            Ok(i32::try_from(v).unwrap_or(i32::MAX))
        }

        #[allow(clippy::cast_possible_truncation)]
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i32, E> {
            if v.is_finite() && v.fract() == 0.0 {
                // Saturating: `as` clamps to the i32 range.
                Ok(v as i32)
            } else {
                Err(E::invalid_type(serde::de::Unexpected::Float(v), &self))
            }
        }
    }
    d.deserialize_any(Whole)
}

/// [`whole_number`] for an optional field (`null` or absent: `None`).
pub fn optional_whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "whole_number")] i32);
    Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(n)| n))
}

/// Distinguishes an absent field (leave as is) from an explicit `null` (clear it).
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
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

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Record {
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        kind: Kind,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Phone,
    }

    #[actix_rt::test]
    async fn record_bodies_refuse_unknown_fields_and_codes_at_their_pointer() {
        let req = test::TestRequest::post()
            .insert_header(("content-type", "application/json"))
            .to_http_request();
        let parse = |body: &str| super::parse_record_json::<Record>(&req, body.as_bytes()).unwrap_err();
        for (body, pointer) in [
            (r#"{"items": [{"kind": "phone", "note": "x"}]}"#, "/items/0/note"),
            (r#"{"items": [], "name": "Erika"}"#, "/name"),
            (r#"{"items": [{"kind": "fax"}]}"#, "/items/0/kind"),
        ] {
            let err = parse(body);
            assert_eq!(err.code.as_str(), "validation_failed", "{body}");
            assert_eq!(err.errors[0].pointer.as_deref(), Some(pointer), "{body}");
        }
        // Wrong types and missing fields are still a malformed body.
        assert_eq!(parse(r#"{"items": [{"kind": 3}]}"#).code.as_str(), "invalid_body");
        assert_eq!(parse("{}").code.as_str(), "invalid_body");
        // The ordinary parser keeps answering 400 for both.
        let err = super::parse_json::<Record>(&req, br#"{"items": [], "name": "Erika"}"#).unwrap_err();
        assert_eq!(err.code.as_str(), "invalid_body");
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
