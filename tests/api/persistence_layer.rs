//! The persistence layer on both databases: relocation as one transaction, the
//! database constraints behind it, seeding, and cache refresh across instances.

use chrono::NaiveDate;
use diesel::prelude::*;
use domain::{Address, District};
use lw_tests::{AppOptions, TestApp, TestDb, both_backends};
use persistence::audit::AuditContext;
use persistence::directory::offices::{self, NewLocation};
use persistence::schema::location_periods;
use persistence::{Backend, DbPool, RepoError};

both_backends!(
    relocation_rules,
    database_refuses_overlapping_periods,
    concurrent_relocations_one_wins,
    seed_is_idempotent,
    change_on_one_instance_reaches_all,
);

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn location(street: &str) -> NewLocation {
    NewLocation {
        address: Address {
            street: Some(street.into()),
            postal_code: Some("44263".into()),
            city: "Dortmund".into(),
            district: District::Hoerde,
        },
        premises: Some("Ladenlokal".into()),
        host_organization_id: None,
        temporary: false,
        reason: Some("mehr Platz".into()),
        note: None,
        coordinates: None,
    }
}

fn office_id(pool: &DbPool, slug: &str) -> domain::OfficeId {
    domain::OfficeId::from_stored(
        offices::find_by_slug(&mut pool.get().unwrap(), slug)
            .unwrap()
            .unwrap()
            .id,
    )
}

fn conflict_code(err: RepoError) -> &'static str {
    match err {
        RepoError::Relocation(e) => e.code().as_str(),
        RepoError::Refused { code, .. } => code.as_str(),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

async fn relocation_rules(backend: Backend) {
    let db = TestDb::new(backend);
    let pool = db.pool();
    let id = office_id(&pool, "hoerde-hombruch");
    let mut conn = pool.get().unwrap();

    let err = offices::relocate(
        &mut conn,
        &id,
        date(2018, 3, 9),
        location("Neue Straße 1"),
        &AuditContext::system("test", &lw_tests::test_clock()),
    )
    .unwrap_err();
    assert_eq!(conflict_code(err), "move_predates_current_period");
    let err = offices::relocate(
        &mut conn,
        &id,
        date(2017, 1, 1),
        location("Neue Straße 1"),
        &AuditContext::system("test", &lw_tests::test_clock()),
    )
    .unwrap_err();
    assert_eq!(conflict_code(err), "move_predates_current_period");
    let err = offices::relocate(
        &mut conn,
        &id,
        date(2024, 1, 1),
        location("schildplatz  7"),
        &AuditContext::system("test", &lw_tests::test_clock()),
    )
    .unwrap_err();
    assert_eq!(conflict_code(err), "move_to_current_address");
    let missing = <domain::OfficeId as domain::Id>::generate();
    assert!(matches!(
        offices::relocate(
            &mut conn,
            &missing,
            date(2024, 1, 1),
            location("X 1"),
            &AuditContext::system("test", &lw_tests::test_clock())
        ),
        Err(RepoError::NotFound)
    ));
    assert_eq!(
        offices::history(&mut conn, &id).unwrap().len(),
        1,
        "rejected moves change nothing"
    );

    let new = offices::relocate(
        &mut conn,
        &id,
        date(2024, 5, 1),
        location("Hermannstraße 20"),
        &AuditContext {
            actor_id: Some("tester".into()),
            ..AuditContext::system("test", &lw_tests::test_clock())
        },
    )
    .unwrap();
    let history = offices::history(&mut conn, &id).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].valid_to, Some(date(2024, 5, 1)));
    assert_eq!(history[1].id, new.id);
    assert_eq!(history[1].valid_from, date(2024, 5, 1));
    assert_eq!(history[1].valid_to, None);
    assert_eq!(history[1].recorded_by.as_deref(), Some("tester"));

    // A move announced ahead is accepted; the period before it stays current until then.
    offices::relocate(
        &mut conn,
        &id,
        date(2099, 1, 1),
        location("Zukunftsweg 1"),
        &AuditContext::system("test", &lw_tests::test_clock()),
    )
    .unwrap();
    let history = offices::history(&mut conn, &id).unwrap();
    assert_eq!(history.len(), 3);
    assert!(
        history[1]
            .to_domain()
            .unwrap()
            .covers(lw_tests::test_clock().today())
    );
}

