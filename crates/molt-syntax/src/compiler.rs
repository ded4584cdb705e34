//! What the project's own compiler says its macros expand to.
//!
//! `mask.rs` tells declaration macros (`MEM_STATIC`, `LIBDEFLATE_API`,
//! `static FORCEINLINE`) apart from the file's own `#define`s, well-known
//! spellings and C's grammar. Where the project's build is known, the
//! compiler can say it instead of a guess: a `compile_commands.json` (what
//! CMake's `CMAKE_EXPORT_COMPILE_COMMANDS`, Meson, Bear and most build tools
//! write) at the root or in `build/` names every translation unit with its
//! flags. Each set of flags is preprocessed once with `-dM -E` over all its
//! units, and every object-like macro the units see (in headers too) is
//! classed: one that expands only to storage classes, `inline`, attributes
//! or nothing is a declaration macro, masked wherever it stands; any other
//! is never guessed to be one. Function-like macros that expand only to such
//! words may be guessed by the grammar where they stand before a function.
//!
//! The table is per repository, computed once per process and cached on
//! disk with the stamps of every file the preprocessor read, so a changed
//! header or build recomputes it.
//!
//! A build file is input molt does not trust (a model may write one in a
//! task's worktree): the compiler must be one of the usual C and C++
//! compiler names, found on `PATH`, never a path into the repository, and
//! only flags that steer the preprocessor are passed on (`-D`, `-U`, `-I`,
//! `-include`, `-std`, `-m`, `-f` but for plugins, `--target`): nothing that
//! could run another program (`-B`, `-wrapper`, `-specs`, `-fplugin`,
//! response files).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::mask;

/// Where a compilation database is looked for, under the root.
const DATABASES: &[&str] = &["compile_commands.json", "build/compile_commands.json"];

/// The longest one preprocessor run may take.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// The version of the on-disk cache's format.
const FORMAT: u32 = 1;

/// The macros of one repository, classed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectMacros {
    /// Object-like macros that expand to declaration prefixes only.
    pub prefix: BTreeSet<String>,
    /// Function-like macros that expand to declaration prefixes only.
    pub call_like: BTreeSet<String>,
    /// Every other macro: never a declaration prefix.
    pub other: BTreeSet<String>,
    /// Flag sets the preprocessor could not read (with its first error
    /// line); their units add nothing.
    pub failures: Vec<String>,
}

impl ProjectMacros {
    /// A short hash of the classes, for caches whose content depends on them.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for set in [&self.prefix, &self.call_like, &self.other] {
            for name in set {
                h.update(name.as_bytes());
                h.update(b"\0");
            }
            h.update(b"\x01");
        }
        format!(" macros:{}", hex::encode(&h.finalize()[..12]))
    }
}

/// The macros of the repository at `root`, from its compilation database;
/// `None` without one. Computed once per process and root.
pub fn project_macros(root: &Path) -> Option<Arc<ProjectMacros>> {
    static SEEN: OnceLock<Mutex<BTreeMap<PathBuf, Option<Arc<ProjectMacros>>>>> = OnceLock::new();
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let seen = SEEN.get_or_init(Default::default);
    if let Some(known) = seen.lock().unwrap_or_else(|e| e.into_inner()).get(&root) {
        return known.clone();
    }
    let found = load(&root).map(Arc::new);
    seen.lock().unwrap_or_else(|e| e.into_inner()).insert(root, found.clone());
    found
}

/// One entry of `compile_commands.json`.
#[derive(Debug, Deserialize)]
struct Unit {
    directory: PathBuf,
    file: PathBuf,
    #[serde(default)]
    arguments: Option<Vec<String>>,
    #[serde(default)]
    command: Option<String>,
}

/// What the disk cache holds for one database.
#[derive(Debug, Serialize, Deserialize)]
struct Cached {
    format: u32,
    database: String,
    /// Every file the preprocessor read, with its size and mtime.
    inputs: Vec<(PathBuf, u64, i64)>,
    macros: ProjectMacros,
}

