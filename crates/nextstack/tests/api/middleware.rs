//! The middleware stack: headers, limits, timeout, CORS, compression, request ids.

use serde_json::{Value, json};

use crate::helpers::{TestApp, send_json};

const SECURITY_HEADERS: [(&str, &str); 11] = [
    (
        "content-security-policy",
        "default-src 'self';style-src 'self' 'unsafe-inline';script-src 'self';img-src 'self' data: https:;base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';object-src 'none';script-src-attr 'none';upgrade-insecure-requests",
    ),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("origin-agent-cluster", "?1"),
    ("referrer-policy", "no-referrer"),
    ("strict-transport-security", "max-age=31536000; includeSubDomains; preload"),
    ("x-content-type-options", "nosniff"),
    ("x-dns-prefetch-control", "off"),
    ("x-download-options", "noopen"),
    ("x-frame-options", "SAMEORIGIN"),
    ("x-permitted-cross-domain-policies", "none"),
];

fn assert_security_headers(res: &reqwest::Response) {
    for (name, value) in SECURITY_HEADERS {
        assert_eq!(res.headers().get(name).map(|v| v.to_str().unwrap()), Some(value), "{name}");
    }
    for absent in ["x-powered-by", "x-xss-protection", "cross-origin-embedder-policy"] {
        assert!(res.headers().get(absent).is_none(), "{absent} must not be sent");
    }
}

#[tokio::test]
async fn security_headers_on_every_kind_of_response() {
    let app = TestApp::spawn().await;
    for path in ["/health", "/trpc/_meta.health", "/trpc/nope", "/nowhere"] {
        let res = app.get(path).await;
        assert_security_headers(&res);
    }
}

#[tokio::test]
async fn request_id_is_kept_when_valid_and_replaced_otherwise() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/health")).header("x-request-id", "trace-abc_123").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-abc_123");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["requestId"], "trace-abc_123");
    let res = app.client.get(app.url("/health")).header("x-request-id", "x".repeat(200)).send().await.unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a UUID replaces an over-long id: {id}");
    let res = app.get("/health").await;
    assert_eq!(res.headers()["x-request-id"].to_str().unwrap().len(), 36);
}

#[tokio::test]
async fn oversized_body_is_413_json() {
    let app = TestApp::spawn().await;
    let body = format!("{{\"email\":\"{}\"}}", "a".repeat(10 * 1024 * 1024 + 10));
    let res = app
        .client
        .post(app.url("/trpc/core.user.create"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_security_headers(&res);
    let json: Value = res.json().await.unwrap();
    assert_eq!(json["error"], "Payload too large");
    assert!(json["requestId"].is_string() && json["timestamp"].is_string());
}

#[tokio::test]
async fn oversized_chunked_body_is_payload_too_large() {
    let app = TestApp::builder().env("MAX_BODY_BYTES", "1024").spawn().await;
    let chunks: Vec<Result<String, std::io::Error>> = (0..8).map(|_| Ok("x".repeat(512))).collect();
    let res = app
        .client
        .post(app.url("/trpc/_meta.health"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    // A query over POST (the method override) that takes no input answers
    // without ever reading its (too large) body.
    assert_eq!(res.status(), 200);
    let user = app.create_user("u@example.com", nextstack::wire::user::Role::Admin).await;
    let chunks: Vec<Result<String, std::io::Error>> = (0..8).map(|_| Ok("x".repeat(512))).collect();
    let (status, body) = send_json(
        app.client
            .post(app.url("/trpc/core.user.create"))
            .header("content-type", "application/json")
            .header("authorization", app.bearer(&user))
            .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks))),
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(body["error"]["data"]["code"], "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn slow_request_times_out_with_504_json() {
    let app = TestApp::builder().env("REQUEST_TIMEOUT_MS", "300").spawn().await;
    let started = std::time::Instant::now();
    let res = app.query_request("test.sleep", Some(&json!({"ms": 5000}))).send().await.unwrap();
    assert_eq!(res.status(), 504);
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "the handler is cancelled, not awaited");
    assert_security_headers(&res);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "Request timeout");
    assert_eq!(body["message"], "Request exceeded 300ms timeout");
    assert_eq!(body["requestId"], id.as_str());
    let (status, _) = app.query("test.sleep", Some(&json!({"ms": 10})), None).await;
    assert_eq!(status, 200, "fast requests pass");
}

#[tokio::test]
async fn rate_limit_counts_down_then_429() {
    let app = TestApp::builder().env("RATE_LIMIT_MAX_REQUESTS", "3").env("RATE_LIMIT_WINDOW_MS", "60000").spawn().await;
    for remaining in ["2", "1", "0"] {
        let res = app.get("/trpc/_meta.health").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["ratelimit-limit"], "3");
        assert_eq!(res.headers()["ratelimit-remaining"], remaining);
        assert_eq!(res.headers()["ratelimit-policy"], "3;w=60");
        let reset: u64 = res.headers()["ratelimit-reset"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&reset));
    }
    let res = app.get("/trpc/_meta.health").await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["ratelimit-remaining"], "0");
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "Too many requests from this IP, please try again later.");
    assert_eq!(body["retryAfter"], retry);
    assert!(body["requestId"].is_string() && body["timestamp"].is_string());
    let res = app.get("/health").await;
    assert_eq!(res.status(), 200, "/health is not limited");
    assert!(res.headers().get("ratelimit-limit").is_none());
}

