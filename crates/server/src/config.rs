//! Command line and environment. Flags take precedence over environment variables.
//!
//! Each command takes only the flags it uses: the database flags ([`DatabaseArgs`]) go
//! to the commands that open the database, the server's own to `serve`, and `openapi`
//! takes none. Without a command the binary serves (see [`Cli::parse_args`]).

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "lokal-willkommen",
    version,
    about = "The lokal willkommen API server (Dortmund's neighbourhood integration offices)",
    long_about = None,
    after_help = "Without a command it serves: `lokal-willkommen` is `lokal-willkommen serve`, \
                  and serve's flags may be given without the word. \
                  `lokal-willkommen <command> --help` lists a command's flags."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the process's arguments (exiting with clap's message on an error), with
    /// `serve` as the default command.
    pub fn parse_args() -> Cli {
        Cli::parse_from(default_to_serve(std::env::args_os()))
    }
}

/// Inserts `serve` when no command is named: no arguments at all, or serve's flags
/// directly (`lokal-willkommen --bind 0.0.0.0:8080`, as before commands had their own
/// flags). `--help` and `--version` stay the program's.
pub fn default_to_serve(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.is_empty() {
        args.push("lokal-willkommen".into());
    }
    let names_no_command = match args.get(1) {
        None => true,
        Some(first) => first.to_str().is_some_and(|first| {
            first.starts_with('-') && !matches!(first, "-h" | "--help" | "-V" | "--version")
        }),
    };
    if names_no_command {
        args.insert(1, "serve".into());
    }
    args
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default when no command is given).
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DatabaseArgs,
        #[command(flatten)]
        log: LogArgs,
    },
    /// Apply migrations, then insert the seed data that is missing, and exit.
    Seed {
        #[command(flatten)]
        db: DatabaseArgs,
        #[command(flatten)]
        log: LogArgs,
    },
    /// Print the OpenAPI document (JSON) to stdout.
    Openapi,
    /// Create DEMO accounts (fictitious people, every role), tandems for all offices and a
    /// year of their field work; prints the random passwords once. Never run this on
    /// production data.
    Demo {
        /// Also insert this many generated contact records over eight years (benchmark
        /// volume, e.g. 1000000; written in bulk, without audit events).
        #[arg(long, value_name = "COUNT")]
        volume: Option<usize>,
        #[command(flatten)]
        db: DatabaseArgs,
        #[command(flatten)]
        log: LogArgs,
    },
    /// Manage accounts from the command line (e.g. the first admin).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Create and rotate the keys that sign access tokens.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Ask the server at --bind whether it is ready (exit 0) or not (exit 1); for
    /// container health checks, which have no curl.
    Healthcheck {
        /// The address the server listens on (an unspecified address means this host).
        #[arg(long, env = "LW_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
    },
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
        #[command(flatten)]
        db: DatabaseArgs,
        #[command(flatten)]
        log: LogArgs,
    },
    /// Set a new password for an account (for an admin who lost theirs). Reads it from
    /// LW_ADMIN_PASSWORD, a prompt or stdin; ends the account's sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        db: DatabaseArgs,
        #[command(flatten)]
        log: LogArgs,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum KeysCommand {
    /// Write a fresh Ed25519 signing key (PKCS#8 PEM, readable only by its owner) to a
    /// new file; an existing file is never overwritten.
    Generate {
        /// The file to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Rotate the signing key. With the data-folder default: the current key becomes the
    /// previous one (it still verifies until its tokens expire) and a new key is
    /// generated; restart the server afterwards. With key files (LW_JWT_KEY_FILE): print
    /// the steps, since the files belong to the deployment.
    Rotate {
        #[command(flatten)]
        dir: DataDirArg,
        #[command(flatten)]
        keys: KeyArgs,
    },
}

/// The folder for the embedded database and the generated keys.
#[derive(Debug, Clone, Args)]
pub struct DataDirArg {
    /// Folder for the embedded database and generated keys.
    #[arg(long, env = "LW_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
}

/// Which database to open.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Database")]
pub struct DatabaseArgs {
    #[command(flatten)]
    pub dir: DataDirArg,

    /// Database: a SQLite file path, or a postgres:// URL. Default: <data-dir>/lokal-willkommen.db
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// A file holding the database URL (a container secret); used when no URL is given.
    #[arg(long, env = "DATABASE_URL_FILE")]
    pub database_url_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Logging")]
pub struct LogArgs {
    /// Log format: human-readable text or JSON lines.
    #[arg(long, env = "LW_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// The token signing keys, when they are files rather than the data-folder default.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Token signing keys")]
pub struct KeyArgs {
    /// Ed25519 private key (PKCS#8 PEM) that signs access tokens. Default: generated on
    /// first start and kept in <data-dir>/jwt-ed25519.pem. All instances must share it.
    #[arg(long, env = "LW_JWT_KEY_FILE")]
    pub jwt_key_file: Option<PathBuf>,

    /// The key signing before the last rotation: it only verifies, until the tokens it
    /// signed have expired. Default with the data-folder key:
    /// <data-dir>/jwt-ed25519.previous.pem when it exists.
    #[arg(long, env = "LW_JWT_PREVIOUS_KEY_FILE", requires = "jwt_key_file")]
    pub jwt_previous_key_file: Option<PathBuf>,
}

/// The flags of `serve`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Server")]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LW_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// HTTP worker threads. Default: one per CPU core.
    #[arg(long, env = "LW_WORKERS")]
    pub workers: Option<usize>,

    /// Comma-separated origins allowed to send writes and authenticated requests
    /// cross-origin. Anonymous GETs are readable from any origin anyway.
    #[arg(long, env = "LW_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Send Strict-Transport-Security; enable only when served over TLS.
    #[arg(
        long,
        env = "LW_HSTS",
        default_value_t = false,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub hsts: bool,

    /// Comma-separated reverse proxies whose X-Forwarded-For is trusted: addresses
    /// (172.28.0.10) or networks (172.28.0.0/24), e.g. the network only the proxy and the
    /// API share.
    #[arg(long, env = "LW_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<api::http::client_address::ProxyNetwork>,

    /// How often each instance checks whether the public directory changed (milliseconds).
    #[arg(long, env = "LW_DIRECTORY_POLL_MS", default_value_t = 500)]
    pub directory_poll_ms: u64,

    /// Minutes between prunings of ended sign-ins and old throttle counters.
    #[arg(long, env = "LW_PRUNE_INTERVAL_MINUTES", default_value_t = 60)]
    pub prune_interval_minutes: u64,

    /// Password hashes running at once (each holds 19 MiB); default: one per core.
    #[arg(long, env = "LW_HASHING_CONCURRENCY")]
    pub hashing_concurrency: Option<usize>,

    /// Password work allowed to wait for a slot; beyond it sign-ins get 503 at once.
    /// Default: four per core.
    #[arg(long, env = "LW_HASHING_QUEUE")]
    pub hashing_queue: Option<usize>,

    /// Address of a second listener serving only GET /metrics, without a token (bind it
    /// to loopback or an internal network). The token alternative, LW_METRICS_TOKEN, is
    /// read from the environment only, so it never shows in a process listing.
    #[arg(long, env = "LW_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    #[command(flatten)]
    pub db: DatabaseArgs,

    /// Maximum database connections in the pool.
    #[arg(
        long,
        env = "LW_DB_POOL_SIZE",
        default_value_t = 16,
        help_heading = "Database"
    )]
    pub db_pool_size: u32,

    #[command(flatten)]
    pub keys: KeyArgs,

    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where the token signing keys come from: the current key signs, the previous one
/// (during a rotation) only verifies.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// PEM files that must exist.
    Files {
        current: PathBuf,
        previous: Option<PathBuf>,
    },
    /// `<dir>/jwt-ed25519.pem`, generated on first start, and
    /// `<dir>/jwt-ed25519.previous.pem` when it exists (left by `keys rotate`).
    DataDir(PathBuf),
    /// PEMs given directly (tests).
    Pem {
        current: String,
        previous: Option<String>,
    },
}

