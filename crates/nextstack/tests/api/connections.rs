//! Connection hygiene over raw sockets: slowloris, header size, keep-alive
//! idle, connection and in-flight caps.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::TestApp;

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base_url.trim_start_matches("http://")).await.expect("connect")
}

/// Reads until the server closes the connection (or `limit` passes); returns what arrived and when it closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, Option<Duration>) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match tokio::time::timeout(limit.saturating_sub(started.elapsed()), stream.read(&mut buf)).await {
            Err(_) => return (got, None),
            Ok(Ok(0)) | Ok(Err(_)) => return (got, Some(started.elapsed())),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

fn status_of(raw: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(raw);
    text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

#[tokio::test]
async fn a_client_sending_its_headers_a_byte_at_a_time_is_cut_off() {
    let app = TestApp::builder().env("HEADER_READ_TIMEOUT_MS", "1000").spawn().await;
    let mut stream = connect(&app).await;
    let started = Instant::now();
    let trickle = b"GET /health HTTP/1.1\r\nhost: localhost\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let mut cut = None;
    for byte in trickle {
        if stream.write_all(&[*byte]).await.is_err() {
            cut = Some(started.elapsed());
            break;
        }
        let mut probe = [0u8; 64];
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(Duration::from_millis(200), stream.read(&mut probe)).await {
            cut = Some(started.elapsed());
            break;
        }
    }
    let cut = cut.expect("the server closed the connection before the headers were complete");
    assert!(cut < Duration::from_secs(4), "cut after about a second: {cut:?}");
    assert_eq!(app.get("/health").await.status(), 200);
}

#[tokio::test]
async fn headers_over_the_limit_get_a_clean_431() {
    let app = TestApp::builder().env("MAX_HEADER_BYTES", "16384").spawn().await;
    let mut stream = connect(&app).await;
    let head = format!("GET /health HTTP/1.1\r\nhost: localhost\r\ncookie: {}\r\n\r\n", "a=b; ".repeat(4000));
    let _ = stream.write_all(head.as_bytes()).await;
    let (raw, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert_eq!(status_of(&raw), 431, "{}", String::from_utf8_lossy(&raw));
    assert!(closed.is_some(), "and the connection is closed");
    // Within the limit is served.
    let res = app.client.get(app.url("/health")).header("cookie", "a=b; ".repeat(1000)).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_but_a_slow_request_is_not() {
    let app = TestApp::builder().env("KEEP_ALIVE_TIMEOUT_MS", "500").spawn().await;
    let mut stream = connect(&app).await;
    // A request that takes longer than the idle limit is in flight, not idle.
    let slow = "GET /trpc/test.sleep?input=%7B%22ms%22%3A1200%7D HTTP/1.1\r\nhost: localhost\r\n\r\n";
    stream.write_all(slow.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 16384];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await.unwrap().unwrap();
    assert_eq!(status_of(&buf[..n]), 200, "{}", String::from_utf8_lossy(&buf[..n]));
    // Then idle: closed after about half a second.
    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    let closed = closed.expect("the idle connection was closed");
    assert!(closed >= Duration::from_millis(300) && closed < Duration::from_secs(3), "{closed:?}");
}

#[tokio::test]
async fn connections_past_the_cap_get_a_503() {
    let app = TestApp::builder().env("MAX_CONNECTIONS", "2").spawn().await;
    let _first = connect(&app).await;
    let _second = connect(&app).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = connect(&app).await;
    let (raw, closed) = read_until_closed(&mut third, Duration::from_secs(5)).await;
    assert_eq!(status_of(&raw), 503, "{}", String::from_utf8_lossy(&raw));
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let length: usize = head.lines().find_map(|l| l.strip_prefix("content-length: ")).unwrap().parse().unwrap();
    assert_eq!(body.len(), length, "the declared length is the body's");
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["message"], "Too many open connections; retry shortly");
    assert!(closed.is_some());
    drop((_first, _second));
    // Slots free up when connections close.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.get("/health").await.status(), 200);
}

#[tokio::test]
async fn a_json_lines_stream_holds_its_slot_until_its_calls_end() {
    let app = TestApp::builder().env("MAX_IN_FLIGHT_REQUESTS", "1").spawn().await;
    let input = crate::helpers::urlencode(&serde_json::json!({"0": {"ms": 1500}}).to_string());
    let stream = app
        .client
        .get(app.url(&format!("/trpc/test.sleep?batch=1&input={input}")))
        .header("trpc-accept", "application/jsonl")
        .send();
    let during = async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        app.get("/trpc/_meta.health").await.status()
    };
    let (stream, during) = tokio::join!(stream, during);
    assert_eq!(during, 503, "the stream's call still runs behind its head");
    assert!(stream.unwrap().text().await.unwrap().contains("\"slept\":1500"));
    assert_eq!(app.get("/trpc/_meta.health").await.status(), 200, "the slot is free once the stream ended");
}

#[tokio::test]
async fn requests_past_the_in_flight_cap_are_shed_with_503() {
    let app = TestApp::builder().env("MAX_IN_FLIGHT_REQUESTS", "2").spawn().await;
    let slow = || app.query_request("test.sleep", Some(&serde_json::json!({"ms": 1500}))).send();
    let (a, b) = (slow(), slow());
    let shed = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        app.get("/trpc/_meta.health").await
    };
    let (a, b, shed) = tokio::join!(a, b, shed);
    assert_eq!(a.unwrap().status(), 200);
    assert_eq!(b.unwrap().status(), 200);
    assert_eq!(shed.status(), 503);
    assert_eq!(shed.headers()["retry-after"], "1");
    let body: serde_json::Value = shed.json().await.unwrap();
    assert_eq!(body["error"], "Service unavailable");
    assert!(body["requestId"].is_string());
    assert_eq!(app.get("/trpc/_meta.health").await.status(), 200, "served again once slots free up");
}
