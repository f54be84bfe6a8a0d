//! The superjson transformer (create-t3-app's default), PROTOCOL.md 2.4:
//! inputs arrive as `{json, meta}`, outputs and errors leave as
//! `{json, meta?}` with `meta.values` naming the paths of special values.
//!
//! The only special values this server produces are dates. A date type (the
//! application's timestamp) calls [`tag_date`] when it serializes; while a call
//! runs under superjson that prefixes the ISO text with a per-process random
//! marker, and [`encode`] turns each marked string back into the ISO text and
//! records its path as a `Date`.

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::error::TrpcError;

tokio::task_local! {
    static ACTIVE: bool;
}

/// Random per process, with NUL bytes no stored text can hold (PostgreSQL refuses them).
static MARKER: LazyLock<String> = LazyLock::new(|| {
    let random = std::collections::hash_map::RandomState::new().build_hasher().finish();
    format!("\u{0}sj-date-{random:016x}\u{0}")
});

/// Which transformer the server speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Transformer {
    /// Plain JSON (tRPC's default).
    #[default]
    None,
    /// superjson 2.x envelopes.
    Superjson,
}

/// The text a date serializes to: its ISO form, marked while the current call
/// answers in superjson so [`encode`] can tag it `Date`.
pub fn tag_date(iso: String) -> String {
    if ACTIVE.try_with(|active| *active).unwrap_or(false) { format!("{}{iso}", *MARKER) } else { iso }
}

/// Runs `f` with date tagging off (for JSON that is not a response, such as a
/// message to other processes written while a superjson call runs).
pub fn untagged<R>(f: impl FnOnce() -> R) -> R {
    ACTIVE.sync_scope(false, f)
}

/// Runs `future` with date tagging on or off.
pub(crate) fn scope<F: Future>(active: bool, future: F) -> impl Future<Output = F::Output> {
    ACTIVE.scope(active, future)
}

/// `{json}` or `{json, meta: {values, v: 1}}` for a value whose dates were tagged.
pub(crate) fn encode(mut value: Value) -> Value {
    let mut dates = Vec::new();
    let mut path = Vec::new();
    untag(&mut value, &mut path, &mut dates);
    if dates.is_empty() {
        return json!({ "json": value });
    }
    let values = if dates.len() == 1 && dates[0].is_empty() {
        json!(["Date"]) // the value itself is a date
    } else {
        Value::Object(dates.into_iter().map(|p| (p, json!(["Date"]))).collect())
    };
    json!({ "json": value, "meta": { "values": values, "v": 1 } })
}

fn untag(value: &mut Value, path: &mut Vec<String>, dates: &mut Vec<String>) {
    match value {
        Value::String(text) => {
            if let Some(iso) = text.strip_prefix(MARKER.as_str()) {
                *text = iso.to_string();
                dates.push(path.join("."));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                path.push(i.to_string());
                untag(item, path, dates);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                path.push(escape_key(key));
                untag(item, path, dates);
                path.pop();
            }
        }
        _ => {}
    }
}

/// superjson escapes `\` and `.` inside a key of a dotted path.
fn escape_key(key: &str) -> String {
    key.replace('\\', "\\\\").replace('.', "\\.")
}

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

    #[tokio::test]
    async fn dates_are_tagged_only_under_superjson() {
        assert_eq!(tag_date("2025-01-01T00:00:00.000Z".into()), "2025-01-01T00:00:00.000Z");
        let tagged = scope(true, async { tag_date("2025-01-01T00:00:00.000Z".into()) }).await;
        let value = json!({"items": [{"createdAt": tagged, "title": "a.b"}], "n": 1});
        assert_eq!(
            encode(value),
            json!({"json": {"items": [{"createdAt": "2025-01-01T00:00:00.000Z", "title": "a.b"}], "n": 1},
                   "meta": {"values": {"items.0.createdAt": ["Date"]}, "v": 1}})
        );
        assert_eq!(encode(json!({"a": 1})), json!({"json": {"a": 1}}));
    }

    #[test]
    fn keys_with_dots_are_escaped_in_paths() {
        assert_eq!(escape_key("a.b\\c"), "a\\.b\\\\c");
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
