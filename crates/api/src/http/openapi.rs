//! The OpenAPI document: collected from the routes, completed here with the problem
//! responses every operation can give, so each operation documents its errors alike.

use std::collections::BTreeMap;

use domain::ProblemCode;
use utoipa::openapi::path::{HttpMethod, Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

use crate::http::{problem_codes, schema_rules};

/// The API contract version. Pinned: it changes when the contract does, not with the crate.
pub const API_VERSION: &str = "1.0.0";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "lokal willkommen API",
        version = "1.0.0",
        description = "Directory and work data of Dortmund's lokal willkommen offices: \
            neighbourhood integration offices run as tandems of the City of Dortmund and a \
            welfare provider. Public reads need no token. Errors are RFC 9457 problem details \
            (`application/problem+json`) with a stable `code`.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
        contact(name = "lokal willkommen, Stadt Dortmund", url = "https://www.dortmund.de/lokal-willkommen"),
    ),
    servers((url = "/", description = "This instance (the document is served by the API it describes)")),
    tags(
        (name = "offices", description = "Offices and outposts, and where they are located over time"),
        (name = "directory", description = "Districts and organizations"),
        (name = "auth", description = "Sign-in, token refresh and sign-out; verification keys"),
        (name = "account", description = "The caller's own account"),
        (name = "users", description = "Account administration (admins)"),
        (name = "integrations", description = "Read-only tokens for integrations (admins)"),
        (name = "audit", description = "The audit log (admins)"),
        (name = "staffing", description = "The city/provider tandem of each office"),
        (name = "content", description = "Consultation hours, sessions, languages, topics and services"),
        (name = "network", description = "Network meetings and the partner network: cooperations and contact persons (field work; never public)"),
        (name = "fieldwork", description = "The offices' work: anonymous contact records with their referrals, and home-visit appointments (personal data, every read access-logged). Never public"),
        (name = "privacy", description = "The personal-data access log (admins until the data-protection role exists)"),
        (name = "hsds", description = "Open Referral HSDS 3.0 export for other directories"),
        (name = "operations", description = "Probes for orchestrators"),
    ),
    components(schemas(crate::http::problem::Problem)),
    modifiers(&BearerScheme)
)]
pub struct BaseDoc;

/// `bearer`: the access token from `/api/v1/auth/login` (or an integration token).
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, doc: &mut OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "Access token from POST /api/v1/auth/login, or an integration token (lwt_...).",
                    ))
                    .build(),
            ),
        );
    }
}

/// Standard problem responses, published as `#/components/responses/<name>`. Operations get
/// them inlined with their problem codes added (a reference cannot carry `x-problem-codes`).
const PROBLEMS: &[(&str, &str, &str)] = &[
    (
        "400",
        "BadRequest",
        "Malformed request (bad path id, query parameter, cursor or JSON), or one that cannot be handled as sent.",
    ),
    ("404", "NotFound", "No such resource."),
    (
        "409",
        "Conflict",
        "The change conflicts with the current state; `code` names the rule.",
    ),
    (
        "405",
        "MethodNotAllowed",
        "The path exists but not with this method; see the `Allow` header.",
    ),
    ("413", "PayloadTooLarge", "The body exceeds 64 KiB."),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not `application/json`.",
    ),
    (
        "401",
        "Unauthenticated",
        "Missing, invalid or expired token, or the session ended.",
    ),
    ("403", "Forbidden", "Authenticated but not allowed."),
    (
        "412",
        "PreconditionFailed",
        "`If-Match` does not name the current ETag; read again.",
    ),
    (
        "428",
        "PreconditionRequired",
        "`If-Match` with the current ETag is required.",
    ),
    ("429", "TooManyRequests", "Rate limited; see `Retry-After`."),
    (
        "422",
        "ValidationFailed",
        "Well-formed but invalid: `validation_failed` lists each field in `errors`; other codes name the rule broken.",
    ),
    (
        "500",
        "InternalError",
        "Unexpected failure; the body never contains internals.",
    ),
];

