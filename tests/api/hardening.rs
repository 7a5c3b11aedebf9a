//! Abuse found by trying the service as an attacker would: bounded password hashing,
//! lockout of other people's accounts, dates far outside any calendar, text that is not
//! text, tables that only grow, and a few headers. Each test failed before its fix.

use domain::Role;
use lw_tests::{AppOptions, PASSWORD, TestApp, both_backends};
use persistence::Backend;
use serde_json::{Value, json};

both_backends!(
    password_work_beyond_the_queue_is_refused_at_once,
    failures_from_one_address_do_not_lock_the_owner_out_elsewhere,
    a_distributed_guess_is_slowed_but_known_devices_still_sign_in,
    dates_outside_the_window_are_refused_not_crashed_on,
    control_and_nul_characters_are_refused,
    look_alike_names_and_emails_collide,
    refresh_is_rate_limited_per_session,
    ended_sign_ins_are_pruned,
    tokens_need_their_header_type_and_a_past_issue_time,
    authenticated_requests_from_unlisted_origins_get_no_cors_grant,
    the_calendar_feed_cannot_be_injected_into,
);

fn with_auth(auth: api::accounts::auth::AuthConfig) -> AppOptions {
    AppOptions {
        auth: Some(auth),
        ..AppOptions::default()
    }
}

/// Trusts the test client's network as the proxies' (as a container deployment names the
/// network only the proxy and the API share), so `X-Forwarded-For` names the client.
fn behind_proxy() -> api::accounts::auth::AuthConfig {
    api::accounts::auth::AuthConfig {
        trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
        ..Default::default()
    }
}

async fn login_from(app: &TestApp, address: &str, body: &Value) -> lw_tests::Response {
    app.send_json(
        app.client
            .post(app.url("/api/v1/auth/login"))
            .insert_header(("x-forwarded-for", address)),
        body,
    )
    .await
}

async fn password_work_beyond_the_queue_is_refused_at_once(backend: Backend) {
    // No slot and no queue: every piece of password work is refused without hashing.
    let app = TestApp::spawn_with(
        backend,
        with_auth(api::accounts::auth::AuthConfig {
            hashing_concurrency: 0,
            hashing_queue: 0,
            ..Default::default()
        }),
    )
    .await;
    let (_, email) = app.create_account(Role::Admin, false);
    let res = app.login(&email, PASSWORD).await;
    res.problem(503, "server_busy");
    assert_eq!(res.header("retry-after"), Some("1"));
    app.login("nobody@example.org", "Falsches-Passwort-123!")
        .await
        .problem(503, "server_busy");
}

