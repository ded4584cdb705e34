//! x86 flags in CMake files, by command rather than by line.
//!
//! CMake passes flags in many ways: `add_compile_options`,
//! `target_compile_options`, `set_source_files_properties(... COMPILE_FLAGS
//! ...)`, `set(CMAKE_CXX_FLAGS "... -march=native")`, `string(APPEND ...)`,
//! `list(APPEND ...)`, and probes them with `check_cxx_compiler_flag`. Each
//! such command whose arguments hold an x86 flag, and that no condition on
//! the architecture already guards, is a site. The rewrite keeps the command
//! byte for byte for x86 targets and adds, for the others, the same command
//! without the x86 flags:
//!
//! ```cmake
//! if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|i.86|x86)$")
//!   set(CMAKE_CXX_FLAGS "-O2 -march=native")
//! else()
//!   set(CMAKE_CXX_FLAGS "-O2")
//! endif()
//! ```
//!
//! A flag probe (`check_c_compiler_flag`, `check_cxx_compiler_flag`,
//! `check_compiler_flag`) answers "no" off x86 instead: its result variable
//! is set false, so whatever the project does when the flag is missing runs.
//! `CMAKE_SYSTEM_PROCESSOR` is what a toolchain or `-DCMAKE_SYSTEM_PROCESSOR`
//! sets when cross-compiling, and the host's processor otherwise.

use molt_core::Site;
use regex::Regex;
use std::sync::OnceLock;

use super::{FLAG, MARK};
use crate::recipe::Rewrite;
use crate::{Error, Result};

/// The condition the rewrite puts x86 flags under.
const X86_CONDITION: &str = "if(CMAKE_SYSTEM_PROCESSOR MATCHES \"^(x86_64|AMD64|amd64|i.86|x86)$\")";

/// Commands whose arguments are not flags passed to a compiler.
const NOT_FLAGS: &[&str] = &[
    "if",
    "elseif",
    "else",
    "endif",
    "while",
    "endwhile",
    "foreach",
    "endforeach",
    "function",
    "endfunction",
    "macro",
    "endmacro",
    "message",
    "option",
    "return",
    "project",
    "cmake_minimum_required",
    "include",
];

/// Flag probes: their last argument is the variable that gets the answer.
const PROBES: &[&str] = &["check_c_compiler_flag", "check_cxx_compiler_flag", "check_compiler_flag"];

/// One command invocation: `name(args)`.
#[derive(Debug)]
struct Command<'a> {
    /// Lowercase (CMake's command names are case-insensitive).
    name: String,
    /// The text between the parentheses.
    args: &'a str,
    /// Byte span of the whole command, name to closing parenthesis.
    start: usize,
    end: usize,
}

/// The commands of a CMake file, in order, outside comments.
fn commands(text: &str) -> Vec<Command<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'#' {
            i = skip_comment(b, i);
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let name_end = i;
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
            if i < b.len() && b[i] == b'(' {
                let open = i;
                i = skip_args(b, open);
                let close = i.saturating_sub(1).max(open + 1);
                out.push(Command {
                    name: text[start..name_end].to_ascii_lowercase(),
                    args: &text[open + 1..close.min(text.len())],
                    start,
                    end: i,
                });
            }
        } else if c == b'"' {
            i = skip_quoted(b, i);
        } else {
            i += 1;
        }
    }
    out
}

/// Past a comment starting at `i` (`#` to the end of the line, or a bracket comment `#[[ ... ]]`).
fn skip_comment(b: &[u8], i: usize) -> usize {
    if let Some(end) = bracket_end(b, i + 1) {
        return end;
    }
    b[i..].iter().position(|&c| c == b'\n').map_or(b.len(), |n| i + n + 1)
}

/// Where a bracket argument `[==[ ... ]==]` opening at `i` ends, if one opens there.
fn bracket_end(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let eq = b[i + 1..].iter().take_while(|&&c| c == b'=').count();
    if b.get(i + 1 + eq) != Some(&b'[') {
        return None;
    }
    let close: Vec<u8> = std::iter::once(b']').chain(std::iter::repeat_n(b'=', eq)).chain([b']']).collect();
    let from = i + 2 + eq;
    Some(b[from..].windows(close.len()).position(|w| w == close).map_or(b.len(), |n| from + n + close.len()))
}

