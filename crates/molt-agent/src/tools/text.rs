//! Text helpers for the tools' answers.

use molt_syntax::Item;

/// Collapses runs of spaces (from the line continuations of the tool table) to one.
pub(super) fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) const CUT_NOTE: &str = "[cut at 32 KiB; narrow the request]";

pub(super) fn kind_label(item: &Item) -> String {
    serde_json::to_value(item.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(super) fn quoted(items: &[String]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// `./src/a.c` to `src/a.c`.
pub(super) fn normalize(path: &str) -> String {
    let mut s = path.trim();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_owned()
}

/// One line of at most `max` characters, whitespace collapsed.
pub(super) fn one_line(text: &str, max: usize) -> String {
    let line = squash(text);
    if line.chars().count() > max {
        let head: String = line.chars().take(max).collect();
        format!("{head}...")
    } else {
        line
    }
}

/// `text` cut at `max` bytes (on a line boundary when there is one), with `note` after.
pub(super) fn cut(text: &str, max: usize, note: &str) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if let Some(nl) = text[..end].rfind('\n') {
        end = nl + 1;
    }
    let mut out = text[..end].to_owned();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(note);
    out.push('\n');
    out
}

/// Up to three of `candidates` closest to `wanted`, closest first.
pub(super) fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> =
        candidates.map(|c| (strsim::jaro_winkler(wanted, c), c)).filter(|(score, _)| *score > 0.8).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    // Only the names about as close as the best one: a shared `src/` prefix
    // alone makes unrelated paths score high.
    let best = scored.first().map_or(0.0, |s| s.0);
    scored.into_iter().take_while(|s| s.0 >= best - 0.03).take(3).map(|(_, c)| c.to_owned()).collect()
}
