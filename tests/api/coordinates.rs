//! Coordinates of location periods: recorded with a move or a new office, corrected
//! later with `PATCH` (If-Match), shown in every location view and in HSDS, validated
//! with pointers, and backed by the database's own checks.

use domain::Role;
use lw_tests::{TestApp, both_backends};
use persistence::Backend;
use serde_json::{Value, json};

both_backends!(
    coordinates_travel_from_a_move_to_every_view,
    coordinates_are_corrected_with_if_match,
    invalid_coordinates_are_refused_with_pointers,
    the_database_keeps_coordinates_paired_and_on_the_globe,
);

const EVING: &str = "/api/v1/offices/eving-scharnhorst";

fn address(street: &str) -> Value {
    json!({"street": street, "postal_code": "44339", "city": "Dortmund", "district": "eving"})
}

/// Moves Eving/Scharnhorst today (the test clock's day) with `extra` fields merged in.
async fn relocate(app: &TestApp, token: &str, extra: &Value) -> lw_tests::Response {
    let mut body = json!({"moved_on": "2026-11-16", "address": address("Evinger Platz 2")});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post_json(token, &format!("{EVING}/relocations"), &body).await
}

/// The errors of a 422 as `pointer: message` lines.
fn errors(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e["pointer"].as_str().unwrap(),
                e["message"].as_str().unwrap()
            )
        })
        .collect()
}

