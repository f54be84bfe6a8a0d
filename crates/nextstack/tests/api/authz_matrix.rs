//! The authorization matrix: every procedure of the registry × {anonymous, the
//! owner, another user, an admin} against the auth column of API.md, with real
//! sessions. A procedure without a row here fails the test.

use std::sync::atomic::{AtomicI32, Ordering};

use futures::future::BoxFuture;
use nextstack::rpc::registry;
use nextstack::services::file as files;
use nextstack::services::level::{self as levels, NewLevel};
use nextstack::services::offering as offerings;
use nextstack::services::order::{self as orders, NewOrder};
use nextstack::services::post as posts;
use nextstack::services::profile as profiles;
use nextstack::services::user::{self as users, NewUser};
use nextstack::wire::user::Role;
use nextstack_entity::PostStatus;
use nextstack_trpc::ProcedureKind;
use serde_json::{Value, json};

use crate::auth::sign_up;
use crate::helpers::{TestApp, send_json};
use crate::storage_form_upload::{form_body, form_content_type};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// Anyone.
    Public,
    /// Anyone; the user is read when signed in.
    Optional,
    /// Signed in.
    User,
    /// Signed in and the row's owner, or an admin.
    Owner,
    /// Admins only.
    Admin,
    /// Signed in and the row's owner; admins too are refused (an avatar must be the caller's own file).
    OwnerOnly,
    /// Signed in and a party to the row (or an admin); to anyone else it does not exist (404).
    Party,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    Anonymous,
    Owner,
    Another,
    Admin,
}

/// The cell's target: a fresh user (the owner, for `Owner` rules), and an
/// ACTIVE offering of someone else's for them to buy from.
struct Target {
    user: String,
    shop: String,
}

/// Makes what a cell needs (rows of the target user's) and returns the
/// procedure's input. Every row brings its own, so a new procedure group adds
/// rows here and nothing else.
type Setup = for<'a> fn(&'a TestApp, &'a Target) -> BoxFuture<'a, Option<Value>>;

/// An input that needs no rows.
fn input(value: Value) -> BoxFuture<'static, Option<Value>> {
    Box::pin(std::future::ready(Some(value)))
}

fn no_input() -> BoxFuture<'static, Option<Value>> {
    Box::pin(std::future::ready(None))
}

