//! The authorization matrix, generated from the route table (the OpenAPI document):
//! every protected route x every kind of caller, own office and another office, and no,
//! expired or tampered token. A protected route without an entry here fails the test.

use std::collections::BTreeSet;

use domain::Role;
use lw_tests::{PASSWORD, TestApp, both_backends, test_key_pem};
use persistence::Backend;
use serde_json::{Value, json};

both_backends!(every_protected_route_for_every_caller);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// Passes authentication and authorization: any status but 401 and 403.
    Allow,
    /// 403 `forbidden`.
    Deny,
}
use Cell::{Allow as A, Deny as D};

/// Callers, in the order of the expectation rows. The target office is Mengede/Huckarde:
/// "own" staff are assigned there now, "other" staff to another office, "former" staff
/// were assigned there until 2021, "never" staff have no assignment at all.
const CALLERS: [&str; 8] = [
    "admin",
    "coordinator",
    "staff (own office)",
    "staff (other office)",
    "staff (formerly assigned)",
    "staff (never assigned)",
    "reader",
    "integration",
];
const INTEGRATION: usize = 7;

/// Expected outcome per caller for each protected route (method, path template).
fn policy() -> Vec<((&'static str, &'static str), [Cell; 8])> {
    vec![
        (("GET", "/api/v1/me"), [A, A, A, A, A, A, A, A]),
        (("PUT", "/api/v1/me/password"), [A, A, A, A, A, A, A, D]),
        (("POST", "/api/v1/auth/logout"), [A, A, A, A, A, A, A, A]),
        (("GET", "/api/v1/users"), [A, D, D, D, D, D, D, D]),
        (("POST", "/api/v1/users"), [A, D, D, D, D, D, D, D]),
        (("GET", "/api/v1/users/{id}"), [A, D, D, D, D, D, D, D]),
        (("PATCH", "/api/v1/users/{id}"), [A, D, D, D, D, D, D, D]),
        (
            ("POST", "/api/v1/users/{id}/deactivate"),
            [A, D, D, D, D, D, D, D],
        ),
        (
            ("POST", "/api/v1/users/{id}/reactivate"),
            [A, D, D, D, D, D, D, D],
        ),
        (
            ("POST", "/api/v1/users/{id}/password-reset"),
            [A, D, D, D, D, D, D, D],
        ),
        (("GET", "/api/v1/api-tokens"), [A, D, D, D, D, D, D, D]),
        (("POST", "/api/v1/api-tokens"), [A, D, D, D, D, D, D, D]),
        (
            ("POST", "/api/v1/api-tokens/{id}/revoke"),
            [A, D, D, D, D, D, D, D],
        ),
        (("GET", "/api/v1/audit-events"), [A, D, D, D, D, D, D, D]),
        (("POST", "/api/v1/organizations"), [A, A, D, D, D, D, D, D]),
        (("PATCH", "/api/v1/organizations/{id}"), [A, A, D, D, D, D, D, D]),
        (("POST", "/api/v1/offices"), [A, A, D, D, D, D, D, D]),
        // With a contact/description change (an empty patch): staff of the office may.
        (("PATCH", "/api/v1/offices/{office}"), [A, A, A, D, D, D, D, D]),
        (
            ("POST", "/api/v1/offices/{office}/relocations"),
            [A, A, D, D, D, D, D, D],
        ),
        // Correcting a location's coordinates is a location change, like a move.
        (
            ("PATCH", "/api/v1/offices/{office}/locations/{location_id}"),
            [A, A, D, D, D, D, D, D],
        ),
        // Staff names are personal data: the office's own staff may read them, not others.
        (
            ("GET", "/api/v1/offices/{office}/staff"),
            [A, A, A, D, D, D, D, D],
        ),
        (
            ("POST", "/api/v1/offices/{office}/staff"),
            [A, A, D, D, D, D, D, D],
        ),
        (
            ("POST", "/api/v1/offices/{office}/staff/{assignment_id}/end"),
            [A, A, D, D, D, D, D, D],
        ),
        (
            ("POST", "/api/v1/offices/{office}/staff/handover"),
            [A, A, D, D, D, D, D, D],
        ),
        (("GET", "/api/v1/reports/staffing"), [A, A, D, D, D, D, D, D]),
        // Staff with an office may add local services (for that office: the body decides);
        // the base offer is for coordinators and admins.
        (("POST", "/api/v1/services"), [A, A, A, A, D, D, D, D]),
        (("PATCH", "/api/v1/services/{id}"), [A, A, D, D, D, D, D, D]),
        (
            ("PUT", "/api/v1/offices/{office}/consultation-hours"),
            [A, A, A, D, D, D, D, D],
        ),
        // Field work: the office's staff today, coordinators, admins; a former
        // assignment gives nothing, and readers and integrations never see a record.
        (
            ("POST", "/api/v1/offices/{office}/contacts"),
            [A, A, A, D, D, D, D, D],
        ),
        (
            ("GET", "/api/v1/offices/{office}/contacts"),
            [A, A, A, D, D, D, D, D],
        ),
        (("GET", "/api/v1/contacts/{id}"), [A, A, A, D, D, D, D, D]),
        (("PATCH", "/api/v1/contacts/{id}"), [A, A, A, D, D, D, D, D]),
        (
            ("GET", "/api/v1/offices/{office}/referrals"),
            [A, A, A, D, D, D, D, D],
        ),
        (("POST", "/api/v1/referrals/{id}/close"), [A, A, A, D, D, D, D, D]),
        // Home visits hold personal data: the office's staff and coordinators only (not
        // admins, who read the access log of these reads).
        (
            ("POST", "/api/v1/offices/{office}/home-visits"),
            [D, A, A, D, D, D, D, D],
        ),
        (
            ("GET", "/api/v1/offices/{office}/home-visits"),
            [D, A, A, D, D, D, D, D],
        ),
        (("GET", "/api/v1/home-visits/{id}"), [D, A, A, D, D, D, D, D]),
        (
            ("POST", "/api/v1/home-visits/{id}/outcome"),
            [D, A, A, D, D, D, D, D],
        ),
        (("GET", "/api/v1/privacy/access-log"), [A, D, D, D, D, D, D, D]),
        // Field work: staff with an office today (a former assignment gives nothing).
        // Lists and new records are narrowed to their offices (the body or the list
        // decides, see tests/api/network.rs); single meetings are of Mengede/Huckarde.
        (("GET", "/api/v1/network-meetings"), [A, A, A, A, D, D, D, D]),
        (("POST", "/api/v1/network-meetings"), [A, A, A, A, D, D, D, D]),
        (("GET", "/api/v1/network-meetings/{id}"), [A, A, A, D, D, D, D, D]),
        (
            ("PATCH", "/api/v1/network-meetings/{id}"),
            [A, A, A, D, D, D, D, D],
        ),
        // The partner network: the whole of it for staff with an office today; starting
        // a cooperation names the office in the body, ending one is for its office.
        (
            ("GET", "/api/v1/organizations/{id}/cooperations"),
            [A, A, A, A, D, D, D, D],
        ),
        (
            ("POST", "/api/v1/organizations/{id}/cooperations"),
            [A, A, A, A, D, D, D, D],
        ),
        (
            (
                "POST",
                "/api/v1/organizations/{id}/cooperations/{cooperation_id}/end",
            ),
            [A, A, A, D, D, D, D, D],
        ),
        // Contact persons are personal data of the partner network: staff with an office
        // today, coordinators, admins; the review list is for coordinators and admins.
        (
            ("GET", "/api/v1/organizations/{id}/contact-persons"),
            [A, A, A, A, D, D, D, D],
        ),
        (
            ("POST", "/api/v1/organizations/{id}/contact-persons"),
            [A, A, A, A, D, D, D, D],
        ),
        (
            ("GET", "/api/v1/organizations/{id}/contact-persons/{person_id}"),
            [A, A, A, A, D, D, D, D],
        ),
        (
            ("PATCH", "/api/v1/organizations/{id}/contact-persons/{person_id}"),
            [A, A, A, A, D, D, D, D],
        ),
        (
            ("GET", "/api/v1/contact-persons/review-due"),
            [A, A, D, D, D, D, D, D],
        ),
    ]
}

