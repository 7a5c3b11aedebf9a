//! Home-visit appointments over HTTP, on both databases: who may see them, every read in
//! the personal-data access log (in the read's transaction), the outcome state machine
//! with the visit's contact record stored atomically, and that personal data stays out
//! of the directory, HSDS and the audit log.

use domain::Role;
use lw_tests::{TestApp, both_backends};
use persistence::Backend;
use serde_json::{Value, json};

both_backends!(
    appointments_are_personal_and_every_read_is_logged,
    a_done_visit_stores_its_contact_in_the_same_transaction,
);

const VISITS: &str = "/api/v1/offices/mengede-huckarde/home-visits";
const NAME: &str = "Familie Haddad-Özdemir";

fn visit(day: &str) -> Value {
    json!({
        "planned_on": day,
        "time_window": "afternoon",
        "name": NAME,
        "address": {"street": "Siegenstraße 12", "postal_code": "44359", "supplement": "2. OG"},
        "phone": "0176 1234567",
        "language": "ar",
        "source": "housing_company"
    })
}

async fn staff(app: &TestApp, slug: &str) -> (String, String) {
    let (id, email) = app.create_account(Role::Staff, false);
    app.assign(&id, slug);
    (id.clone(), app.access_token(&email).await)
}

async fn access_log(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    let res = app
        .get_as(admin, &format!("/api/v1/privacy/access-log?{query}"))
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    res.json()["items"].as_array().unwrap().clone()
}

