//! Test harness: a fresh database per test (SQLite file or PostgreSQL database cloned
//! from a migrated template), the real server on port 0, and a typed client.
// Test support: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use persistence::{Backend, DbPool};
use serde_json::Value;
use server::config::Settings;
use server::startup::Application;

/// Runs a test body once on SQLite and once on PostgreSQL, as `<name>::sqlite` and
/// `<name>::postgres`. The body is an `async fn(Backend)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[actix_rt::test]
            async fn sqlite() {
                super::$name(persistence::Backend::Sqlite).await;
            }
            #[actix_rt::test]
            async fn postgres() {
                if $crate::postgres_available() {
                    super::$name(persistence::Backend::Postgres).await;
                }
            }
        }
    )+};
}

/// Whether PostgreSQL tests can run. Without `TEST_DATABASE_URL` they are skipped with
/// a message (laptops); with `CI` set a missing URL fails the test, and so does a set but
/// unreachable URL.
pub fn postgres_available() -> bool {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            PgConnection::establish(&url)
                .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}"));
            true
        }
        _ => {
            // A skip in CI would let the PostgreSQL half of the suite silently never run.
            assert!(
                !std::env::var("CI").is_ok_and(|ci| !ci.is_empty()),
                "CI is set but TEST_DATABASE_URL is missing or empty: the PostgreSQL variants \
                 must run in CI (set TEST_DATABASE_URL=postgres://...)"
            );
            eprintln!("SKIPPED: PostgreSQL variant (set TEST_DATABASE_URL=postgres://... to run it)");
            false
        }
    }
}

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = dir.path().join("test.db").to_string_lossy().into_owned();
                TestDb {
                    url,
                    backend,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let admin_url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
                let template = ensure_template(&admin_url);
                let name = format!("lw_test_{}", uuid::Uuid::now_v7().simple());
                let mut admin = PgConnection::establish(&admin_url).expect("admin connection");
                // Concurrent clones of one template can collide briefly; retry.
                let mut attempt = 0;
                loop {
                    match admin.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}")) {
                        Ok(()) => break,
                        Err(e) if attempt < 50 => {
                            attempt += 1;
                            let _ = e;
                            std::thread::sleep(Duration::from_millis(50 + attempt * 10));
                        }
                        Err(e) => panic!("cannot create test database: {e}"),
                    }
                }
                TestDb {
                    url: replace_db_name(&admin_url, &name),
                    backend,
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// The same database under a second handle that does not remove it on drop
    /// (for a second server instance).
    #[must_use]
    pub fn share(&self) -> TestDb {
        TestDb {
            url: self.url.clone(),
            backend: self.backend,
            _dir: None,
            pg_name: None,
        }
    }

    /// A migrated and seeded pool on this database, for persistence-level tests.
    pub fn pool(&self) -> DbPool {
        server::startup::prepare_database(&self.url, 8, &test_clock()).expect("database prepares")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name
            && let Ok(admin_url) = std::env::var("TEST_DATABASE_URL")
            && let Ok(mut admin) = PgConnection::establish(&admin_url)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    // Test databases are on a local server: no TLS. With TLS, libpq's OpenSSL state is
    // torn down at process exit while the still-running test server's threads may be
    // inside libpq, which crashed test processes (SIGSEGV/SIGABRT) after they had passed.
    match query {
        Some(q) if q.contains("sslmode=") => format!("{base}/{name}?{q}"),
        Some(q) => format!("{base}/{name}?{q}&sslmode=disable"),
        None => format!("{base}/{name}?sslmode=disable"),
    }
}

/// Creates (once per migration set, shared by all test processes) a migrated template.
fn ensure_template(admin_url: &str) -> String {
    let mut fingerprint = 0u64;
    for name in persistence::db::migration_names(&migrations_dir().join("postgres")).expect("migrations") {
        for file in ["up.sql", "down.sql"] {
            let text =
                std::fs::read(migrations_dir().join("postgres").join(&name).join(file)).unwrap_or_default();
            for b in name.bytes().chain(text) {
                fingerprint = fingerprint
                    .wrapping_mul(1_099_511_628_211)
                    .wrapping_add(u64::from(b));
            }
        }
    }
    let template = format!("lw_template_{fingerprint:016x}");
    let mut admin = PgConnection::establish(admin_url).expect("admin connection");
    admin
        .batch_execute("SELECT pg_advisory_lock(7412)")
        .expect("lock");
    let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
        "EXISTS (SELECT 1 FROM pg_database WHERE datname = '{template}')"
    )))
    .get_result(&mut admin)
    .expect("query pg_database");
    if !exists {
        let building = format!("{template}_building");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .expect("drop half-built template");
        admin
            .batch_execute(&format!("CREATE DATABASE {building}"))
            .expect("create template");
        {
            let pool =
                persistence::connect(&replace_db_name(admin_url, &building), 1).expect("template pool");
            persistence::migrate(&mut pool.get().expect("template connection")).expect("migrate template");
        }
        admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .expect("rename template");
    }
    admin
        .batch_execute("SELECT pg_advisory_unlock(7412)")
        .expect("unlock");
    template
}

