//! Levels, profiles, posts and the feed: rules, visibility and pagination.

use std::collections::HashSet;

use nextstack::wire::user::Role;
use nextstack_entity::user;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::helpers::{TestApp, data, error_code};

async fn ok_mutation(app: &TestApp, path: &str, input: Value, user: &str) -> Value {
    let (status, body) = app.mutation(path, &input, Some(user)).await;
    assert_eq!(status, 200, "{path}: {body}");
    data(&body).clone()
}

#[tokio::test]
async fn levels_are_unique_by_name_and_rank_and_listed_by_rank() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let gold =
        ok_mutation(&app, "core.level.create", json!({"name": "Gold", "rank": 3, "minPoints": 1000}), &admin).await;
    ok_mutation(&app, "core.level.create", json!({"name": "Bronze", "rank": 1, "minPoints": 0}), &admin).await;
    ok_mutation(
        &app,
        "core.level.create",
        json!({"name": "Silver", "rank": 2, "minPoints": 100, "description": "mid"}),
        &admin,
    )
    .await;
    assert_eq!(gold["minPoints"], 1000);
    assert_eq!(gold["description"], Value::Null);

    let (status, body) =
        app.mutation("core.level.create", &json!({"name": "Gold", "rank": 9, "minPoints": 0}), Some(&admin)).await;
    assert_eq!((status, error_code(&body)), (409, "CONFLICT"));
    assert_eq!(body["error"]["message"], "A level with this name already exists");
    let (status, body) =
        app.mutation("core.level.create", &json!({"name": "Other", "rank": 3, "minPoints": 0}), Some(&admin)).await;
    assert_eq!((status, error_code(&body)), (409, "CONFLICT"));
    assert_eq!(body["error"]["message"], "A level with this rank already exists");
    let (status, body) =
        app.mutation("core.level.create", &json!({"name": "", "rank": -1, "minPoints": 0}), Some(&admin)).await;
    assert_eq!(status, 400);
    let fields = &body["error"]["data"]["zodError"]["fieldErrors"];
    assert!(fields["name"].is_array() && fields["rank"].is_array(), "{body}");

    let (status, body) = app.query("core.level.list", None, None).await;
    assert_eq!(status, 200);
    let names: Vec<&str> =
        data(&body)["data"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Bronze", "Silver", "Gold"]);
    assert_eq!(data(&body)["pagination"], json!({"page": 1, "limit": 20, "total": 3, "totalPages": 1}));

    let changed = ok_mutation(
        &app,
        "core.level.update",
        json!({"id": gold["id"], "description": "top", "minPoints": 900}),
        &admin,
    )
    .await;
    assert_eq!((changed["description"].as_str(), changed["minPoints"].as_i64()), (Some("top"), Some(900)));
    let cleared = ok_mutation(&app, "core.level.update", json!({"id": gold["id"], "description": null}), &admin).await;
    assert_eq!(cleared["description"], Value::Null);
    let (status, _) =
        app.mutation("core.level.update", &json!({"id": "cmissing00000000000000000", "rank": 7}), Some(&admin)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn deleting_a_level_moves_its_users_one_level_down() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let member = app.create_user("member@example.com", Role::User).await;
    let low = ok_mutation(&app, "core.level.create", json!({"name": "Low", "rank": 1, "minPoints": 0}), &admin).await;
    let high =
        ok_mutation(&app, "core.level.create", json!({"name": "High", "rank": 5, "minPoints": 50}), &admin).await;
    let level_of = |app: &TestApp, id: String| {
        let db = app.db.clone();
        async move { user::Entity::find_by_id(id).one(&db).await.unwrap().unwrap().level_id }
    };
    let mut row: user::ActiveModel =
        user::Entity::find_by_id(member.clone()).one(&app.db).await.unwrap().unwrap().into();
    row.level_id = Set(Some(high["id"].as_str().unwrap().to_string()));
    row.update(&app.db).await.unwrap();

    let deleted = ok_mutation(&app, "core.level.delete", json!({"id": high["id"]}), &admin).await;
    assert_eq!(deleted["name"], "High");
    assert_eq!(level_of(&app, member.clone()).await.as_deref(), low["id"].as_str());
    ok_mutation(&app, "core.level.delete", json!({"id": low["id"]}), &admin).await;
    assert_eq!(level_of(&app, member.clone()).await, None);
}

#[tokio::test]
async fn profiles_have_unique_handles_and_private_ones_are_hidden() {
    let app = TestApp::spawn().await;
    let owner = app.create_user("owner@example.com", Role::User).await;
    let other = app.create_user("other@example.com", Role::User).await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let public =
        ok_mutation(&app, "core.profile.create", json!({"handle": "open_book", "displayName": "Open"}), &owner).await;
    assert_eq!((public["isPublic"].as_bool(), public["userId"].as_str()), (Some(true), Some(owner.as_str())));
    let private = ok_mutation(
        &app,
        "core.profile.create",
        json!({"handle": "secret", "displayName": "S", "isPublic": false, "website": "https://example.com", "bio": "hi"}),
        &owner,
    )
    .await;

    let (status, body) =
        app.mutation("core.profile.create", &json!({"handle": "secret", "displayName": "X"}), Some(&other)).await;
    assert_eq!((status, error_code(&body)), (409, "CONFLICT"));
    assert_eq!(body["error"]["message"], "This handle is already taken");
    for bad in ["ab", "Upper", "with-dash", &"x".repeat(31)] {
        let (status, body) =
            app.mutation("core.profile.create", &json!({"handle": bad, "displayName": "X"}), Some(&other)).await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"]["data"]["zodError"]["fieldErrors"]["handle"].is_array(), "{body}");
    }
    let (status, _) = app
        .mutation(
            "core.profile.create",
            &json!({"handle": "okay", "displayName": "X", "website": "not a url"}),
            Some(&other),
        )
        .await;
    assert_eq!(status, 400);

    for (who, expected) in [(None, 404), (Some(&other), 404), (Some(&owner), 200), (Some(&admin), 200)] {
        let by_id = app.query("core.profile.get", Some(&json!({"id": private["id"]})), who.map(String::as_str)).await;
        assert_eq!(by_id.0, expected, "{who:?}: {}", by_id.1);
        let by_handle =
            app.query("core.profile.get", Some(&json!({"handle": "secret"})), who.map(String::as_str)).await;
        assert_eq!(by_handle.0, expected);
    }
    assert_eq!(app.query("core.profile.get", Some(&json!({"handle": "open_book"})), None).await.0, 200);
    assert_eq!(app.query("core.profile.get", Some(&json!({})), None).await.0, 400);

    let total = |body: &Value| data(body)["pagination"]["total"].as_i64().unwrap();
    assert_eq!(total(&app.query("core.profile.list", None, None).await.1), 1);
    assert_eq!(total(&app.query("core.profile.list", None, Some(&other)).await.1), 1);
    assert_eq!(total(&app.query("core.profile.list", None, Some(&owner)).await.1), 2);
    assert_eq!(total(&app.query("core.profile.list", None, Some(&admin)).await.1), 2);
    let mine = app.query("core.profile.list", Some(&json!({"userId": other})), None).await.1;
    assert_eq!(total(&mine), 0);

    let updated =
        ok_mutation(&app, "core.profile.update", json!({"id": private["id"], "bio": null, "isPublic": true}), &owner)
            .await;
    assert_eq!((updated["bio"].clone(), updated["isPublic"].as_bool()), (Value::Null, Some(true)));
    assert_eq!(updated["website"], "https://example.com");
    let (status, _) =
        app.mutation("core.profile.update", &json!({"id": private["id"], "bio": "x"}), Some(&other)).await;
    assert_eq!(status, 403);
    let (status, body) =
        app.mutation("core.profile.update", &json!({"id": private["id"], "handle": "open_book"}), Some(&owner)).await;
    assert_eq!((status, error_code(&body)), (409, "CONFLICT"));
    ok_mutation(&app, "core.profile.delete", json!({"id": private["id"]}), &owner).await;
    assert_eq!(app.query("core.profile.get", Some(&json!({"id": private["id"]})), Some(&owner)).await.0, 404);
}

#[tokio::test]
async fn posts_publish_once_and_drafts_stay_private() {
    let app = TestApp::spawn().await;
    let author = app.create_user("author@example.com", Role::User).await;
    let other = app.create_user("other@example.com", Role::User).await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let draft = ok_mutation(&app, "core.post.create", json!({"title": "Draft", "content": "wip"}), &author).await;
    assert_eq!((draft["status"].as_str(), draft["publishedAt"].clone()), (Some("DRAFT"), Value::Null));
    let live = ok_mutation(&app, "core.post.create", json!({"title": "Live", "status": "PUBLISHED"}), &author).await;
    assert!(live["publishedAt"].is_string());
    let (status, _) =
        app.mutation("core.post.create", &json!({"title": "x", "status": "ARCHIVED"}), Some(&author)).await;
    assert_eq!(status, 400, "posts are created as DRAFT or PUBLISHED");
    let (status, _) = app.mutation("core.post.create", &json!({"title": ""}), Some(&author)).await;
    assert_eq!(status, 400);

    for (who, expected) in [(None, 404), (Some(&other), 404), (Some(&author), 200), (Some(&admin), 200)] {
        let (status, body) =
            app.query("core.post.get", Some(&json!({"id": draft["id"]})), who.map(String::as_str)).await;
        assert_eq!(status, expected, "{who:?}: {body}");
        if status == 200 {
            assert_eq!(data(&body)["author"], json!({"id": author, "name": "User author@example.com", "image": null}));
        }
    }

    let published =
        ok_mutation(&app, "core.post.update", json!({"id": draft["id"], "status": "PUBLISHED"}), &author).await;
    let first = published["publishedAt"].as_str().unwrap().to_string();
    ok_mutation(&app, "core.post.update", json!({"id": draft["id"], "status": "ARCHIVED"}), &author).await;
    let again = ok_mutation(
        &app,
        "core.post.update",
        json!({"id": draft["id"], "status": "PUBLISHED", "content": null}),
        &author,
    )
    .await;
    assert_eq!(again["publishedAt"].as_str(), Some(first.as_str()), "publishedAt is set on the first publish only");
    assert_eq!(again["content"], Value::Null);
    let (status, _) =
        app.mutation("core.post.update", &json!({"id": live["id"], "title": "Mine now"}), Some(&other)).await;
    assert_eq!(status, 403);
    ok_mutation(&app, "core.post.update", json!({"id": live["id"], "title": "By admin"}), &admin).await;
}

#[tokio::test]
async fn post_lists_show_published_posts_plus_ones_own() {
    let app = TestApp::spawn().await;
    let author = app.create_user("author@example.com", Role::User).await;
    let other = app.create_user("other@example.com", Role::User).await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    for i in 0..25 {
        ok_mutation(&app, "core.post.create", json!({"title": format!("P{i}"), "status": "PUBLISHED"}), &author).await;
    }
    ok_mutation(&app, "core.post.create", json!({"title": "A draft"}), &author).await;
    ok_mutation(&app, "core.post.create", json!({"title": "Other draft"}), &other).await;

    let page = |input: Value, who: Option<String>| {
        let app = &app;
        async move { app.query("core.post.list", Some(&input), who.as_deref()).await.1 }
    };
    let body = page(json!({"limit": 10, "page": 3}), None).await;
    assert_eq!(data(&body)["pagination"], json!({"page": 3, "limit": 10, "total": 25, "totalPages": 3}));
    let titles: Vec<&str> =
        data(&body)["data"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["P4", "P3", "P2", "P1", "P0"], "newest first");
    assert_eq!(data(&body)["data"][0]["author"]["id"], author.as_str());
    let total = |body: &Value| data(body)["pagination"]["total"].as_i64().unwrap();
    assert_eq!(total(&page(json!({}), Some(author.clone())).await), 26);
    // The author's draft (newest) merges into the published posts in order, across pages.
    let mine = page(json!({"limit": 10}), Some(author.clone())).await;
    assert_eq!(data(&mine)["data"][0]["title"], "A draft");
    assert_eq!(data(&mine)["data"][1]["title"], "P24");
    let mine = page(json!({"limit": 10, "page": 3}), Some(author.clone())).await;
    let titles: Vec<&str> =
        data(&mine)["data"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["P5", "P4", "P3", "P2", "P1", "P0"]);
    assert_eq!(total(&page(json!({}), Some(other.clone())).await), 26);
    assert_eq!(total(&page(json!({}), Some(admin.clone())).await), 27);
    assert_eq!(total(&page(json!({"status": "DRAFT"}), Some(other.clone())).await), 1, "only their own draft");
    assert_eq!(total(&page(json!({"status": "DRAFT"}), None).await), 0);
    assert_eq!(total(&page(json!({"status": "DRAFT"}), Some(admin.clone())).await), 2);
    assert_eq!(total(&page(json!({"authorId": other}), None).await), 0);
    assert_eq!(total(&page(json!({"page": 9}), None).await), 25);
    assert_eq!(data(&page(json!({"page": 9}), None).await)["data"], json!([]));
    assert_eq!(data(&page(json!({}), None).await)["pagination"]["totalPages"], 2);
}

#[tokio::test]
async fn the_feed_pages_by_cursor_without_repeats_or_gaps() {
    let app = TestApp::spawn().await;
    let author = app.create_user("author@example.com", Role::User).await;
    let mut created = Vec::new();
    for i in 0..23 {
        let post =
            ok_mutation(&app, "core.post.create", json!({"title": format!("P{i}"), "status": "PUBLISHED"}), &author)
                .await;
        created.push(post["id"].as_str().unwrap().to_string());
        if i % 5 == 0 {
            ok_mutation(&app, "core.post.create", json!({"title": "draft"}), &author).await;
        }
    }
    let feed = |cursor: Option<String>| {
        let app = &app;
        async move {
            let input = json!({"limit": 10, "cursor": cursor});
            let (status, body) = app.query("main.post.feed", Some(&input), None).await;
            assert_eq!(status, 200, "{body}");
            data(&body).clone()
        }
    };
    let first = feed(None).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 10);
    // New posts arrive between pages: they are newer than the cursor, so later pages are unaffected.
    for i in 0..3 {
        ok_mutation(&app, "core.post.create", json!({"title": format!("late{i}"), "status": "PUBLISHED"}), &author)
            .await;
    }
    let mut seen: Vec<String> = Vec::new();
    let mut page = first;
    loop {
        for item in page["items"].as_array().unwrap() {
            assert_eq!(item["status"], "PUBLISHED");
            assert!(item["author"]["id"].is_string());
            seen.push(item["id"].as_str().unwrap().to_string());
        }
        match page["nextCursor"].as_str() {
            Some(cursor) => page = feed(Some(cursor.to_string())).await,
            None => break,
        }
    }
    let mut expected = created.clone();
    expected.reverse();
    assert_eq!(seen, expected, "every published post exactly once, newest first");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 23);

    let (status, body) = app.query("main.post.feed", Some(&json!({"cursor": "cmissing00000000000000000"})), None).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"));
    assert_eq!(app.query("main.post.feed", Some(&json!({"limit": 51})), None).await.0, 400);
    let (_, body) = app.query("main.post.feed", None, None).await;
    assert_eq!(data(&body)["items"].as_array().unwrap().len(), 20);
}
