//! The integration suite: the real server on a random port, spoken to over HTTP,
//! with a fresh database per test (SQLite temp file, or a PostgreSQL schema when
//! `TEST_DATABASE_URL` names PostgreSQL).

mod helpers;

mod admin_console;
mod admin_plugin;
mod adoption;
mod attacks;
mod auth;
mod auth_client;
mod auth_compat;
mod auth_email;
mod auth_manage;
mod authz_matrix;
mod cli;
mod client_ts;
mod config;
mod connections;
mod content;
mod core_user;
mod early_refusal;
mod fleet;
mod health;
mod hostile_input;
mod metrics;
mod middleware;
mod orders;
mod prisma_client;
mod round_trips;
mod session_cache;
mod shutdown;
mod social;
mod stalled_streams;
mod storage;
mod storage_fault;
mod storage_form_upload;
mod subscriptions;
mod trpc_protocol;
mod validation;
mod wire_snapshots;
