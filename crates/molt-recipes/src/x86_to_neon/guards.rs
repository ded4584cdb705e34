//! Feature guards: which preprocessor conditions test x86 features the
//! port provides, and widening them to aarch64.

use std::sync::OnceLock;

use regex::Regex;
use tree_sitter::Node;

use super::sites::first_line;
use super::X86ToNeon;
use crate::ctree::{self, Dialect};
use crate::{Error, Result};

/// x86 feature-test macros, with the ISA of the mapping table (`isa`) that
/// provides each feature's intrinsics on other targets. Code under a test of
/// a covered feature is ported, and the test is widened to
/// `(defined(__SSE2__) || defined(__aarch64__))` once everything it guards
/// is portable.
pub(super) const FEATURE_MACROS: &[(&str, &str)] = &[
    ("__SSE__", "sse"),
    ("__SSE2__", "sse2"),
    ("__SSE3__", "sse3"),
    ("__SSSE3__", "ssse3"),
    ("__SSE4_1__", "sse41"),
    ("__SSE4_2__", "sse42"),
    ("__AVX__", "avx"),
    ("__AVX2__", "avx2"),
    ("__FMA__", "fma"),
    ("__F16C__", "f16c"),
    ("__POPCNT__", "popcnt"),
    ("__LZCNT__", "lzcnt"),
    ("__BMI__", "bmi1"),
    ("__BMI2__", "bmi2"),
    ("__PCLMUL__", "pclmul"),
    ("__AES__", "aes"),
];

/// Macros that name the x86 architecture itself: code under them is x86's own.
pub(super) const ARCH_MACROS: &[&str] =
    &["__x86_64__", "__x86_64", "__amd64__", "__amd64", "__i386__", "__i386", "_M_X64", "_M_AMD64", "_M_IX86"];

/// Macros of other architectures: a condition naming one already has a path there.
pub(super) const OTHER_ARCH_MACROS: &[&str] = &[
    "__aarch64__",
    "__arm__",
    "__ARM_NEON",
    "__ARM_NEON__",
    "_M_ARM64",
    "_M_ARM",
    "__riscv",
    "__powerpc__",
    "__powerpc64__",
    "__PPC__",
    "__PPC64__",
    "__ppc64__",
    "__mips__",
    "__mips",
    "__mips64",
    "__loongarch__",
    "__loongarch64",
    "__s390x__",
    "__sparc__",
    "__wasm__",
    "__wasm32__",
    "__e2k__",
];

/// The aarch64 test a widened condition adds.
pub(super) const AARCH64: &str = "defined(__aarch64__)";

impl X86ToNeon {
    /// Whether a preprocessor condition tests x86 features and only ones
    /// the port provides: no architecture macro (`__x86_64__`: x86's own
    /// code), no feature the table lacks (`__AVX512F__`), no other
    /// architecture (`__aarch64__`: it already has a path there).
    ///
    /// The project's own x86 macros ([`super::ProjectMacros`]) count as
    /// features. An architecture macro may stand beside a feature where the
    /// widened condition still holds on aarch64, as in
    /// `defined(__SSE__) || defined(_M_X64)` (MSVC's way of saying SSE).
    pub(super) fn is_ported_condition(&self, cond: &str) -> bool {
        let mut any = false;
        let mut arch = false;
        for word in words(cond) {
            if OTHER_ARCH_MACROS.contains(&word) || self.project.other.contains(word) {
                return false;
            }
            if self.features.contains(word) || self.project.x86.get(word) == Some(&true) {
                any = true;
            } else if is_feature_macro(word) || self.project.x86.contains_key(word) {
                return false;
            } else if ARCH_MACROS.contains(&word) {
                arch = true;
            }
        }
        if any && arch {
            // As an aarch64 compiler reads it, with the widened tests.
            let targets = super::targets::Targets::detect();
            let on_aarch64 = |name: &str| targets.on_aarch64(name);
            return crate::cond::value_in(&self.widen(cond), &on_aarch64) != Some(0);
        }
        any
    }

