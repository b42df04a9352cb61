//! One page of a listing, parsed once: the records are cut out of the body as raw JSON text
//! (no `serde_json::Value` is built for them), the other top-level fields are kept raw and read
//! on demand (`more`, `total`, `next_cursor`...).
//!
//! Records then go on as [`Record`]s: written as they are (the CLI's JSON lines), or decoded
//! straight from their text into the caller's type.

use crate::{Error, Result};
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// One record of a listing as the server sent it: its JSON text, unparsed.
///
/// `iter_all::<Record>` hands records on without decoding them (to forward or store them as
/// they came); `iter_all::<T>` decodes each one straight from this text.
pub type Record = Box<RawValue>;

/// A page body: its records, and its other top-level fields unparsed.
pub(crate) struct Page<'a> {
    items: Items<'a>,
    fields: Vec<(Cow<'a, str>, &'a RawValue)>,
}

/// What the records field held.
enum Items<'a> {
    /// The field is absent.
    Missing,
    /// `null`: no records.
    Null,
    /// An array: its elements.
    Array(Vec<&'a RawValue>),
    /// Something else (the type, for the error).
    Other,
}

impl<'a> Page<'a> {
    /// Parses a page whose records are in the top-level field `items` (`users`, `Resources`...).
    /// A body that is not a JSON object, or whose records field is missing or not an array, is
    /// a typed error ([`Error::MissingWrapper`], or [`Error::Decode`] for text that is not JSON).
    pub fn parse(body: &'a [u8], items: &str) -> Result<Self> {
        let de = &mut serde_json::Deserializer::from_slice(body);
        let page = PageSeed { items }.deserialize(&mut *de).and_then(|page| de.end().map(|()| page));
        let page = match page {
            Ok(page) => page,
            Err(source) if source.is_data() => {
                // Valid JSON, but not an object: name what it was.
                let got = match serde_json::from_slice::<IgnoredAny>(body) {
                    Ok(_) => vec![format!("<{}>", kind_of(body))],
                    Err(source) => return Err(decode_error(source, body)),
                };
                return Err(Error::MissingWrapper { expected: items.to_string(), got });
            }
            Err(source) => return Err(decode_error(source, body)),
        };
        match page.items {
            Items::Array(_) | Items::Null => Ok(page),
            Items::Missing => Err(Error::MissingWrapper { expected: items.to_string(), got: page.keys() }),
            Items::Other => {
                Err(Error::MissingWrapper { expected: format!("{items} (an array)"), got: vec![items.to_string()] })
            }
        }
    }

    /// The records, in order (none for `null`).
    pub fn records(&self) -> &[&'a RawValue] {
        match &self.items {
            Items::Array(records) => records,
            _ => &[],
        }
    }

    /// The top-level field `name` as `T`; `None` when it is absent or not a `T`.
    pub fn field<T: Deserialize<'a>>(&self, name: &str) -> Option<T> {
        let raw = self.fields.iter().find(|(key, _)| key == name)?.1;
        serde_json::from_str(raw.get()).ok()
    }

    /// How many top-level fields besides the records field the body has (repeats counted).
    #[cfg(any(fuzzing, test))]
    pub(crate) fn field_count(&self) -> usize {
        self.fields.len()
    }

    fn keys(&self) -> Vec<String> {
        self.fields.iter().map(|(key, _)| key.to_string()).collect()
    }
}

fn decode_error(source: serde_json::Error, body: &[u8]) -> Error {
    Error::Decode { path: String::new(), source, body: bytes::Bytes::copy_from_slice(body).into() }
}

/// The JSON type of a value's text, from its first character.
fn kind_of(text: &[u8]) -> &'static str {
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        _ => "number",
    }
}

/// Deserializes a page, cutting out the elements of the records field as it goes.
struct PageSeed<'n> {
    items: &'n str,
}

