//! Macros that stand before C and C++ declarations: `MEM_STATIC`,
//! `SQLITE_API`, `FORCE_INLINE_TEMPLATE`, `static INLINE`, export and
//! calling-convention macros.
//!
//! tree-sitter does not expand macros, so it reads `MEM_STATIC int f(void)`
//! as a type name followed by junk and wraps it in an ERROR node; the item is
//! then missed or refused. The preprocessor would expand such a macro to
//! storage classes, `inline`, attributes or nothing, none of which changes
//! what the declaration is. So C and C++ are parsed from a *masked copy*:
//! the text with those macro names (and the argument lists of the few that
//! take arguments) replaced by spaces of the same length. Byte offsets, lines
//! and columns stay those of the real text, which is what every span,
//! splice and diagnostic uses; the file itself is never changed.
//!
//! Which names: every object-like macro the file itself `#define`s to
//! nothing but such words (or to nothing), following one macro to another,
//! plus well-known spellings from widely used libraries whose definitions
//! live in another header. A name the file defines to anything else is
//! never masked. Preprocessor lines are never masked.
//!
//! One idiom is masked whole: the `extern "C" {` that nearly every C header
//! opens under `#ifdef __cplusplus`, and the `}` that closes it under a
//! second one. Each branch holds half a brace, which tree-sitter cannot pair
//! across the two `#ifdef`s, so it wraps the rest of the header in an ERROR
//! node. Masked, the branches are empty and the declarations between them
//! are read as the top-level declarations they are, in C and C++ alike.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::compiler::ProjectMacros;
use crate::lang::Lang;

/// Words a declaration-prefix macro may expand to.
const KEYWORDS: &[&str] = &[
    "static",
    "inline",
    "__inline",
    "__inline__",
    "__forceinline",
    "extern",
    "register",
    "__thread",
    "_Thread_local",
    "thread_local",
    "_Noreturn",
    "__extension__",
    "__cdecl",
    "__stdcall",
    "__fastcall",
    "__thiscall",
    "__vectorcall",
    "__pascal",
];

/// Words followed by a parenthesized argument list in such an expansion.
const WITH_ARGUMENTS: &[&str] = &["__attribute__", "__attribute", "__declspec"];

/// Well-known declaration-prefix macros whose definition is usually in
/// another header (zstd, sqlite, lz4, xxhash, zlib, Windows).
const WELL_KNOWN: &[&str] = &[
    "MEM_STATIC",
    "FORCE_INLINE_TEMPLATE",
    "FORCE_INLINE_ATTR",
    "FORCE_NOINLINE",
    "HINT_INLINE",
    "UNUSED_ATTR",
    "INLINE_KEYWORD",
    "ZSTDLIB_API",
    "ZSTDLIB_STATIC_API",
    "ZSTDLIB_HIDDEN",
    "ZSTDLIB_VISIBLE",
    "ZDICTLIB_API",
    "ZDICTLIB_STATIC_API",
    "ZSTDERRORLIB_API",
    "SQLITE_API",
    "SQLITE_PRIVATE",
    "SQLITE_NOINLINE",
    "SQLITE_INLINE",
    "SQLITE_EXTERN",
    "SQLITE_CDECL",
    "SQLITE_APICALL",
    "SQLITE_STDCALL",
    "SQLITE_SYSAPI",
    "SQLITE_DEPRECATED",
    "SQLITE_EXPERIMENTAL",
    "LZ4LIB_API",
    "LZ4_FORCE_INLINE",
    "LZ4_FORCE_O2",
    "XXH_PUBLIC_API",
    "ZEXPORT",
    "ZEXPORTVA",
    "ZEXTERN",
    "WINAPI",
    "APIENTRY",
    "WINBASEAPI",
    "STDMETHODCALLTYPE",
    "FORCE_INLINE",
    "ALWAYS_INLINE",
    "NOINLINE",
    "INLINE",
];