use diesel::RunQueryDsl;

pub fn migrations_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations")
}

pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The instant every test server starts at: tests never depend on the real date.
/// A Monday in winter time, after every seeded date.
pub fn test_epoch() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-16T09:30:00Z")
        .expect("valid instant")
        .to_utc()
}

/// A manual clock at [`test_epoch`].
pub fn test_clock() -> domain::Clock {
    domain::Clock::manual(test_epoch())
}

/// Polls `check` until it yields a value: for effects that a background task applies
/// (the directory watcher, every 50 ms in tests). The generous deadline only keeps a
/// broken watcher from hanging the suite; it asserts no timing.
pub async fn eventually<T, F, Fut>(mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the expected change never happened"
        );
        actix_rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A running server on its own database.
pub struct TestApp {
    pub address: SocketAddr,
    /// The `/metrics` listener, when [`AppOptions::metrics_bind`] asked for one.
    pub metrics_address: Option<SocketAddr>,
    pub client: awc::Client,
    pub db: TestDb,
    /// The server's clock: set or advance it instead of waiting.
    pub clock: domain::Clock,
}

/// Options for a test server that differ from the defaults.
#[derive(Default, Clone)]
pub struct AppOptions {
    pub cors_origins: Vec<String>,
    pub hsts: bool,
    /// The clock to share (a second instance of one "deployment"); a new
    /// [`test_clock`] when `None`.
    pub clock: Option<domain::Clock>,
    /// Authentication settings other than the defaults (throttling, proxies, hashing).
    pub auth: Option<api::accounts::auth::AuthConfig>,
    /// `LW_METRICS_TOKEN`: opens `/metrics` on the API listener.
    pub metrics_token: Option<String>,
    /// `LW_METRICS_BIND`: a `/metrics` listener of its own (use port 0).
    pub metrics_bind: Option<SocketAddr>,
    /// Signing keys other than [`test_key_pem`] alone (a rotation).
    pub signing_key: Option<server::config::KeySource>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, AppOptions::default()).await
    }

    pub async fn spawn_with(backend: Backend, options: AppOptions) -> TestApp {
        let db = TestDb::new(backend);
        Self::spawn_on(db, options).await
    }

    /// Starts a server on an existing database (e.g. a second instance). Async although
    /// nothing is awaited: it must run inside the actix runtime it spawns the server on.
    #[allow(clippy::unused_async)]
    pub async fn spawn_on(db: TestDb, options: AppOptions) -> TestApp {
        let settings = settings(&db.url, options);
        let clock = settings.clock.clone();
        let app = Application::build(&settings).expect("app builds");
        let address = SocketAddr::from(([127, 0, 0, 1], app.port()));
        let metrics_address = app
            .metrics_port()
            .map(|port| SocketAddr::from(([127, 0, 0, 1], port)));
        actix_rt::spawn(app.run_until_stopped());
        TestApp {
            address,
            metrics_address,
            client: awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .disable_redirects()
                .finish(),
            db,
            clock,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(self.client.get(self.url(path))).await
    }

    pub async fn send(&self, req: awc::ClientRequest) -> Response {
        Response::from(req.send().await.expect("request sent")).await
    }

    pub async fn send_body(
        &self,
        req: awc::ClientRequest,
        body: impl Into<actix_web::web::Bytes>,
    ) -> Response {
        Response::from(req.send_body(body.into()).await.expect("request sent")).await
    }
}

