//! The built-in `x86-to-neon` recipe: ports x86 SIMD code (SSE through AVX2
//! and FMA) to aarch64 NEON for AWS Graviton while keeping the x86 path.
//!
//! The rewrite keeps every x86 item byte for byte under
//! `#if defined(__x86_64__) || defined(__i386__)` and adds, under `#else`, a
//! copy whose x86 types, intrinsics and constants are renamed to portable
//! wrappers (`__m256` → `molt_m256`, `_mm256_fmadd_ps` → `molt_mm256_fmadd_ps`).
//! The file's x86 headers become one guarded block: `<immintrin.h>` on x86,
//! `<arm_neon.h>` with `molt_simd_neon.h` under `#elif defined(__aarch64__)`,
//! and `molt_simd_scalar.h`, plain C, under `#else`. The two headers are
//! written beside the file; they implement each wrapper with the x86
//! semantics (NaN handling of min/max, rounding and out-of-range conversions,
//! precise reciprocals), 256-bit operations as pairs of 128-bit NEON ones.
//! Each mapping is tested under qemu against the x86 original
//! (`data/x86-to-neon/tests`).
//!
//! Renaming is done on the syntax tree, never on text: only identifier and
//! type nodes whose whole name is in the mapping table change. An item that
//! uses anything the table does not map (an unknown intrinsic, inline
//! assembly, `__builtin_ia32_*`, cpuid) is left whole for the model, with the
//! reason. Build files get the x86 flags (`-mavx2`, `-mfma`, ...) moved under a
//! condition on the compiler's target.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use molt_core::Site;
use regex::Regex;
use serde::Deserialize;
use tree_sitter::Node;

use crate::ctree::{self, Dialect};
use crate::recipe::{Recipe, Rewrite};
use crate::{Error, Result};
use guards::FEATURE_MACROS;
use macros::{macro_words, own_macros};

pub const NAME: &str = "x86-to-neon";

/// The guard that keeps the original code on x86.
pub const X86_GUARD: &str = "#if defined(__x86_64__) || defined(__i386__)";

const NEON_SOURCE: &str = include_str!("../data/x86-to-neon/molt_simd_neon.h");
const SCALAR_SOURCE: &str = include_str!("../data/x86-to-neon/molt_simd_scalar.h");
/// The wrappers both headers write on their others, kept once in the data
/// folder and included by each; molt writes each header whole.
const DERIVED_SOURCE: &str = include_str!("../data/x86-to-neon/molt_simd_derived.h");

