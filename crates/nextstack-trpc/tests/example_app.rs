//! The crate on its own: a tiny example app served on a random port and called
//! over HTTP the way each tRPC client link calls it — `httpLink`,
//! `httpBatchLink`, `httpBatchStreamLink` (JSON lines), `httpSubscriptionLink`
//! (server-sent events) — in plain JSON and superjson, with its error shapes
//! and its hooks.

#![cfg(all(feature = "garde", feature = "typegen"))]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Duration;

use futures::stream::{self, Stream};
use garde::Validate;
use nextstack_trpc::superjson::serialize_date;
use nextstack_trpc::{
    BodyInput, BodyKind, ErrorCode, FromCtx, Router, Tracked, Transformer, Trpc, TrpcConfig, TrpcError,
};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Value, json};

// ------------------------------------------------------------------ the app --

/// The request context: who calls (from `authorization: Bearer <name>`) and the app's state.
#[derive(Clone)]
struct Ctx {
    caller: Option<String>,
    counter: Arc<AtomicI64>,
}

/// Anyone may call.
struct Anyone(Ctx);

impl FromCtx<Ctx> for Anyone {
    fn from_ctx(ctx: &Ctx) -> Result<Self, TrpcError> {
        Ok(Self(ctx.clone()))
    }
}

/// Only a caller with a name.
struct Signed(String);

impl FromCtx<Ctx> for Signed {
    fn from_ctx(ctx: &Ctx) -> Result<Self, TrpcError> {
        ctx.caller.clone().map(Self).ok_or_else(|| TrpcError::new(ErrorCode::Unauthorized, "Sign in first"))
    }
}

#[derive(Deserialize, Validate, ts_rs::TS)]
struct GreetInput {
    #[garde(length(min = 1, max = 20))]
    name: String,
}

async fn greet(_: Anyone, input: GreetInput) -> Result<String, TrpcError> {
    Ok(format!("Hello, {}!", input.name))
}

async fn me(caller: Signed) -> Result<String, TrpcError> {
    Ok(caller.0)
}

#[derive(Deserialize, Validate, ts_rs::TS)]
struct AddInput {
    #[garde(range(min = 1, max = 10))]
    by: i64,
}

async fn add(Anyone(ctx): Anyone, input: AddInput) -> Result<i64, TrpcError> {
    Ok(ctx.counter.fetch_add(input.by, Ordering::SeqCst) + input.by)
}

/// A timestamp the way an application declares one: ISO text, a `Date` under superjson.
#[derive(ts_rs::TS)]
#[ts(type = "string")]
struct When(&'static str);

impl Serialize for When {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_date(self.0, serializer)
    }
}

#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
struct Stamp {
    label: String,
    created_at: When,
    history: Vec<When>,
}

async fn stamp(_: Anyone) -> Result<Stamp, TrpcError> {
    let t = "2025-01-02T03:04:05.678Z";
    Ok(Stamp { label: "a.b".into(), created_at: When(t), history: vec![When(t), When(t)] })
}

#[derive(Deserialize, Validate, ts_rs::TS)]
struct SlowInput {
    #[garde(range(max = 2000))]
    ms: u64,
}

async fn slow(_: Anyone, input: SlowInput) -> Result<u64, TrpcError> {
    tokio::time::sleep(Duration::from_millis(input.ms)).await;
    Ok(input.ms)
}

async fn conflict(_: Anyone) -> Result<(), TrpcError> {
    Err(TrpcError::new(ErrorCode::Conflict, "Already taken"))
}

#[derive(Deserialize, Validate, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
struct TicksInput {
    #[garde(range(min = 1, max = 10))]
    count: u32,
    /// Filled in by the link (or from `Last-Event-ID`) on reconnect.
    #[garde(skip)]
    last_event_id: Option<String>,
}

async fn ticks(
    _: Anyone,
    input: TicksInput,
) -> Result<impl Stream<Item = Result<Tracked<u32>, TrpcError>> + Send + 'static, TrpcError> {
    let after = input.last_event_id.and_then(|id| id.parse::<u32>().ok()).unwrap_or(0);
    Ok(stream::iter((after + 1..=input.count).map(|n| Ok(Tracked::new(n.to_string(), n * 10)))))
}

/// An octet-stream input: the body's length and a checksum, read as it arrives.
#[derive(Serialize, ts_rs::TS)]
struct Received {
    bytes: u64,
    sum: u64,
}

