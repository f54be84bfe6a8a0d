//! `main.order.onChange` over server-sent events, read as raw HTTP: the event
//! framing of PROTOCOL.md 2.5, who receives what, pings, and resuming after
//! the last event id.

use std::time::Duration;

use nextstack::wire::user::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, data, urlencode};

#[derive(Debug, Default, Clone)]
struct SseEvent {
    event: Option<String>,
    data: String,
    id: Option<String>,
}

struct Subscription {
    response: reqwest::Response,
    buffer: String,
}

impl Subscription {
    /// Subscribes on `app` with `bearer` (`Bearer <token>`, or anonymous).
    async fn open(app: &TestApp, bearer: Option<String>, input: Value, last_event_id: Option<&str>) -> Self {
        let url = app.url(&format!("/trpc/main.order.onChange?input={}", urlencode(&input.to_string())));
        let mut req = app.client.get(url);
        if let Some(bearer) = bearer {
            req = req.header("authorization", bearer);
        }
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let response = req.send().await.expect("subscribe");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        assert_eq!(response.headers()["cache-control"], "no-cache, no-transform");
        Self { response, buffer: String::new() }
    }

    /// The next event other than pings, or `None` after `wait`.
    async fn next(&mut self, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent::default();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        event.event = Some(v.to_string());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        event.data = v.to_string();
                    } else if let Some(v) = line.strip_prefix("id: ") {
                        event.id = Some(v.to_string());
                    }
                }
                if event.event.as_deref() != Some("ping") {
                    return Some(event);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await.ok()?.ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    async fn expect_change(&mut self, order: &str, status: &str) -> String {
        let event = self.next(Duration::from_secs(5)).await.expect("an event");
        assert_eq!(event.event, None, "{event:?}");
        let change: Value = serde_json::from_str(&event.data).unwrap();
        assert_eq!((change["id"].as_str(), change["status"].as_str()), (Some(order), Some(status)), "{change}");
        assert!(change["buyerId"].is_string() && change["sellerId"].is_string() && change["updatedAt"].is_string());
        event.id.expect("tracked")
    }
}

#[tokio::test]
async fn buyer_and_seller_follow_their_orders_and_resume_after_a_drop() {
    let app = TestApp::builder().env("SSE_PING_INTERVAL_MS", "100").spawn().await;
    let seller = app.create_user("seller@example.com", Role::User).await;
    let buyer = app.create_user("buyer@example.com", Role::User).await;
    let stranger = app.create_user("stranger@example.com", Role::User).await;
    let input = json!({"title": "Lesson", "priceCents": 500, "status": "ACTIVE"});
    let (_, body) = app.mutation("core.offering.create", &input, Some(&seller)).await;
    let offering = data(&body)["id"].clone();

    let mut as_buyer = Subscription::open(&app, Some(app.bearer(&buyer)), json!({}), None).await;
    let mut as_seller = Subscription::open(&app, Some(app.bearer(&seller)), json!({}), None).await;
    let mut as_stranger = Subscription::open(&app, Some(app.bearer(&stranger)), json!({}), None).await;
    for sub in [&mut as_buyer, &mut as_seller, &mut as_stranger] {
        let connected = sub.next(Duration::from_secs(5)).await.unwrap();
        assert_eq!((connected.event.as_deref(), connected.data.as_str()), (Some("connected"), "{}"));
    }
    // Pings keep idle connections alive.
    let raw =
        tokio::time::timeout(Duration::from_secs(5), as_stranger.response.chunk()).await.unwrap().unwrap().unwrap();
    assert!(String::from_utf8_lossy(&raw).contains("event: ping"));

    let (_, body) = app.mutation("main.order.place", &json!({"offeringId": offering}), Some(&buyer)).await;
    let order = data(&body)["id"].as_str().unwrap().to_string();
    let placed = as_buyer.expect_change(&order, "PENDING").await;
    as_seller.expect_change(&order, "PENDING").await;
    let transition = |to: &'static str| {
        let app = &app;
        let seller = seller.clone();
        let order = order.clone();
        async move { app.mutation("main.order.transition", &json!({"id": order, "to": to}), Some(&seller)).await.0 }
    };
    assert_eq!(transition("CONFIRMED").await, 200);
    let confirmed = as_buyer.expect_change(&order, "CONFIRMED").await;
    assert!(confirmed > placed, "event ids increase");
    assert!(as_stranger.next(Duration::from_millis(300)).await.is_none(), "others see nothing");

    // The buyer drops; the order completes meanwhile; a reconnect resumes after the last id.
    drop(as_buyer);
    assert_eq!(transition("COMPLETED").await, 200);
    let mut resumed = Subscription::open(&app, Some(app.bearer(&buyer)), json!({}), Some(&confirmed)).await;
    assert_eq!(resumed.next(Duration::from_secs(5)).await.unwrap().event.as_deref(), Some("connected"));
    resumed.expect_change(&order, "COMPLETED").await;
    assert!(resumed.next(Duration::from_millis(300)).await.is_none(), "nothing replayed twice");
    // The link's own way: `lastEventId` in the input.
    let mut again = Subscription::open(&app, Some(app.bearer(&buyer)), json!({"lastEventId": placed}), None).await;
    again.next(Duration::from_secs(5)).await.unwrap();
    again.expect_change(&order, "CONFIRMED").await;
    again.expect_change(&order, "COMPLETED").await;
}

