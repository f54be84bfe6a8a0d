//! The ceiling for sign-in throughput: how many BetterAuth password checks
//! (scrypt N=16384, r=16, p=1) this machine does per second on all its cores.
//! `cargo run --release --example hash_bound -- 5` prints `{"hashes_per_sec": …}`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use nextstack::auth::password::{hash_blocking, verify_blocking};

fn main() {
    let seconds: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let stored = hash_blocking("bench password 123");
    let done = AtomicU64::new(0);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    std::thread::scope(|scope| {
        for _ in 0..cores {
            scope.spawn(|| {
                while Instant::now() < deadline {
                    // The same work as one sign-in: derive and compare.
                    assert!(verify_blocking("bench password 123", &stored));
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    println!("{{\"hashes_per_sec\": {rate:.1}, \"threads\": {cores}}}");
}
