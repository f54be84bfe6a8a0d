//! BetterAuth's admin plugin endpoints over HTTP: every endpoint's happy path,
//! the refusals (no session 401, non-admin 403 with the plugin's code, bad
//! input), bans (sign-in refused, sessions ended at once, the ban lifting
//! itself), and impersonation with its limits.

use nextstack::wire::user::Role;
use serde_json::{Value, json};

use crate::auth::{PASSWORD, get_session, post, session_cookie, sign_up};
use crate::helpers::TestApp;

/// An admin signed in with a password (cookie), and the app.
async fn with_admin() -> (TestApp, String, String) {
    let app = TestApp::builder().env("ADMIN_EMAILS", "root@example.com").spawn().await;
    let (cookie, _, body) = sign_up(&app, "root@example.com").await;
    (app, cookie, body["user"]["id"].as_str().unwrap().to_string())
}

async fn admin_get(app: &TestApp, path: &str, cookie: &str) -> (u16, Value) {
    let res = app.client.get(app.url(&format!("/api/auth/admin{path}"))).header("cookie", cookie).send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn admin_post(app: &TestApp, path: &str, body: Value, cookie: &str) -> (u16, Value) {
    let res = post(app, &format!("/admin{path}"), body, Some(cookie)).await;
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn sign_in_status(app: &TestApp, email: &str, password: &str) -> (u16, Value) {
    let res = post(app, "/sign-in/email", json!({"email": email, "password": password}), None).await;
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn only_admins_may_call_the_admin_endpoints() {
    let (app, _, admin_id) = with_admin().await;
    let (user_cookie, _, _) = sign_up(&app, "ann@example.com").await;
    let posts: [(&str, Value, &str); 11] = [
        (
            "/create-user",
            json!({"email": "x@example.com", "password": PASSWORD, "name": "X"}),
            "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS",
        ),
        ("/update-user", json!({"userId": admin_id, "data": {"name": "X"}}), "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS"),
        ("/set-role", json!({"userId": admin_id, "role": "user"}), "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE"),
        ("/ban-user", json!({"userId": admin_id}), "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS"),
        ("/unban-user", json!({"userId": admin_id}), "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS"),
        ("/list-user-sessions", json!({"userId": admin_id}), "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS"),
        ("/revoke-user-session", json!({"sessionToken": "x"}), "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS"),
        ("/revoke-user-sessions", json!({"userId": admin_id}), "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS"),
        (
            "/set-user-password",
            json!({"userId": admin_id, "newPassword": PASSWORD}),
            "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD",
        ),
        ("/remove-user", json!({"userId": admin_id}), "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS"),
        ("/impersonate-user", json!({"userId": admin_id}), "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS"),
    ];
    for (path, body, code) in posts {
        let (status, answer) = admin_post(&app, path, body.clone(), &user_cookie).await;
        assert_eq!((status, answer["code"].as_str()), (403, Some(code)), "{path}");
        let res = post(&app, &format!("/admin{path}"), body, None).await;
        assert_eq!(res.status(), 401, "{path} without a session");
    }
    for (path, code) in [
        ("/list-users", "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS"),
        (&*format!("/get-user?id={admin_id}"), "YOU_ARE_NOT_ALLOWED_TO_GET_USER"),
    ] {
        let (status, answer) = admin_get(&app, path, &user_cookie).await;
        assert_eq!((status, answer["code"].as_str()), (403, Some(code)), "{path}");
    }
    let (status, _) = admin_get(&app, "/get-user", &user_cookie).await;
    assert_eq!(status, 403, "the caller is checked before the query");
    // Nothing happened: the admin is still an admin and not banned.
    let root = nextstack::services::user::find(&app.db, &admin_id).await.unwrap().unwrap();
    assert_eq!(root.role, Role::Admin);
    assert!(!root.banned);
    let (status, answer) =
        admin_post(&app, "/has-permission", json!({"permissions": {"user": ["ban"]}}), &user_cookie).await;
    assert_eq!((status, answer), (200, json!({"error": null, "success": false})));
}

#[tokio::test]
async fn users_are_listed_searched_filtered_sorted_and_paged() {
    let (app, cookie, _) = with_admin().await;
    for name in ["alice", "bob", "carol", "dave"] {
        let (status, _) = admin_post(
            &app,
            "/create-user",
            json!({"email": format!("{name}@shop.example"), "password": PASSWORD, "name": name}),
            &cookie,
        )
        .await;
        assert_eq!(status, 200);
    }
    let (status, page) = admin_get(&app, "/list-users?searchValue=SHOP.example&searchField=email&searchOperator=ends_with&sortBy=name&sortDirection=desc&limit=2&offset=1", &cookie).await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 4);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["offset"], 1);
    let names: Vec<&str> = page["users"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["carol", "bob"]);
    assert_eq!(page["users"][0]["role"], "user", "roles travel lowercase");
    assert_eq!(page["users"][0]["banned"], false);

    let (_, admins) =
        admin_get(&app, "/list-users?filterField=role&filterValue=admin&filterOperator=eq", &cookie).await;
    assert_eq!(admins["total"], 1);
    assert_eq!(admins["users"][0]["email"], "root@example.com");
    let (_, by_name) = admin_get(&app, "/list-users?searchValue=ar&searchField=name", &cookie).await;
    assert_eq!(by_name["total"], 1, "carol");
    let (status, bad) = admin_get(&app, "/list-users?sortBy=password", &cookie).await;
    assert_eq!((status, bad["code"].as_str()), (400, Some("VALIDATION_ERROR")));
    let (status, _) = admin_get(&app, "/list-users?filterField=banned&filterValue=maybe", &cookie).await;
    assert_eq!(status, 400);
    let (status, _) = admin_get(&app, "/list-users?limit=-1", &cookie).await;
    assert_eq!(status, 400);
    let (_, unlimited) = admin_get(&app, "/list-users?limit=0", &cookie).await;
    assert_eq!(unlimited["users"].as_array().unwrap().len(), 5, "0 is no limit, as BetterAuth reads it");
}

#[tokio::test]
async fn users_are_created_read_updated_given_roles_and_removed() {
    let (app, cookie, admin_id) = with_admin().await;
    let (status, created) = admin_post(
        &app,
        "/create-user",
        json!({"email": "New@Example.com", "password": PASSWORD, "name": "New", "role": "admin", "data": {"emailVerified": true}}),
        &cookie,
    )
    .await;
    assert_eq!(status, 200);
    let id = created["user"]["id"].as_str().unwrap().to_string();
    assert_eq!(created["user"]["email"], "new@example.com");
    assert_eq!(created["user"]["role"], "admin");
    assert_eq!(created["user"]["emailVerified"], true, "data sets the schema's other fields");
    let (status, _) = admin_post(&app, "/set-role", json!({"userId": admin_id, "role": "user"}), &cookie).await;
    assert_eq!(status, 400, "an admin cannot change their own role (and lock everyone out)");
    assert_eq!(sign_in_status(&app, "new@example.com", PASSWORD).await.0, 200, "the password works");
    let (status, dup) = admin_post(
        &app,
        "/create-user",
        json!({"email": "new@example.com", "password": PASSWORD, "name": "N"}),
        &cookie,
    )
    .await;
    assert_eq!((status, dup["code"].as_str()), (400, Some("USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")));
    let (status, _) =
        admin_post(&app, "/create-user", json!({"email": "bad", "password": PASSWORD, "name": "N"}), &cookie).await;
    assert_eq!(status, 400);

    let (status, got) = admin_get(&app, &format!("/get-user?id={id}"), &cookie).await;
    assert_eq!((status, got["email"].as_str()), (200, Some("new@example.com")), "the user object itself");
    let (status, missing) = admin_get(&app, "/get-user?id=nope", &cookie).await;
    assert_eq!((status, missing["code"].as_str()), (404, Some("USER_NOT_FOUND")));

    let (status, updated) = admin_post(
        &app,
        "/update-user",
        json!({"userId": id, "data": {"name": "Renamed", "emailVerified": true}}),
        &cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!((updated["name"].as_str(), updated["emailVerified"].as_bool()), (Some("Renamed"), Some(true)));
    let (status, empty) = admin_post(&app, "/update-user", json!({"userId": id, "data": {}}), &cookie).await;
    assert_eq!((status, empty["code"].as_str()), (400, Some("NO_DATA_TO_UPDATE")));
    let (status, _) = admin_post(&app, "/update-user", json!({"userId": id, "data": {"points": 5}}), &cookie).await;
    assert_eq!(status, 400, "fields outside the plugin's user are refused");

    let (status, demoted) = admin_post(&app, "/set-role", json!({"userId": id, "role": ["user"]}), &cookie).await;
    assert_eq!((status, demoted["user"]["role"].as_str()), (200, Some("user")));
    let (status, bad) = admin_post(&app, "/set-role", json!({"userId": id, "role": "owner"}), &cookie).await;
    assert_eq!((status, bad["code"].as_str()), (400, Some("YOU_ARE_NOT_ALLOWED_TO_SET_A_NONEXISTENT_ROLE_VALUE")));

    let (status, pw) =
        admin_post(&app, "/set-user-password", json!({"userId": id, "newPassword": "another long password"}), &cookie)
            .await;
    assert_eq!((status, pw), (200, json!({"status": true})));
    assert_eq!(sign_in_status(&app, "new@example.com", "another long password").await.0, 200);
    let (status, _) =
        admin_post(&app, "/set-user-password", json!({"userId": id, "newPassword": "short"}), &cookie).await;
    assert_eq!(status, 400);

    let (status, me) = admin_post(&app, "/remove-user", json!({"userId": admin_id}), &cookie).await;
    assert_eq!((status, me["code"].as_str()), (400, Some("YOU_CANNOT_REMOVE_YOURSELF")));
    let (status, removed) = admin_post(&app, "/remove-user", json!({"userId": id}), &cookie).await;
    assert_eq!((status, removed), (200, json!({"success": true})));
    assert!(nextstack::services::user::find(&app.db, &id).await.unwrap().is_none());
    let (status, _) = admin_post(&app, "/remove-user", json!({"userId": id}), &cookie).await;
    assert_eq!(status, 404);
    let (status, granted) = admin_post(
        &app,
        "/has-permission",
        json!({"permissions": {"user": ["ban", "list"], "session": ["revoke"]}}),
        &cookie,
    )
    .await;
    assert_eq!((status, granted["success"].as_bool()), (200, Some(true)));
}

#[tokio::test]
async fn a_ban_ends_sessions_at_once_refuses_sign_in_and_lifts() {
    let (app, cookie, admin_id) = with_admin().await;
    let (user_cookie, token, body) = sign_up(&app, "ann@example.com").await;
    let id = body["user"]["id"].as_str().unwrap().to_string();
    // The session is cached by a tRPC call first: the ban must end it anyway.
    let get_me =
        || app.client.get(app.url("/trpc/main.auth.getMe")).header("authorization", format!("Bearer {token}")).send();
    assert_eq!(get_me().await.unwrap().status(), 200);

    let (status, me) = admin_post(&app, "/ban-user", json!({"userId": admin_id}), &cookie).await;
    assert_eq!((status, me["code"].as_str()), (400, Some("YOU_CANNOT_BAN_YOURSELF")));
    let (status, banned) = admin_post(&app, "/ban-user", json!({"userId": id, "banReason": "spam"}), &cookie).await;
    assert_eq!(status, 200);
    assert_eq!((banned["user"]["banned"].as_bool(), banned["user"]["banReason"].as_str()), (Some(true), Some("spam")));
    assert!(banned["user"]["banExpires"].is_null());

    assert_eq!(get_session(&app, ("cookie", &user_cookie)).await, Value::Null, "the session ended");
    assert_eq!(get_me().await.unwrap().status(), 401, "the cached session ended too");
    let (status, refused) = sign_in_status(&app, "ann@example.com", PASSWORD).await;
    assert_eq!((status, refused["code"].as_str()), (403, Some("BANNED_USER")));
    let (status, _) = admin_post(&app, "/impersonate-user", json!({"userId": id}), &cookie).await;
    assert_eq!(status, 403, "a banned user cannot be impersonated either");

    let (status, lifted) = admin_post(&app, "/unban-user", json!({"userId": id}), &cookie).await;
    assert_eq!((status, lifted["user"]["banned"].as_bool()), (200, Some(false)));
    assert_eq!(sign_in_status(&app, "ann@example.com", PASSWORD).await.0, 200);

    // A ban that expires lifts itself at the next sign-in.
    let (status, timed) = admin_post(&app, "/ban-user", json!({"userId": id, "banExpiresIn": 1}), &cookie).await;
    assert_eq!(status, 200);
    assert!(timed["user"]["banExpires"].is_string());
    assert_eq!(sign_in_status(&app, "ann@example.com", PASSWORD).await.0, 403);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(sign_in_status(&app, "ann@example.com", PASSWORD).await.0, 200, "the ban expired");
    let user = nextstack::services::user::find(&app.db, &id).await.unwrap().unwrap();
    assert!(!user.banned && user.ban_reason.is_none() && user.ban_expires.is_none());
    let (status, _) = admin_post(&app, "/ban-user", json!({"userId": id, "banExpiresIn": -5}), &cookie).await;
    assert_eq!(status, 400);
    let (status, _) = admin_post(&app, "/ban-user", json!({"userId": "nope"}), &cookie).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn sessions_are_listed_and_revoked_for_a_user() {
    let (app, cookie, _) = with_admin().await;
    let (first, token, body) = sign_up(&app, "ann@example.com").await;
    let id = body["user"]["id"].as_str().unwrap().to_string();
    let (_, _) = sign_in_status(&app, "ann@example.com", PASSWORD).await;
    let (status, list) = admin_post(&app, "/list-user-sessions", json!({"userId": id}), &cookie).await;
    assert_eq!(status, 200);
    assert_eq!(list["sessions"].as_array().unwrap().len(), 2);
    let (status, done) = admin_post(&app, "/revoke-user-session", json!({"sessionToken": token}), &cookie).await;
    assert_eq!((status, done), (200, json!({"success": true})));
    assert_eq!(get_session(&app, ("cookie", &first)).await, Value::Null);
    let (status, _) = admin_post(&app, "/revoke-user-sessions", json!({"userId": id}), &cookie).await;
    assert_eq!(status, 200);
    let (_, list) = admin_post(&app, "/list-user-sessions", json!({"userId": id}), &cookie).await;
    assert_eq!(list["sessions"], json!([]));
}

#[tokio::test]
async fn impersonation_is_marked_limited_and_stops() {
    let (app, cookie, admin_id) = with_admin().await;
    let (_, _, body) = sign_up(&app, "ann@example.com").await;
    let ann = body["user"]["id"].as_str().unwrap().to_string();
    let other_admin = app.create_user("second@example.com", Role::Admin).await;

    let res = post(&app, "/admin/impersonate-user", json!({"userId": ann}), Some(&cookie)).await;
    assert_eq!(res.status(), 200);
    let as_ann = session_cookie(res.headers()).expect("an impersonation session cookie");
    let admin_saved = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("better-auth.admin_session="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .expect("the admin's own session kept");
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["session"]["impersonatedBy"], admin_id.as_str());
    assert_eq!(answer["user"]["id"], ann.as_str());
    let current = get_session(&app, ("cookie", &as_ann)).await;
    assert_eq!(current["user"]["id"], ann.as_str());
    let expires = chrono::DateTime::parse_from_rfc3339(current["session"]["expiresAt"].as_str().unwrap()).unwrap();
    let left = expires.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(left <= chrono::Duration::hours(1) && left > chrono::Duration::minutes(58), "an hour: {left}");

    // The user does not see the admin's session among their own.
    let (_, ann_cookie, _) = {
        let res = post(&app, "/sign-in/email", json!({"email": "ann@example.com", "password": PASSWORD}), None).await;
        ((), session_cookie(res.headers()).unwrap(), ())
    };
    let listed: Value = app
        .client
        .get(app.url("/api/auth/list-sessions"))
        .header("cookie", &ann_cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed.as_array().unwrap().iter().all(|s| s["token"] != current["session"]["token"]));

    // No impersonating from an impersonation session, and no impersonating admins.
    let both = format!("{as_ann}; {admin_saved}");
    let (status, _) = admin_post(&app, "/impersonate-user", json!({"userId": ann}), &both).await;
    assert_eq!(status, 403);
    let (status, refused) = admin_post(&app, "/impersonate-user", json!({"userId": other_admin}), &cookie).await;
    assert_eq!((status, refused["code"].as_str()), (403, Some("YOU_CANNOT_IMPERSONATE_ADMINS")));

    let res = post(&app, "/admin/stop-impersonating", json!({}), Some(&both)).await;
    assert_eq!(res.status(), 200);
    let back = session_cookie(res.headers()).expect("the admin's session cookie again");
    assert_eq!(get_session(&app, ("cookie", &back)).await["user"]["id"], admin_id.as_str());
    assert_eq!(get_session(&app, ("cookie", &as_ann)).await, Value::Null, "the impersonation session ended");
    let (status, not) = admin_post(&app, "/stop-impersonating", json!({}), &cookie).await;
    assert_eq!((status, not["code"].as_str()), (400, Some("YOU_ARE_NOT_IMPERSONATING_ANYONE")));
}

/// `clients/better-auth/admin.mjs`: the real `better-auth/client` with
/// `adminClient()` lists, bans, unbans and impersonates against the server.
#[tokio::test]
async fn better_auth_admin_client_works_against_the_server() {
    let email = "node-admin@example.com";
    let app = TestApp::builder().env("ADMIN_EMAILS", email).spawn().await;
    let env = vec![("SERVER_URL", app.base_url.clone()), ("ADMIN_EMAIL", email.to_string())];
    crate::helpers::run_node_checks("better-auth", "better-auth", "admin.mjs", env, "5 passed, 0 failed").await;
}

/// `main.admin.overview`: the console's first page in one call, counted right.
#[tokio::test]
async fn the_overview_counts_everything_an_admin_needs() {
    use nextstack::services::post as posts;
    let app = TestApp::spawn().await;
    let admin = app.create_user("root@example.com", Role::Admin).await;
    let ann = app.create_user("ann@example.com", Role::User).await;
    for (title, status) in [("a", nextstack_entity::PostStatus::Published), ("b", nextstack_entity::PostStatus::Draft)]
    {
        posts::create(&app.db, &ann, title.into(), None, status).await.unwrap();
    }
    nextstack::services::admin::ban(&app.db, &ann, "spam", None).await.unwrap();
    let (status, body) = app.query("main.admin.overview", None, Some(&admin)).await;
    assert_eq!(status, 200, "{body}");
    let data = &body["result"]["data"];
    assert_eq!(data["users"], json!({"total": 2, "admins": 1, "banned": 1}));
    assert_eq!(data["posts"], json!({"total": 2, "DRAFT": 1, "PUBLISHED": 1, "ARCHIVED": 0}));
    assert_eq!(data["orders"], json!({"PENDING": 0, "CONFIRMED": 0, "COMPLETED": 0, "CANCELLED": 0}));
    assert_eq!(data["files"], json!({"count": 0, "bytes": 0}));
    assert_eq!(data["checks"]["database"], "ok");
    assert_eq!(data["version"], env!("CARGO_PKG_VERSION"));
}

/// `main.admin.orders`, `main.admin.files` and `main.admin.accounts`: what the
/// rest of the API answers only for the caller, every user's for an admin.
#[tokio::test]
async fn admins_see_every_order_file_and_account() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("root@example.com", Role::Admin).await;
    let seller = app.create_user("seller@example.com", Role::User).await;
    let buyer = app.create_user("buyer@example.com", Role::User).await;
    let (_, offering) = app
        .mutation(
            "core.offering.create",
            &json!({"title": "Lamp", "priceCents": 1500, "status": "ACTIVE"}),
            Some(&seller),
        )
        .await;
    let offering_id = offering["result"]["data"]["id"].as_str().unwrap().to_string();
    let (status, _) = app.mutation("main.order.place", &json!({"offeringId": offering_id}), Some(&buyer)).await;
    assert_eq!(status, 200);
    let upload = json!({"filename": "a.png", "mimeType": "image/png", "size": 10});
    for user in [&seller, &buyer] {
        let (status, _) = app.mutation("main.storage.requestUpload", &upload, Some(user)).await;
        assert_eq!(status, 200);
    }

    let (status, all) = app.query("main.admin.orders", None, Some(&admin)).await;
    assert_eq!(status, 200, "{all}");
    let items = &all["result"]["data"]["data"];
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(items[0]["buyerId"], buyer.as_str());
    assert_eq!(items[0]["offering"]["title"], "Lamp");
    let (_, none) = app.query("main.admin.orders", Some(&json!({"status": "COMPLETED"})), Some(&admin)).await;
    assert_eq!(none["result"]["data"]["data"], json!([]));

    let (_, every) = app.query("main.admin.files", None, Some(&admin)).await;
    assert_eq!(every["result"]["data"]["data"].as_array().unwrap().len(), 2, "both users' files");
    let (_, one) = app.query("main.admin.files", Some(&json!({"userId": buyer})), Some(&admin)).await;
    assert_eq!(one["result"]["data"]["data"][0]["userId"], buyer.as_str());
    assert_eq!(one["result"]["data"]["data"].as_array().unwrap().len(), 1);

    let (_, _, body) = crate::auth::sign_up(&app, "ann@example.com").await;
    let ann = body["user"]["id"].as_str().unwrap();
    let (status, accounts) = app.query("main.admin.accounts", Some(&json!({"userId": ann})), Some(&admin)).await;
    assert_eq!(status, 200);
    let list = accounts["result"]["data"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["providerId"], "credential");
    assert!(list[0].get("password").is_none() && list[0].get("accessToken").is_none(), "never secrets");
}

/// An admin's impersonations end when the admin is banned, and when the
/// impersonated user's role changes (no admin rights through someone else's session).
#[tokio::test]
async fn impersonations_end_with_the_admins_ban_or_the_users_promotion() {
    let (app, root, _) = with_admin().await;
    let second = {
        let (_, created) = admin_post(
            &app,
            "/create-user",
            json!({"email": "second@example.com", "password": PASSWORD, "name": "S", "role": "admin"}),
            &root,
        )
        .await;
        created["user"]["id"].as_str().unwrap().to_string()
    };
    let res = post(&app, "/sign-in/email", json!({"email": "second@example.com", "password": PASSWORD}), None).await;
    let second_cookie = session_cookie(res.headers()).unwrap();
    let (_, _, body) = sign_up(&app, "ann@example.com").await;
    let ann = body["user"]["id"].as_str().unwrap().to_string();

    let impersonate = |cookie: String| {
        let app = &app;
        let ann = ann.clone();
        async move {
            let res = post(app, "/admin/impersonate-user", json!({"userId": ann}), Some(&cookie)).await;
            assert_eq!(res.status(), 200);
            session_cookie(res.headers()).unwrap()
        }
    };
    let as_ann = impersonate(second_cookie.clone()).await;
    assert_eq!(get_session(&app, ("cookie", &as_ann)).await["session"]["impersonatedBy"], second.as_str());
    let (status, _) = admin_post(&app, "/ban-user", json!({"userId": second}), &root).await;
    assert_eq!(status, 200);
    assert_eq!(get_session(&app, ("cookie", &as_ann)).await, Value::Null, "the banned admin's impersonation ended");

    let as_ann = impersonate(root.clone()).await;
    let (status, _) = admin_post(&app, "/set-role", json!({"userId": ann, "role": "admin"}), &root).await;
    assert_eq!(status, 200);
    assert_eq!(get_session(&app, ("cookie", &as_ann)).await, Value::Null, "no admin rights through an impersonation");
    let (status, _) = admin_get(&app, "/list-users", &as_ann).await;
    assert_eq!(status, 401);
}
