//! JSON for the generated model types, without serde derives.
//!
//! Thousands of schema types with derived `Serialize`/`Deserialize` were the
//! largest compile cost of a generated crate (the derived visitors, and
//! `#[serde(flatten)]` maps of extra properties, expand to a lot of generic
//! code per type). A model type instead implements [`Json`] with one line
//! per field, converting to and from [`serde_json::Value`] through the
//! shared, non-generic helpers here; [`json_serde!`](crate::json_serde)
//! then gives it `Serialize` and `Deserialize` impls that go through the
//! same two functions.
//!
//! What a derived impl would do, this does too: unknown properties are kept
//! in `additional_properties` where the schema allows them, absent optional
//! properties are `None` and are not written back, and an error names the
//! path of the property that did not fit (`keyCredentials[0].keyId:
//! expected a string`).

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

pub use serde_json::Map as JsonMap;
pub use serde_json::Value as JsonValue;

/// Why a JSON value does not fit a model type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Where, as property names and indices from the outermost value.
    pub path: Vec<String>,
    /// What was expected.
    pub message: String,
}

impl JsonError {
    /// An error at the current value.
    pub fn new(message: impl Into<String>) -> JsonError {
        JsonError { path: Vec::new(), message: message.into() }
    }

    fn at(mut self, segment: String) -> JsonError {
        self.path.insert(0, segment);
        self
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut path = String::new();
        for segment in &self.path {
            if !segment.starts_with('[') && !path.is_empty() {
                path.push('.');
            }
            path.push_str(segment);
        }
        if path.is_empty() { f.write_str(&self.message) } else { write!(f, "{path}: {}", self.message) }
    }
}

impl std::error::Error for JsonError {}

/// A type that converts to and from JSON.
pub trait Json: Sized {
    /// Reads a value; JSON `null` is what an absent property reads as.
    fn from_json(value: Value) -> Result<Self, JsonError>;
    /// Writes the value.
    fn to_json(&self) -> Value;
    /// Whether an object property of this value is left out when writing
    /// (absent optional values).
    fn is_absent(&self) -> bool {
        false
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expected(what: &str, value: &Value) -> JsonError {
    JsonError::new(format!("expected {what}, found {}", kind(value)))
}

impl Json for String {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(expected("a string", &other)),
        }
    }
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl Json for bool {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        value.as_bool().ok_or_else(|| expected("a boolean", &value))
    }
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl Json for i64 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        value.as_i64().ok_or_else(|| expected("an integer", &value))
    }
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl Json for i32 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        value.as_i64().and_then(|n| i32::try_from(n).ok()).ok_or_else(|| expected("a 32-bit integer", &value))
    }
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl Json for f64 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match &value {
            Value::Number(n) => n.as_f64().ok_or_else(|| expected("a number", &value)),
            // Graph writes INF, -INF and NaN as strings in double properties.
            Value::String(s) => match s.as_str() {
                "INF" | "Infinity" => Ok(f64::INFINITY),
                "-INF" | "-Infinity" => Ok(f64::NEG_INFINITY),
                "NaN" => Ok(f64::NAN),
                _ => Err(expected("a number", &value)),
            },
            _ => Err(expected("a number", &value)),
        }
    }
    fn to_json(&self) -> Value {
        serde_json::Number::from_f64(*self).map_or_else(
            || Value::String(if self.is_nan() { "NaN" } else if *self > 0.0 { "INF" } else { "-INF" }.to_owned()),
            Value::Number,
        )
    }
}

impl Json for Value {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        Ok(value)
    }
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl<T: Json> Json for Option<T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Null => Ok(None),
            other => T::from_json(other).map(Some),
        }
    }
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::to_json)
    }
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

impl<T: Json> Json for Box<T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        T::from_json(value).map(Box::new)
    }
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: Json> Json for Vec<T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| T::from_json(v).map_err(|e| e.at(format!("[{i}]"))))
                .collect(),
            other => Err(expected("an array", &other)),
        }
    }
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(T::to_json).collect())
    }
}

impl<T: Json> Json for BTreeMap<String, T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Object(map) => {
                map.into_iter().map(|(k, v)| T::from_json(v).map(|v| (k.clone(), v)).map_err(|e| e.at(k))).collect()
            }
            other => Err(expected("an object", &other)),
        }
    }
    fn to_json(&self) -> Value {
        Value::Object(self.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
}

/// The properties of an object value, for reading a struct out of them.
pub fn object(value: Value) -> Result<Map<String, Value>, JsonError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(expected("an object", &other)),
    }
}

/// Takes property `name` out of `map` and reads it (an absent property
/// reads as `null`).
pub fn take<T: Json>(map: &mut Map<String, Value>, name: &str) -> Result<T, JsonError> {
    let value = map.remove(name).unwrap_or(Value::Null);
    T::from_json(value).map_err(|e| e.at(name.to_owned()))
}

/// The properties left in `map`: the extra ones of a struct that keeps them.
pub fn rest<T: Json>(map: Map<String, Value>) -> Result<BTreeMap<String, T>, JsonError> {
    BTreeMap::from_json(Value::Object(map))
}

/// Writes property `name` unless the value is absent.
pub fn put<T: Json>(map: &mut Map<String, Value>, name: &str, value: &T) {
    if !value.is_absent() {
        map.insert(name.to_owned(), value.to_json());
    }
}

/// Writes the extra properties (the named ones already written win).
pub fn put_rest<T: Json>(map: &mut Map<String, Value>, extra: &BTreeMap<String, T>) {
    for (k, v) in extra {
        map.entry(k.clone()).or_insert_with(|| v.to_json());
    }
}

/// Reads a string enum: the value's text, kept even when unknown.
pub fn string(value: Value) -> Result<String, JsonError> {
    String::from_json(value)
}

/// `Serialize` and `Deserialize` for model types through their [`Json`]
/// impls, so a model works with any serde format and in `serde_json` calls.
#[macro_export]
macro_rules! json_serde {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::serde::Serialize for $ty {
            fn serialize<S: $crate::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::serde::Serialize::serialize(&$crate::model::Json::to_json(self), serializer)
            }
        }
        impl<'de> $crate::serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <$crate::model::JsonValue as $crate::serde::Deserialize>::deserialize(deserializer)?;
                $crate::model::Json::from_json(value).map_err(<D::Error as $crate::serde::de::Error>::custom)
            }
        }
    )*};
}

/// The runtime's own error types also stand for the Graph error schemas.
macro_rules! json_via_serde {
    ($($ty:ty),*) => {$(
        impl Json for $ty {
            fn from_json(value: Value) -> Result<Self, JsonError> {
                serde_json::from_value(value).map_err(|e| JsonError::new(e.to_string()))
            }
            fn to_json(&self) -> Value {
                serde_json::to_value(self).unwrap_or(Value::Null)
            }
        }
    )*};
}

json_via_serde!(
    crate::error::ODataError,
    crate::error::MainError,
    crate::error::ErrorDetails,
    crate::error::InnerError
);
