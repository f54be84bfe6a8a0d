//! Input failures as zod issues, so frontends written against a zod-validated
//! tRPC server read them unchanged (PROTOCOL.md decision 3): the message is the
//! JSON text of the issue list (zod's `ZodError.message`), and `data.zodError`
//! holds `error.flatten()` (create-t3-app's error formatter).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::error::{ErrorCode, TrpcError};

#[cfg(feature = "garde")]
mod garde_rules;
mod serde_issue;

#[cfg(feature = "garde")]
pub use garde_rules::{ZodMessages, cuid};

/// Checks an input once it has deserialized, reporting what is wrong as zod
/// issues. With the `garde` feature (on by default) every `garde::Validate`
/// type whose context is `()` has it, its messages rewritten as zod's; without
/// it, implement it by hand (the default accepts everything).
pub trait ValidateInput {
    /// What is wrong with the input; empty when nothing is.
    fn validate_input(&self) -> Vec<Issue> {
        Vec::new()
    }
}

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

    pub(crate) fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("code".into(), self.code.clone().into());
        for (k, v) in &self.details {
            out.insert(k.clone(), v.clone());
        }
        out.insert("path".into(), Value::Array(self.path.clone()));
        out.insert("message".into(), self.message.clone().into());
        Value::Object(out)
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
    T: DeserializeOwned + ValidateInput,
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
    let issues = parsed.validate_input();
    if !issues.is_empty() {
        return Err(issues_error(issues));
    }
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

#[cfg(all(test, feature = "garde"))]
mod tests {
    use serde::Deserialize;
    use serde_json::{Value, json};

    use super::*;
    use crate::error::ErrorCode;

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
}
