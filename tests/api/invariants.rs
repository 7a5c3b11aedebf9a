//! The office's invariants (`domain::directory::invariants`): each refused through the
//! API, the seeded and demo data checked, and random sequences of writes through the
//! persistence layer compared with a simple model after every step.

use chrono::NaiveDate;
use domain::directory::invariants::{self, OfficeState};
use domain::directory::location::{self, Address, LocationPeriod};
use domain::staffing::{Assignment, Side};
use domain::{District, Id, OfficeId, OfficeKind, OfficeStatus, Role, UserId};
use lw_tests::{TestApp, TestDb, both_backends};
use persistence::Backend;
use persistence::audit::AuditContext;
use persistence::directory::offices::{self, NewLocation, NewOffice, OfficeChanges};
use persistence::read_model;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;

both_backends!(
    opening_after_the_first_location_is_refused,
    every_invariant_is_refused_through_the_api,
    closing_ends_the_history_and_reopening_resumes_it,
    seeded_and_demo_data_keep_the_invariants,
    random_write_sequences_keep_the_invariants_and_match_the_model,
);

const OFFICE: &str = "/api/v1/offices/eving-scharnhorst";

/// The example of the report: the office's history starts in 2019.
async fn opening_after_the_first_location_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let res = app
        .patch_current(&coordinator, OFFICE, &json!({"opened_on": "2025-01-01"}))
        .await;
    let problem = res.problem(422, "opened_after_first_location");
    assert_eq!(problem["errors"][0]["pointer"], "/opened_on");
    // Nothing changed: the feed and the office still start where they did.
    let office = app.get(OFFICE).await.json();
    assert_ne!(office["opened_on"], "2025-01-01");
}

