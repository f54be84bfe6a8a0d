//! Storage going away mid-flow: `confirmUpload` answers SERVICE_UNAVAILABLE,
//! the file stays PENDING, and it confirms once storage is back; a delete
//! during an outage is finished by the sweep. Runs its own
//! s3s-fs (the S3-compatible server `scripts/test` installs) so it can stop it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nextstack::storage::sweep;
use nextstack::wire::user::Role;
use nextstack_entity::{FileStatus, file};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::TestApp;

const ACCESS_KEY: &str = "fault-test";
const SECRET_KEY: &str = "fault-test-secret";
const BUCKET: &str = "fault-bucket";

/// `S3S_FS_BIN`, else `s3s-fs` from cargo's bin folder or `PATH`.
fn s3s_fs_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("S3S_FS_BIN") {
        return bin.into();
    }
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .map(|home| home.join("bin/s3s-fs"));
    cargo_bin.filter(|p| p.exists()).unwrap_or_else(|| "s3s-fs".into())
}

struct S3Server {
    child: Child,
}

impl S3Server {
    async fn start(root: &Path, port: u16) -> Self {
        let mut child = Command::new(s3s_fs_binary())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("s3s-fs must be installed (scripts/test installs it)");
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Self { child };
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("s3s-fs did not start on port {port}");
    }

    /// Kills the server (dropping it does the same).
    fn stop(self) {}
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn storage_unreachable_during_confirm_is_503_and_the_file_stays_pending() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join(BUCKET)).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = S3Server::start(root.path(), port).await;
    let app = TestApp::builder()
        .env("STORAGE_TYPE", "s3")
        .env("S3_ENDPOINT", format!("http://127.0.0.1:{port}"))
        .env("S3_BUCKET", BUCKET)
        .env("S3_ACCESS_KEY", ACCESS_KEY)
        .env("S3_SECRET_KEY", SECRET_KEY)
        .spawn()
        .await;
    let user = app.create_user("fault@example.com", Role::User).await;
    let input = json!({"filename": "a.txt", "mimeType": "text/plain", "size": 5});
    let (status, body) = app.mutation("main.storage.requestUpload", &input, Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    let ticket = &body["result"]["data"];
    let file_id = ticket["fileId"].as_str().unwrap().to_string();
    let res = app
        .client
        .put(ticket["uploadUrl"].as_str().unwrap())
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());

    server.stop();
    let (status, body) = app.mutation("main.storage.confirmUpload", &json!({"fileId": file_id}), Some(&user)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["data"]["code"], "SERVICE_UNAVAILABLE");
    assert_eq!(body["error"]["message"], "The service is temporarily unavailable, please retry");
    let row = file::Entity::find_by_id(file_id.clone()).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.status, FileStatus::Pending);
    // Storage is shared by every replica: /ready says degraded, and stays 200 (API.md).
    let ready = app.get("/ready").await;
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!((ready["status"].as_str(), ready["checks"]["storage"].as_str()), (Some("degraded"), Some("down")));

    let server = S3Server::start(root.path(), port).await;
    let (status, body) = app.mutation("main.storage.confirmUpload", &json!({"fileId": file_id}), Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["data"]["status"], "READY");
    assert_eq!(app.get("/ready").await.status(), 200);
    let key = body["result"]["data"]["storageKey"].as_str().unwrap().to_string();

    // Deleting while storage is down: the row is soft-deleted at once, the
    // object stays marked for removal, and the sweep removes it later.
    server.stop();
    let (status, body) = app.mutation("core.file.delete", &json!({"fileId": file_id}), Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["data"]["status"], "DELETED");
    assert!(body["result"]["data"]["url"].is_string(), "removal still pending: {body}");
    let report = sweep::run_once(&app.db, &app.storage).await.unwrap();
    assert_eq!((report.removed, report.failed), (0, 1));
    let _server = S3Server::start(root.path(), port).await;
    assert_eq!(app.storage.size_of(&key).await.unwrap(), Some(5), "still there until the sweep");
    let report = sweep::run_once(&app.db, &app.storage).await.unwrap();
    assert_eq!((report.removed, report.failed), (1, 0));
    assert_eq!(app.storage.size_of(&key).await.unwrap(), None);
    let row = file::Entity::find_by_id(file_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((row.status, row.url), (FileStatus::Deleted, None));
}