async fn failures_from_one_address_do_not_lock_the_owner_out_elsewhere(backend: Backend) {
    let app = TestApp::spawn_with(backend, with_auth(behind_proxy())).await;
    let (_, email) = app.create_account(Role::Admin, false);
    let wrong = json!({"email": email, "password": "Falsches-Passwort-123!"});
    let right = json!({"email": email, "password": PASSWORD});
    // 18 failures from one address, with the block waited out in between: that address
    // is slowed down ...
    let mut refused = 0;
    for _ in 0..18 {
        let res = login_from(&app, "203.0.113.9", &wrong).await;
        match res.status {
            401 => {}
            429 => {
                refused += 1;
                let wait: i64 = res.header("retry-after").unwrap().parse().unwrap();
                app.clock.advance(chrono::TimeDelta::seconds(wait));
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(refused > 0, "the guessing address is slowed down");
    // Once blocked again, that address waits even with the right password.
    for _ in 0..3 {
        if login_from(&app, "203.0.113.9", &wrong).await.status == 429 {
            break;
        }
    }
    login_from(&app, "203.0.113.9", &right)
        .await
        .problem(429, "too_many_attempts");
    // ... while the owner signs in from anywhere else, every time.
    for i in 0..5 {
        let res = login_from(&app, &format!("198.51.100.{i}"), &right).await;
        assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    }
}

async fn a_distributed_guess_is_slowed_but_known_devices_still_sign_in(backend: Backend) {
    let app = TestApp::spawn_with(backend, with_auth(behind_proxy())).await;
    let (_, email) = app.create_account(Role::Coordinator, false);
    let right = json!({"email": email, "password": PASSWORD});
    // The owner signed in once from their laptop and kept the device token.
    let first = login_from(&app, "198.51.100.7", &right).await;
    assert_eq!(first.status, 200);
    let device_token = first.json()["device_token"].as_str().unwrap().to_owned();
    // Twenty-five guesses, each from a different address.
    for i in 0..25 {
        let res = login_from(
            &app,
            &format!("203.0.113.{i}"),
            &json!({"email": email, "password": format!("Geraten-{i}-Passwort!")}),
        )
        .await;
        assert!(matches!(res.status, 401 | 429), "{}", res.status);
    }
    // A new client now waits (at most a minute), whoever it is ...
    let res = login_from(&app, "192.0.2.1", &right).await;
    res.problem(429, "too_many_attempts");
    let wait: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "the account budget only slows: {wait}");
    // ... but the owner's device is not counted with the guessers.
    let res = login_from(
        &app,
        "192.0.2.1",
        &json!({"email": email, "password": PASSWORD, "device_token": device_token}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    // A device token of another account is worth nothing here.
    let (_, other) = app.create_account(Role::Staff, false);
    let other_device = app.login(&other, PASSWORD).await.json()["device_token"]
        .as_str()
        .unwrap()
        .to_owned();
    login_from(
        &app,
        "192.0.2.2",
        &json!({"email": email, "password": PASSWORD, "device_token": other_device}),
    )
    .await
    .problem(429, "too_many_attempts");
}

async fn dates_outside_the_window_are_refused_not_crashed_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    // Query parameters: 400, not a panic that drops the connection.
    for path in [
        "/api/v1/offices/mengede-huckarde/sessions?from=%2B262142-12-31&to=%2B262142-12-31",
        "/api/v1/offices/mengede-huckarde/sessions?from=1800-01-01&to=1800-01-02",
        "/api/v1/offices?open_at=%2B262142-12-31T22:30:00Z",
    ] {
        app.get(path).await.problem(400, "invalid_parameter");
    }
    app.get_as(&admin, "/api/v1/audit-events?from=0001-01-01T00:00:00Z")
        .await
        .problem(400, "invalid_parameter");
    // Bodies: 422 at the pointer.
    let office = "/api/v1/offices/eving-scharnhorst";
    for (body, pointer) in [
        (json!({"opened_on": "0000-01-01"}), "/opened_on"),
        (json!({"closed_on": "+262142-12-31"}), "/closed_on"),
    ] {
        let res = app.patch_current(&admin, office, &body).await;
        assert_eq!(res.first_error_pointer(422, "validation_failed"), pointer);
    }
    let address =
        json!({"street": "Neue Straße 1", "postal_code": "44339", "city": "Dortmund", "district": "eving"});
    let res = app
        .post_json(
            &admin,
            &format!("{office}/relocations"),
            &json!({"moved_on": "+262142-12-31", "address": address}),
        )
        .await;
    assert_eq!(res.first_error_pointer(422, "validation_failed"), "/moved_on");
    let (person, _) = app.create_account(Role::Staff, false);
    let res = app
        .post_json(
            &admin,
            &format!("{office}/staff"),
            &json!({"user_id": person, "side": "city", "started_on": "+10000-01-01"}),
        )
        .await;
    assert_eq!(res.first_error_pointer(422, "validation_failed"), "/started_on");
    let hours = "/api/v1/offices/mengede-huckarde/consultation-hours";
    let etag = app.etag(hours).await;
    let res = app
        .put_json(
            &admin,
            hours,
            &etag,
            &json!({"closures": [{"first_day": "1800-01-01", "last_day": "1800-01-02", "reason": null}]}),
        )
        .await;
    assert_eq!(
        res.first_error_pointer(422, "validation_failed"),
        "/closures/0/first_day"
    );
    // Nothing was stored: the feed still renders.
    assert_eq!(
        app.get("/api/v1/offices/mengede-huckarde/consultation-hours.ics")
            .await
            .status,
        200
    );
}

async fn control_and_nul_characters_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let office = "/api/v1/offices/eving-scharnhorst";
    for name in [
        "lokal willkommen\r\nBEGIN:VEVENT",
        "lokal willkommen\u{202E}nerotS",
        "lokal\u{200B}willkommen",
    ] {
        let res = app.patch_current(&admin, office, &json!({"name": name})).await;
        assert_eq!(res.first_error_pointer(422, "validation_failed"), "/name");
    }
    // Descriptions may span lines.
    let res = app
        .patch_current(
            &admin,
            office,
            &json!({"description": {"de": "Zeile eins\nZeile zwei"}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    // U+0000 anywhere in a body, also anonymous: 422 with its pointer (it was a 500 on
    // PostgreSQL).
    let res = app
        .post_json_anonymous(
            "/api/v1/auth/login",
            &json!({"email": "a\u{0}b@example.org", "password": "x"}),
        )
        .await;
    assert_eq!(res.first_error_pointer(422, "validation_failed"), "/email");
    let res = app
        .patch_current(
            &admin,
            office,
            &json!({"description": {"de": "ok", "en": "a\u{0}b"}}),
        )
        .await;
    assert_eq!(
        res.first_error_pointer(422, "validation_failed"),
        "/description/en"
    );
    // In a query parameter or cursor: 400.
    for path in [
        "/api/v1/offices?district=%00",
        "/api/v1/offices?cursor=abc%00",
        "/api/v1/organizations?cursor=%00",
    ] {
        app.get(path).await.problem(400, "invalid_query");
    }
    app.get("/api/v1/offices/eving%00")
        .await
        .problem(400, "invalid_path");
}

async fn look_alike_names_and_emails_collide(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let create = |name: &str| {
        let (app, admin) = (&app, admin.clone());
        let body = json!({"name": name, "short_name": null, "kind": "partner", "website": null});
        async move { app.post_json(&admin, "/api/v1/organizations", &body).await }
    };
    assert_eq!(create("Kulturverein Hörde").await.status, 201);
    for look_alike in [
        "KULTURVEREIN HÖRDE",
        "Kulturverein  Ho\u{0308}rde",
        "Ｋｕｌｔｕｒｖｅｒｅｉｎ Hörde",
    ] {
        create(look_alike).await.problem(409, "organization_name_taken");
    }
    // Stored in the composed, compatibility form.
    let res = create("ﬁlmclub Ｅving").await;
    assert_eq!(res.status, 201);
    assert_eq!(res.json()["name"], "filmclub Eving");

    let city = app.get("/api/v1/organizations").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "municipality")
        .unwrap()["id"]
        .clone();
    let user = |email: &str| {
        json!({"email": email, "display_name": "Anna Beispiel", "employer_organization_id": city,
               "role": "staff", "password": "Fahrrad-Lampe-Kaffee-Dortmund-7"})
    };
    assert_eq!(
        app.post_json(&admin, "/api/v1/users", &user("anna.beispiel@stadtdo.de"))
            .await
            .status,
        201
    );
    app.post_json(&admin, "/api/v1/users", &user("ＡＮＮＡ.beispiel@stadtdo.de"))
        .await
        .problem(409, "email_taken");
}

async fn refresh_is_rate_limited_per_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, email) = app.create_account(Role::Reader, false);
    let mut refresh = app.login(&email, PASSWORD).await.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let rotate = |token: String| {
        let app = &app;
        async move {
            app.post_json_anonymous("/api/v1/auth/refresh", &json!({"refresh_token": token}))
                .await
        }
    };
    for _ in 0..persistence::accounts::sessions::REFRESHES_PER_MINUTE {
        let res = rotate(refresh.clone()).await;
        assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
        res.json()["refresh_token"]
            .as_str()
            .unwrap()
            .clone_into(&mut refresh);
    }
    let res = rotate(refresh.clone()).await;
    res.problem(429, "too_many_attempts");
    assert_eq!(res.header("retry-after"), Some("60"));
    // The refused token was not spent: a minute later it works.
    app.clock.advance(chrono::TimeDelta::seconds(61));
    assert_eq!(rotate(refresh).await.status, 200);
}

async fn ended_sign_ins_are_pruned(backend: Backend) {
    use diesel::prelude::*;
    use persistence::schema::{login_throttle, refresh_tokens, sessions};
    let app = TestApp::spawn(backend).await;
    let (_, email) = app.create_account(Role::Reader, false);
    let ended = app.access_token(&email).await;
    assert_eq!(app.post_empty(&ended, "/api/v1/auth/logout").await.status, 204);
    let live = app.login(&email, PASSWORD).await.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.login("nobody@example.org", "Falsches-Passwort-123!")
        .await
        .problem(401, "invalid_credentials");
    let pool = app.pool();
    let mut conn = pool.get().unwrap();
    let count = |conn: &mut persistence::DbConnection| -> (i64, i64, i64) {
        (
            sessions::table.count().get_result(conn).unwrap(),
            refresh_tokens::table.count().get_result(conn).unwrap(),
            login_throttle::table.count().get_result(conn).unwrap(),
        )
    };
    let before = count(&mut conn);
    let forget = chrono::TimeDelta::hours(24);
    // Nothing has ended long enough ago yet.
    let now = app.clock.now_naive();
    let pruned = persistence::accounts::pruning::prune(&mut conn, now, forget).unwrap();
    assert_eq!(pruned, persistence::accounts::pruning::Pruned::default());
    // A day and six hours later: the logged-out session and its token, and the stale
    // throttle rows, go; the live session (twelve hours long) ended less than a day ago
    // and stays.
    let later = now + chrono::TimeDelta::hours(6);
    let pruned =
        persistence::accounts::pruning::prune(&mut conn, later + chrono::TimeDelta::days(1), forget).unwrap();
    assert_eq!(pruned.sessions, 1, "only the ended session");
    assert!(pruned.refresh_tokens >= 1);
    assert!(pruned.throttle_rows >= 1);
    let after = count(&mut conn);
    assert_eq!(after.0, before.0 - 1);
    assert_eq!(after.2, 0);
    // The live session still refreshes.
    assert_eq!(
        app.post_json_anonymous("/api/v1/auth/refresh", &json!({"refresh_token": live}))
            .await
            .status,
        200
    );
}

async fn tokens_need_their_header_type_and_a_past_issue_time(backend: Backend) {
    use jsonwebtoken::{Algorithm, Header, encode};
    let app = TestApp::spawn(backend).await;
    let (_, email) = app.create_account(Role::Admin, false);
    let token = app.access_token(&email).await;
    let payload = {
        use base64::Engine;
        let part = token.split('.').nth(1).unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    let keys = api::accounts::auth::keys::SigningKeys::from_pem(lw_tests::test_key_pem()).unwrap();
    let sign = |typ: Option<&str>, claims: &Value| {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = typ.map(str::to_owned);
        header.kid = Some(keys.kid.clone());
        encode(&header, claims, &keys.encoding).unwrap()
    };
    assert_eq!(
        app.get_as(&sign(Some("at+jwt"), &payload), "/api/v1/me")
            .await
            .status,
        200,
        "control: the same claims signed correctly work"
    );
    for typ in [Some("JWT"), None] {
        app.get_as(&sign(typ, &payload), "/api/v1/me")
            .await
            .problem(401, "unauthenticated");
    }
    let mut future = payload.clone();
    future["iat"] = json!(app.clock.unix_seconds() + 3600);
    app.get_as(&sign(Some("at+jwt"), &future), "/api/v1/me")
        .await
        .problem(401, "unauthenticated");
}

async fn authenticated_requests_from_unlisted_origins_get_no_cors_grant(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Reader).await;
    let anonymous = app
        .send(
            app.client
                .get(app.url("/api/v1/offices"))
                .insert_header(("origin", "https://evil.example")),
        )
        .await;
    assert_eq!(
        anonymous.header("access-control-allow-origin"),
        Some("https://evil.example"),
        "public reads are open to every origin"
    );
    let authenticated = app
        .send(
            app.client
                .get(app.url("/api/v1/offices"))
                .bearer_auth(&token)
                .insert_header(("origin", "https://evil.example")),
        )
        .await;
    assert_eq!(authenticated.header("access-control-allow-origin"), None);
    // Security headers on API responses and the docs.
    assert_eq!(
        anonymous.header("content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
    let docs = app.get("/docs/").await;
    assert!(
        docs.header("content-security-policy")
            .is_some_and(|p| p.contains("script-src 'self'") && p.contains("frame-ancestors 'none'")),
        "{:?}",
        docs.header("content-security-policy")
    );
}

async fn the_calendar_feed_cannot_be_injected_into(backend: Backend) {
    use diesel::prelude::*;
    // Stored before names were checked (or written past the API): the feed still keeps
    // every value on its own line.
    let app = TestApp::spawn(backend).await;
    {
        let pool = app.pool();
        let mut conn = pool.get().unwrap();
        diesel::update(
            persistence::schema::offices::table
                .filter(persistence::schema::offices::slug.eq("mengede-huckarde")),
        )
        .set(persistence::schema::offices::name.eq("Mengede\r\nBEGIN:VEVENT\r\nSUMMARY:Fake"))
        .execute(&mut conn)
        .unwrap();
        persistence::change_feed::bump(&mut conn).unwrap();
    }
    let feed = lw_tests::eventually(|| async {
        let body = app
            .get("/api/v1/offices/mengede-huckarde/consultation-hours.ics")
            .await
            .body;
        let text = String::from_utf8(body).unwrap();
        text.contains("Fake").then_some(text)
    })
    .await;
    assert!(!feed.lines().any(|l| l.starts_with("SUMMARY:Fake")), "{feed}");
    assert_eq!(
        feed.lines().filter(|l| l.starts_with("BEGIN:VEVENT")).count(),
        4,
        "one event per seeded weekly slot, none planted: {feed}"
    );
}
