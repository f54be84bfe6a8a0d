//! Partial updates: telling "absent" (leave as is) from `null` (clear).

use serde::{Deserialize, Deserializer};

/// For `#[serde(default, deserialize_with = "double_option")]` on an
/// `Option<Option<T>>`: absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
