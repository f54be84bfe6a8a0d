//! Database round trips per procedure (issue 14.3), counted on the wire by a
//! proxy in front of PostgreSQL (`helpers::RoundTripCounter`): each call runs
//! a few times and the fewest round trips count (the first use of a statement
//! on a pooled connection prepares it, which costs one more). A procedure that
//! gains a round trip fails here; `cargo test … round_trips -- --nocapture`
//! prints the table bench/README.md shows.

use nextstack::services::file as files;
use nextstack::services::offering as offerings;
use nextstack::services::order::{self as orders, NewOrder};
use nextstack::services::post as posts;
use nextstack::services::profile as profiles;
use nextstack::wire::user::Role;
use nextstack_entity::{OfferingStatus, PostStatus};
use serde_json::{Value, json};

use crate::helpers::{RoundTripCounter, TestApp, send_json};

/// What a counted call is: query or mutation, its input for the i-th run, and as whom.
enum Call {
    Query(fn(&Fixture, usize) -> Value),
    Mutation(fn(&Fixture, usize) -> Value),
}

/// Rows the calls point at (several of each where a call consumes one).
struct Fixture {
    user: String,
    admin: String,
    post: String,
    profile: String,
    offering: String,
    order: String,
    files: Vec<String>,
    pending_orders: Vec<String>,
    posts_to_delete: Vec<String>,
}

/// `(procedure, call, as admin, most round trips)`.
const CALLS: &[(&str, Call, bool, u64)] = &[
    ("_meta.health", Call::Query(|_, _| Value::Null), false, 0),
    ("core.user.get", Call::Query(|f, _| json!({"id": f.user})), false, 1),
    ("core.user.list", Call::Query(|_, _| json!({"limit": 20})), false, 1),
    ("core.user.update", Call::Mutation(|f, i| json!({"id": f.user, "name": format!("Name {i}")})), false, 2),
    ("main.auth.getMe", Call::Query(|_, _| Value::Null), false, 1),
    ("main.auth.getSession", Call::Query(|_, _| Value::Null), false, 1),
    ("main.user.stats", Call::Query(|f, _| json!({"userId": f.user})), false, 2),
    ("core.level.list", Call::Query(|_, _| json!({})), false, 1),
    ("core.profile.get", Call::Query(|f, _| json!({"id": f.profile})), false, 1),
    ("core.profile.list", Call::Query(|_, _| json!({})), false, 1),
    ("core.post.get", Call::Query(|f, _| json!({"id": f.post})), false, 1),
    ("core.post.list", Call::Query(|_, _| json!({"limit": 20})), false, 1),
    ("core.post.create", Call::Mutation(|_, i| json!({"title": format!("Post {i}")})), false, 1),
    ("core.post.update", Call::Mutation(|f, i| json!({"id": f.post, "title": format!("T{i}")})), false, 2),
    ("core.post.delete", Call::Mutation(|f, i| json!({"id": f.posts_to_delete[i]})), false, 2),
    ("main.post.feed", Call::Query(|_, _| json!({"limit": 20})), false, 1),
    ("core.offering.get", Call::Query(|f, _| json!({"id": f.offering})), false, 1),
    ("core.offering.list", Call::Query(|_, _| json!({})), false, 1),
    ("core.order.get", Call::Query(|f, _| json!({"id": f.order})), false, 1),
    ("core.order.list", Call::Query(|_, _| json!({})), false, 1),
    ("main.order.place", Call::Mutation(|f, _| json!({"offeringId": f.offering})), true, 4),
    ("main.order.transition", Call::Mutation(|f, i| json!({"id": f.pending_orders[i], "to": "CONFIRMED"})), false, 5),
    ("core.file.list", Call::Query(|_, _| json!({})), false, 1),
    ("core.file.get", Call::Query(|f, _| json!({"fileId": f.files[0]})), false, 1),
    ("main.storage.getDownloadUrl", Call::Query(|f, _| json!({"fileId": f.files[0]})), false, 1),
    (
        "main.storage.requestUpload",
        Call::Mutation(|_, i| json!({"filename": format!("f{i}.png"), "mimeType": "image/png", "size": 10})),
        false,
        5,
    ),
];

