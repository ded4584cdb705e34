//! Where the tables and keys of a spec's source sit, and serde's errors
//! rewritten to name the line, table and field.

use super::SpecError;
use crate::text::{line_of, line_text};

/// Where the tables and keys of a spec sit, found by a line scan of the source.
/// serde hands us values without places, and toml's own spans only come with
/// errors, so semantic errors look their line up here.
pub(super) struct Places {
    tables: Vec<Table>,
}

/// One table of the source: its name, its index among tables of that name,
/// the line of its header, and its keys with their lines.
struct Table(String, usize, usize, Vec<(String, usize)>);

impl Places {
    pub(super) fn scan(text: &str) -> Places {
        let mut tables: Vec<Table> = vec![Table(String::new(), 0, 0, Vec::new())];
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if let Some(name) = header_name(line) {
                let index = tables.iter().filter(|t| t.0 == name).count();
                tables.push(Table(name.to_owned(), index, i + 1, Vec::new()));
            } else if let Some((key, _)) = line.split_once('=') {
                let key = key.trim().trim_matches('"');
                if !key.is_empty() && !line.starts_with('#') {
                    if let Some(t) = tables.last_mut() {
                        t.3.push((key.to_owned(), i + 1));
                    }
                }
            }
        }
        Places { tables }
    }

    fn table(&self, name: &str, index: usize) -> Option<&Table> {
        self.tables.iter().find(|t| t.0 == name && t.1 == index)
    }

    pub(super) fn table_line(&self, name: &str, index: usize) -> usize {
        self.table(name, index).map_or(0, |t| t.2)
    }

    pub(super) fn key_line(&self, name: &str, index: usize, key: &str) -> usize {
        match self.table(name, index) {
            Some(t) => t.3.iter().find(|k| k.0 == key).map_or(t.2, |k| k.1),
            None => 0,
        }
    }

    /// The table (and its index) that `line` falls in.
    fn enclosing(&self, line: usize) -> Option<(&str, usize)> {
        self.tables.iter().rev().find(|t| t.2 <= line && !t.0.is_empty()).map(|t| (t.0.as_str(), t.1))
    }
}

fn header_name(line: &str) -> Option<&str> {
    let inner = line
        .strip_prefix("[[")
        .and_then(|l| l.split("]]").next())
        .or_else(|| line.strip_prefix('[').and_then(|l| l.split(']').next()))?;
    Some(inner.trim())
}

/// Rewrites a serde/toml error into one that names the line, table and field.
pub(super) fn structural_error(file: &str, text: &str, e: &toml::de::Error) -> SpecError {
    let line = e.span().map_or(0, |s| line_of(text, s.start));
    let places = Places::scan(text);
    let message = e.message().trim().to_owned();

    // Name the table the error is in; checks by name where the source has one.
    let context = places.enclosing(line).map(|(table, index)| {
        if table == "check" {
            let name = places
                .table(table, index)
                .and_then(|t| t.3.iter().find(|k| k.0 == "name"))
                .map(|(_, l)| line_text(text, *l))
                .and_then(|l| l.split_once('=').map(|(_, v)| v.trim().trim_matches('"').to_owned()));
            match name {
                Some(n) => format!("check \"{n}\""),
                None => format!("check #{}", index + 1),
            }
        } else {
            format!("[{table}]")
        }
    });
    // The key written on the error's line, for errors about a value.
    let key_on_line = line_text(text, line)
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_owned())
        .filter(|k| !k.is_empty() && !k.contains(' '));

    let (field, message) = if let Some(rest) = message.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = expected.trim_start_matches(", expected ").trim_start_matches("one of ").replace('`', "");
        (Some(key.to_owned()), format!("unknown key \"{key}\"; expected one of {expected}"))
    } else if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        (Some(key.to_owned()), format!("missing required field \"{key}\""))
    } else if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (value, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = expected.trim_start_matches(", expected ").trim_start_matches("one of ").replace('`', "");
        let field = key_on_line.clone().unwrap_or_else(|| "value".to_owned());
        (Some(field.clone()), format!("unknown {field} \"{value}\"; expected one of {expected}"))
    } else if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "another type"));
        match &key_on_line {
            Some(k) => (Some(k.clone()), format!("field \"{k}\": expected {expected}, found {found}")),
            None => (None, format!("expected {expected}, found {found}")),
        }
    } else {
        (key_on_line, message)
    };
    SpecError { file: file.to_owned(), line, context, field, message }
}
