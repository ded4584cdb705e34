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
mod rewrite;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use molt_core::Site;
use molt_syntax::{Lang, Pattern, Searcher, StructuralQuery};
use regex::Regex;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::recipe::{Recipe, Rewrite};
use crate::{Error, Result};

pub use harness::{apply_to_tree, load_cases, run_case, Case, CaseReport, Outcome};

/// The most rewrite passes over one file before the rules are said to cycle.
pub const MAX_PASSES: usize = 10;

/// The file a recipe folder holds.
pub const RECIPE_FILE: &str = "recipe.toml";

/// One language or several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Langs {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipe {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    kind_order: Vec<String>,
    #[serde(default, rename = "check")]
    checks: Vec<CheckHint>,
    #[serde(default, rename = "finder")]
    finders: Vec<RawMatcher>,
    #[serde(default, rename = "rule")]
    rules: Vec<RawMatcher>,
    #[serde(default, rename = "rename")]
    renames: Vec<RawRename>,
    #[serde(default, rename = "instruction")]
    instructions: Vec<Instruction>,
    #[serde(default, rename = "test")]
    tests: Vec<InlineCase>,
}

/// A finder (`kind` names it) or a rule (`name` names it, `replace` is set).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatcher {
    name: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    lang: Langs,
    query: Option<Spanned<String>>,
    #[serde(rename = "match")]
    pattern: Option<Spanned<String>>,
    replace: Option<Spanned<String>>,
    #[serde(default)]
    prefilter: Vec<String>,
    #[serde(default, rename = "where")]
    constraints: BTreeMap<String, Spanned<String>>,
    inside_function: Option<Spanned<String>>,
    not_inside_function: Option<Spanned<String>>,
    not_under_if: Option<Spanned<String>>,
    reject_result: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRename {
    #[serde(rename = "match")]
    pattern: Spanned<String>,
    replace: String,
}

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

/// A test case written inline in the recipe file: one file before and after.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct InlineCase {
    name: String,
    path: String,
    before: String,
    after: Option<String>,
    left: Option<String>,
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

/// Parses a recipe's TOML. `file` names it in errors.
pub fn parse_recipe(file: &str, text: &str) -> Result<FileRecipe> {
    let raw: RawRecipe = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| line_of(text, s.start));
        Error::RecipeFile { file: file.to_owned(), line, rule: "recipe".to_owned(), message: e.message().to_owned() }
    })?;
    let bad = |line: usize, rule: &str, message: String| Error::RecipeFile {
        file: file.to_owned(),
        line,
        rule: rule.to_owned(),
        message,
    };
    let mut renames = Vec::new();
    for r in raw.renames {
        let line = line_of(text, r.pattern.span().start);
        let pattern = Regex::new(r.pattern.get_ref()).map_err(|e| bad(line, "rename", e.to_string()))?;
        renames.push(Rename { pattern, replace: r.replace });
    }
    let mut finders = Vec::new();
    for f in raw.finders {
        finders.extend(compile_matcher(file, text, f, false)?);
    }
    let mut rules = Vec::new();
    for r in raw.rules {
        rules.extend(compile_matcher(file, text, r, true)?);
    }
    let kind_order: Vec<&'static str> = raw.kind_order.into_iter().map(|k| &*Box::leak(k.into_boxed_str())).collect();
    let inline_cases = raw
        .tests
        .into_iter()
        .map(|c| Case {
            name: c.name,
            after: BTreeMap::from([(c.path.clone(), c.after.unwrap_or_else(|| c.before.clone()))]),
            before: BTreeMap::from([(c.path, c.before)]),
            left: c.left,
            folder: None,
        })
        .collect();
    Ok(FileRecipe {
        name: raw.name,
        description: raw.description,
        file: PathBuf::from(file),
        folder: None,
        kind_order: Box::leak(kind_order.into_boxed_slice()),
        checks: raw.checks,
        finders,
        rules,
        renames,
        instructions: raw.instructions,
        inline_cases,
    })
}

