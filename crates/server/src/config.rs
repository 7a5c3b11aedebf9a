//! Command line and environment. Flags take precedence over environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "lokal-willkommen",
    version,
    about = "The lokal willkommen API server (Dortmund's neighbourhood integration offices)",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Folder for the embedded database and generated keys.
    #[arg(long, env = "LW_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Database: a SQLite file path, or a postgres:// URL. Default: <data-dir>/lokal-willkommen.db
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// A file holding the database URL (a container secret); used when no URL is given.
    #[arg(long, env = "DATABASE_URL_FILE", global = true)]
    pub database_url_file: Option<PathBuf>,

    /// Maximum database connections in the pool.
    #[arg(long, env = "LW_DB_POOL_SIZE", default_value_t = 16, global = true)]
    pub db_pool_size: u32,

    /// Address to listen on.
    #[arg(long, env = "LW_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: SocketAddr,

    /// HTTP worker threads. Default: one per CPU core.
    #[arg(long, env = "LW_WORKERS", global = true)]
    pub workers: Option<usize>,

    /// Comma-separated origins allowed to send writes and authenticated requests
    /// cross-origin. Anonymous GETs are readable from any origin anyway.
    #[arg(long, env = "LW_CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,

    /// Send Strict-Transport-Security; enable only when served over TLS.
    #[arg(
        long,
        env = "LW_HSTS",
        default_value_t = false,
        global = true,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub hsts: bool,

    /// Log format: human-readable text or JSON lines.
    #[arg(long, env = "LW_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Ed25519 private key (PKCS#8 PEM) that signs access tokens. Default: generated on
    /// first start and kept in <data-dir>/jwt-ed25519.pem. All instances must share it.
    #[arg(long, env = "LW_JWT_KEY_FILE", global = true)]
    pub jwt_key_file: Option<PathBuf>,

    /// Comma-separated reverse proxies whose X-Forwarded-For is trusted: addresses
    /// (172.28.0.10) or networks (172.28.0.0/24), e.g. the network only the proxy and the
    /// API share.
    #[arg(long, env = "LW_TRUSTED_PROXIES", value_delimiter = ',', global = true)]
    pub trusted_proxies: Vec<api::http::client_address::ProxyNetwork>,

    /// How often each instance checks whether the public directory changed (milliseconds).
    #[arg(long, env = "LW_DIRECTORY_POLL_MS", default_value_t = 500, global = true)]
    pub directory_poll_ms: u64,

    /// Minutes between prunings of ended sign-ins and old throttle counters.
    #[arg(long, env = "LW_PRUNE_INTERVAL_MINUTES", default_value_t = 60, global = true)]
    pub prune_interval_minutes: u64,

    /// Password hashes running at once (each holds 19 MiB); default: one per core.
    #[arg(long, env = "LW_HASHING_CONCURRENCY", global = true)]
    pub hashing_concurrency: Option<usize>,

    /// Password work allowed to wait for a slot; beyond it sign-ins get 503 at once.
    /// Default: four per core.
    #[arg(long, env = "LW_HASHING_QUEUE", global = true)]
    pub hashing_queue: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default when no command is given).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Apply migrations, then insert the seed data that is missing, and exit.
    Seed,
    /// Print the OpenAPI document (JSON) to stdout.
    Openapi,
    /// Create DEMO accounts (fictitious people, every role) and tandems for all offices;
    /// prints their random passwords once. Never run this on production data.
    Demo,
    /// Manage accounts from the command line (e.g. the first admin).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Ask the server at --bind whether it is ready (exit 0) or not (exit 1); for
    /// container health checks, which have no curl.
    Healthcheck,
}

#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// Create an admin account. Reads the password from LW_ADMIN_PASSWORD or a prompt.
    /// Works on a fresh database (applies migrations and seed first).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Employer organization name (default: the City of Dortmund).
        #[arg(long, default_value = persistence::seed::CITY)]
        employer: String,
    },
    /// Set a new password for an account (for an admin who lost theirs). Reads it from
    /// LW_ADMIN_PASSWORD, a prompt or stdin; ends the account's sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
}

/// Where the token signing key comes from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// A PEM file that must exist.
    File(PathBuf),
    /// `<dir>/jwt-ed25519.pem`, generated on first start.
    DataDir(PathBuf),
    /// A PEM given directly (tests).
    Pem(String),
}

/// Everything `serve` needs, independent of clap so tests can build it directly.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub db_pool_size: u32,
    pub bind: SocketAddr,
    pub workers: Option<usize>,
    pub http: api::HttpConfig,
    pub directory_poll: std::time::Duration,
    pub signing_key: KeySource,
    pub auth: api::accounts::auth::AuthConfig,
    pub prune_interval: std::time::Duration,
    /// The system clock in production; tests pass a manual one.
    pub clock: domain::Clock,
}

impl Cli {
    pub fn database_url(&self) -> String {
        let from_file = || {
            let path = self.database_url_file.as_ref()?;
            match std::fs::read_to_string(path) {
                Ok(url) => Some(url.trim().to_owned()),
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", path.display());
                    std::process::exit(1);
                }
            }
        };
        self.database_url.clone().or_else(from_file).unwrap_or_else(|| {
            self.data_dir
                .join("lokal-willkommen.db")
                .to_string_lossy()
                .into_owned()
        })
    }

    pub fn settings(&self) -> Settings {
        Settings {
            database_url: self.database_url(),
            db_pool_size: self.db_pool_size,
            bind: self.bind,
            workers: self.workers,
            http: api::HttpConfig {
                cors_origins: self
                    .cors_origins
                    .iter()
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect(),
                hsts: self.hsts,
            },
            directory_poll: std::time::Duration::from_millis(self.directory_poll_ms.max(50)),
            clock: domain::Clock::system(),
            prune_interval: std::time::Duration::from_secs(self.prune_interval_minutes.max(1) * 60),
            signing_key: match &self.jwt_key_file {
                Some(path) => KeySource::File(path.clone()),
                None => KeySource::DataDir(self.data_dir.clone()),
            },
            auth: {
                let defaults = api::accounts::auth::AuthConfig::default();
                api::accounts::auth::AuthConfig {
                    trusted_proxies: self.trusted_proxies.clone(),
                    hashing_concurrency: self
                        .hashing_concurrency
                        .unwrap_or(defaults.hashing_concurrency)
                        .max(1),
                    hashing_queue: self.hashing_queue.unwrap_or(defaults.hashing_queue),
                    ..defaults
                }
            },
        }
    }
}
