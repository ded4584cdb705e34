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

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use molt_syntax::{apply_in_memory, body_text, index_file, Edit, EditSet, Error as SyntaxError, Item, ItemKind, Lang};
use sha2::{Digest, Sha256};

/// One pinned archive of the corpus.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub name: &'static str,
    pub url: &'static str,
    pub sha256: &'static str,
    /// The folder the archive unpacks to.
    pub root: &'static str,
    /// The folders inside `root` whose sources are used.
    pub dirs: &'static [&'static str],
    /// `.h` files of this member are C++ (molt reads `.h` as C).
    pub cpp_headers: bool,
    pub compiler: Compiler,
}

#[derive(Debug, Clone, Copy)]
pub enum Compiler {
    /// gcc -aux-info on each `.c` file, with these include folders (relative to `root`).
    Gcc {
        includes: &'static [&'static str],
    },
    /// Python's own parser (`ast`) on each `.py` file.
    Python,
    None,
}

pub const MEMBERS: &[Member] = &[
    Member {
        name: "sqlite",
        url: "https://static.crates.io/crates/libsqlite3-sys/libsqlite3-sys-0.40.0.crate",
        sha256: "b06e69070b7e12262b0cd90832f0a7396f142a2b330181255562decf9f0c6215",
        root: "libsqlite3-sys-0.40.0",
        dirs: &["sqlite3"],
        cpp_headers: false,
        compiler: Compiler::Gcc { includes: &["sqlite3"] },
    },
    Member {
        name: "zstd",
        url: "https://static.crates.io/crates/zstd-sys/zstd-sys-2.1.3+zstd.1.5.7.crate",
        sha256: "f729a06d0257428fd9d997ac8db7e1407bd0262ab016b085b36bc52957c0052d",
        root: "zstd-sys-2.1.3+zstd.1.5.7",
        dirs: &["zstd/lib"],
        cpp_headers: false,
        compiler: Compiler::Gcc { includes: &["zstd/lib", "zstd/lib/common"] },
    },
    Member {
        name: "libfuzzer",
        url: "https://static.crates.io/crates/libfuzzer-sys/libfuzzer-sys-0.4.13.crate",
        sha256: "a9fd2f41a1cba099f79a0b6b6c35656cf7c03351a7bae8ff0f28f25270f929d2",
        root: "libfuzzer-sys-0.4.13",
        dirs: &["libfuzzer"],
        cpp_headers: true,
        compiler: Compiler::None,
    },
    Member {
        name: "regex-syntax",
        url: "https://static.crates.io/crates/regex-syntax/regex-syntax-0.8.12.crate",
        sha256: "d902046e6a28a1e4c3cab97258a0ce11e994903f01c2d97a9447a0b3df85f4f6",
        root: "regex-syntax-0.8.12",
        dirs: &["src"],
        cpp_headers: false,
        compiler: Compiler::None,
    },
    Member {
        name: "requests",
        url: "https://files.pythonhosted.org/packages/ac/c3/e2a2b89f2d3e2179abd6d00ebd70bff6273f37fb3e0cc209f48b39d00cbf/requests-2.34.2.tar.gz",
        sha256: "f288924cae4e29463698d6d60bc6a4da69c89185ad1e0bcc4104f584e960b9ed",
        root: "requests-2.34.2",
        dirs: &["src/requests", "tests"],
        cpp_headers: false,
        compiler: Compiler::Python,
    },
];

/// Broken sets tried per file (each holds three edits, one broken): one per
/// this many functions, within the bounds below.
const FUNCTIONS_PER_BROKEN_SET: usize = 50;
const MIN_BROKEN_SETS: usize = 4;
const MAX_BROKEN_SETS: usize = 40;

/// Past this many false refusals in one file, the rest of its functions are
/// counted as not measured rather than retried one refusal at a time.
const MAX_RETRIES_PER_FILE: usize = 200;

/// The marker a marked body carries.
const MARK: &str = "molt-corpus";

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

