use std::io::Write;

use server::config::{AdminCommand, Cli, Command, KeysCommand};
use server::startup::Application;
use server::telemetry;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    // A user error (a wrong URL, a missing key) is one line with its causes, never a
    // backtrace, whatever RUST_BACKTRACE says.
    match run(Cli::parse_args()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Openapi => {
            let doc = serde_json::to_string_pretty(&api::openapi())?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{doc}")?;
        }
        Command::Healthcheck { bind } => {
            if !server::healthcheck::ready(bind) {
                std::process::exit(1);
            }
        }
        Command::Keys(KeysCommand::Generate { out }) => {
            let kid = server::keys::generate(&out)?;
            println!("wrote a new signing key to {} (kid {kid})", out.display());
        }
        Command::Keys(KeysCommand::Rotate { dir, keys }) => match &keys.jwt_key_file {
            Some(current) => print!(
                "{}",
                server::keys::rotation_steps(
                    current,
                    keys.jwt_previous_key_file.as_deref(),
                    api::accounts::auth::AuthConfig::default().access_ttl,
                )
            ),
            None => {
                let rotated = server::keys::rotate_data_dir(&dir.data_dir)?;
                println!(
                    "rotated the signing key in {}: new key {}, previous key {} (verifies until \
                     its tokens expire)",
                    dir.data_dir.display(),
                    rotated.current_kid,
                    rotated.previous_kid
                );
                if let Some(dropped) = rotated.dropped_kid {
                    println!("removed the older previous key {dropped}");
                }
                println!(
                    "restart the server to sign with the new key; once the access-token \
                     lifetime has passed after that, {} may be deleted",
                    dir.data_dir
                        .join(server::startup::DATA_DIR_PREVIOUS_KEY)
                        .display()
                );
            }
        },
        Command::Admin(AdminCommand::Create {
            email,
            name,
            employer,
            db,
            log,
        }) => {
            telemetry::init(log.log_format);
            let password = match std::env::var("LW_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => rpassword_prompt()?,
            };
            let pool = server::startup::prepare_database(&db.database_url(), 2, &domain::Clock::system())?;
            let id = server::admin::create_admin(&pool, &email, &name, &employer, &password)?;
            println!("created admin {email} ({id}); sign in at POST /api/v1/auth/login");
        }
        Command::Admin(AdminCommand::ResetPassword { email, db, log }) => {
            telemetry::init(log.log_format);
            let password = match std::env::var("LW_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => rpassword_prompt()?,
            };
            let pool = server::startup::prepare_database(&db.database_url(), 2, &domain::Clock::system())?;
            server::admin::reset_password(&pool, &email, &password)?;
            println!("set a new password for {email}; its sessions have ended");
        }
        Command::Demo { volume, db, log } => {
            telemetry::init(log.log_format);
            let clock = domain::Clock::system();
            let pool = server::startup::prepare_database(&db.database_url(), 2, &clock)?;
            let accounts = server::demo::create_demo(&pool)?;
            let work = server::demo_fieldwork::create_field_work(&pool, &clock)?;
            println!(
                "DEMO FIELD WORK: {} contact records ({} referrals closed), {} home visits, {} meetings for {} offices; {} partners",
                work.contacts,
                work.referrals_closed,
                work.home_visits,
                work.meetings,
                work.offices,
                work.partners
            );
            if let Some(count) = volume {
                let started = std::time::Instant::now();
                let written = server::demo_fieldwork::load_volume(&pool, &clock, count)?;
                println!(
                    "BENCHMARK VOLUME: {written} contact records in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
            }
            println!("DEMO DATA (fictitious people; passwords are shown only now):");
            for a in accounts {
                let office = a
                    .office
                    .map(|(o, s)| format!(" office {o} ({})", s.as_str()))
                    .unwrap_or_default();
                let password = a
                    .password
                    .unwrap_or_else(|| "(existed already; unchanged)".into());
                println!("  {:<12} {:<55} {password}{office}", a.role.as_str(), a.email);
            }
        }
        Command::Migrate { db, log } => {
            telemetry::init(log.log_format);
            let pool = persistence::connect(&db.database_url(), 1)?;
            let mut conn = pool.get()?;
            let ran = persistence::migrate(&mut conn)?;
            tracing::info!(migrations = ran, "migrations applied");
        }
        Command::Seed { db, log } => {
            telemetry::init(log.log_format);
            let pool = persistence::connect(&db.database_url(), 1)?;
            let mut conn = pool.get()?;
            persistence::migrate(&mut conn)?;
            let report = persistence::seed::seed(&mut conn, &domain::Clock::system())?;
            tracing::info!(
                organizations = report.organizations_created,
                offices = report.offices_created,
                "seed applied"
            );
        }
        Command::Serve(serve) => {
            telemetry::init(serve.log.log_format);
            let settings = serve.settings();
            let app = Application::build(&settings)?;
            tracing::info!(
                address = %settings.bind,
                docs = %format!("http://{}/docs/", settings.bind),
                "serving lokal willkommen API"
            );
            if let Some(bind) = settings.metrics_bind {
                tracing::info!(address = %bind, "serving /metrics");
            }
            app.run_until_stopped().await?;
            tracing::info!("stopped");
        }
    }
    Ok(())
}

/// Reads a password from the terminal twice, without echo when stdin is a terminal.
fn rpassword_prompt() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    // Not a terminal (a pipe, a script): the password is the first line of stdin.
    if !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        anyhow::ensure!(
            !password.is_empty(),
            "no password: set LW_ADMIN_PASSWORD or pipe the password on stdin"
        );
        return Ok(password);
    }
    let read = |label: &str| -> anyhow::Result<String> {
        eprint!("{label}: ");
        std::io::stderr().flush()?;
        let tty = std::process::Command::new("stty")
            .arg("-echo")
            .stdin(std::process::Stdio::inherit())
            .status();
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        if tty.is_ok_and(|s| s.success()) {
            let _ = std::process::Command::new("stty")
                .arg("echo")
                .stdin(std::process::Stdio::inherit())
                .status();
            eprintln!();
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    };
    let first = read("Password for the new admin")?;
    let second = read("Repeat the password")?;
    anyhow::ensure!(first == second, "the passwords differ");
    Ok(first)
}
