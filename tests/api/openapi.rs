use lw_tests::{TestApp, both_backends, migrations_dir, repo_root};
use persistence::Backend;
use serde_json::Value;

/// `openapi/openapi.json` is the output of `lokal-willkommen openapi`; regenerate it with
/// `cargo run -q -- openapi > openapi/openapi.json` when this fails.
#[test]
fn checked_in_openapi_matches_the_code() {
    let generated: Value = serde_json::from_str(&api::openapi().to_pretty_json().unwrap()).unwrap();
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
    let doc: Value = serde_json::from_str(&api::openapi().to_json().unwrap()).unwrap();
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
        doc["components"]["responses"]["NotFound"]["content"]["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/Problem"
    );
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
    let generated: Value = serde_json::from_str(&api::openapi().to_json().unwrap()).unwrap();
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
