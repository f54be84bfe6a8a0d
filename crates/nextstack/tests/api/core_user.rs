//! `core.user.*` and `main.user.getByEmail` end to end, with their auth levels.

use nextstack::wire::user::Role;
use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test]
async fn admin_creates_a_user_with_zero_counts() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let (status, body) =
        app.mutation("core.user.create", &json!({"email": "New@Example.com", "name": "New"}), Some(&admin)).await;
    assert_eq!(status, 200, "{body}");
    let user = &body["result"]["data"];
    let id = user["id"].as_str().unwrap();
    assert!(id.starts_with('c') && id.len() == 25, "{id}");
    assert_eq!(user["email"], "new@example.com");
    assert_eq!(user["name"], "New");
    assert_eq!(user["role"], "USER");
    assert_eq!(user["emailVerified"], false);
    assert_eq!(user["image"], Value::Null);
    assert_eq!(user["_count"], json!({"posts": 0, "orders": 0, "profiles": 0}));
    assert_eq!(user["createdAt"], user["updatedAt"]);
    assert!(user.get("password").is_none() && user.get("points").is_none());
}

#[tokio::test]
async fn duplicate_email_is_conflict() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let input = json!({"email": "dup@example.com"});
    assert_eq!(app.mutation("core.user.create", &input, Some(&admin)).await.0, 200);
    let (status, body) = app.mutation("core.user.create", &json!({"email": "DUP@example.com"}), Some(&admin)).await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], -32009);
    assert_eq!(body["error"]["data"]["code"], "CONFLICT");
    assert_eq!(body["error"]["message"], "A user with this email already exists");
}

#[tokio::test]
async fn create_needs_an_admin() {
    let app = TestApp::spawn().await;
    let user = app.create_user("user@example.com", Role::User).await;
    let input = json!({"email": "x@example.com"});
    let (status, body) = app.mutation("core.user.create", &input, None).await;
    assert_eq!((status, body["error"]["data"]["code"].as_str()), (401, Some("UNAUTHORIZED")));
    let (status, body) = app.mutation("core.user.create", &input, Some(&user)).await;
    assert_eq!((status, body["error"]["data"]["code"].as_str()), (403, Some("FORBIDDEN")));
}

#[tokio::test]
async fn admin_may_create_an_admin() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let (status, body) =
        app.mutation("core.user.create", &json!({"email": "a2@example.com", "role": "ADMIN"}), Some(&admin)).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["data"]["role"], "ADMIN");
}

#[tokio::test]
async fn get_returns_the_user_or_not_found() {
    let app = TestApp::spawn().await;
    let me = app.create_user("me@example.com", Role::User).await;
    let (status, body) = app.query("core.user.get", Some(&json!({"id": me})), Some(&me)).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["data"]["email"], "me@example.com");
    assert_eq!(body["result"]["data"]["_count"]["posts"], 0);
    let (status, body) = app.query("core.user.get", Some(&json!({"id": "cjld2cjxh0000qzrmn831i7rn"})), Some(&me)).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["message"], "User not found");
    let (status, body) = app.query("core.user.get", Some(&json!({"id": "not a cuid"})), Some(&me)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["data"]["zodError"]["fieldErrors"]["id"], json!(["Invalid cuid"]));
    let (status, _) = app.query("core.user.get", Some(&json!({"id": me})), None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn get_counts_owned_rows() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let me = app.create_user("me@example.com", Role::User).await;
    let now = "2025-10-01 12:00:00.000";
    for i in 0..2 {
        let sql = format!(
            "INSERT INTO \"Post\" (\"id\", \"authorId\", \"title\", \"status\", \"createdAt\", \"updatedAt\") VALUES ('cpost{i}xxxxxxxxxxxxxxxxxx', '{me}', 't', 'DRAFT', '{now}', '{now}')"
        );
        app.db.execute_unprepared(&sql).await.unwrap();
    }
    let (_, body) = app.query("core.user.get", Some(&json!({"id": me})), Some(&me)).await;
    assert_eq!(body["result"]["data"]["_count"], json!({"posts": 2, "orders": 0, "profiles": 0}));
}

