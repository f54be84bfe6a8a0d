//! Reading a tRPC HTTP request: paths, batch flag, inputs and the checks that
//! fail the whole request before any call runs (`contentType.ts`, `resolveResponse.ts`).

use http::{HeaderMap, Method, header};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::error::{ErrorCode, TrpcError};

/// The request line as tRPC sees it.
#[derive(Debug)]
pub(crate) struct CallRequest {
    /// The called paths (one unless batched).
    pub paths: Vec<String>,
    /// `?batch=1`.
    pub is_batch: bool,
    /// `trpc-accept: application/jsonl` (or `Accept: application/jsonl`, as 11.18 accepts).
    pub wants_jsonl: bool,
    /// The `?input=` text of a GET.
    pub query_input: Option<String>,
    /// The `?connectionParams=` text (`httpSubscriptionLink({ connectionParams })`).
    pub connection_params: Option<String>,
}

impl CallRequest {
    /// Parses the path (below the tRPC mount point) and query string.
    pub fn parse(path: &str, query: Option<&str>, headers: &HeaderMap) -> Self {
        let mut is_batch = false;
        let mut query_input = None;
        let mut connection_params = None;
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "batch" => is_batch = value == "1",
                "input" if query_input.is_none() => query_input = Some(value.into_owned()),
                "connectionParams" if connection_params.is_none() => connection_params = Some(value.into_owned()),
                _ => {}
            }
        }
        // tRPC applies decodeURIComponent to the path; commas separate batched calls.
        let decoded = percent_decode_str(path.trim_start_matches('/')).decode_utf8_lossy().into_owned();
        let paths = if is_batch { decoded.split(',').map(String::from).collect() } else { vec![decoded] };
        let accepts = |name: header::HeaderName| {
            headers.get_all(name).iter().any(|v| v.to_str().is_ok_and(|v| v.contains("application/jsonl")))
        };
        let wants_jsonl = accepts(header::HeaderName::from_static("trpc-accept")) || accepts(header::ACCEPT);
        Self { paths, is_batch, wants_jsonl, query_input, connection_params }
    }
}

/// The parameters a client sends with a request it cannot add headers to
/// (`httpSubscriptionLink({ connectionParams })`, EventSource, React Native):
/// string values by name. Context creation finds them in the request's
/// extensions, as tRPC passes `info.connectionParams` to `createContext`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionParams(pub std::collections::BTreeMap<String, String>);

impl ConnectionParams {
    /// The value of `name`, if sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Parses `?connectionParams=` as tRPC's `parseConnectionParamsFromString`
    /// does: JSON `null` is none, an object of strings is the parameters, and
    /// anything else fails the request with `PARSE_ERROR`.
    pub(crate) fn parse(text: &str) -> Result<Option<Self>, TrpcError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|_| TrpcError::new(ErrorCode::ParseError, "Not JSON-parsable query params"))?;
        let invalid =
            |why: String| TrpcError::new(ErrorCode::ParseError, format!("Invalid connection params shape: {why}"));
        let map = match value {
            Value::Null => return Ok(None),
            Value::Object(map) => map,
            _ => return Err(invalid("expected an object".into())),
        };
        let mut params = std::collections::BTreeMap::new();
        let mut not_strings = Vec::new();
        for (key, value) in map {
            match value {
                Value::String(s) => {
                    params.insert(key, s);
                }
                other => not_strings.push(format!("{key}: {}", json_type(&other))),
            }
        }
        if !not_strings.is_empty() {
            return Err(invalid(format!("expected string values, got {}", not_strings.join(", "))));
        }
        Ok(Some(Self(params)))
    }
}

/// JavaScript's `typeof` of a JSON value, for messages.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null | Value::Array(_) | Value::Object(_) => "object",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
    }
}

/// How many calls a request to `path` (below the tRPC mount point) with
/// `query` makes, decoded exactly as the engine decodes them: rate limits that
/// charge per call must not be fooled by `%2C` or `batch=%31`.
pub fn calls_in(path: &str, query: Option<&str>) -> usize {
    let call = CallRequest::parse(path, query, &HeaderMap::new());
    if call.is_batch { call.paths.len() } else { 1 }
}

/// Which body handler applies; anything but JSON is refused here (no procedure
/// takes FormData or octet-stream input).
pub(crate) fn check_content_type(method: &Method, headers: &HeaderMap) -> Result<(), TrpcError> {
    let content_type = headers.get(header::CONTENT_TYPE);
    let is_json = content_type
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
    if is_json || method == Method::GET {
        return Ok(());
    }
    // tRPC's message really lacks the closing quote.
    let message = match content_type {
        Some(v) => format!("Unsupported content-type \"{}", String::from_utf8_lossy(v.as_bytes())),
        None => "Missing content-type header".to_string(),
    };
    Err(TrpcError::new(ErrorCode::UnsupportedMediaType, message))
}

