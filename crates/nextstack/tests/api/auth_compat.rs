//! Cross-checks with BetterAuth itself (`clients/better-auth`, the npm
//! `better-auth` 1.3 package): hashes and signed cookies made by either side
//! verify on the other.

use std::path::PathBuf;
use std::process::Command;

use nextstack::auth::{cookie, password};
use serde_json::Value;

const SECRET: &str = "compat-secret-0123456789abcdef0123456789";
const PASSWORD: &str = "correct horse ﬁ battery";
const TOKEN: &str = "Xy3kP9qLm2Nv8RtW5zAb7CdE1fGh4JkL";

fn compat(args: &[String]) -> (bool, Value) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../clients/better-auth");
    assert!(
        dir.join("node_modules/better-auth").is_dir(),
        "run `npm ci` in clients/better-auth first (scripts/test does)"
    );
    let out = Command::new("node").arg("compat.mjs").args(args).current_dir(dir).output().expect("node is installed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    assert!(out.status.code() != Some(2), "usage error: {}", String::from_utf8_lossy(&out.stderr));
    (out.status.success(), json)
}

/// BetterAuth's own password hash and signed session cookie:
/// `{"hash": …, "cookie": …}` (the cookie value URL-encoded).
pub fn better_auth_produces(secret: &str, password: &str, token: &str) -> Value {
    let (ok, produced) = compat(&[
        "produce".into(),
        format!("--secret={secret}"),
        format!("--password={password}"),
        format!("--token={token}"),
    ]);
    assert!(ok, "{produced}");
    produced
}

#[test]
fn better_auth_hashes_and_cookies_verify_here() {
    let produced = better_auth_produces(SECRET, PASSWORD, TOKEN);
    let hash = produced["hash"].as_str().unwrap();
    assert!(password::verify_blocking(PASSWORD, hash), "BetterAuth's hash verifies");
    assert!(!password::verify_blocking("wrong password", hash));
    let value = produced["cookie"].as_str().unwrap();
    assert_eq!(value, cookie::cookie_value(TOKEN, SECRET.as_bytes()), "identical cookie bytes");
    assert_eq!(cookie::verify(value, SECRET.as_bytes()).as_deref(), Some(TOKEN));
}

#[test]
fn our_hashes_and_cookies_verify_in_better_auth() {
    let hash = password::hash_blocking(PASSWORD);
    let value = cookie::cookie_value(TOKEN, SECRET.as_bytes());
    let (ok, verdict) = compat(&[
        "verify".into(),
        format!("--secret={SECRET}"),
        format!("--password={PASSWORD}"),
        format!("--hash={hash}"),
        format!("--token={TOKEN}"),
        format!("--cookie={value}"),
    ]);
    assert!(ok, "BetterAuth rejected: {verdict}");
    assert_eq!(verdict, serde_json::json!({"password": true, "cookie": true}));
}
