//! The `nextstack` command line.

use clap::{Parser, Subcommand};

/// NextStack in Rust: tRPC 11 + BetterAuth-compatible API server.
#[derive(Debug, Parser)]
#[command(name = "nextstack", version, about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the HTTP server (the default).
    Serve,
    /// Apply pending database migrations.
    Migrate {
        /// List migrations and whether each is applied, without applying any.
        #[arg(long)]
        status: bool,
    },
    /// Write the TypeScript `AppRouter` modules for clients (`router.ts`, `router.superjson.ts`), or print the first.
    GenTypes {
        /// Folder to write the modules into (default: print `router.ts` to stdout).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Exit 0 when this machine's server answers `GET /health` with 200 (the
    /// container `HEALTHCHECK`: images need no curl). Reads `PORT` only.
    Healthcheck {
        /// Give up after this many milliseconds.
        #[arg(long, default_value_t = 2000)]
        timeout_ms: u64,
    },
    /// Create an admin (or promote an existing user), reading the password from stdin.
    CreateAdmin {
        /// The admin's email.
        #[arg(long)]
        email: String,
        /// Read the password from standard input (first line); required, so it never
        /// appears in the process list or shell history.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}
