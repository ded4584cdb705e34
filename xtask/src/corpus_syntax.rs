//! `cargo xtask syntax-corpus`: molt-syntax's edits on real code that no one
//! here wrote, with figures.
//!
//! The corpus is pinned: each member is one archive from a package registry
//! (crates.io, PyPI) at an exact version, checked against its SHA-256, cached
//! under `$XDG_CACHE_HOME/molt/corpus` (or `~/.cache/molt/corpus`) and
//! unpacked there. For every function with a body, in every file:
//!
//! - its body is replaced with a marked variant, by symbol, in one edit set
//!   per file (functions nested in each other go in later sets). An edit
//!   refused although it is valid by construction is a *false refusal*; it
//!   is dropped and the rest of the set applied again;
//! - the result must equal the expectation computed here, without molt's
//!   edit engine: the original bytes with the marked text spliced in at each
//!   body's byte span;
//! - the set's inverse must give the original bytes back, and so must
//!   `replace_body` with each function's original body text (the round trip
//!   a person or a model makes);
//! - sets of three edits of which one is broken must be refused, and the
//!   refusal must name the broken edit and a line of its function.
//!
//! "Share editable" is over the function bodies molt indexes. Where a
//! compiler is at hand it also counts the other way round, over the function
//! definitions the compiler itself reports (gcc's `-aux-info` for C, Python's
//! `ast` for Python): how many of those molt finds, and how many it edits.
//! The compiler is asked, not guessed: it is the toolchain that knows what
//! the code defines. It runs here, in xtask, never in the library.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};

mod compiler;
mod edits;
mod figures;
mod members;

pub use figures::Figures;
use members::sources;
pub use members::{cache_dir, fetch, Compiler, Member, MEMBERS};

pub fn run(args: &[String]) -> Result<()> {
    let only: Vec<&str> = args.windows(2).filter(|w| w[0] == "--only").map(|w| w[1].as_str()).collect();
    let verbose = args.iter().any(|a| a == "--verbose");
    for name in &only {
        if !MEMBERS.iter().any(|m| m.name == *name) {
            bail!(
                "no corpus member `{name}`; there are {}",
                MEMBERS.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
            );
        }
    }
    let mut total = Figures::default();
    for member in MEMBERS.iter().filter(|m| only.is_empty() || only.contains(&m.name)) {
        let start = std::time::Instant::now();
        let root = fetch(member)?;
        let figures = measure(member, &root, verbose)?;
        println!("{} ({:.0} s)", member.name, start.elapsed().as_secs_f64());
        print!("{}", figures.render("  "));
        total.add(&figures);
    }
    println!("all");
    print!("{}", total.render("  "));
    if only.is_empty() {
        print!("{}", crate::corpus_build::measure()?.render());
    }
    Ok(())
}

pub fn measure(member: &Member, root: &Path, verbose: bool) -> Result<Figures> {
    let mut fig = Figures::default();
    let mut edited: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    let mut found: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for (rel, key) in sources(member, root)? {
        let bytes = std::fs::read(root.join(&rel)).with_context(|| format!("reading {rel}"))?;
        fig.files += 1;
        fig.lines += bytes.iter().filter(|&&b| b == b'\n').count();
        let Ok(text) = String::from_utf8(bytes) else {
            fig.files_skipped += 1;
            continue;
        };
        let started = std::time::Instant::now();
        let lines = edits::file(&key, &text, &mut fig, verbose).with_context(|| format!("{}: {rel}", member.name))?;
        if verbose {
            eprintln!("{rel}: {:.1} s", started.elapsed().as_secs_f64());
        }
        edited.insert(rel.clone(), lines.edited);
        found.insert(rel, lines.found);
    }
    compiler::compiler(member, root, &found, &edited, &mut fig, verbose)?;
    Ok(fig)
}

#[cfg(test)]
mod tests;
