//! Recipe files: migrations written by users as TOML, with site finders,
//! deterministic rewrites, model instructions and their own test cases.
//!
//! A recipe is a folder holding `recipe.toml` (and test cases under
//! `tests/NNN-name/{before/,after/}`), or a single TOML file whose test cases
//! are inline. The format (see `fixtures/recipes/c-api-rename` for a whole
//! example):
//!
//! ```toml
//! name = "c-api-rename"
//! description = "old_api(a, b) becomes new_api(b, a)"
//! kind_order = ["old-api-call", "legacy-callback"]   # earlier kinds first
//!
//! [[check]]                      # checks a migration of this kind usually needs
//! name = "build"
//! run = "make"
//! kind = "build"
//!
//! [[finder]]                     # sites: a tree-sitter query or a pattern
//! kind = "legacy-callback"
//! lang = "c"                     # or ["c", "cpp"]
//! query = '''((call_expression function: (identifier) @f) @match (#eq? @f "register_cb"))'''
//! prefilter = ["register_cb"]    # the file must hold one of these, or it is not parsed
//!
//! [[rule]]                       # deterministic rewrites; their matches are sites too
//! name = "swap-old-api"
//! kind = "old-api-call"          # default: the rule's name
//! lang = "c"
//! match = "old_api($A, $B)"      # a pattern (or `query = ...` with @captures)
//! replace = "new_api($B, $A)"
//! where = { A = "^[a-z_]+$" }    # guards, see below
//!
//! [[rename]]                     # identifier renames for `${X:rename}` in templates
//! match = "^_mm256_(\\w+)$"
//! replace = "molt_mm256_$1"
//!
//! [[instruction]]                # what a model is told about sites the rules left
//! kind = "legacy-callback"
//! text = "Replace the callback registration with ..."
//! notes = ["register_cb(f) maps to on_event(EVENT_ALL, f)"]
//!
//! [[test]]                       # inline cases (single-file recipes)
//! name = "swaps"
//! path = "a.c"
//! before = "..."
//! after = "..."                  # omitted: the file must not change
//! left = "..."                   # optional: the sites left for the model
//! ```
//!
//! Write queries and regexes in TOML literal strings (`'...'`, `'''...'''`): their
//! text is then exactly what a `.scm` query file or a regex would hold, with
//! no second layer of backslash escapes.
//!
//! # Templates
//! `$NAME`, `$$$NAME` and `${NAME}` stand for a capture (a pattern's
//! metavariable or a query's `@name`); `${NAME:rename}` is the capture with
//! the recipe's `[[rename]]` table applied to its identifiers, on the syntax
//! tree (never inside strings or comments). A template naming a capture its
//! pattern or query does not have is an error when the recipe loads.
//!
//! # Guards
//! A rule (or finder) applies to a match only when all its guards hold:
//! - `where = { NAME = "regex" }`: the capture matches the regex;
//! - `inside_function = "regex"` / `not_inside_function = "regex"`: the name
//!   of the innermost item holding the match does (not) match;
//! - `not_under_if = "regex"`: the match is not inside the `#if`/`#ifdef`
//!   branch (the `#else` side is fine) of a condition matching the regex,
//!   e.g. `"__x86_64__"` to leave an already guarded x86 path alone;
//! - `reject_result = "regex"`: the replacement must not match the regex
//!   (for instance leftover x86 names after renaming); the site is then left
//!   for the model.
//!
//! # Rewrites that settle
//! Each pass finds every applicable match of every rule, keeps the innermost
//! of overlapping matches (outer ones are found again, rewritten inside, on
//! the next pass), applies them back to front and re-parses: a pass that adds
//! syntax errors fails the whole rewrite. Passes repeat until nothing changes;
//! a text seen before, or more than [`MAX_PASSES`] passes, is an error that
//! names the rules involved. The test harness ([`run_case`]) also runs the
//! recipe over its own output and fails a case whose second run changes it.

mod harness;
mod parse;
mod rewrite;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use molt_core::Site;
use molt_syntax::{Lang, Searcher};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::recipe::{Recipe, Rewrite};
use crate::{Error, Result};

pub use harness::{apply_to_tree, load_cases, run_case, Case, CaseReport, Outcome};
pub use parse::parse_recipe;

/// The most rewrite passes over one file before the rules are said to cycle.
pub const MAX_PASSES: usize = 10;

/// The file a recipe folder holds.
pub const RECIPE_FILE: &str = "recipe.toml";

/// A check a migration of this kind usually needs, for `molt init` and the
/// planner to suggest; the recipe never runs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckHint {
    pub name: String,
    pub run: String,
    #[serde(default)]
    pub kind: String,
}

/// What a model is told about the sites of one kind the rules left over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instruction {
    pub kind: String,
    pub text: String,
    /// Mapping notes: how things the rules cannot do usually map.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// The guards of a finder or rule, compiled.
