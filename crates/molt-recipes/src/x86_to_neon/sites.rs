//! Site finding: which syntax nodes are x86 sites, and of which kind.

use std::sync::OnceLock;

use molt_core::Site;
use regex::Regex;
use tree_sitter::Node;

use super::X86ToNeon;
use crate::ctree::{self, Dialect};

/// The x86 ways of asking which features the CPU has (the table's
/// `cpu_query` entries map them to the headers' answers).
pub(super) const CPU_QUERIES: &[&str] = &[
    "__builtin_cpu_supports",
    "__builtin_cpu_init",
    "__builtin_cpu_is",
    "__cpuid",
    "__cpuidex",
    "__cpuid_count",
    "__get_cpuid",
    "__get_cpuid_count",
    "__get_cpuid_max",
    "_xgetbv",
];

/// Headers that only exist on x86.
const X86_HEADERS: &[&str] = &[
    "immintrin.h",
    "x86intrin.h",
    "xmmintrin.h",
    "emmintrin.h",
    "pmmintrin.h",
    "tmmintrin.h",
    "smmintrin.h",
    "nmmintrin.h",
    "wmmintrin.h",
    "avxintrin.h",
    "avx2intrin.h",
    "fmaintrin.h",
    "ammintrin.h",
    "mmintrin.h",
    "cpuid.h",
    "ia32intrin.h",
];

impl X86ToNeon {
    pub(super) fn find_c_sites(&self, path: &str, text: &str, dialect: Dialect) -> Vec<Site> {
        let Some(tree) = ctree::parse(dialect, text) else { return Vec::new() };
        let mut sites = Vec::new();
        ctree::walk(tree.root_node(), &mut |node| {
            let Some(kind) = self.classify(node, text).or_else(|| self.mapped_call(node, text)) else { return };
            let ported = |cond: &str| self.is_ported_condition(cond);
            let decide = |cond: &str| self.value_on_every_target(cond);
            if ctree::in_x86_only_branch(node, text, &ported) || ctree::in_dead_branch(node, text, &decide) {
                return;
            }
            let symbol = ctree::enclosing_item(node)
                .and_then(|item| ctree::item_name(item, text))
                .map(|name| format!("{path}::{name}"));
            let shown = match kind {
                "x86-header" => node
                    .child_by_field_name("path")
                    .map_or_else(|| first_line(ctree::text(node, text)), |p| ctree::text(p, text).to_owned()),
                "x86-guard" => first_line(ctree::text(node, text)),
                "x86-asm" | "x86-macro" => first_line(ctree::text(node, text)),
                _ => ctree::text(node, text).to_owned(),
            };
            sites.push(Site {
                kind: kind.to_owned(),
                path: path.to_owned(),
                symbol: if kind == "x86-header" { None } else { symbol },
                line: node.start_position().row + 1,
                start: node.start_byte(),
                end: node.end_byte(),
                text: shown,
            });
        });
        sites
    }

    /// A call of a mapped intrinsic whose name `classify` does not take for
    /// x86 by its prefix (`_pdep_u32`, `_lzcnt_u32`, `_MM_SET_ROUNDING_MODE`).
    fn mapped_call(&self, node: Node<'_>, src: &str) -> Option<&'static str> {
        if node.kind() != "call_expression" {
            return None;
        }
        let f = node.child_by_field_name("function")?;
        (f.kind() == "identifier" && self.renames.contains_key(ctree::text(f, src))).then_some("x86-intrinsic")
    }

    /// What kind of site a node is, if any.
    pub(super) fn classify(&self, node: Node<'_>, src: &str) -> Option<&'static str> {
        if matches!(node.kind(), "preproc_ifdef" | "preproc_if" | "preproc_elif") {
            // A test of a feature the port provides: widened once what it guards is ported.
            let cond = node.child_by_field_name("condition").or_else(|| node.child_by_field_name("name"))?;
            return self.is_ported_condition(ctree::text(cond, src)).then_some("x86-guard");
        }
        classify(node, src)
    }
}

/// What kind of site a node is, if any (all but the feature guards).
fn classify(node: Node<'_>, src: &str) -> Option<&'static str> {
    match node.kind() {
        "preproc_include" => {
            let path = node.child_by_field_name("path")?;
            let name = ctree::text(path, src).trim_matches(['<', '>', '"']);
            X86_HEADERS.contains(&name).then_some("x86-header")
        }
        "call_expression" => {
            let f = node.child_by_field_name("function")?;
            if f.kind() != "identifier" {
                return None;
            }
            let name = ctree::text(f, src);
            if name.starts_with("__builtin_ia32_") {
                Some("x86-builtin")
            } else if CPU_QUERIES.contains(&name) {
                Some("x86-cpuid")
            } else if name.starts_with("_mm") {
                Some("x86-intrinsic")
            } else {
                None
            }
        }
        "type_identifier" | "primitive_type" => is_vector_type(ctree::text(node, src)).then_some("x86-vector-type"),
        "gnu_asm_expression" | "asm_statement" if is_arm_asm(node, src) => None,
        "gnu_asm_expression" | "asm_statement" if super::cpuid::is_query_asm(node, src) => Some("x86-cpuid"),
        "gnu_asm_expression" | "asm_statement" => Some("x86-asm"),
        "preproc_def" | "preproc_function_def" => {
            let value = node.child_by_field_name("value")?;
            let body = ctree::text(value, src);
            // A name for an x86 target attribute (`_target_attribute("avx2")`) too:
            // its copy for other targets goes without it.
            (x86_word_re().is_match(body) || !super::target_attr::x86_target_spans(body).is_empty())
                .then_some("x86-macro")
        }
        _ => None,
    }
}

fn is_vector_type(name: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^__m(64|128|256|512)[dhi]?$").unwrap_or_else(|_| unreachable!())).is_match(name)
}

/// Whether an `asm`'s instructions are Arm's, not x86's: an Arm mnemonic
/// that x86 lacks (`rbit`, `pmull2`, `dmb`), or an operand written as an
/// Arm register (`%w0`, `%x1`, `%0.2d`). A library's Arm paths sit beside
/// its x86 ones, often in the same header; they are no x86 site.
fn is_arm_asm(node: Node<'_>, src: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r#"(?:^|["\s;])(rbit|rev16|rev32|pmull2?|ldp|stp|ldr[bh]?|str[bh]?|ld[1-4]|st[1-4]|ldxr|stxr|ldaxr|stlxr|mrs|msr|dmb|dsb|isb|yield|wfe|csel|cset|umulh|smulh|vld1\.\w+|vst1\.\w+)\s|%w\d|%x\d|%\d+\.\d*[bhsdq]"#,
        )
        .unwrap_or_else(|_| unreachable!())
    });
    let code =
        node.child_by_field_name("assembly_code").map_or_else(|| ctree::text(node, src), |c| ctree::text(c, src));
    re.is_match(code)
}

/// Words in macro bodies that only mean something on x86.
fn x86_word_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\b(_mm\w*|__m(64|128|256|512)[dhi]?|__builtin_ia32_\w+)\b").unwrap_or_else(|_| unreachable!())
    })
}

/// Names that are x86-specific whether or not the table maps them.
pub(super) fn is_x86_name(name: &str) -> bool {
    name.starts_with("_mm")
        || name.starts_with("_MM_")
        || name.starts_with("_CMP_")
        || name.starts_with("__builtin_ia32_")
        || is_vector_type(name)
        || CPU_QUERIES.contains(&name)
}

pub(super) fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_owned()
}
