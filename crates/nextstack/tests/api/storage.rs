//! Files end to end: presigned upload, confirm, download, delete, avatar, sweep.
//! Runs against the local disk, and again against a real S3-compatible server
//! (s3s-fs, which verifies SigV4 signatures) when `TEST_STORAGE=s3`.

use std::time::Duration;

use nextstack::storage::sweep;
use nextstack::wire::user::Role;
use nextstack_entity::{FileStatus, file};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use crate::helpers::{TestApp, data, error_code, storage_is_s3};

/// Bytes that compress badly and differ per call.
fn payload(len: usize) -> Vec<u8> {
    let seed = rand::random::<u64>();
    (0..len).map(|i| ((i as u64).wrapping_mul(2_654_435_761) ^ seed) as u8).collect()
}

struct Ticket {
    file_id: String,
    upload_url: String,
    storage_key: String,
}

async fn request_upload(app: &TestApp, user: &str, filename: &str, mime: &str, size: usize) -> Ticket {
    let input = json!({"filename": filename, "mimeType": mime, "size": size});
    let (status, body) = app.mutation("main.storage.requestUpload", &input, Some(user)).await;
    assert_eq!(status, 200, "{body}");
    let d = data(&body);
    Ticket {
        file_id: d["fileId"].as_str().unwrap().into(),
        upload_url: d["uploadUrl"].as_str().unwrap().into(),
        storage_key: d["storageKey"].as_str().unwrap().into(),
    }
}

/// `PUT` as a browser would: plain HTTP, only `Content-Type`.
async fn put(app: &TestApp, url: &str, mime: &str, bytes: Vec<u8>) -> reqwest::Response {
    app.client.put(url).header("content-type", mime).body(bytes).send().await.expect("PUT")
}

async fn confirm(app: &TestApp, user: &str, file_id: &str) -> (u16, Value) {
    app.mutation("main.storage.confirmUpload", &json!({"fileId": file_id}), Some(user)).await
}

/// Request, PUT, confirm: returns the READY file.
async fn upload(app: &TestApp, user: &str, filename: &str, mime: &str, bytes: &[u8]) -> Value {
    let ticket = request_upload(app, user, filename, mime, bytes.len()).await;
    let res = put(app, &ticket.upload_url, mime, bytes.to_vec()).await;
    assert!(res.status().is_success(), "PUT {}: {}", res.status(), res.text().await.unwrap_or_default());
    let (status, body) = confirm(app, user, &ticket.file_id).await;
    assert_eq!(status, 200, "{body}");
    data(&body).clone()
}

async fn download_url(app: &TestApp, user: &str, file_id: &str, expires_in: Option<u64>) -> (u16, Value) {
    let mut input = json!({"fileId": file_id});
    if let Some(secs) = expires_in {
        input["expiresIn"] = json!(secs);
    }
    app.query("main.storage.getDownloadUrl", Some(&input), Some(user)).await
}

async fn file_row(app: &TestApp, id: &str) -> file::Model {
    file::Entity::find_by_id(id.to_string()).one(&app.db).await.unwrap().expect("file row")
}

