//! Graceful shutdown of the real binary: SIGTERM during an in-flight request
//! lets that request finish, then the process exits 0.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `nextstack` binary on a temp SQLite database, with its port read from the log.
pub struct ServerProcess {
    pub child: Child,
    pub port: u16,
    /// Every line the server wrote to stdout (its log).
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl ServerProcess {
    pub fn start(extra_env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_nextstack"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("NODE_ENV", "test")
            .env("PORT", "0")
            .env("LOG_FORMAT", "json")
            .env("BETTER_AUTH_SECRET", "test-secret-that-is-long-enough-0123456789")
            .env("DATABASE_URL", format!("sqlite://{}/db.sqlite?mode=rwc", dir.path().display()))
            .env("STORAGE_LOCAL_DIR", dir.path().join("uploads"))
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start nextstack");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line.clone());
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let port = rest.split(':').nth(1).and_then(|p| {
                        p.chars().take_while(char::is_ascii_digit).collect::<String>().parse::<u16>().ok()
                    });
                    let _ = tx.send(port);
                }
            }
        });
        let port = rx.recv_timeout(Duration::from_secs(20)).ok().flatten().expect("server printed its address");
        Self { child, port, log, _dir: dir }
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill").arg(format!("-{name}")).arg(self.child.id().to_string()).status().unwrap();
        assert!(status.success());
    }

    pub fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn sigterm_lets_the_in_flight_request_finish_then_exits_zero() {
    let mut server = ServerProcess::start(&[]);
    let body = r#"{"email":"late@example.com"}"#;
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let head = format!(
        "POST /trpc/core.user.create HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    // Headers and half the body: the request is in flight.
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body.as_bytes()[..10]).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    server.signal("TERM");
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.child.try_wait().unwrap().is_none(), "the server waits for the in-flight request");
    assert!(TcpStream::connect(("127.0.0.1", server.port)).is_err(), "no new connections after SIGTERM");
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    let mut response = String::new();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = stream.read_to_string(&mut response);
    assert!(response.starts_with("HTTP/1.1 401"), "the request got its (anonymous → 401) answer: {response}");
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(0));
}

#[test]
fn sigint_on_an_idle_server_exits_zero() {
    let mut server = ServerProcess::start(&[]);
    server.signal("INT");
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(0));
}

#[tokio::test]
async fn session_tokens_never_reach_the_log() {
    let mut server = ServerProcess::start(&[("RUST_LOG", "debug")]);
    let base = format!("http://127.0.0.1:{}", server.port);
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{base}/api/auth/sign-up/email"))
        .json(&serde_json::json!({"name": "Log", "email": "log@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let token = res.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let bearer = format!("Bearer {token}");
    for path in ["/trpc/main.auth.getMe", "/trpc/main.auth.getSession", "/api/auth/get-session", "/trpc/nope"] {
        client.get(format!("{base}{path}")).header("authorization", &bearer).send().await.unwrap();
    }
    client
        .post(format!("{base}/api/auth/sign-out"))
        .header("authorization", &bearer)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    server.signal("TERM");
    assert_eq!(server.wait_exit(Duration::from_secs(10)), Some(0));
    let log = server.log.lock().unwrap().clone();
    assert!(log.len() > 5, "debug logging produced lines: {log:?}");
    assert!(log.iter().all(|line| !line.contains(&token)), "a token leaked into the log");
}

#[test]
fn sigterm_ends_open_subscriptions_with_return_and_exits_zero() {
    let mut server = ServerProcess::start(&[("SHUTDOWN_TIMEOUT_MS", "8000")]);
    // A session for the subscription (sign-up answers with `set-auth-token`).
    let body = r#"{"name":"Sub","email":"sub@example.com","password":"subscription password"}"#;
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let request = format!(
        "POST /api/auth/sign-up/email HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let token = response
        .lines()
        .find_map(|l| l.strip_prefix("set-auth-token: "))
        .unwrap_or_else(|| panic!("no token in {response}"))
        .trim()
        .to_string();

    let mut sse = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let request = format!(
        "GET /trpc/main.order.onChange?input=%7B%7D HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    sse.write_all(request.as_bytes()).unwrap();
    sse.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !seen.contains("event: connected") {
        let n = sse.read(&mut buf).expect("the stream opens");
        assert!(n > 0, "stream closed early: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    let started = Instant::now();
    server.signal("TERM");
    while !seen.contains("event: return") {
        match sse.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
    assert!(seen.contains("event: return"), "the stream ends cleanly: {seen}");
    assert_eq!(server.wait_exit(Duration::from_secs(6)), Some(0), "exit 0, well before the watchdog");
    assert!(started.elapsed() < Duration::from_secs(6));
}

/// The container `HEALTHCHECK` (`nextstack healthcheck`): 0 against a live server, 1 against nothing.
#[test]
fn healthcheck_exits_zero_only_when_the_server_answers() {
    let server = ServerProcess::start(&[]);
    let probe = |port: u16| {
        Command::new(env!("CARGO_BIN_EXE_nextstack"))
            .arg("healthcheck")
            .env_clear()
            .env("PORT", port.to_string())
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(probe(server.port), Some(0));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    assert_eq!(probe(closed), Some(1));
}