/// The inputs of all calls, parsed once; the per-call lookup happens only when
/// a procedure asks for its input.
#[derive(Debug)]
pub(crate) enum Inputs {
    /// No input was sent at all.
    None,
    /// The one input of a non-batch call.
    Single(Value),
    /// A batch's `{"0": ..., "1": ...}` object.
    Batch(serde_json::Map<String, Value>),
    /// The input could not be read or parsed; every call that needs it fails with this.
    Failed(TrpcError),
}

impl Inputs {
    /// Parses raw JSON text (from `?input=` or the body).
    pub fn parse(text: Option<&[u8]>, is_batch: bool) -> Self {
        let Some(text) = text.filter(|t| !t.iter().all(u8::is_ascii_whitespace)) else {
            return Self::None;
        };
        let value: Value = match serde_json::from_slice(text) {
            Ok(v) => v,
            // 11.x turns a JSON.parse failure into BAD_REQUEST with the parser's message.
            Err(e) => return Self::Failed(TrpcError::bad_request(strip_position(&e.to_string()))),
        };
        if !is_batch {
            return Self::Single(value);
        }
        match value {
            Value::Object(map) => Self::Batch(map),
            _ => Self::Failed(TrpcError::bad_request("\"input\" needs to be an object when doing a batch call")),
        }
    }

    /// The raw input of call `index`.
    pub fn get(&self, index: usize) -> Result<Option<Value>, TrpcError> {
        match self {
            Self::None => Ok(None),
            Self::Single(v) => Ok(Some(v.clone())),
            Self::Batch(map) => Ok(map.get(&index.to_string()).cloned()),
            Self::Failed(e) => Err(e.clone()),
        }
    }
}

fn strip_position(text: &str) -> String {
    match text.rfind(" at line ") {
        Some(i) => format!("Invalid JSON: {}", &text[..i]),
        None => format!("Invalid JSON: {text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_paths_are_split_and_decoded() {
        let req = CallRequest::parse("/a.b%2Cc,d.e", Some("batch=1&input=%7B%7D"), &HeaderMap::new());
        assert_eq!(req.paths, vec!["a.b", "c", "d.e"]);
        assert!(req.is_batch);
        assert_eq!(req.query_input.as_deref(), Some("{}"));
    }

    #[test]
    fn calls_are_counted_as_the_engine_decodes_them() {
        assert_eq!(calls_in("/a.b", None), 1);
        assert_eq!(calls_in("/a,b,c", Some("batch=1")), 3);
        assert_eq!(calls_in("/a%2Cb%2Cc", Some("batch=%31")), 3);
        assert_eq!(calls_in("/a,b", None), 1, "without batch=1 it is one call on one (odd) path");
    }

    #[test]
    fn batch_input_must_be_an_object() {
        let inputs = Inputs::parse(Some(b"[1]"), true);
        assert!(inputs.get(0).is_err());
        let inputs = Inputs::parse(Some(br#"{"1":{"x":1}}"#), true);
        assert_eq!(inputs.get(0).unwrap(), None);
        assert_eq!(inputs.get(1).unwrap().unwrap()["x"], 1);
    }

    #[test]
    fn connection_params_are_an_object_of_strings_or_null() {
        let params = ConnectionParams::parse(r#"{"token":"abc"}"#).unwrap().unwrap();
        assert_eq!(params.get("token"), Some("abc"));
        assert_eq!(ConnectionParams::parse("null").unwrap(), None);
        let err = ConnectionParams::parse("{nope").unwrap_err();
        assert_eq!((err.code, &*err.message), (ErrorCode::ParseError, "Not JSON-parsable query params"));
        let err = ConnectionParams::parse(r#"{"token":1,"a":"b","c":true}"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::ParseError);
        assert!(err.message.ends_with("expected string values, got token: number, c: boolean"), "{}", err.message);
        assert!(ConnectionParams::parse("[]").is_err());
    }

    #[test]
    fn bad_json_is_bad_request() {
        let err = Inputs::parse(Some(b"{nope"), false).get(0).unwrap_err();
        assert_eq!(err.code, ErrorCode::BadRequest);
        assert!(err.message.starts_with("Invalid JSON"));
    }

    #[test]
    fn post_needs_json() {
        let mut h = HeaderMap::new();
        assert_eq!(check_content_type(&Method::POST, &h).unwrap_err().message, "Missing content-type header");
        h.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert_eq!(check_content_type(&Method::POST, &h).unwrap_err().message, "Unsupported content-type \"text/plain");
        assert!(check_content_type(&Method::GET, &h).is_ok());
    }
}
