//! Decision 17: a request refused before its body is read still gets its
//! answer while the client is sending (raw sockets, so nothing in between
//! reads the body for us); a body far past the drain bound is not read to its end.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, send_json};

/// An HTTP answer read off a raw socket.
struct RawResponse {
    status: u16,
    /// Lower-cased names.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// What came back on a raw connection, and how the sending side ended.
struct RawExchange {
    /// The answer (`None`: no answer arrived).
    response: Option<RawResponse>,
    /// Body bytes the client managed to write.
    sent: u64,
    /// True when the server stopped taking the body (a write failed).
    write_failed: bool,
}

impl RawExchange {
    fn status(&self) -> u16 {
        self.response.as_ref().map_or(0, |r| r.status)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.response.as_ref()?.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        let body = &self.response.as_ref().expect("an answer").body;
        serde_json::from_slice(body).unwrap_or_else(|_| panic!("JSON body: {}", String::from_utf8_lossy(body)))
    }
}

/// Sends `head` (request line and headers, without the blank line), then
/// `body_len` bytes of `x` (chunked when `chunked`), while reading the answer.
async fn exchange(app: &TestApp, head: &str, body_len: u64, chunked: bool) -> RawExchange {
    let addr = app.base_url.trim_start_matches("http://").to_string();
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let framing =
        if chunked { "transfer-encoding: chunked".to_string() } else { format!("content-length: {body_len}") };
    let head = format!("{head}\r\nhost: localhost\r\n{framing}\r\n\r\n");
    // The writer is handed back rather than dropped: dropping it would half-close the
    // socket, which no browser or Node client does (and hyper reads as a hang-up).
    let sending = tokio::spawn(async move {
        let outcome = send_body(&mut writer, head, body_len, chunked).await;
        (outcome, writer)
    });
    let mut received = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(60), reader.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
        }
    }
    let ((sent, write_failed), _writer) = sending.await.expect("writer");
    RawExchange { response: parse_response(&received), sent, write_failed }
}

/// Writes the head and the body; returns the body bytes written and whether a write failed.
async fn send_body(
    writer: &mut tokio::net::tcp::OwnedWriteHalf,
    head: String,
    body_len: u64,
    chunked: bool,
) -> (u64, bool) {
    if writer.write_all(head.as_bytes()).await.is_err() {
        return (0, true);
    }
    let chunk = vec![b'x'; 256 * 1024];
    let mut sent = 0u64;
    while sent < body_len {
        let n = (body_len - sent).min(chunk.len() as u64) as usize;
        let written = if chunked {
            let mut framed = format!("{n:x}\r\n").into_bytes();
            framed.extend_from_slice(&chunk[..n]);
            framed.extend_from_slice(b"\r\n");
            writer.write_all(&framed).await
        } else {
            writer.write_all(&chunk[..n]).await
        };
        if written.is_err() {
            return (sent, true);
        }
        sent += n as u64;
    }
    if chunked && writer.write_all(b"0\r\n\r\n").await.is_err() {
        return (sent, true);
    }
    (sent, false)
}

fn parse_response(raw: &[u8]) -> Option<RawResponse> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &raw[end + 4..];
    let len: usize = headers.iter().find(|(k, _)| k == "content-length")?.1.parse().ok()?;
    Some(RawResponse { status, body: rest.get(..len)?.to_vec(), headers })
}

const MIB: u64 = 1024 * 1024;

fn assert_answered_413(got: &RawExchange) {
    assert_eq!(got.status(), 413, "the client receives the 413 (sent {} bytes)", got.sent);
    assert_eq!(got.header("connection"), Some("close"));
    let request_id = got.header("x-request-id").expect("x-request-id").to_string();
    let body = got.json();
    assert_eq!(body["error"], "Payload too large");
    assert_eq!(body["requestId"], request_id.as_str());
}

