//! The tRPC 11 wire rules (PROTOCOL.md section 2), checked with raw HTTP.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::{send_json, urlencode};

#[tokio::test]
async fn single_query_is_a_bare_envelope() {
    let app = TestApp::spawn().await;
    let res = app.query_request("_meta.health", None).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.headers()["vary"], "trpc-accept");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["result"]["data"]["status"], "healthy");
    let ts = body["result"]["data"]["timestamp"].as_str().unwrap();
    assert!(ts.ends_with('Z') && ts.len() == 24, "{ts}");
}

#[tokio::test]
async fn version_names_crate_version_and_environment() {
    let app = TestApp::spawn().await;
    let (status, body) = app.query("_meta.version", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"result": {"data": {"version": env!("CARGO_PKG_VERSION"), "environment": "test"}}}));
}

#[tokio::test]
async fn batch_answers_an_array_in_call_order() {
    let app = TestApp::spawn().await;
    let url = app.url("/trpc/_meta.health,_meta.version?batch=1&input=%7B%7D");
    let (status, body) = send_json(app.client.get(url)).await;
    assert_eq!(status, 200);
    assert_eq!(body[0]["result"]["data"]["status"], "healthy");
    assert_eq!(body[1]["result"]["data"]["environment"], "test");
}

#[tokio::test]
async fn mixed_batch_is_207_and_same_failures_keep_their_status() {
    let app = TestApp::spawn().await;
    let (status, body) = send_json(app.client.get(app.url("/trpc/_meta.health,nope.x?batch=1"))).await;
    assert_eq!(status, 207);
    assert!(body[0]["result"].is_object());
    assert_eq!(
        body[1],
        json!({"error": {"message": "No procedure found on path \"nope.x\"", "code": -32004,
            "data": {"code": "NOT_FOUND", "httpStatus": 404, "path": "nope.x"}}})
    );
    let (status, body) = send_json(app.client.get(app.url("/trpc/a.b,c.d?batch=1"))).await;
    assert_eq!(status, 404);
    assert_eq!(body.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn batched_inputs_are_keyed_by_position() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", nextstack::wire::user::Role::Admin).await;
    let input = json!({"0": {"email": "m1@example.com"}, "1": {"email": "not-an-email"}});
    let req = app
        .client
        .post(app.url("/trpc/core.user.create,core.user.create?batch=1"))
        .header("content-type", "application/json")
        .header("authorization", app.bearer(&admin))
        .body(input.to_string());
    let (status, body) = send_json(req).await;
    assert_eq!(status, 207);
    assert_eq!(body[0]["result"]["data"]["email"], "m1@example.com");
    assert_eq!(body[1]["error"]["data"]["code"], "BAD_REQUEST");
}

#[tokio::test]
async fn unknown_procedure_is_404() {
    let app = TestApp::spawn().await;
    let (status, body) = app.query("does.not.exist", None, None).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], -32004);
    assert_eq!(body["error"]["message"], "No procedure found on path \"does.not.exist\"");
}

#[tokio::test]
async fn wrong_method_is_405_with_trpc_message() {
    let app = TestApp::spawn().await;
    let (status, body) = send_json(app.client.get(app.url("/trpc/core.user.create"))).await;
    assert_eq!(status, 405);
    assert_eq!(body["error"]["code"], -32005);
    assert_eq!(body["error"]["message"], "Unsupported GET-request to mutation procedure at path \"core.user.create\"");
    // A query as POST is refused only with the method override turned off.
    let app = TestApp::builder().env("TRPC_ALLOW_METHOD_OVERRIDE", "false").spawn().await;
    let (status, body) = app.mutation("_meta.health", &json!({}), None).await;
    assert_eq!(status, 405);
    assert_eq!(body["error"]["message"], "Unsupported POST-request to query procedure at path \"_meta.health\"");
}

/// `methodOverride: 'POST'` (tRPC's `allowMethodOverride`, on by default here):
/// queries may come as POST with their inputs in the body, single or batched;
/// mutations stay POST-only and subscriptions GET-only.
#[tokio::test]
async fn queries_may_come_as_post_with_the_method_override() {
    let app = TestApp::spawn().await;
    let user = app.create_user("override@example.com", nextstack::wire::user::Role::User).await;
    let (status, body) = app.mutation("core.user.get", &json!({ "id": user }), Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["data"]["id"], json!(user));
    let batch = app
        .client
        .post(app.url("/trpc/_meta.health,core.user.get?batch=1"))
        .header("content-type", "application/json")
        .header("authorization", app.bearer(&user))
        .body(json!({ "1": { "id": user } }).to_string());
    let (status, body) = send_json(batch).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[0]["result"]["data"]["status"], "healthy");
    assert_eq!(body[1]["result"]["data"]["id"], json!(user));

    let (status, body) = app.mutation("main.order.onChange", &json!({}), Some(&user)).await;
    assert_eq!(status, 405);
    assert_eq!(body["error"]["message"], "Method override is not supported for subscriptions");
    let (status, _) = send_json(app.client.get(app.url("/trpc/core.user.create"))).await;
    assert_eq!(status, 405, "a mutation is never a GET");
}

