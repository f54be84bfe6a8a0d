//! The HTTP side of tRPC for axum: one request in, the tRPC response out
//! (`resolveResponse.ts`), for `httpLink`, `httpBatchLink` and `httpBatchStreamLink`.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use futures::future::{BoxFuture, join_all};
use futures::stream::{self, StreamExt};
use http::{HeaderValue, Method, StatusCode, header, request::Parts};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tracing::Instrument;

use crate::body_input::{self, BodyInput, BodyKind};
use crate::budget::ResponseBudget;
use crate::error::{ErrorCode, TrpcError};
use crate::jsonl::JsonlEncoder;
use crate::procedure::{CallOutput, ProcedureKind, RawInput};
use crate::request::{CallRequest, ConnectionParams, Inputs, check_content_type};
use crate::router::Router;
use crate::subscription::{SseConfig, sse_response, with_last_event_id};
use crate::superjson::{self, Transformer};

/// Engine settings.
#[derive(Debug, Clone)]
pub struct TrpcConfig {
    /// Most calls one batch may hold (newer tRPC's `maxBatchSize`).
    pub max_batch_size: usize,
    /// Send `data.stack` (the error chain): development only.
    pub include_stack: bool,
    /// Largest request body read, in bytes.
    pub max_body_bytes: usize,
    /// Largest response, in bytes: calls whose output would not fit fail with
    /// `PAYLOAD_TOO_LARGE` (decision 21).
    pub max_response_bytes: usize,
    /// Deadline for each call of a JSONL stream. A stream's head is sent at
    /// once, so an HTTP-level timeout no longer covers the calls behind it.
    pub stream_call_timeout: Duration,
    /// The data transformer clients use (`TRPC_TRANSFORMER`).
    pub transformer: Transformer,
    /// Subscriptions: ping interval and the shutdown signal.
    pub sse: SseConfig,
    /// Accept queries sent as POST (tRPC's `allowMethodOverride`, for clients
    /// with `methodOverride: 'POST'` whose inputs would overflow a URL).
    /// Mutations stay POST-only and subscriptions GET-only either way.
    pub allow_method_override: bool,
}

impl Default for TrpcConfig {
    fn default() -> Self {
        Self {
            max_batch_size: 100,
            include_stack: false,
            max_body_bytes: 10 * 1024 * 1024,
            max_response_bytes: 32 * 1024 * 1024,
            stream_call_timeout: Duration::from_secs(30),
            transformer: Transformer::None,
            sse: SseConfig::default(),
            allow_method_override: false,
        }
    }
}

/// Marks a response whose body is a live stream, so compression layers leave it alone.
#[derive(Debug, Clone, Copy)]
pub struct StreamingBody;

/// A failed call, as passed to the error hook (tRPC's `onError`).
#[derive(Debug)]
pub struct CallFailure<'a> {
    /// The call's path (`None` for a request-level failure).
    pub path: Option<&'a str>,
    /// The error.
    pub error: &'a TrpcError,
}

/// One finished call, as passed to the call hook (metrics).
#[derive(Debug)]
pub struct CallReport<'a> {
    /// The procedure's path; `None` when no procedure has the requested one
    /// (so a hook never sees a string the client made up).
    pub path: Option<&'a str>,
    /// Its type; `None` with `path`.
    pub kind: Option<ProcedureKind>,
    /// `None` on success, else the error's code.
    pub code: Option<ErrorCode>,
    /// From the start of the call to its result (for a subscription, to its start).
    pub elapsed: Duration,
}

type ContextFn<C> = dyn Fn(&Parts) -> BoxFuture<'static, Result<C, TrpcError>> + Send + Sync;
type ErrorHook = dyn Fn(CallFailure<'_>) + Send + Sync;
type CallHook = dyn Fn(CallReport<'_>) + Send + Sync;

struct Inner<C> {
    router: Router<C>,
    config: TrpcConfig,
    create_context: Arc<ContextFn<C>>,
    on_error: Option<Arc<ErrorHook>>,
    on_call: Option<Arc<CallHook>>,
}

impl<C> Clone for Inner<C> {
    fn clone(&self) -> Self {
        Self {
            router: self.router.clone(),
            config: self.config.clone(),
            create_context: self.create_context.clone(),
            on_error: self.on_error.clone(),
            on_call: self.on_call.clone(),
        }
    }
}

/// Runs a hook; a hook that panics is reported and otherwise ignored, so
/// observing a call can never fail it (or the response it belongs to).
fn run_hook(name: &str, hook: impl FnOnce()) {
    if std::panic::catch_unwind(AssertUnwindSafe(hook)).is_err() {
        tracing::error!(hook = name, "a tRPC hook panicked; the response is unaffected");
    }
}

/// A tRPC endpoint: the registry, its settings and how to build a request context.
pub struct Trpc<C> {
    inner: Arc<Inner<C>>,
}

impl<C> Clone for Trpc<C> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone() }
    }
}

