//! Contact records and referrals over HTTP, on both databases: recording, the rules each
//! refused once (422 at the pointer, nothing stored), keyset paging, the 14-day rule,
//! concurrent edits, closing referrals, and that no write touches the public directory.

use domain::Role;
use lw_tests::{TestApp, both_backends};
use persistence::Backend;
use serde_json::{Value, json};

both_backends!(
    a_contact_is_recorded_read_and_audited_without_touching_the_directory,
    bad_input_is_refused_at_its_pointer_and_nothing_is_stored,
    contact_lists_page_newest_first_and_filter,
    staff_edit_for_fourteen_days_then_coordinators_correct_with_a_reason,
    concurrent_edits_with_one_etag_have_one_winner,
    referrals_close_once_between_their_contact_and_today,
);

const OFFICE: &str = "mengede-huckarde";
const CONTACTS: &str = "/api/v1/offices/mengede-huckarde/contacts";

/// A valid contact on `day` (the test clock's today is 2026-11-16).
pub fn contact(day: &str) -> Value {
    json!({
        "occurred_on": day,
        "channel": "office_hours",
        "duration": "15_to_30",
        "persons_present": 2,
        "first_contact": true,
        "audience": "refugee",
        "residence_district": "mengede",
        "languages": ["ar", "de"],
        "interpreting": "by_staff",
        "topics": ["school-enrollment"],
        "outcome": "resolved"
    })
}

