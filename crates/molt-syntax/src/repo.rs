//! The repository walk: every source file under a root that `.gitignore`
//! does not exclude, read and indexed in parallel. Binary, oversized and
//! unreadable files are reported, not fatal.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cache::{now_ns, Cache, Entry, Hit, Stamp};
use crate::compiler::ProjectMacros;
use crate::index::{content_hash, FileIndex, Item};
use crate::lang::Lang;
use crate::walk::{walk_files, WalkOptions, MAX_SOURCE_BYTES};
use crate::{Error, Result};

/// How to walk and index a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexOptions {
    /// Files larger than this are skipped (generated code, amalgamations).
    pub max_file_bytes: u64,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Only these languages; empty means every compiled-in language.
    pub langs: Vec<Lang>,
    /// The index cache to read and update (see [`crate::default_cache_path`]);
    /// `None` parses every file.
    pub cache: Option<PathBuf>,
    /// What the project's compiler says of its C and C++ macros (see
    /// [`ProjectMacros`]); `None` masks by the file's own text alone.
    pub macros: Option<std::sync::Arc<ProjectMacros>>,
}

impl Default for IndexOptions {
    fn default() -> Self {
        Self { max_file_bytes: MAX_SOURCE_BYTES, threads: 0, langs: Vec::new(), cache: None, macros: None }
    }
}

/// Why a file was left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum SkipReason {
    Binary,
    TooLarge { bytes: u64 },
    Unreadable { error: String },
    LanguageDisabled { lang: Lang },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub path: String,
    #[serde(flatten)]
    pub reason: SkipReason,
}

/// The index of a repository: every file's index, sorted by path.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RepoIndex {
    pub files: Vec<FileIndex>,
    pub skipped: Vec<Skipped>,
    /// How many of `files` came from the cache without being parsed.
    #[serde(skip)]
    pub cached: usize,
    /// Why the cache could not be written, when it could not (the index
    /// itself is complete either way).
    #[serde(skip)]
    pub cache_error: Option<String>,
    /// What the project's compiler said of its macros, when the caller
    /// gave them ([`IndexOptions::macros`]).
    #[serde(skip)]
    pub macros: Option<std::sync::Arc<ProjectMacros>>,
}

impl RepoIndex {
    /// The index of one file, by repository-relative path.
    pub fn file(&self, path: &str) -> Option<&FileIndex> {
        let path = crate::paths::normalize(path);
        self.files.binary_search_by(|f| f.path.as_str().cmp(&path)).ok().map(|i| &self.files[i])
    }

    /// Every item of every file.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.files.iter().flat_map(|f| f.items.iter())
    }

    /// The content hash of every indexed file: what [`crate::ApplyOptions::expected`]
    /// takes to refuse edits to files changed since.
    pub fn hashes(&self) -> BTreeMap<String, String> {
        self.files.iter().map(|f| (f.path.clone(), f.hash.clone())).collect()
    }

    /// Looks an item up by qualified path. Besides the exact path, a path
    /// that leaves out enclosing names (`src/model.rs::forward`) resolves
    /// when exactly one item fits. Fails with close names when nothing fits
    /// and with the candidates when several do.
    pub fn resolve(&self, symbol: &str) -> Result<(&FileIndex, &Item)> {
        let (file, _) = split_symbol(symbol);
        match self.file(file) {
            Some(f) => resolve_in(f, symbol).map(|item| (f, item)),
            None => {
                let name = symbol.rsplit([':', '.']).next().unwrap_or(symbol);
                let mut suggestions: Vec<String> =
                    self.items().filter(|i| i.name == name).map(|i| i.path.clone()).take(5).collect();
                if suggestions.is_empty() {
                    suggestions = closest(file, self.files.iter().map(|f| f.path.as_str()));
                }
                Err(Error::NoSuchSymbol { symbol: symbol.to_owned(), suggestions })
            }
        }
    }
}