/// The names masked in one text, `None` for languages without macros.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Masks {
    names: HashSet<String>,
    /// The names among them that the text itself defines; the others
    /// (well-known spellings) are masked only where a declaration prefix can
    /// stand, before another word: an enum constant `INLINE` stays.
    defined: HashSet<String>,
    /// Bit `b` is set when some name starts with byte `b`: most words of a
    /// file are ruled out by it without hashing.
    first: [u64; 2],
    /// Whether `extern "C" {` and `}` under `#ifdef __cplusplus` are masked.
    cplusplus_guards: bool,
    /// Names the text defines to something that is no declaration prefix:
    /// never guessed to be one (see `prefix.rs`).
    other_defines: HashSet<String>,
    /// Function-like macros the project's compiler expands to declaration
    /// prefixes only (`_printf(1, 2)`, `TARGET_ATTRIBUTE("bmi2")`): masked
    /// with their argument lists wherever they are called.
    calls: HashSet<String>,
}

impl Masks {
    /// The masks for `text` in `lang`: empty but for C and C++.
    pub(crate) fn of(lang: Lang, text: &[u8]) -> Masks {
        Self::of_in(lang, text, None)
    }

    /// The masks for `text` in a project whose compiler classed its macros
    /// (see `compiler.rs`): what the file defines itself still comes first.
    pub(crate) fn of_in(lang: Lang, text: &[u8], project: Option<&ProjectMacros>) -> Masks {
        if !matches!(lang, Lang::C | Lang::Cpp) {
            return Masks::default();
        }
        let defines = defines(text);
        // Greatest fixpoint: start from every candidate, drop those whose
        // expansion uses a word that is neither allowed nor still a candidate.
        let mut names: HashSet<String> = WELL_KNOWN.iter().map(|s| (*s).to_owned()).collect();
        // The compiler knows: a name it expands to prefixes only is one
        // wherever it stands; a well-known spelling it expands to anything
        // else is none.
        let from_compiler: HashSet<&str> = project
            .map(|p| p.prefix.iter().filter(|n| !defines.contains_key(*n)).map(String::as_str).collect())
            .unwrap_or_default();
        if let Some(p) = project {
            names.retain(|n| defines.contains_key(n) || !p.other.contains(n));
            names.extend(from_compiler.iter().map(|n| (*n).to_owned()));
        }
        names.extend(defines.keys().cloned());
        for (name, bodies) in &defines {
            if bodies.iter().any(Option::is_none) {
                names.remove(name);
            }
        }
        loop {
            let before = names.len();
            let keep: Vec<String> = names
                .iter()
                .filter(|name| {
                    defines.get(*name).is_none_or(|bodies| {
                        bodies.iter().flatten().all(|words| words.iter().all(|w| allowed(w) || names.contains(w)))
                    })
                })
                .cloned()
                .collect();
            names = keep.into_iter().collect();
            if names.len() == before {
                break;
            }
        }
        let calls: HashSet<String> =
            project.map(|p| p.call_like.iter().filter(|n| !names.contains(*n)).cloned().collect()).unwrap_or_default();
        let defined =
            names.iter().filter(|n| defines.contains_key(*n) || from_compiler.contains(n.as_str())).cloned().collect();
        let mut first = [0u64; 2];
        for b in names.iter().chain(&calls).filter_map(|n| n.bytes().next()).filter(u8::is_ascii) {
            first[usize::from(b >> 6)] |= 1 << (b & 63);
        }
        // A name defined as one other macro's call (`_target_attribute("sse2")`)
        // may still be a declaration prefix: the grammar may tell.
        let call_defines = call_like_defines(text);
        let mut other_defines: HashSet<String> =
            defines.keys().filter(|n| !names.contains(*n) && !call_defines.contains(*n)).cloned().collect();
        if let Some(p) = project {
            other_defines.extend(
                p.other
                    .iter()
                    .filter(|n| !names.contains(*n) && !defines.contains_key(*n) && !call_defines.contains(*n))
                    .cloned(),
            );
        }
        Masks { names, defined, first, cplusplus_guards: true, other_defines, calls }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty() && self.calls.is_empty()
    }

