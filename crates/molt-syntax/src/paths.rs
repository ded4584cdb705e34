//! Keeping paths inside the repository. Edit sets come from models and from
//! files people write, so every path in them is untrusted: it must be
//! relative, must not climb out with `..`, and must not reach outside the
//! root through a symbolic link.

use std::path::{Component, Path, PathBuf};

use crate::{Error, Result};

/// The on-disk path of the repository-relative `rel` under `root`, or an
/// error if `rel` is absolute, climbs with `..`, or passes through a
/// symbolic link (in its folders or as the file itself).
pub fn confine(root: &Path, rel: &str) -> Result<PathBuf> {
    let outside = |why: &str| Error::OutsideRepo { path: rel.to_owned(), why: why.to_owned() };
    if rel.is_empty() {
        return Err(outside("empty path"));
    }
    let path = Path::new(rel);
    if path.is_absolute() || rel.starts_with('/') || rel.starts_with('\\') {
        return Err(outside("absolute path"));
    }
    let mut joined = root.to_path_buf();
    for component in path.components() {
        match component {
            Component::Normal(part) => {
                joined.push(part);
                // Each existing prefix must be a real folder or file, not a link.
                if let Ok(meta) = std::fs::symlink_metadata(&joined) {
                    if meta.file_type().is_symlink() {
                        return Err(outside("through a symbolic link"));
                    }
                }
            }
            Component::CurDir => {}
            Component::ParentDir => return Err(outside("`..` is not allowed")),
            Component::RootDir | Component::Prefix(_) => return Err(outside("absolute path")),
        }
    }
    Ok(joined)
}

/// `rel` with `./` prefixes dropped and `/` separators, as the index names
/// files: the path policy's own normalization.
pub(crate) use molt_core::policy::normalize;
