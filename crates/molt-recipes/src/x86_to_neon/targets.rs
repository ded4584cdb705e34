//! What each target's compiler defines: the predefined macros of an aarch64
//! and an x86-64 C compiler, asked with `-dM -E` (`aarch64-linux-gnu-gcc`,
//! `cc` on an x86-64 or aarch64 host, or clang with `--target`), so that a
//! preprocessor condition is evaluated for each target from the compilers
//! themselves. Where no compiler for a target can be run, a built-in list
//! of the macros that matter here stands in (the architecture's own, the
//! x86 features, the other architectures'), and the answer says so.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};

use crate::cond::Macro;

use super::guards::{is_feature_macro, ARCH_MACROS, OTHER_ARCH_MACROS};

/// The macros the built-in aarch64 list defines when no compiler answers.
const AARCH64_BUILTIN: &[(&str, i64)] =
    &[("__aarch64__", 1), ("__ARM_NEON", 1), ("__ARM_64BIT_STATE", 1), ("__ARM_ARCH", 8), ("__ARM_ARCH_ISA_A64", 1)];

/// Another compiler's identity: a GCC or clang does not define it, but the
/// same code may be built with that compiler for either target.
const OTHER_COMPILERS: &[&str] = &["_MSC_VER", "_MSC_FULL_VER", "__INTEL_COMPILER", "__ICC", "__NVCC__", "__CUDACC__"];

/// The two targets' predefined macros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub aarch64: BTreeMap<String, i64>,
    pub x86: BTreeMap<String, i64>,
    /// Which compiler answered for each (`None`: the built-in list).
    pub aarch64_compiler: Option<String>,
    pub x86_compiler: Option<String>,
}

impl Targets {
    /// Asks the compilers on this machine, once per process.
    pub fn detect() -> &'static Targets {
        static CELL: std::sync::OnceLock<Targets> = std::sync::OnceLock::new();
        CELL.get_or_init(|| {
            let host = std::env::consts::ARCH;
            let aarch64_cands: Vec<Vec<&str>> = vec![
                vec!["aarch64-linux-gnu-gcc"],
                vec!["clang", "--target=aarch64-linux-gnu"],
                if host == "aarch64" { vec!["cc"] } else { vec![] },
            ];
            let x86_cands: Vec<Vec<&str>> = vec![
                if host == "x86_64" { vec!["cc"] } else { vec![] },
                vec!["x86_64-linux-gnu-gcc"],
                vec!["clang", "--target=x86_64-linux-gnu"],
            ];
            let first = |cands: &[Vec<&str>], check: &str| {
                cands.iter().filter(|c| !c.is_empty()).find_map(|c| {
                    let defs = predefined(c)?;
                    defs.contains_key(check).then(|| (defs, c.join(" ")))
                })
            };
            let (aarch64, aarch64_compiler) = match first(&aarch64_cands, "__aarch64__") {
                Some((d, c)) => (d, Some(c)),
                None => (AARCH64_BUILTIN.iter().map(|(n, v)| ((*n).to_owned(), *v)).collect(), None),
            };
            let (x86, x86_compiler) = match first(&x86_cands, "__x86_64__") {
                Some((d, c)) => (d, Some(c)),
                None => {
                    let builtin = [("__x86_64__", 1), ("__SSE__", 1), ("__SSE2__", 1)];
                    (builtin.iter().map(|(n, v)| ((*n).to_owned(), *v)).collect(), None)
                }
            };
            Targets { aarch64, x86, aarch64_compiler, x86_compiler }
        })
    }

    /// Whether `name` is the compilers' to define (either target's
    /// compiler predefines it, or it names an architecture or an x86
    /// feature): such a name is defined exactly where a compiler defines
    /// it; any other is the project's, unknown.
    fn is_compilers(&self, name: &str) -> bool {
        self.aarch64.contains_key(name)
            || self.x86.contains_key(name)
            || ARCH_MACROS.contains(&name)
            || OTHER_ARCH_MACROS.contains(&name)
            || is_feature_macro(name)
            || name == "_M_IX86_FP"
            || name.starts_with("__ARM_")
    }

    /// `name` on aarch64. A macro both compilers define alike (`__GNUC__`,
    /// `__linux__`) says which compiler or system builds, not which
    /// architecture: it is left unknown, as another compiler or system may
    /// build either target.
    pub fn on_aarch64(&self, name: &str) -> Macro {
        match (self.aarch64.get(name), self.x86.contains_key(name)) {
            (Some(v), false) => Macro::Value(*v),
            (Some(_), true) => Macro::Unknown,
            (None, _) if OTHER_COMPILERS.contains(&name) => Macro::Unknown,
            (None, true) => Macro::Undefined,
            (None, false) if self.is_compilers(name) => Macro::Undefined,
            (None, false) => Macro::Unknown,
        }
    }

    /// `name` on x86, any x86 feature possibly enabled by flags (or, with
    /// `covered`, only those the port covers). What only the x86 compiler
    /// defines may still depend on flags or on 32 against 64 bits: unknown.
    pub fn on_x86(&self, name: &str, covered: Option<&BTreeSet<&str>>) -> Macro {
        if is_feature_macro(name) {
            return match covered {
                Some(c) if !c.contains(name) => Macro::Undefined,
                _ => Macro::Unknown,
            };
        }
        match (self.x86.contains_key(name), self.aarch64.contains_key(name)) {
            (true, _) => Macro::Unknown,
            _ if ARCH_MACROS.contains(&name) || name == "_M_IX86_FP" => Macro::Unknown,
            _ if OTHER_COMPILERS.contains(&name) => Macro::Unknown,
            (false, true) => Macro::Undefined,
            (false, false) if self.is_compilers(name) => Macro::Undefined,
            (false, false) => Macro::Unknown,
        }
    }
}

