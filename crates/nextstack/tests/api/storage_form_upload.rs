//! `main.storage.upload`: a `FormData` upload through the server in one call
//! (tRPC 11's non-JSON inputs), streamed to storage. Named `storage_*` so the
//! suite's S3 run covers it too.

use nextstack::wire::user::Role;
use nextstack_entity::file;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, data, error_code, send_json};

const BOUNDARY: &str = "----nextstack-test-boundary-7MA4YWxkTrZu0gW";

/// A form part: its name, `Some((filename, content type))` for a file (`None` for text), its bytes.
pub type Part<'a> = (&'a str, Option<(&'a str, Option<&'a str>)>, &'a [u8]);

/// A `multipart/form-data` body of `parts`.
pub fn form_body(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some((filename, content_type)) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n").as_bytes(),
                );
                if let Some(content_type) = content_type {
                    body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
                }
            }
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n").as_bytes()),
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub fn form_content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

async fn post_form(app: &TestApp, path: &str, user: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let req = app.client.post(app.url(&format!("/trpc/{path}"))).header("content-type", form_content_type()).body(body);
    send_json(app.act_as(req, user)).await
}

fn field_errors(body: &Value) -> Vec<String> {
    body["error"]["data"]["zodError"]["fieldErrors"]["file"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

async fn files_of(app: &TestApp, user: &str) -> u64 {
    file::Entity::find().filter(file::Column::UserId.eq(user)).count(&app.db).await.unwrap()
}

#[tokio::test]
async fn a_form_upload_is_stored_and_downloads_back() {
    let app = TestApp::spawn().await;
    let user = app.create_user("form@example.com", Role::User).await;
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let body =
        form_body(&[("note", None, b"ignored"), ("file", Some(("Report 2026.pdf", Some("application/pdf"))), &bytes)]);
    let (status, body) = post_form(&app, "main.storage.upload", Some(&user), body).await;
    assert_eq!(status, 200, "{body}");
    let file = data(&body);
    assert_eq!(file["status"], "READY");
    assert_eq!(file["size"], bytes.len());
    assert_eq!(file["mimeType"], "application/pdf");
    assert_eq!(file["originalName"], "Report 2026.pdf");
    assert_eq!(file["filename"], "Report_2026.pdf");
    assert_eq!(file["userId"], user.as_str());

    let input = json!({ "fileId": file["id"] });
    let (status, ticket) = app.query("main.storage.getDownloadUrl", Some(&input), Some(&user)).await;
    assert_eq!(status, 200, "{ticket}");
    let res = app.client.get(data(&ticket)["downloadUrl"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
    let (_, stats) = app.query("main.user.stats", Some(&json!({ "userId": user })), Some(&user)).await;
    assert_eq!(data(&stats)["files"], json!({ "count": 1, "bytes": bytes.len() }));
}

#[tokio::test]
async fn bad_form_uploads_are_refused_with_field_errors_and_leave_nothing() {
    let app =
        TestApp::builder().env("MAX_UPLOAD_BYTES", "1000").env("STORAGE_QUOTA_BYTES_PER_USER", "1500").spawn().await;
    let user = app.create_user("refused@example.com", Role::User).await;
    let big = vec![7u8; 1001];
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (form_body(&[("file", Some(("big.bin", Some("application/octet-stream"))), &big)]), "too large"),
        (form_body(&[("file", Some(("x.bin", Some("nonsense"))), b"x")]), "type/subtype"),
        (form_body(&[("file", Some(("../up.txt", Some("text/plain"))), b"x")]), "Filename"),
        (form_body(&[("file", Some(("empty.txt", Some("text/plain"))), b"")]), "empty"),
        (form_body(&[("file", None, b"just text")]), "Expected a file"),
        (form_body(&[("other", Some(("a.txt", Some("text/plain"))), b"x")]), "Required"),
    ];
    for (body, expected) in cases {
        let (status, body) = post_form(&app, "main.storage.upload", Some(&user), body).await;
        assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "{expected}: {body}");
        let problems = field_errors(&body);
        assert!(problems.iter().any(|p| p.contains(expected)), "{expected}: {problems:?}");
    }
    // Within MAX_UPLOAD_BYTES, but past the quota once the real size is known.
    let (status, _) =
        post_form(&app, "main.storage.upload", Some(&user), form_body(&[("file", Some(("a.bin", None)), &[1; 900])]))
            .await;
    assert_eq!(status, 200);
    let (status, body) =
        post_form(&app, "main.storage.upload", Some(&user), form_body(&[("file", Some(("b.bin", None)), &[2; 900])]))
            .await;
    assert_eq!(status, 400, "{body}");
    assert!(field_errors(&body).iter().any(|p| p.contains("quota")), "{body}");
    assert_eq!(files_of(&app, &user).await, 1, "only the upload that fit is left");

    let (status, body) = post_form(&app, "main.storage.upload", Some(&user), b"--nope\r\n".to_vec()).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "a malformed form: {body}");
}

#[tokio::test]
async fn form_bodies_go_only_to_procedures_that_take_them() {
    let app = TestApp::spawn().await;
    let user = app.create_user("kinds@example.com", Role::User).await;
    let form = || form_body(&[("file", Some(("a.txt", Some("text/plain"))), b"hello")]);

    let (status, body) = post_form(&app, "main.storage.upload", None, form()).await;
    assert_eq!((status, error_code(&body)), (401, "UNAUTHORIZED"), "{body}");
    let (status, body) = post_form(&app, "core.post.create", Some(&user), form()).await;
    assert_eq!((status, error_code(&body)), (415, "UNSUPPORTED_MEDIA_TYPE"), "{body}");
    assert_eq!(body["error"]["message"], "Procedure \"core.post.create\" does not take multipart/form-data input");
    let (status, body) = post_form(&app, "nope.missing", Some(&user), form()).await;
    assert_eq!((status, error_code(&body)), (404, "NOT_FOUND"), "{body}");
    let (status, body) = app.mutation("main.storage.upload", &json!({ "file": "hello" }), Some(&user)).await;
    assert_eq!((status, error_code(&body)), (415, "UNSUPPORTED_MEDIA_TYPE"), "JSON to a form procedure: {body}");
    let octet = app
        .client
        .post(app.url("/trpc/main.storage.upload"))
        .header("content-type", "application/octet-stream")
        .body("hello");
    let (status, body) = send_json(app.act_as(octet, Some(&user))).await;
    assert_eq!((status, error_code(&body)), (415, "UNSUPPORTED_MEDIA_TYPE"), "{body}");
    let get = app.client.get(app.url("/trpc/main.storage.upload")).header("content-type", form_content_type());
    let (status, body) = send_json(app.act_as(get, Some(&user))).await;
    assert_eq!((status, error_code(&body)), (405, "METHOD_NOT_SUPPORTED"), "{body}");
    assert_eq!(files_of(&app, &user).await, 0);
}

/// `VmRSS` or `VmHWM` of a process, in bytes.
fn memory_of(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"));
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

/// A 50 MiB file streamed through the real binary raises its peak RSS by a
/// few MiB at most: the body goes to storage chunk by chunk, never whole.
#[tokio::test]
async fn a_50_mib_form_upload_streams_without_buffering() {
    const FILE_BYTES: usize = 50 * 1024 * 1024;
    let server = crate::shutdown::ServerProcess::start(&[("MAX_UPLOAD_BYTES", &(64 * 1024 * 1024).to_string())]);
    let base = format!("http://127.0.0.1:{}", server.port);
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{base}/api/auth/sign-up/email"))
        .json(&json!({ "email": "big@example.com", "password": "a long enough password", "name": "Big" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let token = res.headers()["set-auth-token"].to_str().unwrap().to_string();
    let upload = |body: reqwest::Body| {
        client
            .post(format!("{base}/trpc/main.storage.upload"))
            .header("content-type", form_content_type())
            .header("authorization", format!("Bearer {token}"))
            .body(body)
            .send()
    };
    // Warm up (first-use allocations), then measure the peak from here.
    let small = form_body(&[("file", Some(("warm.bin", None)), &[1; 100_000])]);
    assert_eq!(upload(small.into()).await.unwrap().status(), 200);
    let pid = server.child.id();
    let before = memory_of(pid, "VmRSS:");
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("reset the peak RSS");

    // The form's head, 50 MiB generated as it is sent (chunked), the form's tail.
    let head = form_body(&[("file", Some(("big.bin", Some("application/octet-stream"))), b"")]);
    let split = head.len() - format!("\r\n--{BOUNDARY}--\r\n").len();
    let (opening, closing) = (head[..split].to_vec(), head[split..].to_vec());
    let chunks = futures::stream::iter(
        std::iter::once(opening)
            .chain((0..FILE_BYTES / 65_536).map(|i| vec![(i % 251) as u8; 65_536]))
            .chain(std::iter::once(closing))
            .map(Ok::<_, std::io::Error>),
    );
    let res = upload(reqwest::Body::wrap_stream(chunks)).await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(data(&body)["size"], FILE_BYTES);
    let peak = memory_of(pid, "VmHWM:");
    let growth = peak.saturating_sub(before);
    assert!(growth < 8 * 1024 * 1024, "peak RSS grew by {} KiB during a 50 MiB upload", growth / 1024);
}