const RUNS: usize = 4;

#[tokio::test]
async fn each_procedure_takes_its_fewest_round_trips() {
    let counter = RoundTripCounter::start("127.0.0.1:5432".parse().unwrap()).await;
    let app = TestApp::builder().on_postgres_port(counter.port).spawn().await;
    let fixture = fixture(&app).await;

    let mut table = Vec::new();
    for (path, call, as_admin, most) in CALLS {
        let caller = if *as_admin { &fixture.admin } else { &fixture.user };
        let (mut fewest, mut pings) = (u64::MAX, u64::MAX);
        for run in 0..RUNS {
            let (before, pings_before) = (counter.statements(), counter.pings());
            let req = match call {
                Call::Query(input) => {
                    let input = input(&fixture, run);
                    app.query_request(path, (!input.is_null()).then_some(&input))
                }
                Call::Mutation(input) => app.mutation_request(path, &input(&fixture, run)),
            };
            let (status, body) = send_json(app.act_as(req, Some(caller))).await;
            assert_eq!(status, 200, "{path}: {body}");
            fewest = fewest.min(counter.statements() - before);
            // sqlx pings from a background task: let them land before reading.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            pings = pings.min(counter.pings() - pings_before);
        }
        table.push((*path, fewest, pings, *most));
    }
    println!("| procedure | round trips | + sqlx release pings |\n| --- | ---: | ---: |");
    for (path, fewest, pings, _) in &table {
        println!("| `{path}` | {fewest} | {pings} |");
    }
    for (path, fewest, _, most) in table {
        assert!(fewest <= most, "{path} takes {fewest} round trips, more than its {most}");
    }
}

async fn fixture(app: &TestApp) -> Fixture {
    let user = app.create_user("counted@example.com", Role::User).await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let post = posts::create(&app.db, &user, "Counted".into(), None, PostStatus::Published).await.unwrap().id;
    let mut posts_to_delete = Vec::new();
    for i in 0..RUNS {
        posts_to_delete
            .push(posts::create(&app.db, &user, format!("Doomed {i}"), None, PostStatus::Draft).await.unwrap().id);
    }
    let fields = profiles::ProfileFields {
        handle: Some("counted".into()),
        display_name: Some("Counted".into()),
        is_public: Some(true),
        ..Default::default()
    };
    let profile = profiles::create(&app.db, &user, fields).await.unwrap().id;
    let shop = offerings::OfferingFields {
        title: Some("Lesson".into()),
        price_cents: Some(1000),
        status: Some(OfferingStatus::Active),
        ..Default::default()
    };
    let offering = offerings::create(&app.db, &user, shop).await.unwrap().id;
    let buyer = app.create_user("buyer@example.com", Role::User).await;
    let place = |_: usize| NewOrder { buyer_id: buyer.clone(), offering_id: offering.clone(), quantity: 1, note: None };
    let order = orders::place(&app.db, &Default::default(), place(0)).await.unwrap().id;
    let mut pending_orders = Vec::new();
    for i in 0..RUNS {
        pending_orders.push(orders::place(&app.db, &Default::default(), place(i)).await.unwrap().id);
    }
    let key = nextstack::storage::key::new_key(&user, "a.png");
    let new = files::NewFile {
        user_id: user.clone(),
        filename: "a.png".into(),
        original_name: "a.png".into(),
        mime_type: "image/png".into(),
        size: 10,
        storage_key: key.clone(),
    };
    let file = files::create_pending(&app.db, new).await.unwrap().id;
    files::mark_ready(&app.db, &file, app.storage.public_url(&key)).await.unwrap();
    Fixture { user, admin, post, profile, offering, order, files: vec![file], pending_orders, posts_to_delete }
}
