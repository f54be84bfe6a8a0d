//! Issue 11: several processes behind a load balancer share PostgreSQL and
//! Redis, and keep serving while one of those goes away (a TCP proxy the test
//! controls stands in for the outage).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::auth::{PASSWORD, sign_up};
use crate::helpers::{TcpProxy, TestApp};

const REDIS: &str = "127.0.0.1:6379";

/// A Redis key prefix of this test's own, so tests never share counters.
fn prefix() -> String {
    format!("nextstack-test:{}:", rand::random::<u64>())
}

async fn trpc_remaining(app: &TestApp) -> (u16, Option<u64>) {
    let res = app.get("/trpc/_meta.health").await;
    let remaining = res.headers().get("ratelimit-remaining").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    (res.status().as_u16(), remaining)
}

async fn ready(app: &TestApp) -> (u16, Value) {
    let res = app.get("/ready").await;
    (res.status().as_u16(), res.json().await.unwrap())
}

/// Polls until `check` holds (the background probe notices changes within a second).
async fn eventually<F: AsyncFnMut() -> bool>(what: &str, mut check: F) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "{what} did not happen");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn two_processes_share_the_trpc_and_auth_limits_through_redis() {
    let prefix = prefix();
    let a = TestApp::builder()
        .on_postgres()
        .env("REDIS_URL", format!("redis://{REDIS}"))
        .env("RATE_LIMIT_PREFIX", &prefix)
        .env("RATE_LIMIT_MAX_REQUESTS", "30")
        .env("AUTH_RATE_LIMIT_MAX_REQUESTS", "3")
        .spawn()
        .await;
    let b = TestApp::builder()
        .sibling_of(&a)
        .env("REDIS_URL", format!("redis://{REDIS}"))
        .env("RATE_LIMIT_PREFIX", &prefix)
        .env("RATE_LIMIT_MAX_REQUESTS", "30")
        .env("AUTH_RATE_LIMIT_MAX_REQUESTS", "3")
        .spawn()
        .await;
    eventually("both connect to Redis", async || ready(&a).await.1["checks"]["redis"] == "ok").await;
    eventually("both connect to Redis", async || ready(&b).await.1["checks"]["redis"] == "ok").await;
    // A session revoked through one process is refused by the other (its cached copy
    // evicted by the database's notice, decision 7; see session_cache.rs for the timing).
    let (cookie, token, _) = sign_up(&b, "revoked@example.com").await;
    let bearer = format!("Bearer {token}");
    let get_me = async || {
        crate::helpers::send_json(a.query_request("main.auth.getMe", None).header("authorization", &bearer)).await.0
    };
    assert_eq!(get_me().await, 200);
    assert_eq!(crate::auth::post(&b, "/sign-out", json!({}), Some(&cookie)).await.status(), 200);
    eventually("the other process refuses the session", async || get_me().await == 401).await;
    // One client, its requests split across both processes: limited as one (the
    // calls spent above count too), down to the last, then refused by both.
    let (status, Some(mut left)) = trpc_remaining(&a).await else { panic!("no RateLimit-Remaining") };
    assert_eq!(status, 200);
    for turn in 0.. {
        if left == 0 {
            break;
        }
        let app = if turn % 2 == 0 { &b } else { &a };
        assert_eq!(trpc_remaining(app).await, (200, Some(left - 1)));
        left -= 1;
    }
    assert_eq!(trpc_remaining(&a).await.0, 429);
    assert_eq!(trpc_remaining(&b).await.0, 429);
    // The auth limiter too (sign-in: 3 per window).
    sign_up(&a, "fleet@example.com").await;
    let sign_in = |app: &TestApp| {
        app.client
            .post(app.url("/api/auth/sign-in/email"))
            .json(&json!({"email": "fleet@example.com", "password": PASSWORD}))
            .send()
    };
    let statuses = [
        sign_in(&a).await.unwrap().status().as_u16(),
        sign_in(&b).await.unwrap().status().as_u16(),
        sign_in(&a).await.unwrap().status().as_u16(),
        sign_in(&b).await.unwrap().status().as_u16(),
    ];
    assert_eq!(statuses, [200, 200, 200, 429]);
}

