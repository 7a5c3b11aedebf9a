//! `/metrics`: never public, labelled by route template (never a raw path), with the
//! pool, directory and throttle figures. Values that depend on timing are never asserted.

use lw_tests::{AppOptions, PASSWORD, Response, TestApp, both_backends};
use persistence::Backend;

both_backends!(
    metrics_are_not_served_without_configuration,
    metrics_on_the_api_listener_need_the_token,
    metrics_listener_serves_without_a_token
);

const TOKEN: &str = "metrics-test-token-0123456789abcdef";

fn text(res: &Response) -> String {
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    String::from_utf8(res.body.clone()).unwrap()
}

/// The value of the sample written exactly as `series` (name and labels).
fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().unwrap())
}

async fn metrics_are_not_served_without_configuration(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.get("/metrics").await.problem(404, "not_found");
    app.get_as(TOKEN, "/metrics").await.problem(404, "not_found");
    app.send(app.client.post(app.url("/metrics")))
        .await
        .problem(404, "not_found");
}

async fn metrics_on_the_api_listener_need_the_token(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        AppOptions {
            metrics_token: Some(TOKEN.to_owned()),
            ..Default::default()
        },
    )
    .await;

    let missing = app.get("/metrics").await;
    missing.problem(401, "unauthenticated");
    assert!(missing.header("www-authenticate").unwrap().starts_with("Bearer"));
    app.get_as("metrics-test-token-0123456789abcdeX", "/metrics")
        .await
        .problem(401, "unauthenticated");
    // An access token of the API is not the metrics token.
    let (_, access) = app.token_for(domain::Role::Admin).await;
    app.get_as(&access, "/metrics")
        .await
        .problem(401, "unauthenticated");
    app.send(
        app.client
            .get(app.url("/metrics"))
            .insert_header(("authorization", format!("Basic {TOKEN}"))),
    )
    .await
    .problem(401, "unauthenticated");

    // Requests whose paths carry values a client chooses.
    assert_eq!(app.get("/api/v1/offices/mengede-huckarde").await.status, 200);
    app.get("/api/v1/offices/kein-buero-x7q")
        .await
        .problem(404, "not_found");
    app.get("/irgendwo-z9k").await.problem(404, "not_found");
    app.send(app.client.delete(app.url("/api/v1/offices/mengede-huckarde")))
        .await
        .problem(405, "method_not_allowed");
    // Sign-in throttling: five failures are free, the sixth is refused.
    for _ in 0..5 {
        app.login("niemand@example.org", "Falsches-Passwort-123!")
            .await
            .problem(401, "invalid_credentials");
    }
    app.login("niemand@example.org", PASSWORD)
        .await
        .problem(429, "too_many_attempts");

    let body = text(&app.get_as(TOKEN, "/metrics").await);
    let office = r#"route="/api/v1/offices/{office}""#;
    assert!(
        sample(
            &body,
            &format!(r#"lw_http_requests_total{{{office},method="GET",status="200"}}"#)
        )
        .is_some_and(|n| n >= 1.0),
        "{body}"
    );
    assert!(body.contains(&format!(
        r#"lw_http_requests_total{{{office},method="GET",status="404"}}"#
    )));
    assert!(body.contains(&format!(
        r#"lw_http_requests_total{{{office},method="DELETE",status="405"}}"#
    )));
    assert!(body.contains(r#"lw_http_requests_total{route="unmatched",method="GET",status="404"}"#));
    assert!(body.contains(&format!(
        r#"lw_http_request_duration_seconds_bucket{{{office},method="GET",status="200",le="+Inf"}}"#
    )));
    for raw in ["mengede-huckarde", "kein-buero-x7q", "irgendwo-z9k"] {
        assert!(!body.contains(raw), "a raw path became a label: {raw}");
    }

    assert_eq!(sample(&body, "lw_db_pool_max_connections"), Some(8.0));
    for state in ["in_use", "idle"] {
        assert!(
            sample(&body, &format!(r#"lw_db_pool_connections{{state="{state}"}}"#)).is_some(),
            "{body}"
        );
    }
    for series in [
        "lw_directory_snapshot_age_seconds",
        "lw_directory_staleness_seconds",
        "lw_directory_rebuilds_total",
        "lw_directory_refresh_failures_total",
        r#"lw_job_runs_total{job="pruning",outcome="ok"}"#,
    ] {
        assert!(sample(&body, series).is_some(), "{series} missing: {body}");
    }
    assert_eq!(
        sample(&body, r#"lw_throttle_refusals_total{limit="sign_in"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&body, r#"lw_throttle_refusals_total{limit="password_hashing"}"#),
        Some(0.0)
    );

    // HEAD works; other methods are 405; a query is not refused (the path is not part
    // of the contract, so the undeclared-parameter guard leaves it alone).
    let head = app
        .send(app.client.head(app.url("/metrics")).bearer_auth(TOKEN))
        .await;
    assert_eq!(head.status, 200);
    let post = app
        .send(app.client.post(app.url("/metrics")).bearer_auth(TOKEN))
        .await;
    post.problem(405, "method_not_allowed");
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    text(&app.get_as(TOKEN, "/metrics?name[]=up").await);
}

async fn metrics_listener_serves_without_a_token(backend: Backend) {
    // No password slot at all: every sign-in is refused by the hashing gate (503).
    let app = TestApp::spawn_with(
        backend,
        AppOptions {
            metrics_bind: Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
            auth: Some(api::accounts::auth::AuthConfig {
                hashing_concurrency: 0,
                hashing_queue: 0,
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .await;
    let metrics = format!("http://{}", app.metrics_address.unwrap());
    app.login("niemand@example.org", PASSWORD)
        .await
        .problem(503, "server_busy");
    // The API listener does not serve it without a token.
    app.get("/metrics").await.problem(404, "not_found");

    let body = text(&app.send(app.client.get(format!("{metrics}/metrics"))).await);
    assert_eq!(
        sample(&body, r#"lw_throttle_refusals_total{limit="password_hashing"}"#),
        Some(1.0)
    );
    assert!(
        body.contains(r#"lw_http_requests_total{route="/api/v1/auth/login",method="POST",status="503"}"#)
    );
    assert!(sample(&body, "lw_db_pool_max_connections").is_some());
    // The metrics listener serves nothing else, and its scrapes are not counted.
    let other = app
        .send(app.client.get(format!("{metrics}/api/v1/offices")))
        .await;
    assert_eq!(other.status, 404);
    let again = text(&app.send(app.client.get(format!("{metrics}/metrics"))).await);
    assert!(!again.contains(r#"route="/metrics""#));
}
