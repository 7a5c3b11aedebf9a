//! Sign-in, tokens, sessions, passwords and throttling, over HTTP on both databases.

use domain::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use lw_tests::{AppOptions, PASSWORD, TestApp, both_backends, test_key_pem};
use persistence::Backend;
use serde_json::{Value, json};

both_backends!(
    login_returns_a_token_pair_and_me_works,
    unknown_user_and_wrong_password_look_the_same,
    forged_and_misused_tokens_are_rejected,
    refresh_rotates_and_reuse_revokes_the_family,
    logout_and_deactivation_cut_off_tokens,
    revocation_reaches_other_instances,
    initial_password_must_be_changed,
    password_rules_and_reset,
    last_admin_is_protected,
    login_throttling,
    forwarded_for_is_not_trusted_by_default,
    integration_tokens,
    jwks_verifies_access_tokens,
    public_reads_with_a_token_are_private,
    parallel_guesses_are_throttled,
    current_password_guessing_is_throttled,
    the_command_line_resets_a_password,
);

async fn parallel_guesses_are_throttled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, email) = app.create_account(Role::Staff, false);
    let guesses = (0..20).map(|i| {
        let (app, email) = (&app, &email);
        let password = format!("Falsches-Passwort-{i}!");
        async move { app.login(email, &password).await }
    });
    let results = futures_util::future::join_all(guesses).await;
    let checked = results.iter().filter(|r| r.status == 401).count();
    let refused = results.iter().filter(|r| r.status == 429).count();
    // Beyond the password threads and their queue, attempts are refused before counting.
    let busy = results.iter().filter(|r| r.status == 503).count();
    assert_eq!(checked + refused + busy, 20);
    assert!(
        checked <= 5,
        "at most the free attempts reach the password check, got {checked}"
    );
}

async fn current_password_guessing_is_throttled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Staff).await;
    let guess = |n: usize| {
        let (app, token) = (&app, token.clone());
        let body = json!({"current_password": format!("Rate-mal-{n}-Kennwort"), "new_password": "Neues-Fahrrad-Blau-Wolke-9"});
        async move {
            app.send_json(
                app.client.put(app.url("/api/v1/me/password")).bearer_auth(&token),
                &body,
            )
            .await
        }
    };
    for n in 0..5 {
        guess(n).await.problem(422, "validation_failed");
    }
    let res = guess(5).await;
    res.problem(429, "too_many_attempts");
    assert!(res.header("retry-after").is_some());
}

async fn public_reads_with_a_token_are_private(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Reader).await;
    for path in [
        "/api/v1/offices",
        "/api/v1/offices/mengede-huckarde",
        "/api/v1/districts",
        "/api/v1/organizations",
    ] {
        let anonymous = app.get(path).await;
        assert_eq!(anonymous.header("cache-control"), Some("public, max-age=60"));
        let signed_in = app.get_as(&token, path).await;
        assert_eq!(signed_in.status, 200);
        assert_eq!(signed_in.header("cache-control"), Some("no-store"), "{path}");
        let (mut signed_in, anonymous) = (signed_in.json(), anonymous.json());
        // The only difference: authenticated callers see each office's staffing status.
        let mut statuses = 0;
        let mut strip = |office: &mut Value| {
            if let Some(status) = office.get_mut("staffing_status") {
                assert_eq!(*status, "vacant");
                *status = Value::Null;
                statuses += 1;
            }
        };
        match signed_in.get_mut("items").and_then(Value::as_array_mut) {
            Some(items) => items.iter_mut().for_each(&mut strip),
            None => strip(&mut signed_in),
        }
        assert_eq!(signed_in, anonymous, "{path}");
        assert_eq!(statuses > 0, path.contains("offices"), "{path}");
        app.get_as("expired-or-garbage", path)
            .await
            .problem(401, "unauthenticated");
    }
}

