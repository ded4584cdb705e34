//! molt-syntax on a real project whose build is known: libdeflate 1.23
//! (pinned from crates.io), configured by its own CMake build with
//! `CMAKE_EXPORT_COMPILE_COMMANDS=ON`. The same sources are indexed twice,
//! once as a user without a build has them and once beside the
//! `compile_commands.json` CMake wrote, so that the compiler's own macro
//! definitions decide what a declaration macro is (see molt-syntax's
//! `compiler.rs`). Printed by `cargo xtask syntax-corpus` and checked in the
//! suite.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use molt_syntax::{apply_to_repo, index_repo, ApplyOptions, Edit, EditSet, IndexOptions, ItemKind, Lang, RepoIndex};

use crate::corpus_syntax::{fetch, Compiler, Member};

const LIBDEFLATE: Member = Member {
    name: "libdeflate",
    url: "https://static.crates.io/crates/libdeflate-sys/libdeflate-sys-1.23.1.crate",
    sha256: "38b72ad3fbf5ac78f2df7b36075e48adf2459b57c150b9e63937d0204d0f9cd7",
    root: "libdeflate-sys-1.23.1",
    dirs: &["libdeflate"],
    cpp_headers: false,
    compiler: Compiler::None,
};

/// One side of the comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Side {
    pub files: usize,
    pub files_with_diagnostics: usize,
    /// Function definitions with a body in the index.
    pub functions: usize,
    /// Of those, bodies a syntax-valid replacement of is accepted.
    pub editable: usize,
    /// Files with diagnostics, by path.
    pub broken: Vec<String>,
    /// The editable bodies' symbols.
    pub editable_symbols: BTreeSet<String>,
    /// Every item's kind, by symbol.
    pub kinds: BTreeMap<String, ItemKind>,
}

#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub without: Side,
    pub with: Side,
    pub declaration_macros: usize,
    pub attribute_calls: usize,
}

impl Figures {
    pub fn render(&self) -> String {
        let (a, b) = (&self.without, &self.with);
        format!(
            "libdeflate 1.23.1 with its CMake build's compile_commands.json ({} declaration macros and {} attribute-like \
             calls from the compiler)\n  files with parse diagnostics {} -> {} (of {})\n  functions with a body {} -> {}, \
             bodies molt edits {} -> {}\n",
            self.declaration_macros,
            self.attribute_calls,
            a.files_with_diagnostics,
            b.files_with_diagnostics,
            b.files,
            a.functions,
            b.functions,
            a.editable,
            b.editable
        )
    }
}

/// Fetches libdeflate, configures it with CMake, and measures both sides.
pub fn measure() -> Result<Figures> {
    crate::system::ensure(&[("cmake", "cmake"), ("cc", "gcc")])?;
    let root = fetch(&LIBDEFLATE)?.join("libdeflate");
    let scratch = tempfile::tempdir().context("making a scratch folder")?;
    let plain = scratch.path().join("plain");
    let built = scratch.path().join("built");
    copy(&root, &plain)?;
    copy(&root, &built)?;
    let out = Command::new("cmake")
        .arg("-S")
        .arg(&built)
        .arg("-B")
        .arg(built.join("build"))
        .args(["-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", "-DCMAKE_C_COMPILER=cc"])
        .output()
        .context("running cmake")?;
    if !out.status.success() {
        bail!("cmake could not configure libdeflate: {}", String::from_utf8_lossy(&out.stderr));
    }
    // CMake's own probe sources (CMakeCCompilerId.c) are no part of the project.
    remove_probes(&built.join("build"), false)?;

    let without = side(&plain)?;
    let (with, index) = side_and_index(&built)?;
    let macros = index.macros.as_deref().context("molt did not read the compile database")?;
    if !macros.failures.is_empty() {
        bail!("the preprocessor failed: {:?}", macros.failures);
    }
    Ok(Figures { without, with, declaration_macros: macros.prefix.len(), attribute_calls: macros.call_like.len() })
}

fn side(root: &Path) -> Result<Side> {
    side_and_index(root).map(|(s, _)| s)
}

