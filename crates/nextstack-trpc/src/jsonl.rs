//! The `httpBatchStreamLink` response: JSON lines in tRPC's `jsonlStreamProducer`
//! encoding. Each call is `{result: Promise<{data: Promise<data>}>}` or
//! `{error}`; a promise is a placeholder `0` plus `[key, 0, chunkId]`, and its
//! value later arrives as `[chunkId, 0 (fulfilled), [[value]]]`.

use serde_json::{Value, json};

use crate::output::Serialized;

/// Chunk ids: `0..n` name the calls' own promises in the head line; call `i`'s
/// `result` and `data` promises are `n + 2i` and `n + 2i + 1`, fixed in advance
/// so that every call can encode its lines on its own, in whatever order the
/// calls finish (the client only needs the ids to be unique).
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonlEncoder {
    calls: u64,
    /// Under superjson every line is one `{json, meta?}` value (tRPC serializes each chunk).
    superjson: bool,
}

impl JsonlEncoder {
    /// The encoder and the head line for `calls` calls.
    pub fn start(calls: usize, superjson: bool) -> (Self, String) {
        let mut head = serde_json::Map::new();
        for i in 0..calls {
            head.insert(i.to_string(), json!([[0], [null, 0, i]]));
        }
        let encoder = Self { calls: calls as u64, superjson };
        let head = encoder.line(Value::Object(head));
        (encoder, head)
    }

    /// The lines that resolve call `index` with a success.
    pub fn success(&self, index: usize, data: &Serialized) -> String {
        let result_chunk = self.calls + 2 * index as u64;
        let data_chunk = result_chunk + 1;
        let mut out = self.line(json!([index, 0, [[{"result": 0}], ["result", 0, result_chunk]]]));
        out.push_str(&self.line(json!([result_chunk, 0, [[{"data": 0}], ["data", 0, data_chunk]]])));
        let line = format!("[{data_chunk},0,[[{}]]]", data.json());
        if self.superjson {
            // The value sits at `2.0.0` of the line, which is what superjson serializes.
            out.push_str(&crate::superjson::envelope(&line, data.dates(), "2.0.0"));
        } else {
            out.push_str(&line);
        }
        out.push('\n');
        out
    }

    /// The line that resolves call `index` with an error shape.
    pub fn error(&self, index: usize, shape: Value) -> String {
        self.line(json!([index, 0, [[{"error": shape}]]]))
    }

    /// A line without dates (the head and the promise wrappers).
    fn line(&self, value: Value) -> String {
        let value = if self.superjson { json!({ "json": value }) } else { value };
        let mut text = value.to_string();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_observed_trpc_output() {
        let (enc, head) = JsonlEncoder::start(2, false);
        assert_eq!(head, "{\"0\":[[0],[null,0,0]],\"1\":[[0],[null,0,1]]}\n");
        let data = Serialized::new(&json!({"status": "healthy"}), crate::Transformer::None).unwrap();
        let ok = enc.success(0, &data);
        assert_eq!(
            ok,
            "[0,0,[[{\"result\":0}],[\"result\",0,2]]]\n[2,0,[[{\"data\":0}],[\"data\",0,3]]]\n[3,0,[[{\"status\":\"healthy\"}]]]\n"
        );
        assert_eq!(enc.error(1, json!({"code": -32004})), "[1,0,[[{\"error\":{\"code\":-32004}}]]]\n");
        let second = enc.success(1, &data);
        assert!(second.starts_with("[1,0,[[{\"result\":0}],[\"result\",0,4]]]\n[4,0,[[{\"data\":0}],[\"data\",0,5]]]"));
    }
}