/// `header` with its `#include "molt_simd_derived.h"` line replaced by that file.
fn compose(header: &str) -> String {
    let mut out = String::with_capacity(header.len() + DERIVED_SOURCE.len());
    for line in header.split_inclusive('\n') {
        if line.starts_with("#include \"molt_simd_derived.h\"") {
            out.push_str(DERIVED_SOURCE);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The aarch64 header molt writes beside a ported file.
fn neon_header() -> &'static str {
    static HEADER: OnceLock<String> = OnceLock::new();
    HEADER.get_or_init(|| compose(NEON_SOURCE))
}

/// The portable C header molt writes beside a ported file.
fn scalar_header() -> &'static str {
    static HEADER: OnceLock<String> = OnceLock::new();
    HEADER.get_or_init(|| compose(SCALAR_SOURCE))
}
const TABLE: &str = include_str!("../data/x86-to-neon/intrinsics.toml");

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

/// Site kinds, in the order they are migrated within a file.
/// Headers and file-level macros come first (the code that uses them is
/// ported independently of them, and an unported item must not block
/// them), feature guards after every item, build flags last.
pub const KINDS: &[&str] = &[
    "x86-header",
    "x86-macro",
    "x86-vector-type",
    "x86-intrinsic",
    "x86-builtin",
    "x86-asm",
    "x86-cpuid",
    "x86-guard",
    "x86-build-flag",
];

/// The mapping table, `data/x86-to-neon/intrinsics.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct Table {
    #[serde(default, rename = "intrinsic")]
    pub intrinsics: Vec<Intrinsic>,
    #[serde(default, rename = "type")]
    pub types: Vec<TypeMap>,
    #[serde(default, rename = "constant")]
    pub constants: Vec<ConstantMap>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Intrinsic {
    pub name: String,
    pub wrapper: String,
    #[serde(default)]
    pub isa: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TypeMap {
    pub x86: String,
    pub portable: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ConstantMap {
    pub x86: String,
    pub portable: String,
}

/// The recipe, with its table indexed for lookups.
#[derive(Debug)]
pub struct X86ToNeon {
    table: Table,
    /// x86 name → portable name, for intrinsics, types and constants alike.
    renames: BTreeMap<String, String>,
    /// x86 intrinsic → the semantic note to show at the site, when it has one.
    notes: BTreeMap<String, String>,
    /// Names the portable headers define themselves (`_MM_SHUFFLE`).
    kept: BTreeSet<&'static str>,
    /// The feature macros whose ISA the table covers.
    features: BTreeSet<&'static str>,
    /// A test of one of them in a condition (see [`X86ToNeon::widen`]).
    feature_test: Regex,
}

impl X86ToNeon {
    pub fn new() -> Result<Self> {
        let table: Table =
            toml::from_str(TABLE).map_err(|e| Error::Table(format!("data/x86-to-neon/intrinsics.toml: {e}")))?;
        let mut renames = BTreeMap::new();
        let mut notes = BTreeMap::new();
        for i in &table.intrinsics {
            renames.insert(i.name.clone(), i.wrapper.clone());
            // Only semantic differences a reader must know about go into the
            // code; notes on how the tests compare results stay in the table.
            let note = i.note.trim();
            let lower = note.to_ascii_lowercase();
            let semantic = ["nan operand", "rounding", "round", "range", "precise", "approximat", "saturat"];
            if semantic.iter().any(|w| lower.contains(w)) {
                let first = note.split(". ").next().unwrap_or(note).trim_end_matches('.');
                notes.insert(i.name.clone(), first.to_owned());
            }
        }
        for t in &table.types {
            renames.insert(t.x86.clone(), t.portable.clone());
        }
        for c in &table.constants {
            renames.insert(c.x86.clone(), c.portable.clone());
        }
        let kept = ["_MM_SHUFFLE", "_MM_SHUFFLE2"].into_iter().filter(|m| neon_header().contains(m)).collect();
        let isas: BTreeSet<&str> = table.intrinsics.iter().map(|i| i.isa.as_str()).collect();
        let features = FEATURE_MACROS.iter().filter(|(_, isa)| isas.contains(isa)).map(|(m, _)| *m).collect();
        let feature_test = guards::feature_test_re(&features);
        Ok(Self { table, renames, notes, kept, features, feature_test })
    }

    /// The shared instance: the table is parsed once per process.
    pub fn shared() -> Result<&'static X86ToNeon> {
        static CELL: OnceLock<std::result::Result<X86ToNeon, String>> = OnceLock::new();
        CELL.get_or_init(|| X86ToNeon::new().map_err(|e| e.to_string())).as_ref().map_err(|e| Error::Table(e.clone()))
    }

    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The portable name of an x86 intrinsic, type or constant.
    pub fn portable_name(&self, x86: &str) -> Option<&str> {
        self.renames.get(x86).map(String::as_str)
    }

    fn find_c_sites(&self, path: &str, text: &str, dialect: Dialect) -> Vec<Site> {
        let Some(tree) = ctree::parse(dialect, text) else { return Vec::new() };
        let mut sites = Vec::new();
        ctree::walk(tree.root_node(), &mut |node| {
            let Some(kind) = self.classify(node, text).or_else(|| self.mapped_call(node, text)) else { return };
            let ported = |cond: &str| self.is_ported_condition(cond);
            if ctree::in_x86_only_branch(node, text, &ported) || ctree::in_dead_branch(node, text) {
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

    /// Rewrites one C or C++ file.
    fn rewrite_c(&self, path: &str, text: &str, targets: &[Site], dialect: Dialect) -> Result<Rewrite> {
        let tree = ctree::parse(dialect, text).ok_or_else(|| Error::Parse(path.to_owned()))?;
        let current = self.find_c_sites(path, text, dialect);
        let wanted_symbols: BTreeSet<&str> = targets.iter().filter_map(|s| s.symbol.as_deref()).collect();
        let wants_headers = targets.iter().any(|s| s.kind == "x86-header");
        let wants_guards = targets.iter().any(|s| s.kind == "x86-guard" && s.symbol.is_none());
        let wants_macros = targets.iter().any(|s| s.kind == "x86-macro" && s.symbol.is_none());
        let selected: Vec<&Site> = current
            .iter()
            .filter(|s| match &s.symbol {
                Some(sym) => wanted_symbols.contains(sym.as_str()),
                None => {
                    (s.kind == "x86-header" && wants_headers)
                        || (s.kind == "x86-guard" && wants_guards)
                        || (s.kind == "x86-macro" && wants_macros)
                }
            })
            .collect();

        let mut out = Rewrite { text: text.to_owned(), ..Rewrite::default() };
        // (start, end, replacement), applied back to front.
        let mut splices: Vec<(usize, usize, String)> = Vec::new();

        // Items: each enclosing item of a selected site, translated whole or not at all.
        let mut items: BTreeMap<usize, (Node<'_>, Vec<&Site>)> = BTreeMap::new();
        let mut stray: Vec<&Site> = Vec::new();
        let file_level =
            |s: &Site| s.symbol.is_none() && matches!(s.kind.as_str(), "x86-header" | "x86-guard" | "x86-macro");
        for site in selected.iter().copied().filter(|s| !file_level(s)) {
            let node = tree.root_node().descendant_for_byte_range(site.start, site.end);
            match node.and_then(ctree::enclosing_item) {
                Some(item) => items.entry(item.start_byte()).or_insert((item, Vec::new())).1.push(site),
                None => stray.push(site),
            }
        }
        for site in stray {
            out.unmapped.push((site.clone(), "not inside a function or declaration the rules can wrap".to_owned()));
        }
        let masked = molt_syntax::masked_ranges(dialect.lang(), text.as_bytes());
        let own = own_macros(text);
        let mut copied_errors = 0;
        for (item, sites) in items.values() {
            let start = match ctree::item_start(*item, text, &masked) {
                Ok(start) => start,
                Err(why) => {
                    out.unmapped.extend(sites.iter().map(|s| ((*s).clone(), why.clone())));
                    continue;
                }
            };
            match self.translate_item(*item, text, &own) {
                Ok((translated, notes)) => {
                    // The copy repeats what tree-sitter could not read in the
                    // original (a `WEBP_RESTRICT` in a parameter list): no new error.
                    copied_errors += ctree::errors_within(tree.root_node(), start, item.end_byte());
                    splices.push(wrap_item(*item, start, text, &translated, &notes));
                    out.mapped.extend(sites.iter().map(|s| (*s).clone()));
                }
                Err(why) if crate::avx512::only_avx512(&why) => {
                    splices.push(crate::avx512::keep_x86_only(*item, start, text));
                    out.mapped.extend(sites.iter().map(|s| (*s).clone()));
                }
                Err(why) => out.unmapped.extend(sites.iter().map(|s| ((*s).clone(), why.clone()))),
            }
        }

        // Macros at file level: each `#define` kept for x86, translated for the rest.
        for site in selected.iter().copied().filter(|s| s.kind == "x86-macro" && s.symbol.is_none()) {
            let node = tree.root_node().descendant_for_byte_range(site.start, site.end);
            let node = std::iter::successors(node, |n| n.parent())
                .find(|n| n.start_byte() == site.start && matches!(n.kind(), "preproc_def" | "preproc_function_def"));
            match node.map(|n| self.wrap_macro(n, text, &own)) {
                Some(Ok(splice)) => {
                    splices.push(splice);
                    out.mapped.push(site.clone());
                }
                Some(Err(why)) => out.unmapped.push((site.clone(), why)),
                None => out.unmapped.push((site.clone(), "the macro's definition was not found".to_owned())),
            }
        }

        // Headers: one guarded block replaces the first x86 include; the others go.
        let headers: Vec<&Site> = selected.iter().copied().filter(|s| s.kind == "x86-header").collect();
        if let Some(first) = headers.first() {
            // Includes next to each other (blank lines and comments between)
            // share one block; others, in another `#if` branch or further
            // down, each get their own where they are, so that the x86 build
            // still includes each header under the conditions it did.
            let parent = |s: &Site| {
                let node = tree.root_node().descendant_for_byte_range(s.start, s.end);
                std::iter::successors(node, |n| n.parent())
                    .find(|n| n.kind() == "preproc_include")
                    .and_then(|n| n.parent())
                    .map(|p| p.id())
            };
            let mut groups: Vec<Vec<&Site>> = Vec::new();
            for h in &headers {
                let joins = groups.last().and_then(|g| g.last()).is_some_and(|prev| {
                    let (_, prev_end) = line_span(text, prev.start, prev.end);
                    let (start, _) = line_span(text, h.start, h.end);
                    parent(prev) == parent(h) && prev_end <= start && only_blank_or_comments(&text[prev_end..start])
                });
                match groups.last_mut() {
                    Some(g) if joins => g.push(h),
                    _ => groups.push(vec![h]),
                }
            }
            for group in &groups {
                let names: Vec<String> = group.iter().map(|s| s.text.clone()).collect();
                for (i, h) in group.iter().enumerate() {
                    let (start, end) = line_span(text, h.start, h.end);
                    let replacement = if i == 0 { include_block(&names) } else { String::new() };
                    splices.push((start, end, replacement));
                }
            }
            out.mapped.extend(headers.iter().map(|s| (*s).clone()));
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            let beside = |name: &str| if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") };
            out.new_files.push((beside("molt_simd_neon.h"), neon_header().to_owned()));
            out.new_files.push((beside("molt_simd_scalar.h"), scalar_header().to_owned()));
            let _ = first;
        }

        splices.sort_by_key(|s| std::cmp::Reverse(s.0));
        let checked = splices.clone();
        let mut new_text = text.to_owned();
        let mut last_start = usize::MAX;
        for (start, end, replacement) in splices {
            if end > last_start {
                return Err(Error::Overlap(path.to_owned()));
            }
            new_text.replace_range(start..end, &replacement);
            last_start = start;
        }

        // Feature guards outside items, once nothing else in the file is left to port.
        let guards: Vec<&Site> =
            selected.iter().copied().filter(|s| s.kind == "x86-guard" && s.symbol.is_none()).collect();
        if !guards.is_empty() {
            match self.widen_file_guards(path, &new_text, dialect)? {
                Ok(widened) => {
                    new_text = widened;
                    out.mapped.extend(guards.iter().map(|s| (*s).clone()));
                }
                Err(why) => out.unmapped.extend(guards.iter().map(|s| ((*s).clone(), why.clone()))),
            }
        }
        // The rewrite must parse as well as the original did. Around errors
        // the file already had (a macro call without its `;`), tree-sitter
        // may recover differently once `#if` lines stand nearby; then each
        // splice must parse on its own as well as the text it replaced.
        if let Some(after) = ctree::parse(dialect, &new_text) {
            if ctree::error_count(&after) > ctree::error_count(&tree) + copied_errors
                && !splices_parse_alone(dialect, text, &checked)
            {
                return Err(Error::Broken(path.to_owned()));
            }
        }
        out.text = new_text;
        Ok(out)
    }

    /// The item's text with every mapped name renamed, and the semantic notes
    /// of the intrinsics it uses; or why it cannot be translated.
    /// `own`: the names the file `#define`s itself ([`own_macros`]).
    fn translate_item(
        &self,
        item: Node<'_>,
        src: &str,
        own: &BTreeSet<String>,
    ) -> std::result::Result<(String, Vec<String>), String> {
        let base = item.start_byte();
        let mut edits: Vec<(usize, usize, &str)> = Vec::new();
        let mut problems: BTreeSet<String> = BTreeSet::new();
        let mut notes: BTreeSet<String> = BTreeSet::new();
        let mut widened: Vec<(usize, usize, String)> = Vec::new();
        ctree::walk(item, &mut |node| {
            match node.kind() {
                "gnu_asm_expression" | "asm_statement" => {
                    problems.insert("inline assembly".to_owned());
                    return;
                }
                "preproc_ifdef" | "preproc_if" | "preproc_elif" => {
                    if self.classify(node, src) == Some("x86-guard") {
                        if let Some((start, end, new)) = self.widen_guard(node, src) {
                            widened.push((start - base, end - base, new));
                        }
                    }
                    return;
                }
                "preproc_arg" => {
                    // A macro body is text to the grammar: its words, one by one.
                    for (start, end) in macro_words(ctree::text(node, src)) {
                        let (start, end) = (node.start_byte() + start, node.start_byte() + end);
                        self.rename(
                            &src[start..end],
                            (start - base, end - base),
                            own,
                            &mut edits,
                            &mut notes,
                            &mut problems,
                        );
                    }
                    return;
                }
                "identifier" | "type_identifier" | "primitive_type" => {}
                _ => return,
            }
            let name = ctree::text(node, src);
            self.rename(
                name,
                (node.start_byte() - base, node.end_byte() - base),
                own,
                &mut edits,
                &mut notes,
                &mut problems,
            );
        });
        if !problems.is_empty() {
            return Err(problems.into_iter().collect::<Vec<_>>().join(", "));
        }
        let mut text = ctree::text(item, src).to_owned();
        let mut edits: Vec<(usize, usize, String)> =
            edits.into_iter().map(|(s, e, new)| (s, e, new.to_owned())).chain(widened).collect();
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (start, end, new) in edits {
            text.replace_range(start..end, &new);
        }
        Ok((text, notes.into_iter().collect()))
    }
}

impl X86ToNeon {
    /// What kind of site a node is, if any.
    fn classify(&self, node: Node<'_>, src: &str) -> Option<&'static str> {
        if matches!(node.kind(), "preproc_ifdef" | "preproc_if" | "preproc_elif") {
            // A test of a feature the port provides: widened once what it guards is ported.
            let cond = node.child_by_field_name("condition").or_else(|| node.child_by_field_name("name"))?;
            return self.is_ported_condition(ctree::text(cond, src)).then_some("x86-guard");
        }
        classify(node, src)
    }
}

/// Whether each splice's new text parses alone with no more errors than
/// twice the text it replaces (an item's copy repeats the original's errors).
fn splices_parse_alone(dialect: Dialect, text: &str, splices: &[(usize, usize, String)]) -> bool {
    splices.iter().all(|(start, end, new)| {
        let errors = |t: &str| ctree::parse(dialect, t).map_or(usize::MAX, |tree| ctree::error_count(&tree));
        errors(new) <= 2 * errors(&text[*start..*end])
    })
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
            } else if matches!(
                name,
                "__builtin_cpu_supports"
                    | "__builtin_cpu_init"
                    | "__cpuid"
                    | "__cpuid_count"
                    | "__get_cpuid"
                    | "_xgetbv"
            ) {
                Some("x86-cpuid")
            } else if name.starts_with("_mm") {
                Some("x86-intrinsic")
            } else {
                None
            }
        }
        "type_identifier" | "primitive_type" => is_vector_type(ctree::text(node, src)).then_some("x86-vector-type"),
        "gnu_asm_expression" | "asm_statement" => Some("x86-asm"),
        "preproc_def" | "preproc_function_def" => {
            let value = node.child_by_field_name("value")?;
            x86_word_re().is_match(ctree::text(value, src)).then_some("x86-macro")
        }
        _ => None,
    }
}

fn is_vector_type(name: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^__m(64|128|256|512)[dhi]?$").unwrap_or_else(|_| unreachable!())).is_match(name)
}

/// Words in macro bodies that only mean something on x86.
fn x86_word_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\b(_mm\w*|__m(64|128|256|512)[dhi]?|__builtin_ia32_\w+)\b").unwrap_or_else(|_| unreachable!())
    })
}

/// Names that are x86-specific whether or not the table maps them.
fn is_x86_name(name: &str) -> bool {
    name.starts_with("_mm")
        || name.starts_with("_MM_")
        || name.starts_with("_CMP_")
        || name.starts_with("__builtin_ia32_")
        || is_vector_type(name)
        || matches!(name, "__cpuid" | "__cpuid_count" | "__get_cpuid" | "_xgetbv" | "__builtin_cpu_supports")
}

/// Whether `s` holds nothing but blanks and C comments.
fn only_blank_or_comments(s: &str) -> bool {
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            match after.split_once("*/") {
                Some((_, r)) => rest = r.trim_start(),
                None => return false,
            }
        } else {
            return false;
        }
    }
    true
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_owned()
}

