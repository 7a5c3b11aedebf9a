use std::io::Write;

use clap::Parser;
use lokal_willkommen::config::{Cli, Command};
use lokal_willkommen::startup::Application;
use lokal_willkommen::telemetry;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command.clone().unwrap_or(Command::Serve) {
        Command::Openapi => {
            let doc = api::openapi().to_pretty_json()?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{doc}")?;
        }
        Command::Healthcheck => {
            if !lokal_willkommen::healthcheck::ready(cli.bind) {
                std::process::exit(1);
            }
        }
        Command::Migrate => {
            telemetry::init(cli.log_format);
            let pool = persistence::connect(&cli.database_url(), 1)?;
            let mut conn = pool.get()?;
            let ran = persistence::migrate(&mut conn)?;
            tracing::info!(migrations = ran, "migrations applied");
        }
        Command::Seed => {
            telemetry::init(cli.log_format);
            let pool = persistence::connect(&cli.database_url(), 1)?;
            let mut conn = pool.get()?;
            persistence::migrate(&mut conn)?;
            let report = persistence::seed::seed(&mut conn)?;
            tracing::info!(
                organizations = report.organizations_created,
                offices = report.offices_created,
                "seed applied"
            );
        }
        Command::Serve => {
            telemetry::init(cli.log_format);
            let settings = cli.settings();
            let app = Application::build(&settings)?;
            tracing::info!(
                address = %settings.bind,
                docs = %format!("http://{}/docs/", settings.bind),
                "serving lokal willkommen API"
            );
            app.run_until_stopped().await?;
            tracing::info!("stopped");
        }
    }
    Ok(())
}
