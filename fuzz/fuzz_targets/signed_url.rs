//! The signed local-storage URL verifier: any key and query string, never a
//! panic; nothing verifies unless this server signed it, and what it signs verifies.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use nextstack::storage::local::{LocalUrls, Op, Signed};

static URLS: LazyLock<LocalUrls> =
    LazyLock::new(|| LocalUrls::new("/tmp/nextstack-fuzz".into(), "http://localhost:3001".into(), b"fuzz-secret"));

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (key, query) = text.split_once('?').unwrap_or((&text, ""));
    let _ = URLS.path_of(key);
    if let Some(signed) = Signed::from_query(query) {
        for op in [Op::Upload, Op::Download] {
            assert!(URLS.verify(op, key, &signed, 0).is_err(), "a forged URL verified: {text:?}");
        }
    }
    // Round trip: a URL the server signs for this key verifies (keys never hold `?`: it split them).
    let url = URLS.url(Op::Download, key, "text/plain", None, 4_000_000_000);
    let (_, signed_query) = url.split_once('?').expect("a signed URL has a query");
    let signed = Signed::from_query(signed_query).expect("a URL the server made parses");
    assert!(URLS.verify(Op::Download, key, &signed, 0).is_ok(), "the server's own URL failed: {url}");
});