    /// The byte ranges of `text` to mask: each masked name outside
    /// preprocessor lines.
    pub(crate) fn ranges(&self, text: &[u8]) -> Vec<(usize, usize)> {
        let mut out = self.name_ranges(text);
        if self.cplusplus_guards {
            out.extend(cplusplus_linkage(text));
            out.extend(directive_comments(text));
            out.extend(prefix::prefix_macros(text, &|w| self.names.contains(w), &|w| self.other_defines.contains(w)));
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// The masked names' ranges.
    fn name_ranges(&self, text: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        if self.is_empty() {
            return out;
        }
        let mut at = 0;
        let mut line_start = true;
        let mut in_directive = false;
        while at < text.len() {
            let b = text[at];
            if b == b'\n' {
                // A directive goes on past a backslash-newline.
                let continued =
                    (at > 0 && text[at - 1] == b'\\') || (at > 1 && text[at - 1] == b'\r' && text[at - 2] == b'\\');
                in_directive = in_directive && continued;
                line_start = true;
                at += 1;
                continue;
            }
            if line_start && (b == b' ' || b == b'\t' || b == b'\r') {
                at += 1;
                continue;
            }
            if line_start && b == b'#' {
                in_directive = true;
            }
            line_start = false;
            if b.is_ascii_alphabetic() || b == b'_' {
                let start = at;
                while at < text.len() && (text[at].is_ascii_alphanumeric() || text[at] == b'_') {
                    at += 1;
                }
                let preceded = start > 0 && (text[start - 1].is_ascii_alphanumeric() || text[start - 1] == b'_');
                let maybe = self.first[usize::from(b >> 6)] & (1 << (b & 63)) != 0;
                if maybe && !in_directive && !preceded {
                    if let Ok(word) = std::str::from_utf8(&text[start..at]) {
                        let before_word = || {
                            let next = text[at..].iter().find(|b| !b.is_ascii_whitespace());
                            next.is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
                        };
                        if self.names.contains(word) && (self.defined.contains(word) || before_word()) {
                            out.push((start, at));
                        } else if self.calls.contains(word) {
                            if let Some(end) = call_end(text, at) {
                                out.push((start, end));
                                at = end;
                            }
                        }
                    }
                }
                continue;
            }
            at += 1;
        }
        out
    }
}

/// The end of the argument list that opens after `at` (whitespace
/// skipped), strings and all, in code: `None` without one, unbalanced, or
/// when a `;`, `{` or `}` comes first.
fn call_end(text: &[u8], at: usize) -> Option<usize> {
    group_end(text, at, b";{}")
}

/// The end of the parenthesized group that opens after `at` (whitespace
/// skipped), strings and all; `None` without one, unbalanced, or when a
/// byte of `stops` comes first outside a string.
pub(crate) fn group_end(text: &[u8], at: usize, stops: &[u8]) -> Option<usize> {
    let mut i = at + text.get(at..)?.iter().position(|b| !b.is_ascii_whitespace())?;
    if text[i] != b'(' {
        return None;
    }
    let (mut depth, mut quote) = (0usize, None::<u8>);
    while i < text.len() {
        let c = text[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'(' => depth += 1,
            None if c == b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            None if stops.contains(&c) => return None,
            None => {}
        }
        i += 1;
    }
    None
}

/// `text` with the byte ranges `ranges` (from [`Masks::ranges`]) replaced by spaces.
pub(crate) fn blank<'t>(text: &'t [u8], ranges: &[(usize, usize)]) -> Cow<'t, [u8]> {
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_vec();
    for &(start, end) in ranges {
        out[start..end].fill(b' ');
    }
    Cow::Owned(out)
}

