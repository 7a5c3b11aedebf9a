//! The offices' network work over HTTP: network meetings (rules, scope, keyset pages,
//! concurrent corrections) and the partner network (internal and public partners,
//! cooperations), on both databases. Time comes from the test clock.

use domain::Role;
use lw_tests::{TestApp, both_backends};
use persistence::Backend;
use serde_json::{Value, json};

both_backends!(
    meetings_are_recorded_listed_and_corrected,
    meeting_rules_answer_422_and_store_nothing,
    staff_see_and_record_only_todays_offices_meetings,
    concurrent_meeting_patches_one_wins,
    field_work_leaves_the_public_directory_alone,
    internal_partners_never_reach_the_public,
    partner_fields_belong_to_partners,
    cooperations_start_and_end_once,
    staff_cooperate_for_their_own_offices,
    contact_persons_are_kept_and_every_read_is_logged,
    contact_persons_are_never_public,
    reviews_fall_due_a_year_after_the_last,
    concurrent_contact_person_patches_one_wins,
);

const MEETINGS: &str = "/api/v1/network-meetings";

/// The id of an office by slug.
async fn office_id(app: &TestApp, slug: &str) -> String {
    app.get(&format!("/api/v1/offices/{slug}")).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The id of a seeded organization by kind.
async fn organization_of_kind(app: &TestApp, kind: &str) -> String {
    app.get("/api/v1/organizations").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == kind)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn meeting(office: &str, held_on: &str) -> Value {
    json!({
        "type": "round_table", "held_on": held_on, "offices": [office], "role": "organizer",
        "districts": ["mengede", "huckarde"], "topics": ["housing", "childcare-place"],
        "title": "Runder Tisch Wohnen Huckarde",
        "participants": {"organizations": [], "volunteers": 4, "residents": 12, "newcomers": 7, "others": 1},
        "follow_up_planned": true
    })
}

/// Creates a partner organization and returns its id.
async fn partner(app: &TestApp, token: &str, name: &str, visibility: &str) -> String {
    let res = app
        .post_json(
            token,
            "/api/v1/organizations",
            &json!({"name": name, "kind": "partner", "visibility": visibility,
                    "actor_type": "migrant_organization", "staffing": "volunteer", "districts": ["huckarde"]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    res.json()["id"].as_str().unwrap().to_owned()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn meetings_are_recorded_listed_and_corrected(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let mengede = office_id(&app, "mengede-huckarde").await;
    let eving = office_id(&app, "eving-scharnhorst").await;
    let verein = partner(&app, &coordinator, "Kulturverein Huckarde", "internal").await;

    let mut body = meeting(&mengede, "2026-11-12");
    body["participants"]["organizations"] = json!([{"organization_id": verein, "persons": 3}]);
    let res = app.post_json(&coordinator, MEETINGS, &body).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let created = res.json();
    let path = format!("{MEETINGS}/{}", created["id"].as_str().unwrap());
    assert_eq!(res.header("location"), Some(path.as_str()));
    assert_eq!(created["type"], "round_table");
    assert_eq!(created["offices"], json!([mengede]));
    assert_eq!(
        created["districts"],
        json!(["huckarde", "mengede"]),
        "official order"
    );
    assert_eq!(
        created["topics"],
        json!(["housing", "childcare-place"]),
        "as given"
    );
    assert_eq!(
        created["participants"]["organizations"],
        json!([{"organization_id": verein, "name": "Kulturverein Huckarde", "persons": 3}])
    );
    assert_eq!(created["participants"]["total"], 27);
    assert_eq!(created["created_at"], "2026-11-16T09:30:00Z");
    // The read carries the same representation and ETag as the write's answer.
    let read = app.get_as(&coordinator, &path).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), created);
    assert_eq!(read.header("etag"), res.header("etag"));
    assert_eq!(read.header("cache-control"), Some("no-store"));

    // More meetings: two on one day (creation order breaks the tie), one of another office.
    let mut ids_by_age = vec![created["id"].as_str().unwrap().to_owned()];
    for (office, held_on, kind) in [
        (&mengede, "2026-10-01", "training"),
        (&eving, "2026-11-12", "working_group"),
        (&mengede, "2025-03-03", "information_event"),
    ] {
        let mut body = meeting(office, held_on);
        body["type"] = json!(kind);
        if office == &eving {
            body["districts"] = json!(["eving"]);
        }
        let res = app.post_json(&coordinator, MEETINGS, &body).await;
        assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
        ids_by_age.push(res.json()["id"].as_str().unwrap().to_owned());
    }
    // Newest first: held_on descending, then the later record first.
    let expected = vec![
        ids_by_age[2].clone(),
        ids_by_age[0].clone(),
        ids_by_age[1].clone(),
        ids_by_age[3].clone(),
    ];
    let all = app.get_as(&coordinator, MEETINGS).await.json();
    assert_eq!(ids(&all), expected);
    assert!(all["next_cursor"].is_null());
    // Keyset pages of one, following the cursor, give the same order without repeats.
    let mut paged = Vec::new();
    let mut next = format!("{MEETINGS}?limit=1");
    loop {
        let page = app.get_as(&coordinator, &next).await.json();
        paged.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => next = format!("{MEETINGS}?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged, expected);
    // Filters.
    let filtered = |query: &str| {
        let (app, coordinator) = (&app, coordinator.clone());
        let path = format!("{MEETINGS}?{query}");
        async move { ids(&app.get_as(&coordinator, &path).await.json()) }
    };
    assert_eq!(
        filtered("office=eving-scharnhorst").await,
        [ids_by_age[2].clone()]
    );
    assert_eq!(
        filtered(&format!("office={eving}")).await,
        [ids_by_age[2].clone()]
    );
    assert_eq!(filtered("district=eving").await, [ids_by_age[2].clone()]);
    assert_eq!(filtered("type=training").await, [ids_by_age[1].clone()]);
    assert_eq!(
        filtered("from=2026-10-01&to=2026-11-11").await,
        [ids_by_age[1].clone()]
    );
    assert_eq!(filtered("from=2026-11-12&to=2026-11-12").await.len(), 2);
    assert!(filtered("from=2026-11-13&to=2026-11-12").await.is_empty());
    assert!(filtered("office=no-such-office").await.is_empty());
    app.get_as(&coordinator, &format!("{MEETINGS}?type=party"))
        .await
        .problem(400, "invalid_query");
    app.get_as(&coordinator, &format!("{MEETINGS}?from=1800-01-01"))
        .await
        .problem(400, "invalid_parameter");

    // Corrections need the current ETag.
    let etag = read.header("etag").unwrap().to_owned();
    let patch = json!({"title": "Runder Tisch Wohnen Mengede", "districts": null,
                       "participants": {"volunteers": 2}, "offices": [mengede, eving]});
    app.send_json(app.client.patch(app.url(&path)).bearer_auth(&coordinator), &patch)
        .await
        .problem(428, "if_match_required");
    let res = app.patch_json(&coordinator, &path, &etag, &patch).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let updated = res.json();
    assert_eq!(updated["title"], "Runder Tisch Wohnen Mengede");
    assert_eq!(updated["districts"], json!([]));
    assert_eq!(updated["participants"]["total"], 2, "participants are replaced");
    assert_eq!(updated["type"], "round_table", "absent fields stay");
    let mut offices = vec![mengede.clone(), eving.clone()];
    offices.sort();
    assert_eq!(updated["offices"], json!(offices));
    app.patch_json(&coordinator, &path, &etag, &json!({"title": "Noch einmal"}))
        .await
        .problem(412, "etag_mismatch");
    // The meeting now also counts for Eving.
    assert_eq!(filtered("office=eving-scharnhorst").await.len(), 2);

    let audit = app
        .get_as(
            &app.token_for(Role::Admin).await.1,
            "/api/v1/audit-events?resource_type=network_meeting",
        )
        .await
        .json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "network_meeting.created")
            .count(),
        4
    );
    assert_eq!(actions[0], "network_meeting.updated");
    assert_eq!(
        audit["items"][0]["changed_fields"],
        json!(["offices", "districts", "title", "participants"])
    );
}

async fn meeting_rules_answer_422_and_store_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let mengede = office_id(&app, "mengede-huckarde").await;
    let post = |body: Value| {
        let (app, coordinator) = (&app, coordinator.clone());
        async move { app.post_json(&coordinator, MEETINGS, &body).await }
    };
    let with = |pointer: &str, value: Value| {
        let mut body = meeting(&mengede, "2026-11-12");
        *body.pointer_mut(pointer).unwrap() = value;
        body
    };
    let pointer_of = |res: lw_tests::Response| res.first_error_pointer(422, "validation_failed");

    // Tomorrow by the server's clock is in the future.
    assert_eq!(
        pointer_of(post(with("/held_on", json!("2026-11-17"))).await),
        "/held_on"
    );
    assert_eq!(
        pointer_of(post(with("/topics", json!(["housing", "astrology"]))).await),
        "/topics/1"
    );
    assert_eq!(
        pointer_of(post(with("/offices", json!([uuid::Uuid::now_v7()]))).await),
        "/offices/0"
    );
    assert_eq!(
        pointer_of(post(with("/offices", json!(["not-a-uuid"]))).await),
        "/offices/0"
    );
    assert_eq!(
        pointer_of(post(with("/offices", json!([mengede, mengede]))).await),
        "/offices/1"
    );
    assert_eq!(pointer_of(post(with("/offices", json!([]))).await), "/offices");
    assert_eq!(
        pointer_of(post(with("/districts", json!([]))).await),
        "/districts"
    );
    assert_eq!(pointer_of(post(with("/title", json!("   "))).await), "/title");
    assert_eq!(
        pointer_of(post(with("/title", json!("x".repeat(201)))).await),
        "/title"
    );
    assert_eq!(
        pointer_of(post(with("/participants/residents", json!(10_001))).await),
        "/participants/residents"
    );
    let missing = json!([{"organization_id": uuid::Uuid::now_v7(), "persons": 2}]);
    assert_eq!(
        pointer_of(post(with("/participants/organizations", missing)).await),
        "/participants/organizations/0/organization_id"
    );
    // Everything wrong at once is reported at once.
    let mut bad = with("/held_on", json!("2027-01-01"));
    bad["topics"] = json!(["astrology"]);
    bad["participants"]["others"] = json!(20_000);
    let problem = post(bad).await.problem(422, "validation_failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/held_on", "/participants/others", "/topics/0"]);
    // Like every field-work record, a meeting refuses what it would not store: an unknown
    // type, a negative count, a field that is not one (such as names) are 422 at their
    // pointer; a value of the wrong JSON type is a malformed body (400).
    assert_eq!(pointer_of(post(with("/type", json!("party"))).await), "/type");
    assert_eq!(
        pointer_of(post(with("/participants/volunteers", json!(-1))).await),
        "/participants/volunteers"
    );
    let mut named = meeting(&mengede, "2026-11-12");
    named["participants"]["names"] = json!(["Frau A."]);
    assert_eq!(pointer_of(post(named).await), "/participants/names");
    let res = post(with("/participants/volunteers", json!("viele"))).await;
    assert_eq!(
        res.first_error_pointer(400, "invalid_body"),
        "/participants/volunteers"
    );
    // A count written as 12.0 is the integer 12 (as JSON Schema reads it).
    let res = post(with("/participants/volunteers", json!(12.0))).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let twelve = format!("{MEETINGS}/{}", res.json()["id"].as_str().unwrap());
    assert_eq!(
        app.get_as(&coordinator, &twelve).await.json()["participants"]["volunteers"],
        12
    );
    let etag = res.header("etag").unwrap().to_owned();
    assert_eq!(
        app.send(
            app.client
                .delete(app.url(&twelve))
                .bearer_auth(&coordinator)
                .insert_header(("if-match", etag))
        )
        .await
        .status,
        405,
        "meetings are corrected, not deleted"
    );

    // Nothing else was stored.
    let list = app.get_as(&coordinator, MEETINGS).await.json();
    assert_eq!(ids(&list), [twelve.rsplit('/').next().unwrap()]);

    // The next day, the meeting of the 17th is no longer in the future.
    app.clock.advance(chrono::Duration::days(1));
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let res = app
        .post_json(&coordinator, MEETINGS, &with("/held_on", json!("2026-11-17")))
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    // A correction is checked like a new meeting, at the same pointers.
    let path = format!("{MEETINGS}/{}", res.json()["id"].as_str().unwrap());
    let etag = res.header("etag").unwrap().to_owned();
    let res = app
        .patch_json(
            &coordinator,
            &path,
            &etag,
            &json!({"held_on": "2026-11-18", "topics": ["astrology"]}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(res["errors"][0]["pointer"], "/held_on");
    assert_eq!(res["errors"][1]["pointer"], "/topics/0");
    let unchanged = app.get_as(&coordinator, &path).await;
    assert_eq!(unchanged.header("etag"), Some(etag.as_str()));
}

async fn staff_see_and_record_only_todays_offices_meetings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let mengede = office_id(&app, "mengede-huckarde").await;
    let eving = office_id(&app, "eving-scharnhorst").await;
    let (own_id, own_email) = app.create_account(Role::Staff, false);
    // Assigned until the 20th: from the 20th on, the assignment gives nothing.
    app.assign_between(
        &own_id,
        "mengede-huckarde",
        "city",
        (2022, 1, 1),
        Some((2026, 11, 20)),
    );
    let (former_id, former_email) = app.create_account(Role::Staff, false);
    app.assign_between(
        &former_id,
        "mengede-huckarde",
        "city",
        (2020, 1, 1),
        Some((2021, 1, 1)),
    );
    let staff = app.access_token(&own_email).await;
    let former = app.access_token(&former_email).await;
    let (_, reader) = app.token_for(Role::Reader).await;

    // Staff record meetings of their office, also together with another office.
    let res = app
        .post_json(&staff, MEETINGS, &meeting(&mengede, "2026-11-10"))
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let own = res.json()["id"].as_str().unwrap().to_owned();
    let mut shared = meeting(&eving, "2026-11-11");
    shared["offices"] = json!([eving, mengede]);
    let res = app.post_json(&staff, MEETINGS, &shared).await;
    assert_eq!(res.status, 201);
    let shared_id = res.json()["id"].as_str().unwrap().to_owned();
    // ... but not for another office alone.
    app.post_json(&staff, MEETINGS, &meeting(&eving, "2026-11-10"))
        .await
        .problem(403, "forbidden");
    let res = app
        .post_json(&coordinator, MEETINGS, &meeting(&eving, "2026-11-09"))
        .await;
    let other = res.json()["id"].as_str().unwrap().to_owned();

    // Staff list only their offices' meetings, whatever the filter asks for.
    let list = app.get_as(&staff, MEETINGS).await.json();
    assert_eq!(ids(&list), [shared_id.clone(), own.clone()]);
    let list = app
        .get_as(&staff, &format!("{MEETINGS}?office=eving-scharnhorst"))
        .await
        .json();
    assert_eq!(ids(&list), std::slice::from_ref(&shared_id));
    assert_eq!(ids(&app.get_as(&coordinator, MEETINGS).await.json()).len(), 3);
    app.get_as(&staff, &format!("{MEETINGS}/{other}"))
        .await
        .problem(403, "forbidden");
    assert_eq!(
        app.get_as(&staff, &format!("{MEETINGS}/{shared_id}"))
            .await
            .status,
        200
    );
    // A correction must keep one of the staff member's offices.
    let path = format!("{MEETINGS}/{shared_id}");
    let etag = app.etag_as(&staff, &path).await;
    app.patch_json(&staff, &path, &etag, &json!({"offices": [eving]}))
        .await
        .problem(403, "forbidden");
    let res = app
        .patch_json(&staff, &path, &etag, &json!({"role": "participant"}))
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let other_path = format!("{MEETINGS}/{other}");
    let etag = app.etag_as(&coordinator, &other_path).await;
    app.patch_json(&staff, &other_path, &etag, &json!({"role": "participant"}))
        .await
        .problem(403, "forbidden");

    // A former assignment, readers, integration tokens and anonymous callers: nothing.
    for token in [&former, &reader] {
        app.get_as(token, MEETINGS).await.problem(403, "forbidden");
        app.get_as(token, &format!("{MEETINGS}/{own}"))
            .await
            .problem(403, "forbidden");
        app.post_json(token, MEETINGS, &meeting(&mengede, "2026-11-10"))
            .await
            .problem(403, "forbidden");
    }
    app.get(MEETINGS).await.problem(401, "unauthenticated");
    app.get(&format!("{MEETINGS}/{own}"))
        .await
        .problem(401, "unauthenticated");

    // When the assignment ends, so does access (sign in again: tokens live 15 minutes).
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-20T08:00:00Z")
            .unwrap()
            .to_utc(),
    );
    let staff = app.access_token(&own_email).await;
    app.get_as(&staff, MEETINGS).await.problem(403, "forbidden");
    app.get_as(&staff, &format!("{MEETINGS}/{own}"))
        .await
        .problem(403, "forbidden");
}

async fn concurrent_meeting_patches_one_wins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let mengede = office_id(&app, "mengede-huckarde").await;
    let res = app
        .post_json(&coordinator, MEETINGS, &meeting(&mengede, "2026-11-12"))
        .await;
    let path = format!("{MEETINGS}/{}", res.json()["id"].as_str().unwrap());
    let etag = res.header("etag").unwrap().to_owned();
    let requests = (0..20).map(|i| {
        let (app, coordinator, path, etag) = (&app, &coordinator, &path, &etag);
        async move {
            app.patch_json(
                coordinator,
                path,
                etag,
                &json!({"title": format!("Runder Tisch {i}")}),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(requests).await;
    let won: Vec<_> = results.iter().filter(|r| r.status == 200).collect();
    assert_eq!(
        won.len(),
        1,
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in results.iter().filter(|r| r.status != 200) {
        r.problem(412, "etag_mismatch");
    }
    let stored = app.get_as(&coordinator, &path).await.json();
    assert_eq!(stored["title"], won[0].json()["title"]);
}

/// The directory version as stored (what every instance's watcher polls).
fn directory_version(app: &TestApp) -> i64 {
    let pool = app.pool();
    let mut conn = pool.get().unwrap();
    persistence::change_feed::version(&mut conn).unwrap()
}

async fn field_work_leaves_the_public_directory_alone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let mengede = office_id(&app, "mengede-huckarde").await;
    let before = directory_version(&app);
    let public_etag = app.etag("/api/v1/organizations").await;

    // Meetings, internal partners and cooperations are not public data.
    let res = app
        .post_json(&coordinator, MEETINGS, &meeting(&mengede, "2026-11-12"))
        .await;
    let path = format!("{MEETINGS}/{}", res.json()["id"].as_str().unwrap());
    app.patch_json(
        &coordinator,
        &path,
        res.header("etag").unwrap(),
        &json!({"title": "Neu"}),
    )
    .await;
    let internal = partner(&app, &coordinator, "Nachbarschaftsinitiative Rahm", "internal").await;
    let org_path = format!("/api/v1/organizations/{internal}");
    let etag = app.etag_as(&coordinator, &org_path).await;
    let res = app
        .patch_json(&coordinator, &org_path, &etag, &json!({"staffing": "mixed"}))
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let res = app
        .post_json(
            &coordinator,
            &format!("{org_path}/cooperations"),
            &json!({"office_id": mengede, "kind": "joint_events", "started_on": "2026-01-01"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(directory_version(&app), before, "no bump");
    assert_eq!(app.etag("/api/v1/organizations").await, public_etag);

    // Publishing the partner changes the public directory.
    let etag = app.etag_as(&coordinator, &org_path).await;
    let res = app
        .patch_json(&coordinator, &org_path, &etag, &json!({"visibility": "public"}))
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(directory_version(&app), before + 1);
    assert_ne!(app.etag("/api/v1/organizations").await, public_etag);
    // And every change to a public partner does, too.
    let etag = res.header("etag").unwrap().to_owned();
    app.patch_json(
        &coordinator,
        &org_path,
        &etag,
        &json!({"actor_type": "association"}),
    )
    .await;
    assert_eq!(directory_version(&app), before + 2);
}

async fn internal_partners_never_reach_the_public(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let (_, reader) = app.token_for(Role::Reader).await;
    let (staff_id, staff_email) = app.create_account(Role::Staff, false);
    app.assign(&staff_id, "mengede-huckarde");
    let staff = app.access_token(&staff_email).await;
    let (former_id, former_email) = app.create_account(Role::Staff, false);
    app.assign_between(
        &former_id,
        "mengede-huckarde",
        "city",
        (2020, 1, 1),
        Some((2021, 1, 1)),
    );
    let former = app.access_token(&former_email).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let expires = (app.clock.now() + chrono::Duration::days(3)).to_rfc3339();
    let integration = app
        .post_json(
            &admin,
            "/api/v1/api-tokens",
            &json!({"name": "portal", "expires_at": expires}),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let anonymous_before = app.get("/api/v1/organizations").await;
    let hsds_before = app.get("/hsds/organizations").await;
    // A partner is internal unless published.
    let res = app
        .post_json(
            &coordinator,
            "/api/v1/organizations",
            &json!({"name": "Frauencafé Huckarde", "kind": "partner"}),
        )
        .await;
    assert_eq!(res.status, 201);
    assert_eq!(res.json()["visibility"], "internal");
    let id = res.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/organizations/{id}");
    let listed = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == id.as_str())
    };
    let hsds_listed = |page: &Value| {
        page["contents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == id.as_str())
    };

    // The public list, its cached first page and ETag, and HSDS are exactly as before.
    let anonymous = app.get("/api/v1/organizations").await;
    assert_eq!(anonymous.body, anonymous_before.body);
    assert_eq!(anonymous.header("etag"), anonymous_before.header("etag"));
    let not_modified = app
        .send(
            app.client
                .get(app.url("/api/v1/organizations"))
                .insert_header(("if-none-match", anonymous_before.header("etag").unwrap())),
        )
        .await;
    assert_eq!(not_modified.status, 304);
    assert_eq!(app.get("/hsds/organizations").await.body, hsds_before.body);
    app.get(&path).await.problem(404, "not_found");
    assert!(!listed(&app.get("/api/v1/organizations?limit=200").await.json()));
    for token in [&reader, &integration, &former] {
        assert!(!listed(&app.get_as(token, "/api/v1/organizations").await.json()));
        assert!(!listed(
            &app.get_as(token, "/api/v1/organizations?limit=1&cursor=azE6")
                .await
                .json()
        ));
        app.get_as(token, &path).await.problem(404, "not_found");
    }
    // Staff with an office today, coordinators and admins see it.
    for token in [&staff, &coordinator, &admin] {
        assert!(listed(&app.get_as(token, "/api/v1/organizations").await.json()));
        let one = app.get_as(token, &path).await;
        assert_eq!(one.status, 200);
        assert_eq!(one.header("cache-control"), Some("no-store"));
    }
    // The full list pages by id like the public one.
    let mut seen = Vec::new();
    let mut next = "/api/v1/organizations?limit=2".to_owned();
    loop {
        let page = app.get_as(&staff, &next).await.json();
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("/api/v1/organizations?limit=2&cursor={c}"),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted);
    assert!(seen.contains(&id));

    // Published, it appears everywhere public; hidden again, it is gone again.
    let etag = app.etag_as(&coordinator, &path).await;
    let res = app
        .patch_json(&coordinator, &path, &etag, &json!({"visibility": "public"}))
        .await;
    assert_eq!(res.status, 200);
    assert!(listed(&app.get("/api/v1/organizations").await.json()));
    assert!(hsds_listed(&app.get("/hsds/organizations").await.json()));
    assert!(listed(&app.get_as(&reader, "/api/v1/organizations").await.json()));
    let public = app.get(&path).await;
    assert_eq!(public.status, 200);
    // Anonymous and signed-in readers get the same representation (and ETag).
    assert_eq!(
        app.get_as(&coordinator, &path).await.header("etag"),
        public.header("etag")
    );
    let res = app
        .patch_json(
            &coordinator,
            &path,
            public.header("etag").unwrap(),
            &json!({"visibility": "internal"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert!(!listed(&app.get("/api/v1/organizations").await.json()));
    assert!(!hsds_listed(&app.get("/hsds/organizations").await.json()));
    assert_eq!(app.get("/api/v1/organizations").await.body, anonymous_before.body);
    app.get(&path).await.problem(404, "not_found");
    // An internal partner cannot host an office's premises (it would be shown there).
    let res = app
        .post_json(
            &coordinator,
            "/api/v1/offices/mengede-huckarde/relocations",
            &json!({"moved_on": "2026-12-01", "address": {"street": "Bürenstraße 1", "postal_code": "44369",
                    "city": "Dortmund", "district": "huckarde"}, "host_organization_id": id}),
        )
        .await;
    assert_eq!(
        res.first_error_pointer(422, "validation_failed"),
        "/host_organization_id"
    );
    // The seeded parish hosted Mengede/Huckarde: made internal, it leaves the office's
    // public history (which stays served), and comes back when published again.
    let noah = app.get("/api/v1/organizations").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "Ev. Noah-Kirchengemeinde Dortmund")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hosts = |locations: &Value| -> Vec<Value> {
        locations["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["host_organization"]["id"].clone())
            .collect()
    };
    const LOCATIONS: &str = "/api/v1/offices/mengede-huckarde/locations";
    assert!(hosts(&app.get(LOCATIONS).await.json()).contains(&json!(noah)));
    let noah_path = format!("/api/v1/organizations/{noah}");
    let etag = app.etag(&noah_path).await;
    let res = app
        .patch_json(
            &coordinator,
            &noah_path,
            &etag,
            &json!({"visibility": "internal"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let locations = app.get(LOCATIONS).await;
    assert_eq!(locations.status, 200);
    assert!(!String::from_utf8_lossy(&locations.body).contains(&noah));
    assert_eq!(app.get("/api/v1/offices/mengede-huckarde").await.status, 200);
    assert!(!String::from_utf8_lossy(&app.get("/hsds/organizations").await.body).contains(&noah));
    let etag = app.etag_as(&coordinator, &noah_path).await;
    app.patch_json(&coordinator, &noah_path, &etag, &json!({"visibility": "public"}))
        .await;
    assert!(hosts(&app.get(LOCATIONS).await.json()).contains(&json!(noah)));
}

async fn partner_fields_belong_to_partners(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let post = |body: Value| {
        let (app, coordinator) = (&app, coordinator.clone());
        async move { app.post_json(&coordinator, "/api/v1/organizations", &body).await }
    };
    let problem = post(json!({"name": "Neuer Träger", "kind": "welfare_provider",
                              "visibility": "public", "districts": ["eving"], "staffing": "mixed"}))
    .await
    .problem(422, "validation_failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/staffing", "/districts", "/visibility"]);
    let res = post(json!({"name": "Verein A", "kind": "partner", "districts": []})).await;
    assert_eq!(res.first_error_pointer(422, "validation_failed"), "/districts");
    let res = post(json!({"name": "Verein A", "kind": "partner", "districts": ["eving", "eving"]})).await;
    assert_eq!(res.first_error_pointer(422, "validation_failed"), "/districts/1");
    let res = post(json!({"name": "Verein A", "kind": "partner", "actor_type": "club"})).await;
    assert_eq!(res.first_error_pointer(400, "invalid_body"), "/actor_type");

    let res = post(json!({"name": "Moscheegemeinde Eving", "kind": "partner", "actor_type": "religious_community",
                          "staffing": "volunteer", "districts": ["scharnhorst", "eving"], "visibility": "public"}))
    .await;
    assert_eq!(res.status, 201);
    let org = res.json();
    assert_eq!(org["districts"], json!(["eving", "scharnhorst"]));
    assert_eq!(org["actor_type"], "religious_community");
    let path = format!("/api/v1/organizations/{}", org["id"].as_str().unwrap());
    // Clearing with null, replacing the districts.
    let res = app
        .patch_json(
            &coordinator,
            &path,
            res.header("etag").unwrap(),
            &json!({"staffing": null, "districts": ["brackel"]}),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(res.json()["staffing"].is_null());
    assert_eq!(res.json()["districts"], json!(["brackel"]));
    // A welfare provider has no partner fields; the city neither.
    let city = organization_of_kind(&app, "municipality").await;
    let city_path = format!("/api/v1/organizations/{city}");
    let city_view = app.get(&city_path).await.json();
    assert_eq!(city_view["visibility"], "public");
    assert!(city_view["actor_type"].is_null());
    let etag = app.etag(&city_path).await;
    let res = app
        .patch_json(
            &coordinator,
            &city_path,
            &etag,
            &json!({"visibility": "internal"}),
        )
        .await;
    assert_eq!(res.first_error_pointer(422, "validation_failed"), "/visibility");

    // Leaving the partners drops the partner fields, unless cooperations depend on them.
    let etag = app.etag(&path).await;
    let res = app
        .patch_json(&coordinator, &path, &etag, &json!({"kind": "welfare_provider"}))
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let provider = res.json();
    assert!(provider["actor_type"].is_null());
    assert_eq!(provider["districts"], json!([]));
    assert_eq!(provider["visibility"], "public");
    let etag = res.header("etag").unwrap().to_owned();
    let res = app
        .patch_json(
            &coordinator,
            &path,
            &etag,
            &json!({"kind": "partner", "visibility": "internal"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let mengede = office_id(&app, "mengede-huckarde").await;
    let res = app
        .post_json(
            &coordinator,
            &format!("{path}/cooperations"),
            &json!({"office_id": mengede, "kind": "referral_partner", "started_on": "2025-05-01"}),
        )
        .await;
    assert_eq!(res.status, 201);
    let etag = app.etag_as(&coordinator, &path).await;
    app.patch_json(&coordinator, &path, &etag, &json!({"kind": "welfare_provider"}))
        .await
        .problem(409, "organization_in_use");
}

async fn cooperations_start_and_end_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let mengede = office_id(&app, "mengede-huckarde").await;
    let verein = partner(&app, &coordinator, "Kulturverein Mengede", "public").await;
    let path = format!("/api/v1/organizations/{verein}/cooperations");
    let start =
        |kind: &str, started_on: &str| json!({"office_id": mengede, "kind": kind, "started_on": started_on});

    let res = app
        .post_json(&coordinator, &path, &start("referral_partner", "2025-01-01"))
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let cooperation = res.json();
    assert_eq!(cooperation["is_active"], true);
    assert!(cooperation["ended_on"].is_null());
    let id = cooperation["id"].as_str().unwrap().to_owned();
    // One running cooperation of a kind per partner and office.
    app.post_json(&coordinator, &path, &start("referral_partner", "2026-01-01"))
        .await
        .problem(409, "cooperation_exists");
    let res = app
        .post_json(&coordinator, &path, &start("premises", "2026-01-01"))
        .await;
    assert_eq!(res.status, 201);
    // Only partners cooperate; the office must exist; the path must name an organization.
    let provider = organization_of_kind(&app, "welfare_provider").await;
    app.post_json(
        &coordinator,
        &format!("/api/v1/organizations/{provider}/cooperations"),
        &start("premises", "2026-01-01"),
    )
    .await
    .problem(409, "not_a_partner");
    let mut unknown = start("premises", "2026-01-01");
    unknown["office_id"] = json!(uuid::Uuid::now_v7());
    assert_eq!(
        app.post_json(&coordinator, &path, &unknown)
            .await
            .first_error_pointer(422, "validation_failed"),
        "/office_id"
    );
    app.post_json(
        &coordinator,
        &format!("/api/v1/organizations/{}/cooperations", uuid::Uuid::now_v7()),
        &start("premises", "2026-01-01"),
    )
    .await
    .problem(404, "not_found");

    let list = app.get_as(&coordinator, &path).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["items"][0]["id"], id.as_str());

    // Ending: after the start, once.
    let end = format!("{path}/{id}/end");
    let res = app
        .post_json(&coordinator, &end, &json!({"ended_on": "2025-01-01"}))
        .await;
    res.problem(422, "end_not_after_start");
    let requests = (0..10).map(|_| {
        let (app, coordinator, end) = (&app, &coordinator, &end);
        async move {
            app.post_json(coordinator, end, &json!({"ended_on": "2026-11-16"}))
                .await
        }
    });
    let results = futures_util::future::join_all(requests).await;
    assert_eq!(results.iter().filter(|r| r.status == 200).count(), 1);
    for r in results.iter().filter(|r| r.status != 200) {
        r.problem(409, "cooperation_already_ended");
    }
    let ended = &results.iter().find(|r| r.status == 200).unwrap().json();
    assert_eq!(ended["ended_on"], "2026-11-16");
    assert_eq!(
        ended["is_active"], false,
        "the end day is the first day without it"
    );
    // With the old one ended, the kind can start again.
    let res = app
        .post_json(&coordinator, &path, &start("referral_partner", "2026-11-16"))
        .await;
    assert_eq!(res.status, 201);
    app.post_json(
        &coordinator,
        &format!("{path}/{}/end", uuid::Uuid::now_v7()),
        &json!({"ended_on": "2026-11-16"}),
    )
    .await
    .problem(404, "not_found");

    let audit = app
        .get_as(
            &app.token_for(Role::Admin).await.1,
            "/api/v1/audit-events?resource_type=cooperation",
        )
        .await
        .json();
    assert_eq!(audit["items"][0]["action"], "cooperation.started");
    assert_eq!(audit["items"][1]["action"], "cooperation.ended");
    assert_eq!(audit["items"][0]["office_id"], mengede.as_str());
}

async fn staff_cooperate_for_their_own_offices(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let mengede = office_id(&app, "mengede-huckarde").await;
    let eving = office_id(&app, "eving-scharnhorst").await;
    let (staff_id, staff_email) = app.create_account(Role::Staff, false);
    app.assign(&staff_id, "mengede-huckarde");
    let staff = app.access_token(&staff_email).await;
    let (_, reader) = app.token_for(Role::Reader).await;
    let verein = partner(&app, &coordinator, "Elternverein Huckarde", "internal").await;
    let path = format!("/api/v1/organizations/{verein}/cooperations");
    let start =
        |office: &str| json!({"office_id": office, "kind": "joint_events", "started_on": "2026-02-01"});

    let res = app.post_json(&staff, &path, &start(&mengede)).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    app.post_json(&staff, &path, &start(&eving))
        .await
        .problem(403, "forbidden");
    let other = app.post_json(&coordinator, &path, &start(&eving)).await.json();
    // Staff read the whole partner network (internal partners included), but end only
    // their own offices' cooperations.
    assert_eq!(
        app.get_as(&staff, &path).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.post_json(
        &staff,
        &format!("{path}/{}/end", other["id"].as_str().unwrap()),
        &json!({"ended_on": "2026-11-16"}),
    )
    .await
    .problem(403, "forbidden");
    app.get_as(&reader, &path).await.problem(403, "forbidden");
    app.get(&path).await.problem(401, "unauthenticated");
}

/// The personal-data access log entries for contact persons, oldest first, as
/// `(record_id, purpose, actor_id)`.
async fn contact_person_reads(app: &TestApp) -> Vec<(String, String, String)> {
    let (_, admin) = app.token_for(Role::Admin).await;
    let log = app
        .get_as(
            &admin,
            "/api/v1/privacy/access-log?record_type=contact_person&limit=200",
        )
        .await
        .json();
    let mut entries: Vec<(String, String, String)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["record_id"].as_str().unwrap().to_owned(),
                e["purpose"].as_str().unwrap().to_owned(),
                e["actor_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    entries.reverse();
    entries
}

async fn contact_persons_are_kept_and_every_read_is_logged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (coordinator_id, coordinator) = app.token_for(Role::Coordinator).await;
    let (staff_id, staff_email) = app.create_account(Role::Staff, false);
    app.assign(&staff_id, "eving-scharnhorst");
    let staff = app.access_token(&staff_email).await;
    let verein = partner(&app, &coordinator, "Bildungsverein Scharnhorst", "internal").await;
    let path = format!("/api/v1/organizations/{verein}/contact-persons");

    let res = app
        .post_json(
            &staff,
            &path,
            &json!({"name": "Ayşe  Yılmaz", "function": "Vorsitzende", "email": "ayse@verein.example",
                    "phone": "0231 123456", "language": "tr", "last_reviewed_on": "2026-03-01"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let person = res.json();
    let person_id = person["id"].as_str().unwrap().to_owned();
    let person_path = format!("{path}/{person_id}");
    assert_eq!(res.header("location"), Some(person_path.as_str()));
    assert_eq!(person["name"], "Ayşe Yılmaz", "stored normalized");
    assert_eq!(person["review_due"], "2027-03-01");
    assert_eq!(person["language"], "tr");
    // Without a review day, the person was checked today.
    let res = app
        .post_json(&coordinator, &path, &json!({"name": "Jonas Becker"}))
        .await;
    assert_eq!(res.status, 201);
    assert_eq!(res.json()["last_reviewed_on"], "2026-11-16");
    assert_eq!(res.json()["review_due"], "2027-11-16");
    let second = res.json()["id"].as_str().unwrap().to_owned();
    // Adding a person is not a read of one.
    assert!(contact_person_reads(&app).await.is_empty());

    // Every list and read is logged: one entry per person shown.
    let list = app.get_as(&staff, &path).await.json();
    assert_eq!(ids(&list), [person_id.clone(), second.clone()]);
    let page = app.get_as(&coordinator, &format!("{path}?limit=1")).await.json();
    assert_eq!(ids(&page), std::slice::from_ref(&person_id));
    let read = app.get_as(&coordinator, &person_path).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), person);
    assert_eq!(read.header("cache-control"), Some("no-store"));
    let expected = vec![
        (person_id.clone(), "list".to_owned(), staff_id.clone()),
        (second.clone(), "list".to_owned(), staff_id.clone()),
        (person_id.clone(), "list".to_owned(), coordinator_id.clone()),
        (person_id.clone(), "read".to_owned(), coordinator_id.clone()),
    ];
    assert_eq!(contact_person_reads(&app).await, expected);

    // Corrections: If-Match, rules at their pointers, `null` clears.
    let etag = read.header("etag").unwrap().to_owned();
    app.send_json(
        app.client.patch(app.url(&person_path)).bearer_auth(&staff),
        &json!({"phone": null}),
    )
    .await
    .problem(428, "if_match_required");
    for (body, pointer) in [
        (json!({"name": "  "}), "/name"),
        (json!({"email": "keine-adresse"}), "/email"),
        (json!({"phone": "call me"}), "/phone"),
        (json!({"language": "xx"}), "/language"),
        (json!({"last_reviewed_on": "2026-11-17"}), "/last_reviewed_on"),
        (json!({"birthday": "1970-01-01"}), "/birthday"),
    ] {
        let res = app.patch_json(&staff, &person_path, &etag, &body).await;
        assert_eq!(
            res.first_error_pointer(422, "validation_failed"),
            pointer,
            "{body}"
        );
    }
    let res = app
        .patch_json(
            &staff,
            &person_path,
            &etag,
            &json!({"phone": null, "function": "Kassenwartin"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let updated = res.json();
    assert!(updated["phone"].is_null());
    assert_eq!(updated["function"], "Kassenwartin");
    assert_eq!(updated["email"], "ayse@verein.example", "absent fields stay");
    assert_eq!(updated["review_due"], "2027-03-01", "no review recorded");
    app.patch_json(&staff, &person_path, &etag, &json!({"function": "x"}))
        .await
        .problem(412, "etag_mismatch");
    // The answer shows the person: logged as a read.
    let reads = contact_person_reads(&app).await;
    assert_eq!(
        reads.last(),
        Some(&(person_id.clone(), "read".to_owned(), staff_id.clone()))
    );
    assert_eq!(reads.len(), 5, "refused and stale corrections showed nothing");

    // Audit events name fields, never values.
    let (_, admin) = app.token_for(Role::Admin).await;
    let audit = app
        .get_as(&admin, "/api/v1/audit-events?resource_type=contact_person")
        .await;
    let text = String::from_utf8_lossy(&audit.body).into_owned();
    assert!(!text.contains("Kassenwartin") && !text.contains("ayse@"));
    assert_eq!(
        audit.json()["items"][0]["changed_fields"],
        json!(["function", "phone"])
    );

    // Only partners have contact persons; unknown ids are 404.
    let provider = organization_of_kind(&app, "welfare_provider").await;
    app.post_json(
        &coordinator,
        &format!("/api/v1/organizations/{provider}/contact-persons"),
        &json!({"name": "Jemand"}),
    )
    .await
    .problem(409, "not_a_partner");
    app.get_as(
        &coordinator,
        &format!("/api/v1/organizations/{}/contact-persons", uuid::Uuid::now_v7()),
    )
    .await
    .problem(404, "not_found");
    app.get_as(&coordinator, &format!("{path}/{}", uuid::Uuid::now_v7()))
        .await
        .problem(404, "not_found");
    // A partner with contact persons stays a partner.
    let org_path = format!("/api/v1/organizations/{verein}");
    let etag = app.etag_as(&coordinator, &org_path).await;
    app.patch_json(
        &coordinator,
        &org_path,
        &etag,
        &json!({"kind": "welfare_provider"}),
    )
    .await
    .problem(409, "organization_in_use");
}

async fn contact_persons_are_never_public(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let (_, reader) = app.token_for(Role::Reader).await;
    let (former_id, former_email) = app.create_account(Role::Staff, false);
    app.assign_between(
        &former_id,
        "mengede-huckarde",
        "city",
        (2020, 1, 1),
        Some((2021, 1, 1)),
    );
    let former = app.access_token(&former_email).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let expires = (app.clock.now() + chrono::Duration::days(3)).to_rfc3339();
    let integration = app
        .post_json(
            &admin,
            "/api/v1/api-tokens",
            &json!({"name": "portal", "expires_at": expires}),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Even the contact person of a public partner.
    let verein = partner(&app, &coordinator, "Sportverein Eving", "public").await;
    let path = format!("/api/v1/organizations/{verein}/contact-persons");
    let res = app
        .post_json(
            &coordinator,
            &path,
            &json!({"name": "Erika Mustermann", "email": "erika@sport.example"}),
        )
        .await;
    assert_eq!(res.status, 201);
    let person_path = format!("{path}/{}", res.json()["id"].as_str().unwrap());

    app.get(&path).await.problem(401, "unauthenticated");
    app.get(&person_path).await.problem(401, "unauthenticated");
    app.get("/api/v1/contact-persons/review-due")
        .await
        .problem(401, "unauthenticated");
    for token in [&reader, &integration, &former] {
        app.get_as(token, &path).await.problem(403, "forbidden");
        app.get_as(token, &person_path).await.problem(403, "forbidden");
        app.post_json(token, &path, &json!({"name": "X"}))
            .await
            .problem(403, "forbidden");
    }
    // No public or directory answer names the person.
    for public in [
        format!("/api/v1/organizations/{verein}"),
        "/api/v1/organizations?limit=200".to_owned(),
        "/hsds/organizations?per_page=100".to_owned(),
        "/hsds".to_owned(),
    ] {
        let res = app.get(&public).await;
        assert_eq!(res.status, 200, "{public}");
        let text = String::from_utf8_lossy(&res.body);
        assert!(
            !text.contains("Mustermann") && !text.contains("erika@"),
            "{public} shows the contact person"
        );
    }
    // Refused callers read nothing, so nothing was logged.
    assert!(contact_person_reads(&app).await.is_empty());
}

async fn reviews_fall_due_a_year_after_the_last(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let (staff_id, staff_email) = app.create_account(Role::Staff, false);
    app.assign(&staff_id, "mengede-huckarde");
    let staff = app.access_token(&staff_email).await;
    let verein = partner(&app, &coordinator, "Nachbarschaftsverein Nette", "internal").await;
    let path = format!("/api/v1/organizations/{verein}/contact-persons");
    let mut people = Vec::new();
    for (name, reviewed) in [
        ("Anna A.", "2025-11-16"),
        ("Bernd B.", "2025-11-17"),
        ("Cem C.", "2025-06-01"),
        ("Dana D.", "2026-01-10"),
    ] {
        let res = app
            .post_json(
                &coordinator,
                &path,
                &json!({"name": name, "last_reviewed_on": reviewed}),
            )
            .await;
        assert_eq!(res.status, 201);
        people.push(res.json()["id"].as_str().unwrap().to_owned());
    }
    const DUE: &str = "/api/v1/contact-persons/review-due";
    // Today is 2026-11-16: Cem's review is overdue, Anna's falls due today.
    let due = app.get_as(&coordinator, DUE).await.json();
    assert_eq!(ids(&due), [people[2].clone(), people[0].clone()]);
    app.get_as(&staff, DUE).await.problem(403, "forbidden");
    // Pages follow the order.
    let first = app.get_as(&coordinator, &format!("{DUE}?limit=1")).await.json();
    assert_eq!(ids(&first), [people[2].clone()]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get_as(&coordinator, &format!("{DUE}?limit=1&cursor={cursor}"))
        .await
        .json();
    assert_eq!(ids(&second), [people[0].clone()]);
    assert!(second["next_cursor"].is_null());

    // A review moves the due day a year on.
    let person_path = format!("{path}/{}", people[2]);
    let etag = app.etag_as(&coordinator, &person_path).await;
    let res = app
        .patch_json(
            &coordinator,
            &person_path,
            &etag,
            &json!({"last_reviewed_on": "2026-11-16"}),
        )
        .await;
    assert_eq!(res.json()["review_due"], "2027-11-16");
    assert_eq!(
        ids(&app.get_as(&coordinator, DUE).await.json()),
        [people[0].clone()]
    );
    // Time passes (the test clock, not the real one): two months later Bernd and Dana
    // are due too.
    app.clock.advance(chrono::Duration::days(61));
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    assert_eq!(
        ids(&app.get_as(&coordinator, DUE).await.json()),
        [people[0].clone(), people[1].clone(), people[3].clone()]
    );
    // Every person on the list was logged as listed.
    let listed = contact_person_reads(&app)
        .await
        .iter()
        .filter(|(_, purpose, _)| purpose == "list")
        .count();
    assert_eq!(listed, 2 + 1 + 1 + 1 + 3);
}

async fn concurrent_contact_person_patches_one_wins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let verein = partner(&app, &coordinator, "Chor Lindenhorst", "internal").await;
    let res = app
        .post_json(
            &coordinator,
            &format!("/api/v1/organizations/{verein}/contact-persons"),
            &json!({"name": "Paula P."}),
        )
        .await;
    let path = format!(
        "/api/v1/organizations/{verein}/contact-persons/{}",
        res.json()["id"].as_str().unwrap()
    );
    let etag = res.header("etag").unwrap().to_owned();
    let requests = (0..20).map(|i| {
        let (app, coordinator, path, etag) = (&app, &coordinator, &path, &etag);
        async move {
            app.patch_json(
                coordinator,
                path,
                etag,
                &json!({"function": format!("Funktion {i}")}),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(requests).await;
    assert_eq!(
        results.iter().filter(|r| r.status == 200).count(),
        1,
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in results.iter().filter(|r| r.status != 200) {
        r.problem(412, "etag_mismatch");
    }
}
