//! Social sign-in with BetterAuth 1.3's wire behaviour (PROTOCOL.md 3.8):
//! `POST /sign-in/social` (a redirect flow, or `idToken` sign-in for native
//! apps), the provider's callback (`/callback/:id`, and `/oauth2/callback/:id`
//! for generic OpenID Connect providers as `genericOAuth` serves them, with
//! its `POST /sign-in/oauth2` and `POST /oauth2/link`), `POST /link-social`,
//! `GET /list-accounts`, `POST /unlink-account`, and the default error page.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::response::{Html, IntoResponse, Response};
use http::header::{ORIGIN, SET_COOKIE};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::email::{encode, found, with_query};
use super::manage::require_session;
use super::{SET_AUTH_TOKEN, new_session, parse, split, with_session};
use crate::app::AppState;
use crate::auth::callback::{self, Label};
use crate::auth::error::{AuthError, messages};
use crate::auth::session as http_session;
use crate::auth::wire::AuthUser;
use crate::error::AppError;
use crate::services::oauth_flow::{self, Flow, LinkTarget};
use crate::services::social::{self as social_accounts, Link, Refusal, Rules, UnlinkRefusal};
use crate::services::{account, session as sessions};
use crate::social::{AuthorizationRequest, Profile, Provider, SocialError, Tokens};
use crate::wire::time::IsoTime;

static EXPO_ORIGIN: http::HeaderName = http::HeaderName::from_static("expo-origin");

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdTokenBody {
    token: String,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    /// Accepted as BetterAuth does; the ID token's own `exp` is what counts.
    #[serde(default)]
    #[expect(dead_code, reason = "accepted and ignored, as BetterAuth ignores it")]
    expires_at: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInSocialBody {
    /// `provider` (`/sign-in/social`) or `providerId` (`/sign-in/oauth2`).
    #[serde(alias = "providerId")]
    provider: String,
    #[serde(default, rename = "callbackURL")]
    callback_url: Option<String>,
    #[serde(default, rename = "newUserCallbackURL")]
    new_user_callback_url: Option<String>,
    #[serde(default, rename = "errorCallbackURL")]
    error_callback_url: Option<String>,
    #[serde(default)]
    disable_redirect: Option<bool>,
    #[serde(default)]
    id_token: Option<IdTokenBody>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    request_sign_up: Option<bool>,
    #[serde(default)]
    login_hint: Option<String>,
}

fn check_urls(state: &AppState, body: &SignInSocialBody) -> Result<(), AuthError> {
    callback::check_labeled(&state.config, body.callback_url.as_deref(), Label::CallbackUrl)?;
    callback::check_labeled(&state.config, body.error_callback_url.as_deref(), Label::ErrorCallbackUrl)?;
    callback::check_labeled(&state.config, body.new_user_callback_url.as_deref(), Label::NewUserCallbackUrl)
}

fn provider<'a>(state: &'a AppState, id: &str) -> Result<&'a Provider, AuthError> {
    state.social.get(id).ok_or(messages::PROVIDER_NOT_FOUND)
}

/// The redirect URI registered with the provider: `<BETTER_AUTH_URL>/api/auth/<callback path>`.
fn redirect_uri(state: &AppState, id: &str, provider: &Provider) -> String {
    format!("{}{}", super::email::api_base(state), provider.callback_path(id))
}

fn rules<'a>(state: &'a AppState, provider_id: &str) -> Rules<'a> {
    Rules {
        trusted: state.config.social.trusted_providers.iter().any(|p| p == provider_id),
        admin_emails: &state.config.admin_emails,
        production: state.config.is_production(),
    }
}

/// True when a native app (no `Origin`, an `expo-origin`) makes the request.
fn from_native_app(parts: &Parts) -> bool {
    parts.headers.get(ORIGIN).is_none() && parts.headers.contains_key(&EXPO_ORIGIN)
}