/// `compiler -dM -E -x c /dev/null`: name → value (1 when not a number).
fn predefined(compiler: &[&str]) -> Option<BTreeMap<String, i64>> {
    let out = Command::new(compiler[0])
        .args(&compiler[1..])
        .args(["-dM", "-E", "-x", "c", "-"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut defs = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("#define ") else { continue };
        let (name, value) = rest.split_once(' ').unwrap_or((rest, ""));
        if name.contains('(') {
            continue;
        }
        let value = crate::cond::constant_value(value.trim()).unwrap_or(1);
        defs.insert(name.to_owned(), value);
    }
    Some(defs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compilers_answer_for_their_targets() {
        let t = Targets::detect();
        assert_eq!(t.on_aarch64("__aarch64__"), Macro::Value(1));
        assert_eq!(t.on_aarch64("__SSE2__"), Macro::Undefined);
        assert_eq!(t.on_aarch64("__x86_64__"), Macro::Undefined);
        assert_eq!(t.on_aarch64("_MSC_VER"), Macro::Unknown, "MSVC builds for arm64 too");
        assert_eq!(t.on_aarch64("MY_PROJECT_OPTION"), Macro::Unknown);
        assert_eq!(t.on_x86("__aarch64__", None), Macro::Undefined);
        assert_eq!(t.on_x86("__AVX2__", None), Macro::Unknown, "a flag may enable it");
        let covered: BTreeSet<&str> = ["__AVX2__"].into_iter().collect();
        assert_eq!(t.on_x86("__AVX512F__", Some(&covered)), Macro::Undefined);
        assert_eq!(t.on_x86("__x86_64__", None), Macro::Unknown, "or i386");
        assert_eq!(t.on_aarch64("__GNUC__"), Macro::Unknown, "the compiler, not the architecture");
        assert_eq!(t.on_x86("__mips__", None), Macro::Undefined);
        assert_eq!(t.on_aarch64("__mips__"), Macro::Undefined);
    }

    #[test]
    fn a_real_cross_compiler_is_asked_when_there_is_one() {
        // `cargo xtask test` installs gcc-aarch64-linux-gnu.
        let t = Targets::detect();
        assert!(t.aarch64_compiler.is_some(), "no aarch64 compiler answered");
        assert!(
            t.aarch64.contains_key("__ARM_FEATURE_UNALIGNED"),
            "{:?}",
            t.aarch64.keys().take(5).collect::<Vec<_>>()
        );
        assert_eq!(t.on_aarch64("__ARM_FEATURE_SVE"), Macro::Undefined, "armv8-a has no SVE");
        assert_eq!(t.on_aarch64("__ARM_NEON"), Macro::Value(1));
    }
}
