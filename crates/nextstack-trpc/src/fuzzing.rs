//! Entry points for `cargo fuzz` (the `fuzz/` crate): the request parser as
//! the engine runs it, without a server. Not part of the public API.

use http::{HeaderMap, Method};

use crate::request::{CallRequest, Inputs, check_content_type};
use crate::superjson;

/// Everything the engine does with a request before any procedure runs: the
/// path (with `?batch=1` comma paths), the query string, the content type, the
/// JSON or superjson input of each call, and the NUL scan of validation.
pub fn parse_request(
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
    superjson_on: bool,
) {
    let call = CallRequest::parse(path, query, headers);
    let _ = check_content_type(method, headers);
    let inputs = if *method == Method::GET {
        Inputs::parse(call.query_input.as_deref().map(str::as_bytes), call.is_batch)
    } else {
        Inputs::parse(Some(body), call.is_batch)
    };
    for index in 0..call.paths.len().min(256) {
        let mut input = inputs.get(index);
        if superjson_on {
            input = input.and_then(superjson::decode_input);
        }
        if let Ok(Some(value)) = &input {
            let _ = crate::validation::nul_at(value);
        }
    }
}
