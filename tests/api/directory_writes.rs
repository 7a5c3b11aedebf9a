//! Writes to the directory over HTTP: validation, If-Match, lost updates, relocation,
//! audit events, and mass-assignment protection.

use domain::Role;
use lw_tests::{TestApp, both_backends};
use persistence::Backend;
use serde_json::{Value, json};

both_backends!(
    organizations_are_created_and_updated,
    offices_are_created_with_their_first_location,
    office_patch_needs_the_current_etag,
    concurrent_patches_with_one_etag_one_wins,
    relocation_over_http_is_audited,
    unknown_fields_are_refused,
    paging_is_stable_under_inserts,
    staff_sides_survive_employer_and_provider_changes,
    a_failed_reload_does_not_fail_a_committed_write,
);

/// The snapshot reload after a write can fail (here: a stored row the snapshot cannot
/// read); the write has happened, so it must still answer with its result, not a 500
/// that invites a retry.
async fn a_failed_reload_does_not_fail_a_committed_write(backend: Backend) {
    use diesel::prelude::*;
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Coordinator).await;
    let path = "/api/v1/offices/eving-scharnhorst";
    let etag = app.etag(path).await;
    {
        let pool = app.pool();
        let mut conn = pool.get().unwrap();
        diesel::update(persistence::schema::services::table)
            .set(persistence::schema::services::topics.eq("not json"))
            .execute(&mut conn)
            .unwrap();
    }
    let res = app
        .patch_json(&token, path, &etag, &json!({"phone": "0231 987654"}))
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["contact"]["phone"], "0231 987654");
    assert_ne!(res.header("etag"), Some(etag.as_str()));
    // The snapshot could not follow, so reads still show the old state until it can.
    assert_eq!(app.etag(path).await, etag);
}

async fn paging_is_stable_under_inserts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Coordinator).await;
    let first = app.get("/api/v1/offices?limit=2").await.json();
    let orgs = app.get("/api/v1/organizations").await.json();
    let provider = orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "welfare_provider")
        .unwrap()["id"]
        .clone();
    let res = app
        .post_json(&token, "/api/v1/offices", &office_body(&provider))
        .await;
    assert_eq!(res.status, 201);
    let mut seen = slugs(&first);
    let mut cursor = first["next_cursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let page = app
            .get(&format!("/api/v1/offices?limit=2&cursor={c}"))
            .await
            .json();
        seen.extend(slugs(&page));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 6, "no office skipped or repeated: {seen:?}");
    assert_eq!(
        seen.last().unwrap(),
        "innenstadt-nord",
        "the new office comes last (creation order)"
    );
}

async fn staff_sides_survive_employer_and_provider_changes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.token_for(Role::Admin).await;
    let (person, _) = app.create_account(Role::Staff, false); // employed by the city
    app.assign(&person, "eving-scharnhorst");
    let orgs = app.get("/api/v1/organizations").await.json();
    let id_of = |name: &str| {
        orgs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let drk = id_of("DRK Kreisverband Dortmund e.V.");
    let city = id_of("Stadt Dortmund");

    // A city-side person cannot be moved to a provider employer while assigned.
    let user_path = format!("/api/v1/users/{person}");
    app.patch_current(&admin, &user_path, &json!({"employer_organization_id": drk}))
        .await
        .problem(409, "staff_side_conflict");
    // The city cannot stop being the municipality while it employs city-side staff.
    let org_path = format!("/api/v1/organizations/{city}");
    let etag = app.etag(&org_path).await;
    app.patch_json(&admin, &org_path, &etag, &json!({"kind": "partner"}))
        .await
        .problem(409, "staff_side_conflict");
    // A provider named by offices stays a welfare provider.
    let org_path = format!("/api/v1/organizations/{drk}");
    let etag = app.etag(&org_path).await;
    app.patch_json(&admin, &org_path, &etag, &json!({"kind": "partner"}))
        .await
        .problem(409, "organization_in_use");

    // An office's provider cannot change under an open provider-side assignment.
    let (drk_person, _) = app.create_account(Role::Staff, false);
    {
        let pool = app.pool();
        let mut conn = pool.get().unwrap();
        let etag_user =
            persistence::accounts::users::find(&mut conn, &domain::UserId::from_stored(drk_person.clone()))
                .unwrap()
                .unwrap()
                .version;
        persistence::accounts::users::update(
            &mut conn,
            &domain::UserId::from_stored(drk_person.clone()),
            etag_user,
            &persistence::accounts::users::UserChanges {
                employer_organization_id: Some(drk.clone()),
                ..Default::default()
            },
            &persistence::audit::AuditContext::system("test", &lw_tests::test_clock()),
        )
        .unwrap();
    }
    app.assign_between(&drk_person, "eving-scharnhorst", "provider", (2022, 1, 1), None);
    let awo = id_of("AWO Unterbezirk Dortmund");
    let etag = app.etag("/api/v1/offices/eving-scharnhorst").await;
    app.patch_json(
        &admin,
        "/api/v1/offices/eving-scharnhorst",
        &etag,
        &json!({"provider_organization_id": awo}),
    )
    .await
    .problem(409, "staff_side_conflict");
}