#[tokio::test]
async fn a_redis_outage_falls_back_to_process_counters_and_recovers() {
    let redis: SocketAddr = REDIS.parse().unwrap();
    let proxy = TcpProxy::start(redis).await;
    let prefix = prefix();
    let app = TestApp::builder()
        .env("REDIS_URL", format!("redis://127.0.0.1:{}", proxy.port))
        .env("RATE_LIMIT_PREFIX", &prefix)
        .env("RATE_LIMIT_MAX_REQUESTS", "50")
        .spawn()
        .await;
    eventually("Redis is used", async || ready(&app).await.1["checks"]["redis"] == "ok").await;
    assert_eq!(trpc_remaining(&app).await, (200, Some(49)));
    assert_eq!(app.metric("nextstack_rate_limit_redis_fallback").await, 0.0);

    proxy.cut();
    // Every request is still served, counted in process (a fresh window: 49 left again).
    let started = Instant::now();
    for _ in 0..5 {
        let (status, remaining) = trpc_remaining(&app).await;
        assert_eq!(status, 200);
        assert!(remaining.is_some());
    }
    assert!(started.elapsed() < Duration::from_secs(3), "no request waits on the dead Redis");
    let (status, body) = ready(&app).await;
    assert_eq!(
        (status, body["status"].as_str(), body["checks"]["redis"].as_str()),
        (200, Some("degraded"), Some("down"))
    );
    assert_eq!(app.metric("nextstack_rate_limit_redis_fallback").await, 1.0);
    assert_eq!(app.metric("nextstack_rate_limit_redis_outages_total").await, 1.0, "one outage, reported once");

    proxy.restore();
    eventually("shared counting resumes", async || ready(&app).await.1["checks"]["redis"] == "ok").await;
    eventually("the fallback ends", async || app.metric("nextstack_rate_limit_redis_fallback").await == 0.0).await;
    // Back on the shared counter: it continues from where Redis left it (one hit before the outage).
    let (_, remaining) = trpc_remaining(&app).await;
    assert!(remaining.is_some_and(|r| r <= 48), "counted in Redis again: {remaining:?}");
    let mut conn =
        redis::Client::open(format!("redis://{REDIS}")).unwrap().get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query_async(&mut conn).await.unwrap();
    assert_eq!(keys.len(), 1, "one key, under the prefix: {keys:?}");
    assert_eq!(app.metric("nextstack_rate_limit_redis_outages_total").await, 1.0);
}

