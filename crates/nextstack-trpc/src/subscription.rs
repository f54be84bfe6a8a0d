//! Subscriptions over Server-Sent Events (`httpSubscriptionLink`, PROTOCOL.md 2.5).
//!
//! A subscription procedure is `async fn(AuthLevel, Input) -> Result<impl Stream<Item =
//! Result<Tracked<O>, E>>, E>`. The response starts with `event: connected`, sends
//! each item as `data:` (with `id:` when tracked, so a reconnecting client resumes
//! after it), `event: ping` on an interval, and ends with `event: return` when the
//! stream ends or the server shuts down, or `event: serialized-error` on an error.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::{BoxStream, Stream, StreamExt};
use http::{HeaderValue, header};
use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::error::TrpcError;
use crate::output::Serialized;
use crate::procedure::{FromCtx, Input, Output, ProcedureTypes, RawInput};
use crate::superjson::{self, Transformer};
use crate::types::TypeDesc;
use crate::validation::parse_input;

/// A value with an id (tRPC's `tracked(id, data)`): sent as the SSE event id, and
/// handed back by the client as `lastEventId` when it reconnects.
#[derive(Debug, Clone)]
pub struct Tracked<O> {
    /// The event id (`None`: untracked).
    pub id: Option<String>,
    /// The value.
    pub data: O,
}

impl<O> Tracked<O> {
    /// A tracked value.
    pub fn new(id: impl Into<String>, data: O) -> Self {
        Self { id: Some(id.into()), data }
    }
}

/// One serialized event (built by the engine from a [`Tracked`] value).
pub struct Event {
    id: Option<String>,
    data: Result<Serialized, TrpcError>,
}

/// A started subscription's events.
pub type EventStream = BoxStream<'static, Result<Event, TrpcError>>;
pub(crate) type BoxedSubscription<C> =
    Arc<dyn Fn(C, RawInput, Transformer) -> BoxFuture<'static, Result<EventStream, TrpcError>> + Send + Sync>;

/// `async fn(A, I) -> Result<impl Stream<Item = Result<Tracked<O>, E>>, E>`.
pub trait SubscriptionHandler<C, M>: Clone + Send + Sync + 'static {
    /// The input and event types.
    fn types() -> ProcedureTypes;
    /// Starts the subscription; its events are serialized for `transformer`.
    fn start(
        &self,
        ctx: C,
        input: RawInput,
        transformer: Transformer,
    ) -> BoxFuture<'static, Result<EventStream, TrpcError>>;
}

impl<C, F, Fut, A, I, S, O, E> SubscriptionHandler<C, (A, I, S)> for F
where
    C: Send + 'static,
    F: Fn(A, I) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<S, E>> + Send + 'static,
    A: FromCtx<C>,
    I: Input,
    S: Stream<Item = Result<Tracked<O>, E>> + Send + 'static,
    O: Output,
    E: Into<TrpcError> + Send + 'static,
{
    fn types() -> ProcedureTypes {
        ProcedureTypes { input: Some(TypeDesc::of::<I>()), output: TypeDesc::of::<O>() }
    }

    fn start(
        &self,
        ctx: C,
        input: RawInput,
        transformer: Transformer,
    ) -> BoxFuture<'static, Result<EventStream, TrpcError>> {
        let arg = A::from_ctx(&ctx);
        let f = self.clone();
        Box::pin(async move {
            let input: I = parse_input(input?)?;
            let stream = f(arg?, input).await.map_err(Into::into)?;
            let events = stream.map(move |item| {
                item.map_err(Into::into)
                    .map(|tracked| Event { id: tracked.id, data: Serialized::new(&tracked.data, transformer) })
            });
            Ok(Box::pin(events) as EventStream)
        })
    }
}

/// How subscriptions behave.
#[derive(Debug, Clone)]
pub struct SseConfig {
    /// `event: ping` this often (keeps proxies and `reconnectAfterInactivityMs` happy).
    pub ping_interval: Duration,
    /// Flips to `true` when the server shuts down: every stream then ends with `event: return`.
    pub shutdown: Option<watch::Receiver<bool>>,
}

impl Default for SseConfig {
    fn default() -> Self {
        Self { ping_interval: Duration::from_secs(10), shutdown: None }
    }
}

/// The event-stream response for one started subscription. Runs the stream in its
/// own task, feeding the body through a channel;
/// a client that goes away closes the channel and ends the task.
pub(crate) fn sse_response(
    started: BoxFuture<'static, Result<EventStream, TrpcError>>,
    config: SseConfig,
    superjson_active: bool,
    shape: impl Fn(&TrpcError) -> Value + Send + 'static,
) -> Response {
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    let task = async move {
        let send = |text: String| {
            let tx = tx.clone();
            async move { tx.send(Bytes::from(text)).await.is_ok() }
        };
        if !send("event: connected\ndata: {}\n\n".into()).await {
            return;
        }
        let mut events = match started.await {
            Ok(events) => events,
            Err(err) => {
                let body = encode_error(&shape(&err), superjson_active);
                let _ = send(format!("event: serialized-error\ndata: {body}\n\n")).await;
                return;
            }
        };
        let mut ping = tokio::time::interval(config.ping_interval);
        ping.tick().await; // the first tick is immediate
        let mut shutdown = config.shutdown;
        loop {
            let stopping = async {
                match shutdown.as_mut() {
                    Some(rx) => {
                        let _ = rx.wait_for(|stop| *stop).await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                item = events.next() => match item {
                    Some(Ok(Event { id, data: Ok(data) })) => {
                        let data = if superjson_active {
                            superjson::envelope(data.json(), data.dates(), "")
                        } else {
                            data.json().to_string()
                        };
                        let mut text = format!("data: {data}\n");
                        if let Some(id) = id {
                            text.push_str(&format!("id: {}\n", id.replace(['\n', '\r'], "")));
                        }
                        text.push('\n');
                        if !send(text).await {
                            return;
                        }
                    }
                    Some(Ok(Event { data: Err(err), .. })) | Some(Err(err)) => {
                        let body = encode_error(&shape(&err), superjson_active);
                        let _ = send(format!("event: serialized-error\ndata: {body}\n\n")).await;
                        return;
                    }
                    None => break,
                },
                _ = ping.tick() => {
                    if !send("event: ping\ndata: \n\n".into()).await {
                        return;
                    }
                }
                () = stopping => break,
                // The client went away: end now, not at the next ping (the stream's
                // resources, a per-user slot among them, go with it).
                () = tx.closed() => return,
            }
        }
        let _ = send("event: return\ndata: \n\n".into()).await;
    };
    tokio::spawn(task);
    let body = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|bytes| (Ok::<_, std::convert::Infallible>(bytes), rx))
    });
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-transform"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response.extensions_mut().insert(crate::StreamingBody);
    response
}

fn encode_error(shape: &Value, superjson_active: bool) -> Value {
    if superjson_active { superjson::encode_error(shape.clone()) } else { shape.clone() }
}

/// `Last-Event-ID` (sent by browsers on reconnect) becomes the input's `lastEventId`
/// unless the client already put one there (tRPC's link does).
pub(crate) fn with_last_event_id(input: Option<Value>, header: Option<&str>) -> Option<Value> {
    let Some(id) = header.filter(|h| !h.is_empty()) else { return input };
    match input {
        None | Some(Value::Null) => Some(serde_json::json!({ "lastEventId": id })),
        Some(Value::Object(mut map)) => {
            map.entry("lastEventId").or_insert_with(|| Value::String(id.to_string()));
            Some(Value::Object(map))
        }
        other => other,
    }
}
