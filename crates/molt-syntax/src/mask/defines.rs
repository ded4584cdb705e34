//! The object-like `#define`s of a text, read for what they expand to:
//! declaration-prefix words, or one call of another macro.

use std::collections::{HashMap, HashSet};

use super::{allowed, group_end, prefix, WITH_ARGUMENTS};

/// Object-like macros defined on one line as a single word that is no
/// keyword, or as one call of another macro: `#define ATTRIBUTES
/// _target_attribute("sse2")`. What they expand to is not in the text.
pub(super) fn call_like_defines(text: &[u8]) -> HashSet<String> {
    let mut out = HashSet::new();
    for line in text.split(|&b| b == b'\n') {
        let Ok(line) = std::str::from_utf8(line) else { continue };
        let Some(rest) = line.trim_start().strip_prefix('#') else { continue };
        let Some(rest) = rest.trim_start().strip_prefix("define") else { continue };
        if !rest.starts_with([' ', '\t']) || line.trim_end().ends_with('\\') {
            continue;
        }
        let rest = rest.trim_start();
        let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let (name, body) = rest.split_at(name_len);
        if name.is_empty() || body.starts_with('(') {
            continue;
        }
        let body = strip_comments(body);
        let body = body.trim();
        let word_len = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(body.len());
        let (word, args) = body.split_at(word_len);
        let args = args.trim();
        let is_word = !word.is_empty() && !word.starts_with(|c: char| c.is_ascii_digit());
        if is_word
            && !allowed(word)
            && !prefix::is_type_keyword(word)
            && (args.is_empty() || (args.starts_with('(') && args.ends_with(')')))
        {
            out.insert(name.to_owned());
        }
    }
    out
}

/// Every object-like `#define` of the text: name to the words of each of its
/// definitions, `None` for a definition that is not a declaration prefix
/// (numbers, operators, function-like macros).
pub(super) fn defines(text: &[u8]) -> HashMap<String, Vec<Option<Vec<String>>>> {
    let mut out: HashMap<String, Vec<Option<Vec<String>>>> = HashMap::new();
    let text = String::from_utf8_lossy(text);
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix('#') else { continue };
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix("define") else { continue };
        if !rest.starts_with([' ', '\t']) {
            continue;
        }
        // Join backslash continuations.
        let mut directive = rest.trim_end_matches('\r').to_owned();
        while directive.ends_with('\\') {
            directive.pop();
            match lines.next() {
                Some(next) => directive.push_str(next.trim_end_matches('\r')),
                None => break,
            }
        }
        let directive = directive.trim_start();
        let name_len = directive.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(directive.len());
        if name_len == 0 {
            continue;
        }
        let (name, body) = directive.split_at(name_len);
        let entry = out.entry(name.to_owned()).or_default();
        // `NAME(` right after the name: a function-like macro.
        if body.starts_with('(') {
            entry.push(None);
            continue;
        }
        entry.push(prefix_words(strip_comments(body).trim()));
    }
    out
}

/// `// ...` and `/* ... */` taken out of a directive's body.
pub(super) fn strip_comments(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    loop {
        match (rest.find("/*"), rest.find("//")) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                match rest[b + 2..].find("*/") {
                    Some(e) => rest = &rest[b + 2 + e + 2..],
                    None => return out,
                }
                out.push(' ');
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                return out;
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// The identifiers of a macro body made only of identifiers and
/// `__attribute__((...))`-like words with their arguments; `None` for
/// anything else.
fn prefix_words(body: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let bytes = body.as_bytes();
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
        let word = &body[start..at];
        if WITH_ARGUMENTS.contains(&word) {
            at = group_end(bytes, at, b"")?;
            continue;
        }
        words.push(word.to_owned());
    }
    Some(words)
}
