//! The storage key and filename rules: whatever the client names a file, the
//! key the server makes is safe and maps inside the storage folder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nextstack::storage::key::{filename_problem, is_mime_type, is_safe_key, new_key, sanitize};

fuzz_target!(|data: &[u8]| {
    let name = String::from_utf8_lossy(data);
    let _ = is_mime_type(&name);
    let cleaned = sanitize(&name);
    assert!(!cleaned.contains('/') && !cleaned.contains('\\') && cleaned != ".." , "sanitized: {cleaned:?}");
    if filename_problem(&name).is_none() {
        let key = new_key("cfuzzuser0000000000000000", &name);
        assert!(is_safe_key(&key), "a key the server made is unsafe: {key:?}");
    }
    let _ = is_safe_key(&name);
});
