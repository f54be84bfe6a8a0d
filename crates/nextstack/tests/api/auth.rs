//! `/api/auth`: BetterAuth's email + password endpoints over HTTP.

use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::helpers::TestApp;

pub const PASSWORD: &str = "correct horse battery";

/// The `name=value` part of the session cookie a response set.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("session_token=") && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_string())
}

pub async fn post(app: &TestApp, path: &str, body: Value, cookie: Option<&str>) -> reqwest::Response {
    let mut req = app.client.post(app.url(&format!("/api/auth{path}"))).json(&body);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.unwrap()
}

pub async fn sign_up(app: &TestApp, email: &str) -> (String, String, Value) {
    let res = post(app, "/sign-up/email", json!({"name": "Ann", "email": email, "password": PASSWORD}), None).await;
    assert_eq!(res.status(), 200);
    let cookie = session_cookie(res.headers()).expect("session cookie");
    let body: Value = res.json().await.unwrap();
    (cookie, body["token"].as_str().unwrap().to_string(), body)
}

pub async fn get_session(app: &TestApp, header: (&str, &str)) -> Value {
    let res = app.client.get(app.url("/api/auth/get-session")).header(header.0, header.1).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn sign_up_creates_user_credential_and_session() {
    let app = TestApp::spawn().await;
    let res =
        post(&app, "/sign-up/email", json!({"name": "Ann", "email": "Ann@Example.com", "password": PASSWORD}), None)
            .await;
    assert_eq!(res.status(), 200);
    let set_cookie: Vec<String> =
        res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let cookie = set_cookie.iter().find(|c| c.starts_with("better-auth.session_token=")).expect("session cookie");
    for attr in ["Max-Age=604800", "Path=/", "HttpOnly", "SameSite=Lax"] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "no Secure outside production: {cookie}");
    let auth_token = res.headers()["set-auth-token"].to_str().unwrap().to_string();
    let body: Value = res.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.len(), 32);
    assert!(auth_token.starts_with(&format!("{token}.")));
    let user = &body["user"];
    assert_eq!(user["email"], "ann@example.com");
    assert_eq!(user["name"], "Ann");
    assert_eq!(user["emailVerified"], false);
    assert!(user["id"].as_str().unwrap().starts_with('c'));
    assert!(user.get("password").is_none());

    use nextstack_entity::account;
    use sea_orm::EntityTrait;
    let accounts = account::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].provider_id, "credential");
    assert_eq!(accounts[0].account_id, user["id"].as_str().unwrap());
    let hash = accounts[0].password.clone().unwrap();
    assert!(nextstack::auth::password::verify_blocking(PASSWORD, &hash), "BetterAuth format salt:key");
}

#[tokio::test]
async fn sign_up_refusals_use_better_auth_codes() {
    let app = TestApp::spawn().await;
    sign_up(&app, "taken@example.com").await;
    let cases = [
        (
            json!({"name": "A", "email": "taken@example.com", "password": PASSWORD}),
            422,
            "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
        ),
        (json!({"name": "A", "email": "nope", "password": PASSWORD}), 400, "INVALID_EMAIL"),
        (json!({"name": "A", "email": "a@example.com", "password": "short"}), 400, "PASSWORD_TOO_SHORT"),
        (json!({"name": "A", "email": "a@example.com", "password": "x".repeat(129)}), 400, "PASSWORD_TOO_LONG"),
        (json!({"email": "a@example.com", "password": PASSWORD}), 400, "VALIDATION_ERROR"),
        (
            json!({"name": "A", "email": "a@example.com", "password": PASSWORD, "callbackURL": "https://evil.example/x"}),
            403,
            "INVALID_CALLBACKURL",
        ),
    ];
    for (body, status, code) in cases {
        let res = post(&app, "/sign-up/email", body.clone(), None).await;
        assert_eq!(res.status(), status, "{body}");
        let json: Value = res.json().await.unwrap();
        assert_eq!(json["code"], code, "{body}");
        assert!(json["message"].is_string());
    }
}