fn claims(app_sub: &str, sid: &str) -> Value {
    let now = lw_tests::test_epoch().timestamp();
    json!({
        "iss": "lokal-willkommen", "aud": "lokal-willkommen-api", "sub": app_sub,
        "exp": now + 600, "nbf": now - 1, "iat": now - 1, "jti": "j", "sid": sid,
        "typ": "access", "role": "admin"
    })
}

/// Signs like the server: EdDSA, `typ` `at+jwt`, the key's own `kid`.
fn sign(claims: &Value, pem: &str) -> String {
    let keys = api::accounts::auth::keys::SigningKeys::from_pem(pem).unwrap();
    sign_naming(claims, pem, Some(&keys.kid))
}

/// Signs with `pem`, naming `kid` (or none) in the header.
fn sign_naming(claims: &Value, pem: &str, kid: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some("at+jwt".into());
    header.kid = kid.map(str::to_owned);
    let keys = api::accounts::auth::keys::SigningKeys::from_pem(pem).unwrap();
    encode(&header, claims, &keys.encoding).unwrap()
}

fn b64(v: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

async fn login_returns_a_token_pair_and_me_works(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, email) = app.create_account(Role::Coordinator, false);
    // Emails are case-insensitive.
    let res = app.login(&email.to_uppercase(), PASSWORD).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let tokens = res.json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert!(tokens["refresh_token"].as_str().unwrap().starts_with("lwr_"));
    let access = tokens["access_token"].as_str().unwrap();
    let me = app.get_as(access, "/api/v1/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.header("cache-control"), Some("no-store"));
    let me = me.json();
    assert_eq!(me["id"], id.as_str());
    assert_eq!(me["role"], "coordinator");
    assert_eq!(me["kind"], "user");
    assert_eq!(me["password_change_required"], false);
    assert_eq!(me["offices"], json!([]));

    // The claims city IT would read.
    let payload = access.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    for claim in ["iss", "aud", "sub", "exp", "nbf", "iat", "jti", "sid", "typ"] {
        assert!(!claims[claim].is_null(), "claim {claim}");
    }
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );

    app.get("/api/v1/me").await.problem(401, "unauthenticated");
    let res = app
        .send(
            app.client
                .get(app.url("/api/v1/me"))
                .insert_header(("authorization", "Basic abc")),
        )
        .await;
    res.problem(401, "unauthenticated");
    assert!(res.header("www-authenticate").unwrap().starts_with("Bearer"));
}

async fn unknown_user_and_wrong_password_look_the_same(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, email) = app.create_account(Role::Staff, false);
    let wrong = app
        .login(&email, "Falsches-Passwort-123!")
        .await
        .problem(401, "invalid_credentials");
    let unknown = app
        .login("nobody@stadtdo.de", "Falsches-Passwort-123!")
        .await
        .problem(401, "invalid_credentials");
    for field in ["type", "title", "status", "detail", "code", "errors"] {
        assert_eq!(wrong[field], unknown[field], "{field}");
    }
    // Malformed bodies are 400, unknown fields included.
    let res = app
        .post_json_anonymous(
            "/api/v1/auth/login",
            &json!({"email": email, "password": "x", "role": "admin"}),
        )
        .await;
    res.problem(400, "invalid_body");
}

