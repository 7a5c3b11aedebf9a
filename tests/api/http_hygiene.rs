use lw_tests::{AppOptions, TestApp, both_backends};
use persistence::Backend;

both_backends!(request_ids, security_headers, cors_policy, http_details);

async fn request_ids(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let generated = app.get("/api/v1/offices").await;
    let id = generated.header("x-request-id").unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "generated ids are UUIDs: {id}");

    let echoed = app
        .send(
            app.client
                .get(app.url("/api/v1/offices"))
                .insert_header(("x-request-id", "city-it.trace-42")),
        )
        .await;
    assert_eq!(echoed.header("x-request-id"), Some("city-it.trace-42"));

    // Ids that could inject into logs are replaced, not echoed.
    let hostile = "a\"b<script>".to_owned() + &"x".repeat(80);
    let replaced = app
        .send(
            app.client
                .get(app.url("/nowhere"))
                .insert_header(("x-request-id", hostile.as_str())),
        )
        .await;
    let problem = replaced.problem(404, "not_found");
    assert_ne!(replaced.header("x-request-id"), Some(hostile.as_str()));
    assert_eq!(problem["request_id"].as_str(), replaced.header("x-request-id"));
}

async fn security_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in ["/api/v1/offices", "/nowhere"] {
        let res = app.get(path).await;
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(res.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(
            res.header("strict-transport-security"),
            None,
            "HSTS only when configured"
        );
    }
    let tls = TestApp::spawn_with(
        backend,
        AppOptions {
            hsts: true,
            ..Default::default()
        },
    )
    .await;
    let res = tls.get("/api/v1/offices").await;
    assert_eq!(
        res.header("strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
}

async fn cors_policy(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        AppOptions {
            cors_origins: vec!["https://www.dortmund.de".into()],
            ..Default::default()
        },
    )
    .await;
    // Any origin may read the public directory.
    let res = app
        .send(
            app.client
                .get(app.url("/api/v1/offices"))
                .insert_header(("origin", "https://newcomer-app.example")),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://newcomer-app.example")
    );
    assert!(
        res.header("access-control-expose-headers")
            .unwrap()
            .contains("etag")
    );

    // Preflight for a conditional GET is allowed from anywhere.
    let preflight = |origin: &'static str, method: &'static str| {
        app.client
            .request(actix_web::http::Method::OPTIONS, app.url("/api/v1/offices"))
            .insert_header(("origin", origin))
            .insert_header(("access-control-request-method", method))
    };
    let res = app.send(preflight("https://newcomer-app.example", "GET")).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://newcomer-app.example")
    );

    // Writes only from configured origins. A refused preflight is a problem like every
    // other error (with its own code, a request id and no grant), not plain text.
    let res = app.send(preflight("https://newcomer-app.example", "POST")).await;
    let problem = res.problem(400, "cors_rejected");
    assert_eq!(problem["instance"], "/api/v1/offices");
    assert!(problem["detail"].as_str().unwrap().contains("LW_CORS_ORIGINS"));
    assert_eq!(res.header("access-control-allow-origin"), None);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    // A read carrying a token is no anonymous read either.
    let res = app
        .send(
            preflight("https://newcomer-app.example", "GET")
                .insert_header(("access-control-request-headers", "authorization")),
        )
        .await;
    res.problem(400, "cors_rejected");
    assert_eq!(res.header("access-control-allow-origin"), None);
    // From a configured origin: a method or a header that is not allowed.
    let res = app.send(preflight("https://www.dortmund.de", "TRACE")).await;
    let problem = res.problem(400, "cors_rejected");
    assert!(problem["detail"].as_str().unwrap().contains("PATCH"), "{problem}");
    let res = app
        .send(
            preflight("https://www.dortmund.de", "PATCH")
                .insert_header(("access-control-request-headers", "if-match, x-evil")),
        )
        .await;
    let problem = res.problem(400, "cors_rejected");
    assert!(
        problem["detail"].as_str().unwrap().contains("if-match"),
        "{problem}"
    );
    // The caller's request id is kept.
    let res = app
        .send(preflight("https://newcomer-app.example", "DELETE").insert_header(("x-request-id", "pre-1")))
        .await;
    assert_eq!(res.problem(400, "cors_rejected")["request_id"], "pre-1");
    let res = app.send(preflight("https://www.dortmund.de", "POST")).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://www.dortmund.de")
    );
    assert_eq!(res.header("access-control-allow-credentials"), None);
    // Error answers to a granted origin keep their grant, so the browser can read them.
    let res = app
        .send(
            app.client
                .get(app.url("/api/v1/offices/nowhere"))
                .insert_header(("origin", "https://www.dortmund.de")),
        )
        .await;
    res.problem(404, "not_found");
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://www.dortmund.de")
    );
}