async fn every_invariant_is_refused_through_the_api(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    // Closed without a closing day.
    app.patch_current(&coordinator, OFFICE, &json!({"status": "closed"}))
        .await
        .problem(422, "closed_without_date");
    // Closing while a tandem is still assigned.
    let (person, _) = app.create_account(Role::Staff, false);
    app.assign(&person, "eving-scharnhorst");
    // Written past the API: wait until the snapshot shows it, or an ETag read before the
    // watcher's reload would be stale at the next write.
    lw_tests::eventually(|| async {
        let office = app.get_as(&coordinator, OFFICE).await.json();
        (office["staffing_status"] != "vacant").then_some(())
    })
    .await;
    let problem = app
        .patch_current(
            &coordinator,
            OFFICE,
            &json!({"status": "closed", "closed_on": "2026-12-01"}),
        )
        .await
        .problem(422, "assignment_after_closing");
    assert_eq!(problem["errors"][0]["pointer"], "/staff/0");
    // A closing day on the opening day (2019-01-31).
    app.patch_current(&coordinator, OFFICE, &json!({"closed_on": "2019-01-31"}))
        .await
        .problem(422, "closed_before_opened");
    // An assignment starting before the office opened.
    let (newcomer, _) = app.create_account(Role::Staff, false);
    app.post_json(
        &coordinator,
        &format!("{OFFICE}/staff"),
        &json!({"user_id": newcomer, "side": "city", "started_on": "2018-06-01"}),
    )
    .await
    .problem(422, "before_office_opened");
    // Closing before an announced move: the new period would start after the closing day.
    let address =
        json!({"street": "Neue Straße 1", "postal_code": "44339", "city": "Dortmund", "district": "eving"});
    let res = app
        .post_json(
            &coordinator,
            &format!("{OFFICE}/relocations"),
            &json!({"moved_on": "2027-06-01", "address": address}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let city = app.get_as(&coordinator, &format!("{OFFICE}/staff")).await.json()["city"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ended = app
        .post_json(
            &coordinator,
            &format!("{OFFICE}/staff/{city}/end"),
            &json!({"ended_on": "2026-12-01", "reason": null}),
        )
        .await;
    assert_eq!(ended.status, 200, "{}", String::from_utf8_lossy(&ended.body));
    let problem = app
        .patch_current(
            &coordinator,
            OFFICE,
            &json!({"status": "closed", "closed_on": "2027-01-01"}),
        )
        .await
        .problem(422, "location_after_closing");
    assert!(
        problem["errors"][0]["pointer"]
            .as_str()
            .unwrap()
            .starts_with("/locations/")
    );
    // A closure before the office opened.
    let hours = format!("{OFFICE}/consultation-hours");
    let etag = app.etag(&hours).await;
    let problem = app
        .put_json(
            &coordinator,
            &hours,
            &etag,
            &json!({"closures": [{"first_day": "1950-01-01", "last_day": "1950-01-02", "reason": null}]}),
        )
        .await
        .problem(422, "outside_office_life");
    assert_eq!(problem["errors"][0]["pointer"], "/closures/0");
    // An extra session before the office opened.
    let problem = app
        .put_json(
            &coordinator,
            &hours,
            &etag,
            &json!({"extra_sessions": [{"day": "1950-03-01", "opens": "10:00", "closes": "12:00", "languages": ["de"], "place": null, "note": null}]}),
        )
        .await
        .problem(422, "outside_office_life");
    assert_eq!(problem["errors"][0]["pointer"], "/extra_sessions/0");
}

async fn closing_ends_the_history_and_reopening_resumes_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let res = app
        .patch_current(
            &coordinator,
            OFFICE,
            &json!({"status": "closed", "closed_on": "2026-12-01"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let history = app.get(&format!("{OFFICE}/locations")).await.json();
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["valid_to"], "2026-12-01");
    // No move after the closing day.
    let address =
        json!({"street": "Neue Straße 1", "postal_code": "44339", "city": "Dortmund", "district": "eving"});
    app.post_json(
        &coordinator,
        &format!("{OFFICE}/relocations"),
        &json!({"moved_on": "2027-01-01", "address": address}),
    )
    .await
    .problem(409, "no_open_location_period");
    // After the closing day the office has no current location.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
            .unwrap()
            .to_utc(),
    );
    lw_tests::eventually(|| async {
        app.get(OFFICE).await.json()["current_location"]
            .is_null()
            .then_some(())
    })
    .await;
    // Reopening resumes the last period (a fresh sign-in: the clock moved two weeks).
    let (_, coordinator) = app.token_for(Role::Coordinator).await;
    let res = app
        .patch_current(
            &coordinator,
            OFFICE,
            &json!({"status": "active", "closed_on": null}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let history = app.get(&format!("{OFFICE}/locations")).await.json();
    assert!(history["items"].as_array().unwrap().last().unwrap()["valid_to"].is_null());
}

async fn seeded_and_demo_data_keep_the_invariants(backend: Backend) {
    let db = TestDb::new(backend);
    let pool = db.pool();
    let check_all = |pool: &persistence::DbPool| {
        let mut conn = pool.get().unwrap();
        let data = read_model::load(&mut conn).unwrap();
        assert_eq!(data.offices.len(), 5);
        for office in &data.offices {
            invariants::check(&office.state().unwrap())
                .unwrap_or_else(|v| panic!("{}: {v:?}", office.office.slug));
        }
    };
    check_all(&pool);
    server::demo::create_demo(&pool).unwrap();
    check_all(&pool);

    // The demo year of field work: every active office gets records (their rules hold,
    // or the persistence calls would have refused them), partners and cooperations;
    // running it again adds nothing.
    let clock = lw_tests::test_clock();
    let work = server::demo_fieldwork::create_field_work(&pool, &clock).unwrap();
    assert_eq!(work.offices, 5);
    assert!(work.contacts > 1_000 && work.referrals_closed > 100, "{work:?}");
    assert_eq!((work.home_visits, work.meetings, work.partners), (80, 60, 5));
    let again = server::demo_fieldwork::create_field_work(&pool, &clock).unwrap();
    assert_eq!((again.offices, again.contacts, again.partners), (0, 0, 0));
    check_all(&pool);
    // The benchmark loader writes exactly what it is asked for.
    let before = {
        let mut conn = pool.get().unwrap();
        let offices = persistence::directory::offices::active_ids(&mut conn).unwrap();
        offices
            .iter()
            .map(|o| persistence::fieldwork::contacts::count_for_office(&mut conn, o).unwrap())
            .sum::<i64>()
    };
    assert_eq!(
        server::demo_fieldwork::load_volume(&pool, &clock, 2_500).unwrap(),
        2_500
    );
    let mut conn = pool.get().unwrap();
    let offices = persistence::directory::offices::active_ids(&mut conn).unwrap();
    let after: i64 = offices
        .iter()
        .map(|o| persistence::fieldwork::contacts::count_for_office(&mut conn, o).unwrap())
        .sum();
    assert_eq!(after - before, 2_500);
}

// ---------------------------------------------------------------------------------------
// Model-based: random sequences of writes, checked after every step.

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 1, 1).unwrap() + chrono::Days::new(u64::try_from(offset).unwrap())
}

#[derive(Debug, Clone)]
enum Op {
    SetOpened(i64),
    Close(i64),
    Reopen,
    Relocate(i64),
    Assign(i64),
    EndAssignment(i64),
    Closure(i64, i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0i64..1500).prop_map(Op::SetOpened),
        (0i64..2500).prop_map(Op::Close),
        Just(Op::Reopen),
        (0i64..2500).prop_map(Op::Relocate),
        (0i64..2500).prop_map(Op::Assign),
        (0i64..2500).prop_map(Op::EndAssignment),
        (0i64..2500, 0i64..30).prop_map(|(from, len)| Op::Closure(from, len)),
    ]
}

fn street(n: usize) -> Address {
    Address {
        street: Some(format!("Modellweg {n}")),
        postal_code: Some("44339".into()),
        city: "Dortmund".into(),
        district: District::Eving,
    }
}

/// The model: what the office should look like, and whether a write should be taken.
#[derive(Debug, Clone)]
struct Model {
    state: OfficeState,
    streets: usize,
}

impl Model {
    /// The state after `op` if every rule accepts it, or `None` when it must be refused.
    fn apply(&self, op: &Op) -> Option<Model> {
        let mut next = self.clone();
        let s = &mut next.state;
        match *op {
            Op::SetOpened(d) => s.opened_on = Some(day(d)),
            Op::Close(d) => {
                let old = s.closed_on;
                s.status = OfficeStatus::Closed;
                s.closed_on = Some(day(d));
                follow_closing(&mut s.periods, old, Some(day(d)));
            }
            Op::Reopen => {
                let old = s.closed_on;
                s.status = OfficeStatus::Active;
                s.closed_on = None;
                follow_closing(&mut s.periods, old, None);
            }
            Op::Relocate(d) => {
                let address = street(next.streets);
                let plan = location::plan_relocation(&s.periods, day(d), &address).ok()?;
                location::apply_relocation(&mut s.periods, &plan, address);
                next.streets += 1;
            }
            Op::Assign(d) => {
                let started = day(d);
                // One person on the city side: a new assignment may follow the ended ones.
                let allowed = s
                    .assignments
                    .iter()
                    .all(|a| a.ended_on.is_some_and(|end| end <= started))
                    && s.opened_on.is_none_or(|o| started >= o)
                    && s.closed_on.is_none_or(|c| started < c);
                if !allowed {
                    return None;
                }
                s.assignments.push(Assignment {
                    user_id: String::new(),
                    side: Side::City,
                    started_on: started,
                    ended_on: None,
                });
            }
            Op::EndAssignment(d) => {
                let a = s.assignments.first_mut()?;
                if a.ended_on.is_some() || day(d) <= a.started_on {
                    return None;
                }
                a.ended_on = Some(day(d));
            }
            Op::Closure(from, len) => s.closures = vec![(day(from), day(from + len))],
        }
        invariants::check(&next.state).ok()?;
        Some(next)
    }
}

fn follow_closing(periods: &mut [LocationPeriod], old: Option<NaiveDate>, new: Option<NaiveDate>) {
    if let Some(old) = old {
        for p in periods.iter_mut().filter(|p| p.valid_to == Some(old)) {
            p.valid_to = None;
        }
    }
    if let Some(new) = new {
        for p in periods
            .iter_mut()
            .filter(|p| p.valid_from < new && p.valid_to.is_none_or(|to| to > new))
        {
            p.valid_to = Some(new);
        }
    }
}

/// The parts of the stored office the model predicts.
fn observed(state: &OfficeState) -> impl PartialEq + std::fmt::Debug {
    (
        state.status,
        state.opened_on,
        state.closed_on,
        state
            .periods
            .iter()
            .map(|p| (p.valid_from, p.valid_to, p.address.street.clone()))
            .collect::<Vec<_>>(),
        state
            .assignments
            .iter()
            .map(|a| (a.started_on, a.ended_on))
            .collect::<Vec<_>>(),
        state.closures.clone(),
    )
}

/// Runs `op` through the persistence layer; `true` when it was taken.
fn write(
    conn: &mut persistence::DbConnection,
    office: &OfficeId,
    person: &UserId,
    op: &Op,
    ctx: &AuditContext,
    streets: usize,
) -> bool {
    let current_version = |conn: &mut persistence::DbConnection| {
        use diesel::prelude::*;
        persistence::schema::offices::table
            .find(office.as_str())
            .select(persistence::schema::offices::version)
            .first::<i64>(conn)
            .unwrap()
    };
    let change = |changes: OfficeChanges, conn: &mut persistence::DbConnection, v: i64| {
        read_model::write_office(conn, office, |conn| {
            offices::update(conn, office, v, &changes, ctx)
        })
        .is_ok()
    };
    match *op {
        Op::SetOpened(d) => {
            let v = current_version(conn);
            change(
                OfficeChanges {
                    opened_on: Some(Some(day(d))),
                    ..OfficeChanges::default()
                },
                conn,
                v,
            )
        }
        Op::Close(d) => {
            let v = current_version(conn);
            change(
                OfficeChanges {
                    status: Some(OfficeStatus::Closed),
                    closed_on: Some(Some(day(d))),
                    ..OfficeChanges::default()
                },
                conn,
                v,
            )
        }
        Op::Reopen => {
            let v = current_version(conn);
            change(
                OfficeChanges {
                    status: Some(OfficeStatus::Active),
                    closed_on: Some(None),
                    ..OfficeChanges::default()
                },
                conn,
                v,
            )
        }
        Op::Relocate(d) => read_model::write_office(conn, office, |conn| {
            offices::relocate(
                conn,
                office,
                day(d),
                NewLocation {
                    address: street(streets),
                    premises: None,
                    host_organization_id: None,
                    temporary: false,
                    reason: None,
                    note: None,
                    coordinates: None,
                },
                ctx,
            )
        })
        .is_ok(),
        Op::Assign(d) => read_model::write_office(conn, office, |conn| {
            persistence::staffing::assignments::assign(conn, office, person, Side::City, day(d), ctx)
        })
        .is_ok(),
        Op::EndAssignment(d) => {
            let stored = persistence::staffing::assignments::for_office(conn, office).unwrap();
            let Some(first) = stored.first() else {
                return false;
            };
            let id = domain::AssignmentId::from_stored(first.row.id.clone());
            read_model::write_office(conn, office, |conn| {
                persistence::staffing::assignments::end(conn, office, &id, day(d), None, ctx)
            })
            .is_ok()
        }
        Op::Closure(from, len) => {
            let v = current_version(conn);
            let hours = persistence::directory::content::Hours {
                by_appointment: false,
                slots: Vec::new(),
                closures: vec![persistence::directory::content::HoursClosure {
                    first_day: day(from),
                    last_day: day(from + len),
                    reason: None,
                }],
                extra_sessions: Vec::new(),
            };
            read_model::write_office(conn, office, |conn| {
                persistence::directory::content::replace_hours(conn, office, v, &hours, ctx)
            })
            .is_ok()
        }
    }
}

async fn random_write_sequences_keep_the_invariants_and_match_the_model(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let pool = app.pool();
    let (person, _) = app.create_account(Role::Staff, false);
    let person = UserId::from_stored(person);
    let provider = {
        let mut conn = pool.get().unwrap();
        persistence::directory::organizations::find_by_name(
            &mut conn,
            "Diakonisches Werk Dortmund und Lünen gGmbH",
        )
        .unwrap()
        .map(|o| o.id)
        .unwrap_or_else(|| {
            let data = read_model::load(&mut conn).unwrap();
            data.offices[0].office.provider_organization_id.clone()
        })
    };
    let cases = if backend == Backend::Postgres { 60 } else { 150 };
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let counter = std::cell::Cell::new(0u32);
    let result = runner.run(&proptest::collection::vec(op(), 1..10), |ops| {
        counter.set(counter.get() + 1);
        let mut conn = pool.get().unwrap();
        let ctx = app.audit_context();
        let slug = format!("modell-{}", uuid::Uuid::now_v7().simple());
        let row = offices::create(
            &mut conn,
            NewOffice {
                slug,
                name: "Modellbüro".into(),
                kind: OfficeKind::Outpost,
                status: OfficeStatus::Active,
                provider_organization_id: provider.clone(),
                districts: vec![District::Eving],
                opened_on: Some(day(0)),
                phone: None,
                email: None,
                description: domain::LocalizedText::german("Modell"),
                first_location: Some((
                    day(0),
                    NewLocation {
                        address: street(0),
                        premises: None,
                        host_organization_id: None,
                        temporary: false,
                        reason: None,
                        note: None,
                        coordinates: None,
                    },
                )),
            },
            &ctx,
        )
        .unwrap();
        let office = OfficeId::from_stored(row.id);
        let stored = |conn: &mut persistence::DbConnection| {
            read_model::load_office(conn, &office)
                .unwrap()
                .record
                .state()
                .unwrap()
        };
        let mut model = Model {
            state: stored(&mut conn),
            streets: 1,
        };
        for op in &ops {
            let expected = model.apply(op);
            let taken = write(&mut conn, &office, &person, op, &ctx, model.streets);
            let now = stored(&mut conn);
            prop_assert!(
                invariants::check(&now).is_ok(),
                "{op:?} left a broken office: {now:?}"
            );
            prop_assert_eq!(
                taken,
                expected.is_some(),
                "{:?} taken={} model={:?}",
                op,
                taken,
                expected
            );
            if let Some(next) = expected {
                model = next;
            }
            prop_assert_eq!(observed(&now), observed(&model.state), "after {:?}", op);
        }
        Ok::<(), TestCaseError>(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    assert_eq!(counter.get(), cases);
}
