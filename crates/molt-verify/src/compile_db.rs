//! What a project's compiler says its macros are: the `#define`s that
//! `-dM -E` prints for each set of flags in the project's compilation
//! database (`compile_commands.json` at the root or in `build/`, as CMake
//! with `CMAKE_EXPORT_COMPILE_COMMANDS`, Meson and Bear write it). molt-syntax
//! classes them (`molt_syntax::ProjectMacros`) to parse C and C++ without
//! guessing what a declaration macro is; running the preprocessor is this
//! crate's part, since molt-syntax spawns no process.
//!
//! Units that share a compiler, a folder and flags are preprocessed in one
//! run over a file that includes each of them; a run that fails is redone a
//! unit at a time. The result is cached under the user's cache folder
//! (`molt/macros/`), keyed by the database's hash and checked against the
//! size and mtime of every file the preprocessor read.
//!
//! A database is input molt does not trust (a model may write one in a
//! task's worktree): the compiler must be one of the usual C and C++
//! compiler names, looked up on `PATH`, never a path into the repository;
//! only flags that steer the preprocessor are passed on (`-D`, `-U`, `-I`,
//! `-include`, `-std`, `-m`, `-f` but for plugins, `--target`), never one
//! that could run another program (`-B`, `-wrapper`, `-specs`, `-fplugin`,
//! response files); the environment is scrubbed to `PATH`, `HOME` and the
//! locale, and each run has a time limit.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a compilation database is looked for, under the root.
pub const DATABASES: &[&str] = &["compile_commands.json", "build/compile_commands.json"];

/// The longest one preprocessor run may take.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// The version of the on-disk cache's format.
const FORMAT: u32 = 1;

/// What the preprocessor printed for a project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preprocessed {
    /// The database read.
    pub database: PathBuf,
    /// Every distinct `#define` line printed, over all flag sets.
    pub defines: Vec<String>,
    /// Flag sets or units the preprocessor could not read, each with its
    /// first error line; what they would have defined is missing.
    pub failures: Vec<String>,
}

/// The `#define`s of the project at `root`, from its compilation database;
/// `None` without one.
pub fn preprocess_database(root: &Path) -> Option<Preprocessed> {
    let database = DATABASES.iter().map(|d| root.join(d)).find(|p| p.is_file())?;
    let bytes = match std::fs::read(&database) {
        Ok(b) => b,
        Err(e) => {
            let failures = vec![format!("{}: {e}", database.display())];
            return Some(Preprocessed { database, defines: Vec::new(), failures });
        }
    };
    let hash = hex::encode(Sha256::digest(&bytes));
    let cache = cache_path(&hash);
    if let Some(c) = cache.as_deref().and_then(read_cache) {
        if c.database == hash && c.inputs.iter().all(|(p, len, mtime)| stamp(p) == Some((*len, *mtime))) {
            return Some(Preprocessed { database, defines: c.defines, failures: c.failures });
        }
    }
    let units: Vec<Unit> = match serde_json::from_slice(&bytes) {
        Ok(units) => units,
        Err(e) => {
            let failures = vec![format!("{}: not a compilation database: {e}", database.display())];
            return Some(Preprocessed { database, defines: Vec::new(), failures });
        }
    };
    let (defines, failures, inputs) = run_all(&units);
    if let Some(cache) = cache {
        let inputs = inputs.into_iter().filter_map(|p| stamp(&p).map(|(len, mtime)| (p, len, mtime))).collect();
        let c = Cached { format: FORMAT, database: hash, inputs, defines: defines.clone(), failures: failures.clone() };
        let _ = write_cache(&cache, &c);
    }
    Some(Preprocessed { database, defines, failures })
}

/// What one preprocessor run printed and the files it read, or why it failed.
type RunResult = Result<(String, Vec<PathBuf>), String>;

/// Runs the preprocessor once per flag set, on a few threads.
fn run_all(units: &[Unit]) -> (Vec<String>, Vec<String>, BTreeSet<PathBuf>) {
    let mut groups: BTreeMap<(String, PathBuf, Vec<String>), Vec<PathBuf>> = BTreeMap::new();
    for unit in units {
        let Some((compiler, flags)) = command_of(unit) else { continue };
        let file = unit.directory.join(&unit.file);
        groups.entry((compiler, unit.directory.clone(), flags)).or_default().push(file);
    }
    let groups: Vec<_> = groups.into_iter().collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    let results: Vec<Vec<RunResult>> = std::thread::scope(|s| {
        let chunk = groups.len().div_ceil(threads).max(1);
        let handles: Vec<_> = groups
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut out = Vec::new();
                    for ((cc, dir, flags), files) in part {
                        match preprocess(cc, dir, flags, files) {
                            // A unit that needs what the others do not find: one at a time.
                            Err(_) if files.len() > 1 => {
                                out.extend(files.iter().map(|f| preprocess(cc, dir, flags, std::slice::from_ref(f))))
                            }
                            other => out.push(other),
                        }
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let mut defines = BTreeSet::new();
    let mut failures = Vec::new();
    let mut inputs = BTreeSet::new();
    for result in results.into_iter().flatten() {
        match result {
            Ok((text, read)) => {
                defines.extend(text.lines().filter(|l| l.starts_with("#define ")).map(str::to_owned));
                inputs.extend(read);
            }
            Err(e) => failures.push(e),
        }
    }
    (defines.into_iter().collect(), failures, inputs)
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
    defines: Vec<String>,
    failures: Vec<String>,
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

/// `-dM -E` over all of `files` at once (one file that includes each), in
/// `dir`: the `#define` lines it printed, and every file it read.
fn preprocess(cc: &str, dir: &Path, flags: &[String], files: &[PathBuf]) -> RunResult {
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
            .env_clear()
            .envs(["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"].iter().filter_map(|k| Some((k, std::env::var_os(k)?))))
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
        let read = std::fs::read_to_string(&deps)
            .map(|d| dep_files(&d, &unity).into_iter().map(|p| dir.join(p)).collect())
            .unwrap_or_default();
        Ok((stdout.into_owned(), read))
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
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
        prune(dir, 64);
    }
    Ok(())
}

/// Keeps the `keep` most recently written caches in `dir`.
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut caches: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if caches.len() > keep {
        caches.sort();
        let excess = caches.len() - keep;
        for (_, path) in caches.into_iter().take(excess) {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests;
