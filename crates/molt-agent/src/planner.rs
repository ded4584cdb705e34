//! The rules-derived planner: sites from the recipe's finders, grouped into
//! tasks by enclosing item (a function with its private helpers) or by file,
//! ordered so that headers come before the code that needs them, callees
//! before their callers, and build files last.

use std::collections::{BTreeMap, BTreeSet};

use molt_core::{Plan, Site, Spec, Task, TaskId};
use molt_recipes::ctree::{self, Dialect};
use molt_recipes::Recipe;

/// One file of the repository, as the planner sees it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Repository-relative, `/`-separated.
    pub path: String,
    pub text: String,
}

/// Every site the recipe finds in `files`, in file order.
pub fn find_sites(recipe: &dyn Recipe, files: &[SourceFile]) -> Vec<Site> {
    files.iter().flat_map(|f| recipe.find_sites(&f.path, &f.text)).collect()
}

/// A group of sites that becomes one task.
#[derive(Debug)]
struct Group {
    path: String,
    /// The item names in the group (empty for file-level groups).
    items: BTreeSet<String>,
    /// The item the group is named after: the caller, not its helpers.
    primary: Option<String>,
    /// The kind of a file-level group (`x86-header`, `x86-build-flag`).
    file_kind: Option<String>,
    /// For build-file flags: the source files they apply to (repository
    /// paths as the build file names them); `None` for the whole project.
    applies_to: Option<Vec<String>>,
    sites: Vec<Site>,
}

/// Builds the plan for `spec` from the recipe's sites.
pub fn rules_plan(spec: &Spec, recipe: &dyn Recipe, files: &[SourceFile]) -> Plan {
    let sites = find_sites(recipe, files);
    let mut groups: Vec<Group> = Vec::new();
    let mut by_key: BTreeMap<(String, String), usize> = BTreeMap::new();
    for site in sites {
        let (key, item, file_kind) = match &site.symbol {
            Some(sym) => {
                let name = sym.rsplit_once("::").map_or(sym.as_str(), |(_, n)| n).to_owned();
                ((site.path.clone(), format!("item:{name}")), Some(name), None)
            }
            None => ((site.path.clone(), format!("file:{}", site.kind)), None, Some(site.kind.clone())),
        };
        // Flags that apply to named files are a task of their own per set of files.
        let applies_to = flag_scope(&site, files);
        let key = match &applies_to {
            Some(to) => (key.0, format!("{}:{}", key.1, to.join(" "))),
            None => key,
        };
        let idx = *by_key.entry(key).or_insert_with(|| {
            groups.push(Group {
                path: site.path.clone(),
                items: BTreeSet::new(),
                primary: item.clone(),
                file_kind,
                applies_to: applies_to.clone(),
                sites: Vec::new(),
            });
            groups.len() - 1
        });
        if let Some(item) = item {
            groups[idx].items.insert(item);
        }
        groups[idx].sites.push(site);
    }

    // Who calls whom, per file, among named items.
    let mut calls: BTreeMap<String, Vec<ctree::ItemCalls>> = BTreeMap::new();
    for f in files {
        if let Some(d) = Dialect::of(&f.path) {
            if groups.iter().any(|g| g.path == f.path) {
                calls.insert(f.path.clone(), ctree::item_calls(d, &f.text));
            }
        }
    }
    fold_private_helpers(&mut groups, &calls);

    // Order: file-level groups of earlier kinds first, then items in file order.
    let kind_rank = |g: &Group| -> usize {
        let order = recipe.kind_order();
        match &g.file_kind {
            Some(k) => order.iter().position(|o| o == k).unwrap_or(order.len()),
            None => 1,
        }
    };
    let is_build = |g: &Group| g.file_kind.as_deref() == Some("x86-build-flag") || is_build_path(&g.path);
    // The latest kind among an item group's sites.
    let item_rank = |g: &Group| -> usize {
        let order = recipe.kind_order();
        g.sites.iter().map(|s| order.iter().position(|o| *o == s.kind).unwrap_or(order.len())).max().unwrap_or(0)
    };
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&i| {
        let g = &groups[i];
        // Headers, then items, then the file-level kinds that wait for items.
        let phase = match (&g.file_kind, kind_rank(g)) {
            (None, _) | (Some(_), 1) => 1,
            (Some(_), 0) => 0,
            (Some(_), _) => 2,
        };
        (is_build(g), phase, g.path.clone(), g.sites.first().map_or(0, |s| s.start))
    });

    let ids: Vec<TaskId> = order
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let g = &groups[i];
            let what = match (&g.primary, &g.applies_to) {
                (Some(first), _) => first.clone(),
                (None, Some(to)) => format!(
                    "{}-{}-{}",
                    file_stem(&g.path),
                    g.file_kind.as_deref().unwrap_or("file"),
                    to.first().map_or(String::new(), |f| file_stem(f))
                ),
                (None, None) => format!("{}-{}", file_stem(&g.path), g.file_kind.as_deref().unwrap_or("file")),
            };
            TaskId::new(format!("t{:02}-{}", n + 1, slug(&what)))
        })
        .collect();
    let id_of: BTreeMap<usize, TaskId> = order.iter().copied().zip(ids.iter().cloned()).collect();

    // Dependencies.
    let mut deps: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    let item_owner: BTreeMap<(String, String), usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(i, g)| g.items.iter().map(move |n| ((g.path.clone(), n.clone()), i)))
        .collect();
    for (i, g) in groups.iter().enumerate() {
        let entry = deps.entry(i).or_default();
        for (j, h) in groups.iter().enumerate() {
            if i == j {
                continue;
            }
            // Build files change last: they turn on the new target. Flags
            // of named files wait for those files' tasks, other flags for all.
            if is_build(g) && !is_build(h) && g.applies_to.as_ref().is_none_or(|to| covers(to, &h.path)) {
                entry.insert(j);
            }
            // In one file, earlier file-level kinds (headers) before items.
            if h.path == g.path && h.file_kind.is_some() && !is_build(h) && kind_rank(h) < kind_rank(g) {
                entry.insert(j);
            }
            // A file-level kind ordered after every kind of an item's sites
            // (feature guards) waits for that item, in any file: a guard is
            // widened to the new target once all the code it may guard is
            // ported, so the project's guards change together or not at all.
            if g.file_kind.is_some() && !is_build(g) && h.file_kind.is_none() && kind_rank(g) > item_rank(h) {
                entry.insert(j);
            }
        }
        // Callees before callers.
        if let Some(items) = calls.get(&g.path) {
            for item in items.iter().filter(|it| g.items.contains(&it.name)) {
                for callee in &item.calls {
                    if let Some(&j) = item_owner.get(&(g.path.clone(), callee.clone())) {
                        if j != i {
                            entry.insert(j);
                        }
                    }
                }
            }
        }
    }
    let mut tasks: Vec<Task> = Vec::new();
    for &i in &order {
        let g = &groups[i];
        let mut files = vec![g.path.clone()];
        if g.file_kind.as_deref() == Some("x86-header") {
            let dir = g.path.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
            files.push(format!("{dir}molt_simd_neon.h"));
            files.push(format!("{dir}molt_simd_scalar.h"));
        }
        let depends_on: Vec<TaskId> = deps[&i].iter().filter_map(|j| id_of.get(j).cloned()).collect();
        tasks.push(Task {
            id: id_of[&i].clone(),
            title: title(recipe.name(), g),
            instruction: instruction(recipe, g),
            files,
            sites: g.sites.clone(),
            depends_on,
            checks: Vec::new(),
            estimate_tokens: estimate_tokens(g),
        });
    }
    let mut plan = Plan { version: 1, migration: spec.migration.name.clone(), tasks };
    // Mutual recursion would make a cycle; drop the edge that closes it.
    break_cycles(&mut plan);
    plan
}

