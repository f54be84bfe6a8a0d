//! Non-JSON inputs (tRPC 11's "non-JSON content types"): a mutation may take
//! `multipart/form-data` (`FormData`) or `application/octet-stream` (`File`,
//! `Blob`, `Uint8Array`). Such a call is never batched; the procedure gets
//! the request body as a stream and reads it itself, so nothing is buffered
//! whole (tRPC's `formDataContentTypeHandler` / `octetStreamContentTypeHandler`).

use std::future::Future;

use axum::body::Body;
use futures::future::BoxFuture;
use http::HeaderMap;

use crate::error::{ErrorCode, TrpcError};
use crate::output::Serialized;
use crate::procedure::{CallOutput, FromCtx, Output, ProcedureTypes};
use crate::superjson::Transformer;
use crate::types::TypeDesc;

/// Which non-JSON body a procedure takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `multipart/form-data`: a `FormData` on the client.
    FormData,
    /// `application/octet-stream`: a `File`, `Blob` or `Uint8Array` on the client.
    OctetStream,
}

impl BodyKind {
    /// The kind a request's `Content-Type` names, if it names one (also for
    /// layers in front of the engine that treat such bodies apart).
    pub fn of(headers: &HeaderMap) -> Option<Self> {
        // Asked on every tRPC request: compare in place, no lowercased copy.
        let content_type = headers.get(http::header::CONTENT_TYPE)?.as_bytes().trim_ascii_start();
        let names =
            |media: &str| content_type.get(..media.len()).is_some_and(|p| p.eq_ignore_ascii_case(media.as_bytes()));
        [Self::FormData, Self::OctetStream].into_iter().find(|kind| names(kind.media_type()))
    }

    /// The media type, for messages.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::FormData => "multipart/form-data",
            Self::OctetStream => "application/octet-stream",
        }
    }

    /// The input's TypeScript type in the generated `AppRouter`.
    #[cfg(feature = "typegen")]
    fn type_desc(self) -> TypeDesc {
        TypeDesc {
            inline: match self {
                Self::FormData => |_| "FormData".to_string(),
                Self::OctetStream => |_| "Blob | Uint8Array | File".to_string(),
            },
            dependencies: |_| Vec::new(),
            declarations: |_| Vec::new(),
            named: |_| None,
        }
    }

    #[cfg(not(feature = "typegen"))]
    fn type_desc(self) -> TypeDesc {
        TypeDesc
    }
}

/// The body of a call with a non-JSON input, unread.
pub struct BodyInput {
    kind: BodyKind,
    content_type: String,
    body: Body,
}

impl std::fmt::Debug for BodyInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyInput").field("kind", &self.kind).field("content_type", &self.content_type).finish()
    }
}

impl BodyInput {
    pub(crate) fn new(kind: BodyKind, headers: &HeaderMap, body: Body) -> Self {
        let content_type = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(kind.media_type())
            .to_string();
        Self { kind, content_type, body }
    }

    /// FormData or octet-stream.
    pub fn kind(&self) -> BodyKind {
        self.kind
    }

    /// The request's `Content-Type`.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The raw body, for octet-stream inputs.
    pub fn into_body(self) -> Body {
        self.body
    }

    /// The form's fields, read as they arrive. A `multipart/form-data` body
    /// without a boundary is `BAD_REQUEST`.
    pub fn into_form(self) -> Result<multer::Multipart<'static>, TrpcError> {
        let boundary = multer::parse_boundary(&self.content_type)
            .map_err(|_| TrpcError::bad_request("multipart/form-data needs a boundary in its Content-Type"))?;
        Ok(multer::Multipart::new(self.body.into_data_stream(), boundary))
    }
}

/// A mutation taking a non-JSON body: `fn(A, BodyInput) -> Result<O, E>`.
pub trait BodyHandler<C, M>: Clone + Send + Sync + 'static {
    /// The input and output types.
    fn types(kind: BodyKind) -> ProcedureTypes;
    /// Runs the procedure and serializes its output for `transformer`.
    fn call(&self, ctx: C, input: BodyInput, transformer: Transformer) -> BoxFuture<'static, CallOutput>;
}

impl<C, F, Fut, A, O, E> BodyHandler<C, (A, BodyInput)> for F
where
    C: Send + 'static,
    F: Fn(A, BodyInput) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
    A: FromCtx<C>,
    O: Output,
    E: Into<TrpcError>,
{
    fn types(kind: BodyKind) -> ProcedureTypes {
        ProcedureTypes { input: Some(kind.type_desc()), output: TypeDesc::of::<O>() }
    }

    fn call(&self, ctx: C, input: BodyInput, transformer: Transformer) -> BoxFuture<'static, CallOutput> {
        // The auth level is checked before the body is touched: an anonymous
        // upload is refused without reading it.
        let arg = A::from_ctx(&ctx);
        let f = self.clone();
        Box::pin(async move {
            let output = f(arg?, input).await.map_err(Into::into)?;
            Serialized::new(&output, transformer)
        })
    }
}

/// How a procedure refuses a body it does not take.
pub(crate) fn refuse(path: &str, kind: BodyKind) -> TrpcError {
    TrpcError::new(
        ErrorCode::UnsupportedMediaType,
        format!("Procedure \"{path}\" does not take {} input", kind.media_type()),
    )
}