#[tokio::test]
async fn upload_confirm_and_download_round_trip() {
    let app = TestApp::spawn().await;
    let user = app.create_user("owner@example.com", Role::User).await;
    let bytes = payload(70_000);
    let ticket = request_upload(&app, &user, "Holiday photo (1).png", "image/png", bytes.len()).await;
    assert!(ticket.storage_key.starts_with(&format!("{user}/c")), "{}", ticket.storage_key);
    assert!(ticket.storage_key.ends_with("-Holiday_photo__1_.png"), "{}", ticket.storage_key);
    assert_eq!(file_row(&app, &ticket.file_id).await.status, FileStatus::Pending);

    let res = put(&app, &ticket.upload_url, "image/png", bytes.clone()).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let (status, body) = confirm(&app, &user, &ticket.file_id).await;
    assert_eq!(status, 200, "{body}");
    let file = data(&body);
    assert_eq!(file["status"], "READY");
    assert_eq!(file["size"], bytes.len());
    assert_eq!(file["userId"], user.as_str());
    assert_eq!(file["originalName"], "Holiday photo (1).png");
    assert_eq!(file["filename"], "Holiday_photo__1_.png");
    assert_eq!(file["mimeType"], "image/png");
    assert!(file["url"].as_str().unwrap().ends_with(&ticket.storage_key), "{file}");
    // Confirming again changes nothing.
    assert_eq!(data(&confirm(&app, &user, &ticket.file_id).await.1)["status"], "READY");

    let (status, body) = download_url(&app, &user, &ticket.file_id, None).await;
    assert_eq!(status, 200, "{body}");
    let ticket_out = data(&body);
    assert_eq!(ticket_out["mimeType"], "image/png");
    assert_eq!(ticket_out["size"], bytes.len());
    let res = app.client.get(ticket_out["downloadUrl"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.headers()["content-length"], bytes.len().to_string().as_str());
    assert!(res.headers().contains_key("etag"));
    if !storage_is_s3() {
        assert_eq!(res.headers()["cross-origin-resource-policy"], "cross-origin");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let etag = res.headers()["etag"].clone();
        let again = app.client.get(ticket_out["downloadUrl"].as_str().unwrap()).header("if-none-match", etag);
        assert_eq!(again.send().await.unwrap().status(), 304);
    }
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());

    let (_, stats) = app.query("main.user.stats", Some(&json!({"userId": user})), Some(&user)).await;
    assert_eq!(data(&stats)["files"], json!({"count": 1, "bytes": bytes.len()}));
}

#[tokio::test]
async fn downloads_honour_range_requests() {
    let app = TestApp::spawn().await;
    let user = app.create_user("range@example.com", Role::User).await;
    let bytes = payload(4096);
    let file = upload(&app, &user, "data.bin", "application/octet-stream", &bytes).await;
    let (_, body) = download_url(&app, &user, file["id"].as_str().unwrap(), None).await;
    let url = data(&body)["downloadUrl"].as_str().unwrap().to_string();
    let res = app.client.get(&url).header("range", "bytes=100-199").send().await.unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(res.headers()["content-range"], "bytes 100-199/4096");
    assert_eq!(res.bytes().await.unwrap().as_ref(), &bytes[100..200]);
    let res = app.client.get(&url).header("range", "bytes=-10").send().await.unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(res.bytes().await.unwrap().as_ref(), &bytes[4086..]);
}

#[tokio::test]
async fn a_declared_size_over_the_limit_is_refused() {
    let app = TestApp::builder().env("MAX_UPLOAD_BYTES", "1000").spawn().await;
    let user = app.create_user("big@example.com", Role::User).await;
    let input = json!({"filename": "big.bin", "mimeType": "application/octet-stream", "size": 1001});
    let (status, body) = app.mutation("main.storage.requestUpload", &input, Some(&user)).await;
    assert_eq!(status, 400, "{body}");
    let size_errors = &body["error"]["data"]["zodError"]["fieldErrors"]["size"];
    assert_eq!(size_errors, &json!(["File is too large: 1001 bytes; the limit is 1000 bytes"]));
    let count = file::Entity::find().all(&app.db).await.unwrap().len();
    assert_eq!(count, 0, "no row for a refused upload");
    let zero = json!({"filename": "e.bin", "mimeType": "application/octet-stream", "size": 0});
    assert_eq!(app.mutation("main.storage.requestUpload", &zero, Some(&user)).await.0, 400);
}

#[tokio::test]
async fn a_body_longer_than_declared_never_becomes_a_file() {
    let app = TestApp::spawn().await;
    let user = app.create_user("long@example.com", Role::User).await;
    let ticket = request_upload(&app, &user, "a.txt", "text/plain", 10).await;
    let res = put(&app, &ticket.upload_url, "text/plain", payload(11)).await;
    if storage_is_s3() {
        // S3 cannot sign a length into a presigned URL: the object lands, confirm catches it.
        assert!(res.status().is_success(), "{}", res.status());
    } else {
        assert_eq!(res.status(), 413);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["message"], "The body is larger than the 10 bytes this URL allows");
    }
    let (status, body) = confirm(&app, &user, &ticket.file_id).await;
    assert_eq!(status, 400, "{body}");
    let expected = if storage_is_s3() {
        "The uploaded file has 11 bytes, not the declared 10; upload it again"
    } else {
        "The file has not been uploaded yet"
    };
    assert_eq!(body["error"]["message"], expected);
    assert_eq!(app.storage.size_of(&ticket.storage_key).await.unwrap(), None, "object removed");
    assert_eq!(file_row(&app, &ticket.file_id).await.status, FileStatus::Pending);
    // The same URL still takes the right body.
    assert!(put(&app, &ticket.upload_url, "text/plain", payload(10)).await.status().is_success());
    assert_eq!(data(&confirm(&app, &user, &ticket.file_id).await.1)["status"], "READY");
}

