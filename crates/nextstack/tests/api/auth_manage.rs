//! Session and account management on `/api/auth`, `main.auth.*` over tRPC, and
//! sessions made by BetterAuth itself.

use serde_json::{Value, json};

use crate::auth::{PASSWORD, get_session, post, session_cookie, sign_up};
use crate::helpers::{TestApp, send_json};

async fn list_sessions(app: &TestApp, cookie: &str) -> (u16, Value) {
    let res = app.client.get(app.url("/api/auth/list-sessions")).header("cookie", cookie).send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> String {
    let res = post(app, "/sign-in/email", json!({"email": email, "password": password}), None).await;
    assert_eq!(res.status(), 200);
    session_cookie(res.headers()).unwrap()
}

#[tokio::test]
async fn sessions_are_listed_and_revoked() {
    let app = TestApp::spawn().await;
    let (first, first_token, _) = sign_up(&app, "ann@example.com").await;
    let second = sign_in(&app, "ann@example.com", PASSWORD).await;
    let third = sign_in(&app, "ann@example.com", PASSWORD).await;
    let (status, list) = list_sessions(&app, &first).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert!(list[0]["token"].is_string(), "BetterAuth's list includes tokens");

    let res = post(&app, "/revoke-session", json!({"token": first_token}), Some(&second)).await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": true}));
    assert_eq!(get_session(&app, ("cookie", &first)).await, Value::Null);
    let res = post(&app, "/revoke-session", json!({"token": "nope"}), Some(&second)).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "SESSION_NOT_FOUND");

    let res = post(&app, "/revoke-other-sessions", json!({}), Some(&second)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(get_session(&app, ("cookie", &third)).await, Value::Null);
    assert_ne!(get_session(&app, ("cookie", &second)).await, Value::Null);

    let res = post(&app, "/revoke-sessions", json!({}), Some(&second)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(get_session(&app, ("cookie", &second)).await, Value::Null);
    let (status, _) = list_sessions(&app, &second).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn another_users_session_cannot_be_revoked() {
    let app = TestApp::spawn().await;
    let (_, ann_token, _) = sign_up(&app, "ann@example.com").await;
    let (bob, _, _) = sign_up(&app, "bob@example.com").await;
    let res = post(&app, "/revoke-session", json!({"token": ann_token}), Some(&bob)).await;
    assert_eq!(res.status(), 401);
    assert!(res.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn update_user_changes_name_and_refuses_email() {
    let app = TestApp::spawn().await;
    let (cookie, _, _) = sign_up(&app, "ann@example.com").await;
    let res =
        post(&app, "/update-user", json!({"name": "Annie", "image": "https://img.example/a.png"}), Some(&cookie)).await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": true}));
    let session = get_session(&app, ("cookie", &cookie)).await;
    assert_eq!(session["user"]["name"], "Annie");
    assert_eq!(session["user"]["image"], "https://img.example/a.png");
    let res = post(&app, "/update-user", json!({"email": "x@example.com"}), Some(&cookie)).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "EMAIL_CAN_NOT_BE_UPDATED");
    let res = post(&app, "/update-user", json!({"name": "x"}), None).await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn change_password_checks_the_current_one_and_can_revoke_others() {
    let app = TestApp::spawn().await;
    let (cookie, _, _) = sign_up(&app, "ann@example.com").await;
    let other = sign_in(&app, "ann@example.com", PASSWORD).await;
    let body = json!({"currentPassword": "wrong password", "newPassword": "new password 123"});
    let res = post(&app, "/change-password", body, Some(&cookie)).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "INVALID_PASSWORD");
    let body = json!({"currentPassword": PASSWORD, "newPassword": "short"});
    assert_eq!(post(&app, "/change-password", body, Some(&cookie)).await.status(), 400);

    let body = json!({"currentPassword": PASSWORD, "newPassword": "new password 123", "revokeOtherSessions": true});
    let res = post(&app, "/change-password", body, Some(&cookie)).await;
    assert_eq!(res.status(), 200);
    let fresh = session_cookie(res.headers()).expect("a new session cookie");
    let out: Value = res.json().await.unwrap();
    assert_eq!(out["token"].as_str().unwrap().len(), 32);
    assert_eq!(out["user"]["email"], "ann@example.com");
    assert_eq!(get_session(&app, ("cookie", &other)).await, Value::Null, "other sessions revoked");
    assert_eq!(get_session(&app, ("cookie", &cookie)).await, Value::Null, "the old one too");
    assert_ne!(get_session(&app, ("cookie", &fresh)).await, Value::Null);
    let res = post(&app, "/sign-in/email", json!({"email": "ann@example.com", "password": PASSWORD}), None).await;
    assert_eq!(res.status(), 401, "the old password no longer works");
    sign_in(&app, "ann@example.com", "new password 123").await;
}

#[tokio::test]
async fn trpc_auth_procedures_never_return_the_token() {
    let app = TestApp::spawn().await;
    let (cookie, token, body) = sign_up(&app, "ann@example.com").await;
    let (status, me) = send_json(app.query_request("main.auth.getMe", None).header("cookie", &cookie)).await;
    assert_eq!(status, 200, "{me}");
    let me = &me["result"]["data"];
    assert_eq!(me["user"]["id"], body["user"]["id"]);
    assert_eq!(me["user"]["role"], "USER");
    assert!(me["session"]["id"].is_string() && me["session"].get("token").is_none());
    let (status, anon) = app.query("main.auth.getMe", None, None).await;
    assert_eq!(status, 401, "{anon}");
    let (_, session) = send_json(app.query_request("main.auth.getSession", None).header("cookie", &cookie)).await;
    assert_eq!(session["result"]["data"]["isAuthenticated"], true);
    assert!(!session.to_string().contains(&token), "no token anywhere in tRPC output");
    let (_, anon) = app.query("main.auth.getSession", None, None).await;
    assert_eq!(anon["result"]["data"], json!({"user": null, "session": null, "isAuthenticated": false}));
}

#[tokio::test]
async fn unknown_email_costs_about_as_much_as_a_wrong_password() {
    let app = TestApp::builder().env("AUTH_RATE_LIMIT_MAX_REQUESTS", "1000").spawn().await;
    sign_up(&app, "ann@example.com").await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..20 {
        for (email, times) in [("ann@example.com", &mut known), ("ghost@example.com", &mut unknown)] {
            let started = std::time::Instant::now();
            let res = post(&app, "/sign-in/email", json!({"email": email, "password": "wrong password"}), None).await;
            times.push(started.elapsed().as_secs_f64());
            assert_eq!(res.status(), 401);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let ratio = median(&mut known) / median(&mut unknown);
    assert!((0.5..=2.0).contains(&ratio), "both paths hash: ratio {ratio}");
}

#[tokio::test]
async fn better_auth_made_hashes_and_cookies_work_on_the_server() {
    use nextstack::services::{account, user as users};
    use nextstack_entity::{new_id, now, session};
    use sea_orm::{ActiveModelTrait, Set};
    let secret = "compat-secret-0123456789abcdef0123456789";
    let app = TestApp::builder().env("BETTER_AUTH_SECRET", secret).spawn().await;
    let token = "Xy3kP9qLm2Nv8RtW5zAb7CdE1fGh4JkL";
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../clients/better-auth");
    let out = std::process::Command::new("node")
        .args([
            "compat.mjs",
            "produce",
            &format!("--secret={secret}"),
            &format!("--password={PASSWORD}"),
            &format!("--token={token}"),
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let produced: Value = serde_json::from_slice(&out.stdout).unwrap();

    // A user whose password hash and session were written by BetterAuth.
    let new = users::NewUser { email: "ba@example.com".into(), name: None, role: nextstack::wire::user::Role::User };
    let user = users::create(&app.db, new).await.unwrap();
    account::create_credential(&app.db, &user.id, produced["hash"].as_str().unwrap().to_string()).await.unwrap();
    let at = now();
    session::ActiveModel {
        id: Set(new_id()),
        expires_at: Set(at + chrono::Duration::days(7)),
        token: Set(token.to_string()),
        ip_address: Set(None),
        user_agent: Set(None),
        user_id: Set(user.id.clone()),
        created_at: Set(at),
        updated_at: Set(at),
        impersonated_by: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();

    let cookie = format!("better-auth.session_token={}", produced["cookie"].as_str().unwrap());
    let session = get_session(&app, ("cookie", &cookie)).await;
    assert_eq!(session["user"]["email"], "ba@example.com", "BetterAuth's cookie is a session here");
    sign_in(&app, "ba@example.com", PASSWORD).await;
}

#[tokio::test]
async fn delete_user_needs_the_password_or_a_fresh_session() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let (cookie, _, _) = sign_up(&app, "ann@example.com").await;
    let res = post(&app, "/delete-user", json!({"password": "wrong password"}), Some(&cookie)).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "INVALID_PASSWORD");
    // An old session without a password is refused.
    // Freshness counts from creation, so refreshing a session does not make it fresh.
    app.db.execute_unprepared("UPDATE \"Session\" SET \"createdAt\" = '2020-01-01 00:00:00.000'").await.unwrap();
    let res = post(&app, "/delete-user", json!({}), Some(&cookie)).await;
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "SESSION_EXPIRED_REAUTHENTICATE_TO_PERFORM_THIS_ACTION");
    let res = post(&app, "/delete-user", json!({"password": PASSWORD}), Some(&cookie)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"success": true, "message": "User deleted"}));
    let res = post(&app, "/sign-in/email", json!({"email": "ann@example.com", "password": PASSWORD}), None).await;
    assert_eq!(res.status(), 401, "the account is gone");
    // A fresh session may delete without a password.
    let (fresh, _, _) = sign_up(&app, "bob@example.com").await;
    assert_eq!(post(&app, "/delete-user", json!({}), Some(&fresh)).await.status(), 200);
    assert_eq!(get_session(&app, ("cookie", &fresh)).await, Value::Null);
}

fn in_days(days: i64) -> String {
    (chrono::Utc::now().naive_utc() + chrono::Duration::days(days)).format("%Y-%m-%d %H:%M:%S%.3f").to_string()
}

#[tokio::test]
async fn sessions_refresh_after_a_day_unless_told_not_to() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let (cookie, _, _) = sign_up(&app, "ann@example.com").await;
    // Two days into a seven-day session: a refresh is due.
    let due = format!("UPDATE \"Session\" SET \"expiresAt\" = '{}'", in_days(5));
    app.db.execute_unprepared(&due).await.unwrap();
    let res = app
        .client
        .get(app.url("/api/auth/get-session?disableRefresh=true"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("set-cookie").is_none());
    let kept: Value = res.json().await.unwrap();
    assert!(kept["session"]["expiresAt"].as_str().unwrap() < in_days(6).as_str().replace(' ', "T").as_str());
    let res = app.client.get(app.url("/api/auth/get-session")).header("cookie", &cookie).send().await.unwrap();
    assert!(session_cookie(res.headers()).is_some(), "the refreshed session re-sets its cookie");
    let refreshed: Value = res.json().await.unwrap();
    let expires = refreshed["session"]["expiresAt"].as_str().unwrap().to_string();
    assert!(expires > in_days(6).replace(' ', "T"), "extended to seven days from now: {expires}");
}

#[tokio::test]
async fn remember_me_false_is_a_browser_session_that_never_refreshes() {
    let app = TestApp::spawn().await;
    sign_up(&app, "ann@example.com").await;
    let res = post(
        &app,
        "/sign-in/email",
        json!({"email": "ann@example.com", "password": PASSWORD, "rememberMe": false}),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let cookies: Vec<String> =
        res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let session = cookies.iter().find(|c| c.starts_with("better-auth.session_token=")).unwrap();
    assert!(!session.contains("Max-Age"), "a browser-session cookie: {session}");
    let dont = cookies.iter().find(|c| c.starts_with("better-auth.dont_remember=")).expect("dont_remember cookie");
    let cookie_header = format!("{}; {}", session.split(';').next().unwrap(), dont.split(';').next().unwrap());
    let body = get_session(&app, ("cookie", &cookie_header)).await;
    let expires = body["session"]["expiresAt"].as_str().unwrap().to_string();
    assert!(expires < in_days(2).replace(' ', "T"), "one day, not seven: {expires}");
}
