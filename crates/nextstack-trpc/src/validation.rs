//! Input failures as zod issues, so frontends written against a zod-validated
//! tRPC server read them unchanged (PROTOCOL.md decision 3): the message is the
//! JSON text of the issue list (zod's `ZodError.message`), and `data.zodError`
//! holds `error.flatten()` (create-t3-app's error formatter).

use std::borrow::Cow;
use std::fmt::Display;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::error::{ErrorCode, TrpcError};

mod serde_issue;

/// One zod issue: `{code, ...details, path, message}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// zod's issue code (`invalid_type`, `too_small`, `invalid_string`, ...).
    pub code: String,
    /// Where in the input, as zod paths go: keys and array indexes.
    pub path: Vec<Value>,
    /// The human-readable message.
    pub message: String,
    /// Code-specific fields (`expected`, `minimum`, `validation`, ...).
    pub details: Map<String, Value>,
}

impl Issue {
    /// An issue at the root of the input.
    pub fn new(code: &str, message: impl Into<String>, details: Value) -> Self {
        let details = match details {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Self { code: code.into(), path: Vec::new(), message: message.into(), details }
    }

    /// Encodes the issue as a garde error message, so custom garde validators
    /// (and [`ZodMessages`]) can carry a full zod issue through a garde `Report`.
    pub fn into_garde(self) -> garde::Error {
        garde::Error::new(self.to_json().to_string())
    }

    fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("code".into(), self.code.clone().into());
        for (k, v) in &self.details {
            out.insert(k.clone(), v.clone());
        }
        out.insert("path".into(), Value::Array(self.path.clone()));
        out.insert("message".into(), self.message.clone().into());
        Value::Object(out)
    }

    fn from_garde(path: &garde::Path, error: &garde::Error) -> Self {
        let mut issue = match serde_json::from_str::<Value>(error.message()) {
            Ok(Value::Object(mut map)) if map.contains_key("code") => {
                let code = map.remove("code").and_then(|v| v.as_str().map(String::from));
                let message = map.remove("message").and_then(|v| v.as_str().map(String::from));
                map.remove("path");
                Issue {
                    code: code.unwrap_or_else(|| "custom".into()),
                    path: Vec::new(),
                    message: message.unwrap_or_default(),
                    details: map,
                }
            }
            _ => Issue::new("custom", error.message(), Value::Null),
        };
        issue.path = path
            .__iter()
            .rev()
            .filter(|(kind, _)| *kind != garde::error::Kind::None)
            .map(|(kind, key)| match kind {
                garde::error::Kind::Index => {
                    key.parse::<u64>().map(Value::from).unwrap_or_else(|_| key.as_str().into())
                }
                // Rust fields are snake_case; the wire (serde `rename_all = "camelCase"`,
                // as every tRPC client expects) is camelCase.
                _ => Value::String(snake_to_camel(key)),
            })
            .collect();
        issue
    }
}

/// Builds the `BAD_REQUEST` error for a list of issues.
pub fn issues_error(issues: Vec<Issue>) -> TrpcError {
    let list: Vec<Value> = issues.iter().map(Issue::to_json).collect();
    let message = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "Invalid input".into());
    let mut form_errors = Vec::new();
    let mut field_errors = Map::new();
    for issue in &issues {
        match issue.path.first() {
            None => form_errors.push(Value::String(issue.message.clone())),
            Some(first) => {
                let key = match first {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let entry = field_errors.entry(key).or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = entry {
                    list.push(Value::String(issue.message.clone()));
                }
            }
        }
    }
    let mut err = TrpcError::new(ErrorCode::BadRequest, message);
    err.zod_error = Some(json!({ "formErrors": form_errors, "fieldErrors": field_errors }));
    err
}

/// Deserializes and validates a raw call input (`None` when the client sent none).
pub fn parse_input<T>(raw: Option<Value>) -> Result<T, TrpcError>
where
    T: DeserializeOwned + garde::Validate<Context = ()>,
{
    let absent = raw.is_none();
    let value = raw.unwrap_or(Value::Null);
    if let Some(path) = nul_at(&value) {
        let mut issue = Issue::new("custom", "Text may not contain NUL (\\u0000) characters", json!({}));
        issue.path = path;
        return Err(issues_error(vec![issue]));
    }
    let parsed: T = serde_path_to_error::deserialize(value).map_err(|err| {
        let issue = if absent && err.path().iter().next().is_none() {
            Issue::new("invalid_type", "Required", json!({"expected": "object", "received": "undefined"}))
        } else {
            serde_issue::from_serde(&err)
        };
        issues_error(vec![issue])
    })?;
    garde::i18n::with_i18n(ZodMessages, || parsed.validate())
        .map_err(|report| issues_error(report.iter().map(|(path, error)| Issue::from_garde(path, error)).collect()))?;
    Ok(parsed)
}