/// The byte span of the whole lines that `start..end` sits on, newline included.
fn line_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    // Preprocessor directives end with their newline already.
    if end > start && text.as_bytes().get(end - 1) == Some(&b'\n') {
        return (line_start, end);
    }
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    (line_start, line_end)
}

fn include_block(originals: &[String]) -> String {
    let mut s = String::new();
    s.push_str(X86_GUARD);
    s.push('\n');
    for h in originals {
        s.push_str(&format!("#include {h}\n"));
    }
    s.push_str(
        "#elif defined(__aarch64__)\n\
         #include <arm_neon.h>\n\
         #include \"molt_simd_neon.h\" /* x86 intrinsics as NEON, with x86 semantics */\n\
         #else\n\
         #include \"molt_simd_scalar.h\" /* the same wrappers in portable C */\n\
         #endif\n",
    );
    s
}

/// The splice that keeps `item` (from `start`, its masked prefix included)
/// for x86 and adds its translation for the rest.
fn wrap_item(item: Node<'_>, start: usize, src: &str, translated: &str, notes: &[String]) -> (usize, usize, String) {
    let indent = ctree::indentation_at(src, start);
    let line_start = start - indent.len();
    let prefix = &src[start..item.start_byte()];
    let original = &src[start..item.end_byte()];
    let mut s = String::new();
    s.push_str(X86_GUARD);
    s.push('\n');
    s.push_str(indent);
    s.push_str(original);
    s.push_str("\n#else /* aarch64: NEON via molt_simd_neon.h; other targets: portable C via molt_simd_scalar.h */\n");
    if !notes.is_empty() {
        s.push_str(indent);
        s.push_str("/* molt x86-to-neon: semantics kept by the wrappers:\n");
        for n in notes {
            s.push_str(indent);
            s.push_str(" *   ");
            s.push_str(n);
            s.push('\n');
        }
        s.push_str(indent);
        s.push_str(" */\n");
    }
    s.push_str(indent);
    s.push_str(prefix);
    s.push_str(translated);
    s.push_str("\n#endif");
    (line_start, item.end_byte(), s)
}