/// The one table: wire path, API.md auth column, input for a target.
const MATRIX: &[(&str, Rule, Setup)] = &[
    ("_meta.health", Rule::Public, |_, _| no_input()),
    ("_meta.version", Rule::Public, |_, _| no_input()),
    ("core.user.create", Rule::Admin, |_, t| input(json!({"email": format!("new-{}@example.com", t.user)}))),
    ("core.user.update", Rule::Owner, |_, t| input(json!({"id": t.user, "name": "Changed"}))),
    ("core.user.delete", Rule::Owner, |_, t| input(json!({"id": t.user}))),
    ("core.user.get", Rule::User, |_, t| input(json!({"id": t.user}))),
    ("core.user.list", Rule::User, |_, _| input(json!({}))),
    ("main.auth.getMe", Rule::User, |_, _| no_input()),
    ("main.auth.getSession", Rule::Optional, |_, _| no_input()),
    ("main.user.getByEmail", Rule::User, |_, _| input(json!({"email": "admin@example.com"}))),
    ("main.user.stats", Rule::User, |_, t| input(json!({"userId": t.user}))),
    ("main.admin.overview", Rule::Admin, |_, _| no_input()),
    ("main.admin.orders", Rule::Admin, |_, _| input(json!({"status": "PENDING"}))),
    ("main.admin.files", Rule::Admin, |_, t| input(json!({"userId": t.user}))),
    ("main.admin.accounts", Rule::Admin, |_, t| input(json!({"userId": t.user}))),
    ("main.user.setAvatar", Rule::OwnerOnly, |app, t| {
        Box::pin(async move { Some(json!({"fileId": ready_image(app, &t.user).await})) })
    }),
    ("core.level.create", Rule::Admin, |_, t| {
        input(json!({"name": format!("L{}", t.user), "rank": 100_000, "minPoints": 1}))
    }),
    ("core.level.update", Rule::Admin, |app, _| {
        Box::pin(async move { Some(json!({"id": level(app).await, "description": "changed"})) })
    }),
    ("core.level.delete", Rule::Admin, |app, _| Box::pin(async move { Some(json!({"id": level(app).await})) })),
    ("core.level.list", Rule::Public, |_, _| input(json!({}))),
    ("core.profile.create", Rule::User, |_, t| input(json!({"handle": format!("n{}", t.user), "displayName": "N"}))),
    ("core.profile.update", Rule::Owner, |app, t| {
        Box::pin(async move { Some(json!({"id": profile(app, &t.user).await, "bio": "changed"})) })
    }),
    ("core.profile.delete", Rule::Owner, |app, t| {
        Box::pin(async move { Some(json!({"id": profile(app, &t.user).await})) })
    }),
    ("core.profile.get", Rule::Optional, |app, t| {
        Box::pin(async move { Some(json!({"id": profile(app, &t.user).await})) })
    }),
    ("core.profile.list", Rule::Optional, |_, _| input(json!({}))),
    ("core.post.create", Rule::User, |_, _| input(json!({"title": "New"}))),
    ("core.post.update", Rule::Owner, |app, t| {
        Box::pin(async move { Some(json!({"id": post(app, &t.user).await, "title": "Changed"})) })
    }),
    ("core.post.delete", Rule::Owner, |app, t| Box::pin(async move { Some(json!({"id": post(app, &t.user).await})) })),
    ("core.post.get", Rule::Optional, |app, t| Box::pin(async move { Some(json!({"id": post(app, &t.user).await})) })),
    ("core.post.list", Rule::Optional, |_, _| input(json!({}))),
    ("main.post.feed", Rule::Public, |_, _| input(json!({}))),
    ("core.offering.create", Rule::User, |_, _| input(json!({"title": "Thing", "priceCents": 100}))),
    ("core.offering.update", Rule::Owner, |app, t| {
        Box::pin(async move { Some(json!({"id": offering(app, &t.user).await, "priceCents": 200})) })
    }),
    ("core.offering.delete", Rule::Owner, |app, t| {
        Box::pin(async move { Some(json!({"id": offering(app, &t.user).await})) })
    }),
    ("core.offering.get", Rule::Optional, |app, t| {
        Box::pin(async move { Some(json!({"id": offering(app, &t.user).await})) })
    }),
    ("core.offering.list", Rule::Optional, |_, _| input(json!({}))),
    ("core.order.get", Rule::Party, |app, t| Box::pin(async move { Some(json!({"id": order(app, t).await})) })),
    ("core.order.list", Rule::User, |_, _| input(json!({"role": "seller"}))),
    ("main.order.place", Rule::User, |_, t| input(json!({"offeringId": t.shop}))),
    ("main.order.transition", Rule::Owner, |app, t| {
        Box::pin(async move { Some(json!({"id": order(app, t).await, "to": "CANCELLED"})) })
    }),
    ("main.order.onChange", Rule::User, |_, _| input(json!({}))),
    ("core.file.get", Rule::Owner, |app, t| {
        Box::pin(async move { Some(json!({"fileId": ready_image(app, &t.user).await})) })
    }),
    ("core.file.list", Rule::User, |_, _| input(json!({}))),
    ("core.file.update", Rule::Owner, |app, t| {
        Box::pin(async move { Some(json!({"fileId": ready_image(app, &t.user).await, "metadata": {"k": "v"}})) })
    }),
    ("core.file.delete", Rule::Owner, |app, t| {
        Box::pin(async move { Some(json!({"fileId": ready_image(app, &t.user).await})) })
    }),
    ("main.storage.requestUpload", Rule::User, |_, _| {
        input(json!({"filename": "a.png", "mimeType": "image/png", "size": 10}))
    }),
    ("main.storage.confirmUpload", Rule::Owner, |app, t| {
        Box::pin(async move { Some(json!({"fileId": ready_image(app, &t.user).await})) })
    }),
    ("main.storage.getDownloadUrl", Rule::Owner, |app, t| {
        Box::pin(async move { Some(json!({"fileId": ready_image(app, &t.user).await})) })
    }),
    ("main.storage.deleteMany", Rule::User, |app, t| {
        Box::pin(async move { Some(json!({"fileIds": [ready_image(app, &t.user).await]})) })
    }),
    // Sent as a form (see FORM_PROCEDURES), not JSON.
    ("main.storage.upload", Rule::User, |_, _| input(json!(null))),
];

