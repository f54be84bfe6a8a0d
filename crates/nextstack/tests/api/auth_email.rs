//! Password reset and email verification, through a real SMTP exchange.

use serde_json::{Value, json};

use crate::auth::{PASSWORD, get_session, post, sign_up};
use crate::helpers::{SmtpSink, TestApp};

async fn app_with_mail() -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .env("SMTP_URL", format!("smtp://127.0.0.1:{}", sink.port))
        .env("MAIL_FROM", "NextStack <no-reply@example.com>")
        .spawn()
        .await;
    (app, sink)
}

#[tokio::test]
async fn password_reset_by_mail_is_single_use() {
    let (app, sink) = app_with_mail().await;
    let (old_cookie, _, _) = sign_up(&app, "ann@example.com").await;
    let res =
        post(&app, "/request-password-reset", json!({"email": "ann@example.com", "redirectTo": "/reset"}), None).await;
    assert_eq!(res.status(), 200);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["status"], true);
    let mail = sink.wait_for(1).await.pop().expect("a reset mail");
    assert!(mail.contains("To: ann@example.com") && mail.contains("Subject: Reset your password"), "{mail}");
    let link = sink.last_link().unwrap();
    let token = link.split("/reset-password/").nth(1).unwrap().split('?').next().unwrap().to_string();

    use nextstack_entity::verification;
    use sea_orm::EntityTrait;
    let rows = verification::Entity::find().all(&app.db).await.unwrap();
    assert!(rows.iter().all(|r| !r.identifier.contains(&token) && r.value != token), "only a hash is stored");

    let res =
        app.client.get(app.url(&format!("/api/auth/reset-password/{token}?callbackURL=/reset"))).send().await.unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], format!("/reset?token={token}").as_str());
    let res = post(&app, "/reset-password", json!({"newPassword": "a brand new password", "token": token}), None).await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": true}));
    assert_eq!(get_session(&app, ("cookie", &old_cookie)).await, Value::Null, "a reset ends every session");
    let res = post(&app, "/sign-in/email", json!({"email": "ann@example.com", "password": PASSWORD}), None).await;
    assert_eq!(res.status(), 401);
    let res =
        post(&app, "/sign-in/email", json!({"email": "ann@example.com", "password": "a brand new password"}), None)
            .await;
    assert_eq!(res.status(), 200);
    let res = post(&app, "/reset-password", json!({"newPassword": "yet another password", "token": token}), None).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "INVALID_TOKEN");
    let res =
        app.client.get(app.url(&format!("/api/auth/reset-password/{token}?callbackURL=/reset"))).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/reset?error=INVALID_TOKEN");
}

#[tokio::test]
async fn reset_answers_the_same_for_unknown_emails_and_sends_nothing() {
    let (app, sink) = app_with_mail().await;
    let res = post(&app, "/forget-password", json!({"email": "ghost@example.com"}), None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], true);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(sink.messages().is_empty());
    let res = post(
        &app,
        "/request-password-reset",
        json!({"email": "a@example.com", "redirectTo": "https://evil.example"}),
        None,
    )
    .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn email_verification_by_mail() {
    let (app, sink) = app_with_mail().await;
    let (cookie, _, _) = sign_up(&app, "ann@example.com").await;
    let res = post(&app, "/send-verification-email", json!({"email": "bob@example.com"}), Some(&cookie)).await;
    assert_eq!(res.status(), 400, "only one's own address");
    let res = post(&app, "/send-verification-email", json!({"email": "ann@example.com"}), Some(&cookie)).await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": true}));
    sink.wait_for(1).await;
    let link = sink.last_link().expect("a verification mail");
    let path = link.split("/api/auth").nth(1).unwrap().to_string();
    let res = app.client.get(app.url(&format!("/api/auth{path}"))).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": true}));
    assert_eq!(get_session(&app, ("cookie", &cookie)).await["user"]["emailVerified"], true);
    let res = app.client.get(app.url(&format!("/api/auth{path}"))).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"code": "INVALID_TOKEN", "message": "invalid_token"}));
}

#[tokio::test]
async fn without_smtp_mail_goes_to_the_log() {
    let app = TestApp::spawn().await;
    sign_up(&app, "ann@example.com").await;
    let res = post(&app, "/request-password-reset", json!({"email": "ann@example.com"}), None).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn mail_sending_endpoints_are_rate_limited() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .env("SMTP_URL", format!("smtp://127.0.0.1:{}", sink.port))
        .env("AUTH_RATE_LIMIT_MAX_REQUESTS", "2")
        .spawn()
        .await;
    for _ in 0..2 {
        assert_eq!(post(&app, "/forget-password", json!({"email": "v@example.com"}), None).await.status(), 200);
    }
    let res = post(&app, "/forget-password", json!({"email": "v@example.com"}), None).await;
    assert_eq!(res.status(), 429);
}
