//! Request ids (PROTOCOL.md decision 12): an incoming `X-Request-Id` of 1..128
//! visible ASCII characters is kept, anything else is replaced by a UUID v4.

use std::sync::Arc;

use axum::extract::Request;
use axum::response::Response;
use http::{HeaderName, HeaderValue};

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub Arc<str>);

impl RequestId {
    /// A fresh UUID v4.
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().to_string().into())
    }

    /// The id the request-id layer stored (a fresh one if the layer did not run).
    pub fn of(extensions: &http::Extensions) -> Self {
        extensions.get::<Self>().cloned().unwrap_or_else(Self::generate)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn from_header(value: Option<&HeaderValue>) -> Option<Self> {
        let bytes = value?.as_bytes();
        let visible = bytes.iter().all(|b| (0x21..=0x7e).contains(b));
        (!bytes.is_empty() && bytes.len() <= 128 && visible)
            .then(|| Self(String::from_utf8_lossy(bytes).into_owned().into()))
    }
}

/// Picks the request's id and stores it in the request extensions.
pub fn assign(req: &mut Request) -> RequestId {
    let id = RequestId::from_header(req.headers().get(&X_REQUEST_ID)).unwrap_or_else(RequestId::generate);
    req.extensions_mut().insert(id.clone());
    id
}

/// Echoes the id as `X-Request-Id` on the response.
pub fn echo(response: &mut Response, id: RequestId) {
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), value);
    }
    response.extensions_mut().insert(id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_visible_ascii_up_to_128() {
        let ok = HeaderValue::from_static("abc-123_X");
        assert_eq!(RequestId::from_header(Some(&ok)).unwrap().as_str(), "abc-123_X");
        assert!(RequestId::from_header(Some(&HeaderValue::from_static("has space"))).is_none());
        let long = HeaderValue::from_str(&"a".repeat(129)).unwrap();
        assert!(RequestId::from_header(Some(&long)).is_none());
        assert!(RequestId::from_header(Some(&HeaderValue::from_static(""))).is_none());
    }
}