impl KeySource {
    /// One key given directly, without a previous one (tests).
    pub fn pem(current: &str) -> KeySource {
        KeySource::Pem {
            current: current.to_owned(),
            previous: None,
        }
    }
}

impl KeyArgs {
    /// The configured keys: the files when given, otherwise the data-folder default.
    pub fn source(&self, data_dir: &std::path::Path) -> KeySource {
        match &self.jwt_key_file {
            Some(current) => KeySource::Files {
                current: current.clone(),
                previous: self.jwt_previous_key_file.clone(),
            },
            None => KeySource::DataDir(data_dir.to_owned()),
        }
    }
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
    /// A listener of its own for `/metrics` (`LW_METRICS_BIND`).
    pub metrics_bind: Option<SocketAddr>,
    /// The system clock in production; tests pass a manual one.
    pub clock: domain::Clock,
}

/// `LW_METRICS_TOKEN`, when set and not empty; a weak one stops the start.
fn metrics_token() -> Option<api::MetricsToken> {
    let secret = std::env::var("LW_METRICS_TOKEN").ok().filter(|s| !s.is_empty())?;
    match api::MetricsToken::new(&secret) {
        Ok(token) => Some(token),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

impl DatabaseArgs {
    pub fn data_dir(&self) -> &std::path::Path {
        &self.dir.data_dir
    }

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
            self.data_dir()
                .join("lokal-willkommen.db")
                .to_string_lossy()
                .into_owned()
        })
    }
}

