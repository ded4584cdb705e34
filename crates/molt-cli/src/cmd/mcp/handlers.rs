//! What each tool does: the code the matching `molt` command runs, with
//! its answer shaped for an agent (JSON, paginated, cut). Reading and
//! editing code here; checks, plans and tasks in [`run`].

mod run;

use std::collections::BTreeMap;

use molt_syntax::{ApplyOptions, EditSet, Lang, Pattern, SearchOptions, Searcher, StructuralQuery};
use serde_json::{json, Map, Value};

pub use run::{plan, recipe_test, run_task, status, verify};

use super::page::{self, head, listing, PAGE_BYTES};
use super::tools::Answer;
use super::Repo;

/// A match's text is cut to this many bytes in `find` answers.
const MATCH_TEXT_BYTES: usize = 1024;

fn str_arg<'a>(args: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    args.get(name).and_then(Value::as_str)
}

fn bool_arg(args: &Map<String, Value>, name: &str) -> bool {
    args.get(name).and_then(Value::as_bool).unwrap_or(false)
}

fn lang(name: &str) -> Result<Lang, String> {
    let lang = Lang::from_name(name).ok_or_else(|| format!("unknown language `{}`", page::cut_chars(name, 32)))?;
    if !lang.is_enabled() {
        return Err(format!("this molt was built without the {lang} grammar"));
    }
    Ok(lang)
}

/// `text` with the repository's absolute path taken out: answers name
/// repository-relative paths.
pub(super) fn relative(repo: &Repo, text: &str) -> String {
    let root = repo.root.display().to_string();
    text.replace(&format!("{root}/"), "").replace(&root, ".")
}

pub fn index(repo: &Repo, args: &Map<String, Value>) -> Answer {
    let langs = args
        .get("lang")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).map(lang).collect::<Result<Vec<_>, _>>())
        .transpose()?
        .unwrap_or_default();
    let cache = molt_syntax::default_cache_path(&repo.root, &langs);
    let macros = molt_agent::macros::project_macros(&repo.root);
    let options = molt_syntax::IndexOptions { langs, cache, macros, ..Default::default() };
    let index = molt_syntax::index_repo(&repo.root, &options).map_err(|e| relative(repo, &e.to_string()))?;
    let files: Vec<&molt_syntax::FileIndex> =
        index.files.iter().filter(|f| repo.policy.readable(&f.path).is_ok()).collect();
    let mut per_lang: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for f in &files {
        let e = per_lang.entry(f.lang.to_string()).or_default();
        e.0 += 1;
        e.1 += f.items.len();
        e.2 += f.lines;
    }
    let languages: BTreeMap<String, Value> = per_lang
        .into_iter()
        .map(|(l, (files, items, lines))| (l, json!({ "files": files, "items": items, "lines": lines })))
        .collect();
    let cursor = str_arg(args, "cursor");
    let mut answer = if bool_arg(args, "items") {
        let items: Vec<Value> = files
            .iter()
            .flat_map(|f| f.items.iter())
            .map(|i| {
                json!({ "symbol": i.path, "kind": i.kind, "lines": [i.span.start_line, i.span.end_line],
                        "signature": page::cut_chars(&i.signature, 300), "preproc": i.preproc })
            })
            .collect();
        let (shown, next) = page::page(&items, cursor, 200)?;
        listing("items", shown, items.len(), next)
    } else {
        let rows: Vec<Value> = files
            .iter()
            .map(|f| {
                let first = f.diagnostics.first().map(|d| format!("{}:{}: {}", d.line, d.column, d.message));
                json!({ "path": f.path, "lang": f.lang.to_string(), "lines": f.lines, "items": f.items.len(),
                        "diagnostics": f.diagnostics.len(), "first_diagnostic": first })
            })
            .collect();
        let (shown, next) = page::page(&rows, cursor, 200)?;
        listing("files", shown, rows.len(), next)
    };
    answer["languages"] = json!(languages);
    answer["skipped"] = json!(index.skipped.len());
    Ok(answer)
}