// Token estimates are rough by design: a task's prompt carries its items and
// the instruction, and the answer rewrites the items.
fn estimate_tokens(g: &Group) -> u64 {
    let start = g.sites.iter().map(|s| s.start).min().unwrap_or(0);
    let end = g.sites.iter().map(|s| s.end).max().unwrap_or(0);
    (end.saturating_sub(start) * 2 / 4 + 1500) as u64
}

/// A `static` item called by exactly one other item group in its file is
/// that item's private helper: the two are migrated in one task.
fn fold_private_helpers(groups: &mut Vec<Group>, calls: &BTreeMap<String, Vec<ctree::ItemCalls>>) {
    loop {
        let mut merge: Option<(usize, usize)> = None;
        'find: for (i, g) in groups.iter().enumerate() {
            if g.file_kind.is_some() || g.items.len() != 1 {
                continue;
            }
            let Some(items) = calls.get(&g.path) else { continue };
            let name = g.items.iter().next().map(String::as_str).unwrap_or("");
            if !items.iter().any(|it| it.name == name && it.is_static) {
                continue;
            }
            let callers: BTreeSet<&str> =
                items.iter().filter(|it| it.calls.contains(name)).map(|it| it.name.as_str()).collect();
            let caller_groups: BTreeSet<usize> = groups
                .iter()
                .enumerate()
                .filter(|(j, h)| *j != i && h.path == g.path && h.items.iter().any(|n| callers.contains(n.as_str())))
                .map(|(j, _)| j)
                .collect();
            // Callers outside any group (no sites of their own) also count.
            let grouped_callers: usize = groups
                .iter()
                .filter(|h| h.path == g.path)
                .flat_map(|h| h.items.iter())
                .filter(|n| callers.contains(n.as_str()))
                .count();
            if caller_groups.len() == 1 && grouped_callers == callers.len() {
                if let Some(&j) = caller_groups.iter().next() {
                    merge = Some((i, j));
                    break 'find;
                }
            }
        }
        let Some((helper, into)) = merge else { break };
        let g = groups.remove(helper);
        let into = if into > helper { into - 1 } else { into };
        groups[into].items.extend(g.items);
        groups[into].sites.extend(g.sites);
        groups[into].sites.sort_by_key(|s| s.start);
    }
}

