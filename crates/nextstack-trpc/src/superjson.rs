//! The superjson transformer (create-t3-app's default), PROTOCOL.md 2.4:
//! inputs arrive as `{json, meta}`, outputs and errors leave as
//! `{json, meta?}` with `meta.values` naming the paths of special values.
//!
//! The only special values this server produces are dates. The application's
//! timestamp type serializes through [`serialize_date`]; under superjson the
//! output is written by a serializer adapter that notes the path of every
//! such date as it goes ([`date_paths`]), and the envelope is put around the
//! text without reading it again.

mod date_paths;

use serde_json::{Value, json};

pub use date_paths::serialize_date;
pub(crate) use date_paths::to_json_with_dates;

use crate::error::TrpcError;

/// Which transformer the server speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Transformer {
    /// Plain JSON (tRPC's default).
    #[default]
    None,
    /// superjson 2.x envelopes.
    Superjson,
}

/// `{"json":…}` or `{"json":…,"meta":{"values":…,"v":1}}` around `json`, the
/// serialized text of a value whose dates sit at `dates` below `prefix` (the
/// dotted path of that value within `json`; empty when it is the whole).
pub(crate) fn envelope(json: &str, dates: &[String], prefix: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16 + dates.len() * 32);
    out.push_str("{\"json\":");
    out.push_str(json);
    if !dates.is_empty() {
        out.push_str(",\"meta\":{\"values\":");
        if prefix.is_empty() && dates.len() == 1 && dates[0].is_empty() {
            out.push_str("[\"Date\"]"); // the value itself is a date
        } else {
            out.push('{');
            for (i, path) in dates.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let full = match (prefix.is_empty(), path.is_empty()) {
                    (true, _) => path.clone(),
                    (false, true) => prefix.to_string(),
                    (false, false) => format!("{prefix}.{path}"),
                };
                out.push_str(&Value::String(full).to_string());
                out.push_str(":[\"Date\"]");
            }
            out.push('}');
        }
        out.push_str(",\"v\":1}");
    }
    out.push('}');
    out
}

/// A dotted superjson path split into its keys (`\.` and `\\` unescaped).
fn split_path(path: &str) -> Vec<String> {
    let mut segments = vec![String::new()];
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => segments.last_mut().into_iter().for_each(|s| s.extend(chars.next())),
            '.' => segments.push(String::new()),
            other => segments.last_mut().into_iter().for_each(|s| s.push(other)),
        }
    }
    segments
}

/// The plain input of a call from its `{json, meta}` envelope: `undefined`
/// values are dropped (as if absent), `bigint` strings become numbers, dates
/// stay ISO strings (what the input types parse). A value without the
/// envelope is taken as plain JSON.
pub(crate) fn decode_input(input: Option<Value>) -> Result<Option<Value>, TrpcError> {
    let Some(Value::Object(mut envelope)) = input else { return Ok(input) };
    if !envelope.contains_key("json") {
        return Ok(Some(Value::Object(envelope)));
    }
    let mut value = envelope.remove("json").unwrap_or(Value::Null);
    let values = envelope.remove("meta").and_then(|mut meta| meta.get_mut("values").map(Value::take));
    match values {
        // The whole input is special, e.g. `undefined`.
        Some(Value::Array(types)) if types.first().and_then(Value::as_str) == Some("undefined") => return Ok(None),
        None | Some(Value::Array(_)) => {}
        Some(Value::Object(paths)) => {
            for (path, types) in paths {
                let kind = types.as_array().and_then(|t| t.first()).and_then(Value::as_str).unwrap_or_default();
                apply(&mut value, &split_path(&path), kind)?;
            }
        }
        Some(_) => return Err(TrpcError::bad_request("Invalid superjson meta")),
    }
    Ok(Some(value))
}

fn apply(value: &mut Value, path: &[String], kind: &str) -> Result<(), TrpcError> {
    let Some((last, parents)) = path.split_last() else { return Ok(()) };
    let mut node = value;
    for segment in parents {
        node = match node {
            Value::Object(map) => map.get_mut(segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| TrpcError::bad_request(format!("superjson meta names a missing path: {segment}")))?;
    }
    match (node, kind) {
        (Value::Object(map), "undefined") => {
            map.remove(last);
        }
        (Value::Object(map), "bigint") => {
            if let Some(Value::String(digits)) = map.get(last) {
                let number = digits.parse::<i64>().map_err(|_| TrpcError::bad_request("Invalid bigint in input"))?;
                map.insert(last.clone(), Value::from(number));
            }
        }
        (Value::Array(items), "undefined") => {
            if let Some(item) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *item = Value::Null;
            }
        }
        _ => {} // Dates and anything else stay as sent.
    }
    Ok(())
}

/// An error shape in superjson form (`{json: shape}`; shapes hold no dates).
pub(crate) fn encode_error(shape: Value) -> Value {
    json!({ "json": shape })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_name_the_dates_below_the_prefix() {
        let dates = vec!["items.0.createdAt".to_string(), "at".to_string()];
        assert_eq!(
            envelope("{}", &dates, ""),
            r#"{"json":{},"meta":{"values":{"items.0.createdAt":["Date"],"at":["Date"]},"v":1}}"#
        );
        assert_eq!(envelope("[1]", &[], ""), r#"{"json":[1]}"#);
        assert_eq!(envelope("\"t\"", &[String::new()], ""), r#"{"json":"t","meta":{"values":["Date"],"v":1}}"#);
        assert_eq!(
            envelope("[3,0,[[\"t\"]]]", &[String::new()], "2.0.0"),
            r#"{"json":[3,0,[["t"]]],"meta":{"values":{"2.0.0":["Date"]},"v":1}}"#
        );
    }

    #[test]
    fn dotted_paths_are_split_with_escapes() {
        assert_eq!(split_path("x.a\\.b.0"), vec!["x", "a.b", "0"]);
    }

    #[test]
    fn inputs_are_unwrapped() {
        let input = json!({"json": {"id": "c1", "gone": null, "n": "12", "when": "2025-01-01T00:00:00.000Z"},
                           "meta": {"values": {"gone": ["undefined"], "n": ["bigint"], "when": ["Date"]}, "v": 1}});
        assert_eq!(
            decode_input(Some(input)).unwrap(),
            Some(json!({"id": "c1", "n": 12, "when": "2025-01-01T00:00:00.000Z"}))
        );
        let undefined = json!({"json": null, "meta": {"values": ["undefined"], "v": 1}});
        assert_eq!(decode_input(Some(undefined)).unwrap(), None);
        assert_eq!(decode_input(Some(json!({"id": "c1"}))).unwrap(), Some(json!({"id": "c1"})));
        assert_eq!(decode_input(None).unwrap(), None);
    }
}