/// What one member (or the whole corpus) measured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub files: usize,
    pub lines: usize,
    /// Files molt does not edit (not UTF-8).
    pub files_skipped: usize,
    /// Function bodies molt indexes.
    pub functions: usize,
    /// Of those, bodies the driver has no marked variant for (a brace
    /// language's body that is not a `{...}` block).
    pub not_tried: usize,
    pub attempted: usize,
    pub applied: usize,
    /// Valid edits refused.
    pub refused_valid: usize,
    /// Functions left out after too many false refusals in a file.
    pub not_measured: usize,
    /// Applied edits whose result equals the independent expectation.
    pub exact: usize,
    /// Applied edits undone exactly by the inverse set.
    pub undone: usize,
    /// Applied edits undone exactly by `replace_body` with the original body.
    pub restored: usize,
    pub broken_sets: usize,
    pub broken_refused: usize,
    pub named_right: usize,
    /// Named the right edit and a line of its function.
    pub right_line: usize,
    /// Definitions the compiler reports, molt finds, molt edits.
    pub compiler_defs: usize,
    /// Of those, definitions a macro call generates (no body in the text
    /// for anyone to edit); they are not counted in the three figures.
    pub compiler_generated: usize,
    pub compiler_found: usize,
    pub compiler_edited: usize,
    /// Files the compiler did not take (so they are not in its count).
    pub compiler_failed: usize,
    /// A few examples of what went wrong, for the person reading.
    pub samples: Vec<String>,
}

impl Figures {
    fn add(&mut self, o: &Figures) {
        self.files += o.files;
        self.lines += o.lines;
        self.files_skipped += o.files_skipped;
        self.functions += o.functions;
        self.not_tried += o.not_tried;
        self.attempted += o.attempted;
        self.applied += o.applied;
        self.refused_valid += o.refused_valid;
        self.not_measured += o.not_measured;
        self.exact += o.exact;
        self.undone += o.undone;
        self.restored += o.restored;
        self.broken_sets += o.broken_sets;
        self.broken_refused += o.broken_refused;
        self.named_right += o.named_right;
        self.right_line += o.right_line;
        self.compiler_defs += o.compiler_defs;
        self.compiler_generated += o.compiler_generated;
        self.compiler_found += o.compiler_found;
        self.compiler_edited += o.compiler_edited;
        self.compiler_failed += o.compiler_failed;
    }

    fn sample(&mut self, text: String) {
        if self.samples.len() < 8 {
            self.samples.push(text);
        }
    }

    pub fn render(&self, pad: &str) -> String {
        let pct =
            |a: usize, b: usize| if b == 0 { "-".to_owned() } else { format!("{:.2}%", 100.0 * a as f64 / b as f64) };
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(pad);
            out.push_str(&s);
            out.push('\n');
        };
        line(format!("files {} ({} lines), not UTF-8 {}", self.files, self.lines, self.files_skipped));
        line(format!(
            "function bodies {} (not brace blocks, not tried {}), edits tried {}",
            self.functions, self.not_tried, self.attempted
        ));
        line(format!(
            "edits applied {} ({}), valid edits refused {}, not measured {}",
            self.applied,
            pct(self.applied, self.attempted),
            self.refused_valid,
            self.not_measured
        ));
        line(format!(
            "exact {} ({}), undone exactly by the inverse {} ({}), restored exactly by replace_body {} ({})",
            self.exact,
            pct(self.exact, self.applied),
            self.undone,
            pct(self.undone, self.applied),
            self.restored,
            pct(self.restored, self.applied)
        ));
        line(format!(
            "broken sets {}, refused {}, naming the broken edit {} ({}), and a line of it {} ({})",
            self.broken_sets,
            self.broken_refused,
            self.named_right,
            pct(self.named_right, self.broken_sets),
            self.right_line,
            pct(self.right_line, self.broken_sets)
        ));
        if self.compiler_defs > 0 || self.compiler_failed > 0 {
            line(format!(
                "compiler's function definitions with a body in the text {} (and {} generated by macro calls), \
                 found by molt {} ({}), edited by molt {} ({}); files the compiler refused {}",
                self.compiler_defs,
                self.compiler_generated,
                self.compiler_found,
                pct(self.compiler_found, self.compiler_defs),
                self.compiler_edited,
                pct(self.compiler_edited, self.compiler_defs),
                self.compiler_failed
            ));
        }
        for s in &self.samples {
            line(format!("  e.g. {s}"));
        }
        out
    }
}

