//! What each subcommand does.

use anyhow::Context;
use nextstack_migration::adopt::{Adoption, adopt};
use nextstack_trpc::Transformer;
use nextstack_trpc::typegen::TypegenOptions;
use tokio::net::TcpListener;

use crate::app::AppState;
use crate::config::Config;
use crate::{db, rpc, serve as serve_app, shutdown, storage};

/// `nextstack serve`: open the database (migrating the embedded default), bind, serve until a signal.
pub async fn serve(mut config: Config) -> anyhow::Result<()> {
    if config.generated_secret {
        tracing::warn!("BETTER_AUTH_SECRET is not set: using a random secret for this run (sessions end on restart)");
    }
    if config.is_production() && config.public_url.is_none() {
        tracing::warn!(
            "PUBLIC_URL is not set: signed storage URLs name the bound address, and the /admin console works only where that is how browsers reach this server"
        );
    }
    if config.is_production() && config.metrics_enabled && config.metrics_token.is_none() {
        tracing::warn!("METRICS_TOKEN is not set: /metrics is open to anyone who reaches this port");
    }
    let db = db::connect_migrated(&config.database).await.context("cannot open and migrate the database")?;
    let addr = (config.host, config.port);
    let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {}:{}", addr.0, addr.1))?;
    let local = listener.local_addr()?;
    config.bound_to(local);
    let (environment, kind, sweep_every) = (config.environment, config.database.kind, config.storage_sweep_interval);
    let state = AppState::new(config, db.clone()).context("cannot set up file storage")?;
    storage::sweep::spawn(db.clone(), state.storage.clone(), sweep_every);
    let shutdown = shutdown::on_signal(state.config.shutdown_timeout).context("cannot install signal handlers")?;
    tracing::info!(environment = environment.as_str(), database = ?kind, "NextStack listening on http://{local}");
    serve_app(listener, state, shutdown).await?;
    db.close().await.context("closing the database pool")?;
    tracing::info!("shutdown complete");
    Ok(())
}

/// `nextstack healthcheck`: `GET /health` on `127.0.0.1:$PORT` (plain TCP, no HTTP client needed).
pub async fn healthcheck(timeout: std::time::Duration) -> std::process::ExitCode {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let port = std::env::var("PORT").ok().and_then(|p| p.trim().parse::<u16>().ok()).unwrap_or(3001);
    let probe = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        stream.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await?;
        let mut head = [0u8; 16];
        let n = stream.read(&mut head).await?;
        Ok::<bool, std::io::Error>(head[..n].starts_with(b"HTTP/1.1 200"))
    };
    match tokio::time::timeout(timeout, probe).await {
        Ok(Ok(true)) => std::process::ExitCode::SUCCESS,
        Ok(Ok(false)) => {
            eprintln!("unhealthy: /health did not answer 200");
            std::process::ExitCode::FAILURE
        }
        Ok(Err(err)) => {
            eprintln!("unhealthy: {err}");
            std::process::ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("unhealthy: no answer within {} ms", timeout.as_millis());
            std::process::ExitCode::FAILURE
        }
    }
}

/// `nextstack migrate [--status]`.
pub async fn migrate(config: Config, status_only: bool) -> anyhow::Result<()> {
    let db = db::connect(&config.database).await.context("cannot open the database")?;
    if !status_only {
        // Adoption first, so a refusal reads as a list rather than a database error.
        match adopt(&db).await.context("cannot read the database's catalog")? {
            Adoption::Refused { differences } => anyhow::bail!(
                "the database already holds tables that differ from NextStack's schema; nothing was changed:\n  {}",
                differences.join("\n  ")
            ),
            Adoption::Baselined { migration } => {
                println!("adopted the existing tables: they match {migration}, now recorded as applied");
            }
            Adoption::NotNeeded => {}
        }
        db::migrate(&db).await.context("migration failed")?;
    }
    for (name, applied) in db::migration_status(&db).await? {
        println!("{} {name}", if applied { "applied" } else { "pending" });
    }
    db.close().await?;
    Ok(())
}

/// `nextstack gen-types [--out DIR]`: the TypeScript `AppRouter` module, printed, or written to
/// `DIR/router.ts` (plain JSON) and `DIR/router.superjson.ts` (superjson clients).
pub fn gen_types(out: Option<&std::path::Path>) -> anyhow::Result<()> {
    match out {
        None => print!("{}", router_ts(Transformer::None)?),
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            for (file, transformer) in
                [("router.ts", Transformer::None), ("router.superjson.ts", Transformer::Superjson)]
            {
                let path = dir.join(file);
                std::fs::write(&path, router_ts(transformer)?)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                println!("wrote {}", path.display());
            }
        }
    }
    Ok(())
}

/// The TypeScript module exporting `AppRouter`, `RouterInputs` and `RouterOutputs`
/// for clients using `transformer` (timestamps are `string` in plain JSON, `Date` under superjson).
pub fn router_ts(transformer: Transformer) -> anyhow::Result<String> {
    let options = TypegenOptions { transformer, date_types: &["IsoTime"], generated_by: "nextstack gen-types" };
    Ok(nextstack_trpc::typegen::app_router_ts(&rpc::registry::procedures(), options)?)
}

/// `nextstack create-admin --email E --password-stdin`: creates the user as ADMIN
/// with that password, or promotes an existing one and sets the password.
pub async fn create_admin(config: Config, email: &str) -> anyhow::Result<()> {
    use crate::auth::password::{MAX_LENGTH, MIN_LENGTH, hash_blocking};
    use crate::services::account;

    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']);
    let len = password.chars().count();
    anyhow::ensure!(
        (MIN_LENGTH..=MAX_LENGTH).contains(&len),
        "the password must be {MIN_LENGTH} to {MAX_LENGTH} characters"
    );
    let hash = tokio::task::spawn_blocking({
        let password = password.to_string();
        move || hash_blocking(&password)
    })
    .await?;
    let db = db::connect_migrated(&config.database).await.context("cannot open and migrate the database")?;
    let message = match account::make_admin(&db, email, hash).await? {
        account::AdminChange::Created(email) => format!("created admin {email}"),
        account::AdminChange::Promoted(email) => format!("promoted {email} to admin"),
    };
    db.close().await?;
    println!("{message}");
    Ok(())
}