fn load(root: &Path) -> Option<ProjectMacros> {
    let db = DATABASES.iter().map(|d| root.join(d)).find(|p| p.is_file())?;
    let bytes = std::fs::read(&db).ok()?;
    let database = hex::encode(Sha256::digest(&bytes));
    let cache = cache_path(&database);
    if let Some(c) = cache.as_deref().and_then(read_cache) {
        if c.database == database && c.inputs.iter().all(|(p, len, mtime)| stamp(p) == Some((*len, *mtime))) {
            return Some(c.macros);
        }
    }
    let units: Vec<Unit> = match serde_json::from_slice(&bytes) {
        Ok(units) => units,
        Err(e) => {
            let failures = vec![format!("{}: not a compilation database: {e}", db.display())];
            return Some(ProjectMacros { failures, ..ProjectMacros::default() });
        }
    };
    let (macros, inputs) = compute(&units);
    if let Some(cache) = cache {
        let inputs = inputs.into_iter().filter_map(|p| stamp(&p).map(|(len, mtime)| (p, len, mtime))).collect();
        let _ = write_cache(&cache, &Cached { format: FORMAT, database, inputs, macros: macros.clone() });
    }
    Some(macros)
}

/// Runs the preprocessor once per flag set and classes what it printed.
fn compute(units: &[Unit]) -> (ProjectMacros, BTreeSet<PathBuf>) {
    // Units that share a compiler, a folder and flags are read in one run.
    let mut groups: BTreeMap<(String, PathBuf, Vec<String>), Vec<PathBuf>> = BTreeMap::new();
    for unit in units {
        let Some((compiler, flags)) = command_of(unit) else { continue };
        let file = unit.directory.join(&unit.file);
        groups.entry((compiler, unit.directory.clone(), flags)).or_default().push(file);
    }
    let mut defs: BTreeMap<String, BTreeSet<Def>> = BTreeMap::new();
    let mut inputs = BTreeSet::new();
    let mut failures = Vec::new();
    let results: Vec<_> = {
        use rayon::prelude::*;
        groups.par_iter().map(|((cc, dir, flags), files)| preprocess(cc, dir, flags, files)).collect()
    };
    // A set the preprocessor could not read whole (a unit that needs a
    // header the others do not find) is read a unit at a time.
    let results: Vec<_> = {
        use rayon::prelude::*;
        groups
            .iter()
            .zip(results)
            .flat_map(|(((cc, dir, flags), files), result)| match result {
                Err(_) if files.len() > 1 => {
                    files.par_iter().map(|f| preprocess(cc, dir, flags, std::slice::from_ref(f))).collect::<Vec<_>>()
                }
                other => vec![other],
            })
            .collect()
    };
    for result in results {
        match result {
            Ok((found, read)) => {
                for (name, def) in found {
                    defs.entry(name).or_default().insert(def);
                }
                inputs.extend(read);
            }
            Err(e) => failures.push(e),
        }
    }
    (classify(&defs, failures), inputs)
}

/// A macro's definition as the preprocessor printed it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Def {
    /// Object-like, with the words of its body if it is made only of
    /// identifiers, each maybe with an argument list.
    Object(Option<Vec<Word>>),
    /// Function-like, the same.
    Call(Option<Vec<Word>>),
}

/// An identifier of a macro body, and whether an argument list follows it.
type Word = (String, bool);

/// The words of a macro body made only of identifiers, each maybe followed
/// by a balanced argument list (`__attribute__((x))`,
/// `TARGET_ATTRIBUTE("bmi2")`); `None` for anything else.
fn body_words(body: &str) -> Option<Vec<Word>> {
    let bytes = body.as_bytes();
    let mut words = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        if !(b.is_ascii_alphabetic() || b == b'_') {
            return None;
        }
        let start = at;
        while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
            at += 1;
        }
        let word = body[start..at].to_owned();
        let mut next = at;
        while next < bytes.len() && bytes[next].is_ascii_whitespace() {
            next += 1;
        }
        if bytes.get(next) != Some(&b'(') {
            words.push((word, false));
            continue;
        }
        // Skip the balanced group, strings and all.
        let (mut depth, mut quote) = (0usize, None::<u8>);
        at = next;
        while at < bytes.len() {
            let c = bytes[at];
            match quote {
                Some(_) if c == b'\\' => at += 1,
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == b'"' || c == b'\'' => quote = Some(c),
                None if c == b'(' => depth += 1,
                None if c == b')' => {
                    depth -= 1;
                    if depth == 0 {
                        at += 1;
                        break;
                    }
                }
                None => {}
            }
            at += 1;
        }
        if depth != 0 {
            return None;
        }
        words.push((word, true));
    }
    Some(words)
}

