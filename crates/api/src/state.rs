use std::sync::Arc;

use persistence::DbPool;

use crate::auth::AuthState;
use crate::directory_cache::DirectoryCache;

/// What every handler can reach: the pool, the public directory cache, authentication.
pub struct AppState {
    pub pool: DbPool,
    pub directory: Arc<DirectoryCache>,
    pub auth: Arc<AuthState>,
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