fn compile_matcher(file: &str, text: &str, raw: RawMatcher, is_rule: bool) -> Result<Vec<Matcher>> {
    let what = if is_rule { "rule" } else { "finder" };
    let first_line = [&raw.name, &raw.kind, &raw.query, &raw.pattern]
        .into_iter()
        .flatten()
        .map(|s| line_of(text, s.span().start))
        .min()
        .unwrap_or(0);
    let label = match (&raw.name, &raw.kind) {
        (Some(n), _) => format!("{what} \"{}\"", n.get_ref()),
        (None, Some(k)) => format!("{what} \"{}\"", k.get_ref()),
        (None, None) => what.to_owned(),
    };
    let bad =
        |line: usize, message: String| Error::RecipeFile { file: file.to_owned(), line, rule: label.clone(), message };
    let span_line = |s: &Spanned<String>| line_of(text, s.span().start);
    let name = match (is_rule, &raw.name, &raw.kind) {
        (true, Some(n), _) => n.get_ref().clone(),
        (true, None, _) => return Err(bad(first_line, "a rule needs a `name`".to_owned())),
        (false, _, Some(k)) => k.get_ref().clone(),
        (false, _, None) => return Err(bad(first_line, "a finder needs a `kind`".to_owned())),
    };
    let kind = raw.kind.as_ref().map_or_else(|| name.clone(), |k| k.get_ref().clone());
    if !is_rule && raw.replace.is_some() {
        return Err(bad(first_line, "a finder has no `replace`; write a [[rule]] to rewrite".to_owned()));
    }
    if is_rule && raw.replace.is_none() {
        return Err(bad(first_line, "a rule needs a `replace` template".to_owned()));
    }
    let regex = |s: &Option<Spanned<String>>| -> Result<Option<Regex>> {
        s.as_ref()
            .map(|s| Regex::new(s.get_ref()).map_err(|e| bad(span_line(s), format!("bad regex: {e}"))))
            .transpose()
    };
    let mut guards = Guards {
        constraints: Vec::new(),
        inside_function: regex(&raw.inside_function)?,
        not_inside_function: regex(&raw.not_inside_function)?,
        not_under_if: regex(&raw.not_under_if)?,
        reject_result: regex(&raw.reject_result)?,
    };
    for (k, v) in &raw.constraints {
        let re = Regex::new(v.get_ref()).map_err(|e| bad(span_line(v), format!("bad regex for `{k}`: {e}")))?;
        guards.constraints.push((k.trim_start_matches('$').to_owned(), re));
    }
    let langs = match &raw.lang {
        Langs::One(l) => vec![l.clone()],
        Langs::Many(ls) => ls.clone(),
    };
    let mut out = Vec::new();
    for l in langs {
        let lang = Lang::from_name(&l).ok_or_else(|| bad(first_line, format!("unknown language \"{l}\"")))?;
        let (searcher, captures): (Searcher, Vec<String>) = match (&raw.query, &raw.pattern) {
            (Some(q), None) => {
                let compiled = StructuralQuery::new(lang, q.get_ref())
                    .map_err(|e| bad(query_line(text, q, &e), format!("{lang}: {e}")))?;
                (compiled.into(), query_captures(q.get_ref()))
            }
            (None, Some(p)) => {
                let mut compiled =
                    Pattern::new(lang, p.get_ref()).map_err(|e| bad(span_line(p), format!("{lang}: {e}")))?;
                for (k, v) in &raw.constraints {
                    compiled = compiled.constrain(k, v.get_ref()).map_err(|e| bad(span_line(v), e.to_string()))?;
                }
                (compiled.into(), pattern_captures(p.get_ref()))
            }
            _ => return Err(bad(first_line, format!("a {what} needs exactly one of `query` and `match`"))),
        };
        for (k, v) in &raw.constraints {
            let k = k.trim_start_matches('$');
            if !captures.iter().any(|c| c == k) {
                return Err(bad(span_line(v), format!("`where` names `{k}`, which the {what} does not capture")));
            }
        }
        let template = match &raw.replace {
            Some(r) => {
                let t = rewrite::Template::parse(r.get_ref());
                if let Some(unknown) = t.names().find(|n| !captures.iter().any(|c| c == n)) {
                    let known = if captures.is_empty() { "none".to_owned() } else { captures.join(", ") };
                    return Err(bad(
                        span_line(r),
                        format!("the template names `{unknown}`, which is not a capture (captures: {known})"),
                    ));
                }
                Some(t)
            }
            None => None,
        };
        out.push(Matcher {
            name: name.clone(),
            kind: kind.clone(),
            line: first_line,
            lang,
            searcher,
            prefilter: raw.prefilter.clone(),
            guards: guards.clone(),
            template,
        });
    }
    Ok(out)
}

/// Metavariable names of a pattern (`$A`, `$$$ARGS`; `$_` and `$$$` bind nothing).
fn pattern_captures(source: &str) -> Vec<String> {
    let re = Regex::new(r"\$(?:\$\$)?([A-Z0-9_]+)").unwrap_or_else(|_| unreachable!());
    let mut names: Vec<String> = re.captures_iter(source).map(|c| c[1].to_owned()).filter(|n| n != "_").collect();
    names.sort();
    names.dedup();
    names
}

/// Capture names of a tree-sitter query (`@name`, outside strings).
fn query_captures(source: &str) -> Vec<String> {
    let strings = Regex::new(r#""(?:[^"\\]|\\.)*""#).unwrap_or_else(|_| unreachable!());
    let stripped = strings.replace_all(source, "\"\"");
    let re = Regex::new(r"@([A-Za-z_][\w.-]*)").unwrap_or_else(|_| unreachable!());
    let mut names: Vec<String> = re.captures_iter(&stripped).map(|c| c[1].to_owned()).collect();
    names.sort();
    names.dedup();
    names
}

/// The recipe file's line of a query's compile error: the query's own line
/// (tree-sitter reports it) counted from where the string's text starts.
fn query_line(text: &str, query: &Spanned<String>, err: &molt_syntax::Error) -> usize {
    let field = line_of(text, query.span().start);
    let row = Regex::new(r"^bad query: line (\d+),")
        .ok()
        .and_then(|re| re.captures(&err.to_string()).and_then(|c| c[1].parse::<usize>().ok()));
    let Some(row) = row else { return field };
    // A multi-line string's first newline is not part of its text.
    let raw = text.get(query.span()).unwrap_or("");
    let starts_below = ["'''\n", "\"\"\"\n", "'''\r\n", "\"\"\"\r\n"].iter().any(|p| raw.starts_with(p));
    field + usize::from(starts_below) + row - 1
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
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
