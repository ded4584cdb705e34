//! The one walker of source trees. molt-syntax's index and search, the
//! coder's file list, a run's source files and a recipe's test cases all
//! list a tree through
//! [`walk_files`]; what differs between them is a [`WalkOptions`], never a
//! walker of their own. (molt-verify's `absent` check walks on its own: by
//! the crate table molt-verify may depend on molt-core only.)

use std::path::{Path, PathBuf};

/// The largest file molt reads as source (4 MiB): larger files are
/// generated or data, and parsing or showing them to a model costs more
/// than it tells. The index reports such a file as skipped, the coder's
/// tools refuse to index it, and a run's planner does not look at it.
pub const MAX_SOURCE_BYTES: u64 = 4 << 20;

/// Folders of build outputs and fetched dependencies that a run's source
/// files never come from, skipped by [`WalkOptions::sources`] wherever they
/// are in the tree (whether or not a `.gitignore` names them).
pub const BUILD_OUTPUT_DIRS: &[&str] = &["target", "node_modules"];

/// What [`walk_files`] lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkOptions {
    /// Honour `.gitignore`, `.ignore` and git's excludes (also when the root
    /// is not a git repository).
    pub ignore_files: bool,
    /// Skip hidden folders (a name starting with `.`), `.git` among them.
    pub skip_hidden_dirs: bool,
    /// Skip hidden files.
    pub skip_hidden_files: bool,
    /// Folder names skipped at any depth.
    pub skip_dirs: &'static [&'static str],
    /// Files larger than this are left out; `None` keeps every size (the
    /// index keeps them, to report each one as too large).
    pub max_file_bytes: Option<u64>,
}

impl WalkOptions {
    /// A repository as git sees it: ignored files and hidden entries are
    /// left out, every size kept. The index, search and the coder's file
    /// list walk this way.
    pub fn repository() -> Self {
        Self {
            ignore_files: true,
            skip_hidden_dirs: true,
            skip_hidden_files: true,
            skip_dirs: &[],
            max_file_bytes: None,
        }
    }

    /// Every regular file, hidden ones and ignored ones too: a tree that is
    /// data in full (a recipe's test case).
    pub fn everything() -> Self {
        Self {
            ignore_files: false,
            skip_hidden_dirs: false,
            skip_hidden_files: false,
            skip_dirs: &[],
            max_file_bytes: None,
        }
    }

    /// The files a run plans from: every regular file outside hidden
    /// folders and [`BUILD_OUTPUT_DIRS`], up to [`MAX_SOURCE_BYTES`].
    /// `.gitignore` is not consulted: a spec's `include` globs say what is
    /// migrated, and a generated-but-ignored source the spec includes is
    /// still the project's code.
    pub fn sources() -> Self {
        Self {
            ignore_files: false,
            skip_hidden_dirs: true,
            skip_hidden_files: false,
            skip_dirs: BUILD_OUTPUT_DIRS,
            max_file_bytes: Some(MAX_SOURCE_BYTES),
        }
    }
}

/// A regular file [`walk_files`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkedFile {
    /// Relative to the root, `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
}

/// Every regular file under `root` that `options` keep, sorted by relative
/// path. Symbolic links are never followed nor listed; entries that cannot
/// be read are left out. Fails only when `root` is not a readable folder.
pub fn walk_files(root: &Path, options: &WalkOptions) -> std::io::Result<Vec<WalkedFile>> {
    std::fs::read_dir(root)?;
    let hidden = |name: &str| name.starts_with('.');
    let skip_hidden_dirs = options.skip_hidden_dirs;
    let skip_dirs = options.skip_dirs;
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .git_ignore(options.ignore_files)
        .git_global(options.ignore_files)
        .git_exclude(options.ignore_files)
        .ignore(options.ignore_files)
        .parents(options.ignore_files)
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |entry| {
            if entry.depth() == 0 || !entry.file_type().is_some_and(|t| t.is_dir()) {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            let skipped = (skip_hidden_dirs && hidden(&name)) || skip_dirs.contains(&name.as_ref());
            !skipped
        })
        .build();
    let mut found = Vec::new();
    for entry in walker {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        if options.skip_hidden_files && hidden(&entry.file_name().to_string_lossy()) {
            continue;
        }
        if let Some(max) = options.max_file_bytes {
            if entry.metadata().map_or(true, |m| m.len() > max) {
                continue;
            }
        }
        let Ok(rel) = entry.path().strip_prefix(root) else { continue };
        let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        found.push(WalkedFile { rel, abs: entry.path().to_path_buf() });
    }
    found.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(found)
}

#[cfg(test)]
mod tests;
