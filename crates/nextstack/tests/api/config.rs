//! Start-up validation of the real binary: each bad value stops it with exit
//! code 2 and one line naming the variable, never echoing a secret.

use std::process::Command;

fn run(env: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nextstack"));
    cmd.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).current_dir(dir.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn bad_values_exit_2_naming_the_variable() {
    let secret = "change-this-secret-value-that-is-long-0123456789";
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("PORT", "http")], "PORT"),
        (&[("NODE_ENV", "prod")], "NODE_ENV"),
        (&[("NODE_ENV", "production")], "BETTER_AUTH_SECRET"),
        (&[("NODE_ENV", "production"), ("BETTER_AUTH_SECRET", "too-short")], "BETTER_AUTH_SECRET"),
        (&[("NODE_ENV", "production"), ("BETTER_AUTH_SECRET", secret)], "BETTER_AUTH_SECRET"),
        (&[("DATABASE_URL", "mysql://localhost/db")], "DATABASE_URL"),
        (&[("DATABASE_URL", "postgres://user:hunter2@/db")], "DATABASE_URL"),
        (&[("REQUEST_TIMEOUT_MS", "-5")], "REQUEST_TIMEOUT_MS"),
    ];
    for (env, variable) in cases {
        let (code, stderr) = run(env);
        assert_eq!(code, Some(2), "{env:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains(variable), "{env:?} names {variable}: {stderr}");
        assert!(!stderr.contains(secret) && !stderr.contains("hunter2"), "no secrets: {stderr}");
    }
}

#[test]
fn migrate_applies_and_lists_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/m.db?mode=rwc", dir.path().display());
    let status = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_nextstack"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let before = status(&["migrate", "--status"]);
    assert!(before.contains("pending m20251001_000001_initial"), "{before}");
    let after = status(&["migrate"]);
    assert!(after.contains("applied m20251001_000001_initial"), "{after}");
}
