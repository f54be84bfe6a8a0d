//! The authorization matrix: every procedure of the registry × {anonymous, the
//! owner, another user, an admin} against the auth column of API.md, with real
//! sessions. A procedure without a row here fails the test.

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

/// What a cell's input may point at: a fresh user with a READY image file, a
/// public profile and a PUBLISHED post, and a fresh level.
struct Target {
    user: String,
    file: String,
    profile: String,
    post: String,
    level: String,
    offering: String,
    order: String,
    shop: String,
}

type InputFn = fn(&Target) -> Option<Value>;

/// The one table: wire path, API.md auth column, input for a target.
const MATRIX: &[(&str, Rule, InputFn)] = &[
    ("_meta.health", Rule::Public, |_| None),
    ("_meta.version", Rule::Public, |_| None),
    ("core.user.create", Rule::Admin, |t| Some(json!({"email": format!("new-{}@example.com", t.user)}))),
    ("core.user.update", Rule::Owner, |t| Some(json!({"id": t.user, "name": "Changed"}))),
    ("core.user.delete", Rule::Owner, |t| Some(json!({"id": t.user}))),
    ("core.user.get", Rule::User, |t| Some(json!({"id": t.user}))),
    ("core.user.list", Rule::User, |_| Some(json!({}))),
    ("main.auth.getMe", Rule::User, |_| None),
    ("main.auth.getSession", Rule::Optional, |_| None),
    ("main.user.getByEmail", Rule::User, |_| Some(json!({"email": "admin@example.com"}))),
    ("main.user.stats", Rule::User, |t| Some(json!({"userId": t.user}))),
    ("main.user.setAvatar", Rule::OwnerOnly, |t| Some(json!({"fileId": t.file}))),
    ("core.level.create", Rule::Admin, |t| {
        Some(json!({"name": format!("L{}", t.user), "rank": 100_000, "minPoints": 1}))
    }),
    ("core.level.update", Rule::Admin, |t| Some(json!({"id": t.level, "description": "changed"}))),
    ("core.level.delete", Rule::Admin, |t| Some(json!({"id": t.level}))),
    ("core.level.list", Rule::Public, |_| Some(json!({}))),
    ("core.profile.create", Rule::User, |t| Some(json!({"handle": format!("n{}", t.user), "displayName": "N"}))),
    ("core.profile.update", Rule::Owner, |t| Some(json!({"id": t.profile, "bio": "changed"}))),
    ("core.profile.delete", Rule::Owner, |t| Some(json!({"id": t.profile}))),
    ("core.profile.get", Rule::Optional, |t| Some(json!({"id": t.profile}))),
    ("core.profile.list", Rule::Optional, |_| Some(json!({}))),
    ("core.post.create", Rule::User, |_| Some(json!({"title": "New"}))),
    ("core.post.update", Rule::Owner, |t| Some(json!({"id": t.post, "title": "Changed"}))),
    ("core.post.delete", Rule::Owner, |t| Some(json!({"id": t.post}))),
    ("core.post.get", Rule::Optional, |t| Some(json!({"id": t.post}))),
    ("core.post.list", Rule::Optional, |_| Some(json!({}))),
    ("main.post.feed", Rule::Public, |_| Some(json!({}))),
    ("core.offering.create", Rule::User, |_| Some(json!({"title": "Thing", "priceCents": 100}))),
    ("core.offering.update", Rule::Owner, |t| Some(json!({"id": t.offering, "priceCents": 200}))),
    ("core.offering.delete", Rule::Owner, |t| Some(json!({"id": t.offering}))),
    ("core.offering.get", Rule::Optional, |t| Some(json!({"id": t.offering}))),
    ("core.offering.list", Rule::Optional, |_| Some(json!({}))),
    ("core.order.get", Rule::Party, |t| Some(json!({"id": t.order}))),
    ("core.order.list", Rule::User, |_| Some(json!({"role": "seller"}))),
    ("main.order.place", Rule::User, |t| Some(json!({"offeringId": t.shop}))),
    ("main.order.transition", Rule::Owner, |t| Some(json!({"id": t.order, "to": "CANCELLED"}))),
    ("main.order.onChange", Rule::User, |_| Some(json!({}))),
    ("core.file.get", Rule::Owner, |t| Some(json!({"fileId": t.file}))),
    ("core.file.list", Rule::User, |_| Some(json!({}))),
    ("core.file.update", Rule::Owner, |t| Some(json!({"fileId": t.file, "metadata": {"k": "v"}}))),
    ("core.file.delete", Rule::Owner, |t| Some(json!({"fileId": t.file}))),
    ("main.storage.requestUpload", Rule::User, |_| {
        Some(json!({"filename": "a.png", "mimeType": "image/png", "size": 10}))
    }),
    ("main.storage.confirmUpload", Rule::Owner, |t| Some(json!({"fileId": t.file}))),
    ("main.storage.getDownloadUrl", Rule::Owner, |t| Some(json!({"fileId": t.file}))),
    ("main.storage.deleteMany", Rule::User, |t| Some(json!({"fileIds": [t.file]}))),
];

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
    for (path, rule, input) in MATRIX {
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
            let file = ready_image(&app, &target).await;
            let profile = profiles::create(&app.db, &target, profile_fields(&target)).await.unwrap().id;
            let post = posts::create(&app.db, &target, "T".into(), None, PostStatus::Published).await.unwrap().id;
            let level = NewLevel { name: format!("level{fresh}"), rank: fresh, min_points: fresh, description: None };
            let level = levels::create(&app.db, level).await.unwrap().id;
            let offering = offerings::create(&app.db, &target, active_offering()).await.unwrap().id;
            let new_order = NewOrder { buyer_id: target.clone(), offering_id: shop.clone(), quantity: 1, note: None };
            let order = orders::place(&app.db, &Default::default(), new_order).await.unwrap().id;
            let target = Target { user: target, file, profile, post, level, offering, order, shop: shop.clone() };
            let input = input(&target);
            let req = match kind {
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

fn profile_fields(user: &str) -> profiles::ProfileFields {
    profiles::ProfileFields {
        handle: Some(format!("p{user}")),
        display_name: Some("P".into()),
        is_public: Some(true),
        ..Default::default()
    }
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
