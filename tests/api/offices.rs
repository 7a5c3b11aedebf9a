use lw_tests::{TestApp, both_backends};
use persistence::Backend;
use serde_json::Value;

both_backends!(
    five_seeded_offices_with_embedded_data,
    office_filters,
    office_pagination_is_complete_and_stable,
    office_by_slug_and_id,
    mengede_huckarde_history_shows_both_periods,
    conditional_requests,
);

fn slugs(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["slug"].as_str().unwrap().to_owned())
        .collect()
}

async fn five_seeded_offices_with_embedded_data(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = app.get("/api/v1/offices").await.json();
    assert_eq!(
        slugs(&body),
        [
            "brackel-aplerbeck",
            "mengede-huckarde",
            "hoerde-hombruch",
            "eving-scharnhorst",
            "luetgendortmund"
        ]
    );
    let expected = [
        (
            "brackel-aplerbeck",
            "Caritasverband Dortmund e.V.",
            "Brackeler Hellweg 146",
            "44309",
            "2016-10-01",
            vec!["brackel", "aplerbeck"],
        ),
        (
            "mengede-huckarde",
            "Diakonisches Werk Dortmund und Lünen gGmbH",
            "Westerfilder Straße 54",
            "44357",
            "2018-02-09",
            vec!["huckarde", "mengede"],
        ),
        (
            "hoerde-hombruch",
            "AWO Unterbezirk Dortmund",
            "Schildplatz 7",
            "44263",
            "2018-03-09",
            vec!["hoerde", "hombruch"],
        ),
        (
            "eving-scharnhorst",
            "DRK Kreisverband Dortmund e.V.",
            "Bayrische Straße 135",
            "44339",
            "2019-01-31",
            vec!["eving", "scharnhorst"],
        ),
        (
            "luetgendortmund",
            "European Homecare GmbH",
            "Lütgendortmunder Straße 128",
            "44388",
            "2019-02-06",
            vec!["luetgendortmund"],
        ),
    ];
    for (office, (slug, provider, street, postal, opened, districts)) in
        body["items"].as_array().unwrap().iter().zip(expected)
    {
        assert_eq!(office["slug"], slug);
        assert_eq!(office["status"], "active");
        assert_eq!(office["kind"], "office");
        assert_eq!(office["provider"]["name"], provider);
        assert_eq!(office["provider"]["kind"], "welfare_provider");
        assert_eq!(office["opened_on"], opened);
        assert_eq!(office["current_location"]["address"]["street"], street);
        assert_eq!(office["current_location"]["address"]["postal_code"], postal);
        assert_eq!(office["current_location"]["is_current"], true);
        let codes: Vec<&str> = office["districts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, districts, "{slug}");
        assert!(office["description"]["de"].is_string());
    }
    let mh = &body["items"][1];
    assert_eq!(mh["contact"]["phone"], "0231 50 11 148");
    assert_eq!(mh["contact"]["email"], "lokalwillkommen.mh@stadtdo.de");
}

async fn office_filters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(
        slugs(&app.get("/api/v1/offices?district=huckarde").await.json()),
        ["mengede-huckarde"]
    );
    assert_eq!(
        slugs(
            &app.get("/api/v1/offices?district=scharnhorst&status=active")
                .await
                .json()
        ),
        ["eving-scharnhorst"]
    );
    assert!(slugs(&app.get("/api/v1/offices?district=innenstadt-nord").await.json()).is_empty());
    assert_eq!(
        slugs(&app.get("/api/v1/offices?status=active&kind=office").await.json()).len(),
        5
    );
    assert!(slugs(&app.get("/api/v1/offices?status=closed").await.json()).is_empty());
    assert!(slugs(&app.get("/api/v1/offices?kind=outpost").await.json()).is_empty());

    app.get("/api/v1/offices?district=dortmund")
        .await
        .problem(400, "invalid_query");
    app.get("/api/v1/offices?status=open")
        .await
        .problem(400, "invalid_query");
    app.get("/api/v1/offices?kind=")
        .await
        .problem(400, "invalid_query");
    app.get("/api/v1/offices?distrct=eving")
        .await
        .problem(400, "invalid_query");
    app.get("/api/v1/offices?limit=abc")
        .await
        .problem(400, "invalid_query");
    let too_many = app
        .get("/api/v1/offices?limit=201")
        .await
        .problem(400, "invalid_parameter");
    assert_eq!(too_many["errors"][0]["parameter"], "limit");
    app.get("/api/v1/offices?cursor=bm9wZQ")
        .await
        .problem(400, "invalid_parameter");
}