/// `("src/a.rs", "T::f")` from `src/a.rs::T::f`.
pub(crate) fn split_symbol(symbol: &str) -> (&str, &str) {
    match symbol.find("::") {
        Some(i) => (&symbol[..i], &symbol[i + 2..]),
        None => (symbol, ""),
    }
}

/// Looks `symbol` up among one file's items; see [`RepoIndex::resolve`].
pub(crate) fn resolve_in<'f>(file: &'f FileIndex, symbol: &str) -> Result<&'f Item> {
    let symbol = crate::paths::normalize(symbol);
    if let Some(item) = file.items.iter().find(|i| i.path == symbol) {
        return Ok(item);
    }
    let (_, tail) = split_symbol(&symbol);
    let sep = file.lang.separator();
    let fits: Vec<&Item> = file
        .items
        .iter()
        .filter(|i| {
            let (_, item_tail) = split_symbol(&i.path);
            !tail.is_empty() && (item_tail.ends_with(&format!("{sep}{tail}")) || i.name == tail)
        })
        .collect();
    match fits.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::NoSuchSymbol {
            symbol: symbol.clone(),
            suggestions: closest(&symbol, file.items.iter().map(|i| i.path.as_str())),
        }),
        many => Err(Error::Ambiguous { symbol, candidates: many.iter().map(|i| i.path.clone()).collect() }),
    }
}

/// Up to three of `candidates` closest to `wanted`, closest first.
pub(crate) fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> =
        candidates.map(|c| (strsim::jaro_winkler(wanted, c), c)).filter(|(score, _)| *score > 0.8).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c.to_owned()).collect()
}

/// A source file the walk found.
pub(crate) struct Found {
    pub rel: String,
    pub abs: PathBuf,
    pub lang: Lang,
}