fn break_cycles(plan: &mut Plan) {
    while let Err(molt_core::PlanError::Cycle { cycle, .. }) = plan.validate() {
        // Drop the dependency from the last task of the cycle on the first.
        let (Some(first), Some(last)) = (cycle.first().cloned(), cycle.last().cloned()) else { break };
        let Some(task) = plan.tasks.iter_mut().find(|t| t.id == first) else { break };
        let before = task.depends_on.len();
        task.depends_on.retain(|d| d != &last && d != &first);
        if task.depends_on.len() == before {
            break;
        }
    }
}

/// The repository's source files a build-file flag applies to, when the
/// build file names them (a rule's sources, a target's object, CMake's
/// source properties); `None` when it applies to the whole project or the
/// files cannot be told, and for every other site.
fn flag_scope(site: &Site, files: &[SourceFile]) -> Option<Vec<String>> {
    if site.kind != "x86-build-flag" {
        return None;
    }
    let build = files.iter().find(|f| f.path == site.path)?;
    let names = molt_recipes::buildfile::flag_sources(&build.path, &build.text, site.start)?;
    let dir = build.path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut out: Vec<String> = names.iter().map(|n| join_path(dir, n)).collect::<Option<_>>()?;
    out.sort();
    out.dedup();
    Some(out)
}

/// `dir/name` with `./` and `..` steps resolved; `None` when it leaves the repository.
fn join_path(dir: &str, name: &str) -> Option<String> {
    let mut parts: Vec<&str> = if dir.is_empty() { Vec::new() } else { dir.split('/').collect() };
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Whether a task of the file at `path` belongs to one of the files `to`
/// (compared without extensions: `k.o` stands for `k.c`).
fn covers(to: &[String], path: &str) -> bool {
    let stem = |p: &str| -> String {
        let name_at = p.rfind('/').map_or(0, |i| i + 1);
        match p[name_at..].rfind('.') {
            Some(dot) => p[..name_at + dot].to_owned(),
            None => p.to_owned(),
        }
    };
    let own = stem(path);
    to.iter().any(|t| stem(t) == own)
}

fn is_build_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(name, "Makefile" | "makefile" | "GNUmakefile" | "CMakeLists.txt") || name.ends_with(".mk")
}

fn file_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('.').next().unwrap_or(name).to_owned()
}

fn slug(s: &str) -> String {
    let mut out: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').chars().take(40).collect()
}

fn title(recipe: &str, g: &Group) -> String {
    match (&g.file_kind, g.items.len()) {
        (Some(k), _) if k == "x86-header" => format!("Guard the x86 headers of {} and add the NEON ones", g.path),
        (Some(k), _) if k == "x86-build-flag" => match &g.applies_to {
            Some(to) => format!("Make the x86 compiler flags of {} for {} per-architecture", g.path, to.join(", ")),
            None => format!("Make the x86 compiler flags of {} per-architecture", g.path),
        },
        (Some(k), _) => format!("Migrate the {k} sites of {}", g.path),
        (None, 1) => format!("Port {} in {} ({recipe})", g.primary.as_deref().unwrap_or(""), g.path),
        (None, _) => {
            let helpers: Vec<&str> =
                g.items.iter().map(String::as_str).filter(|n| Some(*n) != g.primary.as_deref()).collect();
            format!(
                "Port {} with its helpers {} in {} ({recipe})",
                g.primary.as_deref().unwrap_or(""),
                helpers.join(", "),
                g.path
            )
        }
    }
}

fn instruction(recipe: &dyn Recipe, g: &Group) -> String {
    let kinds: BTreeSet<&str> = g.sites.iter().map(|s| s.kind.as_str()).collect();
    let mut parts: Vec<String> = Vec::new();
    for k in &kinds {
        let text = recipe.instruction(k);
        if !text.is_empty() && !parts.contains(&text) {
            parts.push(text);
        }
    }
    let guidance = recipe.guidance();
    if !guidance.is_empty() {
        parts.push(guidance);
    }
    // The sites themselves are the task's `sites`: a coder agent is shown
    // the ones the rules left, with the code around them, so listing every
    // site here too would only be sent again with each of its calls.
    parts.join(" ")
}

#[cfg(test)]
mod tests;
