//! `fleet-report.md`.

use std::fmt::Write;

use super::{fmt_secs, fmt_usd, percent, FleetReport};

/// Table cells: no pipes or line breaks, markdown's own characters escaped.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Renders the report as markdown.
pub fn markdown(r: &FleetReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# molt fleet report: {}\n", cell(&r.title));
    let _ = writeln!(s, "{}\n", summary_line(r));
    s.push_str("| outcome | repositories |\n| --- | ---: |\n");
    for (outcome, n) in &r.outcomes {
        let _ = writeln!(s, "| {outcome} | {n} |");
    }
    let t = &r.totals;
    let _ = writeln!(
        s,
        "\nSites: {} of {} migrated ({}), {} unmapped. Commits: {}. Pull requests: {} open ({} opened, {} updated, {} left as they were). Tokens: {}. Cost: {}. Time: {} in all.",
        t.sites_migrated,
        t.sites,
        percent(t.sites_migrated, t.sites),
        t.sites_unmapped,
        t.commits,
        r.pull_requests.open,
        r.pull_requests.created,
        r.pull_requests.updated,
        r.pull_requests.unchanged,
        t.tokens,
        fmt_usd(t.cost_usd),
        fmt_secs(t.duration_ms),
    );
    if !r.failures.is_empty() {
        s.push_str("\n## Failures by reason\n\n| reason | repositories |\n| --- | --- |\n");
        for g in &r.failures {
            let _ = writeln!(
                s,
                "| {} ({}) | {} |",
                cell(&g.reason),
                g.repositories.len(),
                cell(&g.repositories.join(", "))
            );
        }
    }
    s.push_str("\n## Repositories\n\n| # | repository | outcome | sites | commits | pull request | cost | time |\n| ---: | --- | --- | ---: | ---: | --- | ---: | ---: |\n");
    for row in &r.rows {
        let outcome = match (&row.reason, &row.error) {
            (_, Some(e)) => format!("{}: {}", row.outcome, e),
            (Some(reason), None) => format!("{} ({reason})", row.outcome),
            (None, None) => row.outcome.to_string(),
        };
        let pull = match &row.pull_request {
            Some(url) if row.up_to_date => format!("{url} (up to date)"),
            Some(url) => url.clone(),
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} of {} | {} | {} | {} | {} |",
            row.index.map_or_else(String::new, |i| i.to_string()),
            cell(&row.name),
            cell(&outcome),
            row.sites_migrated,
            row.sites,
            row.commits,
            cell(&pull),
            fmt_usd(row.cost_usd),
            fmt_secs(row.duration_ms),
        );
    }
    if r.superseded > 0 {
        let _ = writeln!(
            s,
            "\n{} result files were replaced by a later result for the same repository (a retry).",
            r.superseded
        );
    }
    let _ = writeln!(s, "\nGenerated at: {}", r.generated_at);
    s
}

/// One sentence: how many repositories, and how many migrated.
pub(crate) fn summary_line(r: &FleetReport) -> String {
    let migrated = r.outcomes.get(&crate::result::Outcome::Migrated).copied().unwrap_or(0);
    format!(
        "{migrated} of {} repositories migrated ({}){}.",
        r.repositories,
        percent(migrated, r.repositories),
        if r.up_to_date > 0 { format!("; {} were already up to date", r.up_to_date) } else { String::new() }
    )
}
