//! Finding sites and applying a recipe file's rules until the text settles.

use std::collections::BTreeSet;

use molt_core::Site;
use molt_syntax::{search_text, Lang, Match};
use tree_sitter::{Node, Tree};

use super::{FileRecipe, Matcher, MAX_PASSES};
use crate::recipe::Rewrite;
use crate::{Error, Result};

/// A replacement template: literal text and captures.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
enum Part {
    Literal(String),
    Capture { name: String, rename: bool },
}

impl Template {
    /// `$NAME`, `$$$NAME`, `${NAME}` and `${NAME:rename}`; any other `$` is literal.
    pub(crate) fn parse(source: &str) -> Template {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = source;
        let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
        while let Some(i) = rest.find('$') {
            literal.push_str(&rest[..i]);
            let after = &rest[i..];
            let (name, rename, used) = if let Some(body) = after.strip_prefix("${") {
                match body.find('}') {
                    Some(close) => {
                        let inner = &body[..close];
                        let (name, filter) = inner.split_once(':').unwrap_or((inner, ""));
                        (name.trim().to_owned(), filter.trim() == "rename", 2 + close + 1)
                    }
                    None => (String::new(), false, 0),
                }
            } else {
                let skip = if after.starts_with("$$$") { 3 } else { 1 };
                let len = after[skip..].chars().take_while(|&c| is_name(c)).map(char::len_utf8).sum::<usize>();
                (after[skip..skip + len].to_owned(), false, if len > 0 { skip + len } else { 0 })
            };
            if used == 0 || name.is_empty() {
                literal.push('$');
                rest = &after[1..];
                continue;
            }
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(Part::Capture { name, rename });
            rest = &after[used..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Template { parts }
    }

    /// The capture names the template uses.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Capture { name, .. } => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// The text for one match; `rename` gives a capture's renamed text.
    fn render(&self, m: &Match, rename: &dyn Fn(&str) -> String) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Literal(s) => out.push_str(s),
                Part::Capture { name, rename: renamed } => {
                    let text = m.captures.get(name).map(String::as_str).unwrap_or("");
                    if *renamed {
                        out.push_str(&rename(name));
                    } else {
                        out.push_str(text);
                    }
                }
            }
        }
        out
    }
}

/// One rewrite a rule proposes in the current text.
#[derive(Debug)]
struct Candidate {
    start: usize,
    end: usize,
    replacement: String,
    rule: usize,
}

fn wanted(m: &Matcher, lang: Lang, text: &str) -> bool {
    m.lang == lang && (m.prefilter.is_empty() || m.prefilter.iter().any(|p| text.contains(p.as_str())))
}

/// Whether the guards other than `reject_result` hold for a match.
fn guards_hold(m: &Matcher, found: &Match, tree: &Tree, text: &str) -> bool {
    let g = &m.guards;
    for (name, re) in &g.constraints {
        if !found.captures.get(name).is_some_and(|v| re.is_match(v)) {
            return false;
        }
    }
    let function = found.symbol.as_deref().map(|s| s.rsplit("::").next().unwrap_or(s));
    if let Some(re) = &g.inside_function {
        if !function.is_some_and(|f| re.is_match(f)) {
            return false;
        }
    }
    if let Some(re) = &g.not_inside_function {
        if function.is_some_and(|f| re.is_match(f)) {
            return false;
        }
    }
    if let Some(re) = &g.not_under_if {
        if under_if(tree, text, found.start, found.end, re) {
            return false;
        }
    }
    true
}

/// Whether `start..end` sits in the taken branch of an `#if`/`#ifdef`/`#elif`
/// whose condition matches `re` (its `#else` side does not count).
fn under_if(tree: &Tree, text: &str, start: usize, end: usize, re: &regex::Regex) -> bool {
    let mut node = tree.root_node().descendant_for_byte_range(start, end);
    while let Some(n) = node {
        let strictly_outside = n.start_byte() < start || n.end_byte() > end;
        if strictly_outside && matches!(n.kind(), "preproc_if" | "preproc_ifdef" | "preproc_elif" | "preproc_elifdef") {
            let negated = text.get(n.start_byte()..).is_some_and(|t| t.starts_with("#ifndef"));
            let in_alternative =
                n.child_by_field_name("alternative").is_some_and(|a| a.start_byte() <= start && end <= a.end_byte());
            let cond = n.child_by_field_name("condition").or_else(|| n.child_by_field_name("name"));
            if !negated && !in_alternative && cond.is_some_and(|c| re.is_match(node_text(c, text))) {
                return true;
            }
        }
        node = n.parent();
    }
    false
}

fn node_text<'a>(n: Node<'_>, text: &'a str) -> &'a str {
    text.get(n.byte_range()).unwrap_or("")
}

