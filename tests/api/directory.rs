use lw_tests::{TestApp, both_backends};
use persistence::Backend;

both_backends!(
    districts_are_the_twelve_in_official_order,
    organizations_list_and_get,
    organization_errors
);

async fn districts_are_the_twelve_in_official_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/api/v1/districts").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("cache-control"), Some("public, max-age=60"));
    let body = res.json();
    let codes: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "innenstadt-west",
            "innenstadt-nord",
            "innenstadt-ost",
            "eving",
            "scharnhorst",
            "brackel",
            "aplerbeck",
            "hoerde",
            "hombruch",
            "luetgendortmund",
            "huckarde",
            "mengede"
        ]
    );
    assert_eq!(body["items"][7]["name"], "Hörde");
    assert_eq!(body["items"][9]["name"], "Lütgendortmund");
    assert!(body["next_cursor"].is_null());

    // Paging through the fixed list in pages of 5 yields every district once.
    let mut seen = Vec::new();
    let mut path = "/api/v1/districts?limit=5".to_owned();
    loop {
        let page = app.get(&path).await.json();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["code"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/districts?limit=5&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, codes);
}

async fn organizations_list_and_get(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = app.get("/api/v1/organizations").await.json();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 7);
    let find = |name: &str| {
        items
            .iter()
            .find(|o| o["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(find("Stadt Dortmund")["kind"], "municipality");
    for provider in [
        "Caritasverband Dortmund e.V.",
        "Diakonisches Werk Dortmund und Lünen gGmbH",
        "AWO Unterbezirk Dortmund",
        "DRK Kreisverband Dortmund e.V.",
        "European Homecare GmbH",
    ] {
        assert_eq!(find(provider)["kind"], "welfare_provider");
    }
    assert_eq!(find("Ev. Noah-Kirchengemeinde Dortmund")["kind"], "partner");

    let city = find("Stadt Dortmund");
    let one = app
        .get(&format!("/api/v1/organizations/{}", city["id"].as_str().unwrap()))
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(&one.json(), city);
    assert!(
        one.json()["created_at"].as_str().unwrap().ends_with('Z'),
        "instants are RFC 3339 UTC"
    );
}

async fn organization_errors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let missing = uuid::Uuid::now_v7();
    app.get(&format!("/api/v1/organizations/{missing}"))
        .await
        .problem(404, "not_found");
    let bad = app
        .get("/api/v1/organizations/not-a-uuid")
        .await
        .problem(400, "invalid_parameter");
    assert_eq!(bad["errors"][0]["parameter"], "id");
    app.get("/api/v1/organizations?limit=0")
        .await
        .problem(400, "invalid_parameter");
    app.get("/api/v1/organizations?page=2")
        .await
        .problem(400, "invalid_query");
}
