//! The per-request tRPC context (tRPC's `createContext`).

use http::request::Parts;
use nextstack_trpc::TrpcError;

use crate::app::AppState;
use crate::middleware::request_id::RequestId;
use crate::rpc::identity::Caller;

/// What every procedure call of one request shares.
#[derive(Clone)]
pub struct Ctx {
    /// The application.
    pub state: AppState,
    /// The signed-in caller, if any.
    pub caller: Option<Caller>,
    /// The request id (also in every log line of the request).
    pub request_id: RequestId,
}

/// Builds the context: resolves the caller once per HTTP request, however many calls it batches.
pub fn create(state: &AppState, parts: &Parts) -> impl Future<Output = Result<Ctx, TrpcError>> + Send + use<> {
    let request_id = RequestId::of(&parts.extensions);
    let resolving = state.identity.resolve(state, parts);
    let state = state.clone();
    async move {
        let caller = resolving.await.map_err(TrpcError::from)?;
        Ok(Ctx { state, caller, request_id })
    }
}
