//! Declaration macros that no definition in the file names, found by the
//! grammar of C itself: `static forceinline ATTRIBUTES u32 f(void) { ... }`.
//!
//! The specifiers of a C declaration hold at most one type name. When the
//! words before a function's name hold more candidates than that (plain
//! identifiers, or an identifier with an argument list), all but one must
//! be macros that expand to storage classes, `inline` or attributes: the
//! type is a keyword type if there is one (`static MY_INLINE int f`), else
//! the last plain identifier (`u32`), else the last macro call
//! (`STACK_OF(X509) *f`). Those macros are masked, with their argument
//! lists, wherever such a function is declared or defined at file level.
//! The function's name may itself be a macro call, as in template headers
//! included once per instruction set:
//! `static forceinline ATTRIBUTES u32 ADD_SUFFIX(adler32)(u32 adler)`.
//! Nothing is masked where the run of words is anything else (an
//! initializer, a C++ template, a qualified name), so that a wrong guess
//! cannot hide code.

/// Keywords that are a type on their own, or start one.
const TYPE_KEYWORDS: &[&str] = &[
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool", "_Complex", "__int128",
    "bool", "wchar_t", "char8_t", "char16_t", "char32_t", "size_t", "auto",
];

/// Keywords that take the next word as their tag: `struct foo`.
const TAG_KEYWORDS: &[&str] = &["struct", "union", "enum", "class"];

/// Specifiers and qualifiers that are no type.
const OTHER_KEYWORDS: &[&str] = &[
    "static",
    "extern",
    "inline",
    "__inline",
    "__inline__",
    "__forceinline",
    "const",
    "volatile",
    "register",
    "restrict",
    "__restrict",
    "__restrict__",
    "_Noreturn",
    "noreturn",
    "__extension__",
    "_Thread_local",
    "thread_local",
    "__thread",
    "constexpr",
    "virtual",
    "explicit",
    "friend",
    "typedef",
    "__cdecl",
    "__stdcall",
    "__fastcall",
    "__vectorcall",
];

/// Words tree-sitter reads with their argument list: not macros.
const ATTRIBUTE_WORDS: &[&str] =
    &["__attribute__", "__attribute", "__declspec", "_Alignas", "alignas", "__asm__", "asm"];

pub(super) fn is_type_keyword(word: &str) -> bool {
    TYPE_KEYWORDS.contains(&word) || TAG_KEYWORDS.contains(&word)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// An identifier or keyword, and whether a `(...)` group follows it
    /// (the group's end, exclusive).
    Word { start: usize, end: usize, args_end: Option<usize> },
    /// `*` or `&`.
    Star,
    /// Anything else that may end or spoil a run.
    Other(u8),
}

/// The ranges of the macros the grammar tells apart, in `text` (C or C++).
/// `masked`: names masked already; `defined`: names the file defines to
/// something else, which are never guessed to be macros of this kind.
pub(super) fn prefix_macros(
    text: &[u8],
    masked: &dyn Fn(&str) -> bool,
    defined: &dyn Fn(&str) -> bool,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut run: Vec<Tok> = Vec::new();
    let mut depth = 0usize;
    let mut at = 0;
    let mut line_start = true;
    while at < text.len() {
        let b = text[at];
        if b == b'\n' {
            line_start = true;
            at += 1;
            continue;
        }
        if b.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        if line_start && b == b'#' {
            // A directive, with its continuations, ends the run.
            run.clear();
            at = directive_end(text, at);
            continue;
        }
        line_start = false;
        if text[at..].starts_with(b"//") {
            at = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |n| at + n);
            continue;
        }
        if text[at..].starts_with(b"/*") {
            at = memchr::memmem::find(&text[at + 2..], b"*/").map_or(text.len(), |e| at + 2 + e + 2);
            continue;
        }
        match b {
            b'"' | b'\'' => {
                at = literal_end(text, at);
                run.push(Tok::Other(b'"'));
            }
            b'{' => {
                if depth == 0 {
                    analyze(&run, text, masked, defined, &mut out);
                }
                run.clear();
                depth += 1;
                at += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                run.clear();
                at += 1;
            }
            b';' => {
                if depth == 0 {
                    analyze(&run, text, masked, defined, &mut out);
                }
                run.clear();
                at += 1;
            }
            _ if depth > 0 => at += 1,
            _ if b.is_ascii_alphabetic() || b == b'_' => {
                let start = at;
                while at < text.len() && (text[at].is_ascii_alphanumeric() || text[at] == b'_') {
                    at += 1;
                }
                let end = at;
                let mut next = at;
                while next < text.len() && matches!(text[next], b' ' | b'\t' | b'\r' | b'\n') {
                    next += 1;
                }
                let mut args_end = (text.get(next) == Some(&b'(')).then(|| group_end(text, next)).flatten();
                // A name made by a macro call (`ADD_SUFFIX(adler32)(u32 a)`):
                // no C function returns a function, so a list that follows
                // the call's is the parameters, and the call is the name.
                while let Some(e) = args_end {
                    let n = e + text[e..].iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')).count();
                    match (text.get(n) == Some(&b'(')).then(|| group_end(text, n)).flatten() {
                        Some(more) => args_end = Some(more),
                        None => break,
                    }
                }
                if let Some(e) = args_end {
                    at = e;
                }
                run.push(Tok::Word { start, end, args_end });
            }
            b'*' | b'&' => {
                run.push(Tok::Star);
                at += 1;
            }
            _ => {
                run.push(Tok::Other(b));
                at += 1;
            }
        }
    }
    out
}

