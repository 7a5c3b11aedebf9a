use std::sync::Arc;

use persistence::DbPool;

use crate::accounts::auth::AuthState;
use crate::directory::cache::DirectoryCache;
use crate::http::blocking::run_blocking;
use crate::metrics::{Metrics, MetricsToken};

/// What every handler can reach: the pool, the public directory cache, authentication.
pub struct AppState {
    pub pool: DbPool,
    pub directory: Arc<DirectoryCache>,
    pub auth: Arc<AuthState>,
    /// The time every handler uses; settable in tests.
    pub clock: domain::Clock,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    /// Runs database work on the blocking pool with a pooled connection: diesel is
    /// synchronous and must never block the async workers.
    pub async fn db<T, F>(&self, work: F) -> Result<T, crate::http::problem::ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut persistence::DbConnection) -> Result<T, persistence::RepoError> + Send + 'static,
    {
        let pool = self.pool.clone();
        Ok(run_blocking(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?)
    }
}

/// Settings of the HTTP layer, from the server's configuration.
#[derive(Debug, Clone, Default)]
pub struct HttpConfig {
    /// Origins allowed to make credentialed or writing cross-origin requests.
    /// Anonymous GETs are readable from any origin regardless.
    pub cors_origins: Vec<String>,
    /// Send `Strict-Transport-Security` (only behind TLS).
    pub hsts: bool,
    /// Serve `/metrics` on this listener to callers presenting this token; without it
    /// the path is a 404 here.
    pub metrics_token: Option<MetricsToken>,
}
