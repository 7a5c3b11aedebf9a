//! The tandem over HTTP: rules and their problem codes, handovers, status, scope,
//! deactivation, and concurrent assignments on both databases.

use domain::Role;
use lw_tests::{PASSWORD, TestApp, both_backends};
use persistence::Backend;
use serde_json::{Value, json};

both_backends!(
    tandem_lifecycle_and_status,
    every_rule_has_its_problem_code,
    provider_side_follows_the_office_provider,
    staff_scope_follows_assignments,
    deactivation_ends_assignments,
    fifty_parallel_assignments_one_wins,
    fifty_parallel_handovers_one_wins,
);

/// An active account employed by the organization named `employer`.
fn employee(app: &TestApp, employer: &str) -> (String, String) {
    let pool = app.pool();
    let mut conn = pool.get().unwrap();
    let org = persistence::directory::organizations::find_by_name(&mut conn, employer)
        .unwrap()
        .unwrap();
    let email = format!("staff-{}@example.org", uuid::Uuid::now_v7().simple());
    let user = persistence::accounts::users::create(
        &mut conn,
        persistence::accounts::users::NewUser {
            email: email.clone(),
            display_name: format!("Mitarbeiterin {}", &email[6..14]),
            employer_organization_id: org.id,
            role: Role::Staff,
            password_hash: lw_tests::password_hash(),
            password_change_required: false,
        },
        &persistence::audit::AuditContext::system("test", &lw_tests::test_clock()),
    )
    .unwrap();
    (user.id, email)
}

const CITY: &str = "Stadt Dortmund";
const DIAKONIE: &str = "Diakonisches Werk Dortmund und Lünen gGmbH";
const AWO: &str = "AWO Unterbezirk Dortmund";

async fn status(app: &TestApp, token: &str) -> Value {
    app.get_as(token, "/api/v1/offices/mengede-huckarde").await.json()["staffing_status"].clone()
}