/// Masks the extra type candidates of one file-level run ending at `{` or `;`.
fn analyze(
    run: &[Tok],
    text: &[u8],
    masked: &dyn Fn(&str) -> bool,
    defined: &dyn Fn(&str) -> bool,
    out: &mut Vec<(usize, usize)>,
) {
    let word = |s: usize, e: usize| std::str::from_utf8(&text[s..e]).unwrap_or("");
    // The function's name: the last word with an argument list, after which
    // only attributes and qualifiers follow.
    let Some(name_at) = run.iter().rposition(
        |t| matches!(t, Tok::Word { start, end, args_end: Some(_) } if !ATTRIBUTE_WORDS.contains(&word(*start, *end))),
    ) else {
        return;
    };
    let trailing_ok = run[name_at + 1..].iter().all(|t| match t {
        Tok::Word { start, end, .. } => {
            let w = word(*start, *end);
            ATTRIBUTE_WORDS.contains(&w) || OTHER_KEYWORDS.contains(&w) || w == "noexcept" || w == "override"
        }
        _ => false,
    });
    if !trailing_ok || name_at == 0 {
        return;
    }
    // Type candidates among the specifiers; after a `*` only qualifiers may
    // come (`char *const f`), or the run is not one this reads.
    let mut keyword_type = false;
    let mut plain: Vec<(usize, usize)> = Vec::new();
    let mut calls: Vec<(usize, usize)> = Vec::new();
    let mut after_tag = false;
    let mut seen_star = false;
    for t in &run[..name_at] {
        match *t {
            Tok::Star => seen_star = true,
            Tok::Other(_) => return,
            Tok::Word { start, end, args_end } => {
                let w = word(start, end);
                if defined(w) {
                    return;
                }
                if seen_star && !(OTHER_KEYWORDS.contains(&w) || ATTRIBUTE_WORDS.contains(&w) || masked(w)) {
                    return;
                }
                if after_tag {
                    after_tag = false;
                    keyword_type = true;
                } else if TAG_KEYWORDS.contains(&w) {
                    after_tag = true;
                } else if TYPE_KEYWORDS.contains(&w) {
                    keyword_type = true;
                } else if OTHER_KEYWORDS.contains(&w) || ATTRIBUTE_WORDS.contains(&w) || masked(w) {
                } else if let Some(e) = args_end {
                    calls.push((start, e));
                } else {
                    plain.push((start, end));
                }
            }
        }
    }
    if keyword_type {
        out.extend(&plain);
        out.extend(&calls);
    } else if let Some((_, rest)) = plain.split_last() {
        out.extend(rest);
        out.extend(&calls);
    } else if let Some((_, rest)) = calls.split_last() {
        out.extend(rest);
    }
}

/// The end of the balanced `(...)` group starting at `open`, if it closes.
fn group_end(text: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = open;
    while at < text.len() {
        match text[at] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(at + 1);
                }
            }
            b'"' | b'\'' => {
                at = literal_end(text, at);
                continue;
            }
            b'{' | b'}' | b';' => return None,
            _ => {}
        }
        at += 1;
    }
    None
}

/// Past the string or character literal starting at `at`.
fn literal_end(text: &[u8], at: usize) -> usize {
    let quote = text[at];
    let mut i = at + 1;
    while i < text.len() && text[i] != quote && text[i] != b'\n' {
        i += if text[i] == b'\\' { 2 } else { 1 };
    }
    (i + 1).min(text.len())
}

/// Past the directive starting at `at`, with its backslash continuations.
fn directive_end(text: &[u8], at: usize) -> usize {
    let mut i = at;
    loop {
        let Some(n) = memchr::memchr(b'\n', &text[i..]) else { return text.len() };
        let nl = i + n;
        let continued = (nl > 0 && text[nl - 1] == b'\\') || (nl > 1 && text[nl - 1] == b'\r' && text[nl - 2] == b'\\');
        i = nl + 1;
        if !continued {
            return i;
        }
    }
}
