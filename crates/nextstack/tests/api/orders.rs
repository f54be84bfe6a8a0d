//! Offerings and orders: the business rules, the state machine, points and
//! levels, and what happens under concurrency (on SQLite and PostgreSQL).

use futures::future::join_all;
use nextstack::wire::user::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, data, error_code};

async fn ok(app: &TestApp, path: &str, input: Value, user: &str) -> Value {
    let (status, body) = app.mutation(path, &input, Some(user)).await;
    assert_eq!(status, 200, "{path}: {body}");
    data(&body).clone()
}

async fn offering(app: &TestApp, seller: &str, price: i64, extra: Value) -> String {
    let mut input = json!({"title": "Lesson", "priceCents": price, "status": "ACTIVE"});
    input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    ok(app, "core.offering.create", input, seller).await["id"].as_str().unwrap().to_string()
}

async fn place(app: &TestApp, buyer: &str, offering: &str, quantity: i64) -> Value {
    ok(app, "main.order.place", json!({"offeringId": offering, "quantity": quantity}), buyer).await
}

async fn transition(app: &TestApp, who: &str, order: &str, to: &str) -> (u16, Value) {
    app.mutation("main.order.transition", &json!({"id": order, "to": to}), Some(who)).await
}

async fn user_row(app: &TestApp, id: &str) -> nextstack_entity::user::Model {
    use sea_orm::EntityTrait;
    nextstack_entity::user::Entity::find_by_id(id.to_string()).one(&app.db).await.unwrap().unwrap()
}

#[tokio::test]
async fn placing_copies_the_price_and_enforces_the_rules() {
    let app = TestApp::spawn().await;
    let seller = app.create_user("seller@example.com", Role::User).await;
    let buyer = app.create_user("buyer@example.com", Role::User).await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let id = offering(&app, &seller, 2599, json!({"currency": "EUR"})).await;
    let order = ok(&app, "main.order.place", json!({"offeringId": id, "quantity": 3, "note": "gift"}), &buyer).await;
    assert_eq!(order["status"], "PENDING");
    assert_eq!((order["unitPriceCents"].as_i64(), order["totalCents"].as_i64()), (Some(2599), Some(7797)));
    assert_eq!((order["currency"].as_str(), order["note"].as_str()), (Some("EUR"), Some("gift")));
    assert_eq!(place(&app, &buyer, &id, 1).await["quantity"], 1);
    // A later price change does not touch placed orders.
    ok(&app, "core.offering.update", json!({"id": id, "priceCents": 1}), &seller).await;
    let (_, body) = app.query("core.order.get", Some(&json!({"id": order["id"]})), Some(&buyer)).await;
    assert_eq!(data(&body)["unitPriceCents"], 2599);
    assert_eq!(data(&body)["offering"], json!({"id": id, "title": "Lesson", "sellerId": seller}));

    let (status, body) = app.mutation("main.order.place", &json!({"offeringId": id}), Some(&seller)).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"));
    assert_eq!(body["error"]["message"], "You cannot buy your own offering");
    let draft = ok(&app, "core.offering.create", json!({"title": "Soon", "priceCents": 5}), &seller).await;
    let (status, body) = app.mutation("main.order.place", &json!({"offeringId": draft["id"]}), Some(&buyer)).await;
    assert_eq!((status, error_code(&body)), (412, "PRECONDITION_FAILED"));
    let (status, _) =
        app.mutation("main.order.place", &json!({"offeringId": "cmissing00000000000000000"}), Some(&buyer)).await;
    assert_eq!(status, 404);
    for quantity in [0, 1001] {
        let (status, _) =
            app.mutation("main.order.place", &json!({"offeringId": id, "quantity": quantity}), Some(&buyer)).await;
        assert_eq!(status, 400, "quantity {quantity}");
    }

    // Level-gated offerings.
    let gated = offering(&app, &seller, 100, json!({"minLevelRank": 2})).await;
    let (status, body) = app.mutation("main.order.place", &json!({"offeringId": gated}), Some(&buyer)).await;
    assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"));
    assert_eq!(body["error"]["message"], "This offering needs level rank 2 or higher");
    ok(&app, "core.level.create", json!({"name": "Two", "rank": 2, "minPoints": 0}), &admin).await;
    // Completing any order moves the buyer to the highest level reached (here: rank 2 at 0 points).
    let cheap = offering(&app, &seller, 100, json!({})).await;
    let first = place(&app, &buyer, &cheap, 1).await;
    assert_eq!(transition(&app, &seller, first["id"].as_str().unwrap(), "CONFIRMED").await.0, 200);
    assert_eq!(transition(&app, &seller, first["id"].as_str().unwrap(), "COMPLETED").await.0, 200);
    assert_eq!(place(&app, &buyer, &gated, 1).await["status"], "PENDING");

    // An offering with orders cannot be deleted, only archived.
    let (status, body) = app.mutation("core.offering.delete", &json!({"id": id}), Some(&seller)).await;
    assert_eq!((status, error_code(&body)), (412, "PRECONDITION_FAILED"));
    assert_eq!(body["error"]["message"], "This offering has orders; archive it instead");
    let archived = ok(&app, "core.offering.update", json!({"id": id, "status": "ARCHIVED"}), &seller).await;
    assert_eq!(archived["status"], "ARCHIVED");
    let unsold = offering(&app, &seller, 1, json!({})).await;
    assert_eq!(app.mutation("core.offering.delete", &json!({"id": unsold}), Some(&seller)).await.0, 200);
}

