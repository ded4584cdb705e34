//! A project's sources copied into the scratch folder, less the files a
//! user without upstream's NEON (or other non-x86 code) would not have.

use std::path::Path;

use anyhow::{Context, Result};

pub(crate) fn copy_without(from: &Path, to: &Path, remove: &[&str]) -> Result<()> {
    fn walk(base: &Path, dir: &Path, to: &Path, remove: &[&str]) -> Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let entry = entry?;
            let path = entry.path();
            let rel = path.strip_prefix(base)?.to_string_lossy().replace('\\', "/");
            let is_dir = entry.file_type()?.is_dir();
            if removed(&rel, is_dir, remove) {
                continue;
            }
            let dest = to.join(&rel);
            if is_dir {
                std::fs::create_dir_all(&dest)?;
                walk(base, &path, to, remove)?;
            } else if entry.file_type()?.is_file() {
                std::fs::copy(&path, &dest).with_context(|| format!("copying {rel}"))?;
            }
        }
        Ok(())
    }
    std::fs::create_dir_all(to)?;
    walk(from, from, to, remove)
}

pub(super) fn removed(rel: &str, is_dir: bool, remove: &[&str]) -> bool {
    remove.iter().any(|pat| {
        if let Some(folder) = pat.strip_suffix('/') {
            return is_dir && rel == folder;
        }
        !is_dir && glob_match(pat, rel)
    })
}

/// `*` matches any run of characters but `/`.
fn glob_match(pat: &str, text: &str) -> bool {
    match pat.split_once('*') {
        None => pat == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else { return false };
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i) && !rest[..i].contains('/'))
                .any(|i| glob_match(tail, &rest[i..]))
        }
    }
}