/// Starts a redirect flow: stores its state, binds it to this browser with
/// the state cookie, and answers `{url, redirect}`.
async fn start_flow(
    state: &AppState,
    parts: &Parts,
    provider_id: &str,
    body: &SignInSocialBody,
    link: Option<LinkTarget>,
) -> Result<Response, AuthError> {
    let provider = provider(state, provider_id)?;
    let native = from_native_app(parts);
    if native {
        // A native app's flow ends in the app: its URLs must be deep links (the
        // Expo client makes them so), never a page that a browser would be
        // signed in on.
        let app_url = |url: &Option<String>| url.as_deref().is_some_and(|u| callback::is_app_url(&state.config, u));
        if !app_url(&body.callback_url) {
            return Err(messages::INVALID_CALLBACK_URL);
        }
        if body.error_callback_url.is_some() && !app_url(&body.error_callback_url) {
            return Err(AuthError::api(StatusCode::FORBIDDEN, "Invalid errorCallbackURL"));
        }
        if body.new_user_callback_url.is_some() && !app_url(&body.new_user_callback_url) {
            return Err(AuthError::api(StatusCode::FORBIDDEN, "Invalid newUserCallbackURL"));
        }
    }
    let code_verifier = oauth_flow::random(64);
    let nonce = provider.is_oidc().then(|| oauth_flow::random(32));
    let flow = Flow {
        // BetterAuth's default: the app's base URL.
        callback_url: normalized(body.callback_url.as_deref()).unwrap_or_else(|| state.config.auth_url.clone()),
        code_verifier: code_verifier.clone(),
        error_url: normalized(body.error_callback_url.as_deref()),
        new_user_url: normalized(body.new_user_callback_url.as_deref()),
        link,
        expires_at: chrono::Utc::now().timestamp_millis() + oauth_flow::LIFETIME.num_milliseconds(),
        request_sign_up: body.request_sign_up,
        nonce: nonce.clone(),
        provider: provider_id.to_string(),
        native,
        bound: false,
    };
    let redirect = redirect_uri(state, provider_id, provider);
    let scopes = body.scopes.clone().unwrap_or_default();
    let flow_state = oauth_flow::start(&state.db, &flow).await?;
    let request = AuthorizationRequest {
        state: &flow_state,
        code_verifier: &code_verifier,
        nonce: nonce.as_deref(),
        scopes: &scopes,
        login_hint: body.login_hint.as_deref(),
        redirect_uri: &redirect,
    };
    let url = provider.authorization_url(state.social.http(), &request).await.map_err(unavailable)?;
    let mut response =
        Json(json!({ "url": url.as_str(), "redirect": !body.disable_redirect.unwrap_or(false) })).into_response();
    response.headers_mut().append(SET_COOKIE, http_session::state_cookie(&state.config, &flow_state));
    Ok(response)
}

/// A checked callback URL as it will go into `Location`: absolute URLs in
/// their serialized (ASCII) form, relative paths as given (ASCII by their pattern).
fn normalized(url: Option<&str>) -> Option<String> {
    let url = url?;
    if url.starts_with('/') {
        return Some(url.to_string());
    }
    Some(url::Url::parse(url).map(|u| u.to_string()).unwrap_or_else(|_| url.to_string()))
}

/// A provider that cannot be reached: logged, and a 502 without details for the client.
fn unavailable(err: SocialError) -> AuthError {
    tracing::error!(error = %err, "social sign-in provider failed");
    AuthError::api(StatusCode::BAD_GATEWAY, "Provider unavailable")
}

