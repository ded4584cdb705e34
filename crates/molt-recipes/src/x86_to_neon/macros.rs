//! Macros: project `#define`s over intrinsics, translated by rule, and the
//! renaming of one name for the portable copy.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use regex::Regex;
use tree_sitter::Node;

use super::sites::is_x86_name;
use super::{X86ToNeon, X86_GUARD};
use crate::ctree;

impl X86ToNeon {
    /// Records what one name becomes in the portable copy: its wrapper, or
    /// nothing (a name the portable headers or the file itself define), or
    /// a problem (an x86 name without a mapping).
    pub(super) fn rename<'s>(
        &'s self,
        name: &str,
        at: (usize, usize),
        own: &BTreeSet<String>,
        edits: &mut Vec<(usize, usize, &'s str)>,
        notes: &mut BTreeSet<String>,
        problems: &mut BTreeSet<String>,
    ) {
        if let Some(portable) = self.renames.get(name) {
            edits.push((at.0, at.1, portable));
            if let Some(note) = self.notes.get(name) {
                notes.insert(format!("{name}: {note}"));
            }
        } else if self.kept.contains(name) || own.contains(name) {
            // Defined by the portable headers, or by the file itself (a
            // project macro such as `_mm_shuffle_ps2`, ported on its own).
        } else if is_x86_name(name) {
            problems.insert(format!("`{name}` has no mapping"));
        }
    }

    /// The splice that keeps a `#define` for x86 and adds its translation
    /// for the rest; or why it cannot be translated.
    pub(super) fn wrap_macro(
        &self,
        node: Node<'_>,
        src: &str,
        own: &BTreeSet<String>,
    ) -> std::result::Result<(usize, usize, String), String> {
        let value = node.child_by_field_name("value").ok_or("a macro without a body")?;
        let body = ctree::text(value, src);
        let mut edits = Vec::new();
        let mut notes = BTreeSet::new();
        let mut problems = BTreeSet::new();
        for (start, end) in macro_words(body) {
            self.rename(&body[start..end], (start, end), own, &mut edits, &mut notes, &mut problems);
        }
        if !problems.is_empty() {
            return Err(problems.into_iter().collect::<Vec<_>>().join(", "));
        }
        let mut translated = body.to_owned();
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (start, end, new) in edits {
            translated.replace_range(start..end, new);
        }
        let original = ctree::text(node, src);
        let newline = if original.ends_with('\n') { "" } else { "\n" };
        let head = &src[node.start_byte()..value.start_byte()];
        let tail = &src[value.end_byte()..node.end_byte()];
        let tail = if tail.ends_with('\n') { tail.to_owned() } else { format!("{tail}\n") };
        let text = format!(
            "{X86_GUARD}\n{original}{newline}#else /* aarch64: NEON via molt_simd_neon.h; other targets: portable C via molt_simd_scalar.h */\n{head}{translated}{tail}#endif\n"
        );
        Ok((node.start_byte(), node.end_byte(), text))
    }
}

/// Names the text `#define`s itself.
pub(super) fn own_macros(src: &str) -> BTreeSet<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?m)^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)").unwrap_or_else(|_| unreachable!())
    });
    re.captures_iter(src).filter_map(|c| c.get(1)).map(|m| m.as_str().to_owned()).collect()
}

/// The identifiers of a macro body, outside string and character literals
/// and comments, as byte ranges.
pub(super) fn macro_words(body: &str) -> Vec<(usize, usize)> {
    let b = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => {
                let q = b[i];
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = body[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
            }
            b'/' if b.get(i + 1) == Some(&b'/') => i = body[i..].find('\n').map_or(b.len(), |e| i + e),
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push((start, i));
            }
            c if c.is_ascii_digit() => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}