/// The cache folder: `$XDG_CACHE_HOME/molt/corpus` or `~/.cache/molt/corpus`.
pub fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("molt/corpus"));
    }
    let home = std::env::var_os("HOME").context("neither XDG_CACHE_HOME nor HOME is set")?;
    Ok(PathBuf::from(home).join(".cache/molt/corpus"))
}

/// Downloads (once) and unpacks (once) a member; fails when the download
/// fails or the bytes are not the pinned ones.
pub fn fetch(member: &Member) -> Result<PathBuf> {
    let cache = cache_dir()?;
    std::fs::create_dir_all(&cache).with_context(|| format!("creating {}", cache.display()))?;
    let file = member.url.rsplit('/').next().context("archive name")?;
    let archive = cache.join(file);
    let good = |path: &Path| std::fs::read(path).is_ok_and(|b| hex::encode(Sha256::digest(&b)) == member.sha256);
    if !good(&archive) {
        let part = cache.join(format!("{file}.part"));
        let status = Command::new("curl")
            .args(["--silent", "--show-error", "--fail", "--location", "--retry", "2", "--output"])
            .arg(&part)
            .arg(member.url)
            .status()
            .context("running curl (is it installed?)")?;
        if !status.success() {
            bail!("downloading {} failed ({status})", member.url);
        }
        let bytes = std::fs::read(&part).with_context(|| format!("reading {}", part.display()))?;
        let sum = hex::encode(Sha256::digest(&bytes));
        if sum != member.sha256 {
            let _ = std::fs::remove_file(&part);
            bail!("{}: sha256 {sum}, pinned {}", member.url, member.sha256);
        }
        std::fs::rename(&part, &archive).with_context(|| format!("moving {} into place", archive.display()))?;
    }
    let root = cache.join(member.root);
    let marker = root.join(".molt-unpacked");
    if !marker.exists() {
        if root.exists() {
            std::fs::remove_dir_all(&root).with_context(|| format!("removing {}", root.display()))?;
        }
        let status =
            Command::new("tar").arg("-xzf").arg(&archive).arg("-C").arg(&cache).status().context("running tar")?;
        if !status.success() || !root.is_dir() {
            bail!("unpacking {} failed ({status})", archive.display());
        }
        std::fs::write(&marker, member.sha256).with_context(|| format!("writing {}", marker.display()))?;
    }
    Ok(root)
}

