//! The spec as molt-agent uses it: loaded and validated, the recipe it
//! names, and the path policy its globs make.

use std::path::Path;

use molt_core::Spec;
use molt_recipes::Recipe;

use crate::{Error, Result};

/// Loads and validates the spec.
pub fn load_spec(path: &Path) -> Result<Spec> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Spec::parse(&name, &text)?)
}

/// The recipe a spec names: a built-in by name, a recipe file or folder
/// relative to `base` (the folder of molt.toml), or `git+URL@COMMIT[#SUBDIR]`,
/// fetched once into the recipe cache (`~/.cache/molt/recipes`).
pub fn recipe_of(spec: &Spec, base: &Path) -> Result<&'static dyn Recipe> {
    match &spec.migration.recipe {
        Some(name) if name.starts_with(molt_git::PINNED_PREFIX) => {
            let pin = molt_git::PinnedRef::parse(name).map_err(Error::RecipePin)?;
            let cache = molt_git::recipe_cache_dir().ok_or(Error::NoRecipeCache)?;
            let folder = molt_git::fetch_pinned(&pin, &cache).map_err(Error::RecipeFetch)?;
            Ok(molt_recipes::resolve(&folder.to_string_lossy(), base)?)
        }
        Some(name) => Ok(molt_recipes::resolve(name, base)?),
        None => Ok(&GoalOnly),
    }
}

/// The "recipe" of a spec that names none: it finds nothing and rewrites
/// nothing, so the planner agent plans from the goal and coder agents do the
/// work.
struct GoalOnly;

impl Recipe for GoalOnly {
    fn name(&self) -> &str {
        "none"
    }

    fn find_sites(&self, _path: &str, _text: &str) -> Vec<molt_core::Site> {
        Vec::new()
    }

    fn rewrite(
        &self,
        _path: &str,
        text: &str,
        _targets: &[molt_core::Site],
    ) -> molt_recipes::Result<molt_recipes::Rewrite> {
        Ok(molt_recipes::Rewrite { text: text.to_owned(), ..molt_recipes::Rewrite::default() })
    }

    fn instruction(&self, _kind: &str) -> String {
        String::new()
    }
}

/// The spec's path policy: where agents may write.
pub fn path_policy(spec: &Spec) -> Result<molt_core::PathPolicy> {
    molt_core::PathPolicy::new(&spec.migration.include, &spec.migration.protected, SPEC_FILE).map_err(Error::from)
}

/// The spec's file name, which no agent may read or write.
pub(crate) const SPEC_FILE: &str = "molt.toml";