/// Where the first string holding a NUL character is (keys included). No
/// database column can keep one (PostgreSQL's text refuses it), so it is a
/// client error here rather than a server error on insert.
pub fn nul_at(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::String(s) => s.contains('\0').then(Vec::new),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let mut path = nul_at(item)?;
            path.insert(0, Value::from(i));
            Some(path)
        }),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                return Some(vec![Value::String(key.replace('\0', ""))]);
            }
            let mut path = nul_at(item)?;
            path.insert(0, Value::String(key.clone()));
            Some(path)
        }),
        _ => None,
    }
}

/// garde messages rewritten as zod issues (codes, details and zod's English text).
/// Lengths are strings' lengths; zod counts UTF-16 units, so declare
/// `#[garde(length(utf16, ...))]` on string fields.
pub struct ZodMessages;

fn encoded(code: &str, message: String, details: Value) -> Cow<'static, str> {
    Cow::Owned(Issue::new(code, message, details).to_json().to_string())
}

impl garde::i18n::I18n for ZodMessages {
    fn length_lower_than(&self, min: usize) -> Cow<'static, str> {
        encoded(
            "too_small",
            format!("String must contain at least {min} character(s)"),
            json!({"minimum": min, "type": "string", "inclusive": true, "exact": false}),
        )
    }
    fn length_greater_than(&self, max: usize) -> Cow<'static, str> {
        encoded(
            "too_big",
            format!("String must contain at most {max} character(s)"),
            json!({"maximum": max, "type": "string", "inclusive": true, "exact": false}),
        )
    }
    fn range_lower_than(&self, min: &dyn Display) -> Cow<'static, str> {
        encoded(
            "too_small",
            format!("Number must be greater than or equal to {min}"),
            json!({"minimum": number(min), "type": "number", "inclusive": true, "exact": false}),
        )
    }
    fn range_greater_than(&self, max: &dyn Display) -> Cow<'static, str> {
        encoded(
            "too_big",
            format!("Number must be less than or equal to {max}"),
            json!({"maximum": number(max), "type": "number", "inclusive": true, "exact": false}),
        )
    }
    fn credit_card_invalid(&self, _: garde::i18n::InvalidCreditCard) -> Cow<'static, str> {
        encoded("invalid_string", "Invalid credit card".into(), json!({"validation": "credit_card"}))
    }
    fn pattern_no_match(&self, _: &dyn Display) -> Cow<'static, str> {
        encoded("invalid_string", "Invalid".into(), json!({"validation": "regex"}))
    }
    fn contains_missing(&self, pattern: &dyn Display) -> Cow<'static, str> {
        encoded(
            "invalid_string",
            format!("Invalid input: must include \"{pattern}\""),
            json!({"validation": {"includes": pattern.to_string()}}),
        )
    }
    fn url_invalid(&self, _: garde::i18n::InvalidUrl) -> Cow<'static, str> {
        encoded("invalid_string", "Invalid url".into(), json!({"validation": "url"}))
    }
    fn prefix_missing(&self, pattern: &dyn Display) -> Cow<'static, str> {
        encoded(
            "invalid_string",
            format!("Invalid input: must start with \"{pattern}\""),
            json!({"validation": {"startsWith": pattern.to_string()}}),
        )
    }
    fn suffix_missing(&self, pattern: &dyn Display) -> Cow<'static, str> {
        encoded(
            "invalid_string",
            format!("Invalid input: must end with \"{pattern}\""),
            json!({"validation": {"endsWith": pattern.to_string()}}),
        )
    }
    fn phone_number_invalid(&self, _: garde::i18n::InvalidPhoneNumber) -> Cow<'static, str> {
        encoded("invalid_string", "Invalid phone number".into(), json!({"validation": "phone"}))
    }
    fn ip_invalid(&self, _: garde::i18n::IpKind) -> Cow<'static, str> {
        encoded("invalid_string", "Invalid ip".into(), json!({"validation": "ip"}))
    }
    fn matches_field_mismatch(&self, field: &dyn Display) -> Cow<'static, str> {
        encoded("custom", format!("Must match {field}"), Value::Null)
    }
    fn email_invalid(&self, _: garde::i18n::InvalidEmail) -> Cow<'static, str> {
        encoded("invalid_string", "Invalid email".into(), json!({"validation": "email"}))
    }
    fn ascii_invalid(&self) -> Cow<'static, str> {
        encoded("invalid_string", "Invalid input: must be ASCII".into(), json!({"validation": "regex"}))
    }
    fn alphanumeric_invalid(&self) -> Cow<'static, str> {
        encoded("invalid_string", "Invalid input: must be alphanumeric".into(), json!({"validation": "regex"}))
    }
    fn required_not_set(&self) -> Cow<'static, str> {
        encoded("invalid_type", "Required".into(), json!({"received": "undefined"}))
    }
}

