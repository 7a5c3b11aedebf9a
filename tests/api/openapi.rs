use lw_tests::{TestApp, both_backends, migrations_dir, repo_root};
use persistence::Backend;
use serde_json::{Value, json};

/// `openapi/openapi.json` is the output of `lokal-willkommen openapi`; regenerate it with
/// `cargo run -q -- openapi > openapi/openapi.json` when this fails.
#[test]
fn checked_in_openapi_matches_the_code() {
    let generated: Value = api::openapi();
    let path = repo_root().join("openapi/openapi.json");
    let checked_in: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("openapi/openapi.json exists"))
            .expect("valid JSON");
    assert!(
        generated == checked_in,
        "openapi/openapi.json is stale: run `cargo run -q -- openapi > openapi/openapi.json`"
    );
    assert_eq!(generated["info"]["version"], api::http::openapi::API_VERSION);
}

#[test]
fn every_operation_is_documented_with_its_problems() {
    let doc: Value = api::openapi();
    let mut count = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            count += 1;
            let at = format!("{method} {path}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{at}: summary"
            );
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{at}: tags");
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{at}: success response"
            );
            assert!(responses.contains_key("500"), "{at}: 500 problem");
            if path.contains('{') {
                assert!(
                    responses.contains_key("404") && responses.contains_key("400"),
                    "{at}: 400/404 problems"
                );
            }
        }
    }
    assert!(count >= 8);
    assert_eq!(
        doc["paths"]["/api/v1/offices/{office}"]["get"]["responses"]["404"]["content"]["application/problem+json"]
            ["schema"]["$ref"],
        "#/components/schemas/Problem"
    );
}

/// What `schema_rules` promises: the checks the server makes are in the schemas, read
/// models say every property is there, and public operations need no token.
#[test]
fn schemas_state_the_rules_the_server_checks() {
    let doc: Value = api::openapi();
    let schemas = &doc["components"]["schemas"];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["security"].is_array(), "{method} {path}: security stated");
            assert!(
                op["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{method} {path}: description"
            );
        }
    }
    assert_eq!(doc["paths"]["/healthz"]["get"]["security"], json!([]));

    // Pages refer to their item schema; read models list every property as required and
    // do not forbid new ones.
    assert_eq!(
        schemas["Page_OfficeView"]["properties"]["items"]["items"]["$ref"],
        "#/components/schemas/OfficeView"
    );
    let office = &schemas["OfficeView"];
    assert!(office.get("additionalProperties").is_none());
    let required: Vec<&str> = office["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for property in office["properties"].as_object().unwrap().keys() {
        assert!(
            required.contains(&property.as_str()),
            "OfficeView.{property} required"
        );
    }
    assert!(
        schemas["OfficeStatus"]["description"]
            .as_str()
            .unwrap()
            .contains("New values may be added")
    );

    // Inputs: slugs, dates, districts, postal codes, times and languages.
    let new_office = &schemas["NewOfficeRequest"]["properties"];
    assert_eq!(new_office["slug"]["pattern"], "^[a-z0-9]+(-[a-z0-9]+)*$");
    assert_eq!(new_office["districts"]["minItems"], 1);
    assert_eq!(new_office["districts"]["uniqueItems"], true);
    assert_eq!(new_office["name"]["maxLength"], 200);
    assert_eq!(new_office["opened_on"]["pattern"], "^(19|20|21)[0-9]{2}-");
    assert_eq!(
        schemas["AddressInput"]["properties"]["postal_code"]["pattern"],
        "^[0-9]{5}$"
    );
    assert_eq!(
        schemas["AddressInput"]["required"],
        json!(["street", "postal_code", "city", "district"])
    );
    assert_eq!(
        schemas["SlotInput"]["properties"]["opens"]["pattern"],
        "^([01][0-9]|2[0-3]):[0-5][0-9]$"
    );
    assert!(
        schemas["SlotInput"]["properties"]["languages"]["items"]["enum"]
            .as_array()
            .unwrap()
            .contains(&json!("ku"))
    );
    assert_eq!(schemas["LocalizedText"]["required"], json!(["de"]));
    assert_eq!(
        schemas["TokenResponse"]["properties"]["expires_in"]["format"],
        "int64"
    );

    // Parameters and headers.
    let get_office = &doc["paths"]["/api/v1/offices/{office}"]["get"]["parameters"];
    let office_param = get_office
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "office")
        .unwrap();
    assert!(
        office_param["schema"]["pattern"]
            .as_str()
            .unwrap()
            .contains("[a-z0-9]+")
    );
    let patch = &doc["paths"]["/api/v1/offices/{office}"]["patch"]["parameters"];
    let if_match = patch
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "If-Match")
        .unwrap();
    assert_eq!(if_match["required"], true);
    assert!(
        if_match["schema"]["pattern"]
            .as_str()
            .unwrap()
            .starts_with("^(W/)?")
    );
}