/// Adds the problem responses to every operation, and the standard ones to the components.
///
/// Each operation gets a response for every status its problem codes are sent with (see
/// [`problem_codes`](crate::http::problem_codes)), listing those codes in the
/// description and as `x-problem-codes`.
pub fn complete(mut doc: OpenApi) -> serde_json::Value {
    API_VERSION.clone_into(&mut doc.info.version);
    let shared: BTreeMap<String, RefOr<Response>> = PROBLEMS
        .iter()
        .map(|(_, name, description)| ((*name).to_owned(), RefOr::T(problem_response(description))))
        .collect();
    let not_modified: Response = ResponseBuilder::new()
        .description("Not Modified: the `If-None-Match` ETag is current.")
        .build();
    for item in doc.paths.paths.values_mut() {
        for (method, op) in operations(item) {
            let mut by_status: BTreeMap<u16, Vec<ProblemCode>> = BTreeMap::new();
            let codes = problem_codes::codes(&method, op);
            let versioned = codes.contains(&ProblemCode::IfMatchRequired);
            for code in codes {
                by_status.entry(code.status()).or_default().push(code);
            }
            for (status, codes) in by_status {
                let slot = op
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| RefOr::T(standard_response(status)));
                // A reference cannot carry extensions: inline what it refers to.
                if let RefOr::Ref(r) = slot {
                    let name = r.ref_location.rsplit('/').next().unwrap_or_default();
                    *slot = match shared.get(name) {
                        Some(RefOr::T(shared)) => RefOr::T(shared.clone()),
                        _ => RefOr::T(standard_response(status)),
                    };
                }
                if let RefOr::T(response) = slot {
                    list_codes(response, &codes);
                }
            }
            if method == HttpMethod::Get && op.responses.responses.contains_key("200") {
                op.responses
                    .responses
                    .entry("304".to_owned())
                    .or_insert_with(|| RefOr::T(not_modified.clone()));
            }
            declare_headers(&method, op, versioned);
        }
    }
    let mut value = serde_json::to_value(&doc).expect("the document serializes");
    schema_rules::refine(&mut value);
    value
}

/// The headers of the conditional-request and rate-limit contract: `If-Match` required on
/// writes to a versioned resource (those that can answer `if_match_required`; not a
/// password change, which has no representation to match), `If-None-Match` on GETs, `ETag` on the success answers that carry
/// a representation, `Location` on 201s, `Retry-After` on 429 and 503.
fn declare_headers(method: &HttpMethod, op: &mut Operation, versioned: bool) {
    use utoipa::openapi::Required;
    use utoipa::openapi::header::Header;
    use utoipa::openapi::path::ParameterBuilder;
    let text = || {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .build()
    };
    let header_parameter = |name: &str, required: bool, description: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(if required { Required::True } else { Required::False })
            .description(Some(description))
            .schema(Some(text()))
            .build()
            .into()
    };
    let parameters = op.parameters.get_or_insert_with(Vec::new);
    match method {
        HttpMethod::Patch | HttpMethod::Put if versioned => parameters.push(header_parameter(
            "If-Match",
            true,
            "The `ETag` of the representation the change is based on (428 without it, 412 when it is not current).",
        )),
        HttpMethod::Get => parameters.push(header_parameter(
            "If-None-Match",
            false,
            "An `ETag` the client holds: 304 when it is still current.",
        )),
        _ => {}
    }
    let header = |description: &str| {
        let mut header = Header::new(text());
        header.description = Some(description.to_owned());
        RefOr::T(header)
    };
    for (status, response) in &mut op.responses.responses {
        let RefOr::T(response) = response else { continue };
        let with_body = !response.content.is_empty();
        match status.as_str() {
            "200" | "201" if with_body && !response.content.contains_key("application/problem+json") => {
                response
                    .headers
                    .insert("ETag".into(), header("Strong validator of this representation."));
            }
            "304" => {
                response
                    .headers
                    .insert("ETag".into(), header("The current validator."));
            }
            _ => {}
        }
        if status == "201" {
            response.headers.insert(
                "Location".into(),
                header("Where the created resource can be read."),
            );
        }
        if status == "429" || status == "503" {
            response.headers.insert(
                "Retry-After".into(),
                header("Seconds to wait before trying again."),
            );
        }
    }
}