#[tokio::test]
async fn sign_in_checks_the_password() {
    let app = TestApp::spawn().await;
    sign_up(&app, "ann@example.com").await;
    let res =
        post(&app, "/sign-in/email", json!({"email": "ann@example.com", "password": "wrong password"}), None).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "INVALID_EMAIL_OR_PASSWORD");
    let res = post(&app, "/sign-in/email", json!({"email": "ghost@example.com", "password": PASSWORD}), None).await;
    assert_eq!(res.status(), 401, "unknown email looks the same");
    let res = post(&app, "/sign-in/email", json!({"email": "ANN@example.com", "password": PASSWORD}), None).await;
    assert_eq!(res.status(), 200);
    assert!(session_cookie(res.headers()).is_some());
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["redirect"], false);
    assert_eq!(body["token"].as_str().unwrap().len(), 32);
    assert_eq!(body["user"]["email"], "ann@example.com");
}

#[tokio::test]
async fn get_session_reads_cookie_or_bearer_and_rejects_forgeries() {
    let app = TestApp::spawn().await;
    let (cookie, token, _) = sign_up(&app, "ann@example.com").await;
    let body = get_session(&app, ("cookie", &cookie)).await;
    assert_eq!(body["session"]["token"], token.as_str());
    assert_eq!(body["user"]["email"], "ann@example.com");
    assert!(body["session"]["ipAddress"].as_str().unwrap().starts_with("127.0.0.1"));
    let bearer_raw = get_session(&app, ("authorization", &format!("Bearer {token}"))).await;
    assert_eq!(bearer_raw["user"]["email"], "ann@example.com");
    let signed = cookie.split_once('=').unwrap().1.to_string();
    let bearer_signed = get_session(&app, ("authorization", &format!("Bearer {signed}"))).await;
    assert_eq!(bearer_signed["user"]["email"], "ann@example.com");
    let forged = format!("better-auth.session_token={token}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D");
    assert_eq!(get_session(&app, ("cookie", &forged)).await, Value::Null);
    let truncated = &cookie[..cookie.len() - 6];
    assert_eq!(get_session(&app, ("cookie", truncated)).await, Value::Null);
    let res = app.client.get(app.url("/api/auth/get-session")).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);
}

#[tokio::test]
async fn session_is_the_trpc_caller_and_sign_out_revokes_it_at_once() {
    let app = TestApp::spawn().await;
    let (cookie, token, body) = sign_up(&app, "ann@example.com").await;
    let id = body["user"]["id"].as_str().unwrap().to_string();
    let input = json!({"id": id});
    let (status, _) =
        crate::helpers::send_json(app.query_request("core.user.get", Some(&input)).header("cookie", &cookie)).await;
    assert_eq!(status, 200);
    let (status, _) = crate::helpers::send_json(
        app.query_request("core.user.get", Some(&input)).header("authorization", format!("Bearer {token}")),
    )
    .await;
    assert_eq!(status, 200);
    let res = post(&app, "/sign-out", json!({}), Some(&cookie)).await;
    assert_eq!(res.status(), 200);
    let cleared: Vec<String> =
        res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(cleared.iter().any(|c| c.starts_with("better-auth.session_token=;") && c.contains("Max-Age=0")));
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"success": true}));
    let (status, _) =
        crate::helpers::send_json(app.query_request("core.user.get", Some(&input)).header("cookie", &cookie)).await;
    assert_eq!(status, 401, "the revoked session fails on the very next request");
    assert_eq!(get_session(&app, ("cookie", &cookie)).await, Value::Null);
    let res = post(&app, "/sign-out", json!({}), None).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "FAILED_TO_GET_SESSION");
}