async fn forged_and_misused_tokens_are_rejected(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, email) = app.create_account(Role::Admin, false);
    let login = app.login(&email, PASSWORD).await.json();
    let good = login["access_token"].as_str().unwrap().to_owned();
    let sid = {
        use base64::Engine;
        let payload = good.split('.').nth(1).unwrap();
        let c: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap();
        c["sid"].as_str().unwrap().to_owned()
    };
    let base = claims(&id, &sid);
    assert_eq!(
        app.get_as(&sign(&base, test_key_pem()), "/api/v1/users")
            .await
            .status,
        200,
        "control: a well-formed token works"
    );

    let other_key = api::accounts::auth::keys::SigningKeys::generate().1;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = base.clone();
        f(&mut c);
        sign(&c, test_key_pem())
    };
    let now = app.clock.unix_seconds();
    let mut forged: Vec<(&str, String)> = vec![
        (
            "alg none",
            format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&base)),
        ),
        ("wrong key", sign(&base, &other_key)),
        (
            "wrong key naming ours",
            sign_naming(
                &base,
                &other_key,
                Some(
                    &api::accounts::auth::keys::SigningKeys::from_pem(test_key_pem())
                        .unwrap()
                        .kid,
                ),
            ),
        ),
        ("no kid", sign_naming(&base, test_key_pem(), None)),
        (
            "unknown kid",
            sign_naming(&base, test_key_pem(), Some("someone-elses")),
        ),
        (
            "wrong algorithm (HS256)",
            encode(
                &Header::new(Algorithm::HS256),
                &base,
                &EncodingKey::from_secret(b"secret"),
            )
            .unwrap(),
        ),
        (
            "missing aud",
            with(&|c| {
                c.as_object_mut().unwrap().remove("aud");
            }),
        ),
        ("wrong aud", with(&|c| c["aud"] = json!("someone-else"))),
        (
            "missing iss",
            with(&|c| {
                c.as_object_mut().unwrap().remove("iss");
            }),
        ),
        ("wrong iss", with(&|c| c["iss"] = json!("evil"))),
        ("expired", with(&|c| c["exp"] = json!(now - 60))),
        ("not yet valid", with(&|c| c["nbf"] = json!(now + 600))),
        (
            "missing jti",
            with(&|c| {
                c.as_object_mut().unwrap().remove("jti");
            }),
        ),
        (
            "missing sid",
            with(&|c| {
                c.as_object_mut().unwrap().remove("sid");
            }),
        ),
        ("wrong type", with(&|c| c["typ"] = json!("refresh"))),
        (
            "unknown session",
            with(&|c| c["sid"] = json!(uuid::Uuid::now_v7().to_string())),
        ),
        (
            "other user's session",
            with(&|c| c["sub"] = json!(uuid::Uuid::now_v7().to_string())),
        ),
        (
            "refresh token as access token",
            login["refresh_token"].as_str().unwrap().to_owned(),
        ),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    // A valid token with one flipped signature byte.
    let mut tampered = good.clone().into_bytes();
    let last = tampered.len() - 5;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    forged.push(("tampered signature", String::from_utf8(tampered).unwrap()));
    // A valid signature over claims with a changed role.
    let parts: Vec<&str> = good.split('.').collect();
    let mut payload = base.clone();
    payload["role"] = json!("admin");
    forged.push((
        "tampered payload",
        format!("{}.{}.{}", parts[0], b64(&payload), parts[2]),
    ));

    for (what, token) in forged {
        let res = app.get_as(&token, "/api/v1/users").await;
        assert_eq!(res.status, 401, "{what}");
        res.problem(401, "unauthenticated");
        assert_eq!(
            res.header("www-authenticate"),
            Some("Bearer realm=\"lokal-willkommen\", error=\"invalid_token\""),
            "{what}"
        );
    }
}

async fn refresh_rotates_and_reuse_revokes_the_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, email) = app.create_account(Role::Staff, false);
    let first = app.login(&email, PASSWORD).await.json();
    let refresh = |token: Value| {
        let app = &app;
        async move {
            app.post_json_anonymous("/api/v1/auth/refresh", &json!({"refresh_token": token}))
                .await
        }
    };
    let second = refresh(first["refresh_token"].clone()).await;
    assert_eq!(second.status, 200);
    let second = second.json();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(
        app.get_as(second["access_token"].as_str().unwrap(), "/api/v1/me")
            .await
            .status,
        200
    );

    // Replaying the spent token revokes the whole family, including the newest tokens.
    refresh(first["refresh_token"].clone())
        .await
        .problem(401, "refresh_token_reused");
    refresh(second["refresh_token"].clone())
        .await
        .problem(401, "invalid_refresh_token");
    app.get_as(second["access_token"].as_str().unwrap(), "/api/v1/me")
        .await
        .problem(401, "unauthenticated");
    app.get_as(first["access_token"].as_str().unwrap(), "/api/v1/me")
        .await
        .problem(401, "unauthenticated");
    refresh(json!("lwr_unknown"))
        .await
        .problem(401, "invalid_refresh_token");
}