/// The member's source files, as (path relative to `root`, path molt edits
/// it under), sorted.
fn sources(member: &Member, root: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for dir in member.dirs {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
                let entry = entry?;
                let path = entry.path();
                if entry.file_type()?.is_dir() {
                    stack.push(path);
                    continue;
                }
                let rel = path.strip_prefix(root)?.to_string_lossy().replace('\\', "/");
                let key = if member.cpp_headers && rel.ends_with(".h") { format!("{rel}pp") } else { rel.clone() };
                if Lang::from_path(&key).is_some() {
                    out.push((rel, key));
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// One function of a file and the texts its edits use.
struct Target<'a> {
    item: &'a Item,
    body: (usize, usize),
    /// Text for `replace_body`: the marked body, relative to its indentation.
    marked: String,
    /// The bytes the marked body must become.
    marked_bytes: String,
    /// The original body, relative: replace_body with it restores the file.
    original: String,
    /// A broken variant, relative, and its bytes.
    broken: String,
    broken_bytes: String,
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
        let lines = file(&key, &text, &mut fig, verbose).with_context(|| format!("{}: {rel}", member.name))?;
        if verbose {
            eprintln!("{rel}: {:.1} s", started.elapsed().as_secs_f64());
        }
        edited.insert(rel.clone(), lines.edited);
        found.insert(rel, lines.found);
    }
    compiler(member, root, &found, &edited, &mut fig, verbose)?;
    Ok(fig)
}

/// The line ranges (header to body start) of a file's functions.
struct FileLines {
    found: Vec<(usize, usize)>,
    edited: Vec<(usize, usize)>,
}

fn file(key: &str, text: &str, fig: &mut Figures, verbose: bool) -> Result<FileLines> {
    let index = index_file(key, text.as_bytes()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let lang = index.lang;
    let mut targets = Vec::new();
    let mut lines = FileLines { found: Vec::new(), edited: Vec::new() };
    for item in &index.items {
        let Some(body) = item.body else { continue };
        if !matches!(item.kind, ItemKind::Function | ItemKind::Method) {
            continue;
        }
        fig.functions += 1;
        lines.found.push((item.span.start_line, body.start_line));
        match target(lang, text, item, (body.start, body.end)) {
            Some(t) => targets.push(t),
            None => fig.not_tried += 1,
        }
    }
    // Rounds of functions that do not nest in each other.
    let mut left: Vec<&Target> = targets.iter().collect();
    let mut retries = 0;
    let mut applied_all: Vec<&Target> = Vec::new();
    while !left.is_empty() {
        let mut round: Vec<&Target> = Vec::new();
        let mut later = Vec::new();
        for t in left {
            if round.iter().any(|r| r.body.0 < t.body.1 && t.body.0 < r.body.1) {
                later.push(t);
            } else {
                round.push(t);
            }
        }
        left = later;
        fig.attempted += round.len();
        // Apply, dropping what is refused, until the set applies.
        let applied = loop {
            if round.is_empty() {
                break None;
            }
            if retries > MAX_RETRIES_PER_FILE {
                fig.attempted -= round.len();
                fig.not_measured += round.len();
                round.clear();
                break None;
            }
            let set = EditSet::new(
                round
                    .iter()
                    .map(|t| Edit::ReplaceBody { symbol: t.item.path.clone(), text: t.marked.clone() })
                    .collect(),
            );
            let mut files = BTreeMap::from([(key.to_owned(), text.to_owned())]);
            match apply_in_memory(&mut files, &set) {
                Ok(applied) => break Some((files.remove(key).unwrap_or_default(), applied)),
                Err(SyntaxError::Edit { index, source, .. }) if index < round.len() => {
                    retries += 1;
                    fig.refused_valid += 1;
                    let t = round.remove(index);
                    fig.sample(format!("refused valid edit {}: {source}", t.item.path));
                    if verbose {
                        eprintln!("refused valid edit {}: {source}", t.item.path);
                    }
                }
                Err(e) => {
                    // Not an edit's fault (nothing should get here): count
                    // the whole round as refused.
                    fig.refused_valid += round.len();
                    fig.sample(format!("{key}: {e}"));
                    round.clear();
                }
            }
        };
        let Some((result, applied)) = applied else { continue };
        fig.applied += round.len();
        for t in &round {
            lines.edited.push((t.item.span.start_line, t.item.body.map_or(0, |b| b.start_line)));
        }
        // The expectation, from the original bytes alone.
        let mut sorted = round.clone();
        sorted.sort_by_key(|t| t.body.0);
        let expected = splice(text, sorted.iter().map(|t| (t.body, t.marked_bytes.as_str())));
        if result == expected {
            fig.exact += round.len();
        } else {
            fig.exact += round.len() - differing(&result, &sorted);
            let at = first_difference(&result, &expected);
            let line = expected[..at.min(expected.len())].matches('\n').count() + 1;
            let near = |t: &str| t.get(at.saturating_sub(40)..(at + 40).min(t.len())).unwrap_or("").to_owned();
            fig.sample(format!(
                "{key}:{line}: result differs from the expectation: {:?} instead of {:?}",
                near(&result),
                near(&expected)
            ));
        }
        // Undo by the inverse set.
        let mut files = BTreeMap::from([(key.to_owned(), result.clone())]);
        match apply_in_memory(&mut files, &applied.inverse()) {
            Ok(_) if files[key] == text => fig.undone += round.len(),
            Ok(_) => fig.sample(format!("{key}: the inverse did not restore the bytes")),
            Err(e) => fig.sample(format!("{key}: the inverse was refused: {e}")),
        }
        // Undo by replace_body with the original bodies.
        let set = EditSet::new(
            round.iter().map(|t| Edit::ReplaceBody { symbol: t.item.path.clone(), text: t.original.clone() }).collect(),
        );
        let mut files = BTreeMap::from([(key.to_owned(), result)]);
        match apply_in_memory(&mut files, &set) {
            Ok(_) if files[key] == text => fig.restored += round.len(),
            Ok(_) => {
                let at = first_difference(&files[key], text);
                let line = text[..at.min(text.len())].matches('\n').count() + 1;
                fig.restored += round.len() - differing(&files[key], &sorted).min(round.len());
                fig.sample(format!("{key}:{line}: replace_body with the original body did not restore the bytes"));
            }
            Err(e) => fig.sample(format!("{key}: replace_body with the original body was refused: {e}")),
        }
        applied_all.extend(round);
    }
    broken_sets(key, text, &applied_all, fig);
    Ok(lines)
}

/// Sets of three applied functions (in text order) with one broken edit,
/// each at a different place in the set.
fn broken_sets(key: &str, text: &str, applied: &[&Target], fig: &mut Figures) {
    let mut sorted: Vec<&Target> = applied.to_vec();
    sorted.sort_by_key(|t| t.body.0);
    sorted.dedup_by_key(|t| t.body.0);
    // Non-nested neighbours only.
    let mut flat: Vec<&Target> = Vec::new();
    for t in sorted {
        if flat.last().is_none_or(|l| l.body.1 <= t.body.0) {
            flat.push(t);
        }
    }
    if flat.len() < 3 {
        return;
    }
    let sets = (flat.len() / FUNCTIONS_PER_BROKEN_SET).clamp(MIN_BROKEN_SETS, MAX_BROKEN_SETS);
    let step = (flat.len() / sets).max(1);
    for n in 0..sets {
        let first = n * step;
        if first + 3 > flat.len() {
            break;
        }
        let three = &flat[first..first + 3];
        let bad = n % 3;
        // The set lists the edits in a shifted order, so the broken one is
        // not simply the last in the text.
        let order: Vec<usize> = (0..3).map(|i| (i + n) % 3).collect();
        let edits = order
            .iter()
            .map(|&i| {
                let t = three[i];
                let body = if i == bad { &t.broken } else { &t.marked };
                Edit::ReplaceBody { symbol: t.item.path.clone(), text: body.clone() }
            })
            .collect();
        let bad_index = order.iter().position(|&i| i == bad).unwrap_or(0);
        // Where the broken body sits in the text the set would make.
        let pieces = (0..3).map(|i| {
            let t = three[i];
            (t.body, if i == bad { t.broken_bytes.as_str() } else { t.marked_bytes.as_str() })
        });
        let would = splice(text, pieces);
        let shift: isize =
            (0..bad).map(|i| three[i].marked_bytes.len() as isize - (three[i].body.1 - three[i].body.0) as isize).sum();
        let start = (three[bad].body.0 as isize + shift) as usize;
        let end = start + three[bad].broken_bytes.len();
        let first_line = would[..start].matches('\n').count() + 1;
        let last_line = would[..end].matches('\n').count() + 1;
        fig.broken_sets += 1;
        let mut files = BTreeMap::from([(key.to_owned(), text.to_owned())]);
        match apply_in_memory(&mut files, &EditSet::new(edits)) {
            Ok(_) => fig.sample(format!("{key}: a broken set was APPLIED ({})", three[bad].item.path)),
            Err(SyntaxError::Edit { index, source, .. }) => {
                fig.broken_refused += 1;
                if files[key] != text {
                    fig.sample(format!("{key}: a refused set changed the text"));
                }
                if index == bad_index {
                    fig.named_right += 1;
                    match *source {
                        SyntaxError::BrokenSyntax { line, .. } if (first_line..=last_line).contains(&line) => {
                            fig.right_line += 1
                        }
                        other => fig.sample(format!(
                            "{}: refusal outside lines {first_line}-{last_line}: {other}",
                            three[bad].item.path
                        )),
                    }
                } else {
                    fig.sample(format!("{}: the refusal named edit {index}: {source}", three[bad].item.path));
                }
            }
            Err(e) => {
                fig.broken_refused += 1;
                fig.sample(format!("{key}: refused, but not by an edit: {e}"));
            }
        }
    }
}

/// The texts of one function's edits. The texts molt takes come from
/// [`body_text`] (the body in the form `replace_body` takes); the bytes they
/// must become come from the original bytes alone.
fn target<'a>(lang: Lang, text: &str, item: &'a Item, body: (usize, usize)) -> Option<Target<'a>> {
    let raw = &text[body.0..body.1];
    let original = body_text(text, item)?;
    let (marked, broken, marked_bytes, broken_bytes) = if lang.uses_braces() {
        if !raw.starts_with('{') || !raw.ends_with('}') || !original.ends_with('}') {
            return None;
        }
        let mark = format!("{{ /* {MARK} */");
        (
            format!("{mark}{}", &original[1..]),
            format!("{mark}{}", &original[1..original.len() - 1]),
            format!("{mark}{}", &raw[1..]),
            format!("{mark}{}", &raw[1..raw.len() - 1]),
        )
    } else {
        match indent_at(text, body.0) {
            // `def f(): return 1`: simple statements on the header's line.
            None => (
                format!("pass; {original}"),
                format!("return ); {original}"),
                format!("pass; {raw}"),
                format!("return ); {raw}"),
            ),
            // A comment line above the statements: what a person or a model
            // writes, and what `replace_body` must be able to take out again.
            Some(indent) => (
                format!("# {MARK}\n{original}"),
                format!("return )  # {MARK}\n{original}"),
                format!("# {MARK}\n{indent}{raw}"),
                format!("return )  # {MARK}\n{indent}{raw}"),
            ),
        }
    };
    Some(Target { item, body, marked, marked_bytes, original, broken, broken_bytes })
}

