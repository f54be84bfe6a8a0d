//! Timestamps on the wire: ISO 8601 in UTC with exactly three fraction digits
//! (`2025-10-01T12:00:00.000Z`), as JavaScript's `Date#toISOString` and Prisma give them.

use chrono::{NaiveDateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};
use ts_rs::TS;

/// A UTC timestamp that serializes as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, TS)]
#[ts(type = "string")]
pub struct IsoTime(pub NaiveDateTime);

impl IsoTime {
    /// The ISO text.
    pub fn to_iso(self) -> String {
        // `Millis` + `Z` is exactly `Date#toISOString`, without parsing a format string per call.
        self.0.and_utc().to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

impl From<NaiveDateTime> for IsoTime {
    fn from(value: NaiveDateTime) -> Self {
        Self(value)
    }
}

impl Serialize for IsoTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // ISO text; under superjson the engine also records it in `meta` as a `Date`.
        nextstack_trpc::superjson::serialize_date(&self.to_iso(), serializer)
    }
}

impl<'de> serde::Deserialize<'de> for IsoTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        chrono::DateTime::parse_from_rfc3339(&text)
            .map(|t| Self(t.naive_utc()))
            .map_err(|e| serde::de::Error::custom(format!("invalid timestamp {text:?}: {e}")))
    }
}

/// The current time as ISO text.
pub fn now_iso() -> String {
    IsoTime(Utc::now().naive_utc()).to_iso()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn always_three_fraction_digits() {
        let t = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap().and_hms_opt(12, 0, 0).unwrap();
        assert_eq!(serde_json::to_string(&IsoTime(t)).unwrap(), "\"2025-10-01T12:00:00.000Z\"");
    }
}