/// The least sets of object-like and function-like macros whose every
/// definition expands to allowed words, attributes, or macros already in
/// the sets (so `#define stdin stdin`, a name defined as itself, is none).
fn classify(defs: &BTreeMap<String, BTreeSet<Def>>, failures: Vec<String>) -> ProjectMacros {
    let mut prefix: HashSet<&str> = HashSet::new();
    let mut call_like: HashSet<&str> = HashSet::new();
    loop {
        let ok = |words: &Vec<Word>| {
            words.iter().all(|(w, args)| match args {
                true => mask::takes_arguments(w) || call_like.contains(w.as_str()),
                false => mask::allowed(w) || prefix.contains(w.as_str()),
            })
        };
        let mut grown: Vec<(&str, bool)> = Vec::new();
        for (name, ds) in defs {
            let name = name.as_str();
            if prefix.contains(name) || call_like.contains(name) {
                continue;
            }
            if ds.iter().all(|d| matches!(d, Def::Object(Some(w)) if ok(w))) {
                grown.push((name, false));
            } else if ds.iter().all(|d| matches!(d, Def::Call(Some(w)) if ok(w))) {
                grown.push((name, true));
            }
        }
        if grown.is_empty() {
            break;
        }
        for (name, call) in grown {
            if call {
                call_like.insert(name);
            } else {
                prefix.insert(name);
            }
        }
    }
    let call_like: BTreeSet<String> = call_like.into_iter().map(str::to_owned).collect();
    let other = defs.keys().filter(|n| !prefix.contains(n.as_str()) && !call_like.contains(*n)).cloned().collect();
    ProjectMacros { prefix: prefix.into_iter().map(str::to_owned).collect(), call_like, other, failures }
}

/// The compiler (a bare name found on `PATH`) and the flags worth passing
/// on, or `None` when the entry names no compiler we run.
fn command_of(unit: &Unit) -> Option<(String, Vec<String>)> {
    let args = match (&unit.arguments, &unit.command) {
        (Some(a), _) => a.clone(),
        (None, Some(c)) => shlex::split(c)?,
        (None, None) => return None,
    };
    let (first, rest) = args.split_first()?;
    let name = Path::new(first).file_name()?.to_str()?;
    if !is_compiler_name(name) {
        return None;
    }
    Some((name.to_owned(), safe_flags(rest)))
}

/// `cc`, `gcc`, `g++`, `c++`, `clang`, `clang++`, with a target prefix
/// (`aarch64-linux-gnu-gcc`) or a version suffix (`gcc-12`, `clang-17`).
fn is_compiler_name(name: &str) -> bool {
    let base = match name.rsplit_once('-') {
        Some((base, version)) if !version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.') => base,
        _ => name,
    };
    let tool = base.rsplit('-').next().unwrap_or(base);
    let prefix_ok =
        base[..base.len() - tool.len()].chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    prefix_ok && matches!(tool, "cc" | "gcc" | "g++" | "c++" | "clang" | "clang++")
}

/// The flags that steer the preprocessor, nothing else: definitions,
/// include folders, forced includes, the language standard, target and
/// feature flags. The source file, outputs and dependency files are left out.
fn safe_flags(args: &[String]) -> Vec<String> {
    // Flags whose value is the next argument.
    const WITH_VALUE: &[&str] =
        &["-D", "-U", "-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-target"];
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if WITH_VALUE.contains(&a.as_str()) {
            if let Some(v) = it.next() {
                out.push(a.clone());
                out.push(v.clone());
            }
            continue;
        }
        let keep = [
            "-D",
            "-U",
            "-I",
            "-std=",
            "--std=",
            "--target=",
            "-isystem",
            "-iquote",
            "-idirafter",
            "-include",
            "-imacros",
        ]
        .iter()
        .any(|p| a.starts_with(p) && a.len() > p.len())
            || (a.starts_with("-m") && !a.starts_with("-mllvm"))
            || (a.starts_with("-f") && !a.contains("plugin"))
            || matches!(a.as_str(), "-pthread" | "-ansi");
        if keep {
            out.push(a.clone());
        }
    }
    out
}

/// The macros one preprocessor run printed, and the files it read.
type Preprocessed = (Vec<(String, Def)>, Vec<PathBuf>);