/// The whitespace before `at` on its line, if only whitespace precedes it.
fn indent_at(text: &str, at: usize) -> Option<&str> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let lead = &text[start..at];
    lead.chars().all(|c| c == ' ' || c == '\t').then_some(lead)
}

/// `text` with each (range, replacement) spliced in; ranges sorted, disjoint.
fn splice<'t>(text: &str, pieces: impl IntoIterator<Item = ((usize, usize), &'t str)>) -> String {
    let mut out = String::with_capacity(text.len() + 4096);
    let mut at = 0;
    for ((start, end), new) in pieces {
        out.push_str(&text[at..start]);
        out.push_str(new);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

fn first_difference(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()))
}

/// How many of `targets` (sorted) do not have their marked bytes in
/// `result` where the expectation puts them.
fn differing(result: &str, targets: &[&Target]) -> usize {
    let mut shift: isize = 0;
    let mut bad = 0;
    for t in targets {
        let start = (t.body.0 as isize + shift) as usize;
        if result.get(start..start + t.marked_bytes.len()) != Some(t.marked_bytes.as_str()) {
            bad += 1;
        }
        shift += t.marked_bytes.len() as isize - (t.body.1 - t.body.0) as isize;
    }
    bad.max(1)
}

/// The function definitions the compiler reports, against the functions
/// molt found and edited (line ranges from header to body, per file).
fn compiler(
    member: &Member,
    root: &Path,
    found: &BTreeMap<String, Vec<(usize, usize)>>,
    edited: &BTreeMap<String, Vec<(usize, usize)>>,
    fig: &mut Figures,
    verbose: bool,
) -> Result<()> {
    let defs = match member.compiler {
        Compiler::Gcc { includes } => gcc_definitions(root, found.keys(), includes, fig)?,
        Compiler::Python => python_definitions(root, found.keys(), fig)?,
        Compiler::None => return Ok(()),
    };
    let covers = |map: &BTreeMap<String, Vec<(usize, usize)>>, file: &str, line: usize| {
        map.get(file).is_some_and(|ranges| ranges.iter().any(|&(a, b)| a <= line && line <= b))
    };
    let mut texts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (file, line) in defs {
        let lines = texts.entry(file.clone()).or_insert_with(|| {
            std::fs::read_to_string(root.join(&file)).unwrap_or_default().lines().map(str::to_owned).collect()
        });
        if generated(lines, line) {
            fig.compiler_generated += 1;
            continue;
        }
        fig.compiler_defs += 1;
        if covers(found, &file, line) {
            fig.compiler_found += 1;
        } else {
            fig.sample(format!("{file}:{line}: a function the compiler defines, not in molt's index"));
            if verbose {
                eprintln!("missed {file}:{line}: {}", lines.get(line.wrapping_sub(1)).map_or("", |l| l.trim()));
            }
        }
        if covers(edited, &file, line) {
            fig.compiler_edited += 1;
        }
    }
    Ok(())
}

