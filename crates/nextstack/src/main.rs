use std::process::ExitCode;

use clap::Parser;
use nextstack::cli::{Cli, Command};
use nextstack::config::Config;
use nextstack::{commands, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Healthcheck { timeout_ms }) = cli.command {
        // Before the configuration is validated: the probe needs the port only.
        return commands::healthcheck(std::time::Duration::from_millis(timeout_ms)).await;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => commands::serve(config).await,
        Command::Migrate { status } => commands::migrate(config, status).await,
        Command::GenTypes { out } => commands::gen_types(out.as_deref()),
        Command::CreateAdmin { email, password_stdin: _ } => commands::create_admin(config, &email).await,
        Command::Healthcheck { .. } => unreachable!("answered above"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