async fn http_details(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // HEAD works wherever GET does: same headers, no body.
    for path in ["/healthz", "/api/v1/offices/mengede-huckarde", "/openapi.json"] {
        let get = app.get(path).await;
        let head = app.send(app.client.head(app.url(path))).await;
        assert_eq!(head.status, 200, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} has no body");
        assert_eq!(head.header("etag"), get.header("etag"), "HEAD {path}");
        assert_eq!(
            head.header("content-length").map(str::to_owned),
            Some(get.body.len().to_string()),
            "HEAD {path}"
        );
    }
    // A cursor of the contract's pattern is a position, issued here or not; anything else
    // is a 400 naming the parameter.
    let after_m = format!("azE6{}", base64_url("mengede-huckarde"));
    let page = app.get(&format!("/api/v1/offices?cursor={after_m}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(app.get("/api/v1/offices?cursor=azE6xy").await.status, 200);
    for bad in ["", "Inf", "azE", "azE6a"] {
        let problem = app
            .get(&format!("/api/v1/offices?cursor={bad}"))
            .await
            .problem(400, "invalid_parameter");
        assert_eq!(problem["errors"][0]["parameter"], "cursor");
    }

    // A trailing slash names nothing: 404, not a 405 naming the method that was used.
    app.send(app.client.post(app.url("/api/v1/auth/login/")))
        .await
        .problem(404, "not_found");
    // Wrong methods list HEAD with GET.
    let res = app.send(app.client.delete(app.url("/api/v1/offices"))).await;
    res.problem(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET, HEAD, POST"));
    // A rejected token says so, so that clients refresh; a missing one does not.
    let res = app.get_as("expired-or-garbage", "/api/v1/me").await;
    res.problem(401, "unauthenticated");
    assert_eq!(
        res.header("www-authenticate"),
        Some("Bearer realm=\"lokal-willkommen\", error=\"invalid_token\"")
    );
    let res = app.get("/api/v1/me").await;
    assert_eq!(
        res.header("www-authenticate"),
        Some("Bearer realm=\"lokal-willkommen\"")
    );
    // Every query error names its parameter.
    for (path, parameter) in [
        ("/api/v1/offices?limit=abc", "limit"),
        ("/api/v1/offices?distrct=eving", "distrct"),
        ("/api/v1/offices/mengede-huckarde/sessions?from=2026-01-01", "to"),
        ("/hsds/services?per_page=abc", "per_page"),
        ("/api/v1/organizations?page=2", "page"),
        // Endpoints without parameters refuse them like the others.
        ("/healthz?verbose=1", "verbose"),
        ("/api/v1/languages?limit=5", "limit"),
        ("/api/v1/offices/mengede-huckarde/consultation-hours.ics?x=1", "x"),
    ] {
        let problem = app.get(path).await.problem(400, "invalid_query");
        assert_eq!(problem["errors"][0]["parameter"], parameter, "{path}");
    }
    // JSON pointers are escaped (RFC 6901).
    let (_, admin) = app.token_for(domain::Role::Admin).await;
    let office = "/api/v1/offices/mengede-huckarde";
    let problem = app
        .patch_current(
            &admin,
            office,
            &serde_json::json!({"description": {"de": "ok", "a/b~c": "x"}}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["pointer"], "/description/a~1b~0c");
    // The audit log's office filter takes a slug like every other office parameter.
    let res = app
        .patch_current(&admin, office, &serde_json::json!({"phone": "0231 123"}))
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let id = app.get(office).await.json()["id"].as_str().unwrap().to_owned();
    let by_slug = app
        .get_as(&admin, "/api/v1/audit-events?office=mengede-huckarde")
        .await
        .json();
    let by_id = app
        .get_as(&admin, &format!("/api/v1/audit-events?office={id}"))
        .await
        .json();
    assert_eq!(by_slug["items"].as_array().unwrap().len(), 1);
    assert_eq!(by_slug["items"], by_id["items"]);
    // `?lang=` takes a full language tag like Accept-Language does.
    let res = app.get("/api/v1/offices/mengede-huckarde?lang=en-US").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-language"), Some("de"));
}

fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}