async fn appointments_are_personal_and_every_read_is_logged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff_id, token) = staff(&app, "mengede-huckarde").await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let (coordinator_id, coordinator) = app.token_for(Role::Coordinator).await;
    let (_, other) = staff(&app, "eving-scharnhorst").await;
    let version = {
        let pool = app.pool();
        persistence::change_feed::version(&mut pool.get().unwrap()).unwrap()
    };

    // Bad input: 422 at the pointer, nothing stored.
    let long_name = "x".repeat(101);
    for (changes, pointer) in [
        (json!({"planned_on": "2026-11-15"}), "/planned_on"),
        (json!({"name": long_name}), "/name"),
        (json!({"name": " "}), "/name"),
        (
            json!({"address": {"street": "Siegenstraße 12", "postal_code": "10115"}}),
            "/address/postal_code",
        ),
        (
            json!({"address": {"street": "Siegenstraße 12", "postal_code": "44359", "floor": 2}}),
            "/address/floor",
        ),
        (json!({"phone": "call me"}), "/phone"),
        (json!({"language": "xx"}), "/language"),
        (json!({"source": "rumour"}), "/source"),
        (json!({"birth_date": "1990-01-01"}), "/birth_date"),
    ] {
        let mut body = visit("2026-11-20");
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        let problem = app
            .post_json(&token, VISITS, &body)
            .await
            .problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{changes}");
    }
    // Admins oversee the access log, not the appointments.
    app.post_json(&admin, VISITS, &visit("2026-11-20"))
        .await
        .problem(403, "forbidden");
    app.get_as(&admin, VISITS).await.problem(403, "forbidden");
    app.get_as(&other, VISITS).await.problem(403, "forbidden");
    assert!(
        access_log(&app, &admin, "").await.is_empty(),
        "refused reads log nothing"
    );

    // Today's visit may be planned; three appointments.
    let mut ids = Vec::new();
    for day in ["2026-11-16", "2026-11-20", "2026-11-18"] {
        let res = app.post_json(&token, VISITS, &visit(day)).await;
        assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
        let body = res.json();
        assert_eq!(
            res.header("location"),
            Some(format!("/api/v1/home-visits/{}", body["id"].as_str().unwrap()).as_str())
        );
        assert_eq!(body["status"], "planned");
        assert_eq!(body["address"]["postal_code"], "44359");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    assert!(
        access_log(&app, &admin, "").await.is_empty(),
        "creating is not reading"
    );

    // A list page logs exactly the entries it shows, with one request id.
    let res = app.get_as(&token, &format!("{VISITS}?limit=2")).await;
    assert_eq!(res.status, 200);
    let page = res.json();
    let shown: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(shown, [ids[0].as_str(), ids[2].as_str()], "by planned day");
    let entries = access_log(&app, &admin, "").await;
    assert_eq!(entries.len(), 2);
    for entry in &entries {
        assert_eq!(entry["purpose"], "list");
        assert_eq!(entry["record_type"], "home_visit");
        assert_eq!(entry["actor_id"], staff_id);
        assert_eq!(entry["actor_role"], "staff");
        assert_eq!(entry["request_id"].as_str(), res.header("x-request-id"));
        assert_eq!(entry["at"], "2026-11-16T09:30:00Z");
    }
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = app
        .get_as(&token, &format!("{VISITS}?limit=2&cursor={cursor}"))
        .await
        .json();
    assert_eq!(rest["items"][0]["id"], ids[1].as_str());
    assert_eq!(rest["next_cursor"], Value::Null);
    assert_eq!(access_log(&app, &admin, "").await.len(), 3);

    // A single read, by a coordinator.
    app.clock.advance(chrono::Duration::minutes(5));
    let res = app
        .get_as(&coordinator, &format!("/api/v1/home-visits/{}", ids[1]))
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["name"], NAME);
    let reads = access_log(&app, &admin, &format!("record_id={}", ids[1])).await;
    assert_eq!(reads.len(), 2);
    assert_eq!(
        (reads[0]["purpose"].clone(), reads[0]["actor_id"].clone()),
        (json!("read"), json!(coordinator_id))
    );
    // Filters: by actor, record type, period.
    assert_eq!(
        access_log(&app, &admin, &format!("actor={coordinator_id}"))
            .await
            .len(),
        1
    );
    assert_eq!(access_log(&app, &admin, "record_type=home_visit").await.len(), 4);
    assert_eq!(access_log(&app, &admin, "record_type=suggestion").await.len(), 0);
    assert_eq!(
        access_log(&app, &admin, "from=2026-11-16T09:31:00Z").await.len(),
        1
    );
    assert_eq!(access_log(&app, &admin, "to=2026-11-16T09:31:00Z").await.len(), 3);
    let first = app
        .get_as(&admin, "/api/v1/privacy/access-log?limit=3")
        .await
        .json();
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get_as(
            &admin,
            &format!("/api/v1/privacy/access-log?limit=3&cursor={cursor}"),
        )
        .await
        .json();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    app.get_as(&coordinator, "/api/v1/privacy/access-log")
        .await
        .problem(403, "forbidden");
    app.get_as(&token, "/api/v1/privacy/access-log")
        .await
        .problem(403, "forbidden");

    // Append-only: no route changes the log, and the database refuses it too.
    for method in [
        actix_web::http::Method::PUT,
        actix_web::http::Method::DELETE,
        actix_web::http::Method::PATCH,
    ] {
        let res = app
            .send(
                app.client
                    .request(method, app.url("/api/v1/privacy/access-log"))
                    .bearer_auth(&admin),
            )
            .await;
        assert_eq!(res.status, 405);
    }
    {
        use diesel::RunQueryDsl;
        let pool = app.pool();
        let mut conn = pool.get().unwrap();
        let refused =
            diesel::sql_query("UPDATE personal_data_access_log SET purpose = 'export'").execute(&mut conn);
        assert!(refused.is_err(), "the access log is append-only");
    }

    // Never public, never in the directory or the audit log's values.
    let pool = app.pool();
    assert_eq!(
        persistence::change_feed::version(&mut pool.get().unwrap()).unwrap(),
        version
    );
    for path in [
        "/api/v1/offices/mengede-huckarde",
        "/api/v1/offices/mengede-huckarde/services",
        "/hsds/services",
        "/hsds/organizations",
        "/hsds/service_at_locations",
    ] {
        let body = String::from_utf8_lossy(&app.get(path).await.body).into_owned();
        assert!(!body.contains("Haddad"), "{path} shows personal data");
    }
    app.get(VISITS).await.problem(401, "unauthenticated");
    let audit = app
        .get_as(&admin, "/api/v1/audit-events?resource_type=home_visit")
        .await;
    assert_eq!(audit.json()["items"].as_array().unwrap().len(), 3);
    let text = String::from_utf8_lossy(&audit.body);
    for value in ["Haddad", "Siegenstraße", "44359", "0176"] {
        assert!(!text.contains(value), "the audit log holds {value}");
    }
}