#[derive(Debug, Clone, Default)]
pub(crate) struct Guards {
    pub(crate) constraints: Vec<(String, Regex)>,
    pub(crate) inside_function: Option<Regex>,
    pub(crate) not_inside_function: Option<Regex>,
    pub(crate) not_under_if: Option<Regex>,
    pub(crate) reject_result: Option<Regex>,
}

/// A compiled finder or rule for one language.
#[derive(Debug)]
pub(crate) struct Matcher {
    /// The rule's name, or the finder's kind.
    pub(crate) name: String,
    pub(crate) kind: String,
    /// 1-based line of the finder or rule in the recipe file.
    pub(crate) line: usize,
    pub(crate) lang: Lang,
    pub(crate) searcher: Searcher,
    pub(crate) prefilter: Vec<String>,
    pub(crate) guards: Guards,
    /// Rules only: the replacement template.
    pub(crate) template: Option<rewrite::Template>,
}

/// An identifier rename used by `${X:rename}`.
#[derive(Debug)]
pub(crate) struct Rename {
    pub(crate) pattern: Regex,
    pub(crate) replace: String,
}

/// A recipe read from a TOML file.
#[derive(Debug)]
pub struct FileRecipe {
    name: String,
    description: String,
    /// Where it was read from (the TOML file), for error messages.
    file: PathBuf,
    /// The folder holding `tests/`, for a folder recipe.
    folder: Option<PathBuf>,
    /// Leaked once per loaded recipe so that [`Recipe::kind_order`] can lend
    /// `&[&str]`; recipes are loaded once per process.
    kind_order: &'static [&'static str],
    checks: Vec<CheckHint>,
    finders: Vec<Matcher>,
    rules: Vec<Matcher>,
    renames: Vec<Rename>,
    instructions: Vec<Instruction>,
    inline_cases: Vec<Case>,
}

/// Reads a recipe from a folder (`recipe.toml` inside) or a TOML file.
pub fn load_path(path: &Path) -> Result<FileRecipe> {
    let (file, folder) =
        if path.is_dir() { (path.join(RECIPE_FILE), Some(path.to_owned())) } else { (path.to_owned(), None) };
    let text = std::fs::read_to_string(&file).map_err(|e| Error::Io(file.display().to_string(), e.to_string()))?;
    let mut recipe = parse_recipe(&file.display().to_string(), &text)?;
    recipe.file = file;
    recipe.folder = folder;
    Ok(recipe)
}

/// [`load_path`], once per process and path: the recipe is kept for the
/// process's lifetime, as built-in recipes are.
pub fn load_shared(path: &Path) -> Result<&'static dyn Recipe> {
    static LOADED: std::sync::Mutex<BTreeMap<PathBuf, &'static FileRecipe>> = std::sync::Mutex::new(BTreeMap::new());
    let file = if path.is_dir() { path.join(RECIPE_FILE) } else { path.to_owned() };
    let key = file.canonicalize().unwrap_or(file);
    let mut loaded = LOADED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(recipe) = loaded.get(&key) {
        return Ok(*recipe);
    }
    let recipe: &'static FileRecipe = Box::leak(Box::new(load_path(path)?));
    loaded.insert(key, recipe);
    Ok(recipe)
}

impl FileRecipe {
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The TOML file it was read from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The checks a migration of this kind usually needs.
    pub fn checks(&self) -> &[CheckHint] {
        &self.checks
    }

    pub fn instructions(&self) -> &[Instruction] {
        &self.instructions
    }

    /// The recipe's test cases: inline ones, then the folder's `tests/*`.
    pub fn cases(&self) -> Result<Vec<Case>> {
        let mut cases = self.inline_cases.clone();
        if let Some(folder) = &self.folder {
            cases.extend(load_cases(&folder.join("tests"))?);
        }
        Ok(cases)
    }

    fn recipe_error(&self, line: usize, rule: String, message: String) -> Error {
        Error::RecipeFile { file: self.file.display().to_string(), line, rule, message }
    }
}

impl Recipe for FileRecipe {
    fn name(&self) -> &str {
        &self.name
    }

    fn find_sites(&self, path: &str, text: &str) -> Vec<Site> {
        rewrite::find_sites(self, path, text)
    }

    fn rewrite(&self, path: &str, text: &str, targets: &[Site]) -> Result<Rewrite> {
        rewrite::rewrite(self, path, text, targets)
    }

    fn instruction(&self, kind: &str) -> String {
        match self.instructions.iter().find(|i| i.kind == kind) {
            Some(i) => {
                let mut s = i.text.trim().to_owned();
                if !i.notes.is_empty() {
                    s.push_str("\nMapping notes:");
                    for n in &i.notes {
                        s.push_str("\n- ");
                        s.push_str(n.trim());
                    }
                }
                s
            }
            None => format!("Migrate this `{kind}` site by hand: {}", self.description.trim()),
        }
    }

    fn kind_order(&self) -> &[&str] {
        self.kind_order
    }
}

#[cfg(test)]
mod tests;
