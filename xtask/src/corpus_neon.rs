//! `cargo xtask corpus`: the `x86-to-neon` recipe's rules on real C libraries
//! that no one here wrote, pinned by version and SHA-256 from crates.io.
//!
//! For each member: its sources are copied into a scratch folder with the
//! upstream NEON (and other non-x86) files and the x86 assembly removed, as a
//! user who has none would start; the rules plan is made and every task's
//! rules are applied in plan order, with no model (a task whose dependency
//! was left unported is blocked, as in `molt run`). Then every C and C++ file is
//! compiled for x86-64 (with the project's per-file `-m` flags: the x86 build
//! must still work) and for aarch64 with aarch64-linux-gnu-gcc, before and
//! after the port, and the aarch64 objects' vector instructions are counted
//! (at `-O2 -fno-tree-vectorize`, so that only intrinsics make them).
//!
//! Where a project has its own build and tests (its `molt.toml` beside this
//! file, see `own.rs`), they run after the port, natively and for aarch64
//! under qemu. What it does not do: port the dispatchers that choose kernels
//! at run time; the residue line of each project names what is left.

use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::corpus_syntax::{self, Member};

mod compile;
mod files;
mod own;
mod port;
mod projects;
mod table;
mod unifdef;

use compile::{check_kernels, compile_all, Build};
pub(crate) use files::copy_without;
pub(crate) use port::{port, Port};
pub(crate) use projects::PROJECTS;

/// One library of the corpus.
pub(crate) struct Project {
    pub(crate) member: Member,
    /// The library's folder inside the archive.
    pub(crate) dir: &'static str,
    /// Files and folders removed first (relative to `dir`; a trailing `/` is
    /// a folder, `*` any run of characters in a file name).
    pub(crate) remove: &'static [&'static str],
    /// Macros of the removed aarch64 paths, taken as never defined in every
    /// C and C++ file left (`unifdef -U`): the branches that used the removed
    /// files go with them.
    pub(crate) undefine: &'static [&'static str],
    /// Folders (relative to `dir`) whose C and C++ files are compiled.
    compile: &'static [&'static str],
    /// Flags for every file, on both targets (`-I` relative to `dir`).
    pub(crate) flags: &'static [&'static str],
    /// x86-only flags of the files whose name contains the key.
    x86_flags: &'static [(&'static str, &'static str)],
    /// A check of the ported kernels against the project's own portable
    /// code: a C driver of ours, the sources it links, run under qemu.
    kernels: Option<KernelCheck>,
    /// The project's own build and tests, natively and for aarch64 under qemu.
    own: Option<own::OwnTests>,
}

/// A driver that calls the ported kernels and the project's portable code
/// on the same inputs and prints "N passed, M failed".
struct KernelCheck {
    driver: &'static str,
    sources: &'static [&'static str],
    flags: &'static [&'static str],
}

/// The x86 feature macros the port provides, defined for the "forced" aarch64 build.
pub(crate) const FORCED_FEATURES: &[&str] = &[
    "-D__SSE__",
    "-D__SSE2__",
    "-D__SSE3__",
    "-D__SSSE3__",
    "-D__SSE4_1__",
    "-D__SSE4_2__",
    "-D__AVX__",
    "-D__AVX2__",
    "-D__FMA__",
];

pub fn run(args: &[String]) -> Result<()> {
    let only: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    for tool in ["cc", "aarch64-linux-gnu-gcc", "aarch64-linux-gnu-objdump"] {
        if Command::new(tool).arg("--version").output().is_err() {
            bail!("{tool} is missing: apt-get install gcc gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu");
        }
    }
    let recipe = molt_recipes::load("x86-to-neon").map_err(|e| anyhow::anyhow!("{e}"))?;
    let scratch = crate::project_root().join("target/corpus-neon");
    let mut rows = Vec::new();
    for p in PROJECTS.iter().filter(|p| only.is_empty() || only.contains(&p.member.name)) {
        eprintln!("{}: fetching and porting", p.member.name);
        let root = corpus_syntax::fetch(&p.member)?;
        let work = scratch.join(p.member.name);
        if work.exists() {
            std::fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
        }
        prepare(p, &root, &work)?;
        let spec = p.own.as_ref().map(|o| own::write_spec(o, &work)).transpose()?;
        let before = compile_all(p, &work, "before")?;
        let port = match &spec {
            Some(spec) => port::port_including(recipe, &work, &spec.migration.include)?,
            None => port(recipe, &work)?,
        };
        let after = compile_all(p, &work, "after")?;
        let kernels = p.kernels.as_ref().map(|k| check_kernels(k, &work)).transpose()?;
        let own = match (&p.own, &spec) {
            (Some(o), Some(spec)) => {
                eprintln!("{}: the project's own build and tests, x86-64 and aarch64 under qemu", p.member.name);
                Some(own::run(o, spec, &work)?)
            }
            _ => None,
        };
        rows.push(Row { name: p.member.name, port, before, after, kernels, own });
    }
    table::print(&rows);
    Ok(())
}

pub(crate) struct Row {
    name: &'static str,
    /// The kernel check's "N passed, M failed", or why it did not run.
    kernels: Option<String>,
    port: Port,
    before: Build,
    after: Build,
    /// The project's own build and tests, where it has them.
    own: Option<own::Outcome>,
}

/// The project as a user without NEON would start: the archive's `dir`
/// copied to `work` without upstream's NEON files and the branches that
/// used them.
pub(crate) fn prepare(p: &Project, root: &std::path::Path, work: &std::path::Path) -> Result<()> {
    copy_without(&root.join(p.dir), work, p.remove)?;
    strip_undefined(work, p.undefine)
}

/// [`unifdef::strip`] over every C and C++ file under `work`.
fn strip_undefined(work: &std::path::Path, undefine: &[&str]) -> Result<()> {
    if undefine.is_empty() {
        return Ok(());
    }
    for f in molt_syntax::walk_files(work, &molt_syntax::WalkOptions::everything())? {
        let ext = f.rel.rsplit_once('.').map_or("", |(_, e)| e);
        if !matches!(ext, "c" | "h" | "cc" | "cpp" | "hpp") {
            continue;
        }
        let text = std::fs::read_to_string(&f.abs).with_context(|| format!("reading {}", f.rel))?;
        let stripped = unifdef::strip(&text, undefine);
        if stripped != text {
            std::fs::write(&f.abs, stripped).with_context(|| format!("writing {}", f.rel))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