async fn organizations_are_created_and_updated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Coordinator).await;
    let post = |body: Value| {
        let (app, token) = (&app, token.clone());
        async move { app.post_json(&token, "/api/v1/organizations", &body).await }
    };
    let res = post(json!({"name": "Ev. Kirchengemeinde Eving", "kind": "partner", "website": "https://kirche-eving.example",
        "visibility": "public"}))
    .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let org = res.json();
    assert_eq!(
        res.header("location").unwrap(),
        format!("/api/v1/organizations/{}", org["id"].as_str().unwrap())
    );
    // Public reads see it at once (read-your-writes on this instance).
    let listed = app.get("/api/v1/organizations").await.json();
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == org["id"])
    );

    post(json!({"name": "ev. kirchengemeinde eving", "kind": "partner"}))
        .await
        .problem(409, "organization_name_taken");
    let bad = post(json!({"name": " ", "kind": "partner", "website": "ftp://x"}))
        .await
        .problem(422, "validation_failed");
    let pointers: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/name", "/website"]);
    post(json!({"name": "X", "kind": "church"}))
        .await
        .problem(400, "invalid_body");

    let path = format!("/api/v1/organizations/{}", org["id"].as_str().unwrap());
    let etag = app.etag(&path).await;
    let res = app
        .patch_json(
            &token,
            &path,
            &etag,
            &json!({"website": null, "short_name": "Kirche Eving"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let updated = res.json();
    assert!(updated["website"].is_null());
    assert_eq!(updated["short_name"], "Kirche Eving");
    assert_eq!(updated["name"], "Ev. Kirchengemeinde Eving", "absent fields stay");
    assert_ne!(res.header("etag"), Some(etag.as_str()));
}

fn office_body(provider: &Value) -> Value {
    json!({
        "slug": "innenstadt-nord", "name": "lokal willkommen Innenstadt-Nord", "kind": "outpost", "status": "planned",
        "provider_organization_id": provider, "districts": ["innenstadt-nord"], "opened_on": "2027-01-15",
        "contact": {"phone": "0231 1234", "email": null},
        "description": {"de": "Neue Außenstelle", "en": "New outpost"},
        "location": {"valid_from": "2027-01-15", "address": {"street": "Mallinckrodtstraße 1", "postal_code": "44145",
                     "city": "Dortmund", "district": "innenstadt-nord"}, "premises": "Ladenlokal", "temporary": true}
    })
}

async fn offices_are_created_with_their_first_location(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Coordinator).await;
    let orgs = app.get("/api/v1/organizations").await.json();
    let find = |kind: &str| {
        orgs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == kind)
            .unwrap()["id"]
            .clone()
    };
    let post = |body: Value| {
        let (app, token) = (&app, token.clone());
        async move { app.post_json(&token, "/api/v1/offices", &body).await }
    };
    let res = post(office_body(&find("welfare_provider"))).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let office = res.json();
    assert_eq!(office["kind"], "outpost");
    assert_eq!(office["status"], "planned");
    assert!(
        office["current_location"].is_null(),
        "the first location starts in the future"
    );
    let history = app.get("/api/v1/offices/innenstadt-nord/locations").await.json();
    assert_eq!(history["items"][0]["valid_from"], "2027-01-15");
    assert_eq!(history["items"][0]["temporary"], true);
    // At midnight in Dortmund on the opening day, the first location becomes current.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2027-01-15T00:00:00+01:00")
            .unwrap()
            .to_utc(),
    );
    let office = lw_tests::eventually(|| async {
        let office = app.get("/api/v1/offices/innenstadt-nord").await.json();
        (!office["current_location"].is_null()).then_some(office)
    })
    .await;
    assert_eq!(office["current_location"]["valid_from"], "2027-01-15");
    app.clock.set(lw_tests::test_epoch());
    lw_tests::eventually(|| async {
        let office = app.get("/api/v1/offices/innenstadt-nord").await.json();
        office["current_location"].is_null().then_some(())
    })
    .await;
    assert_eq!(
        slugs(&app.get("/api/v1/offices?kind=outpost").await.json()),
        ["innenstadt-nord"]
    );

    post(office_body(&find("welfare_provider")))
        .await
        .problem(409, "slug_taken");
    let mut wrong = office_body(&find("municipality"));
    wrong["slug"] = json!("another-one");
    wrong["districts"] = json!([]);
    wrong["description"] = json!({"en": "no German"});
    wrong["location"]["address"]["postal_code"] = json!("4414");
    let problem = post(wrong).await.problem(422, "validation_failed");
    let pointers: BTreeSet<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    for p in [
        "/districts",
        "/description",
        "/provider_organization_id",
        "/location/address/postal_code",
    ] {
        assert!(pointers.contains(p), "{p} in {pointers:?}");
    }
}