/// Procedures whose input is a `FormData`: the matrix sends them a small file.
const FORM_PROCEDURES: &[&str] = &["main.storage.upload"];

fn expected(rule: Rule, caller: Caller) -> u16 {
    match (rule, caller) {
        (Rule::Public | Rule::Optional, _) => 200,
        (_, Caller::Anonymous) => 401,
        (Rule::User, _) => 200,
        (Rule::Owner, Caller::Another) => 403,
        (Rule::Owner, _) => 200,
        (Rule::Admin, Caller::Admin) => 200,
        (Rule::Admin, _) => 403,
        (Rule::OwnerOnly, Caller::Owner) => 200,
        (Rule::OwnerOnly, _) => 403,
        (Rule::Party, Caller::Another) => 404,
        (Rule::Party, _) => 200,
    }
}

#[tokio::test]
async fn every_procedure_enforces_its_auth_column() {
    let registered: Vec<(String, ProcedureKind)> =
        registry::procedures().procedures().map(|(path, p)| (path.to_string(), p.kind)).collect();
    for (path, _) in &registered {
        assert!(MATRIX.iter().any(|(p, _, _)| p == path), "procedure {path} has no row in the authorization matrix");
    }
    for (path, _, _) in MATRIX {
        assert!(registered.iter().any(|(p, _)| p == path), "matrix row {path} names no procedure");
    }

    let app = TestApp::builder()
        .env("ADMIN_EMAILS", "admin@example.com")
        .env("AUTH_RATE_LIMIT_MAX_REQUESTS", "1000")
        .spawn()
        .await;
    let (admin, _, _) = sign_up(&app, "admin@example.com").await;
    let (another, _, _) = sign_up(&app, "another@example.com").await;
    let seller = users::create(&app.db, NewUser { email: "shop@example.com".into(), name: None, role: Role::User });
    let seller = seller.await.unwrap().id;
    let shop = offerings::create(&app.db, &seller, active_offering()).await.unwrap().id;
    let mut fresh = 0;
    for (path, rule, setup) in MATRIX {
        let kind = registered.iter().find(|(p, _)| p == path).map(|(_, k)| *k).unwrap();
        for caller in [Caller::Anonymous, Caller::Owner, Caller::Another, Caller::Admin] {
            fresh += 1;
            // A fresh target per cell: destructive procedures must not spoil the next one.
            let (cookie, target) = match caller {
                Caller::Owner => {
                    let (cookie, _, body) = sign_up(&app, &format!("owner{fresh}@example.com")).await;
                    (Some(cookie), body["user"]["id"].as_str().unwrap().to_string())
                }
                other => {
                    let new = NewUser { email: format!("target{fresh}@example.com"), name: None, role: Role::User };
                    let id = users::create(&app.db, new).await.unwrap().id;
                    let cookie = match other {
                        Caller::Admin => Some(admin.clone()),
                        Caller::Another => Some(another.clone()),
                        _ => None,
                    };
                    (cookie, id)
                }
            };
            let target = Target { user: target, shop: shop.clone() };
            let input = setup(&app, &target).await;
            let req = match kind {
                _ if FORM_PROCEDURES.contains(path) => {
                    let form = form_body(&[("file", Some(("a.txt", Some("text/plain"))), b"hello")]);
                    let url = app.url(&format!("/trpc/{path}"));
                    app.client.post(url).header("content-type", form_content_type()).body(form)
                }
                ProcedureKind::Mutation => app.mutation_request(path, input.as_ref().unwrap_or(&json!({}))),
                _ => app.query_request(path, input.as_ref()),
            };
            let req = match &cookie {
                Some(c) => req.header("cookie", c),
                None => req,
            };
            let (status, body) =
                if kind == ProcedureKind::Subscription { subscribe(req).await } else { send_json(req).await };
            assert_eq!(status, expected(*rule, caller), "{path} as {caller:?}: {body}");
        }
    }
}