#[tokio::test]
async fn expired_sessions_are_deleted_and_rejected() {
    use nextstack_entity::session;
    use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
    let app = TestApp::spawn().await;
    let (cookie, _, _) = sign_up(&app, "ann@example.com").await;
    app.db.execute_unprepared("UPDATE \"Session\" SET \"expiresAt\" = '2020-01-01 00:00:00.000'").await.unwrap();
    assert_eq!(get_session(&app, ("cookie", &cookie)).await, Value::Null);
    assert_eq!(session::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn admin_emails_get_the_admin_role() {
    let app = TestApp::builder().env("ADMIN_EMAILS", "boss@example.com").spawn().await;
    let (cookie, _, _) = sign_up(&app, "Boss@example.com").await;
    let (status, body) = crate::helpers::send_json(
        app.mutation_request("core.user.create", &json!({"email": "new@example.com"})).header("cookie", &cookie),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (user_cookie, _, _) = sign_up(&app, "user@example.com").await;
    let (status, _) = crate::helpers::send_json(
        app.mutation_request("core.user.create", &json!({"email": "other@example.com"})).header("cookie", &user_cookie),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn cookie_posts_from_foreign_origins_are_refused() {
    let app = TestApp::spawn().await;
    let (cookie, _, _) = sign_up(&app, "ann@example.com").await;
    let res = app
        .client
        .post(app.url("/api/auth/sign-out"))
        .header("cookie", &cookie)
        .header("origin", "http://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"code": "INVALID_ORIGIN", "message": "Invalid origin"}));
    for bad in ["null", "not a url"] {
        let res = app
            .client
            .post(app.url("/api/auth/sign-out"))
            .header("cookie", &cookie)
            .header("origin", bad)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "Origin: {bad}");
    }
    let res = app
        .client
        .post(app.url("/api/auth/sign-out"))
        .header("cookie", &cookie)
        .header("origin", "http://localhost:3000")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_address() {
    let app = TestApp::builder().env("AUTH_RATE_LIMIT_MAX_REQUESTS", "3").spawn().await;
    for _ in 0..3 {
        let res = post(&app, "/sign-in/email", json!({"email": "x@example.com", "password": PASSWORD}), None).await;
        assert_eq!(res.status(), 401);
    }
    let res = post(&app, "/sign-in/email", json!({"email": "x@example.com", "password": PASSWORD}), None).await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["x-retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(res.json::<Value>().await.unwrap()["message"], "Too many requests. Please try again later.");
    let (status, _) = app.query("_meta.health", None, None).await;
    assert_eq!(status, 200, "the tRPC limit is separate");
}

#[tokio::test]
async fn production_cookies_are_secure() {
    let app = TestApp::builder()
        .env("NODE_ENV", "production")
        .env("BETTER_AUTH_SECRET", "production-secret-0123456789abcdef0123456789")
        .spawn()
        .await;
    let res =
        post(&app, "/sign-up/email", json!({"name": "A", "email": "a@example.com", "password": PASSWORD}), None).await;
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.contains("session_token"))
        .unwrap();
    assert!(cookie.starts_with("__Secure-better-auth.session_token="), "{cookie}");
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_are_empty_404s() {
    let app = TestApp::spawn().await;
    for res in [
        app.client.get(app.url("/api/auth/sign-in/email")).send().await.unwrap(),
        app.client.get(app.url("/api/auth/nope")).send().await.unwrap(),
    ] {
        assert_eq!(res.status(), 404);
        assert!(res.bytes().await.unwrap().is_empty());
    }
    let res = app.client.get(app.url("/api/auth/ok")).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"ok": true}));
}

#[tokio::test]
async fn better_auth_trusted_origins_are_trusted() {
    let app = TestApp::builder().env("BETTER_AUTH_TRUSTED_ORIGINS", "https://app.example").spawn().await;
    let (cookie, _, _) = sign_up(&app, "ann@example.com").await;
    let res = app
        .client
        .post(app.url("/api/auth/update-user"))
        .header("cookie", &cookie)
        .header("origin", "https://app.example")
        .json(&json!({"name": "Trusted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