/// `?connectionParams=` (httpSubscriptionLink's, for clients that cannot set
/// headers) reaches context creation: `{token}` signs the request in. Anything
/// but an object of strings (or `null`) fails the request as tRPC's parser does.
#[tokio::test]
async fn connection_params_carry_the_token_and_bad_ones_are_refused() {
    let app = TestApp::spawn().await;
    let user = app.create_user("params@example.com", nextstack::wire::user::Role::User).await;
    let token = app.bearer(&user).trim_start_matches("Bearer ").to_string();
    let get = |params: String| {
        let url = format!("/trpc/main.auth.getMe?connectionParams={}", urlencode(&params));
        send_json(app.client.get(app.url(&url)))
    };
    let (status, body) = get(json!({ "token": token }).to_string()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["data"]["user"]["id"], json!(user));
    let (status, body) = get("null".into()).await;
    assert_eq!((status, &body["error"]["data"]["code"]), (401, &json!("UNAUTHORIZED")));
    let (status, body) = get(json!({ "token": "forged" }).to_string()).await;
    assert_eq!((status, &body["error"]["data"]["code"]), (401, &json!("UNAUTHORIZED")));

    for (params, message) in [
        ("{not json".to_string(), "Not JSON-parsable query params"),
        (
            json!({ "token": 42 }).to_string(),
            "Invalid connection params shape: expected string values, got token: number",
        ),
        ("[\"token\"]".to_string(), "Invalid connection params shape: expected an object"),
    ] {
        let (status, body) = get(params.clone()).await;
        assert_eq!(status, 400, "{params}: {body}");
        assert_eq!(body["error"]["data"]["code"], "PARSE_ERROR", "{params}");
        assert_eq!(body["error"]["message"], message, "{params}");
    }
}

#[tokio::test]
async fn head_is_204_without_body() {
    let app = TestApp::spawn().await;
    let res = app.client.head(app.url("/trpc/_meta.health")).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn unsupported_or_missing_content_type_is_415() {
    let app = TestApp::spawn().await;
    let url = app.url("/trpc/core.user.create");
    let (status, body) = send_json(app.client.post(&url).header("content-type", "text/plain").body("{}")).await;
    assert_eq!(status, 415);
    assert_eq!(body["error"]["code"], -32015);
    assert_eq!(body["error"]["message"], "Unsupported content-type \"text/plain");
    assert!(body["error"]["data"].get("path").is_none(), "request-level errors carry no path");
    let (status, body) = send_json(app.client.post(&url).body("{}")).await;
    assert_eq!(status, 415);
    assert_eq!(body["error"]["message"], "Missing content-type header");
}

#[tokio::test]
async fn malformed_json_is_bad_request_and_never_a_crash() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", nextstack::wire::user::Role::Admin).await;
    let req = app
        .client
        .post(app.url("/trpc/core.user.create"))
        .header("content-type", "application/json")
        .header("authorization", app.bearer(&admin))
        .body("{\"email\": ");
    let (status, body) = send_json(req).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["data"]["code"], "BAD_REQUEST");
    assert!(body["error"]["message"].as_str().unwrap().starts_with("Invalid JSON"));
    let url = app.url(&format!("/trpc/core.user.get?input={}", urlencode("{nope")));
    let (status, _) = send_json(app.client.get(url).header("authorization", app.bearer(&admin))).await;
    assert_eq!(status, 400);
    let (status, body) =
        send_json(app.client.get(app.url("/trpc/_meta.health,_meta.version?batch=1&input=%5B1%5D"))).await;
    assert_eq!(status, 200, "procedures without input never read it: {body}");
    let (status, body) = send_json(
        app.client
            .get(app.url("/trpc/core.user.get?batch=1&input=%5B1%5D"))
            .header("authorization", app.bearer(&admin)),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["error"]["message"], "\"input\" needs to be an object when doing a batch call");
}

#[tokio::test]
async fn oversized_batch_is_rejected_whole() {
    let app = TestApp::spawn().await;
    // Short paths keep the URL under the client's 64 KiB URI limit; the size check comes first.
    let paths = vec!["x"; 10_000].join(",");
    let (status, body) = send_json(app.client.get(app.url(&format!("/trpc/{paths}?batch=1")))).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["message"], "Batch call exceeds maximum size");
    assert_eq!(body["error"]["code"], -32600);
    let paths = vec!["_meta.health"; 100].join(",");
    let (status, body) = send_json(app.client.get(app.url(&format!("/trpc/{paths}?batch=1")))).await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().unwrap().len(), 100);
    let (status, _) = app.query("_meta.health", None, None).await;
    assert_eq!(status, 200, "server still answers");
}

#[tokio::test]
async fn mixing_procedure_types_is_a_request_error() {
    let app = TestApp::spawn().await;
    let (status, body) = send_json(app.client.get(app.url("/trpc/_meta.health,core.user.create?batch=1"))).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["message"], "Cannot mix procedure types in call: mutation, query");
}