#[tokio::test]
async fn offerings_outside_active_are_visible_to_their_seller_only() {
    let app = TestApp::spawn().await;
    let seller = app.create_user("seller@example.com", Role::User).await;
    let other = app.create_user("other@example.com", Role::User).await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    offering(&app, &seller, 500, json!({})).await;
    offering(&app, &seller, 1500, json!({})).await;
    let draft = ok(&app, "core.offering.create", json!({"title": "Draft", "priceCents": 9}), &seller).await;
    assert_eq!((draft["status"].as_str(), draft["currency"].as_str()), (Some("DRAFT"), Some("USD")));
    for (who, expected) in [(None, 404), (Some(&other), 404), (Some(&seller), 200), (Some(&admin), 200)] {
        let (status, body) =
            app.query("core.offering.get", Some(&json!({"id": draft["id"]})), who.map(String::as_str)).await;
        assert_eq!(status, expected, "{who:?}: {body}");
        if status == 200 {
            assert_eq!(data(&body)["seller"]["id"], seller.as_str());
        }
    }
    let total = |body: &Value| data(body)["pagination"]["total"].as_i64().unwrap();
    assert_eq!(total(&app.query("core.offering.list", None, None).await.1), 2);
    let mine = app.query("core.offering.list", Some(&json!({"limit": 2})), Some(&seller)).await.1;
    assert_eq!(total(&mine), 3);
    assert_eq!(data(&mine)["data"][0]["id"], draft["id"], "the newest (a draft) first, merged with ACTIVE ones");
    assert_eq!(data(&mine)["data"][1]["priceCents"], 1500);
    assert_eq!(data(&mine)["data"][0]["seller"]["id"], seller.as_str());
    assert_eq!(total(&app.query("core.offering.list", None, Some(&admin)).await.1), 3);
    let range = json!({"minPriceCents": 400, "maxPriceCents": 1000});
    assert_eq!(total(&app.query("core.offering.list", Some(&range), None).await.1), 1);
    let (status, _) =
        app.mutation("core.offering.create", &json!({"title": "x", "priceCents": 100_000_001}), Some(&seller)).await;
    assert_eq!(status, 400);
    let (status, _) = app
        .mutation("core.offering.create", &json!({"title": "x", "priceCents": 1, "currency": "usd"}), Some(&seller))
        .await;
    assert_eq!(status, 400);
    let (status, _) =
        app.mutation("core.offering.update", &json!({"id": draft["id"], "title": "mine"}), Some(&other)).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_state_machine_allows_only_its_moves() {
    let app = TestApp::spawn().await;
    let seller = app.create_user("seller@example.com", Role::User).await;
    let buyer = app.create_user("buyer@example.com", Role::User).await;
    let stranger = app.create_user("stranger@example.com", Role::User).await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let id = offering(&app, &seller, 12_345, json!({})).await;
    let order = place(&app, &buyer, &id, 2).await;
    let order_id = order["id"].as_str().unwrap();

    let (status, body) = transition(&app, &buyer, order_id, "CONFIRMED").await;
    assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"), "only the seller confirms");
    let (status, _) = transition(&app, &stranger, order_id, "CANCELLED").await;
    assert_eq!(status, 403);
    let (status, body) = transition(&app, &seller, order_id, "COMPLETED").await;
    assert_eq!((status, error_code(&body)), (412, "PRECONDITION_FAILED"));
    assert_eq!(body["error"]["message"], "An order cannot move from PENDING to COMPLETED");
    let (status, _) =
        app.mutation("main.order.transition", &json!({"id": order_id, "to": "PENDING"}), Some(&seller)).await;
    assert_eq!(status, 400, "PENDING is not a target");

    assert_eq!(data(&transition(&app, &seller, order_id, "CONFIRMED").await.1)["status"], "CONFIRMED");
    assert_eq!(transition(&app, &seller, order_id, "CONFIRMED").await.0, 412);
    let (status, body) = transition(&app, &seller, order_id, "COMPLETED").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(user_row(&app, &buyer).await.points, 246, "24 690 cents / 100");
    assert_eq!(transition(&app, &buyer, order_id, "CANCELLED").await.0, 412, "completed is final");

    let other = place(&app, &buyer, &id, 1).await;
    assert_eq!(
        data(&transition(&app, &buyer, other["id"].as_str().unwrap(), "CANCELLED").await.1)["status"],
        "CANCELLED"
    );
    let third = place(&app, &buyer, &id, 1).await;
    assert_eq!(
        transition(&app, &admin, third["id"].as_str().unwrap(), "CONFIRMED").await.0,
        200,
        "admins act for sellers"
    );

    // Visibility and lists.
    assert_eq!(app.query("core.order.get", Some(&json!({"id": order_id})), Some(&stranger)).await.0, 404);
    assert_eq!(app.query("core.order.get", Some(&json!({"id": order_id})), Some(&seller)).await.0, 200);
    let total = |body: &Value| data(body)["pagination"]["total"].as_i64().unwrap();
    assert_eq!(total(&app.query("core.order.list", None, Some(&buyer)).await.1), 3);
    assert_eq!(total(&app.query("core.order.list", Some(&json!({"role": "seller"})), Some(&seller)).await.1), 3);
    assert_eq!(total(&app.query("core.order.list", Some(&json!({"role": "seller"})), Some(&buyer)).await.1), 0);
    let completed = json!({"status": "COMPLETED"});
    assert_eq!(total(&app.query("core.order.list", Some(&completed), Some(&buyer)).await.1), 1);

    let (_, stats) = app.query("main.user.stats", Some(&json!({"userId": buyer})), Some(&buyer)).await;
    let orders = &data(&stats)["orders"];
    assert_eq!(orders["placed"], 3);
    assert_eq!(orders["completed"], 1);
    assert_eq!(orders["spentCents"], 24_690);
    assert_eq!(data(&stats)["points"], 246);
    let (_, stats) = app.query("main.user.stats", Some(&json!({"userId": seller})), Some(&buyer)).await;
    assert_eq!(
        (data(&stats)["orders"]["sold"].as_i64(), data(&stats)["orders"]["earnedCents"].as_i64()),
        (Some(3), Some(24_690))
    );
}

#[tokio::test]
async fn concurrent_transitions_of_one_order_succeed_once_per_move() {
    let app = TestApp::spawn().await;
    let seller = app.create_user("seller@example.com", Role::User).await;
    let buyer = app.create_user("buyer@example.com", Role::User).await;
    let id = offering(&app, &seller, 10_000, json!({})).await;
    let order = place(&app, &buyer, &id, 1).await;
    let order_id = order["id"].as_str().unwrap();
    for to in ["CONFIRMED", "COMPLETED"] {
        let results = join_all((0..50).map(|_| transition(&app, &seller, order_id, to))).await;
        let wins = results.iter().filter(|(status, _)| *status == 200).count();
        let refused =
            results.iter().filter(|(status, body)| *status == 412 && error_code(body) == "PRECONDITION_FAILED").count();
        assert_eq!((wins, refused), (1, 49), "{to}: {:?}", results.iter().map(|r| r.0).collect::<Vec<_>>());
    }
    assert_eq!(user_row(&app, &buyer).await.points, 100, "points credited exactly once");
}

#[tokio::test]
async fn concurrent_completions_never_lose_points() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let seller = app.create_user("seller@example.com", Role::User).await;
    for (name, rank, min) in [("Starter", 0, 0), ("Regular", 1, 500), ("Gold", 2, 1000), ("Platinum", 3, 5000)] {
        ok(&app, "core.level.create", json!({"name": name, "rank": rank, "minPoints": min}), &admin).await;
    }
    let id = offering(&app, &seller, 12_345, json!({})).await;
    let mut buyers = Vec::new();
    for b in 0..10 {
        buyers.push(app.create_user(&format!("buyer{b}@example.com"), Role::User).await);
    }
    let mut orders = Vec::new();
    for buyer in &buyers {
        for _ in 0..10 {
            let order = place(&app, buyer, &id, 1).await;
            let order_id = order["id"].as_str().unwrap().to_string();
            assert_eq!(transition(&app, &seller, &order_id, "CONFIRMED").await.0, 200);
            orders.push(order_id);
        }
    }
    let results = join_all(orders.iter().map(|o| transition(&app, &seller, o, "COMPLETED"))).await;
    assert!(results.iter().all(|(status, _)| *status == 200), "{:?}", results.iter().find(|r| r.0 != 200));
    for buyer in &buyers {
        let row = user_row(&app, buyer).await;
        assert_eq!(row.points, 10 * 123, "{buyer}");
        let (_, stats) = app.query("main.user.stats", Some(&json!({"userId": buyer})), Some(buyer)).await;
        assert_eq!(data(&stats)["level"]["name"], "Gold", "{stats}");
    }
}

