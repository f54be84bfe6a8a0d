//! Issue 10: each hole the security review found, attacked as it was
//! reproduced (item numbers in the test names). Item 1 (stalled streams) is
//! in `stalled_streams`.

use nextstack::wire::user::Role;
use nextstack_entity::session;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::auth::{PASSWORD, post, sign_up};
use crate::helpers::{TestApp, error_code, send_json};

async fn sign_in_from(app: &TestApp, forwarded_for: &str, email: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/auth/sign-in/email"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn item4_a_spoofed_left_most_forwarded_address_does_not_dodge_the_auth_limit() {
    let app = TestApp::builder().env("TRUST_PROXY", "true").spawn().await;
    sign_up(&app, "victim@example.com").await;
    let mut statuses = Vec::new();
    for i in 0..15 {
        // The client writes the left part; the trusted proxy appends what it saw.
        let res = sign_in_from(&app, &format!("10.9.9.{i}, 203.0.113.7"), "victim@example.com").await;
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5, "{statuses:?}");
    // The session records the address the proxy saw, not the one the client made up.
    let ips: Vec<Option<String>> =
        session::Entity::find().all(&app.db).await.unwrap().into_iter().map(|s| s.ip_address).collect();
    assert!(ips.iter().any(|ip| ip.as_deref() == Some("203.0.113.7")), "{ips:?}");
    assert!(ips.iter().all(|ip| !ip.as_deref().unwrap_or_default().starts_with("10.9.9.")), "{ips:?}");
}

#[tokio::test]
async fn item4_ipv6_clients_are_limited_per_64() {
    let app = TestApp::builder().env("TRUST_PROXY", "1").env("AUTH_RATE_LIMIT_MAX_REQUESTS", "3").spawn().await;
    sign_up(&app, "v6@example.com").await;
    let mut statuses = Vec::new();
    for i in 1..=5 {
        let res = sign_in_from(&app, &format!("2001:db8:1:2::{i:x}"), "v6@example.com").await;
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429], "one /64, one limit");
    let other = sign_in_from(&app, "2001:db8:1:3::1", "v6@example.com").await;
    assert_eq!(other.status(), 200, "another /64 has its own");
}

#[tokio::test]
async fn item5_each_call_of_a_batch_counts_against_the_limit() {
    let app = TestApp::builder().env("RATE_LIMIT_MAX_REQUESTS", "10").spawn().await;
    let batch = |n: usize| app.client.get(app.url(&format!("/trpc/{}?batch=1", vec!["_meta.health"; n].join(","))));
    let res = batch(8).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["ratelimit-remaining"], "2");
    let res = batch(3).send().await.unwrap();
    assert_eq!(res.status(), 429, "3 calls do not fit in the 2 left");
}

async fn request_upload(app: &TestApp, user: &str, size: u64) -> (u16, Value) {
    let input = json!({"filename": "a.bin", "mimeType": "application/octet-stream", "size": size});
    app.mutation("main.storage.requestUpload", &input, Some(user)).await
}

#[tokio::test]
async fn item5_a_batch_of_upload_requests_stops_at_the_pending_cap() {
    let app = TestApp::builder().env("MAX_PENDING_UPLOADS_PER_USER", "3").spawn().await;
    let user = app.create_user("uploads@example.com", Role::User).await;
    let inputs: serde_json::Map<String, Value> = (0..6)
        .map(|i| (i.to_string(), json!({"filename": format!("f{i}.bin"), "mimeType": "a/b", "size": 10})))
        .collect();
    let paths = ["main.storage.requestUpload"; 6].join(",");
    let (status, body) = send_json(
        app.act_as(
            app.client
                .post(app.url(&format!("/trpc/{paths}?batch=1")))
                .header("content-type", "application/json")
                .body(Value::Object(inputs).to_string()),
            Some(&user),
        ),
    )
    .await;
    assert_eq!(status, 207);
    let items = body.as_array().unwrap();
    assert_eq!(items.iter().filter(|i| i.get("result").is_some()).count(), 3, "{body}");
    let refused: Vec<&Value> = items.iter().filter(|i| i.get("error").is_some()).collect();
    assert_eq!(refused.len(), 3);
    assert_eq!(refused[0]["error"]["data"]["code"], "TOO_MANY_REQUESTS");
    assert!(refused[0]["error"]["message"].as_str().unwrap().contains("waiting to be confirmed"));
}

#[tokio::test]
async fn item5_uploads_stop_at_the_storage_quota() {
    let app = TestApp::builder().env("STORAGE_QUOTA_BYTES_PER_USER", "1000").spawn().await;
    let user = app.create_user("quota@example.com", Role::User).await;
    let (status, _) = request_upload(&app, &user, 600).await;
    assert_eq!(status, 200);
    let (status, body) = request_upload(&app, &user, 600).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("quota of 1000 bytes"), "{body}");
    assert_eq!(body["error"]["data"]["zodError"]["fieldErrors"]["size"].as_array().unwrap().len(), 1);
    let (status, _) = request_upload(&app, &user, 400).await;
    assert_eq!(status, 200, "what still fits is allowed");
}

#[tokio::test]
async fn item5_storage_puts_are_rate_limited() {
    let app = TestApp::builder().env("UPLOAD_RATE_LIMIT_MAX_REQUESTS", "2").spawn().await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let res = app.client.put(app.url("/storage/upload/u/x-a.bin?sig=00")).body("x").send().await.unwrap();
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses[2], 429, "{statuses:?}");
    assert!(statuses[..2].iter().all(|s| *s != 429), "{statuses:?}");
}

#[tokio::test]
async fn item6_a_cross_site_form_cannot_sign_in_or_up() {
    let app = TestApp::spawn().await;
    sign_up(&app, "csrf@example.com").await;
    // What a cross-site `<form enctype=text/plain>` sends: a foreign Origin, no cookie.
    let body = json!({"email": "csrf@example.com", "password": PASSWORD}).to_string();
    let res = app
        .client
        .post(app.url("/api/auth/sign-in/email"))
        .header("origin", "http://evil.test")
        .header("content-type", "text/plain")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("set-cookie").is_none(), "no session cookie is set");
    let json: Value = res.json().await.unwrap();
    assert_eq!(json["code"], "INVALID_ORIGIN");
    // From a trusted origin, a non-JSON body is refused as such.
    let res = app
        .client
        .post(app.url("/api/auth/sign-in/email"))
        .header("origin", "http://localhost:3000")
        .header("content-type", "text/plain")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert!(res.headers().get("set-cookie").is_none());
    let res =
        post(&app, "/sign-up/email", json!({"name": "x", "email": "new@example.com", "password": PASSWORD}), None);
    assert_eq!(res.await.status(), 200, "JSON without an Origin (a native client) still works");
}
