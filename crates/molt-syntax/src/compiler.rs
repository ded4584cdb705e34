//! What the project's own compiler says its macros expand to, classed for
//! the masks of `mask.rs`.
//!
//! `mask.rs` tells declaration macros (`MEM_STATIC`, `LIBDEFLATE_API`,
//! `static FORCEINLINE`) apart from the file's own `#define`s, well-known
//! spellings and C's grammar. Where the project's build is known, the
//! compiler can say it instead of a guess: molt-verify runs `-dM -E` over the
//! units of the project's `compile_commands.json` and hands over the
//! `#define` lines it printed (this crate spawns no process); they are classed
//! here. An object-like macro that expands only to storage classes,
//! `inline`, attributes or nothing (following macros to macros) is a
//! declaration macro, masked wherever it stands; a function-like one that
//! does is masked with its argument list wherever it is called; any other
//! macro is never guessed to be a declaration macro.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::mask;

/// The macros of one repository, classed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectMacros {
    /// Object-like macros that expand to declaration prefixes only.
    pub prefix: BTreeSet<String>,
    /// Function-like macros that expand to declaration prefixes only.
    pub call_like: BTreeSet<String>,
    /// Every other macro: never a declaration prefix.
    pub other: BTreeSet<String>,
    /// What the preprocessor could not read (with its first error line);
    /// its units add nothing.
    pub failures: Vec<String>,
}

impl ProjectMacros {
    /// A short hash of the classes, for caches whose content depends on them.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for set in [&self.prefix, &self.call_like, &self.other] {
            for name in set {
                h.update(name.as_bytes());
                h.update(b"\0");
            }
            h.update(b"\x01");
        }
        format!(" macros:{}", hex::encode(&h.finalize()[..12]))
    }
}

impl ProjectMacros {
    /// Classes the `#define` lines of `-dM -E` output (of one or several
    /// runs; a name defined differently in two is a declaration macro only
    /// if both definitions are).
    pub fn from_defines(lines: &[String], failures: Vec<String>) -> ProjectMacros {
        let mut defs: BTreeMap<String, BTreeSet<Def>> = BTreeMap::new();
        for line in lines {
            for (name, def) in parse_defines(line) {
                defs.entry(name).or_default().insert(def);
            }
        }
        classify(&defs, failures)
    }
}

/// A macro's definition as the preprocessor printed it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Def {
    /// Object-like, with the words of its body if it is made only of
    /// identifiers, each maybe with an argument list.
    Object(Option<Vec<Word>>),
    /// Function-like, the same.
    Call(Option<Vec<Word>>),
}

/// An identifier of a macro body, and whether an argument list follows it.
type Word = (String, bool);

/// The words of a macro body made only of identifiers, each maybe followed
/// by a balanced argument list (`__attribute__((x))`,
/// `TARGET_ATTRIBUTE("bmi2")`); `None` for anything else.
fn body_words(body: &str) -> Option<Vec<Word>> {
    let bytes = body.as_bytes();
    let mut words = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        if !(b.is_ascii_alphabetic() || b == b'_') {
            return None;
        }
        let start = at;
        while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
            at += 1;
        }
        let word = body[start..at].to_owned();
        match mask::group_end(bytes, at, b"") {
            Some(end) => at = end,
            None if bytes[at..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'(') => return None,
            None => {
                words.push((word, false));
                continue;
            }
        }
        words.push((word, true));
    }
    Some(words)
}

/// The least sets of object-like and function-like macros whose every
/// definition expands to allowed words, attributes, or macros already in
/// the sets (so `#define stdin stdin`, a name defined as itself, is none).
fn classify(defs: &BTreeMap<String, BTreeSet<Def>>, failures: Vec<String>) -> ProjectMacros {
    let mut prefix: HashSet<&str> = HashSet::new();
    let mut call_like: HashSet<&str> = HashSet::new();
    loop {
        let ok = |words: &Vec<Word>| {
            words.iter().all(|(w, args)| match args {
                true => mask::takes_arguments(w) || call_like.contains(w.as_str()),
                false => mask::allowed(w) || prefix.contains(w.as_str()),
            })
        };
        let mut grown: Vec<(&str, bool)> = Vec::new();
        for (name, ds) in defs {
            let name = name.as_str();
            if prefix.contains(name) || call_like.contains(name) {
                continue;
            }
            if ds.iter().all(|d| matches!(d, Def::Object(Some(w)) if ok(w))) {
                grown.push((name, false));
            } else if ds.iter().all(|d| matches!(d, Def::Call(Some(w)) if ok(w))) {
                grown.push((name, true));
            }
        }
        if grown.is_empty() {
            break;
        }
        for (name, call) in grown {
            if call {
                call_like.insert(name);
            } else {
                prefix.insert(name);
            }
        }
    }
    let call_like: BTreeSet<String> = call_like.into_iter().map(str::to_owned).collect();
    let other = defs.keys().filter(|n| !prefix.contains(n.as_str()) && !call_like.contains(*n)).cloned().collect();
    ProjectMacros { prefix: prefix.into_iter().map(str::to_owned).collect(), call_like, other, failures }
}

/// The `#define` lines of `-dM` output.
fn parse_defines(text: &str) -> Vec<(String, Def)> {
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("#define ")?;
            let name_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            let name = &rest[..name_end];
            if name.is_empty() {
                return None;
            }
            let after = &rest[name_end..];
            let def = if let Some(params) = after.strip_prefix('(') {
                let body = params.split_once(')').map_or("", |(_, b)| b);
                Def::Call(body_words(body.trim()))
            } else {
                Def::Object(body_words(after.trim()))
            };
            Some((name.to_owned(), def))
        })
        .collect()
}

#[cfg(test)]
mod tests;
