//! What the coder agent is shown of a task: the sites the rules left,
//! grouped, the items they sit in, and the checks' verdicts.

use molt_core::Task;
use molt_verify::{Outcome, Verdict};

/// `path:line: reason` lines grouped by reason, so an item the rules left
/// whole reads as one line with its lines, not one line per site.
pub(super) fn dedupe_reasons(unmapped: &[String]) -> Vec<String> {
    let mut groups: Vec<(String, String, Vec<String>)> = Vec::new();
    for u in unmapped {
        let (loc, reason) = u.split_once(": ").unwrap_or((u.as_str(), ""));
        let (path, line) = loc.rsplit_once(':').unwrap_or((loc, ""));
        match groups.iter_mut().find(|g| g.0 == path && g.1 == reason) {
            Some(g) => {
                if !g.2.iter().any(|l| l == line) {
                    g.2.push(line.to_owned());
                }
            }
            None => groups.push((path.to_owned(), reason.to_owned(), vec![line.to_owned()])),
        }
    }
    groups.into_iter().map(|(path, reason, lines)| format!("{path}:{}: {reason}", line_runs(&lines))).collect()
}

/// Unmapped sites (`path:line: reason`) as each reason once, with how often
/// it came and where first: `` `_mm256_i32gather_ps` has no mapping (17
/// sites, first at src/k.c:255) ``.
pub(super) fn unmapped_reasons(unmapped: &[String]) -> String {
    let mut reasons: Vec<(&str, usize, &str)> = Vec::new();
    for u in unmapped {
        let (loc, reason) = u.split_once(": ").unwrap_or((u.as_str(), ""));
        match reasons.iter_mut().find(|r| r.0 == reason) {
            Some(r) => r.1 += 1,
            None => reasons.push((reason, 1, loc)),
        }
    }
    reasons
        .into_iter()
        .map(|(reason, n, first)| match n {
            1 => format!("{reason} (at {first})"),
            n => format!("{reason} ({n} sites, first at {first})"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `255, 256, 257, 260` as `255-257, 260`: consecutive lines as one run.
pub(super) fn line_runs(lines: &[String]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut other: Vec<&str> = Vec::new();
    let mut numbers: Vec<usize> = Vec::new();
    for l in lines {
        match l.parse() {
            Ok(n) => numbers.push(n),
            Err(_) => other.push(l),
        }
    }
    numbers.sort_unstable();
    for n in numbers {
        match runs.last_mut() {
            Some((_, end)) if n == *end + 1 => *end = n,
            _ => runs.push((n, n)),
        }
    }
    let mut parts: Vec<String> =
        runs.into_iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect();
    parts.extend(other.into_iter().map(str::to_owned));
    parts.join(",")
}

/// A verdict as the model reads it.
pub(super) fn report_of(v: &Verdict) -> crate::prompts::CheckReport {
    crate::prompts::CheckReport {
        name: v.check.clone(),
        outcome: v.outcome.as_str().to_owned(),
        detail: v.detail(),
        failing: v.result.failing.clone(),
        output: if v.outcome == Outcome::Fail { v.result.output.clone() } else { String::new() },
    }
}

/// The items the task's sites sit in, as the first message shows them, and
/// the index of each file read for them (the tool box starts with those).
pub(super) fn symbols_of(
    task: &Task,
    worktree: &std::path::Path,
) -> (Vec<crate::prompts::SymbolText>, crate::tools::FileIndexes) {
    let mut out: Vec<crate::prompts::SymbolText> = Vec::new();
    let mut indexes = crate::tools::FileIndexes::new();
    for site in &task.sites {
        let Some(symbol) = &site.symbol else { continue };
        if out.iter().any(|s| &s.path == symbol) {
            continue;
        }
        if !indexes.contains_key(&site.path) {
            let Ok(text) = std::fs::read_to_string(worktree.join(&site.path)) else { continue };
            let Ok(index) = molt_syntax::index_file(&site.path, text.as_bytes()) else { continue };
            indexes.insert(site.path.clone(), (text, index));
        }
        let Some((text, index)) = indexes.get(&site.path) else { continue };
        if let Some(item) = index.items.iter().find(|i| &i.path == symbol) {
            // The form read_symbol answers with, so the tool box can tell
            // when a read would only repeat it.
            out.push(crate::prompts::SymbolText {
                path: symbol.clone(),
                start_line: item.span.start_line,
                end_line: item.span.end_line,
                text: molt_syntax::item_text(text, item),
            });
        }
    }
    (out, indexes)
}