/// Block comments inside a preprocessor directive that goes on past them
/// (a `#define` continued with backslashes). tree-sitter ends a macro's
/// body at a `/*`, and reads the lines after the comment as code; blanked,
/// the whole body stays the macro's.
fn directive_comments(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if memchr::memmem::find(text, b"/*").is_none() {
        return out;
    }
    let mut at = 0;
    let mut line_start = true;
    let mut in_directive = false;
    while at < text.len() {
        let b = text[at];
        match b {
            b'\n' => {
                let continued =
                    (at > 0 && text[at - 1] == b'\\') || (at > 1 && text[at - 1] == b'\r' && text[at - 2] == b'\\');
                in_directive = in_directive && continued;
                line_start = true;
                at += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' if line_start => {
                at += 1;
                continue;
            }
            b'#' if line_start => in_directive = true,
            _ => {}
        }
        line_start = false;
        if text[at..].starts_with(b"/*") {
            let end = memchr::memmem::find(&text[at + 2..], b"*/").map_or(text.len(), |e| at + 2 + e + 2);
            // Only where the directive goes on after the comment's line.
            let rest_of_line = memchr::memchr(b'\n', &text[end..]).map_or(text.len(), |n| end + n);
            let line = text[end..rest_of_line].strip_suffix(b"\r").unwrap_or(&text[end..rest_of_line]);
            let newline_inside = memchr::memchr(b'\n', &text[at..end]).is_some();
            if in_directive && !newline_inside && line.ends_with(b"\\") {
                out.push((at, end));
            }
            at = end;
            continue;
        }
        if !in_directive && (b == b'"' || b == b'\'') {
            // Skip a literal, so that a `/*` inside one is not taken for a comment.
            at += 1;
            while at < text.len() && text[at] != b && text[at] != b'\n' {
                at += if text[at] == b'\\' { 2 } else { 1 };
            }
        }
        at += 1;
    }
    out
}

/// The bodies of `#ifdef __cplusplus` (or `#if defined(__cplusplus)`)
/// branches that hold nothing but `extern "C" {` or `}`, comments aside:
/// the non-blank bytes of those lines.
fn cplusplus_linkage(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if memchr::memmem::find(text, b"__cplusplus").is_none() {
        return out;
    }
    // (start, end) of each line, without its newline.
    let mut lines = Vec::new();
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', text).chain(std::iter::once(text.len())) {
        lines.push((start, nl));
        start = nl + 1;
        if start > text.len() {
            break;
        }
    }
    let directive = |(s, e): (usize, usize)| -> Option<String> {
        let line = std::str::from_utf8(&text[s..e]).ok()?.trim();
        let rest = line.strip_prefix('#')?.trim_start();
        // Without blanks: `ifdef__cplusplus`, `ifdefined(__cplusplus)`.
        Some(rest.split_whitespace().collect::<String>())
    };
    let opens = |d: &str| matches!(d, "ifdef__cplusplus" | "ifdefined(__cplusplus)" | "ifdefined__cplusplus");
    let mut i = 0;
    while i < lines.len() {
        if !directive(lines[i]).is_some_and(|d| opens(&d)) {
            i += 1;
            continue;
        }
        // The body, up to the closing #endif (or an #else), with no directive inside.
        let mut j = i + 1;
        let mut body = Vec::new();
        let closed = loop {
            let Some(&line) = lines.get(j) else { break false };
            match directive(line) {
                Some(d) => break d.starts_with("endif") || d == "else",
                None => body.push(line),
            }
            j += 1;
        };
        if closed {
            let code: String = body
                .iter()
                .map(|&(s, e)| strip_comments(&String::from_utf8_lossy(&text[s..e])))
                .collect::<Vec<_>>()
                .join(" ");
            let code: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
            if matches!(code.as_str(), "extern \"C\" {" | "extern \"C\"{" | "}") {
                for &(s, e) in &body {
                    let line = &text[s..e];
                    let lead = line.iter().take_while(|b| b.is_ascii_whitespace()).count();
                    let trail = line.iter().rev().take_while(|b| b.is_ascii_whitespace()).count();
                    if lead + trail < line.len() {
                        out.push((s + lead, e - trail));
                    }
                }
            }
        }
        i = j.max(i + 1);
    }
    out
}

/// Whether `word` with an argument list is an attribute-like specifier.
pub(crate) fn takes_arguments(word: &str) -> bool {
    WITH_ARGUMENTS.contains(&word)
}

pub(crate) fn allowed(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Object-like macros defined on one line as a single word that is no
/// keyword, or as one call of another macro: `#define ATTRIBUTES
/// _target_attribute("sse2")`. What they expand to is not in the text.
fn call_like_defines(text: &[u8]) -> HashSet<String> {
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
fn defines(text: &[u8]) -> HashMap<String, Vec<Option<Vec<String>>>> {
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
fn strip_comments(body: &str) -> String {
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

mod prefix;
#[cfg(test)]
mod tests;