impl<C: Clone + Send + Sync + 'static> Trpc<C> {
    /// Serves `router`, building each request's context with `create_context`
    /// (tRPC's `createContext`; its error fails the whole request).
    pub fn new<F, Fut>(router: Router<C>, config: TrpcConfig, create_context: F) -> Self
    where
        F: Fn(&Parts) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<C, TrpcError>> + Send + 'static,
    {
        let create_context: Arc<ContextFn<C>> = Arc::new(move |parts| Box::pin(create_context(parts)));
        Self { inner: Arc::new(Inner { router, config, create_context, on_error: None, on_call: None }) }
    }

    /// Sets the hook called once per failed call (tRPC's `onError`: logging).
    /// A panic in the hook is caught and logged; the response goes out as it would have.
    pub fn on_error(self, hook: impl Fn(CallFailure<'_>) + Send + Sync + 'static) -> Self {
        self.configure(|inner| inner.on_error = Some(Arc::new(hook)))
    }

    /// Sets the hook called once per finished call, failed or not (metrics).
    /// A panic in the hook is caught and logged, like `on_error`'s.
    pub fn on_call(self, hook: impl Fn(CallReport<'_>) + Send + Sync + 'static) -> Self {
        self.configure(|inner| inner.on_call = Some(Arc::new(hook)))
    }

    /// A copy with `change` applied (clones made earlier keep their hooks).
    fn configure(self, change: impl FnOnce(&mut Inner<C>)) -> Self {
        let mut inner = Arc::unwrap_or_clone(self.inner);
        change(&mut inner);
        Self { inner: Arc::new(inner) }
    }

    /// The registry (for type generation).
    pub fn router(&self) -> &Router<C> {
        &self.inner.router
    }

    /// An axum router answering every path below where it is nested.
    pub fn into_axum(self) -> axum::Router {
        let root = self.clone();
        axum::Router::new()
            .route(
                "/",
                axum::routing::any(move |req| {
                    let t = root.clone();
                    async move { t.handle(req).await }
                }),
            )
            .route(
                "/{*path}",
                axum::routing::any(move |req| {
                    let t = self.clone();
                    async move { t.handle(req).await }
                }),
            )
    }

    /// Answers one HTTP request (its URI path relative to the tRPC mount point).
    pub async fn handle(&self, req: http::Request<Body>) -> Response {
        let (mut parts, body) = req.into_parts();
        if parts.method == Method::HEAD {
            // tRPC answers HEAD before any parsing (lambda warm-up).
            return StatusCode::NO_CONTENT.into_response();
        }
        let call = CallRequest::parse(parts.uri.path(), parts.uri.query(), &parts.headers);
        if let Some(kind) = BodyKind::of(&parts.headers) {
            return self.handle_body_call(parts, call, kind, body).await;
        }
        if let Err(err) = self.check_request(&parts, &call) {
            return self.request_error(err);
        }
        match call.connection_params.as_deref().map(ConnectionParams::parse).transpose() {
            Ok(params) => {
                if let Some(params) = params.flatten() {
                    parts.extensions.insert(params);
                }
            }
            Err(err) => return self.request_error(err),
        }
        let ctx = match (self.inner.create_context)(&parts).await {
            Ok(ctx) => ctx,
            Err(err) => return self.request_error(err),
        };
        let inputs = self.read_inputs(&parts, &call, body).await;
        if let Some(response) = self.try_subscription(&parts, &call, &ctx, &inputs) {
            return response;
        }
        let calls = self.start_calls(&parts.method, &call, ctx, &inputs);
        if call.wants_jsonl {
            return self.jsonl_response(&call, calls);
        }
        let results = join_all(calls).await;
        self.json_response(&call, results)
    }

    /// A call with a non-JSON body: one mutation (the path is never split as a
    /// batch), whose procedure reads the body as it arrives.
    async fn handle_body_call(&self, parts: Parts, call: CallRequest, kind: BodyKind, body: Body) -> Response {
        if parts.method != Method::POST {
            let message = format!("Only POST requests are supported for {} requests", kind.media_type());
            return self.request_error(TrpcError::new(ErrorCode::MethodNotSupported, message));
        }
        // One call on the whole (decoded) path, even if `?batch=1` split it at commas.
        let path = call.paths.join(",");
        let call = CallRequest { paths: vec![path.clone()], is_batch: false, ..call };
        let handler = match self.inner.router.get(&path) {
            None => Err(TrpcError::not_found(format!("No procedure found on path \"{path}\""))),
            Some(procedure) => match &procedure.body {
                Some((accepted, handler)) if *accepted == kind => Ok(handler.clone()),
                _ => Err(body_input::refuse(&path, kind)),
            },
        };
        let handler = match handler {
            Ok(handler) => handler,
            Err(err) => return self.json_response(&call, vec![Err(err)]),
        };
        let ctx = match (self.inner.create_context)(&parts).await {
            Ok(ctx) => ctx,
            Err(err) => return self.request_error(err),
        };
        let input = BodyInput::new(kind, &parts.headers, body);
        let running = handler(ctx, input, self.inner.config.transformer);
        let result = self.timed(&path, running).await;
        self.json_response(&call, vec![result])
    }

    fn check_request(&self, parts: &Parts, call: &CallRequest) -> Result<(), TrpcError> {
        check_content_type(&parts.method, &parts.headers)?;
        if call.is_batch && call.paths.len() > self.inner.config.max_batch_size {
            return Err(TrpcError::bad_request("Batch call exceeds maximum size"));
        }
        let kinds: BTreeSet<&str> =
            call.paths.iter().filter_map(|p| self.inner.router.get(p)).map(|p| p.kind.as_str()).collect();
        if kinds.len() > 1 {
            let list = kinds.into_iter().collect::<Vec<_>>().join(", ");
            return Err(TrpcError::bad_request(format!("Cannot mix procedure types in call: {list}")));
        }
        if call.wants_jsonl && !call.is_batch {
            return Err(TrpcError::bad_request("Streaming requests must be batched (you can do a batch of 1)"));
        }
        Ok(())
    }

    async fn read_inputs(&self, parts: &Parts, call: &CallRequest, body: Body) -> Inputs {
        if parts.method == Method::GET {
            return Inputs::parse(call.query_input.as_deref().map(str::as_bytes), call.is_batch);
        }
        match axum::body::to_bytes(body, self.inner.config.max_body_bytes).await {
            Ok(bytes) => Inputs::parse(Some(&bytes), call.is_batch),
            Err(err) => {
                let too_large = std::error::Error::source(&err)
                    .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
                    || err.to_string().contains("length limit");
                Inputs::Failed(if too_large {
                    TrpcError::new(ErrorCode::PayloadTooLarge, "Request body is too large")
                } else {
                    TrpcError::bad_request("Failed to read the request body")
                })
            }
        }
    }

    fn start_calls(
        &self,
        method: &Method,
        call: &CallRequest,
        ctx: C,
        inputs: &Inputs,
    ) -> Vec<BoxFuture<'static, CallOutput>> {
        let budget = ResponseBudget::new(self.inner.config.max_response_bytes);
        call.paths
            .iter()
            .enumerate()
            .map(|(index, path)| {
                let started = self.start_call(method, call.is_batch, &ctx, inputs.get(index), &budget, path);
                self.timed(path, started)
            })
            .collect()
    }

    /// Reports the call to the call hook when it finishes.
    fn timed(&self, path: &str, call: BoxFuture<'static, CallOutput>) -> BoxFuture<'static, CallOutput> {
        let Some(hook) = self.inner.on_call.clone() else { return call };
        let known = self.inner.router.get(path).map(|p| (path.to_string(), p.kind));
        let started = std::time::Instant::now();
        Box::pin(async move {
            let output = call.await;
            let (path, kind) = known.as_ref().map_or((None, None), |(p, k)| (Some(p.as_str()), Some(*k)));
            let code = output.as_ref().err().map(|e| e.code);
            run_hook("on_call", || hook(CallReport { path, kind, code, elapsed: started.elapsed() }));
            output
        })
    }

    /// One call of the request, not yet polled.
    fn start_call(
        &self,
        method: &Method,
        is_batch: bool,
        ctx: &C,
        input: RawInput,
        budget: &ResponseBudget,
        path: &str,
    ) -> BoxFuture<'static, CallOutput> {
        let Some(procedure) = self.inner.router.get(path) else {
            let err = TrpcError::not_found(format!("No procedure found on path \"{path}\""));
            return Box::pin(futures::future::ready(Err(err)));
        };
        let overridden = self.inner.config.allow_method_override && method == Method::POST;
        let accepted = match procedure.kind {
            ProcedureKind::Mutation => method == Method::POST,
            ProcedureKind::Query => method == Method::GET || overridden,
            ProcedureKind::Subscription => method == Method::GET,
        };
        if procedure.kind == ProcedureKind::Subscription && overridden {
            let err =
                TrpcError::new(ErrorCode::MethodNotSupported, "Method override is not supported for subscriptions");
            return Box::pin(futures::future::ready(Err(err)));
        }
        if !accepted {
            let kind = procedure.kind.as_str();
            let err = TrpcError::new(
                ErrorCode::MethodNotSupported,
                format!("Unsupported {method}-request to {kind} procedure at path \"{path}\""),
            );
            return Box::pin(futures::future::ready(Err(err)));
        }
        if procedure.kind == ProcedureKind::Subscription && is_batch {
            return Box::pin(futures::future::ready(Err(TrpcError::bad_request("Cannot batch subscription calls"))));
        }
        let transformer = self.inner.config.transformer;
        let input = if self.superjson() { input.and_then(superjson::decode_input) } else { input };
        budget.wrap(procedure.call(ctx.clone(), input, transformer))
    }

    fn report(&self, path: Option<&str>, error: &TrpcError) {
        if let Some(hook) = &self.inner.on_error {
            run_hook("on_error", || hook(CallFailure { path, error }));
        }
    }

    /// A single GET call of a subscription becomes an event stream.
    fn try_subscription(&self, parts: &Parts, call: &CallRequest, ctx: &C, inputs: &Inputs) -> Option<Response> {
        if call.is_batch || parts.method != Method::GET || call.paths.len() != 1 {
            return None;
        }
        let path = call.paths[0].clone();
        let start = self.inner.router.get(&path)?.subscription.clone()?;
        let mut input = inputs.get(0);
        if self.superjson() {
            input = input.and_then(superjson::decode_input);
        }
        let last_event_id = parts.headers.get("last-event-id").and_then(|v| v.to_str().ok());
        let input = input.map(|value| with_last_event_id(value, last_event_id));
        let this = self.clone();
        let shape = move |err: &TrpcError| {
            this.report(Some(&path), err);
            err.shape(Some(&path), this.inner.config.include_stack)
        };
        let mut started = start(ctx.clone(), input, self.inner.config.transformer);
        if let Some(hook) = self.inner.on_call.clone() {
            let name = call.paths[0].clone();
            let at = std::time::Instant::now();
            started = Box::pin(async move {
                let result = started.await;
                let code = result.as_ref().err().map(|e| e.code);
                let kind = Some(ProcedureKind::Subscription);
                run_hook("on_call", || hook(CallReport { path: Some(&name), kind, code, elapsed: at.elapsed() }));
                result
            });
        }
        Some(sse_response(started, self.inner.config.sse.clone(), self.superjson(), shape))
    }

    fn superjson(&self) -> bool {
        self.inner.config.transformer == Transformer::Superjson
    }

    /// An error shape as sent: plain, or `{json: shape}` under superjson.
    fn error_body(&self, shape: Value) -> Value {
        if self.superjson() { superjson::encode_error(shape) } else { shape }
    }

    /// Appends one call's envelope (`{"result":{"data":…}}` or `{"error":…}`) and returns its status.
    fn write_envelope(&self, out: &mut String, path: &str, result: CallOutput) -> StatusCode {
        match result {
            Ok(data) => {
                out.push_str("{\"result\":{\"data\":");
                if self.superjson() {
                    out.push_str(&superjson::envelope(data.json(), data.dates(), ""));
                } else {
                    out.push_str(data.json());
                }
                out.push_str("}}");
                StatusCode::OK
            }
            Err(err) => {
                self.report(Some(path), &err);
                let shape = err.shape(Some(path), self.inner.config.include_stack);
                out.push_str(&json!({ "error": self.error_body(shape) }).to_string());
                err.code.http_status()
            }
        }
    }

    fn json_response(&self, call: &CallRequest, results: Vec<CallOutput>) -> Response {
        let mut statuses = BTreeSet::new();
        let mut body = String::with_capacity(128 * results.len());
        if call.is_batch {
            body.push('[');
        }
        for (i, (path, result)) in call.paths.iter().zip(results).enumerate() {
            if i > 0 {
                body.push(',');
            }
            statuses.insert(self.write_envelope(&mut body, path, result));
        }
        if call.is_batch {
            body.push(']');
        }
        // One distinct status is the response status; a mix is 207 (getHTTPStatusCode).
        let status = match (statuses.len(), statuses.first()) {
            (1, Some(status)) => *status,
            _ => StatusCode::MULTI_STATUS,
        };
        json_body(status, body)
    }

    fn request_error(&self, err: TrpcError) -> Response {
        self.report(None, &err);
        let body = json!({ "error": self.error_body(err.shape(None, self.inner.config.include_stack)) });
        json_body(err.code.http_status(), body.to_string())
    }

    /// The JSON-lines response. Every call runs in its own task from the start,
    /// whatever the client reads (tRPC on Node does the same): its deadline and its
    /// database connection never wait on the client, and its lines go into a
    /// channel the body drains. A client that stops reading therefore holds only
    /// the finished lines (bounded by the response budget), and the server cuts
    /// its connection once a write has stalled for `WRITE_TIMEOUT_MS`. A client
    /// that goes away stops its queries; its mutations still finish.
    fn jsonl_response(&self, call: &CallRequest, calls: Vec<BoxFuture<'static, CallOutput>>) -> Response {
        let (encoder, head) = JsonlEncoder::start(calls.len(), self.superjson());
        let (lines, received) = mpsc::channel::<Bytes>(calls.len().max(1));
        let span = tracing::Span::current();
        let deadline = self.inner.config.stream_call_timeout;
        for (index, fut) in calls.into_iter().enumerate() {
            let this = self.clone();
            let path = call.paths.get(index).cloned();
            // A query whose client went away is stopped; a mutation runs to its end (as on Node).
            let cancellable =
                path.as_deref().and_then(|p| self.inner.router.get(p)).is_none_or(|p| p.kind == ProcedureKind::Query);
            let lines = lines.clone();
            let task = async move {
                let run = AssertUnwindSafe(tokio::time::timeout(deadline, fut)).catch_unwind();
                let outcome = if cancellable {
                    tokio::select! {
                        outcome = run => outcome,
                        () = lines.closed() => return,
                    }
                } else {
                    run.await
                };
                let result = match outcome {
                    Ok(Ok(result)) => result,
                    Ok(Err(_)) => {
                        let message = format!("Call exceeded {}ms timeout", deadline.as_millis());
                        Err(TrpcError::new(ErrorCode::GatewayTimeout, message))
                    }
                    Err(_) => {
                        tracing::error!(path = path.as_deref(), "procedure panicked");
                        Err(TrpcError::internal("An unexpected error occurred"))
                    }
                };
                let text = match result {
                    Ok(data) => encoder.success(index, &data),
                    Err(err) => {
                        this.report(path.as_deref(), &err);
                        encoder.error(index, err.shape(path.as_deref(), this.inner.config.include_stack))
                    }
                };
                // The receiver is gone only when the client is: nothing left to deliver to.
                let _ = lines.send(Bytes::from(text)).await;
            };
            tokio::spawn(task.instrument(span.clone()));
        }
        drop(lines);
        let rest = futures::stream::unfold(received, |mut rx| async move {
            rx.recv().await.map(|line| (Ok::<_, std::convert::Infallible>(line), rx))
        });
        let body = stream::once(async move { Ok(Bytes::from(head)) }).chain(rest);
        let mut response = Response::new(Body::from_stream(body));
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(header::VARY, HeaderValue::from_static("trpc-accept"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response.extensions_mut().insert(StreamingBody);
        response
    }
}

fn json_body(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    // Middleware adds a couple of dozen headers on the way out; one early
    // reservation saves the map from rehashing several times per response.
    headers.reserve(32);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::VARY, HeaderValue::from_static("trpc-accept"));
    response
}
