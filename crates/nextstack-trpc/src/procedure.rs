//! Procedures: plain async functions whose first argument states the caller's
//! auth level (anything implementing [`FromCtx`]) and whose optional second
//! argument is the typed, validated input.

use std::future::Future;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::TrpcError;
use crate::output::Serialized;
use crate::superjson::Transformer;
use crate::types::{Described, TypeDesc};
use crate::validation::{ValidateInput, parse_input};

/// The three tRPC procedure types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProcedureKind {
    /// Read-only; HTTP GET.
    Query,
    /// Writes; HTTP POST.
    Mutation,
    /// A stream of events (SSE); HTTP GET.
    Subscription,
}

impl ProcedureKind {
    /// The name tRPC uses in messages (`query`, `mutation`, `subscription`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Mutation => "mutation",
            Self::Subscription => "subscription",
        }
    }
}

/// Extracts a procedure's first argument from the request context, or refuses
/// the call. This is where auth levels live: an `Authed` argument that cannot be
/// built from an anonymous context makes the procedure unreachable without a session.
pub trait FromCtx<C>: Sized + Send + 'static {
    /// Builds the argument, or fails the call (typically `UNAUTHORIZED`/`FORBIDDEN`).
    fn from_ctx(ctx: &C) -> Result<Self, TrpcError>;
}

/// What a procedure input must be: deserializable, validated, and (with the
/// `typegen` feature) describable in TypeScript.
pub trait Input: DeserializeOwned + ValidateInput + Described + Send + 'static {}
impl<T: DeserializeOwned + ValidateInput + Described + Send + 'static> Input for T {}

/// What a procedure output must be: serializable and (with the `typegen`
/// feature) describable in TypeScript.
pub trait Output: Serialize + Described + Send + 'static {}
impl<T: Serialize + Described + Send + 'static> Output for T {}

/// Input and output types of a procedure (`input` is `None` when it takes none).
#[derive(Debug, Clone, Copy)]
pub struct ProcedureTypes {
    /// The input type, if any.
    pub input: Option<TypeDesc>,
    /// The output type.
    pub output: TypeDesc,
}

/// The raw input of one call: `Ok(None)` when the client sent none, `Err` when
/// the request's input could not be read or parsed. It is only looked at after
/// the auth check, so an anonymous caller with bad JSON still gets `UNAUTHORIZED`,
/// as tRPC's lazy `getRawInput` behaves.
pub type RawInput = Result<Option<Value>, TrpcError>;

/// A call's serialized output: written once, straight to JSON text, and
/// spliced into the envelope without another pass.
pub type CallOutput = Result<Serialized, TrpcError>;

pub(crate) type BoxedHandler<C> = Arc<dyn Fn(C, RawInput, Transformer) -> BoxFuture<'static, CallOutput> + Send + Sync>;
pub(crate) type BoxedBodyHandler<C> =
    Arc<dyn Fn(C, crate::body_input::BodyInput, Transformer) -> BoxFuture<'static, CallOutput> + Send + Sync>;

/// Implemented for async functions `fn(A) -> Result<O, E>` and
/// `fn(A, I) -> Result<O, E>`; `M` only tells the two shapes apart.
pub trait Handler<C, M>: Clone + Send + Sync + 'static {
    /// The input and output types.
    fn types() -> ProcedureTypes;
    /// Runs the procedure and serializes its output for `transformer`.
    fn call(&self, ctx: C, input: RawInput, transformer: Transformer) -> BoxFuture<'static, CallOutput>;
}

impl<C, F, Fut, A, O, E> Handler<C, (A,)> for F
where
    C: Send + 'static,
    F: Fn(A) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
    A: FromCtx<C>,
    O: Output,
    E: Into<TrpcError>,
{
    fn types() -> ProcedureTypes {
        ProcedureTypes { input: None, output: TypeDesc::of::<O>() }
    }

    fn call(&self, ctx: C, _input: RawInput, transformer: Transformer) -> BoxFuture<'static, CallOutput> {
        let arg = A::from_ctx(&ctx);
        let f = self.clone();
        Box::pin(async move {
            let output = f(arg?).await.map_err(Into::into)?;
            Serialized::new(&output, transformer)
        })
    }
}

