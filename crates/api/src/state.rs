use std::sync::Arc;

use persistence::DbPool;

use crate::directory_cache::DirectoryCache;

/// What every handler can reach: the pool and the public directory cache.
pub struct AppState {
    pub pool: DbPool,
    pub directory: Arc<DirectoryCache>,
}

/// Settings of the HTTP layer, from the server's configuration.
#[derive(Debug, Clone, Default)]
pub struct HttpConfig {
    /// Origins allowed to make credentialed or writing cross-origin requests.
    /// Anonymous GETs are readable from any origin regardless.
    pub cors_origins: Vec<String>,
    /// Send `Strict-Transport-Security` (only behind TLS).
    pub hsts: bool,
}
