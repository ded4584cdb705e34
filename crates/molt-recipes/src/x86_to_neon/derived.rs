//! A project's own x86 macros: names a project defines only where the
//! target is x86 (`IS_X86` from `__x86_64__`, `USE_SSE` from `__SSE__`,
//! `WEBP_USE_SSE2` from `__SSE2__`), so that its kernels and dispatchers sit
//! under `#if defined(IS_X86)` rather than under the compiler's macros.
//!
//! The whole repository is read once, before a plan: every `#define` with
//! the `#if` branches around it. Each branch's condition is evaluated the
//! way the C preprocessor would for two targets, with the macros each
//! target's compiler predefines ([`Targets`]: an aarch64 compiler's, and an
//! x86 one's with every x86 feature possibly enabled by flags). A project's
//! configuration macros are unknown on both. A name
//! that no aarch64 compiler can define but an x86 one can is the project's
//! x86 macro, and a test of it is a feature guard like `__SSE2__`'s; one
//! that needs a feature the table lacks (`USE_AVX512` under `__AVX512F__`)
//! is not ported. Names only aarch64 (or another architecture) defines are
//! that architecture's own path. A definition as `0` is not one (the
//! `#else #define HAVE_SSE2 0` idiom).

use std::collections::{BTreeMap, BTreeSet};

use crate::cond::{self, Macro};

use super::targets::Targets;

/// What a repository's own macros are, of those that depend on the target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectMacros {
    /// Defined only for x86: name → whether the port covers what it needs
    /// (`false` when it needs a feature the table lacks).
    pub x86: BTreeMap<String, bool>,
    /// Defined only for aarch64 or another architecture than x86.
    pub other: BTreeSet<String>,
    /// Defined for neither aarch64 nor x86 (`WEBP_USE_MIPS32`).
    pub neither: BTreeSet<String>,
}

impl ProjectMacros {
    pub fn is_empty(&self) -> bool {
        self.x86.is_empty() && self.other.is_empty() && self.neither.is_empty()
    }

    /// The project's x86 macros whose needs the port covers.
    pub fn covered(&self) -> impl Iterator<Item = &str> {
        self.x86.iter().filter(|(_, c)| **c).map(|(n, _)| n.as_str())
    }

    /// Reads `files` (repository-relative path, text); only C and C++
    /// sources and headers are looked at.
    pub fn scan<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>, covered_features: &BTreeSet<&str>) -> Self {
        let mut defs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, text) in files {
            if is_c_family(path) {
                definitions(text, &mut defs);
            }
        }
        classify(&defs, covered_features)
    }
}

pub(super) fn is_c_family(path: &str) -> bool {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(ext, "c" | "h" | "cc" | "cpp" | "cxx" | "hh" | "hpp" | "hxx" | "inl" | "ipp" | "inc")
}

impl super::X86ToNeon {
    /// A condition's value where it is the same on every target the port
    /// builds for (aarch64, and x86 with any features): `Some(0)` where
    /// neither compiles the code under it (`#ifdef WEBP_USE_MIPS32`, `#if 0`),
    /// `Some(1)` where both do; `None` where they differ or it depends on
    /// the project's configuration.
    pub(super) fn value_on_every_target(&self, cond: &str) -> Option<i64> {
        let on = |t: For| cond::value_in(cond, &|m: &str| lookup(m, t, &self.project, &self.features));
        match (on(For::Aarch64), on(For::X86)) {
            (Some(0), Some(0)) => Some(0),
            (Some(a), Some(x)) if a != 0 && x != 0 => Some(1),
            _ => None,
        }
    }
}

/// Which target a condition is evaluated for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum For {
    Aarch64,
    /// x86, every feature possible.
    X86,
    /// x86 with only the features the table covers.
    X86Covered,
}

/// Iterates to a fixed point: a macro defined under a project x86 macro
/// (`#if defined(ARCH_X86_64)` → `#define HAVE_DYNAMIC_X86`) is one too.
fn classify(defs: &BTreeMap<String, Vec<String>>, covered: &BTreeSet<&str>) -> ProjectMacros {
    let mut known = ProjectMacros::default();
    for _ in 0..8 {
        let mut next = ProjectMacros::default();
        for (name, conds) in defs {
            let value = |c: &str, t: For| cond::value_in(c, &|m: &str| lookup(m, t, &known, covered));
            let never = |t: For| conds.iter().all(|c| value(c, t) == Some(0));
            match (never(For::Aarch64), never(For::X86)) {
                (true, false) => {
                    next.x86.insert(name.clone(), !never(For::X86Covered));
                }
                (false, true) => {
                    next.other.insert(name.clone());
                }
                // Another architecture's (not `#if 0`'s: no target at all).
                (true, true) if conds.iter().any(|c| cond::constant_value(c) != Some(0)) => {
                    next.neither.insert(name.clone());
                }
                (true, true) => {}
                (false, false) => {}
            }
        }
        if next == known {
            break;
        }
        known = next;
    }
    known
}

