//! One start-up path for the binary and the tests: prepare the database, load the
//! directory, bind (port 0 in tests), and serve.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{HttpServer, web};
use anyhow::Context;
use api::accounts::auth::keys::{KeyRing, SigningKeys};
use api::{AppState, DirectoryCache};
use persistence::DbPool;

use crate::config::{KeySource, Settings};

/// The key files in the data folder: the current one (generated on first start) and the
/// previous one (left by `keys rotate`).
pub const DATA_DIR_KEY: &str = "jwt-ed25519.pem";
pub const DATA_DIR_PREVIOUS_KEY: &str = "jwt-ed25519.previous.pem";

/// Loads the token signing keys, generating the laptop default on first start.
pub fn signing_keys(source: &KeySource) -> anyhow::Result<KeyRing> {
    match source {
        KeySource::Pem { current, previous } => {
            let parse = |pem: &String| SigningKeys::from_pem(pem).map_err(anyhow::Error::msg);
            Ok(KeyRing::new(
                parse(current)?,
                previous.as_ref().map(parse).transpose()?,
            ))
        }
        KeySource::Files { current, previous } => Ok(KeyRing::new(
            load_key(current)?,
            previous.as_deref().map(load_key).transpose()?,
        )),
        KeySource::DataDir(dir) => {
            let path = dir.join(DATA_DIR_KEY);
            let current = if path.exists() {
                load_key(&path)?
            } else {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
                let (keys, pem) = SigningKeys::generate();
                crate::keys::write_private(&path, &pem)?;
                tracing::info!(path = %path.display(), kid = %keys.kid, "generated a token signing key");
                keys
            };
            let previous_path = dir.join(DATA_DIR_PREVIOUS_KEY);
            let previous = if previous_path.exists() {
                Some(load_key(&previous_path)?)
            } else {
                None
            };
            Ok(KeyRing::new(current, previous))
        }
    }
}

/// Reads an Ed25519 PKCS#8 PEM key file.
pub fn load_key(path: &std::path::Path) -> anyhow::Result<SigningKeys> {
    let pem = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    SigningKeys::from_pem(&pem).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Opens the pool, applies migrations, and seeds an empty database.
pub fn prepare_database(url: &str, pool_size: u32, clock: &domain::Clock) -> anyhow::Result<DbPool> {
    let pool = persistence::connect(url, pool_size)?;
    let mut conn = pool.get().context("cannot connect to the database")?;
    let ran = persistence::migrate(&mut conn)?;
    if ran > 0 {
        tracing::info!(migrations = ran, "applied database migrations");
    }
    if let Some(report) = persistence::seed::seed_if_empty(&mut conn, clock)? {
        tracing::info!(
            organizations = report.organizations_created,
            offices = report.offices_created,
            "seeded an empty database"
        );
    }
    Ok(pool)
}

pub struct Application {
    port: u16,
    server: Server,
    /// The `/metrics` listener (`LW_METRICS_BIND`) and its port.
    metrics: Option<(u16, Server)>,
}

impl Application {
    /// Prepares everything and binds; call inside an actix runtime. Serving starts
    /// with [`Application::run_until_stopped`].
    pub fn build(settings: &Settings) -> anyhow::Result<Application> {
        // Instances on one PostgreSQL database must sign with one key, or each rejects the
        // others' tokens: a key generated per data folder would do that silently.
        if persistence::Backend::of_url(&settings.database_url) == persistence::Backend::Postgres
            && matches!(settings.signing_key, KeySource::DataDir(_))
        {
            anyhow::bail!(
                "on PostgreSQL, set LW_JWT_KEY_FILE to a key file shared by every instance \
                 (create one with `lokal-willkommen keys generate --out jwt-ed25519.pem`)"
            );
        }
        // A missing or broken key file stops the start before the database is touched.
        let keys = signing_keys(&settings.signing_key)?;
        tracing::info!(
            kid = %keys.current().kid,
            previous_kid = keys.previous().map(|k| k.kid.as_str()),
            "token signing keys loaded"
        );
        let clock = settings.clock.clone();
        let pool = prepare_database(&settings.database_url, settings.db_pool_size, &clock)?;
        let directory = Arc::new(DirectoryCache::load_blocking(&pool, clock.clone())?);
        actix_web::rt::spawn(directory.clone().watch(pool.clone(), settings.directory_poll));

        let auth = Arc::new(api::accounts::auth::AuthState::new(
            keys,
            settings.auth.clone(),
            clock.clone(),
        ));
        let metrics = Arc::new(api::Metrics::new(api::metrics::Sources {
            pool: pool.clone(),
            directory: directory.clone(),
            auth: auth.clone(),
        }));

        let forget_after = [
            settings.auth.pair_throttle.forget_after,
            settings.auth.account_throttle.forget_after,
            settings.auth.address_throttle.forget_after,
        ]
        .into_iter()
        .max()
        .unwrap_or_default();
        actix_web::rt::spawn(crate::jobs::pruning::run(
            pool.clone(),
            clock.clone(),
            forget_after,
            settings.prune_interval,
            metrics.clone(),
        ));

        let metrics_server = match settings.metrics_bind {
            Some(bind) => Some(metrics_listener(bind, metrics.clone())?),
            None => None,
        };
        let state = web::Data::new(AppState {
            pool,
            directory,
            auth,
            clock,
            metrics,
        });
        let doc = api::openapi();
        let routes = Arc::new(api::http::openapi::RouteTable::from_doc(&doc));
        let doc = Arc::new(api::app::ServedDocument::new(&doc));
        let http = settings.http.clone();

        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let mut server =
            HttpServer::new(move || api::build_app(state.clone(), http.clone(), doc.clone(), routes.clone()))
                .shutdown_timeout(30)
                .listen(listener)?;
        let workers = settings
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get));
        // Blocking work is database work (password work has its own threads): more threads
        // than connections only queue for the pool, and every idle thread keeps its
        // allocator arena. actix's default is 512 per worker.
        let blocking_threads = (settings.db_pool_size as usize / workers.max(1)).max(2) + 2;
        server = server
            .workers(workers)
            .worker_max_blocking_threads(blocking_threads);
        Ok(Application {
            port,
            server: server.run(),
            metrics: metrics_server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the `/metrics` listener, when `LW_METRICS_BIND` set one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// Serves until SIGINT or SIGTERM, then drains in-flight requests (up to 30 s). The
    /// metrics listener stops with the API: scrapes go on while the API drains.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics.map(|(_, server)| {
            let handle = server.handle();
            (actix_web::rt::spawn(server), handle)
        });
        let served = self.server.await;
        if let Some((task, handle)) = metrics {
            handle.stop(true).await;
            let _ = task.await;
        }
        served
    }
}

/// A second, minimal server for `GET /metrics` only: no token, no API middleware, one
/// worker (a scrape every few seconds is all it serves).
fn metrics_listener(bind: std::net::SocketAddr, metrics: Arc<api::Metrics>) -> anyhow::Result<(u16, Server)> {
    let listener = TcpListener::bind(bind).with_context(|| format!("cannot listen for metrics on {bind}"))?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        let metrics = metrics.clone();
        actix_web::App::new().configure(move |cfg| api::metrics::endpoint::configure_listener(cfg, metrics))
    })
    .workers(1)
    // Stopped by `run_until_stopped` after the API has drained, not by the signal.
    .disable_signals()
    .shutdown_timeout(5)
    .listen(listener)?
    .run();
    Ok((port, server))
}
