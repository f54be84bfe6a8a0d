//! The headers helmet 7 sent on every response of the original server, exactly
//! (PROTOCOL.md "Middleware of the original server"); no `X-Powered-By`,
//! no `X-XSS-Protection`, no `Cross-Origin-Embedder-Policy`.

use axum::response::Response;
use http::{HeaderName, HeaderValue};

static HEADERS: [(HeaderName, HeaderValue); 11] = [
    (
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(
            "default-src 'self';style-src 'self' 'unsafe-inline';script-src 'self';img-src 'self' data: https:;base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';object-src 'none';script-src-attr 'none';upgrade-insecure-requests",
        ),
    ),
    (HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin")),
    (HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("same-origin")),
    (HeaderName::from_static("origin-agent-cluster"), HeaderValue::from_static("?1")),
    (HeaderName::from_static("referrer-policy"), HeaderValue::from_static("no-referrer")),
    (
        HeaderName::from_static("strict-transport-security"),
        HeaderValue::from_static("max-age=31536000; includeSubDomains; preload"),
    ),
    (HeaderName::from_static("x-content-type-options"), HeaderValue::from_static("nosniff")),
    (HeaderName::from_static("x-dns-prefetch-control"), HeaderValue::from_static("off")),
    (HeaderName::from_static("x-download-options"), HeaderValue::from_static("noopen")),
    (HeaderName::from_static("x-frame-options"), HeaderValue::from_static("SAMEORIGIN")),
    (HeaderName::from_static("x-permitted-cross-domain-policies"), HeaderValue::from_static("none")),
];

/// Adds the headers to a response (a plain function: the layer that calls it
/// needs no boxed future).
pub fn set(mut response: Response) -> Response {
    let headers = response.headers_mut();
    // Growing a HeaderMap rehashes it; one reservation for the whole set is
    // measurably cheaper on a hot path that adds eleven headers.
    headers.reserve(HEADERS.len() + 8);
    // helmet sets its headers before the route runs, so a route's own value wins (Express semantics):
    // e.g. stored files say `Cross-Origin-Resource-Policy: cross-origin` so other origins may show images.
    for (name, value) in HEADERS.iter() {
        headers.entry(name).or_insert_with(|| value.clone());
    }
    headers.remove("x-powered-by");
    response
}
