//! BetterAuth cookie and bearer parsing: any `Cookie` and `Authorization`
//! headers, and the signed-value verifier on its own.
#![no_main]

use std::sync::LazyLock;

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use nextstack::config::Config;

static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    let vars = [("NODE_ENV", "test"), ("BETTER_AUTH_SECRET", "fuzz-secret-that-is-long-enough-0123456789")];
    Config::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).expect("config")
});

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (cookie, bearer) = data.split_at(split);
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(cookie) {
        headers.append(http::header::COOKIE, value);
    }
    if let Ok(value) = HeaderValue::from_bytes(bearer.get(1..).unwrap_or_default()) {
        headers.insert(http::header::AUTHORIZATION, value);
    }
    let _ = nextstack::auth::session::token_from_headers(&CONFIG, &headers);
    let _ = nextstack::auth::session::dont_remember(&CONFIG, &headers);
    let _ = nextstack::auth::cookie::verify(&String::from_utf8_lossy(data), b"fuzz-secret");
});
