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

/// A Node program that talks to the test while it runs: it prints lines the
/// test waits for, and reads lines the test sends (e.g. a provider's issuer
/// out, the server's URL in). Killed on drop.
pub struct NodeSession {
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    stdout: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    seen: Vec<String>,
}

impl NodeSession {
    /// Starts `node <script>` in `clients/<client>`.
    pub fn start(client: &str, script: &str) -> Self {
        use std::process::Stdio;
        use tokio::io::AsyncBufReadExt;
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../clients").join(client);
        assert!(dir.join("node_modules").is_dir(), "run `npm ci` in clients/{client} first (scripts/test does)");
        let mut child = tokio::process::Command::new("node")
            .arg(script)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node is installed");
        let stdin = child.stdin.take();
        let stdout = tokio::io::BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        Self { child, stdin, stdout, seen: Vec::new() }
    }

    /// Waits for a line starting with `prefix`; returns the rest of it.
    pub async fn expect_line(&mut self, prefix: &str) -> String {
        while let Some(line) = self.stdout.next_line().await.expect("node output") {
            if let Some(rest) = line.strip_prefix(prefix) {
                return rest.trim().to_string();
            }
            self.seen.push(line);
        }
        panic!("node ended before printing {prefix:?}:\n{}", self.seen.join("\n"));
    }

    /// Sends one line.
    pub async fn send_line(&mut self, line: &str) {
        use tokio::io::AsyncWriteExt;
        let stdin = self.stdin.as_mut().expect("node stdin");
        stdin.write_all(format!("{line}\n").as_bytes()).await.expect("write to node");
        stdin.flush().await.expect("flush to node");
    }

    /// Reads the rest of the output and asserts the program succeeded and printed `expected`.
    pub async fn finish(mut self, expected: &str) {
        while let Some(line) = self.stdout.next_line().await.expect("node output") {
            self.seen.push(line);
        }
        let status = self.child.wait().await.expect("node exit");
        let output = self.seen.join("\n");
        assert!(status.success(), "node checks failed:\n{output}");
        assert!(output.contains(expected), "{output}");
    }
}