#[tokio::test]
async fn a_database_outage_gives_bounded_503s_and_the_same_process_recovers() {
    let postgres: SocketAddr = "127.0.0.1:5432".parse().unwrap();
    let proxy = TcpProxy::start(postgres).await;
    let app = TestApp::builder().on_postgres_via(&proxy).env("DATABASE_ACQUIRE_TIMEOUT_MS", "1500").spawn().await;
    let seller = app.create_user("seller@example.com", nextstack::wire::user::Role::User).await;
    let buyer = app.create_user("buyer@example.com", nextstack::wire::user::Role::User).await;
    let offering = json!({"title": "Lesson", "priceCents": 500, "status": "ACTIVE"});
    let (_, body) = app.mutation("core.offering.create", &offering, Some(&seller)).await;
    let offering_id = body["result"]["data"]["id"].as_str().unwrap().to_string();
    // A subscriber to order events, to see the listener come back.
    let url = app.url(&format!("/trpc/main.order.onChange?input={}", crate::helpers::urlencode("{}")));
    let mut events = app.client.get(url).header("authorization", app.bearer(&seller)).send().await.unwrap();

    proxy.cut();
    let within = |limit: Duration, started: Instant| started.elapsed() < limit;
    let started = Instant::now();
    let (status, body) = app.query("core.user.get", Some(&json!({"id": buyer})), Some(&buyer)).await;
    assert_eq!((status, body["error"]["data"]["code"].as_str()), (503, Some("SERVICE_UNAVAILABLE")), "{body}");
    assert!(within(Duration::from_secs(5), started), "bounded: {:?}", started.elapsed());
    let text = body.to_string().to_lowercase();
    assert!(!text.contains("pool") && !text.contains("sql") && !text.contains("connection"), "no internals: {body}");
    let started = Instant::now();
    let (status, _) = app.mutation("main.order.place", &json!({"offeringId": offering_id}), Some(&buyer)).await;
    assert_eq!(status, 503, "a mutation inside a transaction too");
    assert!(within(Duration::from_secs(5), started));
    let started = Instant::now();
    let (status, body) = ready(&app).await;
    assert_eq!((status, body["checks"]["database"].as_str()), (503, Some("down")));
    assert!(within(Duration::from_millis(1500), started), "/ready answers within a second: {:?}", started.elapsed());
    assert_eq!(app.get("/health").await.status(), 200);
    let auth = app.client.get(app.url("/api/auth/get-session")).header("authorization", app.bearer(&buyer)).send();
    let auth = auth.await.unwrap();
    assert_eq!(auth.status(), 503, "auth routes say so too");

    proxy.restore();
    eventually("the same process serves again", async || {
        app.query("core.user.get", Some(&json!({"id": buyer})), Some(&buyer)).await.0 == 200
    })
    .await;
    assert_eq!(ready(&app).await.0, 200);
    // The order-event listener reconnects (within a second or so): orders placed from
    // then on reach the subscriber. Events raised while it was away are not replayed.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = String::new();
    while Instant::now() < deadline {
        app.mutation("main.order.place", &json!({"offeringId": offering_id}), Some(&buyer)).await;
        match tokio::time::timeout(Duration::from_millis(500), events.chunk()).await {
            Ok(Ok(Some(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(_) => break,
            Err(_) => {}
        }
        if seen.contains("\"status\":\"PENDING\"") {
            break;
        }
    }
    assert!(seen.contains("\"status\":\"PENDING\""), "the event arrived after the outage: {seen}");
}

/// A Redis over TLS (`rediss://`) of the test's own: a self-signed certificate
/// made with `openssl`, the `redis-server` of the machine on a free port.
struct TlsRedis {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl TlsRedis {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"])
            .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
            .arg("-keyout")
            .arg(dir.path().join("key.pem"))
            .arg("-out")
            .arg(dir.path().join("cert.pem"))
            .stderr(std::process::Stdio::null())
            .status()
            .expect("openssl runs");
        assert!(status.success());
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                "0",
                "--tls-port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--tls-cert-file")
            .arg(dir.path().join("cert.pem"))
            .arg("--tls-key-file")
            .arg(dir.path().join("key.pem"))
            .args(["--tls-auth-clients", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server runs");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port, _dir: dir }
    }
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_rediss_url_shares_limits_over_tls() {
    let redis = TlsRedis::start();
    // `#insecure`: the test's certificate is self-signed (a real deployment's is not).
    let url = format!("rediss://127.0.0.1:{}/#insecure", redis.port);
    let app = TestApp::builder()
        .env("REDIS_URL", url)
        .env("RATE_LIMIT_PREFIX", prefix())
        .env("RATE_LIMIT_MAX_REQUESTS", "3")
        .spawn()
        .await;
    eventually("Redis over TLS answers", async || ready(&app).await.1["checks"]["redis"] == "ok").await;
    assert_eq!(trpc_remaining(&app).await, (200, Some(2)));
    assert_eq!(trpc_remaining(&app).await, (200, Some(1)));
    assert_eq!(app.metric("nextstack_rate_limit_redis_fallback").await, 0.0, "counted in Redis, not in process");
}