/// Events travel with the write that makes them: a refused placement or
/// transition publishes nothing, on either database.
#[tokio::test]
async fn refused_order_writes_publish_nothing() {
    let app = TestApp::spawn().await;
    let seller = app.create_user("seller@example.com", Role::User).await;
    let buyer = app.create_user("buyer@example.com", Role::User).await;
    let draft = json!({"title": "Soon", "priceCents": 500, "status": "DRAFT"});
    let (_, body) = app.mutation("core.offering.create", &draft, Some(&seller)).await;
    let draft = data(&body)["id"].clone();
    let active = json!({"title": "Now", "priceCents": 500, "status": "ACTIVE"});
    let (_, body) = app.mutation("core.offering.create", &active, Some(&seller)).await;
    let active = data(&body)["id"].clone();

    let mut as_seller = Subscription::open(&app, Some(app.bearer(&seller)), json!({}), None).await;
    assert_eq!(as_seller.next(Duration::from_secs(5)).await.unwrap().event.as_deref(), Some("connected"));
    let (status, _) = app.mutation("main.order.place", &json!({"offeringId": draft}), Some(&buyer)).await;
    assert_eq!(status, 412);
    let (status, _) = app.mutation("main.order.place", &json!({"offeringId": active}), Some(&seller)).await;
    assert_eq!(status, 400, "the seller's own offering");
    let (_, body) = app.mutation("main.order.place", &json!({"offeringId": active}), Some(&buyer)).await;
    let order = data(&body)["id"].as_str().unwrap().to_string();
    as_seller.expect_change(&order, "PENDING").await;
    let refused = json!({"id": order, "to": "CONFIRMED"});
    assert_eq!(app.mutation("main.order.transition", &refused, Some(&buyer)).await.0, 403, "only the seller confirms");
    let cancel = json!({"id": order, "to": "CANCELLED"});
    assert_eq!(app.mutation("main.order.transition", &cancel, Some(&buyer)).await.0, 200);
    as_seller.expect_change(&order, "CANCELLED").await;
    assert_eq!(app.mutation("main.order.transition", &cancel, Some(&buyer)).await.0, 412, "already cancelled");
    assert!(as_seller.next(Duration::from_millis(300)).await.is_none(), "nothing for refused writes");
}

#[tokio::test]
async fn a_subscription_outlives_the_request_timeout() {
    let app = TestApp::builder().env("REQUEST_TIMEOUT_MS", "200").env("SSE_PING_INTERVAL_MS", "50").spawn().await;
    let seller = app.create_user("seller@example.com", Role::User).await;
    let buyer = app.create_user("buyer@example.com", Role::User).await;
    let input = json!({"title": "Lesson", "priceCents": 500, "status": "ACTIVE"});
    let (_, body) = app.mutation("core.offering.create", &input, Some(&seller)).await;
    let mut sub = Subscription::open(&app, Some(app.bearer(&buyer)), json!({}), None).await;
    assert_eq!(sub.next(Duration::from_secs(5)).await.unwrap().event.as_deref(), Some("connected"));
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (status, placed) =
        app.mutation("main.order.place", &json!({"offeringId": data(&body)["id"]}), Some(&buyer)).await;
    assert_eq!(status, 200);
    sub.expect_change(data(&placed)["id"].as_str().unwrap(), "PENDING").await;
}

#[tokio::test]
async fn an_anonymous_subscription_ends_with_a_serialized_error() {
    let app = TestApp::spawn().await;
    let mut sub = Subscription::open(&app, None, json!({}), None).await;
    assert_eq!(sub.next(Duration::from_secs(5)).await.unwrap().event.as_deref(), Some("connected"));
    let error = sub.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(error.event.as_deref(), Some("serialized-error"));
    let shape: Value = serde_json::from_str(&error.data).unwrap();
    assert_eq!(shape["data"]["code"], "UNAUTHORIZED");
    assert_eq!(shape["data"]["httpStatus"], 401);
}