/// `POST /sign-in/social` (and genericOAuth's `POST /sign-in/oauth2`).
pub(super) async fn sign_in_social(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let generic_route = req.uri().path().ends_with("/sign-in/oauth2");
    let (parts, bytes) = split(&state, req).await?;
    let body: SignInSocialBody = parse(&bytes)?;
    check_urls(&state, &body)?;
    let provider_id = body.provider.clone();
    if generic_route && state.social.get(&provider_id).is_none() {
        // genericOAuth's answer for a provider it has no config for.
        let message = format!("No config found for provider {provider_id}");
        return Err(AuthError::Dynamic { status: StatusCode::BAD_REQUEST, message });
    }
    let provider = provider(&state, &provider_id)?;
    let Some(id_token) = &body.id_token else {
        return start_flow(&state, &parts, &provider_id, &body, None).await;
    };
    let profile = verify_id_token(&state, &provider_id, provider, id_token).await?;
    // As BetterAuth: only the access token the app sent is kept.
    let tokens = Tokens { access_token: id_token.access_token.clone(), ..Tokens::default() };
    let email = profile.email.clone().ok_or(messages::USER_EMAIL_NOT_FOUND)?;
    let profile = Profile { name: profile.name.clone().or(Some(String::new())), ..profile };
    let session = new_session(&state, &parts, "", true);
    let signed_in = match social_accounts::sign_in(
        &state.db,
        &provider_id,
        &profile,
        &email,
        &tokens,
        rules(&state, &provider_id),
        session,
    )
    .await?
    {
        Ok(signed_in) => signed_in,
        Err(Refusal::Banned) => return Err(messages::BANNED_USER),
        Err(refusal) => {
            state.metrics.sign_in("social_refused");
            return Err(AuthError::Dynamic {
                status: StatusCode::UNAUTHORIZED,
                message: refusal.code().replace('_', " "),
            });
        }
    };
    state.metrics.sign_in("success");
    let out = json!({
        "redirect": false,
        "token": signed_in.session.token,
        "user": AuthUser::from(signed_in.user),
    });
    Ok(with_session(&state, &signed_in.session, true, out))
}

/// Validates an `idToken` a native app sent (signature, issuer, audience,
/// expiry, nonce) and records it as used, so it cannot sign in twice.
async fn verify_id_token(
    state: &AppState,
    provider_id: &str,
    provider: &Provider,
    body: &IdTokenBody,
) -> Result<Profile, AuthError> {
    let Provider::Oidc(oidc) = provider else { return Err(messages::ID_TOKEN_NOT_SUPPORTED) };
    let (profile, nonce, expires) =
        match oidc.verify_id_token(state.social.http(), &body.token, body.nonce.as_deref()).await {
            Ok(verified) => verified,
            Err(err @ SocialError::Unavailable { .. }) => return Err(unavailable(err)),
            Err(err) => {
                tracing::warn!(error = %err, "ID token refused");
                return Err(messages::INVALID_TOKEN);
            }
        };
    let until =
        chrono::DateTime::from_timestamp(expires, 0).map(|t| t.naive_utc()).unwrap_or_else(nextstack_entity::now);
    // The token's own identity: a nonce someone else used cannot block this one.
    let key = format!("{provider_id}|{}|{}", profile.id, nonce.as_deref().unwrap_or(&body.token));
    if !oauth_flow::first_use_of_id_token(&state.db, &key, until).await? {
        tracing::warn!(provider = oidc.id(), "ID token replayed");
        return Err(messages::INVALID_TOKEN);
    }
    Ok(profile)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkSocialBody {
    #[serde(alias = "providerId")]
    provider: String,
    #[serde(default, rename = "callbackURL")]
    callback_url: Option<String>,
    #[serde(default)]
    id_token: Option<IdTokenBody>,
    #[serde(default)]
    request_sign_up: Option<bool>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default, rename = "errorCallbackURL")]
    error_callback_url: Option<String>,
    #[serde(default)]
    disable_redirect: Option<bool>,
}