/// A problem response with the given description.
fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            crate::http::problem::PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// The standard problem response of a status (see [`PROBLEMS`]).
fn standard_response(status: u16) -> Response {
    let text = status.to_string();
    match PROBLEMS.iter().find(|p| p.0 == text) {
        Some((_, _, description)) => problem_response(description),
        None => {
            let reason = actix_web::http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error");
            problem_response(&format!("{reason}."))
        }
    }
}

/// Names the problem codes of a response, in its description and as `x-problem-codes`.
fn list_codes(response: &mut Response, codes: &[ProblemCode]) {
    let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    let sentence = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let description = response.description.trim_end();
    response.description = if description.is_empty() {
        format!("Problem codes: {sentence}.")
    } else {
        format!("{description} Problem codes: {sentence}.")
    };
    response
        .extensions
        .get_or_insert_with(Default::default)
        .insert(PROBLEM_CODES_EXTENSION.to_owned(), serde_json::json!(names));
}

/// The response extension listing the problem codes sent with that status.
pub const PROBLEM_CODES_EXTENSION: &str = "x-problem-codes";

fn operations(item: &mut utoipa::openapi::PathItem) -> Vec<(HttpMethod, &mut Operation)> {
    [
        (HttpMethod::Get, item.get.as_mut()),
        (HttpMethod::Put, item.put.as_mut()),
        (HttpMethod::Post, item.post.as_mut()),
        (HttpMethod::Delete, item.delete.as_mut()),
        (HttpMethod::Patch, item.patch.as_mut()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|op| (m, op)))
    .collect()
}

/// The paths and methods of the API, for 405 responses with an accurate `Allow`.
#[derive(Debug, Clone)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<&'static str>)>,
    /// Per path template and method: the query parameters the contract declares.
    queries: Vec<(Vec<String>, &'static str, Vec<String>)>,
}

impl RouteTable {
    pub fn from_doc(doc: &serde_json::Value) -> RouteTable {
        const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
        let mut routes = Vec::new();
        let mut queries = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            let segments: Vec<String> = path.trim_matches('/').split('/').map(str::to_owned).collect();
            let mut methods = Vec::new();
            for method in METHODS {
                let Some(op) = item.get(method.to_ascii_lowercase()) else {
                    continue;
                };
                methods.push(method);
                let names = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "query")
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect();
                queries.push((segments.clone(), method, names));
            }
            routes.push((segments, methods));
        }
        RouteTable { routes, queries }
    }

    /// The first query parameter the contract does not declare for this operation, if
    /// the path is one of ours: a typo like `?distrct=` must not silently return
    /// everything, on endpoints without parameters too.
    pub fn undeclared_query_parameter(&self, method: &str, path: &str, query: &str) -> Option<String> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (_, _, declared) = self.queries.iter().find(|(template, m, _)| {
            *m == method
                && template.len() == parts.len()
                && template
                    .iter()
                    .zip(&parts)
                    .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
        })?;
        form_urlencoded::parse(query.as_bytes())
            .map(|(name, _)| name.into_owned())
            .find(|name| !declared.iter().any(|d| d == name))
    }

    /// The methods a concrete path supports, if it matches any route template.
    pub fn allowed(&self, path: &str) -> Option<String> {
        // A trailing slash names no resource of ours (a 404, not a 405 listing the very
        // method that was used).
        if path.len() > 1 && path.ends_with('/') {
            return None;
        }
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut methods: Vec<&str> = Vec::new();
        for (template, route_methods) in &self.routes {
            let matches = template.len() == parts.len()
                && template
                    .iter()
                    .zip(&parts)
                    .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p);
            if matches {
                methods.extend(route_methods);
            }
        }
        if methods.is_empty() {
            return None;
        }
        if methods.contains(&"GET") {
            methods.push("HEAD");
        }
        methods.sort_unstable();
        methods.dedup();
        Some(methods.join(", "))
    }

    /// Every (method, path template) pair; the authorization matrix test iterates these.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, String)> + '_ {
        self.routes.iter().flat_map(|(segments, methods)| {
            let path = format!("/{}", segments.join("/"));
            methods.iter().map(move |m| (*m, path.clone()))
        })
    }
}