    /// `cond` with each test of a ported feature made true on aarch64:
    /// `defined(__SSE2__)` → `(defined(__SSE2__) || defined(__aarch64__))`.
    pub(super) fn widen(&self, cond: &str) -> String {
        widen_tests(&self.feature_test, cond)
    }

    /// In an item's portable copy, a test of x86-64 itself, as zstd's
    /// `#if defined(__x86_64__)` before `_bzhi_u64` (else a 32-bit path
    /// that asserts 32-bit words) or blake3's "SSE2 is baseline on amd64",
    /// widened to aarch64: the copy's x86 names are ported, and aarch64 is
    /// 64-bit as x86-64 is. Not where the branch holds assembly, nor where
    /// the `#if` has a branch for another architecture (its own path).
    pub(super) fn widen_x86_64_test(&self, node: Node<'_>, src: &str) -> Option<(usize, usize, String)> {
        static RE: OnceLock<Regex> = OnceLock::new();
        let re = RE.get_or_init(|| feature_test_re(X86_64_MACROS.iter().copied()));
        let cond = node.child_by_field_name("condition").or_else(|| node.child_by_field_name("name"))?;
        if !words(ctree::text(cond, src)).any(|w| X86_64_MACROS.contains(&w)) {
            return None;
        }
        // Every condition of the chain, from its `#if` down its `#elif`s.
        let mut head = node;
        while head.kind() == "preproc_elif" {
            head = head.parent()?;
        }
        let mut chain = Some(head);
        while let Some(n) = chain {
            let c = n.child_by_field_name("condition").or_else(|| n.child_by_field_name("name"));
            let other = |w: &str| OTHER_ARCH_MACROS.contains(&w) || self.project.other.contains(w);
            if c.is_some_and(|c| words(ctree::text(c, src)).any(other)) {
                return None;
            }
            chain = n.child_by_field_name("alternative");
        }
        let alternative = node.child_by_field_name("alternative").map(|a| a.id());
        let mut asm = false;
        let mut c = node.walk();
        for child in node.children(&mut c).filter(|ch| Some(ch.id()) != alternative) {
            ctree::walk(child, &mut |n| asm |= matches!(n.kind(), "gnu_asm_expression" | "asm_statement"));
        }
        if asm {
            return None;
        }
        if node.kind() == "preproc_ifdef" {
            return self.widen_guard(node, src);
        }
        Some((cond.start_byte(), cond.end_byte(), widen_tests(re, ctree::text(cond, src))))
    }

    /// The splice that widens one guard directive, `(start, end, text)`.
    pub(super) fn widen_guard(&self, node: Node<'_>, src: &str) -> Option<(usize, usize, String)> {
        if node.kind() == "preproc_ifdef" {
            let name = node.child_by_field_name("name")?;
            let name_text = ctree::text(name, src);
            let negated = ctree::text(node, src).trim_start_matches(['#', ' ', '\t']).starts_with("ifndef");
            let test = format!("defined({name_text}) || {AARCH64}");
            let line = if negated { format!("#if !({test})") } else { format!("#if {test}") };
            return Some((node.start_byte(), name.end_byte(), line));
        }
        let cond = node.child_by_field_name("condition")?;
        Some((cond.start_byte(), cond.end_byte(), self.widen(ctree::text(cond, src))))
    }

