//! What a repository's compiler says of its C and C++ macros: molt-verify
//! runs the preprocessor over the units of its `compile_commands.json`,
//! molt-syntax classes the `#define`s, and every index, search and edit of
//! that repository masks declaration macros by them. Computed once per
//! process and repository (molt-verify keeps them on disk as well).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use molt_syntax::ProjectMacros;

/// The macros of the repository at `root`; `None` when it has no
/// compilation database (`compile_commands.json` at its root or in `build/`).
pub fn project_macros(root: &Path) -> Option<Arc<ProjectMacros>> {
    static SEEN: OnceLock<Mutex<BTreeMap<PathBuf, Option<Arc<ProjectMacros>>>>> = OnceLock::new();
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let seen = SEEN.get_or_init(Default::default);
    if let Some(known) = seen.lock().unwrap_or_else(|e| e.into_inner()).get(&root) {
        return known.clone();
    }
    let found = molt_verify::compile_db::preprocess_database(&root)
        .map(|p| Arc::new(ProjectMacros::from_defines(&p.defines, p.failures)));
    seen.lock().unwrap_or_else(|e| e.into_inner()).insert(root, found.clone());
    found
}