/// Past a quoted argument starting at `i`.
fn skip_quoted(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// Past the argument list opening at `open`, nested parentheses included.
fn skip_args(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'"' => {
                i = skip_quoted(b, i);
                continue;
            }
            b'#' => {
                i = skip_comment(b, i);
                continue;
            }
            b'[' => {
                if let Some(end) = bracket_end(b, i) {
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// An x86 flag (its words end at a quote, a parenthesis or a list's `;`,
/// which CMake text puts right after them).
fn flag_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let flag = FLAG.replace(r"\S", r#"[^\s";)]"#);
        Regex::new(&format!(r#"(?:{flag}|/arch:(?:AVX[^\s";)]*|SSE2?))"#)).unwrap_or_else(|_| unreachable!())
    })
}

/// Whether a byte may stand before or after a whole flag in CMake text:
/// a space, a quote, a parenthesis or a list's `;`.
fn is_boundary(c: Option<u8>) -> bool {
    c.is_none_or(|c| c.is_ascii_whitespace() || matches!(c, b'"' | b'(' | b')' | b';'))
}

/// The byte spans of the whole x86 flags in `text`.
fn flag_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    flag_re()
        .find_iter(text)
        .filter(|m| is_boundary(m.start().checked_sub(1).map(|i| b[i])) && is_boundary(b.get(m.end()).copied()))
        .map(|m| (m.start(), m.end()))
        .collect()
}

fn has_flag(args: &str) -> bool {
    !flag_spans(args).is_empty()
}

/// A condition that decides by architecture: every branch of its `if` chain
/// is taken to be for the architectures it names.
fn is_arch_condition(args: &str) -> bool {
    args.contains(MARK)
        || ["PROCESSOR", "ARCHITECTURE", "x86", "X86", "AMD64", "amd64", "i686", "i386", "aarch64", "ARM64"]
            .iter()
            .any(|w| args.contains(w))
}

/// The flag-passing commands with x86 flags outside architecture conditions.
fn flagged(text: &str) -> Vec<Command<'_>> {
    let mut stack: Vec<bool> = Vec::new();
    let mut out = Vec::new();
    for cmd in commands(text) {
        match cmd.name.as_str() {
            "if" => stack.push(is_arch_condition(cmd.args)),
            "elseif" => {
                if let Some(top) = stack.last_mut() {
                    *top = *top || is_arch_condition(cmd.args);
                }
            }
            "endif" => {
                stack.pop();
            }
            name if NOT_FLAGS.contains(&name) => {}
            _ if stack.iter().any(|x| *x) => {}
            _ if has_flag(cmd.args) => out.push(cmd),
            _ => {}
        }
    }
    out
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

fn site(path: &str, text: &str, cmd: &Command<'_>) -> Site {
    Site {
        kind: "x86-build-flag".to_owned(),
        path: path.to_owned(),
        symbol: None,
        line: line_of(text, cmd.start),
        start: cmd.start,
        end: cmd.end,
        text: text[cmd.start..cmd.end].trim().to_owned(),
    }
}

pub(super) fn find_flag_sites(path: &str, text: &str) -> Vec<Site> {
    flagged(text).iter().map(|c| site(path, text, c)).collect()
}

/// The command for other architectures: the flags dropped, or for a probe, its answer "no".
fn without_flags(cmd: &Command<'_>, original: &str) -> String {
    if PROBES.contains(&cmd.name.as_str()) {
        if let Some(var) = cmd.args.split_whitespace().last() {
            return format!("set({var} FALSE)");
        }
    }
    let b = original.as_bytes();
    let mut out = String::with_capacity(original.len());
    let mut last = 0;
    for (start, end) in flag_spans(original) {
        let (mut from, mut to) = (start, end);
        // With one separator beside it: the space (or `;`) before, else the one after.
        let before = original[last..start].len() - original[last..start].trim_end().len();
        if before > 0 {
            from -= before;
        } else if b.get(end).is_some_and(u8::is_ascii_whitespace) {
            to += original[end..].len() - original[end..].trim_start().len();
        } else if start > last && b[start - 1] == b';' {
            from -= 1;
        } else if b.get(end) == Some(&b';') {
            to += 1;
        }
        out.push_str(&original[last..from]);
        last = to;
    }
    out.push_str(&original[last..]);
    out
}

pub(super) fn rewrite_flags(path: &str, text: &str, wanted: &std::collections::BTreeSet<&str>) -> Result<Rewrite> {
    let mut out = Rewrite { text: text.to_owned(), ..Rewrite::default() };
    let mut new_text = String::with_capacity(text.len() + 256);
    let mut last = 0;
    for cmd in flagged(text) {
        let line_start = text[..cmd.start].rfind('\n').map_or(0, |n| n + 1);
        let indent = &text[line_start..cmd.start];
        let s = site(path, text, &cmd);
        if !wanted.contains(s.text.as_str()) {
            continue;
        }
        if !indent.chars().all(|c| c == ' ' || c == '\t') {
            out.unmapped
                .push((s, "the command shares its line with another; the rules rewrite whole lines".to_owned()));
            continue;
        }
        let original = &text[cmd.start..cmd.end];
        new_text.push_str(&text[last..cmd.start]);
        new_text.push_str(&format!(
            "# {MARK}.\n{indent}{X86_CONDITION}\n{indent}  {original}\n{indent}else()\n{indent}  {}\n{indent}endif()",
            without_flags(&cmd, original)
        ));
        last = cmd.end;
        out.mapped.push(s);
    }
    new_text.push_str(&text[last..]);
    if out.mapped.is_empty() && new_text != text {
        return Err(Error::Broken(path.to_owned()));
    }
    out.text = new_text;
    Ok(out)
}

#[cfg(test)]
mod tests;
