//! The authorization matrix: every procedure of the registry × {anonymous, the
//! owner, another user, an admin} against the auth column of API.md, with real
//! sessions. A procedure without a row here fails the test.

use nextstack::rpc::registry;
use nextstack::services::user::{self as users, NewUser};
use nextstack::wire::user::Role;
use nextstack_trpc::ProcedureKind;
use serde_json::{Value, json};

use crate::auth::sign_up;
use crate::helpers::{TestApp, send_json};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// Anyone.
    Public,
    /// Anyone; the user is read when signed in.
    Optional,
    /// Signed in.
    User,
    /// Signed in and the row's owner, or an admin.
    Owner,
    /// Admins only.
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    Anonymous,
    Owner,
    Another,
    Admin,
}

type InputFn = fn(&str) -> Option<Value>;

/// The one table: wire path, API.md auth column, input for a target user id.
const MATRIX: &[(&str, Rule, InputFn)] = &[
    ("_meta.health", Rule::Public, |_| None),
    ("_meta.version", Rule::Public, |_| None),
    ("core.user.create", Rule::Admin, |id| Some(json!({"email": format!("new-{id}@example.com")}))),
    ("core.user.update", Rule::Owner, |id| Some(json!({"id": id, "name": "Changed"}))),
    ("core.user.delete", Rule::Owner, |id| Some(json!({"id": id}))),
    ("core.user.get", Rule::User, |id| Some(json!({"id": id}))),
    ("core.user.list", Rule::User, |_| Some(json!({}))),
    ("main.auth.getMe", Rule::User, |_| None),
    ("main.auth.getSession", Rule::Optional, |_| None),
    ("main.user.getByEmail", Rule::User, |_| Some(json!({"email": "admin@example.com"}))),
    ("main.user.stats", Rule::User, |id| Some(json!({"userId": id}))),
];

fn expected(rule: Rule, caller: Caller) -> u16 {
    match (rule, caller) {
        (Rule::Public | Rule::Optional, _) => 200,
        (_, Caller::Anonymous) => 401,
        (Rule::User, _) => 200,
        (Rule::Owner, Caller::Another) => 403,
        (Rule::Owner, _) => 200,
        (Rule::Admin, Caller::Admin) => 200,
        (Rule::Admin, _) => 403,
    }
}

#[tokio::test]
async fn every_procedure_enforces_its_auth_column() {
    let registered: Vec<(String, ProcedureKind)> =
        registry::procedures().procedures().map(|(path, p)| (path.to_string(), p.kind)).collect();
    for (path, _) in &registered {
        assert!(MATRIX.iter().any(|(p, _, _)| p == path), "procedure {path} has no row in the authorization matrix");
    }
    for (path, _, _) in MATRIX {
        assert!(registered.iter().any(|(p, _)| p == path), "matrix row {path} names no procedure");
    }

    let app = TestApp::builder()
        .env("ADMIN_EMAILS", "admin@example.com")
        .env("AUTH_RATE_LIMIT_MAX_REQUESTS", "1000")
        .spawn()
        .await;
    let (admin, _, _) = sign_up(&app, "admin@example.com").await;
    let (another, _, _) = sign_up(&app, "another@example.com").await;
    let mut fresh = 0;
    for (path, rule, input) in MATRIX {
        let kind = registered.iter().find(|(p, _)| p == path).map(|(_, k)| *k).unwrap();
        for caller in [Caller::Anonymous, Caller::Owner, Caller::Another, Caller::Admin] {
            fresh += 1;
            // A fresh target per cell: destructive procedures must not spoil the next one.
            let (cookie, target) = match caller {
                Caller::Owner => {
                    let (cookie, _, body) = sign_up(&app, &format!("owner{fresh}@example.com")).await;
                    (Some(cookie), body["user"]["id"].as_str().unwrap().to_string())
                }
                other => {
                    let new = NewUser { email: format!("target{fresh}@example.com"), name: None, role: Role::User };
                    let id = users::create(&app.db, new).await.unwrap().id;
                    let cookie = match other {
                        Caller::Admin => Some(admin.clone()),
                        Caller::Another => Some(another.clone()),
                        _ => None,
                    };
                    (cookie, id)
                }
            };
            let input = input(&target);
            let req = match kind {
                ProcedureKind::Mutation => app.mutation_request(path, input.as_ref().unwrap_or(&json!({}))),
                _ => app.query_request(path, input.as_ref()),
            };
            let req = match &cookie {
                Some(c) => req.header("cookie", c),
                None => req,
            };
            let (status, body) = send_json(req).await;
            assert_eq!(status, expected(*rule, caller), "{path} as {caller:?}: {body}");
        }
    }
}
