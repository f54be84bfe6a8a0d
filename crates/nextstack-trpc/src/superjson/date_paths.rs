//! Where the dates are, found while a value serializes: a serializer adapter
//! that wraps serde_json's own serializer, keeps the path it is at (struct
//! fields, map keys, sequence indices) and notes it whenever a date announces
//! itself through [`serialize_date`]. The output is written once, by
//! serde_json, and never read back.

use std::cell::RefCell;

use serde::ser::{self, Serialize, Serializer};

/// The newtype-struct name a date serializes under. serde_json (and every
/// other self-describing format) writes a newtype struct as its inner value,
/// so outside the adapter a date is just its ISO text.
const DATE: &str = "$trpc::superjson::Date";

/// Serializes `iso` as a date: plain ISO text on the wire, recorded as
/// `["Date"]` in superjson's `meta` when the call answers in superjson. Call it
/// from the `Serialize` impl of the application's timestamp type.
pub fn serialize_date<S: Serializer>(iso: &str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_newtype_struct(DATE, iso)
}

/// `value` as JSON text, and the superjson paths (`items.0.createdAt`, `""` for
/// the value itself) of the dates in it, in the order they were written.
pub(crate) fn to_json_with_dates<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<(String, Vec<String>)> {
    let recorder = RefCell::new(Recorder::default());
    let mut out = Vec::with_capacity(128);
    let mut serializer = serde_json::Serializer::new(&mut out);
    value.serialize(Tracking { inner: &mut serializer, recorder: &recorder })?;
    // serde_json writes UTF-8 only; a failure here would be its bug, reported as an error.
    let text = String::from_utf8(out).map_err(|_| ser::Error::custom("serializer wrote invalid UTF-8"))?;
    Ok((text, recorder.into_inner().dates))
}

#[derive(Default)]
struct Recorder {
    path: Vec<Segment>,
    dates: Vec<String>,
}

enum Segment {
    Field(&'static str),
    Key(String),
    Index(usize),
}

impl Recorder {
    /// The current path in superjson's dotted form (`\` and `.` in keys escaped).
    fn note_date(&mut self) {
        let mut path = String::new();
        for (i, segment) in self.path.iter().enumerate() {
            if i > 0 {
                path.push('.');
            }
            match segment {
                Segment::Field(key) => escape_into(&mut path, key),
                Segment::Key(key) => escape_into(&mut path, key),
                Segment::Index(index) => path.push_str(&index.to_string()),
            }
        }
        self.dates.push(path);
    }
}

fn escape_into(path: &mut String, key: &str) {
    for c in key.chars() {
        if c == '\\' || c == '.' {
            path.push('\\');
        }
        path.push(c);
    }
}

/// The serializer adapter.
struct Tracking<'r, S> {
    inner: S,
    recorder: &'r RefCell<Recorder>,
}

/// A value to serialize through the adapter (what compound serializers hand on).
struct Tracked<'a, 'r, T: ?Sized> {
    value: &'a T,
    recorder: &'r RefCell<Recorder>,
}

impl<T: Serialize + ?Sized> Serialize for Tracked<'_, '_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(Tracking { inner: serializer, recorder: self.recorder })
    }
}

impl<'r, S> Tracking<'r, S> {
    fn tracked<'a, T: ?Sized>(&self, value: &'a T) -> Tracked<'a, 'r, T> {
        Tracked { value, recorder: self.recorder }
    }
}

/// A compound serializer through the adapter; one opened by an enum variant
/// keeps the variant's name on the path until it ends.
fn compound<'r, C>(recorder: &'r RefCell<Recorder>, inner: C, variant: Option<&'static str>) -> Compound<'r, C> {
    if let Some(variant) = variant {
        recorder.borrow_mut().path.push(Segment::Field(variant));
    }
    Compound { inner, recorder, index: 0, variant: variant.is_some(), key: None }
}

/// Runs `f` with `segment` pushed on the path.
fn at<R>(recorder: &RefCell<Recorder>, segment: Segment, f: impl FnOnce() -> R) -> R {
    recorder.borrow_mut().path.push(segment);
    let result = f();
    recorder.borrow_mut().path.pop();
    result
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> { self.inner.$method($($arg),*) })*
    };
}