fn side_and_index(root: &Path) -> Result<(Side, RepoIndex)> {
    let macros = molt_agent::macros::project_macros(root);
    let options = IndexOptions { langs: vec![Lang::C], threads: 2, macros: macros.clone(), ..IndexOptions::default() };
    let index = index_repo(root, &options).map_err(|e| anyhow::anyhow!("indexing {}: {e}", root.display()))?;
    let mut side = Side { files: index.files.len(), ..Side::default() };
    let mut bodies: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for f in &index.files {
        if !f.diagnostics.is_empty() {
            side.files_with_diagnostics += 1;
            side.broken.push(f.path.clone());
        }
        side.kinds.extend(f.items.iter().map(|i| (i.path.clone(), i.kind)));
        for item in f.items.iter().filter(|i| i.kind == ItemKind::Function && i.body.is_some()) {
            side.functions += 1;
            bodies.entry(&f.path).or_default().push(item.path.clone());
        }
    }
    // Every body of a file replaced at once, in a dry run; where the set is
    // refused, each body alone.
    let dry = ApplyOptions { dry_run: true, macros, ..ApplyOptions::default() };
    let edit = |symbol: &String| Edit::ReplaceBody { symbol: symbol.clone(), text: "return;".to_owned() };
    for symbols in bodies.values() {
        let set = EditSet::new(symbols.iter().map(edit).collect());
        if apply_to_repo(root, &set, &dry).is_ok() {
            side.editable_symbols.extend(symbols.iter().cloned());
            continue;
        }
        for s in symbols {
            if apply_to_repo(root, &EditSet::new(vec![edit(s)]), &dry).is_ok() {
                side.editable_symbols.insert(s.clone());
            }
        }
    }
    side.editable = side.editable_symbols.len();
    Ok((side, index))
}

/// Removes the sources under CMake's `CMakeFiles` folders (not the headers
/// it generated for the project, such as `config.h`).
fn remove_probes(dir: &Path, in_probe: bool) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            remove_probes(&path, in_probe || entry.file_name() == "CMakeFiles")?;
        } else if in_probe && Lang::from_path(&path).is_some() {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real code with its real build: with the compiler's word on its
    /// macros, fewer of libdeflate's files have parse errors, none gains
    /// one, and no body molt could edit before is lost.
    #[test]
    fn libdeflate_with_its_cmake_database_parses_better() {
        let f = measure().expect("measuring libdeflate with its CMake build");
        let (a, b) = (&f.without, &f.with);
        assert_eq!(a.files, b.files);
        assert!(b.files_with_diagnostics < a.files_with_diagnostics, "{}", f.render());
        for path in &b.broken {
            assert!(a.broken.contains(path), "{path} gained a parse error with the database");
        }
        // MAYBE_UNUSED before a table, `void _printf(1, 2) msg(...)`: defined in another header.
        for path in ["lib/crc32_tables.h", "programs/prog_util.h"] {
            assert!(
                a.broken.iter().any(|p| p == path) && !b.broken.iter().any(|p| p == path),
                "{path}: {}",
                f.render()
            );
        }
        // Every body molt edits without the database it edits with it, but
        // for what the compiler shows is no function: `struct
        // MATCHFINDER_ALIGNED bt_matchfinder {...}` read as a function named
        // bt_matchfinder, for want of knowing the macro.
        assert!(a.kinds["lib/bt_matchfinder.h::bt_matchfinder"] == ItemKind::Function, "{:?}", a.kinds);
        assert!(b.kinds["lib/bt_matchfinder.h::bt_matchfinder"] == ItemKind::Struct, "{:?}", b.kinds);
        let lost: Vec<&String> = a.editable_symbols.iter().filter(|s| !b.editable_symbols.contains(*s)).collect();
        let structs: Vec<&&String> = lost.iter().filter(|s| b.kinds.get(**s) == Some(&ItemKind::Struct)).collect();
        assert_eq!(lost.len(), structs.len(), "bodies lost with the database: {lost:?}");
        assert!(b.editable * a.functions >= a.editable * b.functions, "{}", f.render());
    }
}
