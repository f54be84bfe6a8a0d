//! Presigned URLs for the local disk: the server signs `PUT /storage/upload/<key>`
//! and `GET /storage/files/<key>` URLs with an HMAC and serves them itself, so
//! clients see the same flow as with S3.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::key::is_safe_key;

type HmacSha256 = Hmac<Sha256>;

/// Where temporary upload files are written before they are renamed into place
/// (inside the root, so the rename never crosses file systems; keys cannot start with `.`).
const TMP_DIR: &str = ".uploads-tmp";

/// What a signed URL allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `PUT /storage/upload/<key>`.
    Upload,
    /// `GET /storage/files/<key>`.
    Download,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Self::Upload => "PUT",
            Self::Download => "GET",
        }
    }

    fn route(self) -> &'static str {
        match self {
            Self::Upload => "/storage/upload/",
            Self::Download => "/storage/files/",
        }
    }
}

/// The signed parameters of a URL (its query string).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signed {
    /// Unix seconds after which the URL is refused.
    pub expires: i64,
    /// Uploads: the most bytes the body may have.
    pub size: Option<u64>,
    /// The content type the upload must declare / the download is served with.
    pub content_type: String,
    /// `base64url(HMAC-SHA256(key, canonical))`.
    pub sig: String,
}

impl Signed {
    /// Reads `expires`, `size`, `type` and `sig` from a query string; `None` when one is missing or malformed.
    pub fn from_query(query: &str) -> Option<Self> {
        let mut out = Self::default();
        let (mut expires, mut sig, mut content_type) = (false, false, false);
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "expires" => (out.expires, expires) = (value.parse().ok()?, true),
                "size" => out.size = Some(value.parse().ok()?),
                "type" => (out.content_type, content_type) = (value.into_owned(), true),
                "sig" => (out.sig, sig) = (value.into_owned(), true),
                _ => {}
            }
        }
        (expires && sig && content_type).then_some(out)
    }
}

/// Why a signed URL is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlProblem {
    /// The signature does not match the method, key and parameters.
    BadSignature,
    /// Past its `expires`.
    Expired,
}

/// Signs and checks local storage URLs, and maps keys to files.
#[derive(Clone)]
pub struct LocalUrls {
    root: PathBuf,
    base_url: String,
    mac: HmacSha256,
}

impl LocalUrls {
    /// `base_url` is how clients reach this server; the signing key is derived
    /// from the auth secret, so URLs stay valid across restarts and processes.
    pub fn new(root: PathBuf, base_url: String, secret: &[u8]) -> Self {
        let mut derive = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
        derive.update(b"nextstack/storage-url/v1");
        let key = derive.finalize().into_bytes();
        let mac = HmacSha256::new_from_slice(&key).expect("HMAC takes any key length");
        Self { root, base_url, mac }
    }

    /// The folder files live in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A signed URL for `op` on `key`.
    pub fn url(&self, op: Op, key: &str, content_type: &str, size: Option<u64>, expires: i64) -> String {
        let sig = self.sign(op, key, expires, size, content_type);
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("expires", &expires.to_string());
        if let Some(size) = size {
            query.append_pair("size", &size.to_string());
        }
        query.append_pair("type", content_type).append_pair("sig", &sig);
        format!("{}{}{key}?{}", self.base_url, op.route(), query.finish())
    }

    /// The unsigned address of `key` (`File.url` for the local disk).
    pub fn plain_url(&self, key: &str) -> String {
        format!("{}{}{key}", self.base_url, Op::Download.route())
    }

    /// Checks a URL's signature, then its expiry (a forged URL learns nothing about expiry).
    pub fn verify(&self, op: Op, key: &str, signed: &Signed, now: i64) -> Result<(), UrlProblem> {
        let Ok(given) = URL_SAFE_NO_PAD.decode(&signed.sig) else { return Err(UrlProblem::BadSignature) };
        let mut mac = self.mac.clone();
        mac.update(canonical(op, key, signed.expires, signed.size, &signed.content_type).as_bytes());
        mac.verify_slice(&given).map_err(|_| UrlProblem::BadSignature)?;
        if now > signed.expires { Err(UrlProblem::Expired) } else { Ok(()) }
    }

    /// The file of `key`, for keys this server could have made.
    pub fn path_of(&self, key: &str) -> Option<PathBuf> {
        is_safe_key(key).then(|| self.root.join(key))
    }

    /// Where in-progress uploads are written.
    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join(TMP_DIR)
    }

    fn sign(&self, op: Op, key: &str, expires: i64, size: Option<u64>, content_type: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(canonical(op, key, expires, size, content_type).as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// One field per line; none may contain a newline (keys and MIME types cannot).
fn canonical(op: Op, key: &str, expires: i64, size: Option<u64>, content_type: &str) -> String {
    let size = size.map(|s| s.to_string()).unwrap_or_default();
    format!("{}\n{key}\n{expires}\n{size}\n{}", op.as_str(), content_type.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls() -> LocalUrls {
        LocalUrls::new("/tmp/x".into(), "http://h:1".into(), b"secret-secret")
    }

    fn signed_of(url: &str) -> Signed {
        Signed::from_query(url.split_once('?').unwrap().1).unwrap()
    }

    #[test]
    fn a_signed_url_verifies_until_it_expires() {
        let u = urls();
        let url = u.url(Op::Upload, "u/c1-a.png", "image/png", Some(10), 1000);
        assert!(url.starts_with("http://h:1/storage/upload/u/c1-a.png?expires=1000&size=10&type=image%2Fpng&sig="));
        let s = signed_of(&url);
        assert_eq!(u.verify(Op::Upload, "u/c1-a.png", &s, 1000), Ok(()));
        assert_eq!(u.verify(Op::Upload, "u/c1-a.png", &s, 1001), Err(UrlProblem::Expired));
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let u = urls();
        let s = signed_of(&u.url(Op::Upload, "u/c1-a.png", "image/png", Some(10), 1000));
        let bad = UrlProblem::BadSignature;
        assert_eq!(u.verify(Op::Download, "u/c1-a.png", &s, 0), Err(bad));
        assert_eq!(u.verify(Op::Upload, "v/c1-a.png", &s, 0), Err(bad));
        assert_eq!(u.verify(Op::Upload, "u/c1-a.png", &Signed { size: Some(11), ..s.clone() }, 0), Err(bad));
        assert_eq!(u.verify(Op::Upload, "u/c1-a.png", &Signed { expires: 9999, ..s.clone() }, 0), Err(bad));
        let other = LocalUrls::new("/tmp/x".into(), "http://h:1".into(), b"another-secret");
        assert_eq!(other.verify(Op::Upload, "u/c1-a.png", &s, 0), Err(bad));
    }

    #[test]
    fn incomplete_queries_are_refused() {
        assert_eq!(Signed::from_query("expires=1&type=a%2Fb"), None);
        assert_eq!(Signed::from_query("expires=x&type=a%2Fb&sig=s"), None);
        assert!(Signed::from_query("expires=1&type=a%2Fb&sig=s").is_some());
    }

    #[test]
    fn paths_stay_inside_the_root() {
        let u = urls();
        assert_eq!(u.path_of("u/c1-a.png"), Some(PathBuf::from("/tmp/x/u/c1-a.png")));
        assert_eq!(u.path_of("../etc/passwd"), None);
        assert_eq!(u.path_of(".uploads-tmp/x"), None);
    }
}
