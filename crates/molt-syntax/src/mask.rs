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
use std::collections::HashSet;

use crate::compiler::ProjectMacros;
use crate::lang::Lang;

mod defines;
mod idioms;
mod prefix;

use defines::{call_like_defines, defines};
use idioms::{cplusplus_linkage, directive_comments};

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

/// Whether `word` with an argument list is an attribute-like specifier.
pub(crate) fn takes_arguments(word: &str) -> bool {
    WITH_ARGUMENTS.contains(&word)
}

pub(crate) fn allowed(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

#[cfg(test)]
mod tests;