impl<C, F, Fut, A, I, O, E> Handler<C, (A, I)> for F
where
    C: Send + 'static,
    F: Fn(A, I) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
    A: FromCtx<C>,
    I: Input,
    O: Output,
    E: Into<TrpcError>,
{
    fn types() -> ProcedureTypes {
        ProcedureTypes { input: Some(TypeDesc::of::<I>()), output: TypeDesc::of::<O>() }
    }

    fn call(&self, ctx: C, input: RawInput, transformer: Transformer) -> BoxFuture<'static, CallOutput> {
        let arg = A::from_ctx(&ctx);
        let f = self.clone();
        Box::pin(async move {
            let arg = arg?;
            let input: I = parse_input(input?)?;
            let output = f(arg, input).await.map_err(Into::into)?;
            Serialized::new(&output, transformer)
        })
    }
}

/// A registered procedure: its type, wire types and type-erased handler.
pub struct Procedure<C> {
    /// Query, mutation or subscription.
    pub kind: ProcedureKind,
    /// Input and output types, for TypeScript generation.
    pub types: ProcedureTypes,
    pub(crate) handler: BoxedHandler<C>,
    /// Subscriptions only: starts the event stream.
    pub(crate) subscription: Option<crate::subscription::BoxedSubscription<C>>,
    /// Mutations with a non-JSON input only: the body kind and the handler.
    pub(crate) body: Option<(crate::body_input::BodyKind, BoxedBodyHandler<C>)>,
}

impl<C> Clone for Procedure<C> {
    fn clone(&self) -> Self {
        Self {
            kind: self.kind,
            types: self.types,
            handler: self.handler.clone(),
            subscription: self.subscription.clone(),
            body: self.body.clone(),
        }
    }
}

impl<C: Send + 'static> Procedure<C> {
    pub(crate) fn new<M, H: Handler<C, M>>(kind: ProcedureKind, handler: H) -> Self {
        Self {
            kind,
            types: H::types(),
            handler: Arc::new(move |ctx, input, transformer| handler.call(ctx, input, transformer)),
            subscription: None,
            body: None,
        }
    }

    pub(crate) fn new_body<M, H: crate::body_input::BodyHandler<C, M>>(
        kind: crate::body_input::BodyKind,
        handler: H,
    ) -> Self {
        // A JSON call (any other Content-Type) is refused: the input is the body.
        let refuse: BoxedHandler<C> = Arc::new(move |_, _, _| {
            Box::pin(futures::future::ready(Err(TrpcError::new(
                crate::ErrorCode::UnsupportedMediaType,
                format!("This procedure takes {} input", kind.media_type()),
            ))))
        });
        Self {
            kind: ProcedureKind::Mutation,
            types: H::types(kind),
            handler: refuse,
            subscription: None,
            body: Some((kind, Arc::new(move |ctx, input, transformer| handler.call(ctx, input, transformer)))),
        }
    }

    pub(crate) fn new_subscription<M, H: crate::subscription::SubscriptionHandler<C, M>>(handler: H) -> Self {
        let refuse: BoxedHandler<C> = Arc::new(|_, _, _| {
            Box::pin(futures::future::ready(Err(TrpcError::new(
                crate::ErrorCode::MethodNotSupported,
                "Subscriptions are served over server-sent events (httpSubscriptionLink)",
            ))))
        });
        Self {
            kind: ProcedureKind::Subscription,
            types: H::types(),
            handler: refuse,
            subscription: Some(Arc::new(move |ctx, input, transformer| handler.start(ctx, input, transformer))),
            body: None,
        }
    }

    /// Runs the procedure with a context and raw input, serializing its output for `transformer`.
    pub fn call(&self, ctx: C, input: RawInput, transformer: Transformer) -> BoxFuture<'static, CallOutput> {
        (self.handler)(ctx, input, transformer)
    }
}