impl Recipe for X86ToNeon {
    fn name(&self) -> &str {
        NAME
    }

    fn find_sites(&self, path: &str, text: &str) -> Vec<Site> {
        if let Some(dialect) = Dialect::of_source(path, text) {
            // Cheap prefilter: no x86 word, no site.
            if !text.contains("_mm")
                && !text.contains("__m")
                && !text.contains("intrin.h")
                && !text.contains("cpuid")
                && !text.contains("__builtin_ia32")
                && !text.contains("asm")
                && !text.contains("__AVX")
                && !text.contains("__SSE")
                && !text.contains("__FMA")
                && !text.contains("__x86")
            {
                return Vec::new();
            }
            return self.find_c_sites(path, text, dialect);
        }
        if crate::buildfile::is_build_file(path) {
            return crate::buildfile::find_flag_sites(path, text);
        }
        Vec::new()
    }

    fn rewrite(&self, path: &str, text: &str, targets: &[Site]) -> Result<Rewrite> {
        if let Some(dialect) = Dialect::of_source(path, text) {
            return self.rewrite_c(path, text, targets, dialect);
        }
        if crate::buildfile::is_build_file(path) {
            return crate::buildfile::rewrite_flags(path, text);
        }
        Ok(Rewrite { text: text.to_owned(), ..Rewrite::default() })
    }