use std::collections::BTreeSet;

fn slugs(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["slug"].as_str().unwrap().to_owned())
        .collect()
}

async fn office_patch_needs_the_current_etag(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Coordinator).await;
    let path = "/api/v1/offices/luetgendortmund";
    let patch = |etag: Option<&str>, body: Value| {
        let (app, token) = (&app, token.clone());
        let mut req = app.client.patch(app.url(path)).bearer_auth(&token);
        if let Some(e) = etag {
            req = req.insert_header(("if-match", e.to_owned()));
        }
        async move { app.send_json(req, &body).await }
    };
    patch(None, json!({"phone": "0231 777"}))
        .await
        .problem(428, "if_match_required");
    // `*`, an empty value or anything but entity tags names no version: as if none was sent.
    for unusable in ["*", "", "stale", "\"a\" \"b\""] {
        patch(Some(unusable), json!({"phone": "0231 777"}))
            .await
            .problem(428, "if_match_required");
    }
    patch(Some("\"stale\""), json!({"phone": "0231 777"}))
        .await
        .problem(412, "etag_mismatch");
    let etag = app.etag(path).await;
    let weak = format!("W/{etag}");
    patch(Some(&weak), json!({"phone": "0231 777"}))
        .await
        .problem(412, "etag_mismatch");
    let res = patch(Some(&etag), json!({"phone": "0231 777", "email": "luedo@example.org", "districts": ["luetgendortmund", "huckarde"]})).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let office = res.json();
    assert_eq!(office["contact"]["phone"], "0231 777");
    assert_eq!(office["districts"].as_array().unwrap().len(), 2);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    // The old tag is now stale; the public read shows the change and the new tag.
    patch(Some(&etag), json!({"phone": "0231 888"}))
        .await
        .problem(412, "etag_mismatch");
    let public = app.get(path).await;
    assert_ne!(public.header("etag"), Some(etag.as_str()));
    assert_eq!(public.json()["contact"]["email"], "luedo@example.org");
    let bad = patch(
        Some(public.header("etag").unwrap()),
        json!({"closed_on": "2000-01-01", "phone": "abc"}),
    )
    .await;
    let problem = bad.problem(422, "validation_failed");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
}

async fn concurrent_patches_with_one_etag_one_wins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Admin).await;
    let path = "/api/v1/offices/hoerde-hombruch";
    let etag = app.etag(path).await;
    let requests = (0..8).map(|i| {
        let body = json!({"phone": format!("0231 {i}{i}{i}")});
        let (app, token, etag) = (&app, &token, &etag);
        async move { app.patch_json(token, path, etag, &body).await }
    });
    let results = futures_util::future::join_all(requests).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 7, "{statuses:?}");
}

