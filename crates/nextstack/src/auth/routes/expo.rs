//! `@better-auth/expo`'s server plugin: the authorization proxy a native app
//! opens in the system browser, and the hand-off of the session cookie to the
//! app in the deep link the callback redirects to. (`expo-origin` standing in
//! for `Origin` is in guard.rs.)

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::header::{LOCATION, SET_COOKIE};
use http::{HeaderValue, StatusCode};
use serde::Deserialize;

use super::email::found;
use crate::app::AppState;
use crate::auth::callback;
use crate::auth::error::AuthError;
use crate::auth::session as http_session;
use crate::config::Config;
use crate::services::oauth_flow;

/// After a callback whose redirect goes to a trusted app scheme (`myapp://…`),
/// the app cannot read the browser's cookies: as the Expo plugin does, the
/// `Set-Cookie` values travel in the deep link's `cookie` parameter, joined as
/// `Headers.get("set-cookie")` joins them, for `expoClient` to store.
pub fn hand_off(config: &Config, mut response: Response) -> Response {
    let Some(location) = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()) else { return response };
    if !callback::is_app_url(config, location) {
        return response;
    }
    let cookies: Vec<&str> = response.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).collect();
    if cookies.is_empty() {
        return response;
    }
    let Ok(mut url) = url::Url::parse(location) else { return response };
    let joined = cookies.join(", ");
    // `searchParams.set`, as the plugin: a `cookie` the app put there is replaced.
    let kept: Vec<(String, String)> =
        url.query_pairs().filter(|(k, _)| k != "cookie").map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    url.query_pairs_mut().clear().extend_pairs(kept).append_pair("cookie", &joined);
    if let Ok(value) = HeaderValue::from_str(url.as_str()) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// For a native app's flow: the browser keeps only the state cookie's
/// removal; the session went to the app in the deep link ([`hand_off`]).
pub fn keep_out_of_browser(config: &Config, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.remove(SET_COOKIE);
    headers.remove("set-auth-token");
    headers.append(SET_COOKIE, http_session::clear_state_cookie(config));
    response
}

#[derive(Debug, Deserialize)]
pub(super) struct ProxyQuery {
    #[serde(rename = "authorizationURL")]
    authorization_url: String,
}

fn unexpected() -> AuthError {
    AuthError::api(StatusCode::BAD_REQUEST, "Unexpected error")
}

/// `GET /expo-authorization-proxy?authorizationURL=`: the app started the
/// flow with `fetch`, so the state cookie is not in the browser; this sets it
/// there and sends the browser on to the provider. Stricter than the plugin
/// (which redirects anywhere and binds any state): the URL must be a
/// configured provider's authorization endpoint, and its state a live flow a
/// native app started for that provider, not bound before.
pub(super) async fn authorization_proxy(
    State(state): State<AppState>,
    Query(query): Query<ProxyQuery>,
) -> Result<Response, AuthError> {
    let url = url::Url::parse(&query.authorization_url).map_err(|_| unexpected())?;
    let flow_state =
        url.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()).ok_or_else(unexpected)?;
    let stored = oauth_flow::find(&state.db, &flow_state).await?.filter(|s| s.live && s.flow.native);
    let Some(stored) = stored else { return Err(unexpected()) };
    let provider = state.social.get(&stored.flow.provider).ok_or_else(unexpected)?;
    let endpoint = match provider.authorization_endpoint(state.social.http()).await {
        Ok(endpoint) => endpoint,
        Err(err) => {
            tracing::error!(error = %err, "social sign-in provider failed");
            return Err(unexpected());
        }
    };
    let mut target = url.clone();
    target.set_query(None);
    target.set_fragment(None);
    if target != endpoint {
        return Err(unexpected());
    }
    // One browser per flow: a second visit (someone else's browser) is refused.
    if !oauth_flow::bind_once(&state.db, &stored).await? {
        return Err(unexpected());
    }
    let mut response = found(url.as_str()).into_response();
    response.headers_mut().append(SET_COOKIE, http_session::state_cookie(&state.config, &flow_state));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let mut vars = std::collections::HashMap::new();
        vars.insert("BETTER_AUTH_TRUSTED_ORIGINS".to_string(), "myapp://".to_string());
        vars.insert("NODE_ENV".to_string(), "test".to_string());
        vars.insert("BETTER_AUTH_SECRET".to_string(), "a-test-secret-that-is-long-enough-0123".to_string());
        Config::from_vars(vars).unwrap()
    }

    fn redirect(location: &str) -> Response {
        let mut response = found(location);
        response.headers_mut().append(SET_COOKIE, HeaderValue::from_static("better-auth.state=; Max-Age=0; Path=/"));
        response.headers_mut().append(SET_COOKIE, HeaderValue::from_static("better-auth.session_token=t.s; Path=/"));
        response
    }

    #[test]
    fn a_deep_link_to_a_trusted_scheme_carries_the_cookies() {
        let out = hand_off(&config(), redirect("myapp://home?tab=1"));
        let location = url::Url::parse(out.headers()[LOCATION].to_str().unwrap()).unwrap();
        let cookie = location.query_pairs().find(|(k, _)| k == "cookie").unwrap().1.into_owned();
        assert_eq!(cookie, "better-auth.state=; Max-Age=0; Path=/, better-auth.session_token=t.s; Path=/");
        assert!(location.query_pairs().any(|(k, v)| k == "tab" && v == "1"), "the app's own parameters stay");
    }

    #[test]
    fn web_and_untrusted_redirects_are_left_alone() {
        for target in ["https://app.example.com/x", "otherapp://home", "/dashboard"] {
            let out = hand_off(&config(), redirect(target));
            assert_eq!(out.headers()[LOCATION], target);
        }
    }
}