/// The text of `start..end` with the recipe's renames applied to its
/// identifier and type nodes.
fn renamed(recipe: &FileRecipe, tree: &Tree, text: &str, start: usize, end: usize) -> String {
    let Some(top) = tree.root_node().descendant_for_byte_range(start, end) else {
        return text.get(start..end).unwrap_or("").to_owned();
    };
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut stack = vec![top];
    while let Some(n) = stack.pop() {
        if n.end_byte() <= start || n.start_byte() >= end {
            continue;
        }
        if n.child_count() == 0 {
            if matches!(n.kind(), "identifier" | "type_identifier" | "primitive_type" | "field_identifier")
                && n.start_byte() >= start
                && n.end_byte() <= end
            {
                let name = node_text(n, text);
                let hit = recipe.renames.iter().find(|r| r.pattern.find(name).is_some_and(|f| f.len() == name.len()));
                if let Some(r) = hit {
                    edits.push((
                        n.start_byte(),
                        n.end_byte(),
                        r.pattern.replace(name, r.replace.as_str()).into_owned(),
                    ));
                }
            }
            continue;
        }
        let mut cursor = n.walk();
        stack.extend(n.children(&mut cursor));
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.get(start..end).unwrap_or("").to_owned();
    for (s, e, new) in edits {
        out.replace_range(s - start..e - start, &new);
    }
    out
}

fn parse(lang: Lang, path: &str, text: &str) -> Result<molt_syntax::Parsed> {
    molt_syntax::parse(lang, text.as_bytes()).map_err(|e| Error::Parse(format!("{path}: {e}")))
}

fn search(m: &Matcher, path: &str, text: &str) -> Vec<Match> {
    // Fails only when a grammar is not compiled in, which loading rules out.
    search_text(&m.searcher, path, text.as_bytes()).unwrap_or_default()
}

fn site(kind: &str, path: &str, m: &Match) -> Site {
    let text = if m.line == m.end_line {
        m.text.trim_end().to_owned()
    } else {
        m.text.lines().next().unwrap_or("").trim().to_owned()
    };
    Site {
        kind: kind.to_owned(),
        path: path.to_owned(),
        symbol: m.symbol.clone(),
        line: m.line,
        start: m.start,
        end: m.end,
        text,
    }
}

/// Whether a match is covered by the plan's targets: same enclosing item,
/// or, at file level, a target of the rule's kind.
fn in_scope(kind: &str, m: &Match, targets: &[Site]) -> bool {
    targets.iter().any(|t| t.symbol == m.symbol && (t.symbol.is_some() || t.kind == kind))
}

/// Every rewrite the rules propose in `text`, restricted to `targets` when given.
fn candidates(
    recipe: &FileRecipe,
    lang: Lang,
    path: &str,
    text: &str,
    tree: &Tree,
    targets: Option<&[Site]>,
) -> Vec<(Candidate, Match)> {
    let mut out = Vec::new();
    for (index, rule) in recipe.rules.iter().enumerate() {
        let Some(template) = &rule.template else { continue };
        if !wanted(rule, lang, text) {
            continue;
        }
        for m in search(rule, path, text) {
            if !guards_hold(rule, &m, tree, text) || targets.is_some_and(|t| !in_scope(&rule.kind, &m, t)) {
                continue;
            }
            let rename = |name: &str| {
                let capture = m.captures.get(name).map(String::as_str).unwrap_or("");
                match m.text.find(capture) {
                    Some(offset) if !capture.is_empty() => {
                        renamed(recipe, tree, text, m.start + offset, m.start + offset + capture.len())
                    }
                    _ => capture.to_owned(),
                }
            };
            let replacement = template.render(&m, &rename);
            if replacement == m.text || rule.guards.reject_result.as_ref().is_some_and(|re| re.is_match(&replacement)) {
                continue;
            }
            out.push((Candidate { start: m.start, end: m.end, replacement, rule: index }, m));
        }
    }
    out
}

/// Every site in one file: the finders' matches and the rules' pending rewrites.
pub(crate) fn find_sites(recipe: &FileRecipe, path: &str, text: &str) -> Vec<Site> {
    let Some(lang) = Lang::from_path(path) else { return Vec::new() };
    let any = recipe.finders.iter().chain(&recipe.rules).any(|m| wanted(m, lang, text));
    if !any {
        return Vec::new();
    }
    let Ok(parsed) = parse(lang, path, text) else { return Vec::new() };
    let mut sites = Vec::new();
    for finder in recipe.finders.iter().filter(|f| wanted(f, lang, text)) {
        for m in search(finder, path, text) {
            if guards_hold(finder, &m, &parsed.tree, text) {
                sites.push(site(&finder.kind, path, &m));
            }
        }
    }
    for (c, m) in candidates(recipe, lang, path, text, &parsed.tree, None) {
        sites.push(site(&recipe.rules[c.rule].kind, path, &m));
    }
    sites.sort_by(|a, b| {
        (a.start, std::cmp::Reverse(a.end), &a.kind).cmp(&(b.start, std::cmp::Reverse(b.end), &b.kind))
    });
    sites.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.kind == b.kind);
    sites
}

