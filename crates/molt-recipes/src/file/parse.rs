//! A recipe's TOML read and compiled: the raw tables serde fills, and the
//! finders, rules, guards and templates made from them, with errors that
//! name the recipe file's line and rule.

use std::collections::BTreeMap;
use std::path::PathBuf;

use molt_syntax::{Lang, Pattern, Searcher, StructuralQuery};
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::{rewrite, Case, CheckHint, FileRecipe, Guards, Instruction, Matcher, Rename};
use crate::{Error, Result};

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
