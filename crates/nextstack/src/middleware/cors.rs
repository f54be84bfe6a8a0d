//! CORS (PROTOCOL.md decision 11): only listed origins get CORS headers, with
//! credentials; a foreign origin gets none (the browser blocks it), not a 500.

use std::time::Duration;

use http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::Config;

/// The CORS layer for `CORS_ORIGINS` plus `BETTER_AUTH_URL`'s origin.
pub fn layer(config: &Config) -> CorsLayer {
    let origins: Vec<HeaderValue> = config.cors_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    let header = HeaderName::from_static;
    // `CORS_ALLOWED_HEADERS` were checked when the configuration was read.
    let configured = config.cors_allowed_headers.iter().filter_map(|h| HeaderName::from_bytes(h.as_bytes()).ok());
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS, Method::PATCH])
        .allow_headers(
            [
                header("content-type"),
                header("authorization"),
                header("x-requested-with"),
                header("x-request-id"),
                header("accept"),
                header("origin"),
                header("trpc-accept"),
                header("last-event-id"),
                header("range"),
                header("if-none-match"),
                // create-t3-app's links tag each request with its source.
                header("x-trpc-source"),
            ]
            .into_iter()
            .chain(configured)
            .collect::<Vec<_>>(),
        )
        .expose_headers([
            header("x-request-id"),
            header("ratelimit-limit"),
            header("ratelimit-remaining"),
            header("ratelimit-reset"),
            header("ratelimit-policy"),
            header("retry-after"),
            header("set-auth-token"),
            header("etag"),
            header("content-range"),
            header("accept-ranges"),
        ])
        .max_age(Duration::from_secs(86_400))
}