async fn receive(_: Signed, input: BodyInput) -> Result<Received, TrpcError> {
    use futures::StreamExt;
    let mut body = input.into_body().into_data_stream();
    let mut received = Received { bytes: 0, sum: 0 };
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| TrpcError::bad_request("The body could not be read"))?;
        received.bytes += chunk.len() as u64;
        received.sum += chunk.iter().map(|b| u64::from(*b)).sum::<u64>();
    }
    Ok(received)
}

fn router() -> Router<Ctx> {
    let greetings = Router::new().query("greet", greet).query("me", me);
    Router::new()
        .nest("hello", greetings)
        .mutation("add", add)
        .query("stamp", stamp)
        .query("slow", slow)
        .query("conflict", conflict)
        .subscription("ticks", ticks)
        .body_mutation("receive", BodyKind::OctetStream, receive)
}

/// The example app on a random port; `configure` sets hooks.
async fn serve(transformer: Transformer, configure: impl FnOnce(Trpc<Ctx>) -> Trpc<Ctx>) -> String {
    let counter = Arc::new(AtomicI64::new(0));
    let config = TrpcConfig { transformer, ..TrpcConfig::default() };
    let trpc = Trpc::new(router(), config, move |parts| {
        let caller = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(String::from);
        let counter = counter.clone();
        async move { Ok(Ctx { caller, counter }) }
    });
    let app = axum::Router::new().nest("/trpc", configure(trpc).into_axum());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/trpc", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

// ---------------------------------------------------------------- helpers --

fn encode(value: &Value) -> String {
    let text = value.to_string();
    percent_encode(&text)
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn get(url: &str) -> (u16, Value) {
    let res = reqwest::get(url).await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

async fn post(url: &str, body: &Value) -> (u16, Value) {
    let res = reqwest::Client::new().post(url).json(body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

// ------------------------------------------------------------------ tests --

/// tRPC 11's non-JSON inputs: an octet-stream mutation reads its body as it
/// comes; the auth check runs first; other procedures refuse such a body; a
/// JSON call to it is refused too.
#[tokio::test]
async fn octet_stream_inputs_reach_their_procedure_as_a_stream() {
    let base = serve(Transformer::None, |t| t).await;
    let client = reqwest::Client::new();
    let send = |path: &str, signed: bool, content_type: &str, body: Vec<u8>| {
        let mut req = client.post(format!("{base}/{path}")).header("content-type", content_type).body(body);
        if signed {
            req = req.header("authorization", "Bearer ada");
        }
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    let sum: u64 = bytes.iter().map(|b| u64::from(*b)).sum();
    let (status, body) = send("receive", true, "application/octet-stream", bytes.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["data"], json!({ "bytes": bytes.len(), "sum": sum }));
    let (status, body) = send("receive", false, "application/octet-stream", bytes).await;
    assert_eq!((status, &body["error"]["data"]["code"]), (401, &json!("UNAUTHORIZED")));
    let (status, body) = send("add", true, "application/octet-stream", b"1".to_vec()).await;
    assert_eq!((status, &body["error"]["data"]["code"]), (415, &json!("UNSUPPORTED_MEDIA_TYPE")));
    let (status, body) = send("receive", true, "multipart/form-data; boundary=x", b"--x--".to_vec()).await;
    assert_eq!((status, &body["error"]["data"]["code"]), (415, &json!("UNSUPPORTED_MEDIA_TYPE")), "{body}");
    let (status, body) = send("receive", true, "application/json", b"{}".to_vec()).await;
    assert_eq!((status, &body["error"]["data"]["code"]), (415, &json!("UNSUPPORTED_MEDIA_TYPE")), "{body}");
    let res =
        client.get(format!("{base}/receive")).header("content-type", "application/octet-stream").send().await.unwrap();
    assert_eq!(res.status(), 405);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Only POST requests are supported for application/octet-stream requests");
}

#[tokio::test]
async fn http_link_queries_and_mutations() {
    let base = serve(Transformer::None, |t| t).await;
    let (status, body) = get(&format!("{base}/hello.greet?input={}", encode(&json!({"name": "Ada"})))).await;
    assert_eq!((status, body), (200, json!({"result": {"data": "Hello, Ada!"}})));
    let (status, body) = post(&format!("{base}/add"), &json!({"by": 2})).await;
    assert_eq!((status, body), (200, json!({"result": {"data": 2}})));
    let (_, body) = post(&format!("{base}/add"), &json!({"by": 3})).await;
    assert_eq!(body["result"]["data"], 5, "mutations run once each");

    // A query is GET only, a mutation POST only (tRPC's messages).
    let (status, body) = post(&format!("{base}/hello.greet"), &json!({"name": "Ada"})).await;
    assert_eq!(status, 405);
    assert_eq!(body["error"]["message"], "Unsupported POST-request to query procedure at path \"hello.greet\"");
    let (status, body) = get(&format!("{base}/add?input={}", encode(&json!({"by": 1})))).await;
    assert_eq!((status, body["error"]["data"]["code"].clone()), (405, json!("METHOD_NOT_SUPPORTED")));
}

#[tokio::test]
async fn http_batch_link_answers_each_call_and_mixes_statuses() {
    let base = serve(Transformer::None, |t| t).await;
    let input = encode(&json!({"0": {"name": "Ada"}}));
    let url = format!("{base}/hello.greet,hello.me?batch=1&input={input}");
    let res = reqwest::Client::new().get(&url).header("authorization", "Bearer grace").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, json!([{"result": {"data": "Hello, Ada!"}}, {"result": {"data": "grace"}}]));

    // Anonymous: the second call fails alone, and the batch is a 207.
    let (status, body) = get(&url).await;
    assert_eq!(status, 207);
    assert_eq!(body[0], json!({"result": {"data": "Hello, Ada!"}}));
    assert_eq!(body[1]["error"]["data"]["code"], "UNAUTHORIZED");
    assert_eq!(body[1]["error"]["data"]["path"], "hello.me");
    assert_eq!(body[1]["error"]["code"], -32001);

    let mutations = format!("{base}/add,add?batch=1");
    let (status, body) = post(&mutations, &json!({"0": {"by": 1}, "1": {"by": 10}})).await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn http_batch_stream_link_sends_each_result_when_ready() {
    let base = serve(Transformer::None, |t| t).await;
    let input = encode(&json!({"0": {"ms": 400}, "1": {"name": "Ada"}}));
    let url = format!("{base}/slow,hello.greet?batch=1&input={input}");
    let mut res = reqwest::Client::new().get(&url).header("trpc-accept", "application/jsonl").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let mut text = String::new();
    let mut fast_seen_before_slow = false;
    while let Some(chunk) = res.chunk().await.unwrap() {
        text.push_str(std::str::from_utf8(&chunk).unwrap());
        if text.contains("Hello, Ada!") && !text.contains("[[400]]") {
            fast_seen_before_slow = true;
        }
    }
    assert!(fast_seen_before_slow, "the quick call is not held behind the slow one:\n{text}");
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // The head names one promise per call; each call resolves its result and data promises.
    assert_eq!(lines[0], json!({"0": [[0], [null, 0, 0]], "1": [[0], [null, 0, 1]]}));
    assert_eq!(lines.len(), 7);
    assert!(lines.contains(&json!([5, 0, [["Hello, Ada!"]]])), "{text}");
    assert!(lines.contains(&json!([3, 0, [[400]]])), "{text}");
}

#[tokio::test]
async fn http_subscription_link_streams_tracked_events_and_resumes() {
    let base = serve(Transformer::None, |t| t).await;
    let url = format!("{base}/ticks?input={}", encode(&json!({"count": 3})));
    let res = reqwest::get(&url).await.unwrap();
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let text = res.text().await.unwrap();
    let expected = "event: connected\ndata: {}\n\n\
                    data: 10\nid: 1\n\n\
                    data: 20\nid: 2\n\n\
                    data: 30\nid: 3\n\n\
                    event: return\ndata: \n\n";
    assert_eq!(text, expected);

    // A browser reconnecting sends Last-Event-ID; only what followed comes again.
    let res = reqwest::Client::new().get(&url).header("last-event-id", "2").send().await.unwrap();
    let text = res.text().await.unwrap();
    assert!(text.contains("data: 30\nid: 3\n") && !text.contains("id: 2\n"), "{text}");

    // A bad input ends the stream with a serialized error; a batch of subscriptions is refused.
    let res = reqwest::get(format!("{base}/ticks?input={}", encode(&json!({"count": 0})))).await.unwrap();
    let text = res.text().await.unwrap();
    assert!(text.starts_with("event: connected\n") && text.contains("event: serialized-error\n"), "{text}");
    let (status, _) = get(&format!("{base}/ticks?batch=1&input={}", encode(&json!({"0": {"count": 1}})))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn superjson_envelopes_record_dates_by_type() {
    let base = serve(Transformer::Superjson, |t| t).await;
    let (status, body) = get(&format!("{base}/stamp")).await;
    assert_eq!(status, 200);
    let t = "2025-01-02T03:04:05.678Z";
    assert_eq!(
        body,
        json!({"result": {"data": {
            "json": {"label": "a.b", "createdAt": t, "history": [t, t]},
            "meta": {"values": {"createdAt": ["Date"], "history.0": ["Date"], "history.1": ["Date"]}, "v": 1}
        }}})
    );
    // Inputs arrive as `{json, meta}`; errors leave as `{json: shape}`.
    let input = encode(&json!({"json": {"name": "Ada"}}));
    let (_, body) = get(&format!("{base}/hello.greet?input={input}")).await;
    assert_eq!(body, json!({"result": {"data": {"json": "Hello, Ada!"}}}));
    let (status, body) = get(&format!("{base}/conflict")).await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["json"]["message"], "Already taken");

    // In a JSON-lines stream the date paths are relative to the line.
    let url = format!("{base}/stamp?batch=1&input={}", encode(&json!({})));
    let res = reqwest::Client::new().get(&url).header("trpc-accept", "application/jsonl").send().await.unwrap();
    let text = res.text().await.unwrap();
    let data_line: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(data_line["meta"]["values"]["2.0.0.createdAt"], json!(["Date"]), "{text}");
}

#[tokio::test]
async fn errors_have_trpc_shapes_and_zod_issues() {
    let base = serve(Transformer::None, |t| t).await;
    let (status, body) = get(&format!("{base}/nope")).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"error": {"message": "No procedure found on path \"nope\"", "code": -32004,
                         "data": {"code": "NOT_FOUND", "httpStatus": 404, "path": "nope"}}})
    );

    let (status, body) = get(&format!("{base}/hello.greet?input={}", encode(&json!({"name": ""})))).await;
    assert_eq!(status, 400);
    let issues: Value = serde_json::from_str(body["error"]["message"].as_str().unwrap()).unwrap();
    assert_eq!(issues[0]["code"], "too_small");
    assert_eq!(issues[0]["path"], json!(["name"]));
    assert_eq!(
        body["error"]["data"]["zodError"],
        json!({"formErrors": [], "fieldErrors": {"name": ["String must contain at least 1 character(s)"]}})
    );
    let (status, body) = get(&format!("{base}/hello.greet?input={}", encode(&json!({"name": 5})))).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("invalid_type"), "{body}");

    let (status, body) = get(&format!("{base}/conflict")).await;
    assert_eq!((status, body["error"]["code"].clone()), (409, json!(-32009)));
    let res = reqwest::Client::new().post(format!("{base}/add")).body("by=1").send().await.unwrap();
    assert_eq!(res.status(), 415);
    // Bad JSON is BAD_REQUEST with the parser's message, as tRPC 11 answers it.
    let (status, body) = get(&format!("{base}/hello.greet?input=%7Bnot%20json")).await;
    assert_eq!((status, body["error"]["data"]["code"].clone()), (400, json!("BAD_REQUEST")));
}

#[tokio::test]
async fn hooks_see_every_call_and_a_panicking_hook_changes_nothing() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let base = serve(Transformer::None, move |trpc| {
        let earlier_clone = trpc.clone(); // hooks may be set while clones exist
        let configured = trpc
            .on_call(move |_| {
                seen.fetch_add(1, Ordering::SeqCst);
            })
            .on_error(|failure| panic!("a broken error hook ({:?})", failure.path));
        drop(earlier_clone);
        configured
    })
    .await;
    let (status, body) = get(&format!("{base}/conflict")).await;
    assert_eq!((status, body["error"]["message"].clone()), (409, json!("Already taken")));
    let (status, _) =
        get(&format!("{base}/hello.greet,conflict?batch=1&input={}", encode(&json!({"0": {"name": "A"}})))).await;
    assert_eq!(status, 207);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}