/// Every file under `root` with a known language, honouring `.gitignore`,
/// `.ignore` and git's excludes, sorted by path. Hidden files are skipped
/// ([`WalkOptions::repository`]).
pub(crate) fn walk(root: &Path, langs: &[Lang]) -> Result<Vec<Found>> {
    if !root.is_dir() {
        return Err(Error::io(root, std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder")));
    }
    let files = walk_files(root, &WalkOptions::repository()).map_err(|e| Error::io(root, e))?;
    Ok(files
        .into_iter()
        .filter_map(|f| {
            let lang = Lang::from_path(&f.abs)?;
            // A `.h` header may turn out C++ once read: a C++ walk takes it too.
            let wanted = langs.is_empty() || langs.iter().any(|&l| Lang::may_hold(&f.abs, l));
            wanted.then_some(Found { rel: f.rel, abs: f.abs, lang })
        })
        .collect())
}

/// Reads a found file, or says why it is skipped.
pub(crate) fn read_source(found: &Found, max_bytes: u64) -> std::result::Result<Vec<u8>, Skipped> {
    let skip = |reason| Skipped { path: found.rel.clone(), reason };
    if !found.lang.is_enabled() {
        return Err(skip(SkipReason::LanguageDisabled { lang: found.lang }));
    }
    let meta = std::fs::metadata(&found.abs).map_err(|e| skip(SkipReason::Unreadable { error: e.to_string() }))?;
    if meta.len() > max_bytes {
        return Err(skip(SkipReason::TooLarge { bytes: meta.len() }));
    }
    let bytes = std::fs::read(&found.abs).map_err(|e| skip(SkipReason::Unreadable { error: e.to_string() }))?;
    // Git's own test: a NUL byte in the first 8 KiB means binary.
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return Err(skip(SkipReason::Binary));
    }
    Ok(bytes)
}

/// Runs `f` on a pool of `threads` workers (0: one per core).
pub(crate) fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T> {
    if threads == 0 {
        return Ok(f());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Invalid(format!("cannot start {threads} threads: {e}")))?;
    Ok(pool.install(f))
}

/// Walks `root` and indexes every source file in parallel; with
/// [`IndexOptions::cache`], only files that changed since the cache was
/// written are parsed (see `cache.rs`).
pub fn index_repo(root: &Path, options: &IndexOptions) -> Result<RepoIndex> {
    let found = walk(root, &options.langs)?;
    let macros = options.macros.clone();
    let project = macros.as_deref();
    // What the compiler said decides the masks, so it is part of the cache's key.
    let macros_key = project.map(ProjectMacros::fingerprint).unwrap_or_default();
    let cache = options.cache.as_deref().map(|p| Cache::load(p, &macros_key));
    // Each file: its index, whether it came from the cache, and what to cache.
    type Indexed = (FileIndex, bool, Option<Entry>);
    let results: Vec<std::result::Result<Indexed, Skipped>> = with_threads(options.threads, || {
        found
            .par_iter()
            .map(|f| {
                let Some(cache) = &cache else {
                    let bytes = read_source(f, options.max_file_bytes)?;
                    return Ok((index_found(f, &bytes, project)?, false, None));
                };
                let meta = std::fs::metadata(&f.abs)
                    .map_err(|e| skipped(f, SkipReason::Unreadable { error: e.to_string() }))?;
                let stamp = Stamp::of(&meta);
                let hit = cache.lookup(&f.rel, f.lang, &stamp);
                if let Hit::Fresh(index) = hit {
                    if f.lang.is_enabled() && meta.len() <= options.max_file_bytes {
                        return Ok((index.clone(), true, None));
                    }
                }
                let recorded_ns = now_ns();
                let bytes = read_source(f, options.max_file_bytes)?;
                let (index, from_cache) = match hit {
                    Hit::Fresh(i) | Hit::Verify(i) if i.hash == content_hash(&bytes) => (i.clone(), true),
                    _ => (index_found(f, &bytes, project)?, false),
                };
                // Stamped before the read: a write after it shows as a newer mtime.
                let entry = Entry { stamp, recorded_ns, index: index.clone() };
                Ok((index, from_cache, Some(entry)))
            })
            .collect()
    })?;
    let mut index = RepoIndex { macros, ..RepoIndex::default() };
    let mut old = cache.map(Cache::into_entries).unwrap_or_default();
    let before = old.len();
    let mut changed = false;
    let mut entries = HashMap::new();
    for r in results {
        match r {
            // A header the walk took for a C++ walk, whose text is C.
            Ok((f, ..)) if !options.langs.is_empty() && !options.langs.contains(&f.lang) => {}
            Ok((f, from_cache, entry)) => {
                index.cached += usize::from(from_cache);
                match entry {
                    Some(e) => {
                        changed = true;
                        entries.insert(f.path.clone(), e);
                    }
                    None => {
                        if let Some(e) = old.remove(&f.path) {
                            entries.insert(f.path.clone(), e);
                        }
                    }
                }
                index.files.push(f);
            }
            Err(s) => index.skipped.push(s),
        }
    }
    // A file that went away leaves the cache smaller.
    changed |= entries.len() != before;
    if let (Some(path), true) = (&options.cache, changed) {
        if let Err(e) = Cache::save(path, &macros_key, entries) {
            index.cache_error = Some(format!("{}: {e}", path.display()));
        }
    }
    Ok(index)
}

fn skipped(f: &Found, reason: SkipReason) -> Skipped {
    Skipped { path: f.rel.clone(), reason }
}

fn index_found(f: &Found, bytes: &[u8], project: Option<&ProjectMacros>) -> std::result::Result<FileIndex, Skipped> {
    // The walk knew only the extension; a `.h` header's text says C or C++.
    let lang = Lang::from_source(&f.rel, bytes).unwrap_or(f.lang);
    crate::index::index_in(&f.rel, lang, bytes, project)
        .map_err(|e| skipped(f, SkipReason::Unreadable { error: e.to_string() }))
}