async fn logout_and_deactivation_cut_off_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let (_, email) = app.create_account(Role::Staff, false);
    let session = app.login(&email, PASSWORD).await.json();
    let access = session["access_token"].as_str().unwrap();
    let other_session = app.access_token(&email).await;
    let res = app.post_empty(access, "/api/v1/auth/logout").await;
    assert_eq!(res.status, 204);
    app.get_as(access, "/api/v1/me")
        .await
        .problem(401, "unauthenticated");
    let refresh = app
        .post_json_anonymous(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": session["refresh_token"]}),
        )
        .await;
    refresh.problem(401, "invalid_refresh_token");
    assert_eq!(
        app.get_as(&other_session, "/api/v1/me").await.status,
        200,
        "logout ends only its own session"
    );

    let me = app.get_as(&other_session, "/api/v1/me").await.json();
    let res = app
        .post_empty(
            &admin,
            &format!("/api/v1/users/{}/deactivate", me["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["active"], false);
    app.get_as(&other_session, "/api/v1/me")
        .await
        .problem(401, "unauthenticated");
    app.login(&email, PASSWORD)
        .await
        .problem(401, "invalid_credentials");
    let res = app
        .post_empty(
            &admin,
            &format!("/api/v1/users/{}/reactivate", me["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(res.json()["active"], true);
    assert_eq!(app.login(&email, PASSWORD).await.status, 200);
}

async fn revocation_reaches_other_instances(backend: Backend) {
    let first = TestApp::spawn(backend).await;
    // Two instances of one deployment: one database, one (test) clock.
    let second = TestApp::spawn_on(
        first.db.share(),
        AppOptions {
            clock: Some(first.clock.clone()),
            ..AppOptions::default()
        },
    )
    .await;
    let (_, email) = first.create_account(Role::Staff, false);
    let token = first.access_token(&email).await;
    assert_eq!(
        second.get_as(&token, "/api/v1/me").await.status,
        200,
        "tokens work on every instance"
    );
    assert_eq!(first.post_empty(&token, "/api/v1/auth/logout").await.status, 204);
    // The documented bound is the session state cache's 2 s: once they have passed, the
    // other instance refuses the token at once.
    first.clock.advance(chrono::TimeDelta::seconds(2));
    second
        .get_as(&token, "/api/v1/me")
        .await
        .problem(401, "unauthenticated");
}

async fn initial_password_must_be_changed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let orgs = app.get("/api/v1/organizations").await.json();
    let city = orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "municipality")
        .unwrap()["id"]
        .clone();
    let initial = "Start-Kennung-Gruen-Baum-42";
    let created = app
        .post_json(
            &admin,
            "/api/v1/users",
            &json!({"email": "Neu.Kollegin@stadtdo.de", "display_name": "Neue Kollegin", "role": "coordinator",
                    "employer_organization_id": city, "password": initial}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    assert!(created.header("location").unwrap().starts_with("/api/v1/users/"));
    assert_eq!(created.json()["password_change_required"], true);
    let dup = app
        .post_json(
            &admin,
            "/api/v1/users",
            &json!({"email": "neu.kollegin@STADTDO.de", "display_name": "X", "role": "staff",
                    "employer_organization_id": city, "password": initial}),
        )
        .await;
    dup.problem(409, "email_taken");

    let token = app.access_token_with("neu.kollegin@stadtdo.de", initial).await;
    let me = app.get_as(&token, "/api/v1/me").await;
    assert_eq!(me.json()["password_change_required"], true);
    let blocked = app
        .post_json(
            &token,
            "/api/v1/organizations",
            &json!({"name": "X", "kind": "partner"}),
        )
        .await;
    blocked.problem(403, "password_change_required");
    app.get_as(&token, "/api/v1/audit-events")
        .await
        .problem(403, "password_change_required");

    let change = |current: &str, new: &str| {
        let (app, token) = (&app, token.clone());
        let body = json!({"current_password": current, "new_password": new});
        async move {
            app.send_json(
                app.client.put(app.url("/api/v1/me/password")).bearer_auth(&token),
                &body,
            )
            .await
        }
    };
    let wrong = change("not-the-password", "Neues-Fahrrad-Blau-Wolke-9")
        .await
        .problem(422, "validation_failed");
    assert_eq!(wrong["errors"][0]["pointer"], "/current_password");
    let weak = change(initial, "password1234")
        .await
        .problem(422, "validation_failed");
    assert_eq!(weak["errors"][0]["pointer"], "/new_password");
    let short = change(initial, "kurz").await.problem(422, "validation_failed");
    assert!(short["errors"][0]["message"].as_str().unwrap().contains("12"));
    let res = change(initial, "Neues-Fahrrad-Blau-Wolke-9").await;
    assert_eq!(res.status, 200);
    let fresh = res.json()["access_token"].as_str().unwrap().to_owned();
    app.get_as(&token, "/api/v1/me")
        .await
        .problem(401, "unauthenticated");
    assert_eq!(
        app.get_as(&fresh, "/api/v1/me").await.json()["password_change_required"],
        false
    );
    let allowed = app
        .post_json(
            &fresh,
            "/api/v1/organizations",
            &json!({"name": "Verein X", "kind": "partner"}),
        )
        .await;
    assert_eq!(allowed.status, 201);
    app.login("neu.kollegin@stadtdo.de", initial)
        .await
        .problem(401, "invalid_credentials");
}

async fn password_rules_and_reset(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let (victim, email) = app.create_account(Role::Staff, false);
    let victim_token = app.access_token(&email).await;
    let reset = |password: &str| {
        let (app, admin, victim) = (&app, admin.clone(), victim.clone());
        let body = json!({"password": password});
        async move {
            app.post_json(&admin, &format!("/api/v1/users/{victim}/password-reset"), &body)
                .await
        }
    };
    reset("dortmund1234").await.problem(422, "validation_failed");
    assert_eq!(reset("Einmal-Kennwort-Rot-Tisch-5").await.status, 204);
    app.get_as(&victim_token, "/api/v1/me")
        .await
        .problem(401, "unauthenticated");
    let token = app.access_token_with(&email, "Einmal-Kennwort-Rot-Tisch-5").await;
    assert_eq!(
        app.get_as(&token, "/api/v1/me").await.json()["password_change_required"],
        true
    );
    app.login(&email, PASSWORD)
        .await
        .problem(401, "invalid_credentials");

    // An admin's own password changes at /me/password, which asks for the current one.
    let me = app.get_as(&admin, "/api/v1/me").await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_json(
        &admin,
        &format!("/api/v1/users/{me}/password-reset"),
        &json!({"password": "Einmal-Kennwort-Rot-Tisch-6"}),
    )
    .await
    .problem(409, "own_account");
    assert_eq!(app.get_as(&admin, "/api/v1/me").await.status, 200);
}

async fn last_admin_is_protected(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin_id, admin) = app.token_for(Role::Admin).await;
    let path = format!("/api/v1/users/{admin_id}");
    // An admin does not deactivate or demote themselves: another admin must.
    app.post_empty(&admin, &format!("{path}/deactivate"))
        .await
        .problem(409, "own_account");
    let etag = app.etag_as(&admin, &path).await;
    app.patch_json(&admin, &path, &etag, &json!({"role": "staff"}))
        .await
        .problem(409, "own_account");
    // Renaming oneself is fine, and so is sending one's unchanged role.
    let res = app
        .patch_json(
            &admin,
            &path,
            &etag,
            &json!({"role": "admin", "display_name": "Ada Admin"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));

    // Two admins demoting each other at once: one of them stays admin.
    let (second_id, _) = app.create_account(Role::Admin, false);
    let second = app.access_token(&app_email(&app, &second_id)).await;
    let second_path = format!("/api/v1/users/{second_id}");
    let first_etag = app.etag_as(&admin, &path).await;
    let second_etag = app.etag_as(&admin, &second_path).await;
    let demote = json!({"role": "coordinator"});
    let mut both = futures_util::future::join_all([
        app.patch_json(&admin, &second_path, &second_etag, &demote),
        app.patch_json(&second, &path, &first_etag, &demote),
    ])
    .await;
    let (b, a) = (both.pop().unwrap(), both.pop().unwrap());
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert!(
        statuses == [200, 409] || statuses == [200, 403],
        "one demotion wins, the other is refused: {statuses:?}"
    );
    if statuses[1] == 409 {
        let refused = if a.status == 409 { &a } else { &b };
        assert_eq!(refused.json()["code"], "last_active_admin");
    }
    // The demoted account lost admin rights at once (same instance).
    let (winner, loser) = if a.status == 200 {
        (&admin, &second)
    } else {
        (&second, &admin)
    };
    app.get_as(loser, "/api/v1/users").await.problem(403, "forbidden");
    assert_eq!(app.get_as(winner, "/api/v1/users").await.status, 200);
}

fn app_email(app: &TestApp, id: &str) -> String {
    let pool = app.pool();
    persistence::accounts::users::find(
        &mut pool.get().unwrap(),
        &domain::UserId::from_stored(id.to_owned()),
    )
    .unwrap()
    .unwrap()
    .email
}

async fn login_throttling(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, email) = app.create_account(Role::Staff, false);
    for _ in 0..5 {
        app.login(&email, "Falsches-Passwort-123!")
            .await
            .problem(401, "invalid_credentials");
    }
    let res = app.login(&email, PASSWORD).await;
    res.problem(429, "too_many_attempts");
    let wait: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait));
    // Path variants are not another way in: they are not the login route at all.
    for path in [
        "/API/V1/AUTH/LOGIN",
        "/api/v1/auth/login/",
        "/api/v1//auth/login",
        "/api/v1/Auth/Login",
    ] {
        let res = app
            .post_json_anonymous(path, &json!({"email": email, "password": PASSWORD}))
            .await;
        assert!(matches!(res.status, 404 | 405), "{path}: {}", res.status);
    }
    // Case of the email does not reset the counter either.
    app.login(&email.to_uppercase(), PASSWORD)
        .await
        .problem(429, "too_many_attempts");
    // After the block, the right password works and clears the count.
    app.clock
        .advance(chrono::TimeDelta::seconds(i64::try_from(wait).unwrap() - 1));
    app.login(&email, PASSWORD)
        .await
        .problem(429, "too_many_attempts");
    app.clock.advance(chrono::TimeDelta::seconds(1));
    assert_eq!(app.login(&email, PASSWORD).await.status, 200);
    app.login(&email, "Falsches-Passwort-123!")
        .await
        .problem(401, "invalid_credentials");
}

async fn forwarded_for_is_not_trusted_by_default(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // 20 failures for different unknown accounts from "different" spoofed addresses:
    // all are counted against the real peer address.
    for i in 0..20 {
        let res = app
            .send_json(
                app.client
                    .post(app.url("/api/v1/auth/login"))
                    .insert_header(("x-forwarded-for", format!("203.0.113.{i}"))),
                &json!({"email": format!("nobody{i}@example.org"), "password": "Falsches-Passwort-123!"}),
            )
            .await;
        res.problem(401, "invalid_credentials");
    }
    let res = app
        .send_json(
            app.client
                .post(app.url("/api/v1/auth/login"))
                .insert_header(("x-forwarded-for", "198.51.100.7")),
            &json!({"email": "somebody-else@example.org", "password": "Falsches-Passwort-123!"}),
        )
        .await;
    res.problem(429, "too_many_attempts");
}

async fn integration_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let expires = (app.clock.now() + chrono::Duration::days(30)).to_rfc3339();
    let created = app
        .post_json(
            &admin,
            "/api/v1/api-tokens",
            &json!({"name": "Stadtportal", "expires_at": expires}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    let created = created.json();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("lwt_"));
    assert_eq!(created["role"], "reader");

    let listed = app.get_as(&admin, "/api/v1/api-tokens").await.json();
    assert_eq!(listed["items"][0]["name"], "Stadtportal");
    assert!(
        listed["items"][0].get("token").is_none(),
        "the secret is shown once only"
    );
    assert!(!String::from_utf8_lossy(&app.get_as(&admin, "/api/v1/api-tokens").await.body).contains(&token));

    let me = app.get_as(&token, "/api/v1/me").await.json();
    assert_eq!(me["kind"], "integration");
    assert_eq!(me["role"], "reader");
    assert!(me["email"].is_null());
    app.get_as(&token, "/api/v1/users")
        .await
        .problem(403, "forbidden");
    app.post_json(
        &token,
        "/api/v1/organizations",
        &json!({"name": "X", "kind": "partner"}),
    )
    .await
    .problem(403, "forbidden");

    let past = app
        .post_json(
            &admin,
            "/api/v1/api-tokens",
            &json!({"name": "x", "expires_at": "2020-01-01T00:00:00Z"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(past["errors"][0]["pointer"], "/expires_at");

    let id = created["id"].as_str().unwrap();
    let revoked = app
        .post_empty(&admin, &format!("/api/v1/api-tokens/{id}/revoke"))
        .await;
    assert_eq!(revoked.status, 200);
    assert!(revoked.json()["revoked_at"].is_string());
    app.get_as(&token, "/api/v1/me")
        .await
        .problem(401, "unauthenticated");
}

async fn jwks_verifies_access_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.token_for(Role::Staff).await;
    let jwks = app.get("/.well-known/jwks.json").await;
    assert_eq!(jwks.status, 200);
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_slice(&jwks.body).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(&set.keys[0]).unwrap();
    let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
    validation.set_audience(&["lokal-willkommen-api"]);
    // The token was issued at the test clock's time, not the real one.
    validation.validate_exp = false;
    let data =
        jsonwebtoken::decode::<Value>(&token, &key, &validation).expect("city IT can verify our tokens");
    assert_eq!(data.claims["sub"], id.as_str());
    let exp = data.claims["exp"].as_i64().unwrap();
    assert_eq!(exp, app.clock.unix_seconds() + 900);
}

/// `lokal-willkommen admin reset-password`: the new password works, the old one and the
/// account's sessions do not.
async fn the_command_line_resets_a_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, email) = app.create_account(Role::Admin, false);
    let token = app.access_token(&email).await;
    let new_password = "Neues-Fahrrad-Blau-Wolke-9-Dortmund";
    server::admin::reset_password(&app.pool(), &email.to_uppercase(), new_password).unwrap();
    assert!(
        server::admin::reset_password(&app.pool(), &email, "kurz").is_err(),
        "weak passwords are refused"
    );
    app.login(&email, PASSWORD)
        .await
        .problem(401, "invalid_credentials");
    assert_eq!(app.login(&email, new_password).await.status, 200);
    // The session of the old password ended (within the session-state bound).
    app.clock.advance(chrono::TimeDelta::seconds(2));
    app.get_as(&token, "/api/v1/me")
        .await
        .problem(401, "unauthenticated");
}
