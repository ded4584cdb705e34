//! `molt recipe test` and `molt recipe new`: recipe files and their test cases.

use std::path::{Path, PathBuf};

use anyhow::Context;
use molt_recipes::file::{self, CaseReport, FileRecipe, Outcome};

use crate::exit::{EnvironmentError, Exit, UsageError};
use crate::output::Output;

/// Write and test recipes: migrations as TOML, with site finders,
/// deterministic rewrites, model instructions and test cases.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Run a recipe's test cases: inline [[test]]s and tests/NNN-name/{before/,after/}.
    ///
    /// A built-in recipe is named (`molt recipe test cuda-to-neuron`); its
    /// cases are the NNN-name folders of --cases, by default the ones in
    /// molt's source tree (crates/molt-recipes/data/NAME/tests).
    ///
    /// Each case's before/ tree is rewritten with every site as a target and
    /// compared with after/ as a whole tree, then rewritten again, which must
    /// change nothing. A case with left.txt also compares the sites left for
    /// the model, with the instruction each would get. Cases are passed,
    /// failed (with a diff) or noisy (files rewritten that should not change).
    #[command(after_long_help = "\
Examples:
  molt recipe test fixtures/recipes/c-api-rename
  molt recipe test my-recipe --update      accept the new outputs into after/ and left.txt
  molt recipe test cuda-to-neuron          the built-in recipe's cases
Exit status: 0 when every case passed, 1 when one failed or was noisy, 2 for a bad recipe.")]
    Test {
        /// The recipe folder (holding recipe.toml) or TOML file, or
        /// git+URL@COMMIT[#SUBDIR] for a recipe in a git repository, pinned to
        /// a full commit id and cached under ~/.cache/molt/recipes.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Write each failing or noisy folder case's actual output to its after/ and left.txt.
        #[arg(long)]
        update: bool,
        /// For a built-in recipe: the folder of its NNN-name cases.
        #[arg(long)]
        cases: Option<PathBuf>,
    },
    /// Scaffold a recipe folder NAME with a rename rule and one passing case.
    New {
        /// The recipe's name (lower case, digits and dashes); also the folder's.
        name: String,
        /// Where to create the folder.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
}

pub fn run(args: Args, out: &Output) -> anyhow::Result<Exit> {
    match args.command {
        Sub::Test { path, update, cases } => test(&path, update, cases.as_deref(), out),
        Sub::New { name, dir } => new(&name, &dir, out),
    }
}

fn load(path: &Path) -> anyhow::Result<FileRecipe> {
    file::load_path(path).map_err(|e| UsageError(e.to_string()).into())
}

fn test(path: &Path, update: bool, cases: Option<&Path>, out: &Output) -> anyhow::Result<Exit> {
    let builtin = path.to_str().filter(|p| !path.exists() && molt_recipes::BUILTIN.iter().any(|(n, _)| n == p));
    if let Some(name) = builtin {
        let recipe = molt_recipes::load(name).map_err(|e| UsageError(e.to_string()))?;
        let dir = cases.map_or_else(|| molt_recipes::builtin_cases_dir(name), Path::to_path_buf);
        let found = file::load_cases(&dir).map_err(|e| UsageError(e.to_string()))?;
        if found.is_empty() {
            return Err(UsageError(format!(
                "{}: no test cases for {name} (name the folder with --cases)",
                dir.display()
            ))
            .into());
        }
        return run_cases(recipe, &found, name, update, out);
    }
    if cases.is_some() {
        return Err(
            UsageError("--cases is for a built-in recipe; a recipe folder holds its own cases".to_owned()).into()
        );
    }
    let fetched;
    let path = match path.to_str().and_then(|p| p.strip_prefix("git+")) {
        Some(reference) => {
            fetched = fetch_git(reference, &cache_dir()?)?;
            fetched.as_path()
        }
        None => path,
    };
    let (recipe, cases) = load_with_cases(path)?;
    run_cases(&recipe, &cases, &recipe.file().display().to_string(), update, out)
}

/// Runs `cases` and prints each outcome and a summary line named `label`.
fn run_cases(
    recipe: &dyn molt_recipes::Recipe,
    cases: &[file::Case],
    label: &str,
    update: bool,
    out: &Output,
) -> anyhow::Result<Exit> {
    let mut counts = [0usize; 3];
    for case in cases {
        let report = file::run_case(recipe, case);
        counts[report.outcome as usize] += 1;
        let word = match report.outcome {
            Outcome::Passed => out.good("passed"),
            Outcome::Failed => out.bad("failed"),
            Outcome::Noisy => out.bad("noisy "),
        };
        let mut text = format!("{word} {}", report.name);
        for p in &report.problems {
            text.push_str(&format!("\n  {p}"));
        }
        if report.outcome != Outcome::Passed && !report.diff.is_empty() {
            text.push('\n');
            text.push_str(report.diff.trim_end());
        }
        out.result(&report, &text)?;
        if update && report.outcome != Outcome::Passed {
            accept(case, &report, out)?;
        }
    }
    let [passed, failed, noisy] = counts;
    out.line(&format!("{label}: {passed} passed, {failed} failed, {noisy} noisy"));
    Ok(if failed + noisy == 0 { Exit::Done } else { Exit::Incomplete })
}