/// The problem codes a response lists (`x-problem-codes`).
fn listed_codes(doc: &Value, method: &str, path: &str, status: &str) -> Vec<String> {
    let response = &doc["paths"][path][method]["responses"][status];
    assert!(response.is_object(), "{method} {path}: no {status} response");
    let codes: Vec<String> = response["x-problem-codes"]
        .as_array()
        .unwrap_or_else(|| panic!("{method} {path} {status}: no x-problem-codes"))
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    let description = response["description"].as_str().unwrap();
    for code in &codes {
        assert!(
            description.contains(&format!("`{code}`")),
            "{method} {path} {status}: the description names `{code}`"
        );
    }
    codes
}

/// A new route cannot be forgotten: every operation has an entry (possibly empty) in the
/// table of problem codes, and the table names no operation that does not exist.
#[test]
fn every_operation_has_an_entry_in_the_problem_code_table() {
    let doc: Value = api::openapi();
    let mut operations = std::collections::BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            operations.insert(op["operationId"].as_str().expect("operationId").to_owned());
        }
    }
    let table: std::collections::BTreeSet<String> = api::http::problem_codes::OPERATIONS
        .iter()
        .map(|e| e.operation.to_owned())
        .collect();
    let missing: Vec<_> = operations.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "operations without an entry in crates/api/src/http/problem_codes.rs: {missing:?}"
    );
    let unknown: Vec<_> = table.difference(&operations).collect();
    assert!(
        unknown.is_empty(),
        "crates/api/src/http/problem_codes.rs names operations that do not exist: {unknown:?}"
    );
}

/// Every problem response lists its codes, each sent with exactly that status.
#[test]
fn every_problem_response_lists_its_codes_under_their_status() {
    let doc: Value = api::openapi();
    let status_of = |name: &str| {
        domain::ProblemCode::ALL
            .iter()
            .find(|c| c.as_str() == name)
            .unwrap_or_else(|| panic!("unknown problem code {name}"))
            .status()
    };
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for status in op["responses"].as_object().unwrap().keys() {
                let code: u16 = status.parse().unwrap();
                if code < 400 {
                    continue;
                }
                let codes = listed_codes(&doc, method, path, status);
                assert!(!codes.is_empty(), "{method} {path} {status}: no codes");
                for name in &codes {
                    assert_eq!(status_of(name), code, "{method} {path}: `{name}` under {status}");
                }
            }
        }
    }
}

#[test]
fn problem_codes_are_listed_where_handlers_answer_with_them() {
    let doc: Value = api::openapi();
    let has = |method: &str, path: &str, status: &str, code: &str| {
        assert!(
            listed_codes(&doc, method, path, status).iter().any(|c| c == code),
            "{method} {path}: `{code}` under {status}"
        );
    };
    // A stale If-Match, and a slug another office uses (the unique constraint).
    has("patch", "/api/v1/offices/{office}", "412", "etag_mismatch");
    has("patch", "/api/v1/offices/{office}", "428", "if_match_required");
    has("patch", "/api/v1/offices/{office}", "409", "slug_taken");
    has("patch", "/api/v1/offices/{office}", "409", "staff_side_conflict");
    has("post", "/api/v1/auth/login", "429", "too_many_attempts");
    has("post", "/api/v1/auth/login", "401", "invalid_credentials");
    // The PUT of consultation hours needs If-Match too.
    has(
        "put",
        "/api/v1/offices/{office}/consultation-hours",
        "412",
        "etag_mismatch",
    );
    has(
        "post",
        "/api/v1/offices/{office}/relocations",
        "409",
        "move_to_current_address",
    );
    has(
        "post",
        "/api/v1/offices/{office}/staff",
        "422",
        "side_employer_mismatch",
    );
    has("get", "/readyz", "503", "database_unavailable");
    // Sign-in reads no token; its body is only checked for U+0000 (422), and password
    // work beyond the hashing queue is refused with 503.
    let login = &doc["paths"]["/api/v1/auth/login"]["post"]["responses"];
    assert!(login.get("403").is_none());
    has("post", "/api/v1/auth/login", "503", "server_busy");
    has("post", "/api/v1/auth/login", "422", "validation_failed");
    // Accounts that must change their password may still read themselves and sign out.
    for (method, path) in [("get", "/api/v1/me"), ("post", "/api/v1/auth/logout")] {
        assert!(
            doc["paths"][path][method]["responses"].get("403").is_none(),
            "{method} {path}: no 403"
        );
    }
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = persistence::db::migration_names(&migrations_dir().join("sqlite")).unwrap();
    let postgres = persistence::db::migration_names(&migrations_dir().join("postgres")).unwrap();
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres must list the same migrations"
    );
    for name in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                assert!(
                    migrations_dir().join(backend).join(name).join(file).is_file(),
                    "{backend}/{name}/{file}"
                );
            }
        }
    }
}