pub fn find(repo: &Repo, args: &Map<String, Value>) -> Answer {
    let lang = lang(str_arg(args, "lang").unwrap_or_default())?;
    let constraints = args.get("where").and_then(Value::as_object);
    let searcher: Searcher = match (str_arg(args, "pattern"), str_arg(args, "query")) {
        (Some(p), None) => {
            let mut pattern = Pattern::new(lang, p).map_err(|e| e.to_string())?;
            for (name, re) in constraints.into_iter().flatten() {
                pattern = pattern.constrain(name, re.as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
            }
            pattern.into()
        }
        (None, Some(q)) => {
            if constraints.is_some_and(|c| !c.is_empty()) {
                return Err("`where` works with `pattern`; put #match? predicates in the query".to_owned());
            }
            StructuralQuery::new(lang, q).map_err(|e| e.to_string())?.into()
        }
        _ => return Err("give exactly one of `pattern` or `query`".to_owned()),
    };
    let report = molt_syntax::search_repo(
        &repo.root,
        &searcher,
        &SearchOptions { macros: molt_agent::macros::project_macros(&repo.root), ..SearchOptions::default() },
    )
    .map_err(|e| relative(repo, &e.to_string()))?;
    let matches: Vec<Value> = report
        .matches
        .iter()
        .filter(|m| repo.policy.readable(&m.path).is_ok())
        .map(|m| {
            let (text, cut) = head(&m.text, MATCH_TEXT_BYTES);
            json!({ "path": m.path, "line": m.line, "column": m.column, "end_line": m.end_line,
                    "symbol": m.symbol, "text": text, "text_cut": cut, "captures": m.captures })
        })
        .collect();
    let (shown, next) = page::page(&matches, str_arg(args, "cursor"), 100)?;
    let mut answer = listing("matches", shown, matches.len(), next);
    answer["files_searched"] = json!(report.files);
    Ok(answer)
}

/// `read_symbol` is the coder agent's own tool, under the same policy.
pub fn read_symbol(repo: &Repo, args: &Map<String, Value>) -> Answer {
    let options = molt_agent::tools::ToolBoxOptions {
        include: repo.spec.migration.include.clone(),
        protected: repo.spec.migration.protected.clone(),
        task_files: Vec::new(),
        spec_file: spec_file(repo),
        ..Default::default()
    };
    let mut tools = molt_agent::tools::ToolBox::new(&repo.root, options);
    let outcome = tools.call("read_symbol", &Value::Object(args.clone()));
    if outcome.is_error {
        // The coder's messages name its tool, and its `list_symbols`, which
        // is `index` with `items` here.
        let text = outcome.content.strip_prefix("read_symbol: ").unwrap_or(&outcome.content);
        return Err(text.replace("list_symbols", "index (with `items`)"));
    }
    Ok(json!({ "text": outcome.content }))
}

/// The spec's name relative to the repository (it is in the repository's root).
fn spec_file(repo: &Repo) -> String {
    repo.spec_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "molt.toml".to_owned())
}

/// `edit`: `molt edit`'s edit set, under the spec's path policy.
pub fn edit(repo: &Repo, args: &Map<String, Value>) -> Answer {
    let mut set = json!({ "edits": args.get("edits").cloned().unwrap_or(Value::Null) });
    if let Some(d) = args.get("description").filter(|d| !d.is_null()) {
        set["description"] = d.clone();
    }
    let set: EditSet = serde_json::from_value(set).map_err(|e| format!("invalid edit set: {e}"))?;
    let dry_run = bool_arg(args, "dry_run");
    let options = ApplyOptions {
        protected: Vec::new(),
        policy: Some(repo.policy.clone()),
        expected: Default::default(),
        dry_run,
        scratch: false,
        macros: molt_agent::macros::project_macros(&repo.root),
        recipe: false,
    };
    let applied = molt_syntax::apply_to_repo(&repo.root, &set, &options)
        .map_err(|e| format!("{}; nothing was written", relative(repo, &e.to_string())))?;
    let files: Vec<&str> = applied.changes.iter().map(|c| c.path.as_str()).collect();
    let (diff, cut) = head(&applied.diff(), PAGE_BYTES);
    Ok(json!({
        "dry_run": dry_run,
        "written": !dry_run,
        "files": files,
        "edits": set.edits.len(),
        "diff": diff,
        "diff_cut": cut,
    }))
}
