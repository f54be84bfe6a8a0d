//! `TestApp`: the server of `main`, bound to 127.0.0.1:0, with a fresh database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use garde::Validate;
use nextstack::app::AppState;
use nextstack::config::{Config, DatabaseConfig};
use nextstack::error::AppError;
use nextstack::rpc::auth::Public;
use nextstack::services::session::{self as sessions, NewSession};
use nextstack::services::user::{self as users, NewUser};
use nextstack::storage::Storage;
use nextstack::wire::user::Role;
use nextstack::{db, router, rpc};
use reqwest::{RequestBuilder, Response};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;
use ts_rs::TS;

use super::test_db::TestDb;

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// An HTTP client (no automatic decompression, so tests see raw headers).
    pub client: reqwest::Client,
    /// The server's database, for side-effect checks and setup.
    pub db: DatabaseConnection,
    /// Its URL and schema (for sibling servers).
    database: (String, Option<String>),
    /// The server's storage (for sweep runs and fault checks).
    pub storage: Arc<Storage>,
    // The local storage folder (removed on drop; unused when the suite runs on S3).
    _storage_dir: TempDir,
    /// Session tokens of the users made with [`TestApp::create_user`], by user id.
    tokens: Mutex<HashMap<String, String>>,
    stop: Option<oneshot::Sender<()>>,
    // Dropped last: removes the temp file or PostgreSQL schema (siblings own none).
    _db_guard: Option<TestDb>,
}

/// Builds a [`TestApp`] with configuration overrides.
#[derive(Default)]
pub struct TestAppBuilder {
    env: HashMap<String, String>,
    postgres: bool,
    /// Another server's database (URL and schema): a second process of the same deployment.
    sibling_of: Option<(String, Option<String>)>,
    /// Reach PostgreSQL through this local port (a [`super::TcpProxy`]) instead of directly.
    postgres_port: Option<u16>,
    /// SQL run on the fresh database before the server migrates it.
    before_migrate: Option<String>,
    /// `BETTER_AUTH_URL` is the test server itself (social sign-in redirects back to it).
    auth_at_self: bool,
}

