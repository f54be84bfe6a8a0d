//! Prisma Client generated from the shipped `prisma/schema/` (driver adapter,
//! no engine binary: `clients/prisma`) on a database `nextstack migrate`
//! created: it reads what the server wrote, and the server reads what it wrote.

use nextstack::wire::user::Role;
use serde_json::json;

use crate::helpers::{TestApp, data, run_node_checks};

#[tokio::test]
async fn prisma_client_and_the_server_share_a_database() {
    let app = TestApp::builder().on_postgres().spawn().await;
    let author = app.create_user("server-author@example.com", Role::User).await;
    let buyer = app.create_user("server-buyer@example.com", Role::User).await;
    let admin = app.create_user("server-admin@example.com", Role::Admin).await;
    let (_, post) = app
        .mutation("core.post.create", &json!({ "title": "Server post", "status": "PUBLISHED" }), Some(&author))
        .await;
    let post_id = data(&post)["id"].as_str().unwrap().to_string();
    let offering = json!({ "title": "Lesson", "priceCents": 1_250, "status": "ACTIVE" });
    let (_, offering) = app.mutation("core.offering.create", &offering, Some(&author)).await;
    let place = json!({ "offeringId": data(&offering)["id"], "quantity": 3 });
    let (status, order) = app.mutation("main.order.place", &place, Some(&buyer)).await;
    assert_eq!(status, 200, "{order}");

    let (url, schema) = app.database();
    let env = vec![
        ("DATABASE_URL", url.to_string()),
        ("DB_SCHEMA", schema.expect("a PostgreSQL schema").to_string()),
        ("SERVER_POST_ID", post_id),
        ("SERVER_ORDER_ID", data(&order)["id"].as_str().unwrap().to_string()),
        ("SERVER_ORDER_TOTAL", data(&order)["totalCents"].to_string()),
    ];
    run_node_checks("prisma", "@prisma/client", "run.mjs", env, "4 passed, 0 failed").await;

    // What Prisma wrote, through the server.
    let (status, found) =
        app.query("main.user.getByEmail", Some(&json!({ "email": "prisma-user@example.com" })), Some(&admin)).await;
    assert_eq!(status, 200, "{found}");
    let prisma_user = data(&found)["id"].as_str().unwrap().to_string();
    let (_, feed) = app.query("main.post.feed", Some(&json!({})), None).await;
    let titles: Vec<&str> =
        data(&feed)["items"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"A post Prisma wrote"), "{titles:?}");
    let (_, stats) = app.query("main.user.stats", Some(&json!({ "userId": prisma_user })), Some(&admin)).await;
    assert_eq!(data(&stats)["files"]["bytes"], 5_000_000_000u64, "{stats}");
}
