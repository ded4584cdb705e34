//! Checking a call's arguments against its tool's parameter table.

use serde_json::{Map, Value};

use super::schema::{Kind, Tool};
use super::MAX_SHORT_ARG_BYTES;

/// The validated arguments of one call.
pub(super) struct Args<'a> {
    map: Option<&'a Map<String, Value>>,
}

impl<'a> Args<'a> {
    pub(super) fn str(&self, name: &str) -> Option<&'a str> {
        self.map.and_then(|m| m.get(name)).and_then(Value::as_str)
    }

    pub(super) fn line(&self, name: &str) -> Option<usize> {
        self.map.and_then(|m| m.get(name)).and_then(Value::as_u64).map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// A required string: validation has already made sure it is there.
    pub(super) fn need(&self, name: &str) -> Result<&'a str, String> {
        self.str(name).ok_or_else(|| format!("missing required field `{name}` (string)"))
    }
}

fn json_kind(v: &Value) -> &'static str {
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

fn kind_name(kind: Kind) -> String {
    match kind {
        Kind::Short | Kind::Text => "string".to_owned(),
        Kind::Line => "integer >= 1".to_owned(),
        Kind::OneOf(values) => format!("one of {}", values.join(", ")),
    }
}

fn signature(tool: &Tool) -> String {
    if tool.params.is_empty() {
        return "no arguments".to_owned();
    }
    tool.params
        .iter()
        .map(|p| format!("{} ({}{})", p.name, kind_name(p.kind), if p.required { ", required" } else { "" }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks `input` against the tool's parameter table, the same table its
/// JSON schema comes from.
pub(super) fn validate<'a>(tool: &Tool, input: &'a Value, max_text: usize) -> Result<Args<'a>, String> {
    let map = match input {
        Value::Object(map) => Some(map),
        // Some models send nothing at all for a tool without arguments.
        Value::Null => None,
        other => {
            return Err(format!(
                "`{}` takes a JSON object with {}; got {}",
                tool.name,
                signature(tool),
                json_kind(other)
            ))
        }
    };
    if let Some(map) = map {
        for key in map.keys() {
            if !tool.params.iter().any(|p| p.name == key) {
                let key: String = key.chars().take(64).collect();
                return Err(format!("unknown field `{key}`; `{}` takes {}", tool.name, signature(tool)));
            }
        }
    }
    for p in tool.params {
        let value = map.and_then(|m| m.get(p.name)).filter(|v| !v.is_null());
        let Some(value) = value else {
            if p.required {
                return Err(format!("missing required field `{}` ({})", p.name, kind_name(p.kind)));
            }
            continue;
        };
        let wrong = || format!("`{}` must be {}; got {}", p.name, kind_name(p.kind), json_kind(value));
        match p.kind {
            Kind::Short | Kind::Text => {
                let s = value.as_str().ok_or_else(wrong)?;
                let limit = if matches!(p.kind, Kind::Text) { max_text } else { MAX_SHORT_ARG_BYTES };
                if s.len() > limit {
                    return Err(format!(
                        "`{}` is {} bytes, over the limit of {limit} bytes; nothing was changed. Make smaller edits \
                         (one item at a time).",
                        p.name,
                        s.len()
                    ));
                }
                if s.contains('\0') {
                    return Err(format!("`{}` contains a NUL character", p.name));
                }
            }
            Kind::Line => {
                if value.as_u64().is_none_or(|n| n < 1) {
                    return Err(wrong());
                }
            }
            Kind::OneOf(values) => {
                let s = value.as_str().ok_or_else(wrong)?;
                if !values.contains(&s) {
                    let s: String = s.chars().take(64).collect();
                    return Err(format!("`{}` must be one of {}; got `{s}`", p.name, values.join(", ")));
                }
            }
        }
    }
    Ok(Args { map })
}
