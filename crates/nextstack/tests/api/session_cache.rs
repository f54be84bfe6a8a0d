//! The session cache (decision 7, issue 14): a tRPC call is authenticated
//! without a database round trip, yet every change that ends a session —
//! made by this process, another one, or `psql` — takes effect at once here
//! and within a second everywhere.

use std::time::{Duration, Instant};

use nextstack::wire::user::Role;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::auth::{PASSWORD, post, sign_up};
use crate::helpers::{TcpProxy, TestApp, send_json};

async fn get_me(app: &TestApp, bearer: &str) -> u16 {
    send_json(app.query_request("main.auth.getMe", None).header("authorization", bearer)).await.0
}

async fn lookups(app: &TestApp, result: &str) -> f64 {
    app.metric(&format!("nextstack_session_lookups_total{{result=\"{result}\"}}")).await
}

/// Polls `status` until it is `expected`; fails after 5 s. Returns how long it took.
async fn until_status<F: AsyncFnMut() -> u16>(what: &str, expected: u16, mut status: F) -> Duration {
    let started = Instant::now();
    loop {
        let now = status().await;
        if now == expected {
            return started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{what}: still {now} after 5 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Signs up on `a`, and makes `b` serve the session from its cache (a hit).
async fn cached_on(a: &TestApp, b: &TestApp, email: &str) -> (String, String, Value) {
    let (cookie, token, body) = sign_up(a, email).await;
    let bearer = format!("Bearer {token}");
    assert_eq!(get_me(b, &bearer).await, 200);
    let hits = lookups(b, "hit").await;
    assert_eq!(get_me(b, &bearer).await, 200);
    assert_eq!(lookups(b, "hit").await, hits + 1.0, "the second call is served from the cache");
    (cookie, bearer, body)
}

async fn two_processes() -> (TestApp, TestApp) {
    let a = TestApp::builder().on_postgres().env("AUTH_RATE_LIMIT_MAX_REQUESTS", "1000").spawn().await;
    let b = TestApp::builder().sibling_of(&a).env("AUTH_RATE_LIMIT_MAX_REQUESTS", "1000").spawn().await;
    (a, b)
}

#[tokio::test]
async fn every_revocation_reaches_the_other_process_within_a_second() {
    let (a, b) = two_processes().await;
    let mut took = Vec::new();

    // Signed out through process A.
    let (cookie, bearer, _) = cached_on(&a, &b, "out@example.com").await;
    assert_eq!(post(&a, "/sign-out", json!({}), Some(&cookie)).await.status(), 200);
    took.push(("sign-out", until_status("sign-out", 401, async || get_me(&b, &bearer).await).await));

    // One session revoked by its owner through another session.
    let (cookie, bearer, body) = cached_on(&a, &b, "revoke@example.com").await;
    let res = post(&a, "/sign-in/email", json!({"email": "revoke@example.com", "password": PASSWORD}), None).await;
    let other = crate::auth::session_cookie(res.headers()).unwrap();
    let token = body["token"].as_str().unwrap();
    assert_eq!(post(&a, "/revoke-session", json!({"token": token}), Some(&other)).await.status(), 200);
    took.push(("revoke-session", until_status("revoke-session", 401, async || get_me(&b, &bearer).await).await));
    drop(cookie);

    // A password change that ends the other sessions.
    let (cookie, bearer, _) = cached_on(&a, &b, "password@example.com").await;
    let change =
        json!({"currentPassword": PASSWORD, "newPassword": "another long password", "revokeOtherSessions": true});
    assert_eq!(post(&a, "/change-password", change, Some(&cookie)).await.status(), 200);
    took.push(("change-password", until_status("change-password", 401, async || get_me(&b, &bearer).await).await));

    // The user deleted.
    let (_, bearer, body) = cached_on(&a, &b, "deleted@example.com").await;
    let id = body["user"]["id"].as_str().unwrap();
    let (status, _) = send_json(
        a.mutation_request("core.user.delete", &json!({"id": id, "password": PASSWORD}))
            .header("authorization", &bearer),
    )
    .await;
    assert_eq!(status, 200);
    took.push(("user deleted", until_status("user deleted", 401, async || get_me(&b, &bearer).await).await));

    // An admin demoted: admin-only procedures are refused at once.
    let admin = a.create_user("admin@example.com", Role::Admin).await;
    let root = a.create_user("root@example.com", Role::Admin).await;
    let admin_bearer = a.bearer(&admin);
    let create_level = async |n: u32| {
        let level = json!({"name": format!("L{n}"), "rank": n, "minPoints": n});
        send_json(b.mutation_request("core.level.create", &level).header("authorization", &admin_bearer)).await.0
    };
    assert_eq!(create_level(1).await, 200);
    assert_eq!(create_level(2).await, 200);
    let (status, _) = a.mutation("core.user.update", &json!({"id": admin, "role": "USER"}), Some(&root)).await;
    assert_eq!(status, 200);
    let mut n = 2;
    took.push((
        "role changed",
        until_status("role changed", 403, async || {
            n += 1;
            create_level(n).await
        })
        .await,
    ));

    // A raw DELETE on a connection of its own, as psql would.
    let (_, bearer, body) = cached_on(&a, &b, "psql@example.com").await;
    let token = body["token"].as_str().unwrap().to_string();
    // The test's own pool: statements the server's code never sees.
    let raw = &a.db;
    let delete = Statement::from_sql_and_values(
        DbBackend::Postgres,
        r#"DELETE FROM "Session" WHERE "token" = $1"#,
        [token.into()],
    );
    raw.execute_raw(delete).await.unwrap();
    took.push(("raw SQL", until_status("raw SQL", 401, async || get_me(&b, &bearer).await).await));

    for (what, elapsed) in took {
        assert!(elapsed < Duration::from_secs(1), "{what} took {elapsed:?} to reach the other process");
    }
}

#[tokio::test]
async fn on_one_process_every_revocation_holds_on_the_very_next_request() {
    let app = TestApp::builder().env("AUTH_RATE_LIMIT_MAX_REQUESTS", "1000").spawn().await;
    let warm = async |bearer: &str| {
        assert_eq!(get_me(&app, bearer).await, 200);
        assert_eq!(get_me(&app, bearer).await, 200);
    };

    let (cookie, token, _) = sign_up(&app, "out@example.com").await;
    let bearer = format!("Bearer {token}");
    warm(&bearer).await;
    assert_eq!(post(&app, "/sign-out", json!({}), Some(&cookie)).await.status(), 200);
    assert_eq!(get_me(&app, &bearer).await, 401, "sign-out");

    let (_, token, _) = sign_up(&app, "revoked@example.com").await;
    let bearer = format!("Bearer {token}");
    warm(&bearer).await;
    let res = post(&app, "/sign-in/email", json!({"email": "revoked@example.com", "password": PASSWORD}), None).await;
    let other = crate::auth::session_cookie(res.headers()).unwrap();
    assert_eq!(post(&app, "/revoke-sessions", json!({}), Some(&other)).await.status(), 200);
    assert_eq!(get_me(&app, &bearer).await, 401, "revoke-sessions");

    let (cookie, token, _) = sign_up(&app, "password@example.com").await;
    let bearer = format!("Bearer {token}");
    warm(&bearer).await;
    let change =
        json!({"currentPassword": PASSWORD, "newPassword": "another long password", "revokeOtherSessions": true});
    assert_eq!(post(&app, "/change-password", change, Some(&cookie)).await.status(), 200);
    assert_eq!(get_me(&app, &bearer).await, 401, "change-password");

    let (_, token, body) = sign_up(&app, "deleted@example.com").await;
    let bearer = format!("Bearer {token}");
    warm(&bearer).await;
    let id = body["user"]["id"].as_str().unwrap();
    let delete = app.mutation_request("core.user.delete", &json!({"id": id, "password": PASSWORD}));
    assert_eq!(send_json(delete.header("authorization", &bearer)).await.0, 200);
    assert_eq!(get_me(&app, &bearer).await, 401, "user deleted");

    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let root = app.create_user("root@example.com", Role::Admin).await;
    let level = |n: u32| json!({"name": format!("L{n}"), "rank": n, "minPoints": n});
    assert_eq!(app.mutation("core.level.create", &level(1), Some(&admin)).await.0, 200);
    assert_eq!(app.mutation("core.level.create", &level(2), Some(&admin)).await.0, 200);
    assert_eq!(app.mutation("core.user.update", &json!({"id": admin, "role": "USER"}), Some(&root)).await.0, 200);
    assert_eq!(app.mutation("core.level.create", &level(3), Some(&admin)).await.0, 403, "role changed");
}

#[tokio::test]
async fn with_the_listener_cut_the_cache_is_bypassed_and_revocations_hold() {
    let a = TestApp::builder().on_postgres().env("AUTH_RATE_LIMIT_MAX_REQUESTS", "1000").spawn().await;
    let proxy = TcpProxy::start("127.0.0.1:5432".parse().unwrap()).await;
    let b = TestApp::builder()
        .sibling_of(&a)
        .on_postgres_via(&proxy)
        .env("DATABASE_ACQUIRE_TIMEOUT_MS", "500")
        .spawn()
        .await;
    let (cookie, bearer, _) = cached_on(&a, &b, "cut@example.com").await;
    assert_eq!(b.metric("nextstack_session_cache_bypassed").await, 0.0);

    proxy.cut();
    until_status("the listener's loss seen", 1, async || b.metric("nextstack_session_cache_bypassed").await as u16)
        .await;
    assert_eq!(post(&a, "/sign-out", json!({}), Some(&cookie)).await.status(), 200);
    // Not served from the cache: the database is asked, and it is out of reach.
    assert_eq!(get_me(&b, &bearer).await, 503);

    proxy.restore();
    // The next request is refused, whether the listener is back yet or not.
    assert_eq!(get_me(&b, &bearer).await, 401);
    until_status("the listener back", 0, async || b.metric("nextstack_session_cache_bypassed").await as u16).await;

    // Back in use, and nothing from before the outage is served.
    let (_, bearer, _) = cached_on(&a, &b, "after@example.com").await;
    assert_eq!(get_me(&b, &bearer).await, 200);
}

#[tokio::test]
async fn the_cache_is_bounded_and_a_zero_ttl_asks_the_database_every_time() {
    let app =
        TestApp::builder().env("SESSION_CACHE_CAPACITY", "3").env("AUTH_RATE_LIMIT_MAX_REQUESTS", "1000").spawn().await;
    for i in 0..10 {
        let user = app.create_user(&format!("u{i}@example.com"), Role::User).await;
        assert_eq!(app.query("main.auth.getMe", None, Some(&user)).await.0, 200);
    }
    let held = app.metric("nextstack_session_cache_entries").await;
    assert!((1.0..=3.0).contains(&held), "{held} sessions held with a capacity of 3");

    let off = TestApp::builder().env("SESSION_CACHE_TTL_MS", "0").spawn().await;
    let user = off.create_user("off@example.com", Role::User).await;
    for _ in 0..3 {
        assert_eq!(off.query("main.auth.getMe", None, Some(&user)).await.0, 200);
    }
    assert_eq!(lookups(&off, "hit").await, 0.0);
    assert_eq!(lookups(&off, "bypass").await, 3.0, "every call asked the database");
    // So even a change behind the server's back (no notice on SQLite) holds at once.
    let bearer = off.bearer(&user);
    let token = bearer.trim_start_matches("Bearer ").to_string();
    nextstack::services::session::delete_by_token(&off.db, &token).await.unwrap();
    assert_eq!(get_me(&off, &bearer).await, 401);
}

#[tokio::test]
async fn a_trpc_only_client_stays_signed_in_while_active() {
    let app = TestApp::spawn().await;
    let user = app.create_user("active@example.com", Role::User).await;
    let token = app.bearer(&user).trim_start_matches("Bearer ").to_string();
    // A session a day and a minute old: due for BetterAuth's refresh (updateAge 1 day).
    let old = nextstack_entity::now() - chrono::Duration::days(1) - chrono::Duration::minutes(1);
    let expires = old + chrono::Duration::days(7);
    let set = Statement::from_sql_and_values(
        app.db.get_database_backend(),
        r#"UPDATE "Session" SET "createdAt" = $1, "expiresAt" = $2 WHERE "token" = $3"#,
        [old.into(), expires.into(), token.clone().into()],
    );
    app.db.execute_raw(set).await.unwrap();
    assert_eq!(app.query("main.auth.getMe", None, Some(&user)).await.0, 200);
    // Extended in the background, once.
    let expiry =
        async || nextstack::services::session::find_by_token(&app.db, &token).await.unwrap().unwrap().expires_at;
    let deadline = Instant::now() + Duration::from_secs(5);
    while expiry().await == expires {
        assert!(Instant::now() < deadline, "the session was not extended");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let extended = expiry().await;
    assert!(extended > nextstack_entity::now() + chrono::Duration::days(6), "{extended}");
    for _ in 0..5 {
        assert_eq!(app.query("main.auth.getMe", None, Some(&user)).await.0, 200);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(expiry().await, extended, "not extended again within updateAge");
}