/// `POST /link-social` (and genericOAuth's `POST /oauth2/link`): adds a
/// provider account to the signed-in user, by a redirect flow or an `idToken`.
pub(super) async fn link_social(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let generic_route = req.uri().path().ends_with("/oauth2/link");
    let (parts, bytes) = split(&state, req).await?;
    let (_, user) = require_session(&state, &parts.headers).await?;
    let body: LinkSocialBody = parse(&bytes)?;
    callback::check_labeled(&state.config, body.callback_url.as_deref(), Label::CallbackUrl)?;
    callback::check_labeled(&state.config, body.error_callback_url.as_deref(), Label::ErrorCallbackUrl)?;
    let provider = provider(&state, &body.provider)?;
    if let Some(id_token) = &body.id_token {
        let profile = verify_id_token(&state, &body.provider, provider, id_token).await?;
        // As BetterAuth's link: the tokens the app sent, and the ID token itself.
        let tokens = Tokens {
            access_token: id_token.access_token.clone(),
            refresh_token: id_token.refresh_token.clone(),
            id_token: Some(id_token.token.clone()),
            ..Tokens::default()
        };
        if profile.email.is_none() {
            return Err(messages::USER_EMAIL_NOT_FOUND);
        }
        let trusted = rules(&state, &body.provider).trusted;
        let link = Link {
            user_id: &user.id,
            user_email: &user.email,
            provider_id: &body.provider,
            profile: &profile,
            tokens: &tokens,
            trusted,
        };
        let linked = social_accounts::link(&state.db, link).await?;
        let message = match linked {
            Ok(()) => return Ok(Json(json!({ "url": "", "status": true, "redirect": false })).into_response()),
            Err(Refusal::UnableToLinkAccount) => "Account not linked - linking not allowed",
            Err(Refusal::EmailDoesntMatch) => "Account not linked - different emails not allowed",
            Err(_) => "Account not linked - already linked to a different user",
        };
        return Err(AuthError::api(StatusCode::UNAUTHORIZED, message));
    }
    let flow_body = SignInSocialBody {
        provider: body.provider.clone(),
        callback_url: body.callback_url,
        new_user_callback_url: None,
        error_callback_url: body.error_callback_url,
        // genericOAuth's link always asks the client to redirect.
        disable_redirect: if generic_route { Some(false) } else { body.disable_redirect },
        id_token: None,
        scopes: body.scopes,
        request_sign_up: body.request_sign_up,
        login_hint: None,
    };
    let link = LinkTarget { email: user.email.clone(), user_id: user.id.clone() };
    start_flow(&state, &parts, &flow_body.provider.clone(), &flow_body, Some(link)).await
}