#[tokio::test]
async fn confirm_before_the_upload_is_bad_request() {
    let app = TestApp::spawn().await;
    let user = app.create_user("early@example.com", Role::User).await;
    let ticket = request_upload(&app, &user, "a.txt", "text/plain", 5).await;
    let (status, body) = confirm(&app, &user, &ticket.file_id).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"));
    assert_eq!(body["error"]["message"], "The file has not been uploaded yet");
}

#[tokio::test]
async fn an_expired_url_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.create_user("late@example.com", Role::User).await;
    let file = upload(&app, &user, "a.txt", "text/plain", b"hello").await;
    let (_, body) = download_url(&app, &user, file["id"].as_str().unwrap(), Some(1)).await;
    let url = data(&body)["downloadUrl"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let res = app.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let text = res.text().await.unwrap();
    assert!(text.contains("expired"), "{text}");
}

/// Flips one character of the signature (`sig` locally, `X-Amz-Signature` on S3).
fn tamper(url: &str) -> String {
    let marker = if url.contains("X-Amz-Signature=") { "X-Amz-Signature=" } else { "sig=" };
    let start = url.find(marker).unwrap() + marker.len();
    let mut bytes = url.as_bytes().to_vec();
    bytes[start] = if bytes[start] == b'a' { b'b' } else { b'a' };
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn a_tampered_signature_or_another_content_type_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.create_user("tamper@example.com", Role::User).await;
    let ticket = request_upload(&app, &user, "a.png", "image/png", 4).await;
    let res = put(&app, &tamper(&ticket.upload_url), "image/png", b"abcd".to_vec()).await;
    assert_eq!(res.status(), 403);
    let res = put(&app, &ticket.upload_url, "text/html", b"abcd".to_vec()).await;
    assert_eq!(res.status(), 403, "the content type is part of the signature");
    assert_eq!(app.storage.size_of(&ticket.storage_key).await.unwrap(), None);
    // Download URLs too.
    let file = upload(&app, &user, "b.png", "image/png", b"abcd").await;
    let (_, body) = download_url(&app, &user, file["id"].as_str().unwrap(), None).await;
    let res = app.client.get(tamper(data(&body)["downloadUrl"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_signed_url_cannot_be_pointed_at_another_users_key() {
    let app = TestApp::spawn().await;
    let alice = app.create_user("alice@example.com", Role::User).await;
    let bob = app.create_user("bob@example.com", Role::User).await;
    let mine = request_upload(&app, &alice, "a.txt", "text/plain", 4).await;
    let theirs = request_upload(&app, &bob, "b.txt", "text/plain", 4).await;
    let forged = mine.upload_url.replace(&mine.storage_key, &theirs.storage_key);
    assert_ne!(forged, mine.upload_url);
    let res = put(&app, &forged, "text/plain", b"evil".to_vec()).await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.storage.size_of(&theirs.storage_key).await.unwrap(), None);
}

#[tokio::test]
async fn bad_filenames_and_mime_types_are_refused() {
    let app = TestApp::spawn().await;
    let user = app.create_user("names@example.com", Role::User).await;
    let long = "a".repeat(256);
    let cases = [
        ("../../etc/passwd", "text/plain", "Filename must not contain \"..\""),
        ("/etc/passwd", "text/plain", "Filename must not start with a slash"),
        ("a\u{7}b.txt", "text/plain", "Filename must not contain control characters"),
        (long.as_str(), "text/plain", "Filename must be at most 255 bytes long"),
        ("ok.txt", "text", "MIME type must look like type/subtype"),
        ("ok.txt", "text/plain; charset=utf-8", "MIME type must look like type/subtype"),
    ];
    for (filename, mime, message) in cases {
        let input = json!({"filename": filename, "mimeType": mime, "size": 10});
        let (status, body) = app.mutation("main.storage.requestUpload", &input, Some(&user)).await;
        assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "{filename:?} {mime}: {body}");
        let field = if mime == "text/plain" { "filename" } else { "mimeType" };
        assert_eq!(body["error"]["data"]["zodError"]["fieldErrors"][field], json!([message]), "{filename:?}: {body}");
    }
    assert_eq!(file::Entity::find().all(&app.db).await.unwrap().len(), 0);
}

#[tokio::test]
async fn avatars_must_be_ready_images_of_the_caller() {
    let app = TestApp::spawn().await;
    let user = app.create_user("face@example.com", Role::User).await;
    let other = app.create_user("other@example.com", Role::User).await;
    let text = upload(&app, &user, "notes.txt", "text/plain", b"not an image").await;
    let (status, body) = app.mutation("main.user.setAvatar", &json!({"fileId": text["id"]}), Some(&user)).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"));
    assert_eq!(
        body["error"]["message"],
        "An avatar must be a PNG, JPEG, GIF, WebP, AVIF, BMP or ICO image, not text/plain"
    );
    let svg = upload(&app, &user, "me.svg", "image/svg+xml", b"<svg/>").await;
    let (status, _) = app.mutation("main.user.setAvatar", &json!({"fileId": svg["id"]}), Some(&user)).await;
    assert_eq!(status, 400, "SVG can carry script: not an avatar");

    let pending = request_upload(&app, &user, "p.png", "image/png", 3).await;
    let (status, _) = app.mutation("main.user.setAvatar", &json!({"fileId": pending.file_id}), Some(&user)).await;
    assert_eq!(status, 400);

    let image = payload(500);
    let png = upload(&app, &user, "me.png", "image/png", &image).await;
    let (status, body) = app.mutation("main.user.setAvatar", &json!({"fileId": png["id"]}), Some(&other)).await;
    assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"));

    let (status, body) = app.mutation("main.user.setAvatar", &json!({"fileId": png["id"]}), Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(data(&body)["image"], png["url"]);
    assert_eq!(data(&body)["id"], user.as_str());
    if !storage_is_s3() {
        // The local disk serves avatars without a signature (they are shown to everyone) ...
        let res = app.client.get(png["url"].as_str().unwrap()).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/png");
        assert_eq!(res.bytes().await.unwrap().as_ref(), image.as_slice());
        // ... and nothing else.
        let res = app.client.get(text["url"].as_str().unwrap()).send().await.unwrap();
        assert_eq!(res.status(), 403);
    }
    // Deleting the avatar file unlinks it.
    let (status, _) = app.mutation("core.file.delete", &json!({"fileId": png["id"]}), Some(&user)).await;
    assert_eq!(status, 200);
    let (_, me) = app.query("main.auth.getMe", None, Some(&user)).await;
    assert_eq!(data(&me)["image"], Value::Null, "{me}");
    let (status, body) = app.mutation("main.user.setAvatar", &json!({"fileId": null}), Some(&user)).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn someone_elses_file_is_forbidden() {
    let app = TestApp::spawn().await;
    let owner = app.create_user("owner@example.com", Role::User).await;
    let other = app.create_user("other@example.com", Role::User).await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let file = upload(&app, &owner, "a.txt", "text/plain", b"mine").await;
    let id = file["id"].clone();
    let calls: [(&str, bool, Value); 5] = [
        ("core.file.get", false, json!({"fileId": id})),
        ("main.storage.getDownloadUrl", false, json!({"fileId": id})),
        ("main.storage.confirmUpload", true, json!({"fileId": id})),
        ("core.file.update", true, json!({"fileId": id, "metadata": {"a": 1}})),
        ("core.file.delete", true, json!({"fileId": id})),
    ];
    for (path, is_mutation, input) in &calls {
        let (status, body) = if *is_mutation {
            app.mutation(path, input, Some(&other)).await
        } else {
            app.query(path, Some(input), Some(&other)).await
        };
        assert_eq!((status, error_code(&body)), (403, "FORBIDDEN"), "{path}: {body}");
    }
    // An admin may read it.
    assert_eq!(app.query("core.file.get", Some(&json!({"fileId": id})), Some(&admin)).await.0, 200);
    let (status, body) =
        app.query("core.file.get", Some(&json!({"fileId": "cnotafile0000000000000000"})), Some(&owner)).await;
    assert_eq!((status, error_code(&body)), (404, "NOT_FOUND"));
}

#[tokio::test]
async fn deleted_files_are_gone_from_storage_lists_and_downloads() {
    let app = TestApp::spawn().await;
    let user = app.create_user("del@example.com", Role::User).await;
    let file = upload(&app, &user, "a.txt", "text/plain", b"bye").await;
    let key = file["storageKey"].as_str().unwrap().to_string();
    let (status, body) = app.mutation("core.file.delete", &json!({"fileId": file["id"]}), Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(data(&body)["status"], "DELETED");
    assert!(data(&body)["deletedAt"].is_string());
    assert_eq!(data(&body)["url"], Value::Null, "object removed, so no URL");
    assert_eq!(app.storage.size_of(&key).await.unwrap(), None);
    let (status, body) = download_url(&app, &user, file["id"].as_str().unwrap(), None).await;
    assert_eq!((status, error_code(&body)), (404, "NOT_FOUND"));
    let (_, list) = app.query("core.file.list", None, Some(&user)).await;
    assert_eq!(data(&list)["pagination"]["total"], 0);
    let (status, _) = app.mutation("core.file.delete", &json!({"fileId": file["id"]}), Some(&user)).await;
    assert_eq!(status, 404, "deleting twice");
}

#[tokio::test]
async fn delete_many_takes_1_to_100_ids_and_only_the_callers_files() {
    let app = TestApp::spawn().await;
    let user = app.create_user("many@example.com", Role::User).await;
    let other = app.create_user("other@example.com", Role::User).await;
    let admin = app.create_user("admin@example.com", Role::Admin).await;
    let ids: Vec<String> = (0..101).map(|i| format!("c{i:024}")).collect();
    let (status, body) = app.mutation("main.storage.deleteMany", &json!({"fileIds": ids}), Some(&user)).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "{body}");
    let (status, _) = app.mutation("main.storage.deleteMany", &json!({"fileIds": []}), Some(&user)).await;
    assert_eq!(status, 400);

    let a = upload(&app, &user, "a.txt", "text/plain", b"a").await;
    let b = upload(&app, &user, "b.txt", "text/plain", b"b").await;
    let theirs = upload(&app, &other, "c.txt", "text/plain", b"c").await;
    let input = json!({"fileIds": [a["id"], b["id"], theirs["id"], "cmissing00000000000000000"]});
    let (status, body) = app.mutation("main.storage.deleteMany", &input, Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(data(&body), &json!({"deleted": 2}));
    assert_eq!(file_row(&app, theirs["id"].as_str().unwrap()).await.status, FileStatus::Ready);
    assert_eq!(app.storage.size_of(a["storageKey"].as_str().unwrap()).await.unwrap(), None);
    let (_, body) = app.mutation("main.storage.deleteMany", &json!({"fileIds": [theirs["id"]]}), Some(&admin)).await;
    assert_eq!(data(&body), &json!({"deleted": 1}));
}

#[tokio::test]
async fn list_filters_and_metadata() {
    let app = TestApp::spawn().await;
    let user = app.create_user("list@example.com", Role::User).await;
    let other = app.create_user("other@example.com", Role::User).await;
    let png = upload(&app, &user, "Cat.png", "image/png", b"png").await;
    upload(&app, &user, "notes.txt", "text/plain", b"txt").await;
    request_upload(&app, &user, "pending.jpg", "image/jpeg", 3).await;
    upload(&app, &other, "theirs.png", "image/png", b"png").await;

    let list = |input: Value| {
        let app = &app;
        let user = user.clone();
        async move { app.query("core.file.list", Some(&input), Some(&user)).await }
    };
    let (_, body) = list(json!({})).await;
    assert_eq!(data(&body)["pagination"]["total"], 3);
    let (_, body) = list(json!({"mimeTypePrefix": "image/"})).await;
    assert_eq!(data(&body)["pagination"]["total"], 2);
    let (_, body) = list(json!({"status": "READY", "mimeTypePrefix": "image/"})).await;
    assert_eq!(data(&body)["data"][0]["id"], png["id"]);
    let (_, body) = list(json!({"search": "cAt"})).await;
    assert_eq!(data(&body)["pagination"]["total"], 1);
    let (_, body) = list(json!({"limit": 2, "page": 2})).await;
    assert_eq!(data(&body)["data"].as_array().unwrap().len(), 1);
    let (status, _) = list(json!({"status": "GONE"})).await;
    assert_eq!(status, 400);

    let meta = json!({"fileId": png["id"], "metadata": {"alt": "a cat", "tags": ["cat"]}});
    let (status, body) = app.mutation("core.file.update", &meta, Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(data(&body)["metadata"], json!({"alt": "a cat", "tags": ["cat"]}));
    let big = json!({"fileId": png["id"], "metadata": {"x": "y".repeat(16 * 1024)}});
    let (status, body) = app.mutation("core.file.update", &big, Some(&user)).await;
    assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "{body}");
    let not_object = json!({"fileId": png["id"], "metadata": [1, 2]});
    assert_eq!(app.mutation("core.file.update", &not_object, Some(&user)).await.0, 400);
}

#[tokio::test]
async fn the_sweep_removes_what_deletion_left_behind() {
    let app = TestApp::spawn().await;
    let user = app.create_user("sweep@example.com", Role::User).await;
    // A DELETED file whose object removal "failed": url still set, object present.
    let kept = upload(&app, &user, "kept.txt", "text/plain", b"left over").await;
    let kept_key = kept["storageKey"].as_str().unwrap().to_string();
    let mut row: file::ActiveModel = file_row(&app, kept["id"].as_str().unwrap()).await.into();
    row.status = Set(FileStatus::Deleted);
    row.deleted_at = Set(Some(nextstack_entity::now()));
    row.update(&app.db).await.unwrap();
    // An abandoned upload: PENDING for two days, bytes uploaded but never confirmed.
    let stale = request_upload(&app, &user, "stale.txt", "text/plain", 3).await;
    assert!(put(&app, &stale.upload_url, "text/plain", b"old".to_vec()).await.status().is_success());
    let mut row: file::ActiveModel = file_row(&app, &stale.file_id).await.into();
    row.created_at = Set(nextstack_entity::now() - chrono::Duration::days(2));
    row.update(&app.db).await.unwrap();
    // A fresh PENDING upload is left alone.
    let fresh = request_upload(&app, &user, "fresh.txt", "text/plain", 3).await;

    let report = sweep::run_once(&app.db, &app.storage).await.unwrap();
    assert_eq!((report.removed, report.abandoned, report.failed), (2, 1, 0), "{report:?}");
    assert_eq!(app.storage.size_of(&kept_key).await.unwrap(), None);
    assert_eq!(app.storage.size_of(&stale.storage_key).await.unwrap(), None);
    assert_eq!(file_row(&app, &stale.file_id).await.status, FileStatus::Deleted);
    assert_eq!(file_row(&app, &stale.file_id).await.url, None);
    assert_eq!(file_row(&app, &fresh.file_id).await.status, FileStatus::Pending);
    // Nothing left: a second run is a no-op.
    assert_eq!(sweep::run_once(&app.db, &app.storage).await.unwrap(), sweep::SweepReport::default());
}

#[tokio::test]
async fn deleting_a_user_removes_their_stored_objects() {
    let app = TestApp::spawn().await;
    let user = app.create_user("leaving@example.com", Role::User).await;
    let a = upload(&app, &user, "a.txt", "text/plain", b"a").await;
    let pending = request_upload(&app, &user, "b.txt", "text/plain", 1).await;
    assert!(put(&app, &pending.upload_url, "text/plain", b"b".to_vec()).await.status().is_success());
    let (status, body) = app.mutation("core.user.delete", &json!({"id": user}), Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.storage.size_of(a["storageKey"].as_str().unwrap()).await.unwrap(), None);
    assert_eq!(app.storage.size_of(&pending.storage_key).await.unwrap(), None);
    assert!(file::Entity::find().all(&app.db).await.unwrap().is_empty(), "rows cascade with the user");
}

#[tokio::test]
async fn stored_files_never_run_as_pages_of_the_api_origin() {
    let app = TestApp::spawn().await;
    let user = app.create_user("pages@example.com", Role::User).await;
    let html = upload(&app, &user, "evil.html", "text/html", b"<script>alert(1)</script>").await;
    let (_, body) = download_url(&app, &user, html["id"].as_str().unwrap(), None).await;
    let res = app.client.get(data(&body)["downloadUrl"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(res.status(), 200);
    if !storage_is_s3() {
        assert_eq!(res.headers()["content-security-policy"], "sandbox; default-src 'none'");
        assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"evil.html\"");
    }
    // Once confirmed, the upload URL no longer writes (locally; S3 URLs cannot be revoked).
    let ticket = request_upload(&app, &user, "a.txt", "text/plain", 2).await;
    assert!(put(&app, &ticket.upload_url, "text/plain", b"ok".to_vec()).await.status().is_success());
    assert_eq!(confirm(&app, &user, &ticket.file_id).await.0, 200);
    let again = put(&app, &ticket.upload_url, "text/plain", b"no".to_vec()).await;
    if !storage_is_s3() {
        assert_eq!(again.status(), 409);
    }
}

/// Issue 12, item 5: an account is deleted entirely or not at all. Deletions
/// race order placements on the user's offering; whichever wins, the user is
/// never left half-deleted (still there, files gone).
#[tokio::test]
async fn account_deletion_is_all_or_nothing_under_a_racing_order() {
    let app = TestApp::spawn().await;
    let buyer = app.create_user("racing-buyer@example.com", Role::User).await;
    for round in 0..8 {
        let seller = app.create_user(&format!("racing-seller-{round}@example.com"), Role::User).await;
        let stored = upload(&app, &seller, "keep.txt", "text/plain", b"keep me").await;
        let key = stored["storageKey"].as_str().unwrap().to_string();
        let offering = json!({"title": "Lesson", "priceCents": 100, "status": "ACTIVE"});
        let (_, body) = app.mutation("core.offering.create", &offering, Some(&seller)).await;
        let offering_id = data(&body)["id"].clone();
        let (delete_input, place_input) = (json!({"id": seller}), json!({"offeringId": offering_id}));
        let delete = app.mutation("core.user.delete", &delete_input, Some(&seller));
        let place = app.mutation("main.order.place", &place_input, Some(&buyer));
        let ((deleted, body), (placed, _)) = tokio::join!(delete, place);
        let seller_row = nextstack::services::user::find(&app.db, &seller).await.unwrap();
        match (deleted, placed) {
            (200, placed) => {
                assert_ne!(placed, 200, "round {round}: an order on a deleted user's offering");
                assert!(seller_row.is_none());
                assert_eq!(app.storage.size_of(&key).await.unwrap(), None, "round {round}: the object went too");
            }
            (412, 200) => {
                assert!(seller_row.is_some(), "round {round}: refused means untouched");
                let file = file_row(&app, stored["id"].as_str().unwrap()).await;
                assert_eq!(file.status, FileStatus::Ready, "round {round}: files intact");
                assert_eq!(app.storage.size_of(&key).await.unwrap(), Some(7), "round {round}: object intact");
            }
            other => panic!("round {round}: unexpected outcome {other:?}: {body}"),
        }
    }
}

/// Objects an account deletion could not remove (storage refused) stay queued
/// and the sweep removes them.
#[tokio::test]
async fn the_sweep_removes_objects_queued_by_deleted_accounts() {
    let app = TestApp::spawn().await;
    let user = app.create_user("queued@example.com", Role::User).await;
    let stored = upload(&app, &user, "left.txt", "text/plain", b"left behind").await;
    let key = stored["storageKey"].as_str().unwrap().to_string();
    // As a deletion leaves it when storage refused the removal: row gone, key queued, object still there.
    use nextstack_entity::storage_removal;
    storage_removal::ActiveModel { storage_key: Set(key.clone()), created_at: Set(nextstack_entity::now()) }
        .insert(&app.db)
        .await
        .unwrap();
    file::Entity::delete_by_id(stored["id"].as_str().unwrap().to_string()).exec(&app.db).await.unwrap();
    assert!(app.storage.size_of(&key).await.unwrap().is_some());
    let report = sweep::run_once(&app.db, &app.storage).await.unwrap();
    assert_eq!(report.removed, 1);
    assert_eq!(app.storage.size_of(&key).await.unwrap(), None);
    assert!(storage_removal::Entity::find().all(&app.db).await.unwrap().is_empty(), "and it is no longer queued");
}