async fn a_done_visit_stores_its_contact_in_the_same_transaction(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = staff(&app, "mengede-huckarde").await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let id = app.post_json(&token, VISITS, &visit("2026-11-16")).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let outcome = format!("/api/v1/home-visits/{id}/outcome");
    let visit_contact = json!({
        "occurred_on": "2026-11-16",
        "duration": "30_to_60",
        "persons_present": 4,
        "first_contact": true,
        "audience": "refugee",
        "residence_district": "mengede",
        "languages": ["ar"],
        "interpreting": "by_staff",
        "topics": ["childcare-place", "school-enrollment"],
        "outcome": "referred",
        "referrals": [{"target_category": "childcare_and_school", "mode": "information"}]
    });
    let pointer = |res: lw_tests::Response| res.first_error_pointer(422, "validation_failed");
    assert_eq!(
        pointer(app.post_json(&token, &outcome, &json!({"status": "done"})).await),
        "/contact"
    );
    assert_eq!(
        pointer(
            app.post_json(
                &token,
                &outcome,
                &json!({"status": "no_show", "contact": visit_contact})
            )
            .await
        ),
        "/contact"
    );
    let mut broken = visit_contact.clone();
    broken["persons_present"] = json!(21);
    assert_eq!(
        pointer(
            app.post_json(&token, &outcome, &json!({"status": "done", "contact": broken}))
                .await
        ),
        "/contact/persons_present"
    );
    let mut with_channel = visit_contact.clone();
    with_channel["channel"] = json!("phone");
    assert_eq!(
        pointer(
            app.post_json(
                &token,
                &outcome,
                &json!({"status": "done", "contact": with_channel})
            )
            .await
        ),
        "/contact/channel"
    );
    assert_eq!(
        pointer(
            app.post_json(&token, &outcome, &json!({"status": "expired"}))
                .await
        ),
        "/status"
    );
    let contacts = "/api/v1/offices/mengede-huckarde/contacts";
    assert_eq!(app.get_as(&token, contacts).await.json()["items"], json!([]));
    assert_eq!(
        app.get_as(&token, &format!("/api/v1/home-visits/{id}"))
            .await
            .json()["status"],
        "planned"
    );

    let res = app
        .post_json(
            &token,
            &outcome,
            &json!({"status": "done", "contact": visit_contact}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let body = res.json();
    assert_eq!(body["home_visit"]["status"], "done");
    assert_eq!(body["home_visit"]["outcome_recorded_at"], "2026-11-16T09:30:00Z");
    assert_eq!(body["contact"]["channel"], "home_visit");
    assert_eq!(body["home_visit"]["contact_id"], body["contact"]["id"]);
    let stored = app
        .get_as(
            &token,
            &format!("/api/v1/contacts/{}", body["contact"]["id"].as_str().unwrap()),
        )
        .await
        .json();
    assert_eq!(
        (stored["channel"].clone(), stored["persons_present"].clone()),
        (json!("home_visit"), json!(4))
    );
    assert_eq!(stored["referrals"].as_array().unwrap().len(), 1);
    // Once only.
    app.post_json(&token, &outcome, &json!({"status": "cancelled"}))
        .await
        .problem(409, "home_visit_resolved");

    let other = app.post_json(&token, VISITS, &visit("2026-11-30")).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post_json(
            &token,
            &format!("/api/v1/home-visits/{other}/outcome"),
            &json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["contact"], Value::Null);
    assert_eq!(
        app.get_as(&token, contacts).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // One audit event per write: the visit's and its contact's, in one request.
    let events = app
        .get_as(&admin, "/api/v1/audit-events?resource_type=home_visit")
        .await
        .json();
    let outcomes: Vec<&Value> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "home_visit.outcome_recorded")
        .collect();
    assert_eq!(outcomes.len(), 2);
    let created = app
        .get_as(&admin, "/api/v1/audit-events?resource_type=contact")
        .await
        .json();
    assert_eq!(created["items"][0]["request_id"], outcomes[1]["request_id"]);
    // The outcome's answer showed the appointment: logged as a read.
    let reads = app
        .get_as(&admin, &format!("/api/v1/privacy/access-log?record_id={id}"))
        .await
        .json();
    assert!(
        reads["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["purpose"] == "read")
    );
}
