//! `STORAGE_TYPE` and the S3 variables, under their new names and the original server's.

use std::path::PathBuf;

use secrecy::SecretString;

use super::parse::{Vars, invalid};
use super::{ConfigError, S3Config, StorageConfig};

pub(super) fn storage(vars: &Vars) -> Result<StorageConfig, ConfigError> {
    let kind = vars.first_of(&["STORAGE_TYPE", "STORAGE_PROVIDER"]);
    match kind.map(|(name, v)| (name, v.to_ascii_lowercase())) {
        None => Ok(local(vars)),
        Some((_, kind)) if kind == "local" => Ok(local(vars)),
        Some((_, kind)) if kind == "s3" || kind == "minio" => s3(vars, kind == "minio").map(StorageConfig::S3),
        Some((name, other)) => Err(invalid(name, format!("must be local, s3 or minio, got {other:?}"))),
    }
}

fn local(vars: &Vars) -> StorageConfig {
    StorageConfig::Local { dir: PathBuf::from(vars.get("STORAGE_LOCAL_DIR").unwrap_or("data/uploads")) }
}

fn s3(vars: &Vars, minio: bool) -> Result<S3Config, ConfigError> {
    let endpoint = match vars.first_of(&["S3_ENDPOINT", "STORAGE_ENDPOINT"]) {
        None if minio => return Err(invalid("S3_ENDPOINT", "is required with STORAGE_TYPE=minio".into())),
        None => None,
        Some((name, value)) => match url::Url::parse(value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                Some(value.trim_end_matches('/').to_string())
            }
            _ => return Err(invalid(name, format!("{value:?} is not an http(s) URL"))),
        },
    };
    let bucket = vars.first_of(&["S3_BUCKET", "STORAGE_BUCKET"]).map_or("nextstack-dev", |(_, v)| v).to_string();
    if !is_bucket_name(&bucket) {
        return Err(invalid("S3_BUCKET", format!("{bucket:?} is not a valid bucket name")));
    }
    let region = vars.first_of(&["S3_REGION", "STORAGE_REGION"]).map_or("us-east-1", |(_, v)| v).to_string();
    let access = vars.first_of(&["S3_ACCESS_KEY", "STORAGE_ACCESS_KEY"]);
    let secret = vars.first_of(&["S3_SECRET_KEY", "STORAGE_SECRET_KEY"]);
    let credentials = match (access, secret) {
        (Some((_, a)), Some((_, s))) => Some((SecretString::from(a.to_string()), SecretString::from(s.to_string()))),
        (None, None) => None,
        (Some(_), None) => return Err(invalid("S3_SECRET_KEY", "is required when S3_ACCESS_KEY is set".into())),
        (None, Some(_)) => return Err(invalid("S3_ACCESS_KEY", "is required when S3_SECRET_KEY is set".into())),
    };
    let force_path_style = match vars.first_of(&["S3_FORCE_PATH_STYLE", "STORAGE_FORCE_PATH_STYLE"]) {
        None => endpoint.is_some(),
        Some((name, v)) => match v.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            other => return Err(invalid(name, format!("must be true or false, got {other:?}"))),
        },
    };
    Ok(S3Config { endpoint, bucket, region, credentials, force_path_style })
}

/// S3's rules: 3..63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.
fn is_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-')
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<StorageConfig, ConfigError> {
        storage(&Vars::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()))
    }

    fn s3_of(pairs: &[(&str, &str)]) -> S3Config {
        match parse(pairs).unwrap() {
            StorageConfig::S3(s3) => s3,
            other => panic!("expected S3, got {other:?}"),
        }
    }

    #[test]
    fn local_disk_by_default() {
        assert!(matches!(parse(&[]).unwrap(), StorageConfig::Local { dir } if dir.as_os_str() == "data/uploads"));
        let custom = parse(&[("STORAGE_TYPE", "LOCAL"), ("STORAGE_LOCAL_DIR", "/srv/files")]).unwrap();
        assert!(matches!(custom, StorageConfig::Local { dir } if dir.as_os_str() == "/srv/files"));
    }

    #[test]
    fn s3_names_and_the_originals_aliases() {
        let s3 = s3_of(&[
            ("STORAGE_PROVIDER", "minio"),
            ("STORAGE_ENDPOINT", "http://localhost:9000/"),
            ("STORAGE_BUCKET", "media"),
            ("STORAGE_ACCESS_KEY", "ak"),
            ("STORAGE_SECRET_KEY", "sk"),
        ]);
        assert_eq!(s3.endpoint.as_deref(), Some("http://localhost:9000"));
        assert_eq!((s3.bucket.as_str(), s3.region.as_str()), ("media", "us-east-1"));
        assert!(s3.force_path_style, "path style by default with a custom endpoint");
        assert!(s3.credentials.is_some());
        let aws = s3_of(&[("STORAGE_TYPE", "s3"), ("S3_REGION", "eu-west-1")]);
        assert_eq!((aws.endpoint, aws.force_path_style, aws.credentials.is_none()), (None, false, true));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = |pairs: &[(&str, &str)]| parse(pairs).unwrap_err().variable;
        assert_eq!(err(&[("STORAGE_TYPE", "ftp")]), "STORAGE_TYPE");
        assert_eq!(err(&[("STORAGE_PROVIDER", "gcs")]), "STORAGE_PROVIDER");
        assert_eq!(err(&[("STORAGE_TYPE", "minio")]), "S3_ENDPOINT");
        assert_eq!(err(&[("STORAGE_TYPE", "s3"), ("S3_ENDPOINT", "localhost:9000")]), "S3_ENDPOINT");
        assert_eq!(err(&[("STORAGE_TYPE", "s3"), ("S3_BUCKET", "Bad_Bucket")]), "S3_BUCKET");
        assert_eq!(err(&[("STORAGE_TYPE", "s3"), ("S3_ACCESS_KEY", "ak")]), "S3_SECRET_KEY");
        assert_eq!(err(&[("STORAGE_TYPE", "s3"), ("S3_FORCE_PATH_STYLE", "maybe")]), "S3_FORCE_PATH_STYLE");
    }
}
