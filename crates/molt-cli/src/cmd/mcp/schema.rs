//! Checking a call's arguments against its tool's JSON schema.
//!
//! The schemas the server lists are the ones calls are checked against:
//! this is a validator for the part of JSON Schema they use (`type`,
//! `properties`, `required`, `additionalProperties: false`, `enum`,
//! `minimum`, `maximum`, `maxLength`, `items`, `maxItems`,
//! `minProperties`/`maxProperties`, `additionalProperties` as a schema), so
//! a schema keyword they start using without this file learning it is
//! refused by [`tests`], not silently ignored.

use serde_json::{Map, Value};

use super::page::cut_chars;

/// All of a call's arguments together may not be larger than this: an edit
/// set of many items fits, a file dump does not.
pub const MAX_ARGUMENTS_BYTES: usize = 1 << 20;

/// The keywords [`validate`] understands.
#[cfg(test)]
const KNOWN: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "enum",
    "minimum",
    "maximum",
    "maxLength",
    "items",
    "maxItems",
    "minItems",
    "maxProperties",
    "description",
];

/// Checks `args` (a call's `arguments`, absent as an empty object) against `schema`.
pub fn validate_arguments(schema: &Value, args: Option<&Map<String, Value>>) -> Result<(), String> {
    let empty = Map::new();
    let args = args.unwrap_or(&empty);
    let size = serde_json::to_string(args).map(|s| s.len()).unwrap_or(usize::MAX);
    if size > MAX_ARGUMENTS_BYTES {
        return Err(format!(
            "the arguments are {size} bytes, over the limit of {MAX_ARGUMENTS_BYTES}; nothing was done. Send smaller \
             edits (one item at a time)"
        ));
    }
    validate(schema, &Value::Object(args.clone()), "arguments")
}

/// Checks `value` against `schema`; the error names the field (`arguments.edits[2].op`).
pub fn validate(schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let Some(schema) = schema.as_object() else { return Ok(()) };
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            _ => false,
        };
        if !ok {
            return Err(format!("`{at}` must be {}; got {}", article(t), kind(value)));
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            let names: Vec<String> = values.iter().map(Value::to_string).collect();
            return Err(format!(
                "`{at}` must be one of {}; got {}",
                names.join(", "),
                cut_chars(&value.to_string(), 64)
            ));
        }
    }
    if let (Some(n), Some(min)) = (value.as_f64(), schema.get("minimum").and_then(Value::as_f64)) {
        if n < min {
            return Err(format!("`{at}` must be at least {min}; got {n}"));
        }
    }
    if let (Some(n), Some(max)) = (value.as_f64(), schema.get("maximum").and_then(Value::as_f64)) {
        if n > max {
            return Err(format!("`{at}` must be at most {max}; got {n}"));
        }
    }
    if let (Some(s), Some(max)) = (value.as_str(), schema.get("maxLength").and_then(Value::as_u64)) {
        if s.chars().count() as u64 > max {
            return Err(format!("`{at}` is {} characters, over the limit of {max}", s.chars().count()));
        }
    }
    if let Some(items) = value.as_array() {
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
            if items.len() as u64 > max {
                return Err(format!("`{at}` has {} items, over the limit of {max}", items.len()));
            }
        }
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
            if (items.len() as u64) < min {
                return Err(format!("`{at}` needs at least {min} item(s)"));
            }
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                validate(item_schema, item, &format!("{at}[{i}]"))?;
            }
        }
    }
    if let Some(map) = value.as_object() {
        object(schema, map, at)?;
    }
    Ok(())
}

fn object(schema: &Map<String, Value>, map: &Map<String, Value>, at: &str) -> Result<(), String> {
    let empty = Map::new();
    let properties = schema.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if map.get(name).is_none_or(Value::is_null) {
                return Err(format!("`{at}.{name}` is missing; it is required"));
            }
        }
    }
    if let Some(max) = schema.get("maxProperties").and_then(Value::as_u64) {
        if map.len() as u64 > max {
            return Err(format!("`{at}` has {} fields, over the limit of {max}", map.len()));
        }
    }
    for (key, v) in map {
        match (properties.get(key), schema.get("additionalProperties")) {
            (Some(s), _) => {
                if !v.is_null() {
                    validate(s, v, &format!("{at}.{key}"))?;
                }
            }
            (None, Some(Value::Bool(false))) => {
                let names: Vec<&str> = properties.keys().map(String::as_str).collect();
                return Err(format!(
                    "`{at}` has an unknown field `{}`; its fields are {}",
                    cut_chars(key, 64),
                    names.join(", ")
                ));
            }
            (None, Some(extra @ Value::Object(_))) => validate(extra, v, &format!("{at}.{}", cut_chars(key, 64)))?,
            (None, _) => {}
        }
    }
    Ok(())
}

fn article(t: &str) -> String {
    match t {
        "object" | "array" | "integer" => format!("an {t}"),
        _ => format!("a {t}"),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Every keyword in `schema`, recursively, is one [`validate`] knows.
#[cfg(test)]
fn unknown_keywords(schema: &Value, at: &str, out: &mut Vec<String>) {
    let Some(map) = schema.as_object() else { return };
    for (k, v) in map {
        if !KNOWN.contains(&k.as_str()) {
            out.push(format!("{at}.{k}"));
        }
        match k.as_str() {
            "properties" => {
                for (name, s) in v.as_object().into_iter().flatten() {
                    unknown_keywords(s, &format!("{at}.{name}"), out);
                }
            }
            "items" | "additionalProperties" => unknown_keywords(v, &format!("{at}.{k}"), out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_tool_schema_uses_only_keywords_the_validator_checks() {
        let mut unknown = Vec::new();
        for tool in super::super::tools::TOOLS {
            unknown_keywords(&(tool.schema)(), tool.name, &mut unknown);
        }
        assert!(unknown.is_empty(), "{unknown:?}");
    }

    #[test]
    fn errors_name_the_field() {
        let schema = json!({
            "type": "object",
            "properties": {
                "n": { "type": "integer", "minimum": 1 },
                "xs": { "type": "array", "maxItems": 2, "items": { "type": "string", "maxLength": 3 } },
                "e": { "type": "string", "enum": ["a", "b"] }
            },
            "required": ["n"],
            "additionalProperties": false
        });
        let check = |v: Value| validate(&schema, &v, "arguments");
        assert!(check(json!({ "n": 1, "xs": ["abc"], "e": "a" })).is_ok());
        assert!(check(json!({})).unwrap_err().contains("`arguments.n` is missing"));
        assert!(check(json!({ "n": 0 })).unwrap_err().contains("at least 1"));
        assert!(check(json!({ "n": "1" })).unwrap_err().contains("must be an integer; got a string"));
        assert!(check(json!({ "n": 1, "xs": ["abcd"] })).unwrap_err().contains("`arguments.xs[0]`"));
        assert!(check(json!({ "n": 1, "xs": ["a", "b", "c"] })).unwrap_err().contains("over the limit of 2"));
        assert!(check(json!({ "n": 1, "e": "c" })).unwrap_err().contains("one of"));
        assert!(check(json!({ "n": 1, "zz": 1 })).unwrap_err().contains("unknown field `zz`"));
    }

    #[test]
    fn oversized_arguments_are_refused_before_anything_else() {
        let mut args = Map::new();
        args.insert("text".into(), json!("x".repeat(MAX_ARGUMENTS_BYTES)));
        let err = validate_arguments(&json!({ "type": "object" }), Some(&args)).unwrap_err();
        assert!(err.contains("over the limit"), "{err}");
    }
}
