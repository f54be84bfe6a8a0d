//! Issue 12, item 6: what the open internet sends costs the server nothing:
//! each case gets a clear 4xx (or is served within limits), never a 5xx, a
//! panic or a dropped connection, and the server keeps answering afterwards.

use serde_json::{Value, json};

use crate::helpers::{TestApp, urlencode};

/// One hostile request and what must come back.
struct Case {
    name: &'static str,
    request: reqwest::RequestBuilder,
    /// Acceptable statuses.
    expect: &'static [u16],
    /// For a tRPC error: the code every error in the answer carries.
    code: Option<&'static str>,
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test]
async fn hostile_inputs_get_clear_answers() {
    let app = TestApp::spawn().await;
    let user = app.create_user("hostile@example.com", nextstack::wire::user::Role::User).await;
    let bearer = app.bearer(&user);
    let post = |path: &str, body: Vec<u8>| {
        app.client
            .post(app.url(path))
            .header("content-type", "application/json")
            .header("authorization", &bearer)
            .body(body)
    };
    let many_keys: String = {
        let keys: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\":{i}")).collect();
        format!("{{\"title\":\"many keys\",{}}}", keys.join(","))
    };
    let heavy_batch = {
        let inputs: serde_json::Map<String, Value> = (0..100).map(|i| (i.to_string(), json!({"limit": 100}))).collect();
        let paths = vec!["core.post.list"; 100].join(",");
        format!("/trpc/{paths}?batch=1&input={}", urlencode(&Value::Object(inputs).to_string()))
    };
    let cases = vec![
        Case {
            name: "JSON nested 10 000 levels (body)",
            request: post("/trpc/core.post.create", format!("{{\"title\":{}}}", nested(10_000)).into_bytes()),
            expect: &[400],
            code: Some("BAD_REQUEST"),
        },
        Case {
            name: "JSON nested 10 000 levels (query string)",
            request: app.client.get(app.url(&format!("/trpc/core.post.list?input={}", urlencode(&nested(10_000))))),
            expect: &[400, 431],
            code: None,
        },
        Case {
            name: "an object of 100 000 keys (stripped, as zod strips unknown keys)",
            request: post("/trpc/core.post.create", many_keys.into_bytes()),
            expect: &[200],
            code: None,
        },
        Case {
            name: "page past 64 bits",
            request: app
                .client
                .get(app.url(&format!("/trpc/core.post.list?input={}", urlencode(r#"{"page":18446744073709551616}"#)))),
            expect: &[400],
            code: Some("BAD_REQUEST"),
        },
        Case {
            name: "limit as a huge float",
            request: app
                .client
                .get(app.url(&format!("/trpc/core.post.list?input={}", urlencode(r#"{"limit":1e300}"#)))),
            expect: &[400],
            code: Some("BAD_REQUEST"),
        },
        Case {
            name: "priceCents past 64 bits",
            request: post(
                "/trpc/core.offering.create",
                br#"{"title":"x","priceCents":99999999999999999999999}"#.to_vec(),
            ),
            expect: &[400],
            code: Some("BAD_REQUEST"),
        },
        Case {
            name: "invalid UTF-8 in a string",
            request: post("/trpc/core.post.create", b"{\"title\":\"\xff\xfe bad\"}".to_vec()),
            expect: &[400],
            code: Some("BAD_REQUEST"),
        },
        Case {
            name: "a NUL character in a string",
            request: post("/trpc/core.post.create", br#"{"title":"nul \u0000 here"}"#.to_vec()),
            expect: &[400],
            code: Some("BAD_REQUEST"),
        },
        Case {
            name: "a NUL character in a sign-up name",
            request: app
                .client
                .post(app.url("/api/auth/sign-up/email"))
                .header("content-type", "application/json")
                .body(br#"{"name":"a\u0000b","email":"nul@example.com","password":"correct horse battery"}"#.to_vec()),
            expect: &[400],
            code: None,
        },
        Case {
            name: "a header of 10 000 cookies",
            request: app
                .client
                .get(app.url("/trpc/_meta.health"))
                .header("cookie", (0..10_000).map(|i| format!("c{i}=v")).collect::<Vec<_>>().join("; ")),
            expect: &[431],
            code: None,
        },
        Case {
            name: "a 100-call batch of the most expensive list",
            request: app.client.get(app.url(&heavy_batch)).header("authorization", &bearer),
            expect: &[200, 207, 413],
            code: None,
        },
    ];
    for case in cases {
        let res = case.request.send().await.unwrap_or_else(|e| panic!("{}: no answer ({e})", case.name));
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        assert!(case.expect.contains(&status), "{}: status {status}: {}", case.name, &text[..text.len().min(300)]);
        assert!(status < 500, "{}: a server error", case.name);
        if let Some(code) = case.code {
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            assert_eq!(body["error"]["data"]["code"], code, "{}: {}", case.name, &text[..text.len().min(300)]);
        }
        let (status, _) = app.query("_meta.health", None, None).await;
        assert_eq!(status, 200, "{}: the server still answers", case.name);
    }
}
