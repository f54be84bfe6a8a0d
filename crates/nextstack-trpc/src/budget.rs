//! A response's byte budget (`max_response_bytes`, decision 21): each call's
//! serialized output is charged as soon as the call completes, and a call that
//! would take the response past the budget fails with `PAYLOAD_TOO_LARGE`
//! instead of being buffered, so one small request cannot make the server hold
//! gigabytes (a batch of 100 large list pages).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::future::BoxFuture;

use crate::error::{ErrorCode, TrpcError};
use crate::procedure::CallOutput;

/// Bytes left for one response; shared by its calls.
#[derive(Debug, Clone)]
pub(crate) struct ResponseBudget {
    max: usize,
    used: Arc<AtomicUsize>,
}

impl ResponseBudget {
    pub fn new(max: usize) -> Self {
        Self { max, used: Arc::new(AtomicUsize::new(0)) }
    }

    /// `call`, failing with `PAYLOAD_TOO_LARGE` when its output does not fit what is left.
    pub fn wrap(&self, call: BoxFuture<'static, CallOutput>) -> BoxFuture<'static, CallOutput> {
        let budget = self.clone();
        Box::pin(async move { budget.charge(call.await) })
    }

    fn charge(&self, result: CallOutput) -> CallOutput {
        let Ok(data) = result else { return result };
        let len = data.json().len();
        let fits = self
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(len).filter(|total| *total <= self.max)
            })
            .is_ok();
        if fits {
            return Ok(data);
        }
        Err(TrpcError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "The response would exceed {} bytes; ask for fewer or smaller items (this call's result has {len} bytes)",
                self.max
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(len: usize) -> CallOutput {
        crate::output::Serialized::new(&"x".repeat(len - 2), crate::Transformer::None)
    }

    #[test]
    fn calls_past_the_budget_fail_and_the_rest_pass() {
        let budget = ResponseBudget::new(100);
        assert!(budget.charge(output(60)).is_ok());
        let refused = budget.charge(output(60)).unwrap_err();
        assert_eq!(refused.code, ErrorCode::PayloadTooLarge);
        assert!(budget.charge(output(40)).is_ok(), "a smaller call still fits");
        assert!(budget.charge(Err(TrpcError::bad_request("x"))).is_err(), "errors pass through uncharged");
    }
}