impl ServeArgs {
    pub fn settings(&self) -> Settings {
        Settings {
            database_url: self.db.database_url(),
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
                metrics_token: metrics_token(),
            },
            metrics_bind: self.metrics_bind,
            directory_poll: std::time::Duration::from_millis(self.directory_poll_ms.max(50)),
            clock: domain::Clock::system(),
            prune_interval: std::time::Duration::from_secs(self.prune_interval_minutes.max(1) * 60),
            signing_key: self.keys.source(self.db.data_dir()),
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(default_to_serve(
            std::iter::once("lokal-willkommen")
                .chain(args.iter().copied())
                .map(OsString::from),
        ))
    }

    /// The long flags of a command (given by its path of subcommand names).
    fn flags(path: &[&str]) -> Vec<String> {
        let mut command = Cli::command();
        command.build();
        let mut current = &command;
        for name in path {
            current = current
                .find_subcommand(name)
                .unwrap_or_else(|| panic!("no command {name}"));
        }
        current
            .get_arguments()
            .filter_map(|a| a.get_long().map(str::to_owned))
            .filter(|l| l != "help" && l != "version")
            .collect()
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn each_command_lists_only_its_own_flags() {
        assert!(flags(&["openapi"]).is_empty(), "{:?}", flags(&["openapi"]));
        assert_eq!(flags(&["healthcheck"]), ["bind"]);
        assert_eq!(flags(&["keys", "generate"]), ["out"]);
        assert_eq!(
            flags(&["keys", "rotate"]),
            ["data-dir", "jwt-key-file", "jwt-previous-key-file"]
        );
        let database = ["data-dir", "database-url", "database-url-file", "log-format"];
        for path in [
            &["migrate"][..],
            &["seed"],
            &["demo"],
            &["admin", "create"],
            &["admin", "reset-password"],
        ] {
            let flags = flags(path);
            for flag in database {
                assert!(flags.iter().any(|f| f == flag), "{path:?} lacks --{flag}");
            }
            for server_flag in ["bind", "workers", "jwt-key-file", "hsts", "db-pool-size"] {
                assert!(
                    !flags.iter().any(|f| f == server_flag),
                    "{path:?} lists --{server_flag}"
                );
            }
        }
        let serve = flags(&["serve"]);
        for flag in [
            "data-dir",
            "database-url",
            "database-url-file",
            "db-pool-size",
            "bind",
            "workers",
            "cors-origins",
            "hsts",
            "log-format",
            "jwt-key-file",
            "jwt-previous-key-file",
            "trusted-proxies",
            "directory-poll-ms",
            "prune-interval-minutes",
            "hashing-concurrency",
            "hashing-queue",
        ] {
            assert!(serve.iter().any(|f| f == flag), "serve lacks --{flag}");
        }
        assert!(flags(&[]).is_empty(), "the program itself takes no flags");
    }

    #[test]
    fn without_a_command_it_serves() {
        let Command::Serve(serve) = parse(&[]).unwrap().command else {
            panic!("no command is serve");
        };
        assert_eq!(serve.bind, "127.0.0.1:8080".parse().unwrap());
        let Command::Serve(serve) = parse(&["--bind", "0.0.0.0:9000", "--hsts"]).unwrap().command else {
            panic!("serve's flags alone are serve");
        };
        assert_eq!(serve.bind, "0.0.0.0:9000".parse().unwrap());
        assert!(serve.hsts);
        assert!(matches!(parse(&["openapi"]).unwrap().command, Command::Openapi));
        // Help and version stay the program's; flags of other commands are refused.
        assert_eq!(
            parse(&["--help"]).unwrap_err().kind(),
            clap::error::ErrorKind::DisplayHelp
        );
        assert_eq!(
            parse(&["--version"]).unwrap_err().kind(),
            clap::error::ErrorKind::DisplayVersion
        );
        assert_eq!(
            parse(&["openapi", "--bind", "0.0.0.0:1"]).unwrap_err().kind(),
            clap::error::ErrorKind::UnknownArgument
        );
    }

    #[test]
    fn key_files_and_the_data_folder_default() {
        let Command::Serve(serve) = parse(&["--data-dir", "/srv/lw"]).unwrap().command else {
            panic!("serve");
        };
        assert!(
            matches!(serve.settings().signing_key, KeySource::DataDir(dir) if dir == std::path::Path::new("/srv/lw"))
        );
        let Command::Serve(serve) = parse(&[
            "serve",
            "--jwt-key-file",
            "new.pem",
            "--jwt-previous-key-file",
            "old.pem",
        ])
        .unwrap()
        .command
        else {
            panic!("serve");
        };
        let KeySource::Files { current, previous } = serve.settings().signing_key else {
            panic!("files");
        };
        assert_eq!(current, std::path::Path::new("new.pem"));
        assert_eq!(previous.as_deref(), Some(std::path::Path::new("old.pem")));
        // A previous key file without a current one would mix files with a generated key.
        assert_eq!(
            parse(&["--jwt-previous-key-file", "old.pem"]).unwrap_err().kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
    }
}