/// The callback's parameters (query on GET, form on POST).
#[derive(Debug, Default, Deserialize)]
struct CallbackParams {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

fn default_error_url(state: &AppState) -> String {
    format!("{}/error", super::email::api_base(state))
}

/// A redirect that also ends the state cookie.
fn redirect_clearing_state(state: &AppState, location: &str) -> Response {
    let mut response = found(location);
    response.headers_mut().append(SET_COOKIE, http_session::clear_state_cookie(&state.config));
    response
}

/// `POST /callback/:id` (`response_mode=form_post`): the provider's cross-site
/// POST carries no `SameSite=Lax` state cookie, so the parameters are moved to
/// the GET callback by a redirect, which the browser makes with the cookie.
pub(super) async fn callback_post(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, AuthError> {
    let path = req.uri().path().to_string();
    let (_, bytes) = split(&state, req).await?;
    let keep = ["code", "state", "error", "error_description", "iss"];
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(url::form_urlencoded::parse(&bytes).filter(|(k, _)| keep.contains(&k.as_ref())))
        .finish();
    let base = super::email::api_base(&state);
    let prefix = if path.contains("/oauth2/callback/") { "/oauth2/callback/" } else { "/callback/" };
    Ok(found(&format!("{base}{prefix}{}?{query}", encode(&id))))
}

/// `GET /callback/:id` and `GET /oauth2/callback/:id`: checks the state (it
/// must exist, be live, be unused, and be this browser's), exchanges the code,
/// and signs the user in or links the account; always answers with a redirect.
pub(super) async fn callback_get(State(state): State<AppState>, Path(id): Path<String>, parts: Parts) -> Response {
    let default_error = default_error_url(&state);
    let Ok(params) = serde_urlencoded_params(parts.uri.query().unwrap_or_default()) else {
        return found(&with_query(&default_error, "error", "invalid_callback_request"));
    };
    let Some(flow_state) = params.state.clone() else {
        return found(&with_query(&default_error, "state", "state_not_found"));
    };
    let stored = match oauth_flow::find(&state.db, &flow_state).await {
        Ok(Some(stored)) => stored,
        Ok(None) => return found(&with_query(&default_error, "error", "please_restart_the_process")),
        Err(err) => return internal(&state, &default_error, err),
    };
    // Bound to the browser that started it: another browser holding the state
    // (a login-CSRF attempt) gets nowhere, and does not burn the real flow.
    let cookie = http_session::state_from_cookie(&state.config, &parts.headers);
    if cookie.as_deref() != Some(flow_state.as_str()) || stored.flow.provider != id {
        // The cookie stays: a forged callback must not end the real sign-in in progress.
        return found(&with_query(&default_error, "error", "state_mismatch"));
    }
    match oauth_flow::finish(&state.db, &stored).await {
        Ok(true) if stored.live => {}
        Ok(_) => {
            return redirect_clearing_state(&state, &with_query(&default_error, "error", "please_restart_the_process"));
        }
        Err(err) => return internal(&state, &default_error, err),
    }
    let flow = stored.flow;
    let error_url = flow.error_url.clone().unwrap_or(default_error.clone());
    let on_error = |code: &str, description: Option<&str>| {
        let mut url = with_query(&error_url, "error", code);
        if let Some(description) = description {
            url = with_query(&url, "error_description", description);
        }
        let response = redirect_clearing_state(&state, &url);
        crate::auth::routes::expo::hand_off(&state.config, response)
    };
    if let Some(error) = &params.error {
        return on_error(error, params.error_description.as_deref());
    }
    let Some(code) = &params.code else { return on_error("no_code", None) };
    let Some(provider) = state.social.get(&id) else { return on_error("oauth_provider_not_found", None) };
    let redirect = redirect_uri(&state, &id, provider);
    let finished =
        provider.finish(state.social.http(), code, &flow.code_verifier, flow.nonce.as_deref(), &redirect).await;
    let (tokens, profile) = match finished {
        Ok(done) => done,
        Err(err) => {
            tracing::warn!(error = %err, "social sign-in callback failed");
            let code = match err {
                SocialError::InvalidIdToken { .. } => "invalid_id_token",
                SocialError::NoProfile { .. } => "unable_to_get_user_info",
                _ => "invalid_code",
            };
            return on_error(code, None);
        }
    };
    if let Some(link) = &flow.link {
        let trusted = rules(&state, &id).trusted;
        let target = Link {
            user_id: &link.user_id,
            user_email: &link.email,
            provider_id: &id,
            profile: &profile,
            tokens: &tokens,
            trusted,
        };
        return match social_accounts::link(&state.db, target).await {
            Ok(Ok(())) => {
                crate::auth::routes::expo::hand_off(&state.config, redirect_clearing_state(&state, &flow.callback_url))
            }
            Ok(Err(refusal)) => on_error(refusal.code(), None),
            Err(err) => internal(&state, &error_url, err),
        };
    }
    let Some(email) = profile.email.clone() else { return on_error("email_not_found", None) };
    // BetterAuth names a user without a name after their email.
    let profile = Profile { name: profile.name.clone().filter(|n| !n.is_empty()).or(Some(email.clone())), ..profile };
    let session = new_session(&state, &parts, "", true);
    let signed_in =
        match social_accounts::sign_in(&state.db, &id, &profile, &email, &tokens, rules(&state, &id), session).await {
            Ok(Ok(signed_in)) => signed_in,
            Ok(Err(Refusal::Banned)) => {
                return on_error(Refusal::Banned.code(), Some(crate::services::admin::BANNED_MESSAGE));
            }
            Ok(Err(refusal)) => {
                state.metrics.sign_in("social_refused");
                return on_error(refusal.code(), None);
            }
            Err(err) => return internal(&state, &error_url, err),
        };
    state.metrics.sign_in("success");
    let target = match (&flow.new_user_url, signed_in.is_register) {
        (Some(url), true) => url.clone(),
        _ => flow.callback_url.clone(),
    };
    let mut response = redirect_clearing_state(&state, &target);
    let headers = response.headers_mut();
    let max_age = sessions::EXPIRES_IN.num_seconds();
    headers.append(SET_COOKIE, http_session::set_cookie(&state.config, &signed_in.session.token, Some(max_age)));
    headers.insert(SET_AUTH_TOKEN.clone(), http_session::auth_token_header(&state.config, &signed_in.session.token));
    let response = crate::auth::routes::expo::hand_off(&state.config, response);
    if flow.native {
        // The session is the app's: it travels in the deep link only, and the
        // system browser that carried the flow is not signed in.
        return crate::auth::routes::expo::keep_out_of_browser(&state.config, response);
    }
    response
}

fn serde_urlencoded_params(query: &str) -> Result<CallbackParams, ()> {
    let mut params = CallbackParams::default();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match k.as_ref() {
            "code" => &mut params.code,
            "error" => &mut params.error,
            "error_description" => &mut params.error_description,
            "state" => &mut params.state,
            _ => continue,
        };
        // A repeated parameter is ambiguous: refuse rather than pick one.
        if slot.replace(v.into_owned()).is_some() {
            return Err(());
        }
    }
    Ok(params)
}

/// A failure of ours during the callback: logged, and the browser sent to the error page.
fn internal(state: &AppState, error_url: &str, err: AppError) -> Response {
    tracing::error!(error = %err, "social sign-in callback failed");
    redirect_clearing_state(state, &with_query(error_url, "error", "internal_server_error"))
}

/// BetterAuth's account object in `/list-accounts`.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountInfo {
    id: String,
    provider_id: String,
    created_at: IsoTime,
    updated_at: IsoTime,
    account_id: String,
    scopes: Vec<String>,
}