async fn database_refuses_overlapping_periods(backend: Backend) {
    let db = TestDb::new(backend);
    let pool = db.pool();
    let id = office_id(&pool, "eving-scharnhorst");
    let mut conn = pool.get().unwrap();
    let open = offices::history(&mut conn, &id).unwrap().remove(0);

    // Bypassing the domain rules: a second period starting inside the open one.
    let mut rogue = open.clone();
    rogue.id = persistence::new_id();
    rogue.valid_from = date(2020, 1, 1);
    rogue.valid_to = Some(date(2021, 1, 1));
    let err = diesel::insert_into(location_periods::table)
        .values(&rogue)
        .execute(&mut conn)
        .unwrap_err();
    assert_eq!(
        conflict_code(RepoError::from_constraint(err)),
        "location_periods_overlap"
    );

    // A second open period, even one that starts later.
    let mut second_open = open.clone();
    second_open.id = persistence::new_id();
    second_open.valid_from = date(2030, 1, 1);
    assert!(
        diesel::insert_into(location_periods::table)
            .values(&second_open)
            .execute(&mut conn)
            .is_err()
    );

    // A reversed period.
    let mut reversed = open.clone();
    reversed.id = persistence::new_id();
    reversed.valid_from = date(2010, 1, 2);
    reversed.valid_to = Some(date(2010, 1, 1));
    assert!(
        diesel::insert_into(location_periods::table)
            .values(&reversed)
            .execute(&mut conn)
            .is_err()
    );

    // Stretching an earlier period into the open one is refused on update too.
    let mut earlier = open.clone();
    earlier.id = persistence::new_id();
    earlier.valid_from = date(2015, 1, 1);
    earlier.valid_to = Some(date(2016, 1, 1));
    diesel::insert_into(location_periods::table)
        .values(&earlier)
        .execute(&mut conn)
        .unwrap();
    let err = diesel::update(location_periods::table.find(&earlier.id))
        .set(location_periods::valid_to.eq(Some(date(2019, 6, 1))))
        .execute(&mut conn)
        .unwrap_err();
    assert_eq!(
        conflict_code(RepoError::from_constraint(err)),
        "location_periods_overlap"
    );
}

async fn concurrent_relocations_one_wins(backend: Backend) {
    let db = TestDb::new(backend);
    let pool = db.pool();
    let id = office_id(&pool, "luetgendortmund");
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let pool = pool.clone();
            let id = id.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                offices::relocate(
                    &mut conn,
                    &id,
                    date(2025, 6, 1),
                    location(&format!("Parallelweg {i}")),
                    &AuditContext::system("test", &lw_tests::test_clock()),
                )
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(
        wins, 1,
        "exactly one of the concurrent moves is recorded: {results:?}"
    );
    for err in results.into_iter().filter_map(Result::err) {
        assert_eq!(conflict_code(err), "move_predates_current_period");
    }
    let history = offices::history(&mut pool.get().unwrap(), &id).unwrap();
    assert_eq!(history.len(), 2);
    let periods: Vec<_> = history.iter().map(|r| r.to_domain().unwrap()).collect();
    domain::directory::location::check_history(&periods).unwrap();
}

async fn seed_is_idempotent(backend: Backend) {
    let db = TestDb::new(backend);
    let pool = db.pool(); // seeds the empty database
    let mut conn = pool.get().unwrap();
    let before = persistence::read_model::load(&mut conn).unwrap();
    assert_eq!(before.offices.len(), 5);
    assert_eq!(before.organizations.len(), 7);
    assert_eq!(
        before
            .offices
            .iter()
            .map(|o| o.location_periods.len())
            .sum::<usize>(),
        6
    );
    let report = persistence::seed::seed(&mut conn, &lw_tests::test_clock()).unwrap();
    assert_eq!(report, persistence::seed::SeedReport::default());
    assert!(
        persistence::seed::seed_if_empty(&mut conn, &lw_tests::test_clock())
            .unwrap()
            .is_none()
    );
    let after = persistence::read_model::load(&mut conn).unwrap();
    assert_eq!(after.offices.len(), 5);
    assert_eq!(
        after
            .offices
            .iter()
            .map(|o| o.location_periods.len())
            .sum::<usize>(),
        6
    );
    assert_eq!(
        after.version, before.version,
        "a seed run that adds nothing changes nothing"
    );
}

async fn change_on_one_instance_reaches_all(backend: Backend) {
    let first = TestApp::spawn(backend).await;
    let second = TestApp::spawn_on(first.db.share(), AppOptions::default()).await;
    let before = second.get("/api/v1/offices/hoerde-hombruch").await;
    let etag = before.header("etag").unwrap().to_owned();

    // A write through the persistence layer stands for a write on any other instance.
    let pool = persistence::connect(&first.db.url, 1).unwrap();
    let id = office_id(&pool, "hoerde-hombruch");
    offices::relocate(
        &mut pool.get().unwrap(),
        &id,
        date(2024, 2, 1),
        location("Hermannstraße 20"),
        &AuditContext::system("test", &lw_tests::test_clock()),
    )
    .unwrap();

    // Test servers poll every 50 ms (a short test setting); the production bound, the
    // poll interval (500 ms) plus a reload, is documented, not asserted here.
    for app in [&first, &second] {
        let office = lw_tests::eventually(|| async {
            let office = app.get("/api/v1/offices/hoerde-hombruch").await;
            let moved = office.json()["current_location"]["address"]["street"] == "Hermannstraße 20";
            moved.then_some(office)
        })
        .await;
        assert_ne!(
            office.header("etag"),
            Some(etag.as_str()),
            "the ETag follows the change"
        );
    }
    let history = second
        .get("/api/v1/offices/hoerde-hombruch/locations")
        .await
        .json();
    assert_eq!(history["items"].as_array().unwrap().len(), 2);
}
