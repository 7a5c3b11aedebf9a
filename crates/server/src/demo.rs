//! `lokal-willkommen demo`: fictitious accounts and tandems so a frontend developer can
//! try every role at once. Clearly demo data: names start with "Demo", emails end in
//! `@demo.invalid` (a reserved domain), and each password is random, printed once, and
//! never stored in the code. Idempotent: accounts that exist are left alone.

use anyhow::Context;
use domain::Role;
use domain::staffing::Side;
use persistence::DbPool;
use persistence::audit::AuditContext;

pub struct DemoAccount {
    pub email: String,
    pub role: Role,
    /// `None` when the account already existed (its password is not known here).
    pub password: Option<String>,
    pub office: Option<(String, Side)>,
}

struct Planned {
    email: String,
    name: String,
    role: Role,
    employer: String,
    office: Option<(String, Side)>,
}

pub fn create_demo(pool: &DbPool) -> anyhow::Result<Vec<DemoAccount>> {
    let mut conn = pool.get().context("cannot connect to the database")?;
    let clock = domain::Clock::system();
    let ctx = AuditContext::system("demo", &clock);
    let city = persistence::directory::organizations::find_by_name(&mut conn, persistence::seed::CITY)?
        .context("the seed data is missing; run `lokal-willkommen seed`")?;
    let planned = |email: &str, name: &str, role, employer: &str, office| Planned {
        email: email.to_owned(),
        name: name.to_owned(),
        role,
        employer: employer.to_owned(),
        office,
    };
    let mut wanted = vec![
        planned(
            "demo-admin@demo.invalid",
            "Demo Admin",
            Role::Admin,
            &city.id,
            None,
        ),
        planned(
            "demo-coordinator@demo.invalid",
            "Demo Koordination",
            Role::Coordinator,
            &city.id,
            None,
        ),
        planned(
            "demo-reader@demo.invalid",
            "Demo Lesezugriff",
            Role::Reader,
            &city.id,
            None,
        ),
    ];
    let data = persistence::read_model::load(&mut conn)?;
    for office in data.offices.iter().map(|o| &o.office) {
        wanted.push(planned(
            &format!("demo-{}-stadt@demo.invalid", office.slug),
            &format!("Demo Stadt {}", office.name),
            Role::Staff,
            &city.id,
            Some((office.id.clone(), Side::City)),
        ));
        wanted.push(planned(
            &format!("demo-{}-traeger@demo.invalid", office.slug),
            &format!("Demo Träger {}", office.name),
            Role::Staff,
            &office.provider_organization_id,
            Some((office.id.clone(), Side::Provider)),
        ));
    }
    let today = clock.today();
    let mut accounts = Vec::new();
    for Planned {
        email,
        name,
        role,
        employer,
        office,
    } in wanted
    {
        if persistence::accounts::users::find_by_email(&mut conn, &email)?.is_some() {
            accounts.push(DemoAccount {
                email,
                role,
                password: None,
                office,
            });
            continue;
        }
        let password = api::accounts::auth::secrets::random_token("demo-");
        let user = persistence::accounts::users::create(
            &mut conn,
            persistence::accounts::users::NewUser {
                email: email.clone(),
                display_name: name,
                employer_organization_id: employer,
                role,
                password_hash: api::accounts::auth::passwords::hash(&password),
                password_change_required: false,
            },
            &ctx,
        )?;
        if let Some((office_id, side)) = &office {
            let opened = data
                .offices
                .iter()
                .find(|o| &o.office.id == office_id)
                .and_then(|o| o.office.opened_on);
            let start = opened.map_or(today, |o| o.max(today - chrono::Days::new(30)));
            // A side that is already staffed stays as it is.
            if let Err(e) = persistence::staffing::assignments::assign(
                &mut conn,
                &domain::OfficeId::from_stored(office_id.clone()),
                &domain::UserId::from_stored(user.id.clone()),
                *side,
                start,
                &ctx,
            ) {
                eprintln!("note: {email} not assigned: {e}");
            }
        }
        accounts.push(DemoAccount {
            email,
            role,
            password: Some(password),
            office,
        });
    }
    Ok(accounts)
}