#[tokio::test]
async fn jsonl_stream_encodes_each_call_and_is_not_compressed() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/trpc/_meta.health,nope?batch=1&input=%7B%7D"))
        .header("trpc-accept", "application/jsonl")
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "stream status is decided before the data");
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.headers()["content-type"], "application/json");
    let text = res.text().await.unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0], json!({"0": [[0], [null, 0, 0]], "1": [[0], [null, 0, 1]]}));
    let error = lines.iter().find(|l| l[0] == 1).expect("chunk for call 1");
    assert_eq!(error[2][0][0]["error"]["data"]["path"], "nope", "the failing call's own path");
    let first = lines.iter().find(|l| l[0] == 0).expect("chunk for call 0");
    let result_chunk = first[2][1][2].clone();
    let data_line = lines.iter().find(|l| l[0] == result_chunk).expect("result chunk");
    let data_chunk = data_line[2][1][2].clone();
    let data = lines.iter().find(|l| l[0] == data_chunk).expect("data chunk");
    assert_eq!(data[2][0][0]["status"], "healthy");
}

#[tokio::test]
async fn streaming_without_batch_is_rejected() {
    let app = TestApp::spawn().await;
    let res = app.query_request("_meta.health", None).header("trpc-accept", "application/jsonl").send().await.unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Streaming requests must be batched (you can do a batch of 1)");
}

#[tokio::test]
async fn validation_errors_carry_zod_issues_and_field_errors() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin@example.com", nextstack::wire::user::Role::Admin).await;
    let (status, body) =
        app.mutation("core.user.create", &json!({"email": "nope", "name": "", "extra": 1}), Some(&admin)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], -32600);
    let issues: Value = serde_json::from_str(body["error"]["message"].as_str().unwrap()).unwrap();
    let paths: Vec<&Value> = issues.as_array().unwrap().iter().map(|i| &i["path"]).collect();
    assert!(paths.contains(&&json!(["email"])) && paths.contains(&&json!(["name"])), "{issues}");
    let field_errors = &body["error"]["data"]["zodError"]["fieldErrors"];
    assert_eq!(field_errors["email"], json!(["Invalid email"]));
    assert_eq!(field_errors["name"], json!(["String must contain at least 1 character(s)"]));
    assert_eq!(body["error"]["data"]["zodError"]["formErrors"], json!([]));
    let (status, body) = app.mutation("core.user.create", &json!({"email": 42}), Some(&admin)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["data"]["zodError"]["fieldErrors"]["email"], json!(["Expected string, received number"]));
    let (status, body) =
        app.mutation("core.user.create", &json!({"email": "a@b.co", "role": "GOD"}), Some(&admin)).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["data"]["zodError"]["fieldErrors"]["role"],
        json!(["Invalid enum value. Expected 'USER' | 'ADMIN', received 'GOD'"])
    );
}

#[tokio::test]
async fn stack_only_in_development() {
    let app = TestApp::spawn().await;
    let (_, body) = app.query("nope", None, None).await;
    assert!(body["error"]["data"].get("stack").is_none());
    let dev = TestApp::builder().env("NODE_ENV", "development").spawn().await;
    let (_, body) = dev.query("nope", None, None).await;
    assert!(body["error"]["data"]["stack"].as_str().unwrap().contains("No procedure found"));
}

#[tokio::test]
async fn superjson_envelopes_inputs_outputs_and_errors() {
    let app = TestApp::builder().env("TRPC_TRANSFORMER", "superjson").spawn().await;
    let user = app.create_user("sj@example.com", nextstack::wire::user::Role::User).await;
    let input =
        serde_json::json!({"json": {"id": user, "extra": null}, "meta": {"values": {"extra": ["undefined"]}, "v": 1}});
    let (status, body) = app.query("core.user.get", Some(&input), Some(&user)).await;
    assert_eq!(status, 200, "{body}");
    let data = &body["result"]["data"];
    assert_eq!(data["json"]["id"], user.as_str());
    assert!(data["json"]["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(data["meta"], serde_json::json!({"values": {"createdAt": ["Date"], "updatedAt": ["Date"]}, "v": 1}));
    // No dates: no meta.
    let (_, body) = app.query("_meta.version", None, None).await;
    assert!(body["result"]["data"]["json"]["version"].is_string());
    assert!(body["result"]["data"].get("meta").is_none(), "{body}");
    // Errors are `{json: shape}`.
    let bad = serde_json::json!({"json": {"id": "nope"}});
    let (status, body) = app.query("core.user.get", Some(&bad), Some(&user)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["json"]["data"]["code"], "BAD_REQUEST", "{body}");
    assert_eq!(body["error"]["json"]["code"], -32600);
    // A streamed batch: every line is one superjson value.
    let res = app
        .act_as(
            app.client.get(app.url(&format!(
                "/trpc/core.user.get?batch=1&input={}",
                urlencode(&serde_json::json!({"0": input}).to_string())
            ))),
            Some(&user),
        )
        .header("trpc-accept", "application/jsonl")
        .send()
        .await
        .unwrap();
    let text = res.text().await.unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().all(|l| l.get("json").is_some()), "{text}");
    let last = lines.last().unwrap();
    assert_eq!(last["meta"]["values"]["2.0.0.createdAt"], serde_json::json!(["Date"]), "{text}");
}
