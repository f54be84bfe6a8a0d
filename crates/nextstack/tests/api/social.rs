//! Social sign-in against a real OpenID Connect provider (npm `oidc-provider`,
//! OpenID Certified) with the real `better-auth/client` driving a
//! cookie-keeping browser through the provider's login and consent pages
//! (`clients/better-auth/social.mjs`): sign-up, sign-in again, linking,
//! unlinking, every refused state and ID token, `idToken` sign-in, a banned
//! user refused on both provider paths, the Expo
//! proxy and deep-link hand-off. Then the rows, as BetterAuth writes them.

use nextstack_entity::{account, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::helpers::{NodeSession, TestApp};

const WEB: &str = "http://localhost:5173";
const APP_SCHEME: &str = "myapp://";

#[tokio::test]
async fn social_sign_in_with_a_real_openid_provider() {
    let mut node = NodeSession::start("better-auth", "social.mjs");
    let issuer = node.expect_line("ISSUER ").await;
    let app = TestApp::builder()
        .auth_at_self()
        // Many sign-ins from one address in a minute: more than the default auth limit.
        .env("AUTH_RATE_LIMIT_MAX_REQUESTS", "1000")
        .env("CORS_ORIGINS", WEB)
        // The admin who bans a provider user (the check that bans are kept on social sign-in).
        .env("ADMIN_EMAILS", "social-admin@example.com")
        .env("BETTER_AUTH_TRUSTED_ORIGINS", APP_SCHEME)
        .env("OIDC_LOCAL_ISSUER", issuer.clone())
        // The web client, then a native app's (accepted as an `idToken` audience).
        .env("OIDC_LOCAL_CLIENT_ID", "nextstack-local,nextstack-ios")
        .env("OIDC_LOCAL_CLIENT_SECRET", "local-secret-0123456789")
        .env("OIDC_PARTNER_ISSUER", issuer.clone())
        .env("OIDC_PARTNER_CLIENT_ID", "nextstack-partner")
        .env("OIDC_PARTNER_CLIENT_SECRET", "partner-secret-0123456789")
        .spawn()
        .await;
    let run = format!("{:x}", rand::random::<u32>());
    let client = |id: &str, secret: &str, name: &str| {
        json!({
            "client_id": id,
            "client_secret": secret,
            "redirect_uris": [format!("{}/api/auth/oauth2/callback/{name}", app.base_url)],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
        })
    };
    let setup = json!({
        "server": app.base_url,
        "web": WEB,
        "appScheme": APP_SCHEME,
        "run": run,
        "clients": [
            client("nextstack-local", "local-secret-0123456789", "local"),
            client("nextstack-partner", "partner-secret-0123456789", "partner"),
        ],
    });
    node.send_line(&setup.to_string()).await;
    node.finish("17 passed, 0 failed").await;

    // Alice's rows, as BetterAuth writes them for a provider sign-up.
    let alice = user::Entity::find()
        .filter(user::Column::Email.eq(format!("alice-{run}@example.com")))
        .one(&app.db)
        .await
        .unwrap()
        .expect("alice was created");
    assert!(alice.email_verified);
    assert_eq!(alice.name.as_deref(), Some(format!("alice-{run}").as_str()));
    assert!(alice.image.as_deref().is_some_and(|i| i.starts_with("https://example.com/avatar/")));
    let accounts = account::Entity::find().filter(account::Column::UserId.eq(&alice.id)).all(&app.db).await.unwrap();
    let mut providers: Vec<&str> = accounts.iter().map(|a| a.provider_id.as_str()).collect();
    providers.sort();
    assert_eq!(providers, ["local", "partner"], "linked again after the unlink");
    let local = accounts.iter().find(|a| a.provider_id == "local").unwrap();
    assert!(local.account_id.starts_with("sub-"), "accountId is the provider's subject: {}", local.account_id);
    assert!(local.access_token.as_deref().is_some_and(|t| !t.is_empty()));
    assert!(local.refresh_token.is_some(), "the client has the refresh_token grant");
    assert_eq!(local.id_token.as_deref().map(|t| t.split('.').count()), Some(3), "the raw ID token (a JWS)");
    assert_eq!(local.scope.as_deref(), Some("openid,email,profile"));
    let expires = local.access_token_expires_at.expect("accessTokenExpiresAt from expires_in");
    assert!(expires > nextstack_entity::now(), "in the future");
    assert_eq!(local.password, None);
    // Refused sign-ins wrote nothing: the password owner still has only the credential account.
    let owner = user::Entity::find()
        .filter(user::Column::Email.eq(format!("unverified-{run}@example.com")))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the password user");
    let owner_accounts =
        account::Entity::find().filter(account::Column::UserId.eq(&owner.id)).all(&app.db).await.unwrap();
    assert_eq!(owner_accounts.iter().map(|a| a.provider_id.as_str()).collect::<Vec<_>>(), ["credential"]);
    assert!(!owner.email_verified);
    let carol = user::Entity::find()
        .filter(user::Column::Email.eq(format!("carol-{run}@example.com")))
        .one(&app.db)
        .await
        .unwrap();
    assert!(carol.is_none(), "no user from a sign-in the user denied at the provider");
}
