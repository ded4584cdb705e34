//! Writing a transaction's files: each new text staged beside its target,
//! then all renamed into place, the ones already moved put back if a rename
//! fails.

use std::path::Path;

use super::{Applied, FileChange};
use crate::paths::confine;
use crate::{Error, Result};

pub(super) fn write_all(root: &Path, applied: &Applied, sync: bool) -> Result<()> {
    // Stage every new text next to its target first.
    let mut staged: Vec<(std::path::PathBuf, std::path::PathBuf, &FileChange)> = Vec::new();
    let cleanup = |staged: &[(std::path::PathBuf, std::path::PathBuf, &FileChange)]| {
        for (tmp, _, _) in staged {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (n, change) in applied.changes.iter().enumerate() {
        let target = confine(root, &change.path)?;
        let Some(after) = &change.after else { continue };
        let dir = target.parent().unwrap_or(root).to_path_buf();
        if let Err(e) = std::fs::create_dir_all(&dir) {
            cleanup(&staged);
            return Err(Error::io(dir, e));
        }
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{name}.molt-{}-{n}.tmp", std::process::id()));
        let written = std::fs::File::create(&tmp).and_then(|mut f| {
            use std::io::Write;
            f.write_all(after.as_bytes())?;
            if sync {
                f.sync_all()?;
            }
            Ok(())
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            cleanup(&staged);
            return Err(Error::io(tmp, e));
        }
        // Keep the file's permissions (an executable script stays one).
        if let Ok(meta) = std::fs::metadata(&target) {
            let _ = std::fs::set_permissions(&tmp, meta.permissions());
        }
        staged.push((tmp, target, change));
    }
    // Then rename them into place; if one fails, put back those already moved.
    for (i, (tmp, target, _)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, target) {
            for (_, done, change) in &staged[..i] {
                match &change.before {
                    Some(before) => {
                        let _ = std::fs::write(done, before);
                    }
                    None => {
                        let _ = std::fs::remove_file(done);
                    }
                }
            }
            cleanup(&staged[i..]);
            return Err(Error::io(target.clone(), e));
        }
    }
    for change in &applied.changes {
        if change.after.is_none() {
            let target = confine(root, &change.path)?;
            std::fs::remove_file(&target).map_err(|e| Error::io(target, e))?;
        }
    }
    Ok(())
}