    /// `text` with every feature guard outside an item widened; or why not:
    /// a guard is widened only when nothing in the file is left to port, so
    /// that aarch64 never compiles x86 code under a widened guard.
    pub(super) fn widen_file_guards(
        &self,
        path: &str,
        text: &str,
        dialect: Dialect,
    ) -> Result<std::result::Result<String, String>> {
        let sites = self.find_c_sites(path, text, dialect);
        let pending: Vec<String> = sites
            .iter()
            .filter(|s| s.kind != "x86-guard")
            .map(|s| format!("`{}` (line {})", first_line(&s.text), s.line))
            .collect();
        if !pending.is_empty() {
            let more = if pending.len() > 3 { format!(" and {} more", pending.len() - 3) } else { String::new() };
            return Ok(Err(format!(
                "a feature guard is widened to aarch64 only when everything in the file is ported; still x86 here: {}{more}",
                pending.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        let tree = ctree::parse(dialect, text).ok_or_else(|| Error::Parse(path.to_owned()))?;
        let mut splices = Vec::new();
        for site in sites.iter().filter(|s| s.kind == "x86-guard" && s.symbol.is_none()) {
            let node = tree.root_node().descendant_for_byte_range(site.start, site.end);
            let node = std::iter::successors(node, |n| n.parent()).find(|n| {
                n.start_byte() == site.start && matches!(n.kind(), "preproc_ifdef" | "preproc_if" | "preproc_elif")
            });
            if let Some(splice) = node.and_then(|n| self.widen_guard(n, text)) {
                splices.push(splice);
            }
        }
        splices.sort_by_key(|s| std::cmp::Reverse(s.0));
        let mut out = text.to_owned();
        for (start, end, new) in splices {
            out.replace_range(start..end, &new);
        }
        Ok(Ok(out))
    }
}

/// x86-64's own macros (not the 32-bit ones: aarch64 is a 64-bit target).
const X86_64_MACROS: &[&str] = &["__x86_64__", "__x86_64", "__amd64__", "__amd64", "_M_X64", "_M_AMD64"];

/// `cond` with each test `re` finds made true on aarch64.
fn widen_tests(re: &Regex, cond: &str) -> String {
    re.replace_all(cond, |c: &regex::Captures<'_>| match (c.get(1).or(c.get(2)), c.get(3)) {
        (Some(name), _) => format!("(defined({}) || {AARCH64})", name.as_str()),
        (None, Some(name)) => format!("({} || {AARCH64})", name.as_str()),
        (None, None) => c[0].to_owned(),
    })
    .into_owned()
}

/// The identifiers of a preprocessor condition, comments left out.
pub(super) fn words(cond: &str) -> impl Iterator<Item = &str> {
    static RE: OnceLock<Regex> = OnceLock::new();
    static COMMENT: OnceLock<Regex> = OnceLock::new();
    let comment = COMMENT.get_or_init(|| Regex::new(r"(?s)/\*.*?\*/|//.*").unwrap_or_else(|_| unreachable!()));
    let re = RE.get_or_init(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]*").unwrap_or_else(|_| unreachable!()));
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let comments: Vec<(usize, usize)> = comment.find_iter(cond).map(|m| (m.start(), m.end())).collect();
    for m in re.find_iter(cond) {
        if !comments.iter().any(|&(s, e)| s <= m.start() && m.end() <= e) {
            spans.push((m.start(), m.end()));
        }
    }
    spans.into_iter().map(move |(s, e)| &cond[s..e])
}

/// `defined(M)`, `defined M` or a bare `M`, for the feature macros `features`.
pub(super) fn feature_test_re<'a>(features: impl Iterator<Item = &'a str>) -> Regex {
    let names = features.map(regex::escape).collect::<Vec<_>>().join("|");
    Regex::new(&format!(r"defined\s*\(\s*({names})\s*\)|defined\s+({names})\b|\b({names})\b"))
        .unwrap_or_else(|_| unreachable!("feature macro names are plain words"))
}

/// Whether `word` is an x86 feature-test macro (`__AVX512F__`, `__SHA__`),
/// covered by the port or not.
pub(super) fn is_feature_macro(word: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    FEATURE_MACROS.iter().any(|(m, _)| *m == word)
        || RE
            .get_or_init(|| {
                Regex::new(r"^__(SSE|SSSE|AVX|FMA|F16C|BMI|POPCNT|LZCNT|PCLMUL|VPCLMUL|AES|VAES|SHA|GFNI|XOP|FMA4|ADX|RDRND|RDSEED)[0-9A-Z_]*__$")
                    .unwrap_or_else(|_| unreachable!())
            })
            .is_match(word)
}
