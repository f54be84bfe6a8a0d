//! Running the repo's Node programs (`clients/*`) from tests.

use std::path::PathBuf;
use std::process::Command;

/// Runs `node <script>` in `clients/<client>` with `env`, after checking that
/// `npm ci` installed `package` there, and asserts it reported `expected`
/// (its `N passed, 0 failed` line).
pub async fn run_node_checks(
    client: &str,
    package: &str,
    script: &str,
    env: Vec<(&'static str, String)>,
    expected: &str,
) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../clients").join(client);
    assert!(
        dir.join("node_modules").join(package).is_dir(),
        "run `npm ci` in clients/{client} first (scripts/test does)"
    );
    let script = script.to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg(script).current_dir(&dir).envs(env).output().expect("node is installed")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{client} checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(expected), "{stdout}");
}
