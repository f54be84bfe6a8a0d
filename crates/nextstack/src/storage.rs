//! Object storage: one type over `object_store` for the local disk and any S3
//! API, with presigned URLs either way (SigV4 for S3; for the local disk,
//! HMAC-signed URLs this server serves under `/storage`).

pub mod key;
pub mod local;
pub mod removal;
pub mod sweep;
pub mod writer;

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::signer::{HeaderValue, Method, SignedUrlOptions, Signer};
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, RetryConfig};
use secrecy::ExposeSecret;

use crate::config::{Config, S3Config, StorageConfig};
use crate::error::AppError;
use local::{LocalUrls, Op};

/// How long an S3 call may take before storage counts as unreachable.
const S3_TIMEOUT: Duration = Duration::from_secs(15);

/// The configured storage.
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    backend: Backend,
    /// `File.url` is `<public_base>/<key>`.
    public_base: Option<String>,
    /// Operations by kind and result.
    metrics: Option<Arc<crate::metrics::Metrics>>,
}

enum Backend {
    Local(LocalUrls),
    S3 { s3: Arc<AmazonS3>, object_base: String },
}

/// A storage operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The service (or disk) did not answer: worth retrying.
    #[error("storage unavailable")]
    Unavailable(#[source] object_store::Error),
    /// Anything else (credentials, refused request, bad key).
    #[error("storage request failed")]
    Failed(#[source] object_store::Error),
}

impl From<object_store::Error> for StorageError {
    fn from(err: object_store::Error) -> Self {
        match err {
            // Network errors, timeouts, 5xx after retries and disk I/O errors all arrive as `Generic`.
            object_store::Error::Generic { .. } | object_store::Error::JoinError { .. } => Self::Unavailable(err),
            other => Self::Failed(other),
        }
    }
}

impl From<StorageError> for AppError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Unavailable(e) => AppError::Unavailable(e.into()),
            StorageError::Failed(e) => AppError::Internal(e.into()),
        }
    }
}

/// A presigned URL and when it stops working.
#[derive(Debug, Clone)]
pub struct Presigned {
    /// The URL.
    pub url: String,
    /// Its expiry (UTC).
    pub expires_at: NaiveDateTime,
}

impl Storage {
    /// Opens the configured storage (creating the local folder if needed).
    /// Call after [`Config::bound_to`], so local URLs carry the real port.
    pub fn from_config(config: &Config) -> Result<Self, StorageError> {
        let public_base = config.storage_public_url.clone();
        match &config.storage {
            StorageConfig::Local { dir } => {
                std::fs::create_dir_all(dir).map_err(|e| generic("local", e))?;
                let store = LocalFileSystem::new_with_prefix(dir)?.with_automatic_cleanup(true);
                let base_url = config.public_url.clone().unwrap_or_else(|| format!("http://localhost:{}", config.port));
                let urls = LocalUrls::new(dir.clone(), base_url, config.auth_secret.expose_secret().as_bytes());
                Ok(Self { store: Arc::new(store), backend: Backend::Local(urls), public_base, metrics: None })
            }
            StorageConfig::S3(s3) => {
                let store = Arc::new(s3_store(s3)?);
                let object_base = object_base(s3);
                Ok(Self {
                    store: store.clone(),
                    backend: Backend::S3 { s3: store, object_base },
                    public_base,
                    metrics: None,
                })
            }
        }
    }

    /// Counts operations in `metrics`.
    pub fn with_metrics(mut self, metrics: Arc<crate::metrics::Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    fn record<T>(&self, operation: &'static str, result: &Result<T, StorageError>) {
        if let Some(metrics) = &self.metrics {
            metrics.storage(operation, result.is_ok());
        }
    }

    /// The local URL signer, when files are on the local disk (the `/storage` routes need it).
    pub fn local(&self) -> Option<&LocalUrls> {
        match &self.backend {
            Backend::Local(urls) => Some(urls),
            Backend::S3 { .. } => None,
        }
    }

    /// A URL the client `PUT`s the file to, with `Content-Type: content_type`.
    pub async fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        ttl: Duration,
    ) -> Result<Presigned, StorageError> {
        let result = self.presign_upload_inner(key, content_type, size, ttl).await;
        self.record("presign_upload", &result);
        result
    }

    async fn presign_upload_inner(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        ttl: Duration,
    ) -> Result<Presigned, StorageError> {
        let expires_at = expiry(ttl);
        let url = match &self.backend {
            Backend::Local(urls) => urls.url(Op::Upload, key, content_type, Some(size), unix(expires_at)),
            Backend::S3 { s3, .. } => {
                // S3 refuses to sign Content-Length into a query signature; the
                // content type is signed, and confirmUpload checks the stored size.
                let value = HeaderValue::from_str(content_type).map_err(|e| generic("S3", e))?;
                let options = SignedUrlOptions::default().with_signed_header(http::header::CONTENT_TYPE, value);
                s3.signed_url_opts(Method::PUT, &path(key)?, ttl, &options).await?.to_string()
            }
        };
        Ok(Presigned { url, expires_at })
    }