/// Whether the definition the compiler reports at (1-based) `line` was
/// generated by a macro call: the line starts a call, `X(name, f1c, 3)` or
/// `IOMETHODS(` over several lines, and no `{` comes before its closing
/// parenthesis or right after it.
fn generated(lines: &[String], line: usize) -> bool {
    let Some(first) = lines.get(line.wrapping_sub(1)) else { return false };
    let t = first.trim();
    let name_len = t.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(t.len());
    if name_len == 0 || !t[name_len..].trim_start().starts_with('(') {
        return false;
    }
    let mut depth = 0usize;
    let mut closed = false;
    for l in &lines[line - 1..] {
        for c in l.chars() {
            if closed {
                if c.is_whitespace() {
                    continue;
                }
                return c != '{';
            }
            match c {
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    closed = depth == 0;
                }
                '{' => return false,
                _ => {}
            }
        }
    }
    closed
}

/// (file relative to `root`, line) of every function definition gcc reports
/// in the member's files, compiling each `.c` file once.
fn gcc_definitions<'a>(
    root: &Path,
    files: impl Iterator<Item = &'a String>,
    includes: &[&str],
    fig: &mut Figures,
) -> Result<BTreeSet<(String, usize)>> {
    let files: Vec<&String> = files.collect();
    let known: BTreeSet<&str> = files.iter().map(|f| f.as_str()).collect();
    let scratch = tempfile::tempdir().context("making a scratch folder")?;
    let mut defs = BTreeSet::new();
    for (n, file) in files.iter().filter(|f| f.ends_with(".c")).enumerate() {
        let aux = scratch.path().join(format!("{n}.aux"));
        let mut cmd = Command::new("gcc");
        cmd.current_dir(root).args(["-fsyntax-only", "-w", "-aux-info"]).arg(&aux);
        for inc in includes {
            cmd.arg(format!("-I{inc}"));
        }
        let out = match cmd.arg(file.as_str()).output() {
            Ok(out) => out,
            Err(e) => {
                fig.sample(format!("gcc did not start ({e}); no compiler count"));
                return Ok(defs);
            }
        };
        if !out.status.success() {
            fig.compiler_failed += 1;
            continue;
        }
        let text = std::fs::read_to_string(&aux).unwrap_or_default();
        for line in text.lines() {
            // `/* lib/common/mem.h:123:NF */ static int f (void); /* ... */`
            let Some(rest) = line.strip_prefix("/* ") else { continue };
            let Some(head) = rest.split(" */").next() else { continue };
            let mut parts = head.rsplitn(3, ':');
            let (Some(flags), Some(line_no), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            if !flags.ends_with('F') {
                continue;
            }
            let Ok(line_no) = line_no.parse::<usize>() else { continue };
            let Some(path) = normalize(root, path) else { continue };
            if known.contains(path.as_str()) {
                defs.insert((path, line_no));
            }
        }
    }
    Ok(defs)
}

/// (file, line of `def`) of every function Python's own parser finds.
fn python_definitions<'a>(
    root: &Path,
    files: impl Iterator<Item = &'a String>,
    fig: &mut Figures,
) -> Result<BTreeSet<(String, usize)>> {
    const SCRIPT: &str = r#"
import ast, sys
for path in sys.argv[1:]:
    try:
        tree = ast.parse(open(path, 'rb').read(), path)
    except SyntaxError:
        print('FAILED\t' + path)
        continue
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            print(path + '\t' + str(node.lineno))
"#;
    let files: Vec<&String> = files.filter(|f| f.ends_with(".py")).collect();
    let out = match Command::new("python3").current_dir(root).arg("-c").arg(SCRIPT).args(&files).output() {
        Ok(out) if out.status.success() => out,
        Ok(out) => bail!("python3 failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => {
            fig.sample(format!("python3 did not start ({e}); no compiler count"));
            return Ok(BTreeSet::new());
        }
    };
    let mut defs = BTreeSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some((path, line_no)) = line.split_once('\t') else { continue };
        if path == "FAILED" {
            fig.compiler_failed += 1;
        } else if let Ok(n) = line_no.parse() {
            defs.insert((path.to_owned(), n));
        }
    }
    Ok(defs)
}

/// A path as gcc printed it (relative to `root`, maybe through `..`),
/// relative to `root` with `/`.
fn normalize(root: &Path, path: &str) -> Option<String> {
    let full = root.join(path).canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    Some(full.strip_prefix(&root).ok()?.to_string_lossy().replace('\\', "/"))
}

#[cfg(test)]
mod tests;