/// `-dM -E` over all of `files` at once (one file that includes each), in
/// `dir`: the macros defined at the end, and every file read.
fn preprocess(cc: &str, dir: &Path, flags: &[String], files: &[PathBuf]) -> Result<Preprocessed, String> {
    let scratch = tempfile_dir().map_err(|e| format!("{cc}: cannot make a scratch folder: {e}"))?;
    let cpp = files.iter().any(|f| {
        f.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "cc" | "cpp" | "cxx" | "C" | "c++"))
    });
    let unity = scratch.join(if cpp { "units.cpp" } else { "units.c" });
    let deps = scratch.join("units.d");
    let mut text = String::new();
    for f in files {
        text.push_str(&format!("#include \"{}\"\n", f.display().to_string().replace('\\', "/").replace('"', "\\\"")));
    }
    let result = (|| {
        if !dir.is_dir() {
            return Err(format!(
                "{}: the folder compile_commands.json names does not exist (was the build folder removed?)",
                dir.display()
            ));
        }
        std::fs::write(&unity, text).map_err(|e| format!("{cc}: {e}"))?;
        let child = Command::new(cc)
            .current_dir(dir)
            .args(flags)
            .args(["-dM", "-E", "-w", "-MD", "-MF"])
            .arg(&deps)
            .arg(&unity)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{cc} in {}: {e}", dir.display()))?;
        let out = wait_limited(child, RUN_LIMIT).map_err(|e| format!("{cc} in {}: {e}", dir.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if stdout.trim().is_empty() {
            let err = String::from_utf8_lossy(&out.stderr);
            let first = err.lines().find(|l| l.contains("error")).unwrap_or("no output");
            return Err(format!("{cc} {} in {}: {first}", flags.join(" "), dir.display()));
        }
        let read = std::fs::read_to_string(&deps).map(|d| dep_files(&d, &unity)).unwrap_or_default();
        Ok((parse_defines(&stdout), read))
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// The `#define` lines of `-dM` output.
fn parse_defines(text: &str) -> Vec<(String, Def)> {
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("#define ")?;
            let name_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            let name = &rest[..name_end];
            if name.is_empty() {
                return None;
            }
            let after = &rest[name_end..];
            let def = if let Some(params) = after.strip_prefix('(') {
                let body = params.split_once(')').map_or("", |(_, b)| b);
                Def::Call(body_words(body.trim()))
            } else {
                Def::Object(body_words(after.trim()))
            };
            Some((name.to_owned(), def))
        })
        .collect()
}

/// The files a make-style dependency file names, but for the unit itself.
fn dep_files(text: &str, unity: &Path) -> Vec<PathBuf> {
    let joined = text.replace("\\\n", " ");
    let Some((_, deps)) = joined.split_once(": ") else { return Vec::new() };
    deps.split_whitespace().map(PathBuf::from).filter(|p| p != unity).collect()
}

fn wait_limited(mut child: std::process::Child, limit: Duration) -> std::io::Result<std::process::Output> {
    // Drain the pipes on threads so that a chatty preprocessor cannot block.
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = std::io::Read::read_to_end(s, &mut buf);
        }
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = std::io::Read::read_to_end(s, &mut buf);
        }
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other(format!("took over {} s; stopped", limit.as_secs())));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(std::process::Output { status, stdout: out.join().unwrap_or_default(), stderr: err.join().unwrap_or_default() })
}

fn tempfile_dir() -> std::io::Result<PathBuf> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("molt-cpp-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn stamp(path: &Path) -> Option<(u64, i64)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos() as i64;
    Some((meta.len(), mtime))
}

/// `molt/macros/<database hash>.json` under the user's cache folder.
fn cache_path(database: &str) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("molt/macros").join(format!("{}.json", &database[..24])))
}

fn read_cache(path: &Path) -> Option<Cached> {
    let c: Cached = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    (c.format == FORMAT).then_some(c)
}

fn write_cache(path: &Path, cached: &Cached) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, serde_json::to_vec(cached).map_err(std::io::Error::other)?)?;
    std::fs::rename(&tmp, path)?;
    // Many short-lived checkouts must not fill the disk.
    if let Some(dir) = path.parent() {
        crate::cache::prune_caches(dir, 64);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