#[tokio::test]
async fn an_oversized_body_gets_its_413_while_the_client_is_sending() {
    let app = TestApp::spawn().await;
    let head = "POST /trpc/core.post.create HTTP/1.1\r\ncontent-type: application/json";
    for size in [11 * MIB, 200 * MIB] {
        let got = exchange(&app, head, size, false).await;
        assert_answered_413(&got);
        assert!(!got.write_failed && got.sent == size, "the whole body was taken: {} of {size}", got.sent);
    }
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_gets_its_413_too() {
    let app = TestApp::spawn().await;
    let user = app.create_user("chunked@example.com", nextstack::wire::user::Role::User).await;
    let head = format!(
        "POST /trpc/core.post.create HTTP/1.1\r\ncontent-type: application/json\r\nauthorization: {}",
        app.bearer(&user)
    );
    let got = exchange(&app, &head, 11 * MIB, true).await;
    assert_eq!(got.status(), 413);
    assert_eq!(got.header("connection"), Some("close"));
    assert_eq!(got.json()["error"]["data"]["code"], "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn a_body_far_past_the_bound_is_not_read_to_its_end() {
    let app = TestApp::builder().env("BODY_DRAIN_MAX_BYTES", (16 * MIB).to_string()).spawn().await;
    let head = "POST /trpc/core.post.create HTTP/1.1\r\ncontent-type: application/json";
    let started = Instant::now();
    // Declared: refused without reading a byte of it.
    let got = exchange(&app, head, 1024 * MIB, false).await;
    assert!(got.write_failed && got.sent < 512 * MIB, "closed early: {} bytes taken", got.sent);
    // Undeclared (chunked): read up to the bound, then closed.
    let got = exchange(&app, head, 1024 * MIB, true).await;
    assert!(got.write_failed && got.sent < 512 * MIB, "closed after the bound: {} bytes taken", got.sent);
    assert!(started.elapsed() < Duration::from_secs(30));
    // The server is fine afterwards.
    assert_eq!(app.get("/health").await.status(), 200);
}

#[tokio::test]
async fn other_early_refusals_are_received_too() {
    let app = TestApp::builder().env("RATE_LIMIT_MAX_REQUESTS", "1").spawn().await;
    // 415: refused on its content type before the body is looked at.
    let head = "POST /trpc/core.post.create HTTP/1.1\r\ncontent-type: text/plain";
    let got = exchange(&app, head, 4 * MIB, false).await;
    assert_eq!(got.status(), 415);
    assert_eq!(got.header("connection"), Some("close"));
    // 429: the limit is spent (the 415 counted), refused before the body.
    let head = "POST /trpc/core.post.create HTTP/1.1\r\ncontent-type: application/json";
    let got = exchange(&app, head, 4 * MIB, false).await;
    assert_eq!(got.status(), 429);
    assert_eq!(got.json()["error"], "Too many requests from this IP, please try again later.");
    // 403: a storage PUT with a bad signature.
    let head = "PUT /storage/upload/u/x-a.bin?expires=1&size=10&type=a%2Fb&sig=00 HTTP/1.1\r\ncontent-type: a/b";
    let got = exchange(&app, head, 4 * MIB, false).await;
    assert_eq!(got.status(), 403);
    assert!(got.json()["requestId"].is_string());
}

#[tokio::test]
async fn a_local_upload_over_its_signed_size_gets_its_413() {
    if crate::helpers::storage_is_s3() {
        return; // The bucket, not this server, answers uploads on S3.
    }
    let app = TestApp::spawn().await;
    let user = app.create_user("uploader@example.com", nextstack::wire::user::Role::User).await;
    let input = serde_json::json!({"filename": "a.bin", "mimeType": "application/octet-stream", "size": 1024});
    let (status, body) = app.mutation("main.storage.requestUpload", &input, Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    let url = body["result"]["data"]["uploadUrl"].as_str().unwrap().to_string();
    let path = url.trim_start_matches(&app.base_url).to_string();
    // Undeclared length, so the handler discovers the excess while streaming.
    let head = format!("PUT {path} HTTP/1.1\r\ncontent-type: application/octet-stream");
    let got = exchange(&app, &head, 8 * MIB, true).await;
    assert_eq!(got.status(), 413);
    assert_eq!(got.header("connection"), Some("close"));
    assert_eq!(got.json()["error"], "Payload too large");
    let (status, _) = send_json(app.client.get(app.url("/trpc/_meta.health"))).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn node_fetch_receives_the_413_for_11_and_200_mib_bodies() {
    let app = TestApp::spawn().await;
    let user = app.create_user("fetch@example.com", nextstack::wire::user::Role::User).await;
    let env = vec![("SERVER_URL", app.base_url.clone()), ("AUTH_HEADER", app.bearer(&user))];
    crate::helpers::run_node_checks("ts", "@trpc/client", "test/early-refusal.mjs", env, "5 passed, 0 failed").await;
}