async fn relocation_over_http_is_audited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin_id, token) = app.token_for(Role::Admin).await;
    let relocate = |body: Value| {
        let (app, token) = (&app, token.clone());
        async move {
            app.send_json(
                app.client
                    .post(app.url("/api/v1/offices/eving-scharnhorst/relocations"))
                    .bearer_auth(&token)
                    .insert_header(("x-request-id", "move-1")),
                &body,
            )
            .await
        }
    };
    let address = |street: &str| json!({"street": street, "postal_code": "44339", "city": "Dortmund", "district": "eving"});
    relocate(json!({"moved_on": "2019-01-31", "address": address("Neue Straße 1")}))
        .await
        .problem(409, "move_predates_current_period");
    relocate(json!({"moved_on": "2024-01-01", "address": address("bayrische straße  135")}))
        .await
        .problem(409, "move_to_current_address");
    // A new address needs a street: the schema says so, so its absence is a body that
    // does not match the schema, pointing at the address.
    let missing = relocate(json!({"moved_on": "2024-01-01", "address": {"postal_code": "44339", "city": "Dortmund", "district": "eving"}}))
        .await
        .problem(400, "invalid_body");
    assert_eq!(missing["errors"][0]["pointer"], "/address");
    assert!(
        missing["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("street")
    );
    let host = relocate(json!({"moved_on": "2024-01-01", "address": address("Neue Straße 1"), "host_organization_id": uuid::Uuid::now_v7()}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(host["errors"][0]["pointer"], "/host_organization_id");

    let res = relocate(
        json!({"moved_on": "2024-01-01", "address": address("Evinger Platz 2"), "premises": "Ladenlokal",
                              "reason": "größere Räume", "note": null, "temporary": false}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let period = res.json();
    assert_eq!(period["valid_from"], "2024-01-01");
    assert_eq!(period["is_current"], true);
    let office = app.get("/api/v1/offices/eving-scharnhorst").await.json();
    assert_eq!(office["current_location"]["address"]["street"], "Evinger Platz 2");
    let history = app
        .get("/api/v1/offices/eving-scharnhorst/locations")
        .await
        .json();
    assert_eq!(history["items"][0]["valid_to"], "2024-01-01");

    let office_id = office["id"].as_str().unwrap();
    let events = app
        .get_as(&token, &format!("/api/v1/audit-events?office={office_id}"))
        .await
        .json();
    let event = &events["items"][0];
    assert_eq!(event["action"], "office.relocated");
    assert_eq!(event["actor_id"], admin_id.as_str());
    assert_eq!(event["actor_role"], "admin");
    assert_eq!(event["request_id"], "move-1");
    assert_eq!(event["resource_id"], period["id"]);
    assert!(
        event["changed_fields"]
            .as_array()
            .unwrap()
            .contains(&json!("address"))
    );
    let by_actor = app
        .get_as(
            &token,
            &format!("/api/v1/audit-events?actor={admin_id}&resource_type=location_period"),
        )
        .await
        .json();
    assert_eq!(by_actor["items"].as_array().unwrap().len(), 1);
    let none = app
        .get_as(&token, "/api/v1/audit-events?from=2099-01-01T00:00:00Z")
        .await
        .json();
    assert!(none["items"].as_array().unwrap().is_empty());
    app.get_as(&token, "/api/v1/audit-events?from=yesterday")
        .await
        .problem(400, "invalid_query");
    // Paging through the log.
    let first = app.get_as(&token, "/api/v1/audit-events?limit=1").await.json();
    let second = app
        .get_as(
            &token,
            &format!(
                "/api/v1/audit-events?limit=1&cursor={}",
                first["next_cursor"].as_str().unwrap()
            ),
        )
        .await
        .json();
    assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
}

async fn unknown_fields_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin_id, token) = app.token_for(Role::Admin).await;
    let user_path = format!("/api/v1/users/{admin_id}");
    let etag = app.etag_as(&token, &user_path).await;
    for (req, body) in [
        (
            app.client
                .patch(app.url(&user_path))
                .insert_header(("if-match", etag.clone())),
            json!({"active": false}),
        ),
        (
            app.client
                .patch(app.url(&user_path))
                .insert_header(("if-match", etag.clone())),
            json!({"password_hash": "x"}),
        ),
        (
            app.client.put(app.url("/api/v1/me/password")),
            json!({"current_password": "a", "new_password": "b", "role": "admin"}),
        ),
        (
            app.client.post(app.url("/api/v1/users")),
            json!({"email": "a@b.de", "display_name": "A", "role": "staff",
            "employer_organization_id": uuid::Uuid::now_v7(), "password": "x", "password_hash": "y"}),
        ),
        (
            app.client.patch(app.url("/api/v1/offices/eving-scharnhorst")),
            json!({"version": 7}),
        ),
        (
            app.client.post(app.url("/api/v1/organizations")),
            json!({"name": "X", "kind": "partner", "id": uuid::Uuid::now_v7()}),
        ),
    ] {
        let res = app.send_json(req.bearer_auth(&token), &body).await;
        res.problem(400, "invalid_body");
    }
    // Malformed JSON and wrong content types on a protected write.
    let res = app
        .send_body(
            app.client
                .post(app.url("/api/v1/organizations"))
                .bearer_auth(&token)
                .insert_header(("content-type", "application/json")),
            "{\"name\":",
        )
        .await;
    res.problem(400, "malformed_json");
    let res = app
        .send_body(
            app.client
                .post(app.url("/api/v1/organizations"))
                .bearer_auth(&token)
                .insert_header(("content-type", "text/plain")),
            "name=x",
        )
        .await;
    res.problem(415, "unsupported_media_type");
}