impl<'r, S: Serializer> Serializer for Tracking<'r, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<'r, S::SerializeSeq>;
    type SerializeTuple = Compound<'r, S::SerializeTuple>;
    type SerializeTupleStruct = Compound<'r, S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<'r, S::SerializeTupleVariant>;
    type SerializeMap = Compound<'r, S::SerializeMap>;
    type SerializeStruct = Compound<'r, S::SerializeStruct>;
    type SerializeStructVariant = Compound<'r, S::SerializeStructVariant>;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        let value = self.tracked(value);
        self.inner.serialize_some(&value)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<S::Ok, S::Error> {
        if name == DATE {
            self.recorder.borrow_mut().note_date();
        }
        let value = self.tracked(value);
        self.inner.serialize_newtype_struct(name, &value)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let (recorder, value) = (self.recorder, self.tracked(value));
        at(recorder, Segment::Field(variant), || self.inner.serialize_newtype_variant(name, index, variant, &value))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        Ok(compound(self.recorder, self.inner.serialize_seq(len)?, None))
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        Ok(compound(self.recorder, self.inner.serialize_tuple(len)?, None))
    }

    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<Self::SerializeTupleStruct, S::Error> {
        Ok(compound(self.recorder, self.inner.serialize_tuple_struct(name, len)?, None))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        Ok(compound(self.recorder, self.inner.serialize_tuple_variant(name, index, variant, len)?, Some(variant)))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        Ok(compound(self.recorder, self.inner.serialize_map(len)?, None))
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Self::SerializeStruct, S::Error> {
        Ok(compound(self.recorder, self.inner.serialize_struct(name, len)?, None))
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        Ok(compound(self.recorder, self.inner.serialize_struct_variant(name, index, variant, len)?, Some(variant)))
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// A sequence, tuple, map or struct being written through the adapter.
struct Compound<'r, C> {
    inner: C,
    recorder: &'r RefCell<Recorder>,
    /// The next element's index (sequences and tuples).
    index: usize,
    /// Opened by an enum variant, whose name is on the path until the end.
    variant: bool,
    /// The map key whose value comes next.
    key: Option<String>,
}

impl<C> Compound<'_, C> {
    fn element<T: Serialize + ?Sized, E>(
        &mut self,
        value: &T,
        write: impl FnOnce(&mut C, &Tracked<'_, '_, T>) -> Result<(), E>,
    ) -> Result<(), E> {
        let (index, recorder) = (self.index, self.recorder);
        self.index += 1;
        let value = Tracked { value, recorder };
        at(recorder, Segment::Index(index), || write(&mut self.inner, &value))
    }

    fn field<T: Serialize + ?Sized, E>(
        &mut self,
        key: &'static str,
        value: &T,
        write: impl FnOnce(&mut C, &Tracked<'_, '_, T>) -> Result<(), E>,
    ) -> Result<(), E> {
        let recorder = self.recorder;
        let value = Tracked { value, recorder };
        at(recorder, Segment::Field(key), || write(&mut self.inner, &value))
    }

    fn finish(self) -> C {
        if self.variant {
            self.recorder.borrow_mut().path.pop();
        }
        self.inner
    }
}

impl<C: ser::SerializeSeq> ser::SerializeSeq for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.element(value, |inner, value| inner.serialize_element(value))
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.finish().end()
    }
}

impl<C: ser::SerializeTuple> ser::SerializeTuple for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.element(value, |inner, value| inner.serialize_element(value))
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.finish().end()
    }
}

impl<C: ser::SerializeTupleStruct> ser::SerializeTupleStruct for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.element(value, |inner, value| inner.serialize_field(value))
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.finish().end()
    }
}

impl<C: ser::SerializeTupleVariant> ser::SerializeTupleVariant for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.element(value, |inner, value| inner.serialize_field(value))
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.finish().end()
    }
}

impl<C: ser::SerializeMap> ser::SerializeMap for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        self.key = Some(key_text(key));
        self.inner.serialize_key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        let (recorder, key) = (self.recorder, self.key.take().unwrap_or_default());
        let value = Tracked { value, recorder };
        at(recorder, Segment::Key(key), || self.inner.serialize_value(&value))
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.finish().end()
    }
}

impl<C: ser::SerializeStruct> ser::SerializeStruct for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), C::Error> {
        self.field(key, value, |inner, value| inner.serialize_field(key, value))
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
        self.inner.skip_field(key)
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.finish().end()
    }
}

impl<C: ser::SerializeStructVariant> ser::SerializeStructVariant for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), C::Error> {
        self.field(key, value, |inner, value| inner.serialize_field(key, value))
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
        self.inner.skip_field(key)
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.finish().end()
    }
}

/// A map key as the JSON object key serde_json writes for it (strings as they
/// are, numbers and booleans as their text).
fn key_text<T: Serialize + ?Sized>(key: &T) -> String {
    match serde_json::to_value(key) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(), // serde_json refuses the key itself a moment later
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::*;

    struct When(&'static str);

    impl Serialize for When {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serialize_date(self.0, serializer)
        }
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Item {
        title: &'static str,
        created_at: When,
        deleted_at: Option<When>,
    }

    #[derive(Serialize)]
    struct Page {
        items: Vec<Item>,
        #[serde(flatten)]
        extra: BTreeMap<&'static str, When>,
    }

    #[derive(Serialize)]
    enum Event {
        Moved { at: When },
        Stamped(When),
    }

    const T: &str = "2025-01-01T00:00:00.000Z";

    #[test]
    fn paths_follow_fields_indices_options_and_flattened_keys() {
        let page = Page {
            items: vec![
                Item { title: "a.b", created_at: When(T), deleted_at: None },
                Item { title: "c", created_at: When(T), deleted_at: Some(When(T)) },
            ],
            extra: BTreeMap::from([("odd.key\\", When(T))]),
        };
        let (json, dates) = to_json_with_dates(&page).unwrap();
        assert_eq!(json, serde_json::to_string(&page).unwrap(), "the text is exactly serde_json's");
        assert_eq!(dates, ["items.0.createdAt", "items.1.createdAt", "items.1.deletedAt", "odd\\.key\\\\"]);
    }

    #[test]
    fn a_date_alone_and_dates_in_enum_variants() {
        assert_eq!(to_json_with_dates(&When(T)).unwrap(), (format!("\"{T}\""), vec![String::new()]));
        let events = [Event::Moved { at: When(T) }, Event::Stamped(When(T))];
        assert_eq!(to_json_with_dates(&events).unwrap().1, ["0.Moved.at", "1.Stamped"]);
        let map = BTreeMap::from([(7, When(T))]);
        assert_eq!(to_json_with_dates(&map).unwrap().1, ["7"]);
    }

    #[test]
    fn plain_serde_json_sees_only_the_text() {
        assert_eq!(serde_json::to_value(When(T)).unwrap(), serde_json::json!(T));
    }
}