fn with(mut body: Value, changes: &Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// A staff account assigned to the office today, and its token.
async fn staff(app: &TestApp, slug: &str) -> (String, String) {
    let (id, email) = app.create_account(Role::Staff, false);
    app.assign(&id, slug);
    (id.clone(), app.access_token(&email).await)
}

fn directory_version(app: &TestApp) -> i64 {
    let pool = app.pool();
    persistence::change_feed::version(&mut pool.get().unwrap()).unwrap()
}

async fn audit_events(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    let res = app.get_as(admin, &format!("/api/v1/audit-events?{query}")).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    res.json()["items"].as_array().unwrap().clone()
}

async fn a_contact_is_recorded_read_and_audited_without_touching_the_directory(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff_id, token) = staff(&app, OFFICE).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let version = directory_version(&app);
    let offices_etag = app.etag("/api/v1/offices").await;

    let res = app.post_json(&token, CONTACTS, &contact("2026-11-16")).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let body = res.json();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/contacts/{id}").as_str())
    );
    assert_eq!(body["office_id"], app.office_id(OFFICE).to_string());
    assert_eq!(body["recorded_by"], staff_id);
    assert_eq!(body["version"], 1);
    assert_eq!(body["languages"], json!(["ar", "de"]));
    assert_eq!(body["referrals"], json!([]));
    let read = app.get_as(&token, &format!("/api/v1/contacts/{id}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), body);
    assert_eq!(read.header("etag"), res.header("etag"));
    assert_eq!(read.header("cache-control"), Some("no-store"));

    // With referrals to a directory organization and service, made on the person's
    // behalf with their consent.
    let org = app.get("/api/v1/organizations").await.json()["items"][0]["id"].clone();
    let service = app.get("/api/v1/services").await.json()["items"][0]["id"].clone();
    let referred = with(
        contact("2026-11-15"),
        &json!({"outcome": "referred", "topics": ["benefits-and-money", "housing"], "referrals": [
            {"target_category": "authority", "organization_id": org, "mode": "contacted_on_behalf", "consent_to_share": true},
            {"target_category": "language_course", "service_id": service, "mode": "information"}
        ]}),
    );
    let res = app.post_json(&token, CONTACTS, &referred).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let body = res.json();
    let referrals = body["referrals"].as_array().unwrap();
    assert_eq!(referrals.len(), 2);
    assert_eq!(referrals[0]["organization_id"], org);
    assert_eq!(referrals[0]["status"], "issued");
    assert_eq!(referrals[1]["service_id"], service);
    assert_eq!(referrals[1]["consent_to_share"], false);
    assert_eq!(referrals[1]["contact_occurred_on"], "2026-11-15");

    // One audit event per write, with the request's id; field names, no values.
    let events = audit_events(
        &app,
        &admin,
        &format!(
            "resource_type=contact&resource_id={}",
            body["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["action"], "contact.created");
    assert_eq!(events[0]["request_id"].as_str(), res.header("x-request-id"));
    assert_eq!(events[0]["office_id"], app.office_id(OFFICE).to_string());
    assert!(
        events[0]["changed_fields"]
            .as_array()
            .unwrap()
            .contains(&json!("topics"))
    );

    // Field work is not directory data.
    assert_eq!(directory_version(&app), version);
    assert_eq!(app.etag("/api/v1/offices").await, offices_etag);
    // Never public, never for readers.
    let path = format!("/api/v1/contacts/{id}");
    app.get(&path).await.problem(401, "unauthenticated");
    let (_, reader) = app.token_for(Role::Reader).await;
    app.get_as(&reader, &path).await.problem(403, "forbidden");
    app.get_as(&reader, CONTACTS).await.problem(403, "forbidden");
    // Staff of another office see nothing of this one.
    let (_, other) = staff(&app, "eving-scharnhorst").await;
    app.get_as(&other, &path).await.problem(403, "forbidden");
    app.post_json(&other, CONTACTS, &contact("2026-11-16"))
        .await
        .problem(403, "forbidden");
    let theirs = app
        .get_as(&other, "/api/v1/offices/eving-scharnhorst/contacts")
        .await
        .json();
    assert_eq!(theirs["items"], json!([]));
    // Unknown and malformed ids.
    app.get_as(&token, &format!("/api/v1/contacts/{}", uuid::Uuid::now_v7()))
        .await
        .problem(404, "not_found");
    app.get_as(&token, "/api/v1/contacts/nope")
        .await
        .problem(400, "invalid_parameter");
}

async fn bad_input_is_refused_at_its_pointer_and_nothing_is_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = staff(&app, OFFICE).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let missing = uuid::Uuid::now_v7().to_string();
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"channel": "fax"}), "/channel", "validation_failed"),
        (json!({"duration": "forever"}), "/duration", "validation_failed"),
        (
            json!({"topics": ["school-enrollment", "alien-abduction"]}),
            "/topics/1",
            "validation_failed",
        ),
        (
            json!({"topics": ["housing", "housing"]}),
            "/topics/1",
            "validation_failed",
        ),
        (json!({"topics": []}), "/topics", "validation_failed"),
        (
            json!({"languages": ["ar", "xx"]}),
            "/languages/1",
            "validation_failed",
        ),
        (
            json!({"languages": ["ar", "de", "en", "fa", "ku", "tr"]}),
            "/languages",
            "validation_failed",
        ),
        (
            json!({"persons_present": 21}),
            "/persons_present",
            "validation_failed",
        ),
        (
            json!({"persons_present": 0}),
            "/persons_present",
            "validation_failed",
        ),
        (
            json!({"occurred_on": "2026-11-17"}),
            "/occurred_on",
            "validation_failed",
        ),
        (
            json!({"occurred_on": "2025-11-15"}),
            "/occurred_on",
            "validation_failed",
        ),
        (
            json!({"residence_district": "atlantis"}),
            "/residence_district",
            "validation_failed",
        ),
        (json!({"name": "Erika Mustermann"}), "/name", "validation_failed"),
        (
            json!({"note": "kam mit Bescheid vom Jobcenter"}),
            "/note",
            "validation_failed",
        ),
        (json!({"outcome": "referred"}), "/referrals", "validation_failed"),
        (
            json!({"outcome": "referred", "referrals": [{"target_category": "authority", "organization_id": missing, "mode": "information"}]}),
            "/referrals/0/organization_id",
            "validation_failed",
        ),
        (
            json!({"referrals": [{"target_category": "authority", "service_id": "not-a-uuid", "mode": "information"}]}),
            "/referrals/0/service_id",
            "validation_failed",
        ),
        (
            json!({"referrals": [{"target_category": "authority", "mode": "information", "person_name": "X"}]}),
            "/referrals/0/person_name",
            "validation_failed",
        ),
        (
            json!({"referrals": [{"target_category": "authority", "mode": "contacted_on_behalf"}]}),
            "/referrals/0/consent_to_share",
            "consent_required",
        ),
    ];
    for (changes, pointer, code) in &cases {
        let res = app
            .post_json(&token, CONTACTS, &with(contact("2026-11-16"), changes))
            .await;
        let problem = res.problem(422, code);
        assert_eq!(problem["errors"][0]["pointer"], *pointer, "{changes}: {problem}");
    }
    // `2.0` is an integer in JSON; `2.5` and a string are not.
    let res = app
        .post_json(
            &token,
            CONTACTS,
            &with(contact("2026-11-16"), &json!({"persons_present": 21.0})),
        )
        .await;
    assert_eq!(
        res.first_error_pointer(422, "validation_failed"),
        "/persons_present"
    );
    app.post_json(
        &token,
        CONTACTS,
        &with(contact("2026-11-16"), &json!({"persons_present": 2.5})),
    )
    .await
    .problem(400, "invalid_body");
    // A wrong JSON type is a malformed body, as everywhere.
    app.post_json(
        &token,
        CONTACTS,
        &with(contact("2026-11-16"), &json!({"persons_present": "two"})),
    )
    .await
    .problem(400, "invalid_body");
    // Nothing of it was stored, nor audited.
    assert_eq!(app.get_as(&token, CONTACTS).await.json()["items"], json!([]));
    assert!(
        audit_events(&app, &admin, "resource_type=contact")
            .await
            .is_empty()
    );

    // Coordinators may backfill beyond a year; nobody records the future.
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let res = app
        .post_json(&coordinator, CONTACTS, &contact("2019-03-01"))
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    app.post_json(&coordinator, CONTACTS, &contact("2026-11-17"))
        .await
        .first_error_pointer(422, "validation_failed");
    let res = app.post_json(&token, CONTACTS, &contact("2025-11-16")).await;
    assert_eq!(res.status, 201, "365 days back is still allowed for staff");
}