impl<'de> DeserializeSeed<'de> for PageSeed<'_> {
    type Value = Page<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Page<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageSeed<'_> {
    type Value = Page<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Page<'de>, A::Error> {
        let mut page = Page { items: Items::Missing, fields: Vec::new() };
        while let Some(Key(key)) = map.next_key()? {
            if key == self.items {
                page.items = map.next_value::<Items<'de>>()?;
            } else {
                page.fields.push((key, map.next_value()?));
            }
        }
        Ok(page)
    }
}

/// An object key, borrowed from the body unless it had escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Items<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct ItemsVisitor;
        impl<'de> Visitor<'de> for ItemsVisitor {
            type Value = Items<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of records")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Items<'de>, A::Error> {
                let mut records = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(record) = seq.next_element::<&'de RawValue>()? {
                    records.push(record);
                }
                Ok(Items::Array(records))
            }
            fn visit_unit<E>(self) -> std::result::Result<Items<'de>, E> {
                Ok(Items::Null)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Items<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Items::Other)
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Items<'de>, E> {
                Ok(Items::Other)
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Items<'de>, E> {
                Ok(Items::Other)
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Items<'de>, E> {
                Ok(Items::Other)
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Items<'de>, E> {
                Ok(Items::Other)
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Items<'de>, E> {
                Ok(Items::Other)
            }
        }
        deserializer.deserialize_any(ItemsVisitor)
    }
}

/// The `id` of a record, for de-duplication: its text for a string or a number, `None` for a
/// record without one (or that is not an object). Reads the record only up to its `id`, and
/// builds nothing.
pub(crate) fn record_id(record: &RawValue) -> Option<Cow<'_, str>> {
    let mut found = None;
    let de = &mut serde_json::Deserializer::from_str(record.get());
    // The visitor stops at the `id`, so serde_json then reports the rest of the object as
    // unread: that error is expected and ignored; the id was already put in `found`.
    let _ = de.deserialize_map(IdSeek { found: &mut found });
    found
}

/// Walks an object's keys up to `id` and puts its value (as text) in `found`.
struct IdSeek<'s, 'de> {
    found: &'s mut Option<Cow<'de, str>>,
}

