//! Issue 10, item 1: a client that stops reading a JSON-lines stream must not
//! hold the database. The calls run whatever the client reads; other requests
//! keep being served; the stalled connection is cut after `WRITE_TIMEOUT_MS`.

use std::time::{Duration, Instant};

use nextstack::services::post as posts;
use nextstack::wire::user::Role;
use nextstack_entity::PostStatus;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, urlencode};

/// Twenty published posts of 100 000 characters: one `core.post.list` page is 2 MB.
async fn seed_large_posts(app: &TestApp) {
    let author = app.create_user("author@example.com", Role::User).await;
    for i in 0..20 {
        let content = "x".repeat(100_000);
        posts::create(&app.db, &author, format!("post {i}"), Some(content), PostStatus::Published).await.expect("post");
    }
}

/// Sends the 100-call stream request on a raw socket and reads only its first line.
async fn start_stalled_reader(app: &TestApp) -> TcpStream {
    let paths = vec!["core.post.list"; 100].join(",");
    let inputs: serde_json::Map<String, serde_json::Value> =
        (0..100).map(|i| (i.to_string(), json!({"limit": 100}))).collect();
    let input = urlencode(&serde_json::Value::Object(inputs).to_string());
    let addr = app.base_url.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "GET /trpc/{paths}?batch=1&input={input} HTTP/1.1\r\nhost: localhost\r\ntrpc-accept: application/jsonl\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("send");
    // The response head and the stream's first line, then no more reading.
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.expect("read");
        assert!(n > 0, "the stream starts");
        seen.extend_from_slice(&buf[..n]);
    }
    stream
}

async fn a_stalled_stream_does_not_hold_the_database(app: TestApp) {
    seed_large_posts(&app).await;
    let user = app.create_user("reader@example.com", Role::User).await;
    let stalled = vec![start_stalled_reader(&app).await];
    // The stream's 100 calls are real work (200 MB of rows): wait for them to run
    // through the three-connection pool. Before this was fixed they never did:
    // they advanced only as the client read, holding their connections meanwhile.
    let input = json!({"id": user});
    let user_get = || app.query("core.user.get", Some(&input), Some(&user));
    let waiting = Instant::now();
    while user_get().await.0 != 200 {
        assert!(waiting.elapsed() < Duration::from_secs(40), "the pool is never given back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Then, past the pool's acquire timeout (5 s) with the reader still stalled,
    // every other request is served, and promptly.
    let until = Instant::now() + Duration::from_secs(7);
    let mut served = 0;
    while Instant::now() < until {
        let started = Instant::now();
        let (status, body) = user_get().await;
        assert_eq!(status, 200, "served while streams stall: {body}");
        assert!(started.elapsed() < Duration::from_secs(2), "answered promptly: {:?}", started.elapsed());
        served += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(served >= 10);
    drop(stalled);
}

// The connection is not cut during these (the write timeout is a minute): the calls
// themselves must let go of the pool.
#[tokio::test]
async fn a_stalled_jsonl_reader_does_not_hold_the_database() {
    let app = TestApp::builder().env("WRITE_TIMEOUT_MS", "60000").spawn().await;
    a_stalled_stream_does_not_hold_the_database(app).await;
}

#[tokio::test]
async fn a_stalled_jsonl_reader_does_not_hold_the_database_on_postgres() {
    let app = TestApp::builder().on_postgres().env("WRITE_TIMEOUT_MS", "60000").spawn().await;
    a_stalled_stream_does_not_hold_the_database(app).await;
}

#[tokio::test]
async fn a_stalled_reader_is_cut_after_the_write_timeout() {
    let app = TestApp::builder().env("WRITE_TIMEOUT_MS", "1000").spawn().await;
    seed_large_posts(&app).await;
    let mut stream = start_stalled_reader(&app).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut total = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stalled connection was closed by the server");
    assert!(total < 16 * 1024 * 1024, "what the buffers held, not the whole stream: {total} bytes");
    assert_eq!(app.get("/health").await.status(), 200);
}

#[tokio::test]
async fn a_batch_is_capped_by_the_response_budget() {
    let app = TestApp::builder().env("TRPC_MAX_RESPONSE_BYTES", (5 * 1024 * 1024).to_string()).spawn().await;
    seed_large_posts(&app).await;
    let paths = ["core.post.list"; 10].join(",");
    let inputs: serde_json::Map<String, serde_json::Value> =
        (0..10).map(|i| (i.to_string(), json!({"limit": 100}))).collect();
    let input = urlencode(&serde_json::Value::Object(inputs).to_string());
    let url = app.url(&format!("/trpc/{paths}?batch=1&input={input}"));
    let res = app.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 207, "some calls fit, the rest are refused");
    let text = res.text().await.unwrap();
    assert!(text.len() < 6 * 1024 * 1024, "the response stays within the budget: {}", text.len());
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    let items = body.as_array().unwrap();
    let ok = items.iter().filter(|i| i.get("result").is_some()).count();
    let refused: Vec<_> = items.iter().filter(|i| i.get("error").is_some()).collect();
    assert_eq!(ok, 2, "two 2 MB pages fit in 5 MiB");
    assert_eq!(refused.len(), 8);
    assert_eq!(refused[0]["error"]["data"]["code"], "PAYLOAD_TOO_LARGE");
    assert_eq!(refused[0]["error"]["data"]["httpStatus"], 413);
    // The same over the stream.
    let res = app.client.get(&url).header("trpc-accept", "application/jsonl").send().await.unwrap();
    let text = res.text().await.unwrap();
    assert!(text.len() < 6 * 1024 * 1024);
    assert_eq!(text.matches("PAYLOAD_TOO_LARGE").count(), 8);
}