struct Ids {
    contact: String,
    referral: String,
    home_visit: String,
    assignment: String,
    location: String,
    service: String,
    user: String,
    organization: String,
    office: String,
    api_token: String,
    /// An internal partner with a cooperation with Mengede/Huckarde.
    partner: String,
    cooperation: String,
    /// A contact person of that partner.
    person: String,
    /// A meeting of Mengede/Huckarde.
    meeting: String,
}

fn concrete(template: &str, ids: &Ids) -> String {
    let id = if template.contains("/cooperations") || template.contains("/contact-persons") {
        &ids.partner
    } else if template.contains("/network-meetings/") {
        &ids.meeting
    } else if template.contains("/users/") {
        &ids.user
    } else if template.contains("/organizations/") {
        &ids.organization
    } else if template.contains("/services/") {
        &ids.service
    } else if template.contains("/api-tokens/") {
        &ids.api_token
    } else if template.contains("/contacts/") {
        &ids.contact
    } else if template.contains("/referrals/") {
        &ids.referral
    } else if template.contains("/home-visits/") {
        &ids.home_visit
    } else {
        &ids.office
    };
    template
        .replace("{office}", &ids.office)
        .replace("{id}", id)
        .replace("{assignment_id}", &ids.assignment)
        .replace("{location_id}", &ids.location)
        .replace("{cooperation_id}", &ids.cooperation)
        .replace("{person_id}", &ids.person)
}

async fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>) -> lw_tests::Response {
    let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app.client.request(method.clone(), app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if method == actix_web::http::Method::GET {
        app.send(req).await
    } else {
        app.send_json(req, &json!({})).await
    }
}

async fn every_protected_route_for_every_caller(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc: Value = api::openapi();
    let mut protected = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // `{}` among the requirements makes the token optional: a public read.
            let required = op["security"].as_array().is_some_and(|s| {
                !s.is_empty()
                    && !s
                        .iter()
                        .any(|r| r.as_object().is_some_and(serde_json::Map::is_empty))
            });
            if required {
                protected.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    // Every operation states its security: required, optional (`{}` among the
    // requirements: public reads), or none, which only these may have.
    const PUBLIC: [(&str, &str); 10] = [
        ("GET", "/hsds"),
        ("GET", "/hsds/services"),
        ("GET", "/hsds/services/{id}"),
        ("GET", "/hsds/organizations"),
        ("GET", "/hsds/service_at_locations"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/.well-known/jwks.json"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/refresh"),
    ];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("security").is_none() {
                assert!(
                    PUBLIC.contains(&(method.to_uppercase().as_str(), path.as_str())),
                    "{method} {path} declares no security: add `security(...)` to its #[utoipa::path]"
                );
            }
        }
    }
    let policy = policy();
    let listed: BTreeSet<(String, String)> = policy
        .iter()
        .map(|((m, p), _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        protected, listed,
        "every protected route needs exactly one policy entry (left: routes, right: policy)"
    );

    // Callers.
    let mut callers: Vec<(String, String)> = Vec::new(); // (user id or "", email or token)
    for role in [
        Role::Admin,
        Role::Coordinator,
        Role::Staff,
        Role::Staff,
        Role::Staff,
        Role::Staff,
        Role::Reader,
    ] {
        let (id, email) = app.create_account(role, false);
        callers.push((id, email));
    }
    app.assign(&callers[2].0, "mengede-huckarde");
    app.assign(&callers[3].0, "eving-scharnhorst");
    let former = app.assign_between(
        &callers[4].0,
        "mengede-huckarde",
        "city",
        (2020, 1, 1),
        Some((2021, 1, 1)),
    );
    let admin_token = app.access_token(&callers[0].1).await;
    let expires = (app.clock.now() + chrono::Duration::days(3)).to_rfc3339();
    let integration = app
        .post_json(
            &admin_token,
            "/api/v1/api-tokens",
            &json!({"name": "matrix", "expires_at": expires}),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let victim_token = app
        .post_json(
            &admin_token,
            "/api/v1/api-tokens",
            &json!({"name": "victim", "expires_at": expires}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (victim_user, _) = app.create_account(Role::Staff, false);
    let orgs = app.get("/api/v1/organizations").await.json();
    let mengede = app.get("/api/v1/offices/mengede-huckarde").await.json()["id"].clone();
    let partner = app
        .post_json(
            &admin_token,
            "/api/v1/organizations",
            &json!({"name": "Matrix-Verein", "kind": "partner", "visibility": "internal"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cooperation = app
        .post_json(
            &admin_token,
            &format!("/api/v1/organizations/{partner}/cooperations"),
            &json!({"office_id": mengede, "kind": "premises", "started_on": "2025-01-01"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let person = app
        .post_json(
            &admin_token,
            &format!("/api/v1/organizations/{partner}/contact-persons"),
            &json!({"name": "Erika Muster", "function": "Vorstand"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let meeting = app
        .post_json(
            &admin_token,
            "/api/v1/network-meetings",
            &json!({"type": "round_table", "held_on": "2026-11-02", "offices": [mengede],
                    "role": "organizer", "title": "Runder Tisch"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (contact, referral) = app.record_contact("mengede-huckarde");
    let ids = Ids {
        contact,
        referral,
        home_visit: app.plan_home_visit("mengede-huckarde"),
        partner,
        cooperation,
        person,
        meeting,
        user: victim_user,
        organization: orgs["items"][0]["id"].as_str().unwrap().to_owned(),
        office: "mengede-huckarde".into(),
        api_token: victim_token,
        assignment: former,
        location: app.get("/api/v1/offices/mengede-huckarde/locations").await.json()["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        service: app.get("/api/v1/services").await.json()["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    };

    // A valid token whose payload was altered, and an expired but correctly signed one.
    let sample = app.access_token(&callers[1].1).await;
    let parts: Vec<&str> = sample.split('.').collect();
    let tampered = format!("{}.{}x.{}", parts[0], parts[1], parts[2]);
    let expired = {
        let now = app.clock.unix_seconds();
        let claims = json!({"iss": "lokal-willkommen", "aud": "lokal-willkommen-api", "sub": callers[0].0,
            "exp": now - 3600, "nbf": now - 7200, "iat": now - 7200, "jti": "x", "sid": "x", "typ": "access", "role": "admin"});
        let keys = api::accounts::auth::keys::SigningKeys::from_pem(test_key_pem()).unwrap();
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.typ = Some("at+jwt".into());
        header.kid = Some(keys.kid.clone());
        jsonwebtoken::encode(&header, &claims, &keys.encoding).unwrap()
    };

    let mut cells = 0;
    for ((method, template), expected) in &policy {
        let path = concrete(template, &ids);
        for (who, token) in [
            ("no token", None),
            ("expired token", Some(expired.as_str())),
            ("tampered token", Some(tampered.as_str())),
        ] {
            let res = call(&app, method, &path, token).await;
            assert_eq!(res.status, 401, "{method} {path} with {who}");
            res.problem(401, "unauthenticated");
            cells += 1;
        }
        for (i, cell) in expected.iter().enumerate() {
            // A fresh sign-in per cell: some allowed calls (logout) end the session.
            let token = if i == INTEGRATION {
                integration.clone()
            } else {
                app.access_token(&callers[i].1).await
            };
            let res = call(&app, method, &path, Some(&token)).await;
            let at = format!(
                "{method} {path} as {}: {} {}",
                CALLERS[i],
                res.status,
                String::from_utf8_lossy(&res.body)
            );
            match cell {
                // Allowed: past authentication and authorization, and the target exists.
                Cell::Allow => assert!(
                    !matches!(res.status, 401 | 403 | 404 | 500),
                    "expected allowed: {at}"
                ),
                Cell::Deny => {
                    assert_eq!(res.status, 403, "expected denied: {at}");
                    res.problem(403, "forbidden");
                }
            }
            cells += 1;
        }
    }
    assert_eq!(cells, policy.len() * (3 + CALLERS.len()));

    // The body decides for office patches: staff may not change an office's structure.
    let staff = app.access_token(&callers[2].1).await;
    let etag = app.etag("/api/v1/offices/mengede-huckarde").await;
    let res = app
        .patch_json(
            &staff,
            "/api/v1/offices/mengede-huckarde",
            &etag,
            &json!({"name": "Umbenannt"}),
        )
        .await;
    res.problem(403, "forbidden");
    let res = app
        .patch_json(
            &staff,
            "/api/v1/offices/mengede-huckarde",
            &etag,
            &json!({"phone": "0231 50 11 149"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["contact"]["phone"], "0231 50 11 149");
    let _ = PASSWORD;
}