impl<'de> Visitor<'de> for IdSeek<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key()? {
            if key == "id" {
                *self.found = map.next_value::<Id<'de>>()?.0;
                return Ok(());
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// An `id` value: strings and numbers as text; anything else is no id.
struct Id<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for Id<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct IdVisitor;
        impl<'de> Visitor<'de> for IdVisitor {
            type Value = Id<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Id<'de>, E> {
                Ok(Id(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Id<'de>, E> {
                Ok(Id(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Id<'de>, E> {
                Ok(Id(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Id<'de>, E> {
                Ok(Id(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Id<'de>, E> {
                Ok(Id(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E>(self) -> std::result::Result<Id<'de>, E> {
                Ok(Id(None))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Id<'de>, E> {
                Ok(Id(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Id<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Id(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Id<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Id(None))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// Decodes one record into `T`: a [`Record`] is handed on as it is, anything else is
/// deserialized straight from the record's text. A failure names the serde path and carries
/// the record's text.
pub(crate) fn decode<T: DeserializeOwned + 'static>(record: Record) -> Result<T> {
    let any: Box<dyn std::any::Any> = Box::new(record);
    let record = match any.downcast::<T>() {
        Ok(same) => return Ok(*same),
        Err(any) => match any.downcast::<Record>() {
            Ok(record) => *record,
            Err(_) => return Err(Error::config("unreachable: a record is raw JSON")),
        },
    };
    let text = record.get().as_bytes();
    crate::decode::decode_slice(text, || bytes::Bytes::copy_from_slice(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(page: &Page<'_>) -> Vec<String> {
        page.records().iter().map(|r| r.get().to_string()).collect()
    }

    #[test]
    fn records_are_cut_out_as_sent_and_other_fields_read_on_demand() {
        let body = br#"{"limit": 2, "users": [{"id": "P1", "n": [1, {"x": "]"}]}, {"id":"P2"}], "more": true, "total": null, "next_cursor": "c\"2"}"#;
        let page = Page::parse(body, "users").unwrap();
        assert_eq!(texts(&page), [r#"{"id": "P1", "n": [1, {"x": "]"}]}"#, r#"{"id":"P2"}"#]);
        assert_eq!(page.field::<bool>("more"), Some(true));
        assert_eq!(page.field::<u64>("limit"), Some(2));
        assert_eq!(page.field::<u64>("total"), None);
        assert_eq!(page.field::<String>("next_cursor").as_deref(), Some("c\"2"));
        assert_eq!(page.field::<bool>("absent"), None);
    }

    #[test]
    fn a_null_records_field_is_an_empty_page_and_a_missing_one_an_error_naming_the_keys() {
        assert!(Page::parse(br#"{"users": null, "more": false}"#, "users").unwrap().records().is_empty());
        match Page::parse(br#"{"teams": [], "more": false}"#, "users") {
            Err(Error::MissingWrapper { expected, got }) => {
                assert_eq!(expected, "users");
                assert_eq!(got, ["teams", "more"]);
            }
            other => panic!("{:?}", other.map(|p| texts(&p))),
        }
        for body in [&br#"{"users": {"id": "P1"}}"#[..], br#"{"users": "P1"}"#, br#"{"users": 3}"#] {
            assert!(
                matches!(Page::parse(body, "users"), Err(Error::MissingWrapper { ref expected, .. }) if expected == "users (an array)")
            );
        }
        match Page::parse(b"[1, 2]", "users") {
            Err(Error::MissingWrapper { got, .. }) => assert_eq!(got, ["<array>"]),
            other => panic!("{:?}", other.map(|p| texts(&p))),
        }
    }

    #[test]
    fn text_that_is_not_json_or_cut_short_is_a_decode_error() {
        for body in [&b"<html>"[..], br#"{"users": [{"id": "P1"}"#, br#"{"users": []} trailing"#, b""] {
            assert!(
                matches!(Page::parse(body, "users"), Err(Error::Decode { .. })),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn escaped_keys_are_matched_by_their_value() {
        let page = Page::parse(br#"{"us\u0065rs": [{"id": 7}], "m\u006fre": false}"#, "users").unwrap();
        assert_eq!(texts(&page), [r#"{"id": 7}"#]);
        assert_eq!(page.field::<bool>("more"), Some(false));
    }

    #[test]
    fn ids_are_read_from_strings_and_numbers_only() {
        let id = |text: &str| record_id(&RawValue::from_string(text.to_string()).unwrap()).map(|c| c.into_owned());
        assert_eq!(id(r#"{"name": {"id": "inner"}, "id": "P1"}"#).as_deref(), Some("P1"));
        assert_eq!(id(r#"{"id": "P\"1"}"#).as_deref(), Some("P\"1"));
        assert_eq!(id(r#"{"id": 42}"#).as_deref(), Some("42"));
        assert_eq!(id(r#"{"id": null}"#), None);
        assert_eq!(id(r#"{"id": {"a": 1}}"#), None);
        assert_eq!(id(r#"{"name": "x"}"#), None);
        assert_eq!(id(r#""a string record""#), None);
    }

    #[test]
    fn records_decode_into_values_types_or_stay_raw() {
        let record = || RawValue::from_string(r#"{"id": "P1", "n": 2}"#.to_string()).unwrap();
        let raw: Record = decode(record()).unwrap();
        assert_eq!(raw.get(), r#"{"id": "P1", "n": 2}"#);
        let value: serde_json::Value = decode(record()).unwrap();
        assert_eq!(value["n"], 2);
        #[derive(Deserialize)]
        struct Typed {
            id: String,
            n: String,
        }
        match decode::<Typed>(record()) {
            Err(Error::Decode { path, body, .. }) => {
                assert_eq!(path, "n");
                assert_eq!(&body[..], br#"{"id": "P1", "n": 2}"#);
            }
            Ok(t) => panic!("decoded {} {}", t.id, t.n),
            Err(e) => panic!("{e:?}"),
        }
    }
}