async fn tandem_lifecycle_and_status(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let (city, _) = employee(&app, CITY);
    let (provider, _) = employee(&app, DIAKONIE);
    let (successor, _) = employee(&app, CITY);
    let staff = "/api/v1/offices/mengede-huckarde/staff";

    assert_eq!(status(&app, &coordinator).await, "vacant");
    assert!(
        app.get("/api/v1/offices/mengede-huckarde").await.json()["staffing_status"].is_null(),
        "not public"
    );

    let res = app
        .post_json(
            &coordinator,
            staff,
            &json!({"user_id": city, "side": "city", "started_on": "2024-01-01"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let first = res.json();
    assert_eq!(first["side"], "city");
    assert_eq!(first["is_current"], true);
    assert_eq!(status(&app, &coordinator).await, "provider_missing");
    app.post_json(
        &coordinator,
        staff,
        &json!({"user_id": provider, "side": "provider", "started_on": "2024-02-01"}),
    )
    .await;
    assert_eq!(status(&app, &coordinator).await, "paired");

    let view = app.get_as(&coordinator, staff).await.json();
    assert_eq!(view["staffing_status"], "paired");
    assert_eq!(view["city"]["person"]["id"], city.as_str());
    assert_eq!(view["provider"]["person"]["id"], provider.as_str());
    assert!(view["city"]["person"]["display_name"].is_string());

    // Handover: same day, no gap, no overlap; the side stays staffed.
    let res = app
        .post_json(
            &coordinator,
            &format!("{staff}/handover"),
            &json!({"side": "city", "user_id": successor, "on": "2025-06-01"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let handover = res.json();
    assert_eq!(handover["ended"]["ended_on"], "2025-06-01");
    assert_eq!(handover["ended"]["end_reason"], "handover");
    assert_eq!(handover["started"]["started_on"], "2025-06-01");
    assert_eq!(status(&app, &coordinator).await, "paired");

    // Ending the provider side leaves the city side alone.
    let view = app.get_as(&coordinator, staff).await.json();
    let provider_assignment = view["provider"]["id"].as_str().unwrap().to_owned();
    let today = lw_tests::test_clock().today();
    let res = app
        .post_json(
            &coordinator,
            &format!("{staff}/{provider_assignment}/end"),
            &json!({"ended_on": today, "reason": "Wechsel"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["is_current"], false);
    assert_eq!(status(&app, &coordinator).await, "provider_missing");
    let history = app.get_as(&coordinator, staff).await.json()["history"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(history, 3);

    let report = app.get_as(&coordinator, "/api/v1/reports/staffing").await.json();
    let rows = report["items"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    let mh = rows.iter().find(|r| r["slug"] == "mengede-huckarde").unwrap();
    assert_eq!(mh["staffing_status"], "provider_missing");
    assert_eq!(mh["provider_vacant_since"], today.to_string());
    assert_eq!(mh["provider_vacant_days"], 0);
    assert!(mh["city_vacant_since"].is_null());
    let lu = rows.iter().find(|r| r["slug"] == "luetgendortmund").unwrap();
    assert_eq!(lu["staffing_status"], "vacant");
    assert_eq!(
        lu["city_vacant_since"], "2019-02-06",
        "never staffed: vacant since opening"
    );
    assert!(lu["city_vacant_days"].as_i64().unwrap() > 2000);

    let events = app
        .get_as(
            &app.token_for(Role::Admin).await.1,
            "/api/v1/audit-events?resource_type=staff_assignment",
        )
        .await
        .json();
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "staff.assigned").count(), 3);
    assert_eq!(actions.iter().filter(|a| **a == "staff.ended").count(), 2);
}

async fn every_rule_has_its_problem_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Admin).await;
    let staff = "/api/v1/offices/hoerde-hombruch/staff";
    let (city, _) = employee(&app, CITY);
    let (city2, _) = employee(&app, CITY);
    let (awo, _) = employee(&app, AWO);
    let (diakonie, _) = employee(&app, DIAKONIE);
    let assign =
        |user: &str, side: &str, from: &str| json!({"user_id": user, "side": side, "started_on": from});

    app.post_json(&token, staff, &assign(&city, "provider", "2024-01-01"))
        .await
        .problem(422, "side_employer_mismatch");
    app.post_json(&token, staff, &assign(&awo, "city", "2024-01-01"))
        .await
        .problem(422, "side_employer_mismatch");
    app.post_json(&token, staff, &assign(&diakonie, "provider", "2024-01-01"))
        .await
        .problem(422, "side_employer_mismatch");
    app.post_json(&token, staff, &assign(&city, "city", "2018-03-08"))
        .await
        .problem(422, "before_office_opened");
    let unknown = app
        .post_json(
            &token,
            staff,
            &assign(&uuid::Uuid::now_v7().to_string(), "city", "2024-01-01"),
        )
        .await;
    assert_eq!(unknown.first_error_pointer(422, "validation_failed"), "/user_id");
    app.post_json(
        &token,
        staff,
        &json!({"user_id": city, "side": "mayor", "started_on": "2024-01-01"}),
    )
    .await
    .problem(400, "invalid_body");

    let first = app
        .post_json(&token, staff, &assign(&city, "city", "2024-01-01"))
        .await;
    assert_eq!(first.status, 201);
    let first_id = first.json()["id"].as_str().unwrap().to_owned();
    app.post_json(&token, staff, &assign(&city2, "city", "2030-01-01"))
        .await
        .problem(409, "side_already_staffed");
    app.post_json(&token, staff, &assign(&city, "city", "2030-01-01"))
        .await
        .problem(409, "assignment_overlaps");

    app.post_json(
        &token,
        &format!("{staff}/{first_id}/end"),
        &json!({"ended_on": "2023-12-31"}),
    )
    .await
    .problem(422, "end_not_after_start");
    app.post_json(
        &token,
        &format!("{staff}/{first_id}/end"),
        &json!({"ended_on": "2024-01-01"}),
    )
    .await
    .problem(422, "end_not_after_start");
    app.post_json(
        &token,
        &format!("{staff}/handover"),
        &json!({"side": "city", "user_id": city2, "on": "2024-01-01"}),
    )
    .await
    .problem(409, "handover_not_after_start");
    app.post_json(
        &token,
        &format!("{staff}/handover"),
        &json!({"side": "provider", "user_id": awo, "on": "2025-01-01"}),
    )
    .await
    .problem(409, "no_current_holder");
    app.post_json(
        &token,
        &format!("{staff}/handover"),
        &json!({"side": "city", "user_id": awo, "on": "2025-01-01"}),
    )
    .await
    .problem(422, "side_employer_mismatch");
    assert_eq!(
        app.post_json(
            &token,
            &format!("{staff}/{first_id}/end"),
            &json!({"ended_on": "2025-01-01"})
        )
        .await
        .status,
        200
    );
    app.post_json(
        &token,
        &format!("{staff}/{first_id}/end"),
        &json!({"ended_on": "2026-01-01"}),
    )
    .await
    .problem(409, "assignment_already_ended");
    app.post_json(
        &token,
        &format!("{staff}/{}/end", uuid::Uuid::now_v7()),
        &json!({"ended_on": "2026-01-01"}),
    )
    .await
    .problem(404, "not_found");

    // After the office closed, nobody starts there.
    let etag = app.etag("/api/v1/offices/hoerde-hombruch").await;
    let closed = app
        .patch_json(
            &token,
            "/api/v1/offices/hoerde-hombruch",
            &etag,
            &json!({"status": "closed", "closed_on": "2026-01-01"}),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", String::from_utf8_lossy(&closed.body));
    app.post_json(&token, staff, &assign(&city2, "city", "2026-02-01"))
        .await
        .problem(422, "after_office_closed");

    // Deactivated accounts cannot be assigned.
    let victim = employee(&app, CITY).0;
    app.post_empty(&token, &format!("/api/v1/users/{victim}/deactivate"))
        .await;
    app.post_json(
        &token,
        "/api/v1/offices/eving-scharnhorst/staff",
        &assign(&victim, "city", "2024-01-01"),
    )
    .await
    .problem(422, "user_inactive");
}

async fn provider_side_follows_the_office_provider(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Coordinator).await;
    let (diakonie, _) = employee(&app, DIAKONIE);
    let (awo, _) = employee(&app, AWO);
    let orgs = app.get("/api/v1/organizations").await.json();
    let awo_id = orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == AWO)
        .unwrap()["id"]
        .clone();
    let etag = app.etag("/api/v1/offices/mengede-huckarde").await;
    let res = app
        .patch_json(
            &token,
            "/api/v1/offices/mengede-huckarde",
            &etag,
            &json!({"provider_organization_id": awo_id}),
        )
        .await;
    assert_eq!(res.status, 200);
    let staff = "/api/v1/offices/mengede-huckarde/staff";
    app.post_json(
        &token,
        staff,
        &json!({"user_id": diakonie, "side": "provider", "started_on": "2024-01-01"}),
    )
    .await
    .problem(422, "side_employer_mismatch");
    assert_eq!(
        app.post_json(
            &token,
            staff,
            &json!({"user_id": awo, "side": "provider", "started_on": "2024-01-01"})
        )
        .await
        .status,
        201
    );
}

async fn staff_scope_follows_assignments(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let (person, email) = employee(&app, CITY);
    let token = app.access_token(&email).await;
    let office = "/api/v1/offices/eving-scharnhorst";
    let patch_phone = |phone: &'static str| {
        let (app, token) = (&app, token.clone());
        async move {
            let etag = app.etag(office).await;
            app.patch_json(&token, office, &etag, &json!({"phone": phone}))
                .await
        }
    };
    patch_phone("0231 1").await.problem(403, "forbidden");
    app.get_as(&token, &format!("{office}/staff"))
        .await
        .problem(403, "forbidden");

    let res = app
        .post_json(
            &coordinator,
            &format!("{office}/staff"),
            &json!({"user_id": person, "side": "city", "started_on": "2024-01-01"}),
        )
        .await;
    let assignment = res.json()["id"].as_str().unwrap().to_owned();
    // Same token: the scope is read per request (within the documented bound).
    assert_eq!(patch_phone("0231 2").await.status, 200);
    assert_eq!(app.get_as(&token, &format!("{office}/staff")).await.status, 200);
    assert_eq!(
        app.get_as(&token, "/api/v1/me").await.json()["offices"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Other offices stay closed to them.
    let etag = app.etag("/api/v1/offices/luetgendortmund").await;
    app.patch_json(
        &token,
        "/api/v1/offices/luetgendortmund",
        &etag,
        &json!({"phone": "1"}),
    )
    .await
    .problem(403, "forbidden");

    let today = lw_tests::test_clock().today();
    app.post_json(
        &coordinator,
        &format!("{office}/staff/{assignment}/end"),
        &json!({"ended_on": today}),
    )
    .await;
    patch_phone("0231 3").await.problem(403, "forbidden");
    app.get_as(&token, &format!("{office}/staff"))
        .await
        .problem(403, "forbidden");
    assert_eq!(
        app.get_as(&token, "/api/v1/me").await.status,
        200,
        "the account itself stays signed in"
    );
    let _ = PASSWORD;
}

async fn deactivation_ends_assignments(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let (city, _) = employee(&app, CITY);
    let (provider, _) = employee(&app, AWO);
    let staff = "/api/v1/offices/hoerde-hombruch/staff";
    app.post_json(
        &admin,
        staff,
        &json!({"user_id": city, "side": "city", "started_on": "2024-01-01"}),
    )
    .await;
    app.post_json(
        &admin,
        staff,
        &json!({"user_id": provider, "side": "provider", "started_on": "2024-01-01"}),
    )
    .await;
    assert_eq!(
        app.get_as(&admin, staff).await.json()["staffing_status"],
        "paired"
    );
    let res = app
        .post_empty(&admin, &format!("/api/v1/users/{city}/deactivate"))
        .await;
    assert_eq!(res.status, 200);
    let view = app.get_as(&admin, staff).await.json();
    assert_eq!(view["staffing_status"], "city_missing");
    assert_eq!(view["history"][0]["end_reason"], "account deactivated");
    assert_eq!(
        app.get_as(&admin, "/api/v1/offices/hoerde-hombruch").await.json()["staffing_status"],
        "city_missing"
    );
    let events = app
        .get_as(
            &admin,
            &format!("/api/v1/audit-events?resource_type=staff_assignment&actor={}", ""),
        )
        .await;
    assert_eq!(events.status, 200);
}

async fn fifty_parallel_assignments_one_wins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Coordinator).await;
    let people: Vec<String> = (0..50).map(|_| employee(&app, CITY).0).collect();
    let requests = people.iter().map(|person| {
        let body = json!({"user_id": person, "side": "city", "started_on": "2024-01-01"});
        let (app, token) = (&app, &token);
        async move {
            app.post_json(token, "/api/v1/offices/luetgendortmund/staff", &body)
                .await
        }
    });
    let results = futures_util::future::join_all(requests).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    assert_eq!(
        created,
        1,
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in results.iter().filter(|r| r.status != 201) {
        r.problem(409, "side_already_staffed");
    }
    let view = app
        .get_as(&token, "/api/v1/offices/luetgendortmund/staff")
        .await
        .json();
    assert_eq!(view["history"].as_array().unwrap().len(), 1);
}

async fn fifty_parallel_handovers_one_wins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Coordinator).await;
    let (holder, _) = employee(&app, CITY);
    app.post_json(
        &token,
        "/api/v1/offices/luetgendortmund/staff",
        &json!({"user_id": holder, "side": "city", "started_on": "2024-01-01"}),
    )
    .await;
    let people: Vec<String> = (0..50).map(|_| employee(&app, CITY).0).collect();
    let requests = people.iter().map(|person| {
        let body = json!({"side": "city", "user_id": person, "on": "2025-01-01"});
        let (app, token) = (&app, &token);
        async move {
            app.post_json(token, "/api/v1/offices/luetgendortmund/staff/handover", &body)
                .await
        }
    });
    let results = futures_util::future::join_all(requests).await;
    assert_eq!(results.iter().filter(|r| r.status == 201).count(), 1);
    for r in results.iter().filter(|r| r.status != 201) {
        assert_eq!(r.status, 409, "{}", String::from_utf8_lossy(&r.body));
    }
    let view = app
        .get_as(&token, "/api/v1/offices/luetgendortmund/staff")
        .await
        .json();
    assert_eq!(
        view["history"].as_array().unwrap().len(),
        2,
        "one handover: the holder and one successor"
    );
}