/// The recipe at `path` and its test cases, which must be at least one;
/// `molt mcp`'s `recipe_test` runs them as `molt recipe test` does.
pub fn load_with_cases(path: &Path) -> anyhow::Result<(FileRecipe, Vec<file::Case>)> {
    let recipe = load(path)?;
    let cases = recipe.cases().map_err(|e| UsageError(e.to_string()))?;
    if cases.is_empty() {
        return Err(UsageError(format!("{}: the recipe has no test cases", path.display())).into());
    }
    Ok((recipe, cases))
}

/// `~/.cache/molt/recipes` (or `$XDG_CACHE_HOME/molt/recipes`).
fn cache_dir() -> anyhow::Result<PathBuf> {
    molt_git::recipe_cache_dir()
        .ok_or_else(|| EnvironmentError("neither XDG_CACHE_HOME nor HOME is set".to_owned()).into())
}

/// Checks out `URL@COMMIT[#SUBDIR]` under `cache` once and returns the
/// recipe's folder; `molt run` does the same for a spec's `git+` recipe.
pub fn fetch_git(reference: &str, cache: &Path) -> anyhow::Result<PathBuf> {
    let pin = molt_git::PinnedRef::parse(reference).map_err(|e| UsageError(e.to_string()))?;
    molt_git::fetch_pinned(&pin, cache).map_err(|e| EnvironmentError(e.to_string()).into())
}

/// Writes a case's actual output as its expected output.
fn accept(case: &file::Case, report: &CaseReport, out: &Output) -> anyhow::Result<()> {
    let Some(folder) = &case.folder else {
        out.line(&format!("  {}: an inline case; copy the output into the recipe file by hand", case.name));
        return Ok(());
    };
    let after = folder.join("after");
    if after.exists() {
        std::fs::remove_dir_all(&after).with_context(|| format!("removing {}", after.display()))?;
    }
    for (rel, text) in &report.actual {
        let target = after.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&target, text).with_context(|| format!("writing {}", target.display()))?;
    }
    let left = folder.join("left.txt");
    if !report.left.is_empty() || left.exists() {
        std::fs::write(&left, &report.left).with_context(|| format!("writing {}", left.display()))?;
    }
    out.line(&format!("  updated {}", folder.display()));
    Ok(())
}

fn new(name: &str, dir: &Path, out: &Output) -> anyhow::Result<Exit> {
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-');
    if !valid {
        return Err(UsageError(format!("\"{name}\": a recipe name is lower case letters, digits and dashes")).into());
    }
    let root = dir.join(name);
    if root.exists() {
        return Err(UsageError(format!("{} already exists", root.display())).into());
    }
    let case = root.join("tests").join("001-example");
    for sub in ["before", "after"] {
        let d = case.join(sub);
        std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
    }
    let write = |path: PathBuf, text: String| -> anyhow::Result<()> {
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    };
    write(root.join(file::RECIPE_FILE), scaffold(name))?;
    write(case.join("before").join("example.c"), "int main(void) {\n    return old_function(1, 2);\n}\n".to_owned())?;
    write(case.join("after").join("example.c"), "int main(void) {\n    return new_function(2, 1);\n}\n".to_owned())?;
    // The scaffold must pass its own test; say so rather than hand over a broken start.
    let recipe = load(&root)?;
    let cases = recipe.cases().map_err(|e| UsageError(e.to_string()))?;
    let failing: Vec<String> = cases
        .iter()
        .map(|c| file::run_case(&recipe, c))
        .filter(|r| r.outcome != Outcome::Passed)
        .map(|r| r.name)
        .collect();
    anyhow::ensure!(failing.is_empty(), "the scaffolded case {} does not pass", failing.join(", "));
    out.result(
        &serde_json::json!({ "created": root.display().to_string(), "cases": cases.len() }),
        &format!("created {} (run `molt recipe test {}`)", root.display(), root.display()),
    )?;
    Ok(Exit::Done)
}

fn scaffold(name: &str) -> String {
    format!(
        r#"# The recipe `{name}`. Format: see crates/molt-recipes/src/file.rs or
# fixtures/recipes/c-api-rename for a whole example.
name = "{name}"
description = "Describe the migration in one sentence."
kind_order = ["old-function-call"]

[[check]]
name = "build"
run = "make"
kind = "build"

[[rule]]
name = "rename-old-function"
kind = "old-function-call"
lang = ["c", "cpp"]
match = "old_function($A, $B)"
replace = "new_function($B, $A)"

[[instruction]]
kind = "old-function-call"
text = "Call new_function with the arguments of old_function in reverse order."
"#
    )
}

#[cfg(test)]
mod tests;