pub fn settings(url: &str, options: AppOptions) -> Settings {
    Settings {
        database_url: url.to_owned(),
        db_pool_size: 8,
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        workers: Some(2),
        http: api::HttpConfig {
            cors_origins: options.cors_origins,
            hsts: options.hsts,
            metrics_token: options
                .metrics_token
                .map(|t| api::MetricsToken::new(&t).expect("a test token is long enough")),
        },
        metrics_bind: options.metrics_bind,
        directory_poll: Duration::from_millis(50),
        prune_interval: Duration::from_hours(1),
        signing_key: options
            .signing_key
            .unwrap_or_else(|| server::config::KeySource::pem(test_key_pem())),
        auth: options.auth.unwrap_or_default(),
        clock: options.clock.unwrap_or_else(test_clock),
    }
}

/// One signing key per test process (generating one per app would also do).
pub fn test_key_pem() -> &'static str {
    static PEM: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PEM.get_or_init(|| api::accounts::auth::keys::SigningKeys::generate().1)
}

/// Every response of the whole suite passes through here: none may contain a password
/// hash, a token hash or a field named like one.
fn assert_no_secrets(body: &[u8]) {
    let text = String::from_utf8_lossy(body);
    for needle in [
        "$argon2",
        "\"password_hash\":",
        "\"token_hash\":",
        "BEGIN PRIVATE KEY",
    ] {
        assert!(!text.contains(needle), "a response leaks {needle:?}: {text}");
    }
}

/// A response read completely, with helpers for the checks every test makes.
pub struct Response {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    async fn from<S>(mut res: awc::ClientResponse<S>) -> Response
    where
        S: futures_core::Stream<Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>> + Unpin,
    {
        let body = res.body().limit(16 * 1024 * 1024).await.expect("body").to_vec();
        assert_no_secrets(&body);
        Response {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts a problem like [`problem`](Self::problem) and returns the pointer of its
    /// first field error.
    #[track_caller]
    pub fn first_error_pointer(&self, status: u16, code: &str) -> Value {
        self.problem(status, code)["errors"][0]["pointer"].clone()
    }

    /// Asserts an RFC 9457 problem with this status and code; returns the body.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "status; body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.header("content-type"), Some("application/problem+json"));
        let body = self.json();
        assert_eq!(body["status"], status);
        assert_eq!(body["code"], code, "problem code; body: {body}");
        for field in ["type", "title", "detail", "instance", "request_id"] {
            assert!(body[field].is_string(), "problem field {field} missing: {body}");
        }
        assert_eq!(body["request_id"].as_str(), self.header("x-request-id"));
        body
    }
}

/// Accounts and tokens for tests. Accounts are created through the persistence layer
/// (fast, and independent of the endpoints under test); sign-in goes over HTTP.
pub const PASSWORD: &str = "Fahrrad-Lampe-Kaffee-Dortmund-7";

impl TestApp {
    /// System changes made by the test itself, at the server's time.
    pub fn audit_context(&self) -> persistence::audit::AuditContext {
        persistence::audit::AuditContext::system("test", &self.clock)
    }

