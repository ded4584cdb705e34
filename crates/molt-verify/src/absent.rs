//! The `absent` check: a structural proof that what a port must remove is
//! gone. It runs no command; it reads the checked files of the tree and fails
//! with `file:line` for every line that matches one of the spec's patterns
//! (for a CUDA-to-Neuron port: `.cuda(`, `torch.cuda.`, `"nccl"`, ...).
//!
//! Files are chosen by `files` minus `exclude` (globs with the spec's one
//! meaning: `*` stops at `/`, `**` crosses it), never inside `.git` or
//! `.molt`, never through a symbolic link; files that are not UTF-8 text are
//! skipped, since patterns are about source code. A regular-expression
//! search rather than the recipe's finders: molt-verify must not know
//! recipes, and a pattern list in the spec is something a reviewer reads.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use globset::GlobSet;
use molt_core::policy::glob_set;
use molt_core::Check;
use regex::Regex;

use crate::result::{CheckResult, Status};

/// Matches listed in a result's output; the message counts them all.
const SHOWN: usize = 200;

/// One line that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Match {
    /// Relative to the tree, `/`-separated.
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// The pattern that matched (the first, when several do).
    pub pattern: String,
    pub text: String,
}

/// Searches `dir` for `check`'s patterns and fills `result`.
pub(crate) fn run(check: &Check, dir: &Path, mut result: CheckResult) -> CheckResult {
    let started = Instant::now();
    let found = search(check, dir);
    result.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match found {
        Err(message) => {
            result.status = Status::Error;
            result.message = Some(message);
        }
        Ok((files, matches)) if matches.is_empty() => {
            result.status = Status::Pass;
            result.output = format!("none of {} patterns in {files} files\n", check.patterns.len());
        }
        Ok((files, matches)) => {
            result.status = Status::Fail;
            let in_files = {
                let mut paths: Vec<&str> = matches.iter().map(|m| m.path.as_str()).collect();
                paths.dedup();
                paths.len()
            };
            result.message = Some(format!(
                "{} {} of forbidden patterns in {in_files} of {files} files",
                matches.len(),
                if matches.len() == 1 { "line matches" } else { "lines match" },
            ));
            let mut out = String::new();
            for m in matches.iter().take(SHOWN) {
                let _ = writeln!(out, "{}:{}: {} (pattern {})", m.path, m.line, m.text.trim(), m.pattern);
            }
            if matches.len() > SHOWN {
                let _ = writeln!(out, "... and {} more", matches.len() - SHOWN);
            }
            result.output = out;
        }
    }
    result.output_bytes = result.output.len() as u64;
    result.passed = result.status == Status::Pass;
    result
}

/// The files searched and every matching line, in path then line order.
pub(crate) fn search(check: &Check, dir: &Path) -> Result<(usize, Vec<Match>), String> {
    let patterns = check
        .patterns
        .iter()
        .map(|p| Regex::new(p).map(|re| (p.as_str(), re)).map_err(|e| format!("bad pattern \"{p}\": {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    if patterns.is_empty() {
        return Err("an absent check needs `patterns`".to_owned());
    }
    let files = glob_set(&check.files, false, "files").map_err(|e| e.to_string())?;
    let exclude =
        glob_set(check.exclude.as_deref().unwrap_or_default(), false, "exclude").map_err(|e| e.to_string())?;
    let mut paths = Vec::new();
    walk(dir, "", &files, &exclude, &mut paths).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    paths.sort();
    let mut matches = Vec::new();
    for rel in &paths {
        let Ok(text) = std::fs::read_to_string(dir.join(rel)) else { continue };
        for (i, line) in text.lines().enumerate() {
            if let Some((pattern, _)) = patterns.iter().find(|(_, re)| re.is_match(line)) {
                matches.push(Match {
                    path: rel.clone(),
                    line: i + 1,
                    pattern: (*pattern).to_owned(),
                    text: line.chars().take(200).collect(),
                });
            }
        }
    }
    Ok((paths.len(), matches))
}

fn walk(dir: &Path, rel: &str, files: &GlobSet, exclude: &GlobSet, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        if rel.is_empty() && (name == ".git" || name == ".molt") {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), &path, files, exclude, out)?;
        } else if kind.is_file() && files.is_match(&path) && !exclude.is_match(&path) {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
