//! Consultation hours, sessions, languages, topics, services, language negotiation,
//! iCalendar and HSDS exports, on both databases.

use domain::Role;
use lw_tests::{TestApp, both_backends, repo_root};
use persistence::Backend;
use serde_json::{Value, json};

both_backends!(
    seeded_hours_and_opening_hours,
    sessions_follow_dst_closures_and_extras,
    hours_are_validated_and_need_if_match,
    offices_open_at_an_instant_in_a_language,
    languages_topics_and_services,
    language_negotiation,
    icalendar_feed_parses_and_round_trips,
    icalendar_feed_is_stable_and_describes_the_place,
    hsds_output_validates_against_the_schemas,
);

/// The feed is the same for the same data (so `If-None-Match` saves the download),
/// names who made it, says where the sessions take place, and its weekly rules start
/// where the office is now, not where it opened.
async fn icalendar_feed_is_stable_and_describes_the_place(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let feed = "/api/v1/offices/mengede-huckarde/consultation-hours.ics";
    let first = app.get(feed).await;
    let etag = first.header("etag").unwrap().to_owned();
    // Another instance, built at another time, serves the same bytes.
    let later = domain::Clock::manual(lw_tests::test_epoch() + chrono::TimeDelta::hours(5));
    let other = TestApp::spawn_on(
        app.db.share(),
        lw_tests::AppOptions {
            clock: Some(later),
            ..lw_tests::AppOptions::default()
        },
    )
    .await;
    let second = other.get(feed).await;
    assert_eq!(
        second.header("etag"),
        Some(etag.as_str()),
        "no DTSTAMP from the clock"
    );
    let not_modified = other
        .send(
            other
                .client
                .get(other.url(feed))
                .insert_header(("if-none-match", etag.as_str())),
        )
        .await;
    assert_eq!(not_modified.status, 304);
    let text = String::from_utf8(first.body).unwrap();
    assert!(
        text.contains("PRODID:-//Stadt Dortmund//lokal willkommen API//DE"),
        "{text}"
    );
    assert!(
        text.contains("LOCATION:Westerfilder Straße 54\\, 44357 Dortmund"),
        "{text}"
    );
    // Monday slots start on the first Monday at Westerfilder Straße (from 2018-12-01).
    assert!(
        text.contains("DTSTART;TZID=Europe/Berlin:20181203T090000"),
        "{text}"
    );
}

const HOURS: &str = "/api/v1/offices/mengede-huckarde/consultation-hours";

async fn seeded_hours_and_opening_hours(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let hours = app.get(HOURS).await;
    assert_eq!(hours.status, 200);
    let hours = hours.json();
    assert_eq!(
        hours["opening_hours"],
        "Mo,Fr 09:00-12:00; Tu 13:00-16:00; Th 14:00-17:00"
    );
    assert_eq!(hours["by_appointment"], true);
    assert_eq!(hours["languages"], json!(["ar", "de", "en", "fa", "ku"]));
    assert_eq!(hours["slots"].as_array().unwrap().len(), 4);
    let office = app.get("/api/v1/offices/mengede-huckarde").await.json();
    assert_eq!(office["opening_hours"], hours["opening_hours"]);
    assert_eq!(office["languages"], hours["languages"]);
    // No invented hours for the other offices.
    let other = app
        .get("/api/v1/offices/eving-scharnhorst/consultation-hours")
        .await
        .json();
    assert!(other["opening_hours"].is_null(), "no hours published: null");
    assert!(app.get("/api/v1/offices/eving-scharnhorst").await.json()["opening_hours"].is_null());
    assert!(other["slots"].as_array().unwrap().is_empty());
}