both_backends!(served_document_and_swagger_ui);

async fn served_document_and_swagger_ui(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let served = app.get("/openapi.json").await;
    assert_eq!(served.status, 200);
    let generated: Value = api::openapi();
    assert_eq!(served.json(), generated);
    let ui = app.get("/docs/").await;
    assert_eq!(ui.status, 200);
    assert!(
        String::from_utf8_lossy(&ui.body).contains("swagger"),
        "Swagger UI is served from the binary"
    );
    let redirect = app.get("/docs").await;
    assert!(matches!(redirect.status, 301 | 302 | 307 | 308));
}

#[test]
fn conditional_and_rate_limit_headers_are_declared() {
    let doc = api::openapi();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let headers: Vec<(&str, bool)> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "header")
                .map(|p| (p["name"].as_str().unwrap(), p["required"] == true))
                .collect();
            // Every write to a versioned resource; a password has no version to match.
            if (method == "patch" || method == "put") && path != "/api/v1/me/password" {
                assert!(headers.contains(&("If-Match", true)), "{method} {path}: If-Match");
            }
            if path == "/api/v1/me/password" {
                assert!(
                    !headers.iter().any(|(name, _)| *name == "If-Match"),
                    "{path}: no If-Match"
                );
            }
            if method == "get" {
                assert!(
                    headers.contains(&("If-None-Match", false)),
                    "{method} {path}: If-None-Match"
                );
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                let has = |name: &str| response["headers"].get(name).is_some();
                match status.as_str() {
                    "201" => assert!(has("Location") && has("ETag"), "{method} {path} 201"),
                    "429" | "503" => assert!(has("Retry-After"), "{method} {path} {status}"),
                    "304" => assert!(has("ETag"), "{method} {path} 304"),
                    _ => {}
                }
            }
        }
    }
}

/// Code lists travel as their codes: the contract's enums are exactly the codes the
/// server reads and writes (the macro that declares them must not leave the Rust names).
#[test]
fn code_lists_are_documented_by_their_codes() {
    use domain::fieldwork::{contact, home_visit, referral};
    use domain::privacy;
    let doc = api::openapi();
    let enum_of = |name: &str| -> Vec<String> {
        doc["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is not an enum schema"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let codes = |all: Vec<&str>| all.into_iter().map(str::to_owned).collect::<Vec<_>>();
    for (name, expected) in [
        (
            "Channel",
            codes(contact::Channel::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        (
            "ContactDuration",
            codes(contact::ContactDuration::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        (
            "Audience",
            codes(contact::Audience::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        (
            "Interpreting",
            codes(contact::Interpreting::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        (
            "ContactOutcome",
            codes(contact::ContactOutcome::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        (
            "CorrectionReason",
            codes(
                contact::CorrectionReason::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect(),
            ),
        ),
        (
            "TargetCategory",
            codes(referral::TargetCategory::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        (
            "ReferralMode",
            codes(referral::ReferralMode::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        (
            "ReferralStatus",
            codes(referral::ReferralStatus::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        (
            "ReferralOutcome",
            codes(
                referral::ReferralOutcome::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect(),
            ),
        ),
        (
            "TimeWindow",
            codes(home_visit::TimeWindow::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        (
            "VisitSource",
            codes(home_visit::VisitSource::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        (
            "VisitStatus",
            codes(home_visit::VisitStatus::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        (
            "VisitOutcome",
            codes(home_visit::VisitOutcome::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        (
            "PersonalRecordType",
            codes(
                privacy::PersonalRecordType::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect(),
            ),
        ),
        (
            "AccessPurpose",
            codes(privacy::AccessPurpose::ALL.iter().map(|c| c.as_str()).collect()),
        ),
    ] {
        assert_eq!(enum_of(name), expected, "{name}");
    }
}
