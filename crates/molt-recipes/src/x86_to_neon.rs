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

use crate::ctree::Dialect;
use crate::recipe::{Recipe, Rewrite};
use crate::{Error, Result};
pub use derived::ProjectMacros;
use guards::FEATURE_MACROS;

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
    /// The x86 CPU feature queries the headers answer (`__cpuid`,
    /// `__builtin_cpu_supports`, ...; `asm cpuid` for inline assembly).
    #[serde(default, rename = "cpu_query")]
    pub cpu_queries: Vec<CpuQuery>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CpuQuery {
    pub name: String,
    pub wrapper: String,
    #[serde(default)]
    pub note: String,
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
#[derive(Debug, Clone)]
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
    /// A test of one of them in a condition (see [`X86ToNeon::widen`]),
    /// or of a project's own x86 macro the port covers.
    feature_test: Regex,
    /// The repository's own x86 macros ([`Recipe::fit`]); empty before.
    project: ProjectMacros,
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
        // Functions and macros are renamed; inline assembly is rewritten (`cpuid.rs`).
        for q in table.cpu_queries.iter().filter(|q| !q.name.starts_with("asm ")) {
            renames.insert(q.name.clone(), q.wrapper.clone());
        }
        let kept = ["_MM_SHUFFLE", "_MM_SHUFFLE2"].into_iter().filter(|m| neon_header().contains(m)).collect();
        let isas: BTreeSet<&str> = table.intrinsics.iter().map(|i| i.isa.as_str()).collect();
        let features: BTreeSet<&str> =
            FEATURE_MACROS.iter().filter(|(_, isa)| isas.contains(isa)).map(|(m, _)| *m).collect();
        let feature_test = guards::feature_test_re(features.iter().copied());
        Ok(Self { table, renames, notes, kept, features, feature_test, project: ProjectMacros::default() })
    }

    /// The shared instance: the table is parsed once per process.
    pub fn shared() -> Result<&'static X86ToNeon> {
        static CELL: OnceLock<std::result::Result<X86ToNeon, String>> = OnceLock::new();
        CELL.get_or_init(|| X86ToNeon::new().map_err(|e| e.to_string())).as_ref().map_err(|e| Error::Table(e.clone()))
    }

    /// This recipe fitted to a project whose own x86 macros are `project`.
    pub fn with_project(&self, project: ProjectMacros) -> X86ToNeon {
        let feature_test = guards::feature_test_re(self.features.iter().copied().chain(project.covered()));
        X86ToNeon { feature_test, project, ..self.clone() }
    }

    /// The project's own x86 macros this recipe knows of.
    pub fn project_macros(&self) -> &ProjectMacros {
        &self.project
    }

    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The portable name of an x86 intrinsic, type or constant.
    pub fn portable_name(&self, x86: &str) -> Option<&str> {
        self.renames.get(x86).map(String::as_str)
    }
}

/// `base` fitted to `project`, once per distinct set of project macros in
/// a process: the recipe is `&'static` for the run's workers, and a fleet
/// of repositories that define the same macros shares one.
fn fitted(base: &X86ToNeon, project: ProjectMacros) -> &'static dyn Recipe {
    static FITTED: std::sync::Mutex<Vec<&'static X86ToNeon>> = std::sync::Mutex::new(Vec::new());
    let mut fitted = FITTED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(r) = fitted.iter().find(|r| r.project == project) {
        return *r;
    }
    let recipe: &'static X86ToNeon = Box::leak(Box::new(base.with_project(project)));
    fitted.push(recipe);
    recipe
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
                && !text.contains("xgetbv")
                && !text.contains("__builtin_cpu_")
                && !text.contains("__builtin_ia32")
                && !text.contains("asm")
                && !text.contains("__AVX")
                && !text.contains("__SSE")
                && !text.contains("__FMA")
                && !text.contains("__x86")
                && !self.project.x86.keys().any(|m| text.contains(m.as_str()))
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
            return crate::buildfile::rewrite_flags(path, text, targets);
        }
        Ok(Rewrite { text: text.to_owned(), ..Rewrite::default() })
    }

    fn fit(&self, root: &std::path::Path) -> Option<&'static dyn Recipe> {
        let files = molt_syntax::walk_files(root, &molt_syntax::WalkOptions::sources()).ok()?;
        let texts: Vec<(String, String)> = files
            .into_iter()
            .filter(|f| derived::is_c_family(&f.rel))
            .filter_map(|f| Some((f.rel, std::fs::read_to_string(&f.abs).ok()?)))
            .collect();
        let project = ProjectMacros::scan(texts.iter().map(|(p, t)| (p.as_str(), t.as_str())), &self.features);
        (!project.is_empty()).then(|| fitted(self, project))
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

mod cpuid;
mod derived;
mod empty_asm;
mod guards;
mod macros;
mod rewrite;
mod sites;
mod target_attr;
mod targets;

#[cfg(test)]
mod tests;