    fn instruction(&self, kind: &str) -> String {
        match kind {
            "x86-intrinsic" | "x86-vector-type" => "This item uses x86 intrinsics or types the mapping table lacks.",
            "x86-builtin" => "This item calls GCC's `__builtin_ia32_*` builtins; express them with NEON intrinsics.",
            "x86-asm" => "This item contains x86 inline assembly; rewrite the aarch64 path in C with NEON intrinsics.",
            "x86-cpuid" => {
                "This item detects CPU features with cpuid; on aarch64, NEON is always present (report it as \
                 available) and other features come from getauxval(AT_HWCAP)."
            }
            "x86-macro" => "This macro expands to x86 intrinsics; give it a definition for aarch64 as well.",
            "x86-guard" => {
                "This code is compiled only when an x86 feature macro is defined and has no path for other \
                 targets; add an `#else` with a portable or NEON implementation."
            }
            "x86-build-flag" => "Make the x86 compiler flags conditional on an x86 target.",
            "x86-header" => "Guard the x86 headers and include the NEON and portable wrappers on other targets.",
            _ => "",
        }
        .to_owned()
    }

    fn guidance(&self) -> String {
        "Keep the x86 code exactly as it is under `#if defined(__x86_64__) || defined(__i386__)` and add the \
         aarch64 path under `#else`, written with the molt_* wrappers of molt_simd_neon.h where they exist and with \
         <arm_neon.h> intrinsics otherwise; it must also compile as portable C (molt_simd_scalar.h). Match x86 \
         results bit for bit where x86 is exact: NaN operands of min/max, round-to-nearest-even conversions, \
         0x80000000 for out-of-range float-to-int, and precise (not estimated) reciprocals and square roots."
            .to_owned()
    }

    fn kind_order(&self) -> &[&str] {
        KINDS
    }
}

mod guards;
mod macros;

#[cfg(test)]
mod tests;
