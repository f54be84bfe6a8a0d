//! The tRPC request parser: path (`?batch=1` comma paths), the query string
//! (`input`), headers, and JSON or superjson bodies.
#![no_main]

use http::{HeaderMap, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;

// Layout: byte 0 = flags (method, superjson, jsonl); then path \n query \n content-type \n body.
fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let mut parts = rest.splitn(4, |b| *b == b'\n');
    let path = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let query = parts.next().map(String::from_utf8_lossy);
    let content_type = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let method = if flags & 1 == 0 { Method::GET } else { Method::POST };
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(content_type) {
        headers.insert(http::header::CONTENT_TYPE, value);
    }
    if flags & 4 != 0 {
        headers.insert("trpc-accept", HeaderValue::from_static("application/jsonl"));
    }
    nextstack_trpc::fuzzing::parse_request(&method, &path, query.as_deref(), &headers, body, flags & 2 != 0);
});