#[tokio::test]
async fn list_paginates_newest_first() {
    let app = TestApp::spawn().await;
    let me = app.create_user("u00@example.com", Role::User).await;
    for i in 1..25 {
        app.create_user(&format!("u{i:02}@example.com"), Role::User).await;
    }
    let (status, body) = app.query("core.user.list", Some(&json!({})), Some(&me)).await;
    assert_eq!(status, 200);
    let page = &body["result"]["data"];
    assert_eq!(page["pagination"], json!({"page": 1, "limit": 20, "total": 25, "totalPages": 2}));
    assert_eq!(page["data"].as_array().unwrap().len(), 20);
    let (_, body) = app.query("core.user.list", Some(&json!({"page": 2, "limit": 20})), Some(&me)).await;
    let second = body["result"]["data"]["data"].as_array().unwrap().clone();
    assert_eq!(second.len(), 5);
    // Newest first, ties broken by id descending: the full order is strictly decreasing.
    let (_, all) = app.query("core.user.list", Some(&json!({"limit": 100})), Some(&me)).await;
    let rows = all["result"]["data"]["data"].as_array().unwrap();
    for pair in rows.windows(2) {
        let key = |r: &Value| (r["createdAt"].as_str().unwrap().to_string(), r["id"].as_str().unwrap().to_string());
        assert!(key(&pair[0]) > key(&pair[1]), "{} then {}", pair[0], pair[1]);
    }
    assert!(rows[0].get("_count").is_none(), "list returns UserBasic");
    let (status, _) = app.query("core.user.list", None, Some(&me)).await;
    assert_eq!(status, 200, "input is optional");
}