async fn contact_lists_page_newest_first_and_filter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Coordinator).await;
    // Ten days, two records on the last; phone calls on even days, housing on the odd.
    let mut created = Vec::new();
    for (i, day) in (1..=10).chain([10]).enumerate() {
        let body = with(
            contact(&format!("2026-11-{day:02}")),
            &json!({
                "channel": if day % 2 == 0 { "phone" } else { "office_hours" },
                "topics": if day % 2 == 1 { json!(["housing", "health"]) } else { json!(["health"]) },
            }),
        );
        let res = app.post_json(&token, CONTACTS, &body).await;
        assert_eq!(res.status, 201, "{i}: {}", String::from_utf8_lossy(&res.body));
        created.push((day, res.json()["id"].as_str().unwrap().to_owned()));
    }
    let mut expected = created.clone();
    expected.sort_by(|a, b| b.cmp(a));
    let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();

    let mut seen = Vec::new();
    let mut path = format!("{CONTACTS}?limit=3");
    let mut pages = 0;
    loop {
        let page = app.get_as(&token, &path).await.json();
        pages += 1;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned()),
        );
        if pages == 1 {
            // A record added meanwhile (newest) shifts nothing on later pages.
            let res = app.post_json(&token, CONTACTS, &contact("2026-11-16")).await;
            assert_eq!(res.status, 201);
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{CONTACTS}?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, expected, "newest first: occurred_on, then id, descending");
    assert_eq!(pages, 4);

    let ids = |page: Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let in_window = ids(app
        .get_as(&token, &format!("{CONTACTS}?from=2026-11-03&to=2026-11-05"))
        .await
        .json());
    assert_eq!(in_window.len(), 3, "from and to are inclusive");
    let phone = app
        .get_as(&token, &format!("{CONTACTS}?channel=phone&to=2026-11-10"))
        .await
        .json();
    assert_eq!(phone["items"].as_array().unwrap().len(), 6);
    assert!(
        phone["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["channel"] == "phone")
    );
    let housing = app
        .get_as(&token, &format!("{CONTACTS}?topic=housing"))
        .await
        .json();
    assert_eq!(housing["items"].as_array().unwrap().len(), 5);
    assert_eq!(
        app.get_as(
            &token,
            &format!("{CONTACTS}?topic=health&channel=office_hours&to=2026-11-10")
        )
        .await
        .json()["items"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    // A topic nobody knows matches nothing; broken parameters are 400.
    assert_eq!(
        app.get_as(&token, &format!("{CONTACTS}?topic=zzz")).await.json()["items"],
        json!([])
    );
    app.get_as(&token, &format!("{CONTACTS}?channel=fax"))
        .await
        .problem(400, "invalid_query");
    app.get_as(&token, &format!("{CONTACTS}?from=1850-01-01"))
        .await
        .problem(400, "invalid_parameter");
    app.get_as(&token, &format!("{CONTACTS}?limit=201"))
        .await
        .problem(400, "invalid_parameter");
    app.get_as(&token, &format!("{CONTACTS}?cursor=!!"))
        .await
        .problem(400, "invalid_parameter");
    // A cursor of the contract's pattern that names no position of this list: past the end.
    // U+0000 in a key (PostgreSQL cannot compare with it) is no server error.
    let nul = api::http::pagination::encode_cursor("2026-11-05|0\u{0}x");
    assert_eq!(
        app.get_as(&token, &format!("{CONTACTS}?cursor={nul}"))
            .await
            .status,
        200
    );
    let (_, admin) = app.token_for(Role::Admin).await;
    for path in [
        "/api/v1/users",
        "/api/v1/audit-events",
        "/api/v1/privacy/access-log",
    ] {
        let res = app
            .get_as(
                &admin,
                &format!("{path}?cursor={}", api::http::pagination::encode_cursor("\u{0}")),
            )
            .await;
        assert_eq!(res.status, 200, "{path}: {}", String::from_utf8_lossy(&res.body));
    }
    let foreign = api::http::pagination::encode_cursor("zzz");
    let page = app
        .get_as(&token, &format!("{CONTACTS}?cursor={foreign}"))
        .await
        .json();
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["next_cursor"], Value::Null);
}

async fn staff_edit_for_fourteen_days_then_coordinators_correct_with_a_reason(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff_id, staff_token) = staff(&app, OFFICE).await;
    let staff_email = {
        let pool = app.pool();
        let mut conn = pool.get().unwrap();
        persistence::accounts::users::find(&mut conn, &domain::UserId::from_stored(staff_id.clone()))
            .unwrap()
            .unwrap()
            .email
    };
    let (_, coordinator_email) = app.create_account(Role::Coordinator, false);
    let (_, admin_email) = app.create_account(Role::Admin, false);
    let res = app
        .post_json(&staff_token, CONTACTS, &contact("2026-11-10"))
        .await;
    assert_eq!(res.status, 201);
    let path = format!("/api/v1/contacts/{}", res.json()["id"].as_str().unwrap());
    let etag = res.header("etag").unwrap().to_owned();

    // Within the window: If-Match required and checked after the body.
    let res = app
        .send_json(
            app.client.patch(app.url(&path)).bearer_auth(&staff_token),
            &json!({"persons_present": 3}),
        )
        .await;
    res.problem(428, "if_match_required");
    app.patch_json(&staff_token, &path, &etag, &json!({"persons_present": 21}))
        .await
        .first_error_pointer(422, "validation_failed");
    app.patch_json(&staff_token, &path, &etag, &json!({"note": "x"}))
        .await
        .first_error_pointer(422, "validation_failed");
    app.patch_json(&staff_token, &path, "\"stale\"", &json!({"persons_present": 3}))
        .await
        .problem(412, "etag_mismatch");
    let res = app
        .patch_json(
            &staff_token,
            &path,
            &etag,
            &json!({"persons_present": 3, "topics": ["housing"], "residence_district": null}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let body = res.json();
    assert_eq!(
        (body["persons_present"].clone(), body["version"].clone()),
        (json!(3), json!(2))
    );
    assert_eq!(body["residence_district"], Value::Null);
    assert_eq!(body["occurred_on"], "2026-11-10", "fields not sent stay");
    assert_ne!(res.header("etag").unwrap(), etag);
    app.patch_json(&staff_token, &path, &etag, &json!({"persons_present": 4}))
        .await
        .problem(412, "etag_mismatch");
    // Staff cannot move a record to an office they do not work for.
    let other_office = app.office_id("eving-scharnhorst").to_string();
    app.patch_current(&staff_token, &path, &json!({"office_id": other_office}))
        .await
        .problem(403, "forbidden");

    // 2026-11-24 is the 14th day after the 10th (Berlin time): still open.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-24T22:30:00Z")
            .unwrap()
            .to_utc(),
    );
    let staff_token = app.access_token(&staff_email).await;
    let res = app
        .patch_current(&staff_token, &path, &json!({"duration": "30_to_60"}))
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    // 23:00 UTC is already the 25th in Dortmund: the 15th day.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-24T23:00:00Z")
            .unwrap()
            .to_utc(),
    );
    let staff_token = app.access_token(&staff_email).await;
    let etag = app.etag_as(&staff_token, &path).await;
    app.patch_json(&staff_token, &path, &etag, &json!({"duration": "over_60"}))
        .await
        .problem(403, "edit_window_closed");

    let coordinator = app.access_token(&coordinator_email).await;
    app.patch_json(&coordinator, &path, &etag, &json!({"duration": "over_60"}))
        .await
        .first_error_pointer(422, "validation_failed")
        .as_str()
        .map(|p| assert_eq!(p, "/correction_reason"))
        .unwrap();
    let res = app
        .patch_json(
            &coordinator,
            &path,
            &etag,
            &json!({"duration": "over_60", "correction_reason": "late_information"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let request_id = res.header("x-request-id").unwrap().to_owned();
    // Wrong office, corrected: the record moves, with its reason.
    let res = app
        .patch_current(
            &coordinator,
            &path,
            &json!({"office_id": other_office, "correction_reason": "wrong_office"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["office_id"], other_office);

    let admin = app.access_token(&admin_email).await;
    let id = path.rsplit('/').next().unwrap();
    let events = audit_events(&app, &admin, &format!("resource_type=contact&resource_id={id}")).await;
    let actions: Vec<(&str, Option<&str>)> = events
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["reason"].as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("contact.updated", Some("wrong_office")),
            ("contact.updated", Some("late_information")),
            ("contact.updated", None),
            ("contact.updated", None),
            ("contact.created", None),
        ]
    );
    let corrected = events
        .iter()
        .find(|e| e["request_id"] == request_id.as_str())
        .unwrap();
    assert_eq!(corrected["changed_fields"], json!(["duration"]));
    assert_eq!(corrected["actor_role"], "coordinator");
}

async fn concurrent_edits_with_one_etag_have_one_winner(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = staff(&app, OFFICE).await;
    let res = app.post_json(&token, CONTACTS, &contact("2026-11-16")).await;
    let path = format!("/api/v1/contacts/{}", res.json()["id"].as_str().unwrap());
    let etag = res.header("etag").unwrap().to_owned();
    let requests = (1..=20).map(|n| {
        let (app, token, path, etag) = (&app, &token, &path, &etag);
        async move {
            app.patch_json(token, path, etag, &json!({"persons_present": n % 20 + 1}))
                .await
        }
    });
    let results = futures_util::future::join_all(requests).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    for r in results.iter().filter(|r| r.status != 200) {
        r.problem(412, "etag_mismatch");
    }
    let stored = app.get_as(&token, &path).await.json();
    assert_eq!(stored["version"], 2, "exactly one change was applied");
}

async fn referrals_close_once_between_their_contact_and_today(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = staff(&app, OFFICE).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let body = with(
        contact("2026-11-12"),
        &json!({"outcome": "referred", "referrals": [
            {"target_category": "authority", "mode": "information"},
            {"target_category": "housing", "mode": "accompanied"}
        ]}),
    );
    let res = app.post_json(&token, CONTACTS, &body).await;
    assert_eq!(res.status, 201);
    let contact_path = format!("/api/v1/contacts/{}", res.json()["id"].as_str().unwrap());
    let ids: Vec<String> = res.json()["referrals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let list = |status: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            app.get_as(
                token,
                &format!("/api/v1/offices/{OFFICE}/referrals?status={status}"),
            )
            .await
            .json()["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(list("issued").await, 2);
    let close = |i: usize, body: Value| {
        let (app, token, path) = (&app, &token, format!("/api/v1/referrals/{}/close", ids[i]));
        async move { app.post_json(token, &path, &body).await }
    };
    // Not before the contact, not in the future, only known outcomes.
    close(0, json!({"outcome": "taken_up", "closed_on": "2026-11-11"}))
        .await
        .first_error_pointer(422, "validation_failed")
        .as_str()
        .map(|p| assert_eq!(p, "/closed_on"))
        .unwrap();
    close(0, json!({"outcome": "taken_up", "closed_on": "2026-11-17"}))
        .await
        .first_error_pointer(422, "validation_failed");
    close(0, json!({"outcome": "vanished"}))
        .await
        .first_error_pointer(422, "validation_failed");
    let res = close(0, json!({"outcome": "taken_up"})).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let closed = res.json();
    assert_eq!(
        (
            closed["status"].clone(),
            closed["outcome"].clone(),
            closed["closed_on"].clone()
        ),
        (json!("closed"), json!("taken_up"), json!("2026-11-16")),
        "closed today by default"
    );
    close(0, json!({"outcome": "not_taken_up"}))
        .await
        .problem(409, "referral_already_closed");
    let res = close(1, json!({"outcome": "no_capacity", "closed_on": "2026-11-12"})).await;
    assert_eq!(res.status, 200);
    assert_eq!((list("issued").await, list("closed").await), (0, 2));
    // A closed referral keeps its outcome: its contact's referrals cannot be replaced.
    let replacement = json!({"referrals": [{"target_category": "other", "mode": "information"}]});
    app.patch_current(&token, &contact_path, &replacement)
        .await
        .problem(409, "referral_already_closed");
    // Others' staff cannot close, readers cannot list.
    let (_, other) = staff(&app, "eving-scharnhorst").await;
    app.post_json(
        &other,
        &format!("/api/v1/referrals/{}/close", ids[0]),
        &json!({"outcome": "unknown"}),
    )
    .await
    .problem(403, "forbidden");
    let events = audit_events(&app, &admin, "resource_type=referral").await;
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e["action"] == "referral.closed"));
}
