//! serde_json deserialization errors rewritten as zod issues. serde stops at the
//! first error, so a type error yields one issue; garde reports the rest.

use serde_json::{Value, json};

use super::Issue;

/// Turns a path-tracking serde error into one zod issue.
pub(super) fn from_serde(err: &serde_path_to_error::Error<serde_json::Error>) -> Issue {
    let mut path: Vec<Value> = err
        .path()
        .iter()
        .filter_map(|seg| match seg {
            serde_path_to_error::Segment::Seq { index } => Some(Value::from(*index as u64)),
            serde_path_to_error::Segment::Map { key } => Some(Value::String(key.clone())),
            serde_path_to_error::Segment::Enum { variant } => Some(Value::String(variant.clone())),
            serde_path_to_error::Segment::Unknown => None,
        })
        .collect();
    let text = strip_position(&err.inner().to_string());
    let mut issue = classify(&text, &mut path);
    issue.path = path;
    issue
}

/// serde_json appends " at line L column C"; zod has no such thing.
fn strip_position(text: &str) -> String {
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

fn between_backticks(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn classify(text: &str, path: &mut Vec<Value>) -> Issue {
    if let Some(rest) = text.strip_prefix("missing field ") {
        if let Some(field) = between_backticks(rest).first() {
            path.push(Value::String((*field).to_string()));
        }
        return Issue::new("invalid_type", "Required", json!({"received": "undefined"}));
    }
    if let Some(rest) = text.strip_prefix("unknown variant ") {
        let names = between_backticks(rest);
        let received = names.first().copied().unwrap_or_default();
        let options: Vec<&str> = names.iter().skip(1).copied().collect();
        let expected = options.iter().map(|o| format!("'{o}'")).collect::<Vec<_>>().join(" | ");
        return Issue::new(
            "invalid_enum_value",
            format!("Invalid enum value. Expected {expected}, received '{received}'"),
            json!({"received": received, "options": options}),
        );
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let (got, want) = rest.split_once(", expected ").unwrap_or((rest, "unknown"));
            let received = js_type_of_found(got);
            let expected = js_type_of_expected(want);
            let message = if received == "null" && expected != "null" {
                format!("Expected {expected}, received null")
            } else {
                format!("Expected {expected}, received {received}")
            };
            return Issue::new("invalid_type", message, json!({"expected": expected, "received": received}));
        }
    }
    Issue::new("custom", text, Value::Null)
}

fn js_type_of_found(found: &str) -> &'static str {
    let head = found.split([' ', '`']).next().unwrap_or_default();
    match head {
        "integer" => "number",
        "floating" => {
            if found.contains('.') {
                "float"
            } else {
                "number"
            }
        }
        "string" | "character" => "string",
        "boolean" => "boolean",
        "null" | "unit" => "null",
        "map" | "struct" => "object",
        "sequence" | "tuple" => "array",
        _ => "unknown",
    }
}

fn js_type_of_expected(expected: &str) -> &'static str {
    let e = expected.trim();
    if e.contains("string") || e.contains("char") {
        "string"
    } else if e.contains("bool") {
        "boolean"
    } else if e.starts_with('i') || e.starts_with('u') || e.contains("integer") {
        "integer"
    } else if e.starts_with('f') || e.contains("float") || e.contains("number") {
        "number"
    } else if e.contains("sequence") || e.contains("tuple") || e.contains("array") {
        "array"
    } else if e.contains("struct") || e.contains("map") {
        "object"
    } else {
        "unknown"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[expect(dead_code, reason = "only deserialized")]
    struct Input {
        name: String,
        role: Option<Role>,
    }

    #[derive(Debug, Deserialize)]
    enum Role {
        #[serde(rename = "USER")]
        User,
    }

    fn issue(value: Value) -> Issue {
        let err = serde_path_to_error::deserialize::<_, Input>(value).unwrap_err();
        from_serde(&err)
    }

    #[test]
    fn wrong_type_names_both_types() {
        let i = issue(json!({"name": 5}));
        assert_eq!(i.message, "Expected string, received number");
        assert_eq!(i.path, vec![json!("name")]);
    }

    #[test]
    fn unknown_variant_lists_options() {
        let i = issue(json!({"name": "a", "role": "BOSS"}));
        assert_eq!(i.code, "invalid_enum_value");
        assert_eq!(i.message, "Invalid enum value. Expected 'USER', received 'BOSS'");
        assert_eq!(i.path, vec![json!("role")]);
    }
}