/// A READY image file of `user` (a row only: no procedure in the matrix needs its bytes).
async fn ready_image(app: &TestApp, user: &str) -> String {
    let key = nextstack::storage::key::new_key(user, "a.png");
    let new = files::NewFile {
        user_id: user.to_string(),
        filename: "a.png".into(),
        original_name: "a.png".into(),
        mime_type: "image/png".into(),
        size: 10,
        storage_key: key.clone(),
    };
    let id = files::create_pending(&app.db, new).await.unwrap().id;
    files::mark_ready(&app.db, &id, app.storage.public_url(&key)).await.unwrap();
    id
}

/// A public profile of `user`.
async fn profile(app: &TestApp, user: &str) -> String {
    let fields = profiles::ProfileFields {
        handle: Some(format!("p{user}")),
        display_name: Some("P".into()),
        is_public: Some(true),
        ..Default::default()
    };
    profiles::create(&app.db, user, fields).await.unwrap().id
}

/// A PUBLISHED post of `user`.
async fn post(app: &TestApp, user: &str) -> String {
    posts::create(&app.db, user, "T".into(), None, PostStatus::Published).await.unwrap().id
}

/// A fresh level (names and ranks are unique).
async fn level(app: &TestApp) -> String {
    static NEXT: AtomicI32 = AtomicI32::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let new = NewLevel { name: format!("level{n}"), rank: n, min_points: n, description: None };
    levels::create(&app.db, new).await.unwrap().id
}

/// An ACTIVE offering of `user`.
async fn offering(app: &TestApp, user: &str) -> String {
    offerings::create(&app.db, user, active_offering()).await.unwrap().id
}

/// An order the target user placed on the shop.
async fn order(app: &TestApp, t: &Target) -> String {
    let new = NewOrder { buyer_id: t.user.clone(), offering_id: t.shop.clone(), quantity: 1, note: None };
    orders::place(&app.db, &Default::default(), new).await.unwrap().id
}

fn active_offering() -> offerings::OfferingFields {
    offerings::OfferingFields {
        title: Some("Thing".into()),
        price_cents: Some(1000),
        status: Some(nextstack_entity::OfferingStatus::Active),
        ..Default::default()
    }
}

/// A subscription answers 200 with an event stream either way: refused, it
/// sends `serialized-error` (whose `httpStatus` is the outcome); accepted, it
/// stays open after `connected`.
async fn subscribe(req: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
    let mut res = req.send().await.expect("subscribe");
    assert_eq!(res.status(), 200);
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(300);
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, res.chunk()).await {
        text.push_str(&String::from_utf8_lossy(&chunk));
        if let Some(at) = text.find("event: serialized-error\ndata: ") {
            let rest = &text[at + "event: serialized-error\ndata: ".len()..];
            if let Some(end) = rest.find('\n') {
                let shape: serde_json::Value = serde_json::from_str(&rest[..end]).unwrap();
                return (shape["data"]["httpStatus"].as_u64().unwrap_or(500) as u16, shape);
            }
        }
    }
    assert!(text.starts_with("event: connected"), "{text}");
    (200, serde_json::Value::Null)
}