async fn office_pagination_is_complete_and_stable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let all = slugs(&app.get("/api/v1/offices").await.json());
    let mut seen = Vec::new();
    let mut path = "/api/v1/offices?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let page = app.get(&path).await.json();
        pages += 1;
        seen.extend(slugs(&page));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/offices?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, all);
    // Filters combine with paging.
    let page = app.get("/api/v1/offices?status=active&limit=4").await.json();
    assert_eq!(slugs(&page).len(), 4);
    let rest = app
        .get(&format!(
            "/api/v1/offices?status=active&limit=4&cursor={}",
            page["next_cursor"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(slugs(&rest), ["luetgendortmund"]);
    assert!(rest["next_cursor"].is_null());
}

async fn office_by_slug_and_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let by_slug = app.get("/api/v1/offices/hoerde-hombruch").await;
    assert_eq!(by_slug.status, 200);
    let office = by_slug.json();
    assert_eq!(office["name"], "lokal willkommen Hörde/Hombruch");
    let by_id = app
        .get(&format!("/api/v1/offices/{}", office["id"].as_str().unwrap()))
        .await;
    assert_eq!(by_id.json(), office);
    assert_eq!(by_id.header("etag"), by_slug.header("etag"));

    app.get("/api/v1/offices/nowhere").await.problem(404, "not_found");
    app.get(&format!("/api/v1/offices/{}", uuid::Uuid::now_v7()))
        .await
        .problem(404, "not_found");
    app.get("/api/v1/offices/Not%20A%20Slug")
        .await
        .problem(400, "invalid_parameter");
    app.get("/api/v1/offices/--/locations")
        .await
        .problem(400, "invalid_parameter");
    app.get("/api/v1/offices/nowhere/locations")
        .await
        .problem(404, "not_found");
}

async fn mengede_huckarde_history_shows_both_periods(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/api/v1/offices/mengede-huckarde/locations").await;
    assert_eq!(res.status, 200);
    let body = res.json();
    let periods = body["items"].as_array().unwrap();
    assert_eq!(periods.len(), 2);
    let parish = &periods[0];
    assert_eq!(parish["valid_from"], "2018-02-09");
    assert_eq!(parish["valid_to"], "2018-12-01");
    assert_eq!(parish["temporary"], true);
    assert!(
        parish["address"]["street"].is_null(),
        "the parish hall's street was never published"
    );
    assert_eq!(parish["address"]["district"], "mengede");
    assert_eq!(
        parish["host_organization"]["name"],
        "Ev. Noah-Kirchengemeinde Dortmund"
    );
    assert_eq!(parish["is_current"], false);
    let shop = &periods[1];
    assert_eq!(shop["address"]["street"], "Westerfilder Straße 54");
    assert_eq!(shop["address"]["postal_code"], "44357");
    assert_eq!(shop["valid_from"], "2018-12-01");
    assert!(shop["valid_to"].is_null());
    assert_eq!(shop["temporary"], false);
    assert!(
        shop["note"].as_str().unwrap().contains("Näherungswert"),
        "the approximate date is flagged"
    );
    assert_eq!(shop["is_current"], true);
    assert!(shop.get("recorded_by").is_none(), "no account ids in public data");

    let office = app.get("/api/v1/offices/mengede-huckarde").await.json();
    assert_eq!(office["current_location"], *shop);
    let by_id = app
        .get(&format!(
            "/api/v1/offices/{}/locations?limit=1",
            office["id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(by_id["items"][0], *parish);
    let next = app
        .get(&format!(
            "/api/v1/offices/mengede-huckarde/locations?limit=1&cursor={}",
            by_id["next_cursor"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(next["items"][0], *shop);
    assert!(next["next_cursor"].is_null());
}

async fn conditional_requests(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in [
        "/api/v1/offices",
        "/api/v1/offices?district=eving",
        "/api/v1/offices/luetgendortmund",
        "/api/v1/offices/luetgendortmund/locations",
        "/api/v1/districts",
        "/api/v1/organizations",
    ] {
        let first = app.get(path).await;
        assert_eq!(first.status, 200, "{path}");
        let etag = first.header("etag").expect("etag").to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "strong etag: {etag}"
        );
        assert_eq!(
            app.get(path).await.header("etag"),
            Some(etag.as_str()),
            "stable etag for {path}"
        );

        let cached = app
            .send(
                app.client
                    .get(app.url(path))
                    .insert_header(("if-none-match", etag.as_str())),
            )
            .await;
        assert_eq!(cached.status, 304, "{path}");
        assert!(cached.body.is_empty());
        assert_eq!(cached.header("etag"), Some(etag.as_str()));
        assert_eq!(cached.header("cache-control"), Some("public, max-age=60"));

        let listed = format!("\"other\", W/{etag}");
        let weak = app
            .send(
                app.client
                    .get(app.url(path))
                    .insert_header(("if-none-match", listed.as_str())),
            )
            .await;
        assert_eq!(weak.status, 304, "If-None-Match uses weak comparison");

        let stale = app
            .send(
                app.client
                    .get(app.url(path))
                    .insert_header(("if-none-match", "\"stale\"")),
            )
            .await;
        assert_eq!(stale.status, 200);
    }
    // Different representations have different tags.
    let a = app.get("/api/v1/offices/luetgendortmund").await;
    let b = app.get("/api/v1/offices/eving-scharnhorst").await;
    assert_ne!(a.header("etag"), b.header("etag"));
}