/// Two server processes of one deployment on one PostgreSQL database (always on
/// PostgreSQL: the fan-out is a PostgreSQL feature): a subscriber on one process
/// sees changes made through the other, in order, and resumes on either.
#[tokio::test]
async fn changes_made_through_one_process_reach_subscribers_on_another() {
    let a = TestApp::builder().on_postgres().spawn().await;
    let b = TestApp::builder().sibling_of(&a).spawn().await;
    let seller = a.create_user("seller@example.com", Role::User).await;
    let buyer = a.create_user("buyer@example.com", Role::User).await;
    let input = json!({"title": "Lesson", "priceCents": 500, "status": "ACTIVE"});
    let (_, body) = a.mutation("core.offering.create", &input, Some(&seller)).await;
    let offering = data(&body)["id"].clone();

    let mut on_a = Subscription::open(&a, Some(a.bearer(&buyer)), json!({}), None).await;
    assert_eq!(on_a.next(Duration::from_secs(5)).await.unwrap().event.as_deref(), Some("connected"));
    // Through B (its sessions are the same rows: B knows the users' tokens via A's database).
    let place = b.act_as(b.mutation_request("main.order.place", &json!({"offeringId": offering})), None);
    let place = place.header("authorization", a.bearer(&buyer));
    let (status, body) = crate::helpers::send_json(place).await;
    assert_eq!(status, 200, "{body}");
    let order = data(&body)["id"].as_str().unwrap().to_string();
    let first = on_a.expect_change(&order, "PENDING").await;
    let confirm = b.mutation_request("main.order.transition", &json!({"id": order, "to": "CONFIRMED"}));
    let (status, _) = crate::helpers::send_json(confirm.header("authorization", a.bearer(&seller))).await;
    assert_eq!(status, 200);
    on_a.expect_change(&order, "CONFIRMED").await;
    // Resume on B after the first event: B's history holds A's and B's events alike.
    let mut on_b = Subscription::open(&b, Some(a.bearer(&buyer)), json!({"lastEventId": first}), None).await;
    assert_eq!(on_b.next(Duration::from_secs(5)).await.unwrap().event.as_deref(), Some("connected"));
    on_b.expect_change(&order, "CONFIRMED").await;
}

/// Issue 10, item 8: a stream ends with its session.
#[tokio::test]
async fn a_subscription_ends_when_its_session_is_signed_out() {
    let app = TestApp::builder().env("SSE_SESSION_CHECK_INTERVAL_MS", "100").spawn().await;
    let (cookie, token, _) = crate::auth::sign_up(&app, "sub@example.com").await;
    let mut sub = Subscription::open(&app, Some(format!("Bearer {token}")), json!({}), None).await;
    assert_eq!(sub.next(Duration::from_secs(5)).await.unwrap().event.as_deref(), Some("connected"));
    let res = crate::auth::post(&app, "/sign-out", json!({}), Some(&cookie)).await;
    assert_eq!(res.status(), 200);
    let ended = sub.next(Duration::from_secs(5)).await.expect("the stream says why it ends");
    assert_eq!(ended.event.as_deref(), Some("serialized-error"));
    let shape: Value = serde_json::from_str(&ended.data).unwrap();
    assert_eq!(shape["data"]["code"], "UNAUTHORIZED", "not retryable: the client stops reconnecting");
    assert!(sub.next(Duration::from_millis(500)).await.is_none(), "and nothing more");
}

/// Issue 10, item 8: one user holds a bounded number of open streams.
#[tokio::test]
async fn a_user_holds_at_most_sse_max_per_user_streams() {
    let app = TestApp::builder().env("SSE_MAX_PER_USER", "3").spawn().await;
    let user = app.create_user("many@example.com", Role::User).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        let mut sub = Subscription::open(&app, Some(app.bearer(&user)), json!({}), None).await;
        assert_eq!(sub.next(Duration::from_secs(5)).await.unwrap().event.as_deref(), Some("connected"));
        open.push(sub);
    }
    let mut refused = Subscription::open(&app, Some(app.bearer(&user)), json!({}), None).await;
    refused.next(Duration::from_secs(5)).await.unwrap();
    let error = refused.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(error.event.as_deref(), Some("serialized-error"));
    let shape: Value = serde_json::from_str(&error.data).unwrap();
    assert_eq!(shape["data"]["code"], "TOO_MANY_REQUESTS");
    // Closing one frees its slot.
    drop(open.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = Subscription::open(&app, Some(app.bearer(&user)), json!({}), None).await;
    again.next(Duration::from_secs(5)).await.unwrap();
    assert!(again.next(Duration::from_millis(300)).await.is_none(), "accepted: no error follows");
}