    pub fn pool(&self) -> persistence::DbPool {
        persistence::connect(&self.db.url, 2).expect("pool")
    }

    /// Creates an account with [`PASSWORD`] and returns its id and email.
    pub fn create_account(&self, role: domain::Role, password_change_required: bool) -> (String, String) {
        let pool = self.pool();
        let mut conn = pool.get().unwrap();
        let city = persistence::directory::organizations::find_by_name(&mut conn, persistence::seed::CITY)
            .unwrap()
            .unwrap();
        let email = format!("{}-{}@stadtdo.de", role.as_str(), uuid::Uuid::now_v7().simple());
        let user = persistence::accounts::users::create(
            &mut conn,
            persistence::accounts::users::NewUser {
                email: email.clone(),
                display_name: format!("Test {}", role.as_str()),
                employer_organization_id: city.id,
                role,
                password_hash: password_hash(),
                password_change_required,
            },
            &self.audit_context(),
        )
        .unwrap();
        (user.id, email)
    }

    /// Signs in and returns the token response.
    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json_anonymous(
            "/api/v1/auth/login",
            &serde_json::json!({"email": email, "password": password}),
        )
        .await
    }

    /// A new account of `role` and its access token.
    pub async fn token_for(&self, role: domain::Role) -> (String, String) {
        let (id, email) = self.create_account(role, false);
        (id, self.access_token(&email).await)
    }

    pub async fn access_token(&self, email: &str) -> String {
        self.access_token_with(email, PASSWORD).await
    }

    pub async fn access_token_with(&self, email: &str, password: &str) -> String {
        let res = self.login(email, password).await;
        assert_eq!(res.status, 200, "login: {}", String::from_utf8_lossy(&res.body));
        res.json()["access_token"].as_str().unwrap().to_owned()
    }

    /// Assigns an account to the city side of an office (by slug) from 2022 on.
    pub fn assign(&self, user_id: &str, slug: &str) -> String {
        self.assign_between(user_id, slug, "city", (2022, 1, 1), None)
    }

    /// Inserts an assignment directly (no rules), `to` being the first day without it.
    pub fn assign_between(
        &self,
        user_id: &str,
        slug: &str,
        side: &str,
        from: (i32, u32, u32),
        to: Option<(i32, u32, u32)>,
    ) -> String {
        let pool = self.pool();
        let mut conn = pool.get().unwrap();
        let office = persistence::directory::offices::find_by_slug(&mut conn, slug)
            .unwrap()
            .unwrap();
        let day = |(y, m, d): (i32, u32, u32)| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        persistence::staffing::assignments::insert_unchecked(
            &mut conn,
            &domain::OfficeId::from_stored(office.id),
            &domain::UserId::from_stored(user_id.to_owned()),
            side,
            day(from),
            to.map(day),
            &self.audit_context(),
        )
        .unwrap()
    }

    /// The office id of a slug.
    pub fn office_id(&self, slug: &str) -> domain::OfficeId {
        let pool = self.pool();
        let mut conn = pool.get().unwrap();
        let office = persistence::directory::offices::find_by_slug(&mut conn, slug)
            .unwrap()
            .unwrap();
        domain::OfficeId::from_stored(office.id)
    }

    /// Records a contact with one referral today, directly (no rules); returns the ids of
    /// the contact and of its referral.
    pub fn record_contact(&self, slug: &str) -> (String, String) {
        use domain::fieldwork::contact::*;
        use domain::fieldwork::referral::*;
        let record = ContactRecord {
            occurred_on: self.clock.today(),
            channel: Channel::OfficeHours,
            duration: ContactDuration::From15To30,
            persons_present: 2,
            first_contact: true,
            audience: Audience::Refugee,
            residence_district: None,
            languages: vec!["ar".into()],
            interpreting: Interpreting::ByStaff,
            topics: vec!["housing".into()],
            outcome: ContactOutcome::Referred,
            referrals: vec![Referral {
                target_category: TargetCategory::Authority,
                organization_id: None,
                service_id: None,
                mode: ReferralMode::Information,
                consent_to_share: false,
            }],
        };
        let pool = self.pool();
        let mut conn = pool.get().unwrap();
        let stored = persistence::fieldwork::contacts::create(
            &mut conn,
            &self.office_id(slug),
            &record,
            &self.audit_context(),
        )
        .unwrap();
        (stored.row.id, stored.referrals[0].id.clone())
    }

