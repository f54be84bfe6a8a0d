//! The feed's cursor input (`main.post.feed {cursor, limit}`) as the engine
//! decodes and validates it: any JSON, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nextstack::procedures::main::post::FeedInput;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(input) = nextstack_trpc::validation::parse_input::<FeedInput>(Some(value)) {
        if let Some(cursor) = input.cursor {
            assert!(nextstack_trpc::validation::cuid(&cursor, &()).is_ok());
        }
    }
});
