//! The rules-only port of one project: the rules plan, every task's rules
//! applied in plan order with no model, as `molt run` would.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Result};
use molt_agent::planner::{rules_plan, SourceFile};
use molt_core::Spec;

/// What the rules did to one project.
#[derive(Debug, Default)]
pub(crate) struct Port {
    pub(crate) files: usize,
    pub(crate) sites: usize,
    pub(crate) tasks: usize,
    pub(crate) migrated: usize,
    pub(crate) unmapped: usize,
    /// Sites in tasks that failed (the rewrite itself failed).
    pub(crate) failed: usize,
    /// Sites in tasks whose dependency was left unported.
    pub(crate) blocked: usize,
    pub(crate) committed_tasks: usize,
    /// Reason → sites, over the unmapped and failed sites.
    pub(crate) reasons: BTreeMap<String, usize>,
    /// What is left, precisely: "file, function (N sites): reason", one
    /// line per item left (unmapped, failed or blocked).
    pub(crate) residue: Vec<String>,
}

pub(crate) fn port(recipe: &dyn molt_recipes::Recipe, work: &Path) -> Result<Port> {
    port_including(recipe, work, &["**".to_owned()])
}

/// [`port`] with the spec's `include` globs: a project's own `molt.toml`
/// names its build files there (exactly, as molt requires before it edits one).
pub(crate) fn port_including(recipe: &dyn molt_recipes::Recipe, work: &Path, include: &[String]) -> Result<Port> {
    let include: Vec<String> = include.iter().map(|g| format!("{g:?}")).collect();
    let spec_text = format!(
        "[migration]\nname = \"corpus\"\ngoal = \"port x86 SIMD to NEON\"\nrecipe = \"x86-to-neon\"\n\
         include = [{}]\n\n[[check]]\nname = \"none\"\nrun = \"true\"\nkind = \"build\"\n",
        include.join(", ")
    );
    let spec = Spec::parse("molt.toml", &spec_text).map_err(|e| anyhow::anyhow!("{e}"))?;
    // As `molt run` does (Workspace::recipe): fitted to the project.
    let recipe = recipe.fit(work).unwrap_or(recipe);
    let files = molt_agent::run::source_files(work, &spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    let plan = rules_plan(&spec, recipe, &files);
    let policy = molt_agent::spec::path_policy(&spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut port = Port {
        files: files.iter().filter(|f: &&SourceFile| is_c_or_cpp(&f.path)).count(),
        tasks: plan.tasks.len(),
        ..Port::default()
    };
    let mut done: BTreeMap<String, bool> = BTreeMap::new();
    // Tasks in plan order; dependencies come first in a valid plan's order
    // or are visited when reached, as `molt run --jobs 1` would.
    let mut pending: Vec<&molt_core::Task> = plan.tasks.iter().collect();
    while !pending.is_empty() {
        let ready = pending.iter().position(|t| t.depends_on.iter().all(|d| done.contains_key(d.as_str())));
        let Some(i) = ready else { bail!("the plan has a dependency cycle") };
        let task = pending.remove(i);
        port.sites += task.sites.len();
        if let Some(dep) = task.depends_on.iter().find(|d| done.get(d.as_str()) == Some(&false)) {
            port.blocked += task.sites.len();
            let behind =
                plan.tasks.iter().find(|t| &t.id == dep).map_or_else(|| dep.to_string(), |t| where_of(&t.sites));
            port.residue.push(format!("{}: blocked behind {behind}", where_of(&task.sites)));
            done.insert(task.id.as_str().to_owned(), false);
            continue;
        }
        match molt_agent::rules::apply(recipe, task, work, &policy) {
            Ok(out) => {
                port.migrated += out.mapped.len();
                port.unmapped += out.unmapped.len();
                // One line per item and reason, at the item's first site left.
                let mut left: BTreeMap<(String, Option<String>, String), (usize, usize)> = BTreeMap::new();
                for (site, why) in &out.unmapped {
                    *port.reasons.entry(short_reason(why)).or_default() += 1;
                    let key = (site.path.clone(), site.symbol.clone(), short_reason(why));
                    let at = left.entry(key).or_insert((site.line, 0));
                    at.0 = at.0.min(site.line);
                    at.1 += 1;
                }
                for ((path, symbol, why), (line, n)) in left {
                    let site = molt_core::Site { path, symbol, line, ..out.unmapped[0].0.clone() };
                    let s = if n == 1 { "" } else { "s" };
                    port.residue.push(format!("{} ({n} site{s}): {why}", where_of(std::slice::from_ref(&site))));
                }
                let ok = out.unmapped.is_empty();
                port.committed_tasks += usize::from(ok && !out.changed.is_empty());
                done.insert(task.id.as_str().to_owned(), ok);
            }
            Err(e) => {
                port.failed += task.sites.len();
                port.residue.push(format!(
                    "{}: the rewrite failed: {}",
                    where_of(&task.sites),
                    short_reason(&e.to_string())
                ));
                *port.reasons.entry(short_reason(&e.to_string())).or_default() += task.sites.len();
                done.insert(task.id.as_str().to_owned(), false);
            }
        }
    }
    Ok(port)
}

/// Where sites are: the file and the function (or "file level").
fn where_of(sites: &[molt_core::Site]) -> String {
    let Some(first) = sites.first() else { return "no sites".to_owned() };
    let name = first.symbol.as_deref().and_then(|s| s.strip_prefix(&format!("{}::", first.path))).unwrap_or("");
    let item = match name {
        "" => format!("line {} (file level)", first.line),
        n if n.chars().all(|c| c.is_alphanumeric() || c == '_' || c == ':') => format!("{n}(), line {}", first.line),
        n => format!("{n}, line {}", first.line),
    };
    format!("{}, {item}", first.path)
}

/// C and C++ sources and headers, by their usual extensions.
fn is_c_or_cpp(path: &str) -> bool {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(ext, "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx")
}

/// A reason without the parts that differ from site to site, so that equal
/// reasons count together: the first unmapped name stays.
fn short_reason(why: &str) -> String {
    let first = why.split(", ").next().unwrap_or(why);
    let first = first.split(": still x86 here").next().unwrap_or(first);
    first.chars().take(90).collect()
}