/// create-t3-app's links send `x-trpc-source`; `CORS_ALLOWED_HEADERS` adds more.
#[tokio::test]
async fn cors_allows_x_trpc_source_and_configured_headers() {
    let app = TestApp::builder().env("CORS_ALLOWED_HEADERS", "X-Tenant, x-client-version").spawn().await;
    let res = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/trpc/main.post.feed"))
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "x-trpc-source,x-tenant,x-client-version")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], "http://localhost:3000");
    let allowed = res.headers()["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    let allowed: Vec<&str> = allowed.split(',').map(str::trim).collect();
    for name in ["x-trpc-source", "x-tenant", "x-client-version", "content-type", "authorization"] {
        assert!(allowed.contains(&name), "{name} in {allowed:?}");
    }
}

#[tokio::test]
async fn cors_preflight_for_allowed_and_foreign_origins() {
    let app = TestApp::spawn().await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/trpc/core.user.create"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,trpc-accept")
            .send()
    };
    let res = preflight("http://localhost:3000").await.unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], "http://localhost:3000");
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["access-control-max-age"], "86400");
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    assert!(methods.contains("POST") && methods.contains("PATCH"));
    let allowed = h["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(allowed.contains("trpc-accept") && allowed.contains("authorization"), "{allowed}");
    assert!(h.get("ratelimit-limit").is_none(), "preflights are not rate limited");

    let res = preflight("http://evil.example").await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());

    let res =
        app.client.get(app.url("/trpc/_meta.health")).header("origin", "http://localhost:5173").send().await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "http://localhost:5173");
    let exposed = res.headers()["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    for name in ["x-request-id", "ratelimit-remaining", "retry-after", "set-auth-token"] {
        assert!(exposed.contains(name), "{name} exposed: {exposed}");
    }
    let res =
        app.client.get(app.url("/trpc/_meta.health")).header("origin", "http://evil.example").send().await.unwrap();
    assert_eq!(res.status(), 200, "a foreign origin is not a server error");
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn json_is_compressed_when_asked() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", nextstack::wire::user::Role::Admin).await;
    for encoding in ["gzip", "br"] {
        let res = app
            .query_request("core.user.list", Some(&json!({})))
            .header("authorization", app.bearer(&admin))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-encoding"], encoding);
    }
    let res = app
        .query_request("core.user.list", Some(&json!({})))
        .header("authorization", app.bearer(&admin))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("content-encoding").is_none(), "not compressed unless asked");
}

#[tokio::test]
async fn unknown_route_is_404_json() {
    let app = TestApp::spawn().await;
    let res = app.client.post(app.url("/x/y?z=1")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "Route not found");
    assert_eq!(body["message"], "The requested endpoint POST /x/y?z=1 does not exist");
    assert_eq!(body["availableEndpoints"], json!(["/health", "/ready", "/metrics", "/api/auth", "/trpc"]));
}

#[tokio::test]
async fn streamed_calls_have_their_own_deadline() {
    let app = TestApp::builder().env("REQUEST_TIMEOUT_MS", "300").spawn().await;
    let input = crate::helpers::urlencode(&json!({"0": {"ms": 5000}, "1": {"ms": 1}}).to_string());
    let started = std::time::Instant::now();
    let res = app
        .client
        .get(app.url(&format!("/trpc/test.sleep,test.sleep?batch=1&input={input}")))
        .header("trpc-accept", "application/jsonl")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "the slow call is cut off");
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let slow = lines.iter().find(|l| l[0] == 0).expect("chunk for call 0");
    assert_eq!(slow[2][0][0]["error"]["data"]["code"], "GATEWAY_TIMEOUT");
    assert!(lines.iter().any(|l| l[2][0][0]["slept"] == 1), "the fast call still answers: {text}");
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_and_the_server_keeps_serving() {
    let app = TestApp::spawn().await;
    let res = app.get("/trpc/test.panic").await;
    assert_eq!(res.status(), 500);
    assert!(res.headers().contains_key("x-request-id"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "Internal server error");
    assert!(!body.to_string().contains("a bug in a handler"), "the panic message is not leaked");
    assert_eq!(app.get("/health").await.status(), 200);
}
