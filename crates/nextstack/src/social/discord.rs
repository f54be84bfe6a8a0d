//! Discord: OAuth 2.0, then `GET /users/@me` (BetterAuth's mapping, including
//! its default avatars).

use serde::Deserialize;

use super::SocialError;
use super::oauth_app::Endpoints;
use super::profile::Profile;

/// Discord's endpoints and BetterAuth's defaults (`prompt=none`: no consent screen on repeat sign-ins).
pub const ENDPOINTS: Endpoints = Endpoints {
    id: "discord",
    auth_url: "https://discord.com/api/oauth2/authorize",
    token_url: "https://discord.com/api/oauth2/token",
    scopes: &["identify", "email"],
    pkce: false,
    extra_params: &[("prompt", "none")],
    login_param: None,
};

/// `GET /users/@me` (the fields used).
#[derive(Debug, Deserialize)]
pub struct DiscordUser {
    id: String,
    username: String,
    #[serde(default)]
    discriminator: Option<String>,
    #[serde(default)]
    global_name: Option<String>,
    #[serde(default)]
    avatar: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    verified: Option<bool>,
}

/// The `users/@me` request.
pub fn me_request(http: &reqwest::Client, access_token: &str) -> reqwest::RequestBuilder {
    http.get("https://discord.com/api/users/@me").bearer_auth(access_token)
}

/// BetterAuth's mapping: the global name (else the username), the email and
/// Discord's `verified`, and the avatar URL (a default avatar when unset).
pub fn profile(user: DiscordUser) -> Profile {
    let image = match &user.avatar {
        Some(hash) => {
            let format = if hash.starts_with("a_") { "gif" } else { "png" };
            format!("https://cdn.discordapp.com/avatars/{}/{hash}.{format}", user.id)
        }
        None => {
            let index = match user.discriminator.as_deref() {
                None | Some("0") => user.id.parse::<u64>().map(|id| (id >> 22) % 6).unwrap_or(0),
                Some(d) => d.parse::<u64>().map(|d| d % 5).unwrap_or(0),
            };
            format!("https://cdn.discordapp.com/embed/avatars/{index}.png")
        }
    };
    Profile {
        name: user.global_name.filter(|n| !n.is_empty()).or(Some(user.username)),
        email: user.email,
        email_verified: user.verified.unwrap_or(false),
        image: Some(image),
        id: user.id,
    }
}

/// Reads the signed-in Discord user.
pub async fn fetch_profile(http: &reqwest::Client, access_token: &str) -> Result<Profile, SocialError> {
    Ok(profile(super::fetch_json("discord", me_request(http, access_token)).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Discord's documented user object (discord.com/developers/docs/resources/user).
    const USER: &str = r#"{"id":"80351110224678912","username":"Nelly","discriminator":"1337","avatar":"8342729096ea3675442027381ff50dfe","verified":true,"email":"nelly@discord.com","flags":64,"banner":"06c16474723fe537c283b8efa61a30c8","accent_color":16711680,"premium_type":1,"public_flags":64}"#;

    #[test]
    fn the_documented_user_maps_as_better_auth_maps_it() {
        let p = profile(serde_json::from_str(USER).unwrap());
        assert_eq!(p.id, "80351110224678912");
        assert_eq!(p.name.as_deref(), Some("Nelly"));
        assert_eq!(p.email.as_deref(), Some("nelly@discord.com"));
        assert!(p.email_verified);
        assert_eq!(
            p.image.as_deref(),
            Some("https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png")
        );
    }

    #[test]
    fn default_avatars_and_unverified_addresses() {
        let new_style: DiscordUser = serde_json::from_str(
            r#"{"id":"80351110224678912","username":"nelly","discriminator":"0","global_name":"Nelly","avatar":null,"email":"n@example.com","verified":false}"#,
        )
        .unwrap();
        let p = profile(new_style);
        assert_eq!(p.name.as_deref(), Some("Nelly"), "the global name wins");
        assert!(!p.email_verified);
        // (80351110224678912 >> 22) % 6, as BetterAuth computes it.
        assert_eq!(p.image.as_deref(), Some("https://cdn.discordapp.com/embed/avatars/5.png"));
        let legacy: DiscordUser =
            serde_json::from_str(r#"{"id":"1","username":"old","discriminator":"1337","avatar":null}"#).unwrap();
        assert_eq!(profile(legacy).image.as_deref(), Some("https://cdn.discordapp.com/embed/avatars/2.png"));
        let animated: DiscordUser = serde_json::from_str(r#"{"id":"1","username":"a","avatar":"a_123"}"#).unwrap();
        assert!(profile(animated).image.unwrap().ends_with("/a_123.gif"));
    }

    #[test]
    fn the_me_request_carries_the_token() {
        let request = me_request(&reqwest::Client::new(), "tok").build().unwrap();
        assert_eq!(request.url().as_str(), "https://discord.com/api/users/@me");
        assert_eq!(request.headers()["authorization"], "Bearer tok");
    }
}