async fn coordinates_travel_from_a_move_to_every_view(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Coordinator).await;
    // Seeded offices have no coordinates yet: both fields are present and null.
    let before = app.get(EVING).await.json();
    let current = &before["current_location"];
    assert!(current["latitude"].is_null() && current["longitude"].is_null());
    assert!(current.as_object().unwrap().contains_key("latitude"));

    let res = relocate(&app, &token, &json!({"latitude": 51.5537, "longitude": 7.4679})).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let period = res.json();
    assert_eq!(
        (period["latitude"].as_f64(), period["longitude"].as_f64()),
        (Some(51.5537), Some(7.4679))
    );
    // The 201 names the new period, and its ETag is the period's: the period's own GET
    // answers with the same bytes.
    let location = res.header("location").unwrap().to_owned();
    assert_eq!(
        location,
        format!(
            "/api/v1/offices/{}/locations/{}",
            before["id"].as_str().unwrap(),
            period["id"].as_str().unwrap()
        )
    );
    let own = app.get(&location).await;
    assert_eq!(own.status, 200);
    assert_eq!(own.header("etag"), res.header("etag"));
    assert_eq!(own.json(), period);

    let office = app.get(EVING).await.json();
    assert_eq!(office["current_location"]["latitude"], 51.5537);
    assert_eq!(office["current_location"]["longitude"], 7.4679);
    let history = app.get(&format!("{EVING}/locations")).await.json();
    let items = history["items"].as_array().unwrap();
    assert!(
        items[0]["latitude"].is_null(),
        "the old period keeps no coordinates"
    );
    assert_eq!(items[1]["latitude"], 51.5537);

    // HSDS: the office's location carries them as numbers, valid per the HSDS schema.
    let links = app.get("/hsds/service_at_locations?per_page=200").await.json();
    let office_id = office["id"].as_str().unwrap();
    let located: Vec<&Value> = links["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["location"])
        .filter(|l| l["id"] == office_id)
        .collect();
    assert!(!located.is_empty());
    for location in &located {
        assert_eq!(location["latitude"], 51.5537);
        assert_eq!(location["longitude"], 7.4679);
    }
    let validator = crate::content::hsds_validator("location.json");
    crate::content::assert_valid(&validator, located[0]);
    // Offices without coordinates leave them out (HSDS types are not nullable).
    let other = links["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["location"])
        .find(|l| l["id"] != office_id)
        .unwrap();
    assert!(other.get("latitude").is_none() && other.get("longitude").is_none());

    // The calendar feed places the sessions on the map (RFC 5545 GEO): Mengede/Huckarde
    // publishes hours.
    let mengede = "/api/v1/offices/mengede-huckarde";
    let feed = format!("{mengede}/consultation-hours.ics");
    assert!(!String::from_utf8_lossy(&app.get(&feed).await.body).contains("GEO:"));
    let current = app.get(mengede).await.json()["current_location"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("{mengede}/locations/{current}");
    let res = app
        .patch_json(
            &token,
            &path,
            &app.etag(&path).await,
            &json!({"latitude": 51.5447, "longitude": 7.3857}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let text = String::from_utf8_lossy(&app.get(&feed).await.body).into_owned();
    assert_eq!(text.matches("GEO:51.5447;7.3857\r\n").count(), 4, "{text}");

    // A new office's first location may carry them too.
    let provider = app.get("/api/v1/organizations").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "welfare_provider")
        .unwrap()["id"]
        .clone();
    let created = app
        .post_json(
            &token,
            "/api/v1/offices",
            &json!({"slug": "innenstadt-nord", "name": "lokal willkommen Innenstadt-Nord",
                "kind": "office", "status": "active", "provider_organization_id": provider,
                "districts": ["innenstadt-nord"], "opened_on": "2026-11-02",
                "description": {"de": "Neu."},
                "location": {"valid_from": "2026-11-02", "latitude": 51.5228, "longitude": 7.4583,
                    "address": {"street": "Mallinckrodtstraße 56", "postal_code": "44147",
                        "city": "Dortmund", "district": "innenstadt-nord"}}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    assert_eq!(created.json()["current_location"]["latitude"], 51.5228);
}

async fn coordinates_are_corrected_with_if_match(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (coordinator_id, token) = app.token_for(Role::Coordinator).await;
    let history = app.get(&format!("{EVING}/locations")).await.json();
    let id = history["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("{EVING}/locations/{id}");
    let etag = app.etag(&path).await;
    let body = json!({"latitude": 51.5537, "longitude": 7.4679});

    // If-Match is required, and must be current.
    let res = app
        .send_json(app.client.patch(app.url(&path)).bearer_auth(&token), &body)
        .await;
    res.problem(428, "if_match_required");
    app.patch_json(&token, &path, "\"0000\"", &body)
        .await
        .problem(412, "etag_mismatch");
    // The office's ETag is not the period's.
    let office_etag = app.etag(EVING).await;
    app.patch_json(&token, &path, &office_etag, &body)
        .await
        .problem(412, "etag_mismatch");

    let res = app
        .send_json(
            app.client
                .patch(app.url(&path))
                .bearer_auth(&token)
                .insert_header(("if-match", etag.as_str()))
                .insert_header(("x-request-id", "fix-coordinates")),
            &body,
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let corrected = res.json();
    assert_eq!(corrected["latitude"], 51.5537);
    assert_eq!(corrected["valid_from"], history["items"][0]["valid_from"]);
    assert_eq!(corrected["address"], history["items"][0]["address"]);
    let next = res.header("etag").unwrap().to_owned();
    assert_ne!(next, etag);
    // Reads show it at once (read-your-writes), with the same ETag.
    assert_eq!(app.etag(&path).await, next);
    assert_eq!(
        app.get(EVING).await.json()["current_location"]["longitude"],
        7.4679
    );
    // The old ETag is stale now.
    app.patch_json(&token, &path, &etag, &body)
        .await
        .problem(412, "etag_mismatch");
    // Clearing: both null.
    let cleared = app
        .patch_json(
            &token,
            &path,
            &next,
            &json!({"latitude": null, "longitude": null}),
        )
        .await;
    assert_eq!(cleared.status, 200, "{}", String::from_utf8_lossy(&cleared.body));
    assert!(cleared.json()["latitude"].is_null());
    assert!(app.get(EVING).await.json()["current_location"]["longitude"].is_null());

    // Audited, without the values.
    let (_, admin) = app.token_for(Role::Admin).await;
    let events = app
        .get_as(&admin, &format!("/api/v1/audit-events?resource_id={id}"))
        .await
        .json();
    let fix = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["request_id"] == "fix-coordinates")
        .unwrap();
    assert_eq!(fix["action"], "location.coordinates_corrected");
    assert_eq!(fix["actor_id"], coordinator_id.as_str());
    assert_eq!(fix["changed_fields"], json!(["latitude", "longitude"]));
    assert!(!fix.to_string().contains("51.5537"));

    // Unknown or malformed periods, and periods of another office.
    let current = app.etag(&path).await;
    app.patch_json(&token, &format!("{EVING}/locations/nope"), &current, &body)
        .await
        .problem(400, "invalid_parameter");
    app.get(&format!("{EVING}/locations/{}", uuid::Uuid::now_v7()))
        .await
        .problem(404, "not_found");
    app.get(&format!("/api/v1/offices/mengede-huckarde/locations/{id}"))
        .await
        .problem(404, "not_found");
    // Only the coordinates can be corrected here.
    app.patch_json(
        &token,
        &path,
        &current,
        &json!({"latitude": 51.55, "longitude": 7.46, "street": "x"}),
    )
    .await
    .problem(400, "invalid_body");
    // Staff of the office may not (they may not move it either).
    let (staff_id, email) = app.create_account(Role::Staff, false);
    app.assign(&staff_id, "eving-scharnhorst");
    let staff = app.access_token(&email).await;
    app.patch_json(&staff, &path, &current, &body)
        .await
        .problem(403, "forbidden");
}

async fn invalid_coordinates_are_refused_with_pointers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Coordinator).await;
    let refused = |extra: Value| {
        let (app, token) = (&app, token.clone());
        async move {
            let res = relocate(app, &token, &extra).await;
            errors(&res.problem(422, "validation_failed"))
        }
    };
    let starts = |errors: &[String], expected: &[&str]| {
        assert_eq!(errors.len(), expected.len(), "{errors:?}");
        for (e, x) in errors.iter().zip(expected) {
            assert!(e.starts_with(x), "{e:?} should start with {x:?}");
        }
    };
    starts(
        &refused(json!({"latitude": 91, "longitude": -181})).await,
        &[
            "/latitude: must be between -90 and 90",
            "/longitude: must be between -180 and 180",
        ],
    );
    starts(
        &refused(json!({"latitude": 51.55})).await,
        &["/longitude: is required with latitude"],
    );
    starts(
        &refused(json!({"latitude": null, "longitude": 7.46})).await,
        &["/latitude: is required with longitude"],
    );
    starts(
        &refused(json!({"latitude": "51.55", "longitude": 7.46})).await,
        &["/latitude: must be a number"],
    );
    // A number beyond f64 is no number JSON can carry to us: the body is refused whole.
    let huge = app
        .send_body(
            app.client
                .post(app.url(&format!("{EVING}/relocations")))
                .bearer_auth(&token)
                .insert_header(("content-type", "application/json")),
            r#"{"moved_on": "2026-11-16", "latitude": 1e400, "longitude": 7.46}"#,
        )
        .await;
    assert_eq!(huge.status, 400, "{}", String::from_utf8_lossy(&huge.body));
    starts(
        &refused(json!({"latitude": [51.55], "longitude": {"deg": 7}})).await,
        &["/latitude: must be a number", "/longitude: must be a number"],
    );
    // On the globe but not in Dortmund (Essen), and swapped values.
    starts(
        &refused(json!({"latitude": 51.4556, "longitude": 7.0116})).await,
        &["/longitude: must lie in Dortmund"],
    );
    let swapped = refused(json!({"latitude": 7.4679, "longitude": 51.5537})).await;
    assert_eq!(swapped.len(), 2);
    assert!(swapped.iter().all(|e| e.ends_with("look swapped")), "{swapped:?}");
    // Together with other errors, in one answer.
    let mut body =
        json!({"moved_on": "2026-11-16", "address": address(""), "latitude": 100, "longitude": 7.46});
    let res = app
        .post_json(&token, &format!("{EVING}/relocations"), &body)
        .await;
    starts(
        &errors(&res.problem(422, "validation_failed")),
        &["/address/street", "/latitude: must be between -90 and 90"],
    );
    // A new office: pointers under /location.
    body = json!({"slug": "innenstadt-ost", "name": "lokal willkommen Innenstadt-Ost", "kind": "office",
        "status": "active", "provider_organization_id": uuid::Uuid::now_v7(), "districts": ["innenstadt-ost"],
        "opened_on": "2026-11-02", "description": {"de": "Neu."},
        "location": {"valid_from": "2026-11-02", "latitude": "x", "longitude": 7.48,
            "address": {"street": "Kaiserstraße 1", "postal_code": "44135", "city": "Dortmund",
                "district": "innenstadt-ost"}}});
    let res = app.post_json(&token, "/api/v1/offices", &body).await;
    let all = errors(&res.problem(422, "validation_failed"));
    assert!(
        all.iter()
            .any(|e| e.starts_with("/location/latitude: must be a number")),
        "{all:?}"
    );
    // Nothing was moved.
    let history = app.get(&format!("{EVING}/locations")).await.json();
    assert_eq!(history["items"].as_array().unwrap().len(), 1);

    // PATCH: both fields required, same rules.
    let id = history["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("{EVING}/locations/{id}");
    let etag = app.etag(&path).await;
    for (body, expected) in [
        (
            json!({}),
            vec!["/latitude: is required", "/longitude: is required"],
        ),
        (json!({"latitude": 51.55}), vec!["/longitude: is required"]),
        (
            json!({"latitude": 51.55, "longitude": null}),
            vec!["/longitude: is required with latitude"],
        ),
        (
            json!({"latitude": "51.55", "longitude": "7.46"}),
            vec!["/latitude: must be a number", "/longitude: must be a number"],
        ),
        (
            json!({"latitude": -51.55, "longitude": 7.46}),
            vec!["/latitude: must lie in Dortmund"],
        ),
    ] {
        let res = app.patch_json(&token, &path, &etag, &body).await;
        starts(&errors(&res.problem(422, "validation_failed")), &expected);
    }
    assert_eq!(app.etag(&path).await, etag, "nothing changed");
}

async fn the_database_keeps_coordinates_paired_and_on_the_globe(backend: Backend) {
    use diesel::prelude::*;
    use persistence::schema::location_periods::dsl::*;
    let app = TestApp::spawn(backend).await;
    let pool = app.pool();
    let mut conn = pool.get().unwrap();
    let period: String = location_periods.select(id).first(&mut conn).unwrap();
    let mut set = |lat: Option<f64>, lon: Option<f64>| {
        diesel::update(location_periods.find(&period))
            .set((latitude.eq(lat), longitude.eq(lon)))
            .execute(&mut conn)
    };
    assert!(set(Some(51.5), None).is_err(), "one coordinate alone");
    assert!(set(None, Some(7.4)).is_err(), "one coordinate alone");
    assert!(set(Some(90.5), Some(7.4)).is_err(), "latitude off the globe");
    assert!(set(Some(51.5), Some(-180.5)).is_err(), "longitude off the globe");
    assert_eq!(set(Some(51.5), Some(7.4)).unwrap(), 1);
    assert_eq!(set(None, None).unwrap(), 1);
}

/// The contract states the same plausibility area the rule enforces.
#[test]
fn the_contract_states_the_plausible_area() {
    let doc = serde_json::to_value(api::openapi()).unwrap();
    let area = domain::directory::location::PLAUSIBLE_AREA;
    for schema in ["RelocationRequest", "LocationInput", "LocationPatch"] {
        let properties = &doc["components"]["schemas"][schema]["properties"];
        for (field, min, max) in [
            ("latitude", area.south, area.north),
            ("longitude", area.west, area.east),
        ] {
            assert_eq!(
                properties[field]["minimum"].as_f64(),
                Some(min),
                "{schema}.{field}"
            );
            assert_eq!(
                properties[field]["maximum"].as_f64(),
                Some(max),
                "{schema}.{field}"
            );
        }
    }
}