/// `GET /list-accounts`: the caller's accounts (no tokens).
pub(super) async fn list_accounts(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AuthError> {
    let (_, user) = require_session(&state, &headers).await?;
    let list: Vec<AccountInfo> = social_accounts::list(&state.db, &user.id)
        .await?
        .into_iter()
        .map(|a| AccountInfo {
            id: a.id,
            provider_id: a.provider_id,
            created_at: a.created_at.into(),
            updated_at: a.updated_at.into(),
            account_id: a.account_id,
            // BetterAuth's `scope?.split(",") || []`: `""` gives `[""]`.
            scopes: a.scope.map(|s| s.split(',').map(String::from).collect()).unwrap_or_default(),
        })
        .collect();
    Ok(Json(list).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UnlinkBody {
    provider_id: String,
    #[serde(default)]
    account_id: Option<String>,
}

/// `POST /unlink-account {providerId, accountId?}`: removes one of the
/// caller's accounts, never the last; needs a fresh session (decision 19's
/// rule: created within the hour), as BetterAuth's `freshSessionMiddleware`.
pub(super) async fn unlink_account(State(state): State<AppState>, req: Request) -> Result<Response, AuthError> {
    let (parts, bytes) = split(&state, req).await?;
    let (session, user) = require_session(&state, &parts.headers).await?;
    let body: UnlinkBody = parse(&bytes)?;
    if nextstack_entity::now() - session.created_at >= account::FRESH_AGE {
        return Err(messages::SESSION_NOT_FRESH);
    }
    match social_accounts::unlink(&state.db, &user.id, &body.provider_id, body.account_id.as_deref()).await? {
        Ok(()) => Ok(Json(json!({ "status": true })).into_response()),
        Err(UnlinkRefusal::LastAccount) => Err(messages::UNLINK_LAST_ACCOUNT),
        Err(UnlinkRefusal::NotFound) => Err(messages::ACCOUNT_NOT_FOUND),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ErrorQuery {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// `GET /error`: BetterAuth's default error page, where a failed sign-in lands
/// when the app gave no `errorCallbackURL`. The code is shown escaped.
pub(super) async fn error_page(axum::extract::Query(query): axum::extract::Query<ErrorQuery>) -> Response {
    let code = escape(query.error.as_deref().unwrap_or("unknown"));
    let description = query.error_description.as_deref().map(escape).unwrap_or_default();
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width\"><title>Sign-in error</title></head><body><main><h1>Sign-in failed</h1>\
         <p>Error code: <code>{code}</code></p><p>{description}</p><p>Go back to the app and try again.</p></main>\
         </body></html>"
    );
    let mut response = Html(page).into_response();
    response.headers_mut().insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