/// What a macro is for target `t`: the project's own by what is known of
/// them so far, the compilers' by what the compilers define.
fn lookup(name: &str, t: For, known: &ProjectMacros, covered: &BTreeSet<&str>) -> Macro {
    let targets = Targets::detect();
    match (t, known.x86.get(name)) {
        (For::Aarch64, Some(_)) | (For::X86Covered, Some(false)) => return Macro::Undefined,
        (_, Some(_)) => return Macro::Unknown,
        _ => {}
    }
    if known.neither.contains(name) {
        return Macro::Undefined;
    }
    if known.other.contains(name) {
        return if t == For::Aarch64 { Macro::Unknown } else { Macro::Undefined };
    }
    match t {
        For::Aarch64 => targets.on_aarch64(name),
        For::X86 => targets.on_x86(name, None),
        For::X86Covered => targets.on_x86(name, Some(covered)),
    }
}

/// Every object-like `#define` of `text` with the conjunction of the branch
/// conditions around it (`1` when none), into `defs`. A definition whose
/// value is the constant 0 is left out.
fn definitions(text: &str, defs: &mut BTreeMap<String, Vec<String>>) {
    // Each open `#if`: the conditions of its earlier branches and the current one.
    let mut stack: Vec<(Vec<String>, String)> = Vec::new();
    for line in logical_lines(text) {
        let Some(directive) = line.trim_start().strip_prefix('#') else { continue };
        let directive = directive.trim_start();
        let (word, rest) = directive.split_once(|c: char| c.is_whitespace()).unwrap_or((directive, ""));
        let rest = rest.trim();
        match word {
            "if" => stack.push((Vec::new(), rest.to_owned())),
            "ifdef" => stack.push((Vec::new(), format!("defined({})", first_word(rest)))),
            "ifndef" => stack.push((Vec::new(), format!("!defined({})", first_word(rest)))),
            "elif" | "elifdef" | "elifndef" => {
                if let Some((earlier, current)) = stack.last_mut() {
                    earlier.push(std::mem::take(current));
                    *current = match word {
                        "elifdef" => format!("defined({})", first_word(rest)),
                        "elifndef" => format!("!defined({})", first_word(rest)),
                        _ => rest.to_owned(),
                    };
                }
            }
            "else" => {
                if let Some((earlier, current)) = stack.last_mut() {
                    earlier.push(std::mem::replace(current, "1".to_owned()));
                }
            }
            "endif" => {
                stack.pop();
            }
            "define" => {
                let name = first_word(rest);
                let after = &rest[name.len()..];
                if name.is_empty() || after.starts_with('(') {
                    continue;
                }
                if cond::constant_value(after.trim()) == Some(0) {
                    continue;
                }
                let mut parts: Vec<String> = Vec::new();
                for (earlier, current) in &stack {
                    parts.extend(earlier.iter().map(|c| format!("!({c})")));
                    parts.push(format!("({current})"));
                }
                let conj = if parts.is_empty() { "1".to_owned() } else { parts.join(" && ") };
                defs.entry(name.to_owned()).or_default().push(conj);
            }
            _ => {}
        }
    }
}

fn first_word(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// The text's lines with continuations joined and comments removed.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    let mut in_block = false;
    for raw in text.lines() {
        let mut kept = String::new();
        let mut rest = raw;
        loop {
            if in_block {
                match rest.find("*/") {
                    Some(end) => {
                        rest = &rest[end + 2..];
                        in_block = false;
                        kept.push(' ');
                    }
                    None => break,
                }
            } else {
                let block = rest.find("/*");
                let line_comment = rest.find("//");
                match (block, line_comment) {
                    (Some(b), l) if l.is_none_or(|l| b < l) => {
                        kept.push_str(&rest[..b]);
                        rest = &rest[b + 2..];
                        in_block = true;
                    }
                    (_, Some(l)) => {
                        kept.push_str(&rest[..l]);
                        break;
                    }
                    _ => {
                        kept.push_str(rest);
                        break;
                    }
                }
            }
        }
        if let Some(body) = kept.trim_end().strip_suffix('\\') {
            line.push_str(body);
            line.push(' ');
            continue;
        }
        line.push_str(&kept);
        out.push(std::mem::take(&mut line));
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests;