/// Applies the rules to `text` until it settles; sites the rules leave come
/// back as unmapped, found again in the new text.
pub(crate) fn rewrite(recipe: &FileRecipe, path: &str, text: &str, targets: &[Site]) -> Result<Rewrite> {
    let Some(lang) = Lang::from_path(path) else {
        return Ok(Rewrite { text: text.to_owned(), ..Rewrite::default() });
    };
    let settled = settle(recipe, lang, path, text, Some(targets))?;
    let remaining: Vec<Site> = find_sites(recipe, path, &settled)
        .into_iter()
        .filter(|s| targets.iter().any(|t| t.symbol == s.symbol && (t.symbol.is_some() || t.kind == s.kind)))
        .collect();
    let mapped = targets
        .iter()
        .filter(|t| !remaining.iter().any(|r| r.kind == t.kind && r.symbol == t.symbol && r.text == t.text))
        .cloned()
        .collect();
    let why = format!("no rule of recipe `{}` rewrites it", recipe.name);
    let unmapped = remaining.into_iter().map(|s| (s, why.clone())).collect();
    Ok(Rewrite { text: settled, new_files: Vec::new(), mapped, unmapped })
}

/// The rewrite passes, until nothing changes.
fn settle(recipe: &FileRecipe, lang: Lang, path: &str, text: &str, targets: Option<&[Site]>) -> Result<String> {
    let mut history: Vec<String> = vec![text.to_owned()];
    let mut applied: Vec<BTreeSet<usize>> = Vec::new();
    let mut current = text.to_owned();
    let mut parsed = parse(lang, path, &current)?;
    loop {
        let mut found: Vec<Candidate> =
            candidates(recipe, lang, path, &current, &parsed.tree, targets).into_iter().map(|(c, _)| c).collect();
        if found.is_empty() {
            return Ok(current);
        }
        let rules_of = |passes: &[BTreeSet<usize>]| -> BTreeSet<usize> { passes.iter().flatten().copied().collect() };
        if applied.len() == MAX_PASSES {
            let rules = rules_of(&applied[applied.len().saturating_sub(2)..]);
            return Err(cycle_error(recipe, &rules, format!("{path}: still changing after {MAX_PASSES} passes")));
        }
        // Innermost first: an outer match that overlaps is found again next pass.
        found.sort_by_key(|c| (c.end - c.start, c.start));
        let mut chosen: Vec<Candidate> = Vec::new();
        for c in found {
            if chosen.iter().all(|o| c.end <= o.start || o.end <= c.start) {
                chosen.push(c);
            }
        }
        chosen.sort_by_key(|c| std::cmp::Reverse(c.start));
        let rules: BTreeSet<usize> = chosen.iter().map(|c| c.rule).collect();
        let mut next = current.clone();
        for c in &chosen {
            next.replace_range(c.start..c.end, &c.replacement);
        }
        let next_parsed = parse(lang, path, &next)?;
        if next_parsed.diagnostics.len() > parsed.diagnostics.len() {
            let d = next_parsed.diagnostics.first();
            let at = d.map_or_else(String::new, |d| format!(" (line {}: {})", d.line, d.message));
            return Err(cycle_error(
                recipe,
                &rules,
                format!("{path}: the rewrite would add syntax errors{at}; nothing was changed"),
            ));
        }
        applied.push(rules);
        if let Some(seen) = history.iter().position(|h| *h == next) {
            let involved = rules_of(&applied[seen..]);
            let verb = if involved.len() > 1 { "undo each other" } else { "undoes itself" };
            return Err(cycle_error(recipe, &involved, format!("{path}: the rules {verb}: the text repeats")));
        }
        history.push(next.clone());
        current = next;
        parsed = next_parsed;
    }
}

fn cycle_error(recipe: &FileRecipe, rules: &BTreeSet<usize>, message: String) -> Error {
    let named: Vec<&Matcher> = rules.iter().filter_map(|&i| recipe.rules.get(i)).collect();
    let line = named.first().map_or(0, |r| r.line);
    let mut names: Vec<String> = named.iter().map(|r| format!("\"{}\" (line {})", r.name, r.line)).collect();
    names.dedup();
    let rule = format!("rule{} {}", if names.len() > 1 { "s" } else { "" }, names.join(", "));
    recipe.recipe_error(line, rule, message)
}
