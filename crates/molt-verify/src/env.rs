//! The environment a check runs in: an allowlist of the parent's variables plus
//! the check's own `env`, with anything that looks like a secret removed.
//!
//! An allowlist rather than a denylist, because a denylist misses the secret
//! nobody thought of. The secret filter is applied to the check's own `env`
//! too: invariant 5 says secrets never reach a check, and a spec is a file
//! people commit and share.

use std::collections::BTreeMap;
use std::ffi::OsString;

/// Parent variables a check inherits (names ending in `*` are prefixes).
pub const ALLOWED_ENV: &[&str] = &["PATH", "HOME", "LANG", "LC_*", "TERM", "TMPDIR", "USER"];

/// Whether a variable name looks like it carries a secret or molt's own
/// configuration: `*_API_KEY`, `*TOKEN*`, `*SECRET*`, `*PASSWORD*`,
/// `*CREDENTIAL*`, `AWS_*`, `MOLT_*` (case-insensitive).
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.ends_with("API_KEY")
        || upper.ends_with("APIKEY")
        || ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"].iter().any(|s| upper.contains(s))
        || upper.starts_with("AWS_")
        || upper.starts_with("MOLT_")
}

fn allowed(name: &str) -> bool {
    ALLOWED_ENV.iter().any(|pattern| match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == *pattern,
    })
}

/// The environment for a check: the allowed variables of `parent` (those with
/// UTF-8 names and values), then `extra` on top, never a secret-looking name.
/// Sorted by name, so the result is deterministic.
pub fn check_env(
    parent: impl IntoIterator<Item = (OsString, OsString)>,
    extra: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in parent {
        let (Ok(name), Ok(value)) = (name.into_string(), value.into_string()) else {
            continue;
        };
        if allowed(&name) && !is_secret_name(&name) {
            env.insert(name, value);
        }
    }
    for (name, value) in extra {
        if !is_secret_name(name) {
            env.insert(name.clone(), value.clone());
        }
    }
    env.into_iter().collect()
}

#[cfg(test)]
mod tests;
