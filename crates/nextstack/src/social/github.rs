//! GitHub: OAuth 2.0, then `GET /user` for the profile and `GET /user/emails`
//! for the address and whether GitHub verified it (as BetterAuth's provider).

use serde::Deserialize;

use super::SocialError;
use super::oauth_app::Endpoints;
use super::profile::Profile;

/// GitHub's endpoints and BetterAuth's default scopes.
pub const ENDPOINTS: Endpoints = Endpoints {
    id: "github",
    auth_url: "https://github.com/login/oauth/authorize",
    token_url: "https://github.com/login/oauth/access_token",
    scopes: &["read:user", "user:email"],
    pkce: true,
    extra_params: &[],
    login_param: Some("login"),
};

const API: &str = "https://api.github.com";

/// `GET /user` (the fields used).
#[derive(Debug, Deserialize)]
pub struct GitHubUser {
    id: u64,
    login: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    avatar_url: Option<String>,
}

/// One entry of `GET /user/emails`.
#[derive(Debug, Deserialize)]
pub struct GitHubEmail {
    email: String,
    #[serde(default)]
    primary: bool,
    #[serde(default)]
    verified: bool,
}

/// A GitHub REST request with the token and the headers GitHub requires.
pub fn api_request(http: &reqwest::Client, path: &str, access_token: &str) -> reqwest::RequestBuilder {
    http.get(format!("{API}{path}"))
        .bearer_auth(access_token)
        .header(reqwest::header::ACCEPT, "application/vnd.github+json")
        .header("x-github-api-version", "2022-11-28")
        .header(reqwest::header::USER_AGENT, "nextstack")
}

/// BetterAuth's mapping: the public email, else the primary (else the first)
/// of the account's addresses; verified only if GitHub lists that address as verified.
pub fn profile(user: GitHubUser, emails: &[GitHubEmail]) -> Profile {
    let email =
        user.email.clone().or_else(|| emails.iter().find(|e| e.primary).or(emails.first()).map(|e| e.email.clone()));
    let email_verified = email.as_ref().is_some_and(|address| emails.iter().any(|e| &e.email == address && e.verified));
    Profile {
        id: user.id.to_string(),
        email,
        email_verified,
        name: user.name.filter(|n| !n.is_empty()).or(Some(user.login)),
        image: user.avatar_url,
    }
}

/// Reads the signed-in GitHub user.
pub async fn fetch_profile(http: &reqwest::Client, access_token: &str) -> Result<Profile, SocialError> {
    let user: GitHubUser = super::fetch_json("github", api_request(http, "/user", access_token)).await?;
    // Without the emails the address cannot count as verified; the sign-in goes on without it.
    let emails: Vec<GitHubEmail> = match api_request(http, "/user/emails", access_token).send().await {
        Ok(r) if r.status().is_success() => r.json().await.unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(profile(user, &emails))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shapes of GitHub's documented examples (docs.github.com/rest/users).
    const USER: &str = r#"{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://github.com/images/error/octocat_happy.gif","type":"User","site_admin":false,"name":"monalisa octocat","company":"GitHub","email":null,"hireable":false,"public_repos":2}"#;
    const EMAILS: &str = r#"[{"email":"octocat@github.com","verified":true,"primary":true,"visibility":"public"},{"email":"other@example.com","verified":false,"primary":false,"visibility":null}]"#;

    #[test]
    fn a_private_email_comes_from_the_verified_primary_address() {
        let user: GitHubUser = serde_json::from_str(USER).unwrap();
        let emails: Vec<GitHubEmail> = serde_json::from_str(EMAILS).unwrap();
        let p = profile(user, &emails);
        assert_eq!(p.id, "1");
        assert_eq!(p.email.as_deref(), Some("octocat@github.com"));
        assert!(p.email_verified);
        assert_eq!(p.name.as_deref(), Some("monalisa octocat"));
        assert_eq!(p.image.as_deref(), Some("https://github.com/images/error/octocat_happy.gif"));
    }

    #[test]
    fn an_unverified_public_email_stays_unverified_and_login_names_a_nameless_user() {
        let user: GitHubUser = serde_json::from_str(
            r#"{"login":"octocat","id":583231,"name":null,"email":"other@example.com","avatar_url":null}"#,
        )
        .unwrap();
        let emails: Vec<GitHubEmail> = serde_json::from_str(EMAILS).unwrap();
        let p = profile(user, &emails);
        assert_eq!(p.id, "583231");
        assert_eq!(p.email.as_deref(), Some("other@example.com"));
        assert!(!p.email_verified, "GitHub lists it as unverified");
        assert_eq!(p.name.as_deref(), Some("octocat"));
        let nobody: GitHubUser = serde_json::from_str(r#"{"login":"x","id":2}"#).unwrap();
        assert!(!profile(nobody, &[]).email_verified, "no emails list: nothing is verified");
    }

    #[test]
    fn api_requests_carry_the_token_and_githubs_required_headers() {
        let http = reqwest::Client::new();
        let request = api_request(&http, "/user/emails", "gho_token").build().unwrap();
        assert_eq!(request.url().as_str(), "https://api.github.com/user/emails");
        let headers = request.headers();
        assert_eq!(headers["authorization"], "Bearer gho_token");
        assert_eq!(headers["accept"], "application/vnd.github+json");
        assert!(headers.contains_key("user-agent"), "GitHub refuses requests without one");
    }
}