async fn sessions_follow_dst_closures_and_extras(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let starts = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["starts_at"].as_str().unwrap().to_owned())
            .collect()
    };
    let path = "/api/v1/offices/mengede-huckarde/sessions";
    let spring = app
        .get(&format!("{path}?from=2026-03-27&to=2026-03-31"))
        .await
        .json();
    assert_eq!(
        starts(&spring),
        [
            "2026-03-27T08:00:00Z",
            "2026-03-30T07:00:00Z",
            "2026-03-31T11:00:00Z"
        ]
    );
    let autumn = app
        .get(&format!("{path}?from=2026-10-23&to=2026-10-27"))
        .await
        .json();
    assert_eq!(
        starts(&autumn),
        [
            "2026-10-23T07:00:00Z",
            "2026-10-26T08:00:00Z",
            "2026-10-27T12:00:00Z"
        ]
    );
    assert_eq!(autumn["items"][0]["ends_at"], "2026-10-23T10:00:00Z");
    assert_eq!(autumn["items"][0]["kind"], "weekly");

    // Christmas closure and one extra session in another place.
    let (_, token) = app.token_for(Role::Coordinator).await;
    let mut hours = app.get(HOURS).await.json();
    let etag = app.etag(HOURS).await;
    hours["closures"] =
        json!([{"first_day": "2026-12-24", "last_day": "2027-01-01", "reason": {"de": "Weihnachtspause"}}]);
    hours["extra_sessions"] = json!([{"day": "2026-12-30", "opens": "10:00", "closes": "12:00", "languages": ["de", "uk"],
        "place": "Bürgerhaus Mengede", "note": {"de": "Außensprechstunde", "en": "Outreach session"}}]);
    let body = json!({"by_appointment": true, "slots": hours["slots"], "closures": hours["closures"], "extra_sessions": hours["extra_sessions"]});
    let res = app.put_json(&token, HOURS, &etag, &body).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let winter = app
        .get(&format!("{path}?from=2026-12-21&to=2027-01-05"))
        .await
        .json();
    let days: Vec<&str> = winter["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["day"].as_str().unwrap())
        .collect();
    assert_eq!(
        days,
        [
            "2026-12-21",
            "2026-12-22",
            "2026-12-30",
            "2027-01-04",
            "2027-01-05"
        ]
    );
    let extra = &winter["items"][2];
    assert_eq!(extra["kind"], "extra");
    assert_eq!(extra["place"], "Bürgerhaus Mengede");
    assert_eq!(extra["starts_at"], "2026-12-30T09:00:00Z");
    assert_eq!(extra["languages"], json!(["de", "uk"]));

    app.get(&format!("{path}?from=2026-03-31&to=2026-03-01"))
        .await
        .problem(400, "invalid_parameter");
    app.get(&format!("{path}?from=2026-01-01&to=2028-01-01"))
        .await
        .problem(400, "invalid_parameter");
    app.get(&format!("{path}?from=2026-01-01"))
        .await
        .problem(400, "invalid_query");
    app.get(&format!("{path}?from=tomorrow&to=2026-01-01"))
        .await
        .problem(400, "invalid_query");
}

async fn hours_are_validated_and_need_if_match(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (staff_id, email) = app.create_account(Role::Staff, false);
    app.assign(&staff_id, "mengede-huckarde");
    let token = app.access_token(&email).await;
    let slot = |day: &str, opens: &str, closes: &str, langs: Value| json!({"weekday": day, "opens": opens, "closes": closes, "languages": langs, "note": null});
    let put = |etag: Option<String>, body: Value| {
        let (app, token) = (&app, token.clone());
        let mut req = app.client.put(app.url(HOURS)).bearer_auth(&token);
        if let Some(e) = etag {
            req = req.insert_header(("if-match", e));
        }
        async move { app.send_json(req, &body).await }
    };
    let good = json!({"slots": [slot("wednesday", "10:00", "12:00", json!(["de", "tr"]))]});
    put(None, good.clone()).await.problem(428, "if_match_required");
    put(Some("\"stale\"".into()), good.clone())
        .await
        .problem(412, "etag_mismatch");

    let etag = app.etag(HOURS).await;
    let overlapping = json!({"slots": [slot("monday", "09:00", "12:00", json!(["de"])), slot("monday", "11:30", "13:00", json!(["de"]))]});
    let problem = put(Some(etag.clone()), overlapping)
        .await
        .problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["pointer"], "/slots/1");
    let reversed = json!({"slots": [slot("monday", "12:00", "09:00", json!(["xx"]))]});
    let problem = put(Some(etag.clone()), reversed)
        .await
        .problem(422, "validation_failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/slots/0/closes", "/slots/0/languages/0"]);
    put(
        Some(etag.clone()),
        json!({"slots": [slot("monday", "9:00", "12:00", json!(["de"]))]}),
    )
    .await
    .problem(422, "validation_failed");
    // A space-padded hour is not HH:MM (it used to pass and then break the database's
    // text comparison of opening and closing times: a 500).
    for (opens, closes) in [(" 9:00", "12:00"), ("08:00", " 9:00")] {
        put(
            Some(etag.clone()),
            json!({"slots": [slot("monday", opens, closes, json!(["de"]))]}),
        )
        .await
        .problem(422, "validation_failed");
    }
    put(
        Some(etag.clone()),
        json!({"slots": [slot("someday", "09:00", "12:00", json!(["de"]))]}),
    )
    .await
    .problem(400, "invalid_body");

    let res = put(Some(etag), good).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["opening_hours"], "We 10:00-12:00");
    assert_eq!(
        app.get("/api/v1/offices/mengede-huckarde").await.json()["opening_hours"],
        "We 10:00-12:00"
    );

    // Staff of another office may not.
    let etag = app
        .etag("/api/v1/offices/eving-scharnhorst/consultation-hours")
        .await;
    app.put_json(
        &token,
        "/api/v1/offices/eving-scharnhorst/consultation-hours",
        &etag,
        &json!({"slots": []}),
    )
    .await
    .problem(403, "forbidden");
}

