//! The OpenAPI document: collected from the routes, completed here with the problem
//! responses every operation can give, so each operation documents its errors alike.

use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

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
    ),
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

/// Standard problem responses, referenced from operations as `#/components/responses/<name>`.
const PROBLEMS: &[(&str, &str, &str)] = &[
    (
        "400",
        "BadRequest",
        "Malformed request: bad path id, query parameter, cursor or JSON.",
    ),
    ("404", "NotFound", "No such resource."),
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
    (
        "403",
        "Forbidden",
        "Authenticated but not allowed (`forbidden`, `password_change_required`).",
    ),
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
        "Well-formed but invalid; `errors` lists each field.",
    ),
    (
        "500",
        "InternalError",
        "Unexpected failure; the body never contains internals.",
    ),
];

/// Adds the problem responses to every operation and the components they refer to.
pub fn complete(mut doc: OpenApi) -> OpenApi {
    doc.info.version = API_VERSION.to_owned();
    let components = doc.components.get_or_insert_with(Default::default);
    for (_, name, description) in PROBLEMS {
        components.responses.insert(
            (*name).to_owned(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(*description)
                    .content(
                        crate::http::problem::PROBLEM_JSON,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            ),
        );
    }
    let not_modified: Response = ResponseBuilder::new()
        .description("Not Modified: the `If-None-Match` ETag is current.")
        .build();
    for item in doc.paths.paths.values_mut() {
        for (method, op) in operations(item) {
            let has_path_params = op.parameters.iter().flatten().any(|p| {
                matches!(p, RefOr::T(p) if matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Path))
            });
            let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let mut wanted = vec!["500"];
            if has_params {
                wanted.push("400");
            }
            if has_path_params {
                wanted.push("404");
            }
            if op.request_body.is_some() {
                wanted.extend(["400", "413", "415", "422"]);
            }
            // `security: [{}, {bearer: []}]` marks an optional token (public reads).
            let optional = op.security.iter().flatten().any(|r| *r == Default::default());
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                wanted.push("401");
                if !optional {
                    wanted.push("403");
                }
            }
            // PATCH is the only method that updates a versioned resource; PUT
            // /me/password is a command guarded by the current password instead.
            if method == HttpMethod::Patch {
                wanted.extend(["412", "428"]);
            }
            for status in wanted {
                let name = PROBLEMS.iter().find(|p| p.0 == status).expect("known status").1;
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))));
            }
            if method == HttpMethod::Get && op.responses.responses.contains_key("200") {
                op.responses
                    .responses
                    .entry("304".to_owned())
                    .or_insert_with(|| RefOr::T(not_modified.clone()));
            }
        }
    }
    doc
}

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
}

impl RouteTable {
    pub fn from_doc(doc: &OpenApi) -> RouteTable {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.trim_matches('/').split('/').map(str::to_owned).collect();
                let mut methods = Vec::new();
                for (present, name) in [
                    (item.get.is_some(), "GET"),
                    (item.post.is_some(), "POST"),
                    (item.put.is_some(), "PUT"),
                    (item.patch.is_some(), "PATCH"),
                    (item.delete.is_some(), "DELETE"),
                ] {
                    if present {
                        methods.push(name);
                    }
                }
                (segments, methods)
            })
            .collect();
        RouteTable { routes }
    }

    /// The methods a concrete path supports, if it matches any route template.
    pub fn allowed(&self, path: &str) -> Option<String> {
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
        methods.sort();
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
