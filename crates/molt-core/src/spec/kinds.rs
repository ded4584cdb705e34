//! What a check needs by kind: a command for every kind but `absent`, and
//! for `absent` patterns that compile and globs that do.

use super::{Check, CheckKind};

/// Where an error about a field belongs: on the key's line, or on the
/// table's header when the key is missing.
pub(super) enum At {
    Key,
    Table,
}

/// The first problem with `check`'s kind-specific fields: where, which field,
/// and the message.
pub(super) fn check_fields(check: &Check) -> Option<(At, &'static str, String)> {
    if check.kind != CheckKind::Absent {
        if check.run.trim().is_empty() {
            let at = if check.run.is_empty() { At::Table } else { At::Key };
            let message = match at {
                At::Table => "missing required field \"run\"",
                At::Key => "field \"run\" is empty",
            };
            return Some((at, "run", message.to_owned()));
        }
        return None;
    }
    if !check.run.is_empty() {
        return Some((
            At::Key,
            "run",
            "an absent check runs no command: it searches the files itself; remove \"run\"".to_owned(),
        ));
    }
    if check.patterns.is_empty() {
        return Some((
            At::Table,
            "patterns",
            "missing required field \"patterns\": the regular expressions no line may match".to_owned(),
        ));
    }
    for pattern in &check.patterns {
        if let Err(e) = regex::Regex::new(pattern) {
            let why = e.to_string().lines().last().unwrap_or("").trim().to_owned();
            return Some((
                At::Key,
                "patterns",
                format!("field \"patterns\": bad regular expression \"{pattern}\": {why}"),
            ));
        }
    }
    let exclude = check.exclude.as_deref().unwrap_or_default();
    for (field, globs) in [("files", check.files.as_slice()), ("exclude", exclude)] {
        if let Err(e) = crate::policy::glob_set(globs, false, field) {
            return Some((At::Key, field, format!("field \"{field}\": bad glob \"{}\": {}", e.glob, e.message)));
        }
    }
    None
}
