use lw_tests::{TestApp, both_backends};
use persistence::Backend;

both_backends!(unknown_routes_and_wrong_methods, oversized_bodies, probes);

async fn unknown_routes_and_wrong_methods(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in [
        "/",
        "/api/v1/nothing",
        "/api/v2/offices",
        "/api/v1/offices/eving-scharnhorst/unknown",
    ] {
        let body = app.get(path).await.problem(404, "not_found");
        assert_eq!(body["instance"], path);
    }
    let res = app.send(app.client.delete(app.url("/api/v1/offices"))).await;
    res.problem(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET, HEAD, POST"));
    let res = app
        .send(
            app.client
                .put(app.url("/api/v1/offices/mengede-huckarde/locations")),
        )
        .await;
    res.problem(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET, HEAD"));
    let res = app.send(app.client.post(app.url("/healthz"))).await;
    res.problem(405, "method_not_allowed");
}

async fn oversized_bodies(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let big = vec![b'x'; 64 * 1024 + 1];
    let res = app
        .send_body(
            app.client
                .post(app.url("/api/v1/offices"))
                .insert_header(("content-type", "application/json")),
            big,
        )
        .await;
    let body = res.problem(413, "payload_too_large");
    assert!(body["detail"].as_str().unwrap().contains("65536"));
}

async fn probes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let live = app.get("/healthz").await;
    assert_eq!(live.status, 200);
    assert_eq!(live.json()["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["status"], "ready");
    assert_eq!(ready.header("cache-control"), Some("no-store"));
}

/// A PostgreSQL URL that cannot work says why at once, instead of the pool's generic
/// "invalid connection url" after its whole timeout.
#[test]
fn a_failed_postgres_connection_names_its_cause() {
    let Err(err) = persistence::connect("postgres://postgres@127.0.0.1:1/nothing", 1) else {
        panic!("nothing listens on port 1");
    };
    let message = err.to_string();
    assert!(
        message.contains("cannot connect to PostgreSQL") && message.contains("port 1"),
        "{message}"
    );
}
