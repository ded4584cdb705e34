//! The index cache: each file's index kept on disk beside what identifies
//! its bytes, so that indexing a repository again parses only the files that
//! changed.
//!
//! A file is taken from the cache without being read when its size,
//! modification time, change time and inode are those recorded, as git's
//! own index does. A file whose modification time was too close to the
//! moment it was recorded (it may have been written again within the clock's
//! resolution: git's "racily clean" case) is read and compared by content
//! hash instead; so is any file whose metadata changed, so that a `touch`
//! costs a hash, not a parse. Everything else is parsed.
//!
//! The cache is one JSON file, written atomically (a temporary file renamed
//! over it) and only when something changed. It is tied to the program that
//! wrote it: a cache written by another build of molt (whose grammars or
//! index may differ) is ignored, as is one that cannot be read or parsed.
//! Losing it costs time, never correctness.

use std::collections::HashMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::index::FileIndex;
use crate::lang::Lang;

/// Bumped whenever [`Cache`]'s layout changes.
const FORMAT: u32 = 1;

/// A modification time within this many nanoseconds of the moment an entry
/// was recorded does not prove the bytes are the ones indexed.
const RACY_NS: i64 = 2_000_000_000;

/// What the file system says about a file; equal stamps mean unchanged bytes
/// (unless racy, see [`Entry::racy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamp {
    size: u64,
    mtime_ns: i64,
    ctime_ns: i64,
    inode: u64,
}

impl Stamp {
    pub(crate) fn of(meta: &Metadata) -> Self {
        let mtime_ns = meta.modified().map(ns_since_epoch).unwrap_or(0);
        #[cfg(unix)]
        let (ctime_ns, inode) = {
            use std::os::unix::fs::MetadataExt;
            (meta.ctime().saturating_mul(1_000_000_000).saturating_add(meta.ctime_nsec()), meta.ino())
        };
        #[cfg(not(unix))]
        let (ctime_ns, inode) = (0, 0);
        Self { size: meta.len(), mtime_ns, ctime_ns, inode }
    }
}

fn ns_since_epoch(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_nanos()).unwrap_or(i64::MAX),
    }
}

/// The current time, in the units of [`Stamp`].
pub(crate) fn now_ns() -> i64 {
    ns_since_epoch(SystemTime::now())
}

/// One file's cached index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub stamp: Stamp,
    /// When the bytes were read (before reading them).
    pub recorded_ns: i64,
    pub index: FileIndex,
}

impl Entry {
    /// Whether the file may have changed in the same clock tick in which it
    /// was read, so that an equal stamp proves nothing.
    fn racy(&self) -> bool {
        self.stamp.mtime_ns + RACY_NS >= self.recorded_ns
    }
}

/// What a lookup found.
pub(crate) enum Hit<'c> {
    /// The stamp matches: the file need not be read.
    Fresh(&'c FileIndex),
    /// The file must be read; its index is still good if its hash is this one.
    Verify(&'c FileIndex),
    Miss,
}

/// The cache of one repository's index.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Cache {
    format: u32,
    /// The program that wrote it: see [`program`].
    program: String,
    entries: HashMap<String, Entry>,
}

impl Cache {
    /// Loads the cache at `path`; an absent, unreadable, corrupt or foreign
    /// cache is an empty one.
    /// `key` is what else decides an index besides a file's bytes (what
    /// the project's compiler said of its macros): another key, another cache.
    pub(crate) fn load(path: &Path, key: &str) -> Self {
        let fresh = Self { format: FORMAT, program: format!("{}{key}", program()), entries: HashMap::new() };
        let Ok(bytes) = std::fs::read(path) else { return fresh };
        match serde_json::from_slice::<Cache>(&bytes) {
            Ok(c) if c.format == FORMAT && c.program == fresh.program => c,
            _ => fresh,
        }
    }

    pub(crate) fn lookup(&self, rel: &str, lang: Lang, stamp: &Stamp) -> Hit<'_> {
        match self.entries.get(rel) {
            // A `.h` header's index may be C++'s ([`Lang::from_source`]); its
            // hash or stamp ties that to the text, as for any other index.
            Some(e) if e.index.lang != lang && !Lang::may_hold(rel, e.index.lang) => Hit::Miss,
            Some(e) if e.stamp == *stamp && !e.racy() => Hit::Fresh(&e.index),
            Some(e) => Hit::Verify(&e.index),
            None => Hit::Miss,
        }
    }

    pub(crate) fn into_entries(self) -> HashMap<String, Entry> {
        self.entries
    }

    /// Writes `entries` as the cache at `path`, atomically.
    pub(crate) fn save(path: &Path, key: &str, entries: HashMap<String, Entry>) -> std::io::Result<()> {
        let cache = Cache { format: FORMAT, program: format!("{}{key}", program()), entries };
        let bytes = serde_json::to_vec(&cache).map_err(std::io::Error::other)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}

/// Identifies the running program: molt-syntax's version and the
/// executable's size and modification time, so that any rebuild (which may
/// change a grammar or what the index records) starts a new cache.
fn program() -> &'static str {
    static PROGRAM: OnceLock<String> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| format!("{}:{}", m.len(), m.modified().map(ns_since_epoch).unwrap_or(0)))
            .unwrap_or_else(|_| "unknown".to_owned());
        format!("molt-syntax {} {exe}", env!("CARGO_PKG_VERSION"))
    })
}

/// Where the index of `root` is cached by default: under the user's cache
/// folder (`$XDG_CACHE_HOME`, else `~/.cache`), in `molt/index/`, named by a
/// hash of the root's absolute path and the languages indexed. `None` when
/// there is no home folder.
pub fn default_cache_path(root: &Path, langs: &[Lang]) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".cache")))?;
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut h = Sha256::new();
    h.update(root.to_string_lossy().as_bytes());
    for l in langs {
        h.update(b"\0");
        h.update(l.to_string().as_bytes());
    }
    let name = hex::encode(&h.finalize()[..12]);
    Some(base.join("molt").join("index").join(format!("{name}.json")))
}

/// Keeps at most `keep` caches in `dir` (a folder of [`default_cache_path`]s),
/// removing the least recently written ones: indexing many short-lived
/// folders must not fill the disk. Returns how many were removed.
pub fn prune_caches(dir: &Path, keep: usize) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut caches: Vec<(SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if caches.len() <= keep {
        return 0;
    }
    caches.sort();
    let excess = caches.len() - keep;
    caches.into_iter().take(excess).filter(|(_, p)| std::fs::remove_file(p).is_ok()).count()
}
