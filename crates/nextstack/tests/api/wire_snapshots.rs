//! The wire as clients see it, pinned byte for byte (issue 13: refactors keep
//! it exactly): JSON-lines streams, superjson envelopes, tRPC error shapes,
//! plain-HTTP and BetterAuth error bodies. Volatile values (ids, timestamps,
//! request ids) are replaced by placeholders before comparing.

use regex::Regex;
use serde_json::json;

use crate::helpers::{TestApp, urlencode};

/// The text with ids, ISO timestamps, UUIDs and versions replaced by placeholders.
fn stable(text: &str) -> String {
    let rules = [
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", "<timestamp>"),
        (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>"),
        (r"\bc[a-z0-9]{24}\b", "<cuid>"),
        (r#""version":"[^"]+""#, r#""version":"<version>""#),
    ];
    rules.iter().fold(text.to_string(), |acc, (pattern, with)| {
        Regex::new(pattern).unwrap().replace_all(&acc, *with).into_owned()
    })
}

async fn text_of(res: reqwest::Response) -> String {
    let status = res.status().as_u16();
    let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    format!("{status} {content_type}\n{}", stable(&res.text().await.unwrap()))
}

#[tokio::test]
async fn jsonl_stream_bytes() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/trpc/_meta.version,nope.nothing,_meta.version?batch=1&input=%7B%7D"))
        .header("trpc-accept", "application/jsonl")
        .send()
        .await
        .unwrap();
    // The calls finish in any order; the lines of each call are fixed.
    let text = text_of(res).await;
    let (head, body) = text.split_once('\n').unwrap();
    let mut lines: Vec<&str> = body.lines().collect();
    let first = lines.remove(0);
    lines.sort_unstable();
    insta::assert_snapshot!("jsonl_stream", format!("{head}\n{first}\n{}", lines.join("\n")));
}

#[tokio::test]
async fn superjson_envelopes() {
    let app = TestApp::builder().env("TRPC_TRANSFORMER", "superjson").spawn().await;
    let admin = app.create_user("sj-admin@example.com", nextstack::wire::user::Role::Admin).await;
    let level = json!({"json": {"name": "Gold", "rank": 3, "minPoints": 300}});
    let res = app.act_as(app.mutation_request("core.level.create", &level), Some(&admin)).send().await.unwrap();
    insta::assert_snapshot!("superjson_mutation", text_of(res).await);
    let input = urlencode(&json!({"0": {"json": {"limit": 5}}}).to_string());
    let res = app.client.get(app.url(&format!("/trpc/core.level.list?batch=1&input={input}"))).send().await.unwrap();
    insta::assert_snapshot!("superjson_batch_query", text_of(res).await);
    let res = app.client.get(app.url("/trpc/nope.nothing")).send().await.unwrap();
    insta::assert_snapshot!("superjson_error", text_of(res).await);
}

#[tokio::test]
async fn trpc_error_shapes() {
    let app = TestApp::spawn().await;
    let user = app.create_user("errors@example.com", nextstack::wire::user::Role::User).await;
    let cases = [
        app.client.get(app.url("/trpc/nope.nothing")),
        app.client.get(app.url("/trpc/core.post.create")),
        app.act_as(app.mutation_request("core.post.create", &json!({"title": ""})), Some(&user)),
        app.client.get(app.url("/trpc/core.user.get?input=%7B%22id%22%3A%22cnotauser00000000000000000%22%7D")),
        app.client.post(app.url("/trpc/core.post.create")).header("content-type", "text/plain").body("x"),
        app.client.get(app.url("/trpc/_meta.health,core.post.create?batch=1")),
    ];
    let mut out = Vec::new();
    for req in cases {
        out.push(text_of(req.send().await.unwrap()).await);
    }
    insta::assert_snapshot!("trpc_errors", out.join("\n---\n"));
}

#[tokio::test]
async fn plain_and_auth_error_bodies() {
    let app = TestApp::builder().env("MAX_BODY_BYTES", "1024").spawn().await;
    let cases = [
        app.client.get(app.url("/nowhere?x=1")),
        app.client
            .post(app.url("/trpc/core.post.create"))
            .header("content-type", "application/json")
            .body("x".repeat(2048)),
        app.client
            .post(app.url("/api/auth/sign-in/email"))
            .json(&json!({"email": "nobody@example.com", "password": "wrong password"})),
        app.client.post(app.url("/api/auth/sign-in/email")).json(&json!({"email": "not an email", "password": "x"})),
        app.client.post(app.url("/api/auth/sign-in/email")).header("origin", "http://evil.test").json(&json!({})),
        app.client.get(app.url("/api/auth/nope")),
    ];
    let mut out = Vec::new();
    for req in cases {
        out.push(text_of(req.send().await.unwrap()).await);
    }
    insta::assert_snapshot!("plain_and_auth_errors", out.join("\n---\n"));
}