    /// A URL that downloads the file (served with `content_type`).
    pub async fn presign_download(
        &self,
        key: &str,
        content_type: &str,
        ttl: Duration,
    ) -> Result<Presigned, StorageError> {
        let expires_at = expiry(ttl);
        let url = match &self.backend {
            Backend::Local(urls) => Ok(urls.url(Op::Download, key, content_type, None, unix(expires_at))),
            Backend::S3 { s3, .. } => match path(key) {
                Ok(p) => s3.signed_url(Method::GET, &p, ttl).await.map(|u| u.to_string()).map_err(StorageError::from),
                Err(e) => Err(e),
            },
        };
        self.record("presign_download", &url);
        Ok(Presigned { url: url?, expires_at })
    }

    /// The stored object's size, `None` when there is no object.
    pub async fn size_of(&self, key: &str) -> Result<Option<u64>, StorageError> {
        let result = match self.store.head(&path(key)?).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err.into()),
        };
        self.record("head", &result);
        result
    }

    /// Removes the object; an object that is already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let result = match self.store.delete(&path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        };
        self.record("delete", &result);
        result
    }

    /// The permanent, unsigned address of a file (`File.url`): `STORAGE_PUBLIC_URL/<key>`,
    /// else the object's own URL. It serves only what the bucket (or, on the
    /// local disk, this server for avatars) makes public.
    pub fn public_url(&self, key: &str) -> String {
        match (&self.public_base, &self.backend) {
            (Some(base), _) => format!("{base}/{key}"),
            (None, Backend::Local(urls)) => urls.plain_url(key),
            (None, Backend::S3 { object_base, .. }) => format!("{object_base}/{key}"),
        }
    }

    /// For `/ready`: the folder exists, or the bucket answers a listing.
    pub async fn check(&self) -> Result<(), StorageError> {
        match &self.backend {
            Backend::Local(urls) => match tokio::fs::metadata(urls.root()).await {
                Ok(meta) if meta.is_dir() => Ok(()),
                Ok(_) => Err(generic("local", std::io::Error::other("storage path is not a folder"))),
                Err(e) => Err(generic("local", e)),
            },
            Backend::S3 { .. } => {
                let probe = Path::from("nextstack-readiness-probe");
                match tokio::time::timeout(Duration::from_secs(3), self.store.list_with_delimiter(Some(&probe))).await {
                    Ok(result) => result.map(drop).map_err(StorageError::from),
                    Err(elapsed) => Err(generic("S3", elapsed)),
                }
            }
        }
    }
}

fn s3_store(config: &S3Config) -> Result<AmazonS3, StorageError> {
    // A short timeout and few retries: a request waiting on dead storage should fail fast with 503.
    let client = ClientOptions::new().with_connect_timeout(Duration::from_secs(3)).with_timeout(S3_TIMEOUT);
    let retry = RetryConfig { max_retries: 2, retry_timeout: S3_TIMEOUT, ..RetryConfig::default() };
    // `from_env` brings the AWS credential chain (AWS_* variables, profiles, instance roles) for when no keys are set.
    let mut builder = AmazonS3Builder::from_env()
        .with_client_options(client)
        .with_retry(retry)
        .with_bucket_name(&config.bucket)
        .with_region(&config.region)
        .with_virtual_hosted_style_request(!config.force_path_style);
    if let Some(endpoint) = &config.endpoint {
        builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
    }
    if let Some((access, secret)) = &config.credentials {
        builder = builder.with_access_key_id(access.expose_secret()).with_secret_access_key(secret.expose_secret());
    }
    Ok(builder.build()?)
}

/// The URL objects of the bucket live under.
fn object_base(config: &S3Config) -> String {
    match (&config.endpoint, config.force_path_style) {
        (Some(endpoint), true) => format!("{endpoint}/{}", config.bucket),
        (Some(endpoint), false) => match url::Url::parse(endpoint) {
            Ok(mut url) if url.host_str().is_some() => {
                let host = format!("{}.{}", config.bucket, url.host_str().unwrap_or_default());
                let _ = url.set_host(Some(&host));
                url.as_str().trim_end_matches('/').to_string()
            }
            _ => format!("{endpoint}/{}", config.bucket),
        },
        (None, true) => format!("https://s3.{}.amazonaws.com/{}", config.region, config.bucket),
        (None, false) => format!("https://{}.s3.{}.amazonaws.com", config.bucket, config.region),
    }
}

fn path(key: &str) -> Result<Path, StorageError> {
    Path::parse(key).map_err(|e| StorageError::Failed(e.into()))
}

fn generic(store: &'static str, err: impl std::error::Error + Send + Sync + 'static) -> StorageError {
    StorageError::Unavailable(object_store::Error::Generic { store, source: Box::new(err) })
}

fn expiry(ttl: Duration) -> NaiveDateTime {
    // Whole seconds onto a millisecond-truncated now: stored and compared exactly.
    nextstack_entity::now() + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(1))
}

fn unix(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(endpoint: Option<&str>, path_style: bool) -> S3Config {
        S3Config {
            endpoint: endpoint.map(String::from),
            bucket: "media".into(),
            region: "eu-west-1".into(),
            credentials: None,
            force_path_style: path_style,
        }
    }

    #[test]
    fn object_urls_follow_the_addressing_style() {
        assert_eq!(object_base(&s3(Some("http://127.0.0.1:9000"), true)), "http://127.0.0.1:9000/media");
        assert_eq!(object_base(&s3(Some("https://r2.example.com"), false)), "https://media.r2.example.com");
        assert_eq!(object_base(&s3(None, false)), "https://media.s3.eu-west-1.amazonaws.com");
        assert_eq!(object_base(&s3(None, true)), "https://s3.eu-west-1.amazonaws.com/media");
    }
}
