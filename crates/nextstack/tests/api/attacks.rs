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

#[tokio::test]
async fn item5_percent_encoding_does_not_hide_the_calls_of_a_batch() {
    let app = TestApp::builder().env("RATE_LIMIT_MAX_REQUESTS", "10").spawn().await;
    let paths = ["_meta.health"; 8].join("%2C");
    let res = app.client.get(app.url(&format!("/trpc/{paths}?batch=%31"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["ratelimit-remaining"], "2", "8 calls were charged");
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

async fn app_with_mail(env: &[(&str, &str)]) -> (TestApp, crate::helpers::SmtpSink) {
    let sink = crate::helpers::SmtpSink::start().await;
    let mut builder = TestApp::builder().env("SMTP_URL", format!("smtp://127.0.0.1:{}", sink.port));
    for (k, v) in env {
        builder = builder.env(k, *v);
    }
    (builder.spawn().await, sink)
}

/// The `/api/auth…` path of the last link mailed.
fn last_link_path(sink: &crate::helpers::SmtpSink) -> String {
    let link = sink.last_link().expect("a mailed link");
    format!("/api/auth{}", link.split("/api/auth").nth(1).unwrap())
}

async fn user_row(app: &TestApp, email: &str) -> nextstack_entity::user::Model {
    nextstack::services::user::find_by_email(&app.db, email).await.unwrap().expect("the user")
}

#[tokio::test]
async fn item2_a_stolen_session_cannot_move_the_account_to_another_mailbox() {
    let app = TestApp::spawn().await;
    let (_, token, body) = sign_up(&app, "owner@example.com").await;
    let id = body["user"]["id"].as_str().unwrap().to_string();
    let input = json!({"id": id, "email": "evil@example.com"});
    let (status, body) =
        send_json(app.mutation_request("core.user.update", &input).header("authorization", format!("Bearer {token}")))
            .await;
    assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("/api/auth/change-email"));
    assert_eq!(user_row(&app, "owner@example.com").await.email, "owner@example.com", "unchanged");
    // Sending one's own address back unchanged (a form that posts every field) is fine.
    let input = json!({"id": id, "email": "owner@example.com", "name": "Owner"});
    let (status, _) =
        send_json(app.mutation_request("core.user.update", &input).header("authorization", format!("Bearer {token}")))
            .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn item2_an_admin_set_address_is_unverified() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let user = app.create_user("user@example.com", Role::User).await;
    nextstack::services::user::mark_verified(&app.db, &user, "user@example.com").await.unwrap();
    let (status, body) =
        app.mutation("core.user.update", &json!({"id": user, "email": "new@example.com"}), Some(&admin)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["data"]["emailVerified"], false);
}

#[tokio::test]
async fn item2_deleting_ones_account_needs_the_password_or_a_fresh_session() {
    let app = TestApp::spawn().await;
    let (_, token, body) = sign_up(&app, "old-session@example.com").await;
    let id = body["user"]["id"].as_str().unwrap().to_string();
    // The session was created two hours ago (refreshing it later would not make it fresh).
    use sea_orm::{ActiveModelTrait, Set};
    let row = session::Entity::find().all(&app.db).await.unwrap().pop().unwrap();
    let mut aged: session::ActiveModel = row.into();
    aged.created_at = Set(nextstack_entity::now() - chrono::Duration::hours(2));
    aged.update(&app.db).await.unwrap();
    let bearer = format!("Bearer {token}");
    let delete =
        |input: Value| send_json(app.mutation_request("core.user.delete", &input).header("authorization", &bearer));
    let (status, body) = delete(json!({"id": id})).await;
    assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"), "{body}");
    let (status, body) = delete(json!({"id": id, "password": "not the password"})).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "{body}");
    assert_eq!(body["error"]["data"]["zodError"]["fieldErrors"]["password"][0], "Invalid password");
    assert!(user_row(&app, "old-session@example.com").await.id == id, "still there");
    let (status, body) = delete(json!({"id": id, "password": PASSWORD})).await;
    assert_eq!(status, 200, "{body}");
    assert!(nextstack::services::user::find(&app.db, &id).await.unwrap().is_none());
}

#[tokio::test]
async fn item2_change_email_replaces_the_address_only_once_the_new_one_is_proven() {
    let (app, sink) = app_with_mail(&[]).await;
    let (cookie, _, _) = sign_up(&app, "unverified@example.com").await;
    let res = post(&app, "/change-email", json!({"newEmail": "Next@Example.com"}), Some(&cookie)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": true}));
    let mail = sink.wait_for(1).await.pop().unwrap();
    assert!(mail.contains("To: next@example.com"), "the link goes to the new address: {mail}");
    assert_eq!(user_row(&app, "unverified@example.com").await.email, "unverified@example.com", "not yet");
    let confirm = last_link_path(&sink);
    // A link alone (a mail gateway fetching every link) changes nothing: the account's session must open it.
    let res = app.client.get(app.url(&confirm)).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(user_row(&app, "unverified@example.com").await.email, "unverified@example.com");
    let res = app.client.get(app.url(&confirm)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": true}));
    let user = user_row(&app, "next@example.com").await;
    assert!(user.email_verified, "proven by the link");
    // Refusals: the same address, a taken one.
    let res = post(&app, "/change-email", json!({"newEmail": "next@example.com"}), Some(&cookie)).await;
    assert_eq!(res.status(), 400);
    sign_up(&app, "taken@example.com").await;
    let res = post(&app, "/change-email", json!({"newEmail": "taken@example.com"}), Some(&cookie)).await;
    let status = res.status().as_u16();
    assert_eq!((status, res.json::<Value>().await.unwrap()["code"].clone()), (400, json!("COULDNT_UPDATE_YOUR_EMAIL")));
}

#[tokio::test]
async fn item2_a_verified_address_must_approve_the_change_first() {
    let (app, sink) = app_with_mail(&[]).await;
    let (cookie, _, body) = sign_up(&app, "verified@example.com").await;
    let id = body["user"]["id"].as_str().unwrap().to_string();
    nextstack::services::user::mark_verified(&app.db, &id, "verified@example.com").await.unwrap();
    post(&app, "/change-email", json!({"newEmail": "new-home@example.com"}), Some(&cookie)).await;
    let mail = sink.wait_for(1).await.pop().unwrap();
    assert!(mail.contains("To: verified@example.com"), "approval goes to the current address: {mail}");
    let approve = last_link_path(&sink);
    // Opened without the account's session: refused (and the link still works for the owner).
    let res = app.client.get(app.url(&approve)).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(user_row(&app, "verified@example.com").await.email, "verified@example.com");
    // The owner, signed in, approves with the same link: now the new address gets its confirmation link.
    let res = app.client.get(app.url(&approve)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let mail = sink.wait_for(2).await.pop().unwrap();
    assert!(mail.contains("To: new-home@example.com"), "{mail}");
    assert_eq!(user_row(&app, "verified@example.com").await.email, "verified@example.com", "not before confirming");
    let res = app.client.get(app.url(&last_link_path(&sink))).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(user_row(&app, "new-home@example.com").await.email_verified);
}

#[tokio::test]
async fn item3_a_verification_link_is_void_once_the_address_changed() {
    let (app, sink) = app_with_mail(&[]).await;
    let (cookie, _, body) = sign_up(&app, "first@example.com").await;
    let id = body["user"]["id"].as_str().unwrap().to_string();
    post(&app, "/send-verification-email", json!({"email": "first@example.com"}), Some(&cookie)).await;
    sink.wait_for(1).await;
    let stale_link = last_link_path(&sink);
    // The address changes (by an admin) before the link is opened.
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let (status, _) =
        app.mutation("core.user.update", &json!({"id": id, "email": "second@example.com"}), Some(&admin)).await;
    assert_eq!(status, 200);
    let res = app.client.get(app.url(&stale_link)).send().await.unwrap();
    assert_eq!(res.status(), 401, "the link was for the old address");
    assert!(!user_row(&app, "second@example.com").await.email_verified, "the new address is not verified by it");
}

#[tokio::test]
async fn item3_any_email_change_clears_verified() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let user = app.create_user("was-verified@example.com", Role::User).await;
    nextstack::services::user::mark_verified(&app.db, &user, "was-verified@example.com").await.unwrap();
    let (_, body) =
        app.mutation("core.user.update", &json!({"id": user, "email": "elsewhere@example.com"}), Some(&admin)).await;
    assert_eq!(body["result"]["data"]["emailVerified"], false);
}

#[tokio::test]
async fn item9_a_reset_request_answers_the_same_whether_or_not_the_account_exists() {
    // SMTP pointed at a closed port: sending fails, and must not show.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = TestApp::builder().env("SMTP_URL", format!("smtp://127.0.0.1:{closed}")).spawn().await;
    sign_up(&app, "exists@example.com").await;
    let app = &app;
    let ask = |email: &'static str| async move {
        let started = std::time::Instant::now();
        let res = post(app, "/request-password-reset", json!({"email": email}), None).await;
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap();
        (status, body, started.elapsed())
    };
    let (known_status, known_body, known_time) = ask("exists@example.com").await;
    let (unknown_status, unknown_body, unknown_time) = ask("nobody@example.com").await;
    assert_eq!((known_status, &known_body), (unknown_status, &unknown_body));
    assert_eq!(known_status, 200, "a mail server outage is not the client's answer");
    let slower = known_time.max(unknown_time).as_secs_f64();
    let faster = known_time.min(unknown_time).as_secs_f64().max(0.002);
    assert!(slower / faster < 10.0 && slower < 0.2, "no timing tell: {known_time:?} vs {unknown_time:?}");
}

#[tokio::test]
async fn item10_names_are_bounded_on_every_path() {
    let app = TestApp::spawn().await;
    let long = "n".repeat(2_000_000);
    let res =
        post(&app, "/sign-up/email", json!({"name": long, "email": "long@example.com", "password": PASSWORD}), None);
    let res = res.await;
    assert_eq!(res.status(), 400);
    assert!(nextstack::services::user::find_by_email(&app.db, "long@example.com").await.unwrap().is_none());
    let (cookie, _, _) = sign_up(&app, "short@example.com").await;
    let res = post(&app, "/update-user", json!({"name": "m".repeat(101)}), Some(&cookie)).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "VALIDATION_ERROR");
    let res = post(&app, "/update-user", json!({"image": "javascript:alert(1)"}), Some(&cookie)).await;
    assert_eq!(res.status(), 400);
    let res = post(&app, "/update-user", json!({"name": "m".repeat(100)}), Some(&cookie)).await;
    assert_eq!(res.status(), 200, "100 is allowed, as on core.user.update");
}

#[tokio::test]
async fn item11_a_password_change_or_a_newer_request_voids_earlier_reset_links() {
    let (app, sink) = app_with_mail(&[]).await;
    let (cookie, _, _) = sign_up(&app, "resets@example.com").await;
    let token_of = |path: String| path.split("/reset-password/").nth(1).unwrap().split('?').next().unwrap().to_string();
    post(&app, "/request-password-reset", json!({"email": "resets@example.com"}), None).await;
    sink.wait_for(1).await;
    let first = token_of(last_link_path(&sink));
    post(&app, "/request-password-reset", json!({"email": "resets@example.com"}), None).await;
    sink.wait_for(2).await;
    let second = token_of(last_link_path(&sink));
    let reset = |token: String| {
        post(&app, "/reset-password", json!({"newPassword": "another good password", "token": token}), None)
    };
    assert_eq!(reset(first).await.status(), 400, "the newer request voided the first link");
    // A password change voids the one left.
    let res = post(
        &app,
        "/change-password",
        json!({"currentPassword": PASSWORD, "newPassword": "changed by the owner"}),
        Some(&cookie),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(reset(second).await.status(), 400, "the change voided the remaining link");
}

#[tokio::test]
async fn in_production_admin_emails_grant_the_role_only_once_the_address_is_verified() {
    let (app, sink) = app_with_mail(&[
        ("NODE_ENV", "production"),
        ("ADMIN_EMAILS", "boss@example.com,deputy@example.com"),
        ("BETTER_AUTH_URL", "http://localhost:3000"),
    ])
    .await;
    let sign_up_as = |email: &'static str| {
        post(&app, "/sign-up/email", json!({"name": "B", "email": email, "password": PASSWORD}), None)
    };
    let res = sign_up_as("boss@example.com").await;
    assert_eq!(res.status(), 200);
    let cookie = crate::auth::session_cookie(res.headers()).expect("session cookie");
    assert_eq!(user_row(&app, "boss@example.com").await.role, Role::User, "not at sign-up");
    post(&app, "/send-verification-email", json!({"email": "boss@example.com"}), None).await;
    sink.wait_for(1).await;
    // Opened where the account is signed in: verified and promoted.
    let res = app.client.get(app.url(&last_link_path(&sink))).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(user_row(&app, "boss@example.com").await.role, Role::Admin, "once verified");
    // Opened without the account's session (a gateway prefetching the mail's links): verified, not promoted.
    sign_up_as("deputy@example.com").await;
    post(&app, "/send-verification-email", json!({"email": "deputy@example.com"}), None).await;
    sink.wait_for(2).await;
    let res = app.client.get(app.url(&last_link_path(&sink))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let deputy = user_row(&app, "deputy@example.com").await;
    assert!(deputy.email_verified);
    assert_eq!(deputy.role, Role::User, "a link alone makes nobody an admin");
}

/// A PUT of `first` then, once `release` fires, `rest` (a slow client).
async fn slow_put(
    app: &TestApp,
    url: String,
    first: &'static [u8],
    rest: &'static [u8],
    release: tokio::sync::oneshot::Receiver<()>,
) -> tokio::task::JoinHandle<u16> {
    let client = app.client.clone();
    let (tx, rx) = futures::channel::mpsc::unbounded::<Result<Vec<u8>, std::io::Error>>();
    tx.unbounded_send(Ok(first.to_vec())).unwrap();
    tokio::spawn(async move {
        let _ = release.await;
        tx.unbounded_send(Ok(rest.to_vec())).unwrap();
    });
    let handle = tokio::spawn(async move {
        let res = client
            .put(url)
            .header("content-type", "application/octet-stream")
            .body(reqwest::Body::wrap_stream(rx))
            .send()
            .await
            .unwrap();
        res.status().as_u16()
    });
    // Let the server take the first bytes.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    handle
}

async fn upload_ticket(app: &TestApp, user: &str, size: u64) -> (String, String, String) {
    let (status, body) = request_upload(app, user, size).await;
    assert_eq!(status, 200, "{body}");
    let d = &body["result"]["data"];
    (
        d["fileId"].as_str().unwrap().into(),
        d["uploadUrl"].as_str().unwrap().into(),
        d["storageKey"].as_str().unwrap().into(),
    )
}

#[tokio::test]
async fn item7_a_slow_put_cannot_replace_a_confirmed_object() {
    if crate::helpers::storage_is_s3() {
        return; // the bucket serves PUTs there
    }
    let app = TestApp::spawn().await;
    let user = app.create_user("toctou@example.com", Role::User).await;
    let (file_id, url, key) = upload_ticket(&app, &user, 10).await;
    let res = app.client.put(&url).header("content-type", "application/octet-stream").body(vec![7u8; 10]).send();
    assert_eq!(res.await.unwrap().status(), 200);
    let (release, released) = tokio::sync::oneshot::channel();
    let slow = slow_put(&app, url, b"ab", b"cd", released).await;
    let (status, body) = app.mutation("main.storage.confirmUpload", &json!({"fileId": file_id}), Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    release.send(()).unwrap();
    assert_eq!(slow.await.unwrap(), 409, "the late PUT is refused");
    assert_eq!(app.storage.size_of(&key).await.unwrap(), Some(10), "the confirmed object is intact");
}

#[tokio::test]
async fn item7_a_slow_put_cannot_bring_back_a_deleted_object() {
    if crate::helpers::storage_is_s3() {
        return;
    }
    let app = TestApp::spawn().await;
    let user = app.create_user("toctou2@example.com", Role::User).await;
    let (file_id, url, key) = upload_ticket(&app, &user, 4).await;
    let (release, released) = tokio::sync::oneshot::channel();
    let slow = slow_put(&app, url, b"ab", b"cd", released).await;
    let (status, body) = app.mutation("core.file.delete", &json!({"fileId": file_id}), Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    release.send(()).unwrap();
    assert_eq!(slow.await.unwrap(), 409);
    assert_eq!(app.storage.size_of(&key).await.unwrap(), None, "nothing is left on disk");
}