#[tokio::test]
async fn list_searches_name_and_email_case_insensitively() {
    let app = TestApp::spawn().await;
    let me = app.create_user("me@example.com", Role::User).await;
    app.create_user("Alice.Smith@example.com", Role::User).await;
    app.create_user("bob@example.com", Role::User).await;
    app.create_user("percent%@example.com", Role::User).await;
    let (_, body) = app.query("core.user.list", Some(&json!({"search": "ALICE"})), Some(&me)).await;
    let rows = body["result"]["data"]["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["email"], "alice.smith@example.com");
    // Names are "User <email>": a name match finds bob too.
    let (_, body) = app.query("core.user.list", Some(&json!({"search": "user bob"})), Some(&me)).await;
    assert_eq!(body["result"]["data"]["pagination"]["total"], 1);
    let (_, body) = app.query("core.user.list", Some(&json!({"search": "%"})), Some(&me)).await;
    assert_eq!(body["result"]["data"]["pagination"]["total"], 1, "% is literal");
    let (_, body) = app.query("core.user.list", Some(&json!({"search": "nobody"})), Some(&me)).await;
    assert_eq!(body["result"]["data"]["pagination"], json!({"page": 1, "limit": 20, "total": 0, "totalPages": 0}));
}

#[tokio::test]
async fn list_rejects_out_of_range_paging() {
    let app = TestApp::spawn().await;
    let me = app.create_user("me@example.com", Role::User).await;
    for input in [json!({"page": 0}), json!({"limit": 101}), json!({"limit": 0}), json!({"page": 1.5})] {
        let (status, body) = app.query("core.user.list", Some(&input), Some(&me)).await;
        assert_eq!(status, 400, "{input} → {body}");
    }
    let long = "x".repeat(101);
    let (status, _) = app.query("core.user.list", Some(&json!({"search": long})), Some(&me)).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn get_by_email_finds_case_insensitively() {
    let app = TestApp::spawn().await;
    let me = app.create_user("me@example.com", Role::User).await;
    let (status, body) = app.query("main.user.getByEmail", Some(&json!({"email": "ME@example.com"})), Some(&me)).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["data"]["id"], me.as_str());
    assert!(body["result"]["data"]["_count"].is_object());
    let (status, _) = app.query("main.user.getByEmail", Some(&json!({"email": "no@example.com"})), Some(&me)).await;
    assert_eq!(status, 404);
    let (status, _) = app.query("main.user.getByEmail", Some(&json!({"email": "me@example.com"})), None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn update_changes_only_sent_fields_and_null_clears() {
    let app = TestApp::spawn().await;
    let me = app.create_user("me@example.com", Role::User).await;
    let (status, body) =
        app.mutation("core.user.update", &json!({"id": me, "image": "https://img.example/me.png"}), Some(&me)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["data"]["name"], "User me@example.com", "absent name is left alone");
    assert_eq!(body["result"]["data"]["image"], "https://img.example/me.png");
    // Emails are set by admins only (decision 19; users go through /api/auth/change-email).
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let (_, body) = app
        .mutation("core.user.update", &json!({"id": me, "name": null, "email": "New@Example.com"}), Some(&admin))
        .await;
    assert_eq!(body["result"]["data"]["name"], Value::Null);
    assert_eq!(body["result"]["data"]["email"], "new@example.com");
    assert!(body["result"]["data"]["_count"].is_object());
    let (status, body) = app.mutation("core.user.update", &json!({"id": me, "image": "not a url"}), Some(&me)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["data"]["zodError"]["fieldErrors"]["image"], json!(["Invalid url"]));
}

#[tokio::test]
async fn update_guards_ownership_roles_and_uniqueness() {
    let app = TestApp::spawn().await;
    let me = app.create_user("me@example.com", Role::User).await;
    let other = app.create_user("other@example.com", Role::User).await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let (status, _) = app.mutation("core.user.update", &json!({"id": other, "name": "x"}), Some(&me)).await;
    assert_eq!(status, 403);
    let (status, _) = app.mutation("core.user.update", &json!({"id": me, "role": "ADMIN"}), Some(&me)).await;
    assert_eq!(status, 403, "a user cannot promote themselves");
    let (status, body) = app.mutation("core.user.update", &json!({"id": me, "role": "ADMIN"}), Some(&admin)).await;
    assert_eq!((status, body["result"]["data"]["role"].as_str()), (200, Some("ADMIN")));
    let (status, _) =
        app.mutation("core.user.update", &json!({"id": me, "email": "other@example.com"}), Some(&me)).await;
    assert_eq!(status, 409);
    let (status, _) =
        app.mutation("core.user.update", &json!({"id": "cjld2cjxh0000qzrmn831i7rn", "name": "x"}), Some(&admin)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn delete_removes_the_user_and_cascades() {
    use nextstack_entity::{account, session};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/auth/sign-up/email"))
        .json(&json!({"name": "Gone", "email": "gone@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    let cookie = crate::auth::session_cookie(res.headers()).unwrap();
    let id = res.json::<Value>().await.unwrap()["user"]["id"].as_str().unwrap().to_string();
    let other = app.create_user("other@example.com", Role::User).await;
    let (status, _) = app.mutation("core.user.delete", &json!({"id": id}), Some(&other)).await;
    assert_eq!(status, 403);
    let (status, body) = crate::helpers::send_json(
        app.mutation_request("core.user.delete", &json!({"id": id})).header("cookie", &cookie),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["data"]["email"], "gone@example.com");
    assert!(body["result"]["data"].get("_count").is_none());
    let sessions_left = session::Entity::find().filter(session::Column::UserId.eq(&id)).count(&app.db).await.unwrap();
    assert_eq!(sessions_left, 0, "sessions cascade");
    assert_eq!(account::Entity::find().count(&app.db).await.unwrap(), 0, "accounts cascade");
    let (status, _) = app.query("core.user.get", Some(&json!({"id": id})), Some(&other)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn stats_count_what_the_user_owns() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let me = app.create_user("me@example.com", Role::User).await;
    let other = app.create_user("other@example.com", Role::User).await;
    let t = "'2025-10-01 12:00:00.000'";
    let statements = [
        format!(
            "INSERT INTO \"Level\" (\"id\",\"name\",\"rank\",\"minPoints\",\"createdAt\",\"updatedAt\") VALUES ('clevel0000000000000000000','Gold',2,100,{t},{t})"
        ),
        format!(
            "UPDATE \"User\" SET \"points\" = 150, \"levelId\" = 'clevel0000000000000000000' WHERE \"id\" = '{me}'"
        ),
        format!(
            "INSERT INTO \"Post\" (\"id\",\"authorId\",\"title\",\"status\",\"createdAt\",\"updatedAt\") VALUES ('cpost10000000000000000000','{me}','a','PUBLISHED',{t},{t})"
        ),
        format!(
            "INSERT INTO \"Post\" (\"id\",\"authorId\",\"title\",\"status\",\"createdAt\",\"updatedAt\") VALUES ('cpost20000000000000000000','{me}','b','DRAFT',{t},{t})"
        ),
        format!(
            "INSERT INTO \"Profile\" (\"id\",\"userId\",\"handle\",\"displayName\",\"isPublic\",\"createdAt\",\"updatedAt\") VALUES ('cprof10000000000000000000','{me}','me_here','Me',true,{t},{t})"
        ),
        format!(
            "INSERT INTO \"File\" (\"id\",\"userId\",\"filename\",\"originalName\",\"mimeType\",\"size\",\"storageKey\",\"status\",\"createdAt\",\"updatedAt\") VALUES ('cfile10000000000000000000','{me}','a.png','a.png','image/png',100,'k1','READY',{t},{t})"
        ),
        format!(
            "INSERT INTO \"File\" (\"id\",\"userId\",\"filename\",\"originalName\",\"mimeType\",\"size\",\"storageKey\",\"status\",\"createdAt\",\"updatedAt\") VALUES ('cfile20000000000000000000','{me}','b.png','b.png','image/png',50,'k2','DELETED',{t},{t})"
        ),
        format!(
            "INSERT INTO \"Offering\" (\"id\",\"sellerId\",\"title\",\"priceCents\",\"currency\",\"status\",\"createdAt\",\"updatedAt\") VALUES ('coffr10000000000000000000','{other}','theirs',500,'USD','ACTIVE',{t},{t})"
        ),
        format!(
            "INSERT INTO \"Offering\" (\"id\",\"sellerId\",\"title\",\"priceCents\",\"currency\",\"status\",\"createdAt\",\"updatedAt\") VALUES ('coffr20000000000000000000','{me}','mine',700,'USD','ACTIVE',{t},{t})"
        ),
        format!(
            "INSERT INTO \"Order\" (\"id\",\"buyerId\",\"offeringId\",\"quantity\",\"unitPriceCents\",\"totalCents\",\"currency\",\"status\",\"createdAt\",\"updatedAt\") VALUES ('corder1000000000000000000','{me}','coffr10000000000000000000',1,500,500,'USD','COMPLETED',{t},{t})"
        ),
        format!(
            "INSERT INTO \"Order\" (\"id\",\"buyerId\",\"offeringId\",\"quantity\",\"unitPriceCents\",\"totalCents\",\"currency\",\"status\",\"createdAt\",\"updatedAt\") VALUES ('corder2000000000000000000','{other}','coffr20000000000000000000',1,700,700,'USD','COMPLETED',{t},{t})"
        ),
        format!(
            "INSERT INTO \"Order\" (\"id\",\"buyerId\",\"offeringId\",\"quantity\",\"unitPriceCents\",\"totalCents\",\"currency\",\"status\",\"createdAt\",\"updatedAt\") VALUES ('corder3000000000000000000','{me}','coffr10000000000000000000',2,500,1000,'USD','PENDING',{t},{t})"
        ),
    ];
    for sql in statements {
        app.db.execute_unprepared(&sql).await.unwrap();
    }
    let (status, body) = app.query("main.user.stats", Some(&json!({"userId": me})), Some(&other)).await;
    assert_eq!(status, 200, "{body}");
    let s = &body["result"]["data"];
    assert_eq!(s["userId"], me.as_str());
    assert_eq!(s["posts"], json!({"total": 2, "published": 1, "drafts": 1}));
    assert_eq!(s["orders"], json!({"placed": 2, "sold": 1, "completed": 1, "spentCents": 500, "earnedCents": 700}));
    assert_eq!(s["profiles"], 1);
    assert_eq!(s["files"], json!({"count": 1, "bytes": 100}));
    assert_eq!(s["points"], 150);
    assert_eq!(s["level"]["name"], "Gold");
    assert_eq!(s["level"]["minPoints"], 100);
    assert!(s["memberSince"].as_str().unwrap().ends_with('Z'));
    let (status, _) =
        app.query("main.user.stats", Some(&json!({"userId": "cjld2cjxh0000qzrmn831i7rn"})), Some(&me)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_page_past_the_end_of_bigint_is_just_empty() {
    let app = TestApp::spawn().await;
    let user = app.create_user("pages@example.com", Role::User).await;
    let input = json!({"page": i64::MAX, "limit": 100});
    for path in ["core.user.list", "core.file.list"] {
        let (status, body) = app.query(path, Some(&input), Some(&user)).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["result"]["data"]["data"], json!([]), "{path}");
    }
}