fn number(value: &dyn Display) -> Value {
    let text = value.to_string();
    serde_json::from_str::<serde_json::Number>(&text).map(Value::Number).unwrap_or(Value::String(text))
}

/// A garde validator for zod's `cuid()` (`/^c[^\s-]{8,}$/i`).
pub fn cuid(value: &str, _: &()) -> garde::Result {
    let mut chars = value.chars();
    let starts_with_c = matches!(chars.next(), Some('c' | 'C'));
    let rest_ok = value.len() >= 9 && chars.all(|c| !c.is_whitespace() && c != '-');
    if starts_with_c && rest_ok {
        Ok(())
    } else {
        Err(Issue::new("invalid_string", "Invalid cuid", json!({"validation": "cuid"})).into_garde())
    }
}

/// `mime_type` → `mimeType`; keys without underscores are unchanged.
fn snake_to_camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for (i, c) in key.chars().enumerate() {
        if c == '_' && i > 0 {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn field_paths_are_camel_case() {
        assert_eq!(super::snake_to_camel("mime_type"), "mimeType");
        assert_eq!(super::snake_to_camel("expires_in_secs"), "expiresInSecs");
        assert_eq!(super::snake_to_camel("email"), "email");
        assert_eq!(super::snake_to_camel("_count"), "_count");
    }

    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, garde::Validate)]
    struct Sample {
        #[garde(length(utf16, min = 1, max = 3))]
        name: String,
        #[garde(range(min = 1, max = 100))]
        limit: i64,
        #[garde(email)]
        email: String,
    }

    #[test]
    fn garde_failures_become_zod_issues_and_field_errors() {
        let err = parse_input::<Sample>(Some(json!({"name": "", "limit": 0, "email": "x"}))).unwrap_err();
        assert_eq!(err.code, ErrorCode::BadRequest);
        let issues: Value = serde_json::from_str(&err.message).unwrap();
        assert_eq!(issues.as_array().unwrap().len(), 3);
        let zod = err.zod_error.unwrap();
        assert_eq!(zod["fieldErrors"]["name"][0], "String must contain at least 1 character(s)");
        assert_eq!(zod["fieldErrors"]["limit"][0], "Number must be greater than or equal to 1");
        assert_eq!(zod["fieldErrors"]["email"][0], "Invalid email");
    }

    #[test]
    fn missing_field_is_required() {
        let err = parse_input::<Sample>(Some(json!({"limit": 1, "email": "a@b.co"}))).unwrap_err();
        let issues: Value = serde_json::from_str(&err.message).unwrap();
        assert_eq!(issues[0]["code"], "invalid_type");
        assert_eq!(issues[0]["message"], "Required");
        assert_eq!(issues[0]["path"], json!(["name"]));
    }

    #[test]
    fn absent_input_is_required_at_the_root() {
        let err = parse_input::<Sample>(None).unwrap_err();
        let issues: Value = serde_json::from_str(&err.message).unwrap();
        assert_eq!(issues[0]["path"], json!([]));
        assert_eq!(err.zod_error.unwrap()["formErrors"][0], "Required");
    }

    #[test]
    fn cuid_follows_zod() {
        assert!(cuid("cjld2cjxh0000qzrmn831i7rn", &()).is_ok());
        assert!(cuid("xjld2cjxh0000", &()).is_err());
        assert!(cuid("c123", &()).is_err());
        assert!(cuid("c1234567-89", &()).is_err());
    }
}
