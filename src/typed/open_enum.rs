//! Support for the generated open enums: string enums that keep unknown values.

use std::convert::Infallible;
use std::str::FromStr;

/// Parses a wire value into an open enum; never fails (unknown values become `Unknown`).
pub(crate) fn parse<T: FromStr<Err = Infallible>>(value: &str) -> T {
    match value.parse() {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

/// Deserializes an open enum from a JSON string, borrowing when the input allows it.
pub(crate) fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: FromStr<Err = Infallible>,
{
    struct Visitor<T>(std::marker::PhantomData<T>);
    impl<T: FromStr<Err = Infallible>> serde::de::Visitor<'_> for Visitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            Ok(parse(v))
        }
    }
    deserializer.deserialize_str(Visitor(std::marker::PhantomData))
}