impl TestAppBuilder {
    /// Sets an environment variable for the server's configuration.
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.insert(key.to_string(), value.into());
        self
    }

    /// Runs on PostgreSQL even when the suite runs on SQLite.
    pub fn on_postgres(mut self) -> Self {
        self.postgres = true;
        self
    }

    /// Runs on PostgreSQL, reached through `proxy` (outage tests cut it).
    pub fn on_postgres_via(self, proxy: &super::TcpProxy) -> Self {
        self.on_postgres_port(proxy.port)
    }

    /// Runs on PostgreSQL, reached through whatever listens on `port` (a proxy).
    pub fn on_postgres_port(mut self, port: u16) -> Self {
        self.postgres = true;
        self.postgres_port = Some(port);
        self
    }

    /// Runs `sql` on the fresh database before the server migrates it (a
    /// database another tool made, e.g. Prisma's DDL and its rows).
    pub fn before_migrate(mut self, sql: impl Into<String>) -> Self {
        self.before_migrate = Some(sql.into());
        self
    }

    /// Makes the server its own `BETTER_AUTH_URL` (trusted, like the default
    /// `http://localhost:3000`), so provider redirects and mailed links come back to it.
    pub fn auth_at_self(mut self) -> Self {
        self.auth_at_self = true;
        self
    }

    /// Shares `other`'s database, as a second server process would.
    pub fn sibling_of(mut self, other: &TestApp) -> Self {
        self.sibling_of = Some(other.database.clone());
        self
    }

    /// Starts the server.
    pub async fn spawn(self) -> TestApp {
        let test_db = match (&self.sibling_of, self.postgres) {
            (Some(_), _) => None,
            (None, true) => Some(TestDb::postgres().await),
            (None, false) => Some(TestDb::create().await),
        };
        let (db_url, db_schema) = match (&test_db, &self.sibling_of) {
            (Some(db), _) => (db.url(), db.schema()),
            (None, Some(shared)) => shared.clone(),
            (None, None) => unreachable!("a database is created or shared"),
        };
        let mut vars: HashMap<String, String> = [
            ("NODE_ENV", "test"),
            ("PORT", "0"),
            ("BETTER_AUTH_SECRET", "test-secret-that-is-long-enough-0123456789"),
            ("RATE_LIMIT_MAX_REQUESTS", "100000"),
            ("DATABASE_MAX_CONNECTIONS", "3"),
            ("RUST_LOG", "warn"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let server_url = match self.postgres_port {
            Some(port) => with_port(&db_url, port),
            None => db_url.clone(),
        };
        vars.insert("DATABASE_URL".into(), server_url);
        let storage_dir = tempfile::tempdir().expect("storage dir");
        vars.insert("STORAGE_LOCAL_DIR".into(), storage_dir.path().display().to_string());
        if std::env::var("TEST_STORAGE").as_deref() == Ok("s3") {
            vars.extend(s3_vars());
        }
        vars.extend(self.env);
        let mut config = Config::from_vars(vars).expect("test configuration is valid");
        config.database.schema = db_schema.clone();
        if std::env::var_os("TEST_LOG").is_some() {
            nextstack::telemetry::init(&config);
        }

        if let Some(sql) = &self.before_migrate {
            let setup = db::connect(&config.database).await.expect("connect test database");
            setup.execute_unprepared(sql).await.expect("the SQL run before migrating");
            setup.close().await.expect("close the setup connection");
        }
        // Migrated as the server migrates when it starts, whatever AUTO_MIGRATE says.
        let migrated = DatabaseConfig { auto_migrate: true, ..config.database.clone() };
        let db = db::connect_migrated(&migrated).await.expect("connect and migrate the test database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        config.bound_to(listener.local_addr().expect("addr"));
        if self.auth_at_self {
            let origin = format!("http://127.0.0.1:{port}");
            config.auth_url = origin.clone();
            config.trusted_origins.push(origin.clone());
            config.cors_origins.push(origin);
        }
        // The production state: callers are identified by their real sessions.
        let state = AppState::new(config, db.clone()).expect("storage is set up");
        let storage = state.storage.clone();
        nextstack::start_notices(&state).await;
        let procedures = rpc::registry::procedures().query("test.sleep", sleep).query("test.panic", panic_now);
        let limits = state.config.connections;
        let app = router::build_with(state, procedures);
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(nextstack::serve_router(listener, app, limits, async move {
            let _ = stopped.await;
        }));
        TestApp {
            base_url: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"),
            db,
            database: (db_url, db_schema),
            storage,
            _storage_dir: storage_dir,
            tokens: Mutex::new(HashMap::new()),
            stop: Some(stop),
            _db_guard: test_db,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// `url` with its port replaced.
fn with_port(url: &str, port: u16) -> String {
    let mut parsed = url::Url::parse(url).expect("a database URL");
    parsed.set_port(Some(port)).expect("a URL with a host");
    parsed.to_string()
}

/// True when the suite runs against the S3-compatible server (`TEST_STORAGE=s3`).
pub fn storage_is_s3() -> bool {
    std::env::var("TEST_STORAGE").as_deref() == Ok("s3")
}

/// The S3 settings of the suite's S3-compatible server (`TEST_S3_*`, defaults match `scripts/test`).
pub fn s3_vars() -> Vec<(String, String)> {
    let get = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
    vec![
        ("STORAGE_TYPE".into(), "s3".into()),
        ("S3_ENDPOINT".into(), get("TEST_S3_ENDPOINT", "http://127.0.0.1:9014")),
        ("S3_BUCKET".into(), get("TEST_S3_BUCKET", "nextstack-test")),
        ("S3_ACCESS_KEY".into(), get("TEST_S3_ACCESS_KEY", "nextstack-test")),
        ("S3_SECRET_KEY".into(), get("TEST_S3_SECRET_KEY", "nextstack-test-secret")),
        ("S3_REGION".into(), "us-east-1".into()),
    ]
}

/// `test.sleep` input: how long to sleep.
#[derive(Debug, Deserialize, Validate, TS)]
pub struct SleepInput {
    /// Milliseconds.
    #[garde(range(min = 0, max = 60_000))]
    pub ms: u64,
}

/// `test.sleep` output.
#[derive(Debug, Serialize, TS)]
pub struct SleepOutput {
    /// How long it slept.
    pub slept: u64,
}

/// A query that sleeps: registered only by the test app, for timeout and shutdown tests.
async fn sleep(_: Public, input: SleepInput) -> Result<SleepOutput, AppError> {
    tokio::time::sleep(std::time::Duration::from_millis(input.ms)).await;
    Ok(SleepOutput { slept: input.ms })
}

/// A query with a bug: registered only by the test app, to prove a panic becomes a 500.
async fn panic_now(_: Public) -> Result<SleepOutput, AppError> {
    panic!("a bug in a handler")
}

impl TestApp {
    /// A server with the default test configuration.
    pub async fn spawn() -> Self {
        TestAppBuilder::default().spawn().await
    }

    /// A builder for a server with overrides.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    /// `base_url + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    /// A tRPC query request (`GET /trpc/path?input=...`), not yet sent.
    pub fn query_request(&self, path: &str, input: Option<&Value>) -> RequestBuilder {
        let mut url = self.url(&format!("/trpc/{path}"));
        if let Some(input) = input {
            url.push_str("?input=");
            url.push_str(&urlencode(&input.to_string()));
        }
        self.client.get(url)
    }

    /// A tRPC mutation request (`POST /trpc/path` with a JSON body), not yet sent.
    pub fn mutation_request(&self, path: &str, input: &Value) -> RequestBuilder {
        self.client
            .post(self.url(&format!("/trpc/{path}")))
            .header("content-type", "application/json")
            .body(input.to_string())
    }

    /// Sends a query as `user_id` (or anonymously) and returns status and JSON body.
    pub async fn query(&self, path: &str, input: Option<&Value>, user_id: Option<&str>) -> (u16, Value) {
        send_json(self.act_as(self.query_request(path, input), user_id)).await
    }

    /// Sends a mutation as `user_id` (or anonymously) and returns status and JSON body.
    pub async fn mutation(&self, path: &str, input: &Value, user_id: Option<&str>) -> (u16, Value) {
        send_json(self.act_as(self.mutation_request(path, input), user_id)).await
    }

    /// Inserts a user and opens a session for them directly (builders, not API
    /// calls: no password hashing); requests act as them with [`TestApp::bearer`].
    pub async fn create_user(&self, email: &str, role: Role) -> String {
        let new = NewUser { email: email.to_string(), name: Some(format!("User {email}")), role };
        let id = users::create(&self.db, new).await.expect("create user").id;
        let session = NewSession { user_id: id.clone(), ip_address: None, user_agent: None, remember: true };
        let token = sessions::create(&self.db, session).await.expect("create session").token;
        self.tokens.lock().unwrap().insert(id.clone(), token);
        id
    }

    /// A counter or gauge sample from `/metrics`, `name` with its labels (0 when absent).
    pub async fn metric(&self, name: &str) -> f64 {
        let text = self.get("/metrics").await.text().await.unwrap();
        text.lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with([' ', '{']))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    }

    /// The server's `DATABASE_URL` and PostgreSQL schema (for other clients of the same database).
    pub fn database(&self) -> (&str, Option<&str>) {
        (&self.database.0, self.database.1.as_deref())
    }

    /// `Bearer <token>` of a user made with [`TestApp::create_user`].
    pub fn bearer(&self, user_id: &str) -> String {
        let token = self.tokens.lock().unwrap().get(user_id).cloned().expect("a user made by create_user");
        format!("Bearer {token}")
    }

    /// Sends the request as `user_id` (their real session, as a bearer token), or anonymously.
    pub fn act_as(&self, req: RequestBuilder, user_id: Option<&str>) -> RequestBuilder {
        match user_id {
            Some(id) => req.header("authorization", self.bearer(id)),
            None => req,
        }
    }
}

/// Sends and parses the JSON body.
pub async fn send_json(req: RequestBuilder) -> (u16, Value) {
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, json)
}

/// Percent-encodes a query value like JavaScript's `encodeURIComponent`.
pub fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
