//! `report.md`: the report as GitHub-flavoured markdown, for a pull request
//! description or a terminal.

use std::fmt::Write;

use super::{fmt_change, fmt_measure, fmt_usd, short, Report};
use crate::state::CheckSummary;

/// Renders the report as markdown.
pub fn markdown(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# molt report: {}\n", inline(&r.migration));
    let _ = writeln!(s, "{}\n", inline(&r.goal));
    let _ = writeln!(s, "- Result: {}", result_line(r));
    let _ = writeln!(s, "- Branch: `{}` from `{}`", code(&r.branch), code(short(&r.base)));
    let _ = writeln!(s, "- Coverage: {}", r.coverage_line);
    let _ = writeln!(
        s,
        "- Model use: {} tokens, {}{}",
        r.spent.tokens,
        fmt_usd(r.spent.cost_usd),
        if r.spent.calls > 0 { format!(" in {} calls", r.spent.calls) } else { String::new() }
    );
    let _ = writeln!(s, "- Generated at: {}", inline(&r.generated_at));

    s.push_str("\n## Tasks\n\n");
    if r.tasks.is_empty() {
        s.push_str("The plan has no tasks.\n");
    } else {
        s.push_str("| task | state | agent | attempts | tokens | cost | sites (rules / model / unmapped) | checks | commit |\n");
        s.push_str("| --- | --- | --- | ---: | ---: | ---: | --- | --- | --- |\n");
        for t in &r.tasks {
            let checks = t.checks.iter().map(|c| format!("{} {}", c.name, c.outcome)).collect::<Vec<_>>().join(", ");
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} ({} / {} / {}) | {} | {} |",
                inline(&t.id),
                t.state.as_str(),
                inline(t.agent.as_deref().unwrap_or("-")),
                t.attempts,
                t.tokens,
                fmt_usd(t.cost_usd),
                t.sites,
                t.sites_rules,
                t.sites_model,
                t.sites_unmapped,
                inline(if checks.is_empty() { "-" } else { &checks }),
                t.commit.as_deref().map_or_else(|| "-".to_owned(), |c| format!("`{}`", code(short(c)))),
            );
        }
        let errors: Vec<_> = r.tasks.iter().filter_map(|t| t.error.as_ref().map(|e| (&t.id, e))).collect();
        if !errors.is_empty() {
            s.push_str("\nWhy tasks did not commit:\n\n");
            for (id, e) in errors {
                let _ = writeln!(s, "- {}: {}", inline(id), inline(e));
            }
        }
    }

    s.push_str("\n## Checks\n\n");
    if r.checks.is_empty() {
        s.push_str("The spec names no checks.\n");
    } else {
        s.push_str("| check | kind | before (baseline) | after (final) |\n| --- | --- | --- | --- |\n");
        for c in &r.checks {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                inline(&c.name),
                c.kind.as_str(),
                inline(&verdict(c.before.as_ref())),
                inline(&verdict(c.after.as_ref()))
            );
        }
    }

    if !r.benchmarks.is_empty() {
        s.push_str("\n## Benchmarks\n\n");
        s.push_str(
            "| check | metric | before | after | change | allowed |\n| --- | --- | ---: | ---: | --- | ---: |\n",
        );
        for b in &r.benchmarks {
            let change = match (b.change, b.regressed) {
                (Some(c), Some(true)) => format!("{} (regressed)", fmt_change(c)),
                (Some(c), _) => fmt_change(c),
                (None, _) => "-".to_owned(),
            };
            let _ = writeln!(
                s,
                "| {} | {}{} | {} | {} | {} | {:.1}% |",
                inline(&b.check),
                inline(&b.metric),
                if b.higher_is_better { " (higher is better)" } else { "" },
                inline(&fmt_measure(&b.before, &b.unit)),
                b.after.map_or_else(|| "-".to_owned(), |a| inline(&fmt_measure(&a, &b.unit))),
                change,
                b.max_regression * 100.0
            );
        }
    }

    s.push_str("\n## Unmapped sites\n\n");
    if r.unmapped.is_empty() {
        s.push_str("None: every site was migrated or is still pending.\n");
    } else {
        s.push_str("| location | task | reason |\n| --- | --- | --- |\n");
        for u in &r.unmapped {
            let _ = writeln!(s, "| `{}` | {} | {} |", code(&u.location), inline(&u.task), inline(&u.reason));
        }
    }

    if !r.notes.is_empty() {
        s.push_str("\n## Notes\n\n");
        for n in &r.notes {
            let _ = writeln!(s, "- {}", inline(n));
        }
    }
    s
}

/// `passed`, or what is missing, in words.
pub(crate) fn result_line(r: &Report) -> String {
    let counts = format!(
        "{} committed, {} failed, {} blocked, {} pending",
        r.states.committed,
        r.states.failed,
        r.states.blocked,
        r.states.pending + r.states.running
    );
    let word = if r.passed {
        "passed"
    } else if r.finished {
        "incomplete"
    } else {
        "not finished"
    };
    format!("{word} ({counts} of {} tasks)", r.tasks.len())
}

/// `pass: 3 passed, 0 failed` or `-`.
pub(crate) fn verdict(c: Option<&CheckSummary>) -> String {
    match c {
        None => "-".to_owned(),
        Some(c) if c.detail.is_empty() || c.detail == c.outcome => c.outcome.clone(),
        Some(c) => format!("{}: {}", c.outcome, c.detail),
    }
}

/// Text on one line, with markdown's active characters escaped so names and
/// reasons from the run cannot turn into links, headings or HTML.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Text inside backticks: a backtick would end the span, a newline the row.
fn code(s: &str) -> String {
    s.replace(['`', '\n', '\r'], "'").replace('|', "\\|")
}