#[tokio::test]
async fn concurrent_placements_are_all_kept_with_exact_totals() {
    let app = TestApp::spawn().await;
    let seller = app.create_user("seller@example.com", Role::User).await;
    let id = offering(&app, &seller, 999, json!({})).await;
    let mut buyers = Vec::new();
    for b in 0..10 {
        buyers.push(app.create_user(&format!("buyer{b}@example.com"), Role::User).await);
    }
    let calls = (0..200).map(|i| {
        let buyer = buyers[i % 10].clone();
        let quantity = (i % 7 + 1) as i64;
        let app = &app;
        let id = id.clone();
        async move {
            let input = json!({"offeringId": id, "quantity": quantity});
            (quantity, app.mutation("main.order.place", &input, Some(&buyer)).await)
        }
    });
    let results = join_all(calls).await;
    assert!(results.iter().all(|(_, (status, _))| *status == 200), "{:?}", results.iter().find(|r| r.1.0 != 200));
    let expected: i64 = results.iter().map(|(q, _)| q * 999).sum();
    let (_, stats) = app.query("main.user.stats", Some(&json!({"userId": seller})), Some(&seller)).await;
    assert_eq!(data(&stats)["orders"]["sold"], 200);
    let list =
        app.query("core.order.list", Some(&json!({"role": "seller", "limit": 100, "page": 2})), Some(&seller)).await;
    assert_eq!(data(&list.1)["pagination"]["total"], 200);
    use sea_orm::EntityTrait;
    let rows = nextstack_entity::order::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 200);
    assert_eq!(rows.iter().map(|o| o.total_cents).sum::<i64>(), expected);
}

#[tokio::test]
async fn a_seller_with_orders_cannot_be_deleted_and_keeps_everything() {
    let app = TestApp::spawn().await;
    let seller = app.create_user("seller@example.com", Role::User).await;
    let buyer = app.create_user("buyer@example.com", Role::User).await;
    let id = offering(&app, &seller, 100, json!({})).await;
    place(&app, &buyer, &id, 1).await;
    let (status, body) = app.mutation("core.user.delete", &json!({"id": seller}), Some(&seller)).await;
    assert_eq!((status, error_code(&body)), (412, "PRECONDITION_FAILED"));
    assert_eq!(body["error"]["message"], "This user's offerings have orders; they cannot be deleted with the account");
    assert_eq!(app.query("core.offering.get", Some(&json!({"id": id})), None).await.0, 200);
    // A buyer can leave: their orders go with them, the seller's offering stays.
    let (status, body) = app.mutation("core.user.delete", &json!({"id": buyer}), Some(&buyer)).await;
    assert_eq!(status, 200, "{body}");
    let (_, list) = app.query("core.order.list", Some(&json!({"role": "seller"})), Some(&seller)).await;
    assert_eq!(data(&list)["pagination"]["total"], 0);
}