    /// Plans a home visit a week ahead, directly; returns its id.
    pub fn plan_home_visit(&self, slug: &str) -> String {
        let pool = self.pool();
        let mut conn = pool.get().unwrap();
        persistence::fieldwork::home_visits::create(
            &mut conn,
            &self.office_id(slug),
            persistence::fieldwork::home_visits::NewHomeVisit {
                planned_on: self.clock.today() + chrono::Duration::days(7),
                time_window: None,
                name: "Familie Beispiel".into(),
                street: "Beispielweg 1".into(),
                postal_code: "44357".into(),
                supplement: None,
                phone: None,
                language: "ar".into(),
                source: domain::fieldwork::home_visit::VisitSource::HousingCompany,
            },
            &self.audit_context(),
        )
        .unwrap()
        .id
    }

    pub async fn send_json(&self, req: awc::ClientRequest, body: &Value) -> Response {
        Response::from(req.send_json(body).await.expect("request sent")).await
    }

    /// GET with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> Response {
        self.send(self.client.get(self.url(path)).bearer_auth(token))
            .await
    }

    /// The ETag of an anonymous GET.
    pub async fn etag(&self, path: &str) -> String {
        self.get(path).await.header("etag").expect("etag").to_owned()
    }

    /// The ETag of a GET with a bearer token.
    pub async fn etag_as(&self, token: &str, path: &str) -> String {
        self.get_as(token, path)
            .await
            .header("etag")
            .expect("etag")
            .to_owned()
    }

    // Typed requests for the usual writes. Requests that test the unusual (no token,
    // custom headers, raw bodies, a missing If-Match) build them with `send`/`send_json`.

    /// POST a JSON body with a bearer token.
    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> Response {
        self.send_json(self.client.post(self.url(path)).bearer_auth(token), body)
            .await
    }

    /// POST a JSON body without a token (sign-in, refresh).
    pub async fn post_json_anonymous(&self, path: &str, body: &Value) -> Response {
        self.send_json(self.client.post(self.url(path)), body).await
    }

    /// POST without a body (actions like deactivate, revoke, logout) with a bearer token.
    pub async fn post_empty(&self, token: &str, path: &str) -> Response {
        self.send(self.client.post(self.url(path)).bearer_auth(token))
            .await
    }

    /// PATCH a JSON body with a bearer token and `If-Match: if_match`.
    pub async fn patch_json(&self, token: &str, path: &str, if_match: &str, body: &Value) -> Response {
        self.send_json(
            self.client
                .patch(self.url(path))
                .bearer_auth(token)
                .insert_header(("if-match", if_match)),
            body,
        )
        .await
    }

    /// PUT a JSON body with a bearer token and `If-Match: if_match`.
    pub async fn put_json(&self, token: &str, path: &str, if_match: &str, body: &Value) -> Response {
        self.send_json(
            self.client
                .put(self.url(path))
                .bearer_auth(token)
                .insert_header(("if-match", if_match)),
            body,
        )
        .await
    }

    /// Reads the current ETag with `token` ([`TestApp::etag_as`]), then PATCHes with it.
    pub async fn patch_current(&self, token: &str, path: &str, body: &Value) -> Response {
        let etag = self.etag_as(token, path).await;
        self.patch_json(token, path, &etag, body).await
    }
}

/// One argon2id hash of [`PASSWORD`], reused for every test account.
pub fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| api::accounts::auth::passwords::hash(PASSWORD))
        .clone()
}
