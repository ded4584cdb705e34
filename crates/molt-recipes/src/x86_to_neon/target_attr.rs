//! x86 target attributes: `__attribute__((target("avx2")))`, and the
//! project macros that spell it (`_target_attribute("sse2")`,
//! `TARGET_ATTRIBUTE("bmi2")`, `__attribute__((__target__("lzcnt,bmi")))`).
//!
//! They let a file compiled without `-mavx2` hold AVX2 functions, which is
//! how libraries build one kernel per instruction set and choose among them
//! at run time. An aarch64 compiler rejects x86 feature names there ("pragma
//! or attribute 'target("sse2")' is not valid"), so the portable copy of an
//! item, or of a `#define` that holds one, goes without the attribute: NEON
//! is baseline on aarch64, and the portable C header needs no target either.
//! Only a string literal that names x86 features alone, as the argument of
//! something whose name says `target`, counts: `target("crc,aes")`, which an
//! aarch64 build may well mean, is left as it is.

/// x86 feature names (GCC's and Clang's `target` spellings) that no other
/// architecture uses. A name may carry `no-`; `avx512*`, `sse4*` and the
/// like match by prefix.
const X86_ONLY: &[&str] = &[
    "mmx",
    "sse",
    "ssse3",
    "avx",
    "fma",
    "f16c",
    "bmi",
    "lzcnt",
    "popcnt",
    "pclmul",
    "vpclmulqdq",
    "gfni",
    "vaes",
    "movbe",
    "adx",
    "rdrnd",
    "rdseed",
    "xsave",
    "xop",
    "tbm",
    "abm",
    "evex512",
    "sahf",
    "cx16",
    "prfchw",
];

/// Feature names other architectures share, allowed next to an x86-only one.
const SHARED: &[&str] = &["aes", "sha", "crc32"];

/// Whether a `target` string names x86 features alone: each comma-separated
/// name is an x86 one, and at least one of them is x86's own.
fn is_x86_feature_list(list: &str) -> bool {
    let mut own = false;
    for name in list.split(',').map(str::trim) {
        let name = name.strip_prefix("no-").unwrap_or(name);
        if let Some(arch) = name.strip_prefix("arch=").or_else(|| name.strip_prefix("tune=")) {
            let x86 = ["x86-64", "i686", "haswell", "skylake", "icelake", "znver", "sapphirerapids"]
                .iter()
                .any(|a| arch.starts_with(a));
            if !x86 {
                return false;
            }
            own = true;
        } else if X86_ONLY.iter().any(|f| name.starts_with(f)) {
            own = true;
        } else if !SHARED.contains(&name) {
            return false;
        }
    }
    own
}

/// The byte ranges of `text` (a macro body, or an item's text) that hold an
/// x86 target attribute, each with what must go along with it (the
/// `__attribute__((...))` around a lone `target(...)`, or the comma that
/// separates it from other attributes). Sorted, not overlapping.
pub(super) fn x86_target_spans(text: &str) -> Vec<(usize, usize)> {
    let (literals, groups) = scan(text);
    let b = text.as_bytes();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (ls, le) in literals {
        if !is_x86_feature_list(&text[ls + 1..le.saturating_sub(1).max(ls + 1)]) {
            continue;
        }
        // The innermost group around the literal, and the word before it.
        let Some(&(open, close)) = groups.iter().filter(|g| g.0 < ls && g.1 >= le).min_by_key(|g| g.1 - g.0) else {
            continue;
        };
        let (word_start, word) = word_before(text, open);
        if !word.to_ascii_lowercase().contains("target") {
            continue;
        }
        let mut span = (word_start, close + 1);
        // Out through groups that hold nothing else: `((target("x")))` and
        // the `__attribute__` in front of them.
        while let Some(&(po, pc)) = groups.iter().filter(|g| g.0 < span.0 && g.1 >= span.1).min_by_key(|g| g.1 - g.0) {
            if !text[po + 1..span.0].trim().is_empty() || !text[span.1..pc].trim().is_empty() {
                break;
            }
            span = (word_before(text, po).0, pc + 1);
        }
        // One attribute among others: its comma goes with it.
        let after = span.1 + (text[span.1..].len() - text[span.1..].trim_start().len());
        let before = text[..span.0].trim_end().len();
        if b.get(after) == Some(&b',') {
            span.1 = after + 1 + (text[after + 1..].len() - text[after + 1..].trim_start().len());
        } else if before > 0 && b[before - 1] == b',' {
            span.0 = before - 1;
        }
        spans.push(span);
    }
    spans.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for s in spans {
        match out.last_mut() {
            Some(last) if s.0 < last.1 => last.1 = last.1.max(s.1),
            _ => out.push(s),
        }
    }
    out
}