async fn offices_open_at_an_instant_in_a_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let slugs = |body: Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    // Monday 30 November 2026, 09:30 Berlin = 08:30Z: Mengede/Huckarde consults.
    assert_eq!(
        slugs(
            app.get("/api/v1/offices?open_at=2026-11-30T08:30:00Z&language=ar")
                .await
                .json()
        ),
        ["mengede-huckarde"]
    );
    assert!(
        slugs(
            app.get("/api/v1/offices?open_at=2026-11-30T08:30:00Z&language=tr")
                .await
                .json()
        )
        .is_empty()
    );
    assert!(
        slugs(
            app.get("/api/v1/offices?open_at=2026-11-30T11:30:00Z")
                .await
                .json()
        )
        .is_empty(),
        "12:30 Berlin: closed"
    );
    assert_eq!(
        slugs(app.get("/api/v1/offices?language=fa").await.json()),
        ["mengede-huckarde"]
    );
    app.get("/api/v1/offices?language=xx")
        .await
        .problem(400, "invalid_parameter");
    app.get("/api/v1/offices?open_at=monday")
        .await
        .problem(400, "invalid_query");
}

async fn languages_topics_and_services(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // The code lists: public, versioned, every code with German and English labels.
    let lists = app.get("/api/v1/code-lists").await.json();
    assert_eq!(lists["version"], "2026.1");
    let list = |name: &str| {
        lists["lists"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == name)
            .unwrap_or_else(|| panic!("code list {name}"))
            .clone()
    };
    let districts = list("district");
    assert_eq!(districts["codes"].as_array().unwrap().len(), 12);
    assert_eq!(districts["codes"][7]["label"]["de"], "Hörde");
    assert_eq!(list("language")["codes"][1]["label"]["en"], "Arabic");
    let channels = list("channel");
    assert_eq!(channels["codes"][0]["code"], "office_hours");
    assert_eq!(channels["codes"][0]["label"]["de"], "Offene Sprechstunde");
    for name in [
        "duration",
        "audience",
        "target_category",
        "referral_outcome",
        "home_visit_source",
        "access_purpose",
    ] {
        assert!(!list(name)["codes"].as_array().unwrap().is_empty(), "{name}");
    }
    let topics = list("topic");
    let school = topics["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "school-enrollment")
        .unwrap();
    assert_eq!(school["retired"], false);
    assert!(school["label"]["de"].as_str().is_some_and(|l| !l.is_empty()));

    let languages = app.get("/api/v1/languages").await.json();
    let codes: Vec<&str> = languages["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    for code in [
        "de", "ar", "en", "fa", "ku", "fr", "tr", "ru", "uk", "ti", "so", "ps",
    ] {
        assert!(codes.contains(&code), "{code}");
    }
    assert_eq!(languages["items"][0]["name_de"], "Deutsch");
    let topics = app.get("/api/v1/topics").await.json();
    assert!(
        topics["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["code"] == "childcare-place")
    );

    let services = app.get("/api/v1/services").await.json();
    let base: Vec<&Value> = services["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["scope"] == "base")
        .collect();
    assert_eq!(base.len(), 5, "the shared base offer");
    assert!(base.iter().any(|s| s["code"] == "welcome-visits"));

    // Staff add a local service to their office; it shows there and nowhere else.
    let (staff_id, email) = app.create_account(Role::Staff, false);
    app.assign(&staff_id, "eving-scharnhorst");
    let staff = app.access_token(&email).await;
    let office = app.get("/api/v1/offices/eving-scharnhorst").await.json();
    let local = json!({"office_id": office["id"], "name": {"de": "Außensprechstunde im Stadtteilzentrum", "en": "Outreach hours"},
        "description": {"de": "Wöchentlich im Stadtteilzentrum Scharnhorst."}, "topics": ["housing", "job-search"]});
    let res = app.post_json(&staff, "/api/v1/services", &local).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let created = res.json();
    assert_eq!(created["scope"], "local");
    let eving = app.get("/api/v1/offices/eving-scharnhorst/services").await.json();
    assert_eq!(eving["items"].as_array().unwrap().len(), 6);
    let hoerde = app.get("/api/v1/offices/hoerde-hombruch/services").await.json();
    assert_eq!(hoerde["items"].as_array().unwrap().len(), 5);

    // Staff may not change the base offer; coordinators may, with If-Match.
    let base_id = base[0]["id"].as_str().unwrap();
    let path = format!("/api/v1/services/{base_id}");
    let etag = app.etag(&path).await;
    app.patch_json(&staff, &path, &etag, &json!({"topics": ["health"]}))
        .await
        .problem(403, "forbidden");
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let bad = app
        .patch_json(&coordinator, &path, &etag, &json!({"topics": ["astrology"]}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(bad["errors"][0]["pointer"], "/topics/0");
    let res = app
        .patch_json(
            &coordinator,
            &path,
            &etag,
            &json!({"name": {"de": "Offene Sprechstunde", "ar": "ساعات الاستشارة"}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(app.get(&path).await.json()["name"]["de"], "Offene Sprechstunde");
    let no_german = json!({"name": {"en": "x"}, "description": {"de": "y"}});
    app.post_json(&coordinator, "/api/v1/services", &no_german)
        .await
        .problem(422, "validation_failed");
}

async fn language_negotiation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let full = app.get("/api/v1/topics").await;
    assert!(full.header("content-language").is_none());
    assert_eq!(
        full.header("vary").map(|v| v.contains("Accept-Language")),
        Some(true)
    );
    assert_eq!(
        full.json()["items"][0]["name"],
        json!({"de": "Geburt", "en": "Birth"})
    );

    let english = app.get("/api/v1/topics?lang=en").await;
    assert_eq!(english.header("content-language"), Some("en"));
    assert_eq!(english.json()["items"][0]["name"], json!({"en": "Birth"}));

    let arabic = app
        .send(
            app.client
                .get(app.url("/api/v1/topics"))
                .insert_header(("accept-language", "ar-SY, ar;q=0.9, en;q=0.5")),
        )
        .await;
    assert_eq!(
        arabic.header("content-language"),
        Some("de"),
        "no Arabic names yet: German is the fallback"
    );
    assert_eq!(arabic.json()["items"][0]["name"], json!({"de": "Geburt"}));

    let best = app
        .send(
            app.client
                .get(app.url("/api/v1/topics"))
                .insert_header(("accept-language", "xx, en;q=0.8")),
        )
        .await;
    assert_eq!(best.header("content-language"), Some("en"));
    // `?lang=` negotiates like the header: a language without texts falls back to German,
    // and only a malformed tag is an error.
    let fallback = app.get("/api/v1/topics?lang=xx").await;
    assert_eq!(fallback.status, 200);
    assert_eq!(fallback.header("content-language"), Some("de"));
    for malformed in ["", "e", "english", "en--US", "en-123456789", "%C3%A4r"] {
        app.get(&format!("/api/v1/topics?lang={malformed}"))
            .await
            .problem(400, "invalid_parameter");
    }

    let office = app.get("/api/v1/offices/mengede-huckarde?lang=en").await;
    assert_eq!(office.header("content-language"), Some("de"));
    assert_eq!(office.json()["description"].as_object().unwrap().len(), 1);

    // A browser that read the hours in its language can write them back with that ETag;
    // conditional reads work per language.
    let localized = app
        .send(
            app.client
                .get(app.url(HOURS))
                .insert_header(("accept-language", "ar")),
        )
        .await;
    let tag = localized.header("etag").unwrap().to_owned();
    assert!(tag.ends_with("-ar\""), "{tag}");
    assert_ne!(Some(tag.as_str()), full.header("etag"));
    let again = app
        .send(
            app.client
                .get(app.url(HOURS))
                .insert_header(("accept-language", "ar"))
                .insert_header(("if-none-match", tag.as_str())),
        )
        .await;
    assert_eq!(again.status, 304);
    let (_, token) = app.token_for(Role::Coordinator).await;
    let res = app
        .put_json(
            &token,
            HOURS,
            &tag,
            &json!({"by_appointment": false, "slots": []}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    app.put_json(
        &token,
        HOURS,
        &tag,
        &json!({"by_appointment": false, "slots": []}),
    )
    .await
    .problem(412, "etag_mismatch");
}

async fn icalendar_feed_parses_and_round_trips(backend: Backend) {
    use icalendar::{Component, DatePerhapsTime};
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.token_for(Role::Coordinator).await;
    let mut hours = app.get(HOURS).await.json();
    let etag = app.etag(HOURS).await;
    hours["closures"] = json!([{"first_day": "2027-04-02", "last_day": "2027-04-05", "reason": null}]);
    let body = json!({"by_appointment": true, "slots": hours["slots"], "closures": hours["closures"], "extra_sessions": []});
    app.put_json(&token, HOURS, &etag, &body).await;

    let res = app
        .get("/api/v1/offices/mengede-huckarde/consultation-hours.ics")
        .await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/calendar"));
    let text = String::from_utf8(res.body.clone()).unwrap();
    let calendar: icalendar::Calendar = text.parse().expect("a valid iCalendar");
    let events: Vec<&icalendar::Event> = calendar.events().collect();
    assert_eq!(events.len(), 4, "one recurring event per weekly slot");
    let mut rules: Vec<&str> = events
        .iter()
        .map(|e| e.property_value("RRULE").unwrap())
        .collect();
    rules.sort_unstable();
    assert_eq!(
        rules,
        [
            "FREQ=WEEKLY;BYDAY=FR",
            "FREQ=WEEKLY;BYDAY=MO",
            "FREQ=WEEKLY;BYDAY=TH",
            "FREQ=WEEKLY;BYDAY=TU"
        ]
    );
    let monday = events
        .iter()
        .find(|e| e.property_value("RRULE") == Some("FREQ=WEEKLY;BYDAY=MO"))
        .unwrap();
    match monday.get_start() {
        Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone { date_time, tzid })) => {
            assert_eq!(tzid, "Europe/Berlin");
            assert_eq!(date_time.time().to_string(), "09:00:00");
        }
        other => panic!("start in Berlin time expected, got {other:?}"),
    }
    assert!(text.contains("BEGIN:VTIMEZONE") && text.contains("TZID:Europe/Berlin"));
    // Easter Monday 2027 (5 April) is closed: an exception of the Monday rule.
    assert!(
        text.contains("EXDATE;TZID=Europe/Berlin:20270405T090000"),
        "{text}"
    );
    // Good Friday 2 April too.
    assert!(text.contains("EXDATE;TZID=Europe/Berlin:20270402T090000"));
}

pub(crate) fn hsds_validator(schema: &str) -> jsonschema::Validator {
    let dir = repo_root().join("tests/fixtures/hsds").canonicalize().unwrap();
    let path = dir.join(schema);
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::options()
        .with_base_uri(format!("file://{}", path.display()))
        .build(&value)
        .unwrap_or_else(|e| panic!("schema {schema}: {e}"))
}

pub(crate) fn assert_valid(validator: &jsonschema::Validator, item: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(item)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "HSDS validation failed: {errors:?}\n{item}");
}

async fn hsds_output_validates_against_the_schemas(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let root = app.get("/hsds").await.json();
    assert_eq!(root["version"], "3.0");
    for (path, schema, expected) in [
        ("/hsds/services", "service.json", 5),
        ("/hsds/organizations", "organization.json", 7),
        ("/hsds/service_at_locations", "service_at_location.json", 25),
    ] {
        let res = app
            .send(
                app.client
                    .get(app.url(path))
                    .insert_header(("origin", "https://other-directory.example")),
            )
            .await;
        assert_eq!(res.status, 200);
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("https://other-directory.example")
        );
        let page = res.json();
        for field in [
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
            "contents",
        ] {
            assert!(!page[field].is_null(), "{path}: {field}");
        }
        assert_eq!(page["total_items"], expected, "{path}");
        let validator = hsds_validator(schema);
        for item in page["contents"].as_array().unwrap() {
            assert_valid(&validator, item);
        }
    }
    // The consultation service carries the Mengede schedule as weekly rules.
    let services = app.get("/hsds/services").await.json();
    let consultation = services["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Sprechstunden")
        .unwrap();
    let schedules = consultation["schedules"].as_array().unwrap();
    assert_eq!(schedules.len(), 4);
    assert!(schedules.iter().all(|s| s["freq"] == "WEEKLY"));
    let one = app
        .get(&format!(
            "/hsds/services/{}",
            consultation["id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_valid(&hsds_validator("service.json"), &one);
    // Paging.
    let second = app.get("/hsds/organizations?page=2&per_page=5").await.json();
    assert_eq!(second["size"], 2);
    assert_eq!(second["last_page"], true);
    assert_eq!(second["first_page"], false);
    app.get("/hsds/organizations?page=0")
        .await
        .problem(400, "invalid_parameter");
    app.get(&format!("/hsds/services/{}", uuid::Uuid::now_v7()))
        .await
        .problem(404, "not_found");
}
