//! garde as the input validator (feature `garde`): every `garde::Validate`
//! type is a [`ValidateInput`], with garde's messages rewritten as zod issues
//! (codes, details and zod's English text) and its paths as zod paths.

use std::borrow::Cow;
use std::fmt::Display;

use serde_json::{Value, json};

use super::{Issue, ValidateInput};

impl<T: garde::Validate<Context = ()>> ValidateInput for T {
    fn validate_input(&self) -> Vec<Issue> {
        match garde::i18n::with_i18n(ZodMessages, || self.validate()) {
            Ok(()) => Vec::new(),
            Err(report) => report.iter().map(|(path, error)| from_garde(path, error)).collect(),
        }
    }
}

impl Issue {
    /// Encodes the issue as a garde error message, so custom garde validators
    /// (and [`ZodMessages`]) can carry a full zod issue through a garde `Report`.
    pub fn into_garde(self) -> garde::Error {
        garde::Error::new(self.to_json().to_string())
    }
}

/// One garde failure as a zod issue: a message that is an encoded issue (see
/// [`Issue::into_garde`]) is decoded, anything else becomes a `custom` issue.
fn from_garde(path: &garde::Path, error: &garde::Error) -> Issue {
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
            garde::error::Kind::Index => key.parse::<u64>().map(Value::from).unwrap_or_else(|_| key.as_str().into()),
            // Rust fields are snake_case; the wire (serde `rename_all = "camelCase"`,
            // as every tRPC client expects) is camelCase.
            _ => Value::String(snake_to_camel(key)),
        })
        .collect();
    issue
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
    use super::*;

    #[test]
    fn field_paths_are_camel_case() {
        assert_eq!(snake_to_camel("mime_type"), "mimeType");
        assert_eq!(snake_to_camel("expires_in_secs"), "expiresInSecs");
        assert_eq!(snake_to_camel("email"), "email");
        assert_eq!(snake_to_camel("_count"), "_count");
    }

    #[test]
    fn cuid_follows_zod() {
        assert!(cuid("cjld2cjxh0000qzrmn831i7rn", &()).is_ok());
        assert!(cuid("xjld2cjxh0000", &()).is_err());
        assert!(cuid("c123", &()).is_err());
        assert!(cuid("c1234567-89", &()).is_err());
    }
}