/// `text` without its x86 target attributes.
pub(super) fn strip_x86_targets(text: &str) -> String {
    let mut out = text.to_owned();
    for (start, end) in x86_target_spans(text).into_iter().rev() {
        out.replace_range(start..end, "");
    }
    out
}

/// A splice that keeps a `#define` for x86 and copies it for the rest
/// (`X86_GUARD`, the original, `#else`, the copy, `#endif`), with the x86
/// target attributes gone from the copy.
pub(super) fn strip_from_copy(splice: (usize, usize, String)) -> (usize, usize, String) {
    let (start, end, text) = splice;
    match text.find("\n#else") {
        Some(at) => {
            // No blanks left at a line's end: tree-sitter reads the line
            // after `#define ATTRIBUTES ` as that macro's body.
            let copy = strip_x86_targets(&text[at..]);
            let copy: String = copy
                .split_inclusive('\n')
                .map(|line| {
                    let body = line.trim_end_matches(['\n', '\r']);
                    format!("{}{}", body.trim_end_matches([' ', '\t']), &line[body.len()..])
                })
                .collect();
            (start, end, format!("{}{copy}", &text[..at]))
        }
        None => (start, end, text),
    }
}

/// The identifier that ends just before `open` (blanks between), with where
/// it starts; `open` and "" when there is none.
fn word_before(text: &str, open: usize) -> (usize, &str) {
    let head = text[..open].trim_end_matches([' ', '\t', '\r', '\n', '\\']);
    let word_len = head.len() - head.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_').len();
    if word_len == 0 {
        return (open, "");
    }
    (head.len() - word_len, &head[head.len() - word_len..])
}

/// The string literals (quotes included) and the balanced `(...)` groups
/// (the offsets of both parentheses) of `text`, comments skipped.
type Ranges = Vec<(usize, usize)>;
fn scan(text: &str) -> (Ranges, Ranges) {
    let b = text.as_bytes();
    let (mut literals, mut groups, mut open) = (Vec::new(), Vec::new(), Vec::new());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b[start] && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                if b[start] == b'"' {
                    literals.push((start, i));
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(b.len(), |e| i + e);
                continue;
            }
            b'(' => open.push(i),
            b')' => {
                if let Some(o) = open.pop() {
                    groups.push((o, i));
                }
            }
            _ => {}
        }
        i += 1;
    }
    (literals, groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x86_target_attributes_go_and_the_rest_stays() {
        for (text, want) in [
            ("_target_attribute(\"sse2\")", ""),
            (" _target_attribute(\"avx512bw,avx512vl\" NO_EVEX512)", " "),
            ("static __attribute__((target(\"avx2\"))) int f(void)", "static  int f(void)"),
            ("__attribute__((__target__(\"lzcnt,bmi,bmi2\")))", ""),
            ("__attribute__((target(\"pclmul,sse4.1\"), always_inline))", "__attribute__((always_inline))"),
            ("__attribute__((always_inline, target(\"avx2\")))", "__attribute__((always_inline))"),
            ("TARGET_ATTRIBUTE(\"arch=haswell\") inline", " inline"),
            // Not x86 features, or not a target: left alone.
            ("_target_attribute(\"crc,aes\")", "_target_attribute(\"crc,aes\")"),
            ("_target_attribute(\"+crc\")", "_target_attribute(\"+crc\")"),
            ("puts(\"avx2\")", "puts(\"avx2\")"),
            ("__attribute__((target(attrs)))", "__attribute__((target(attrs)))"),
        ] {
            assert_eq!(strip_x86_targets(text), want, "{text}");
        }
    }
}
