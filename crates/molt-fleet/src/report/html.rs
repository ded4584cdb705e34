//! `fleet-report.html`: one self-contained page in the run report's style,
//! its charts inline SVG, under a content security policy that forbids
//! loading anything.

use std::fmt::Write;

use molt_agent::report::{bar_chart, esc, Bar, STYLE};

use super::markdown::summary_line;
use super::{fmt_secs, fmt_usd, percent, FleetReport};
use crate::result::Outcome;

const FLEET_STYLE: &str = "\
.outcome-migrated{color:#2e7d32}.outcome-checks_failed{color:#c62828}.outcome-incomplete{color:#ef6c00}.outcome-error{color:#6a1b9a}
td.reason{color:#555}";

fn color(o: Outcome) -> &'static str {
    match o {
        Outcome::Migrated => "#2e7d32",
        Outcome::ChecksFailed => "#c62828",
        Outcome::Incomplete => "#ef6c00",
        Outcome::Error => "#6a1b9a",
    }
}

/// The most repositories the time chart draws (the slowest ones).
const TIME_BARS: usize = 30;

/// Renders the report as a self-contained HTML page.
pub fn html(r: &FleetReport) -> String {
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n",
    );
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n");
    let _ = writeln!(s, "<title>molt fleet report: {}</title>", esc(&r.title));
    let _ = writeln!(s, "<style>\n{STYLE}\n{FLEET_STYLE}\n</style>\n</head>\n<body>");
    let _ = writeln!(s, "<h1>molt fleet report: {}</h1>", esc(&r.title));
    let _ = writeln!(s, "<p><b>{}</b></p>", esc(&summary_line(r)));

    let t = &r.totals;
    s.push_str("<div class=\"facts\">\n");
    let mut facts: Vec<(String, String)> = vec![("repositories".into(), r.repositories.to_string())];
    for (o, n) in &r.outcomes {
        facts.push((o.as_str().replace('_', " "), n.to_string()));
    }
    facts.extend([
        (
            "sites migrated".into(),
            format!("{} of {} ({})", t.sites_migrated, t.sites, percent(t.sites_migrated, t.sites)),
        ),
        ("pull requests".into(), r.pull_requests.open.to_string()),
        ("tokens".into(), t.tokens.to_string()),
        ("cost".into(), fmt_usd(t.cost_usd)),
        ("time, all units".into(), fmt_secs(t.duration_ms)),
    ]);
    for (label, value) in &facts {
        let _ = writeln!(s, "<div class=\"fact\"><b>{}</b>{}</div>", esc(value), esc(label));
    }
    s.push_str("</div>\n");

    s.push_str("<h2>Charts</h2>\n<div class=\"charts\">\n");
    let bars: Vec<Bar> = r
        .outcomes
        .iter()
        .map(|(o, n)| Bar::new(o.as_str().replace('_', " "), *n as f64, n.to_string(), color(*o)))
        .collect();
    s.push_str(&bar_chart("Repositories by outcome", &bars));
    let mut slow: Vec<_> = r.rows.iter().collect();
    slow.sort_by(|a, b| b.duration_ms.cmp(&a.duration_ms).then(a.name.cmp(&b.name)));
    let bars: Vec<Bar> = slow
        .iter()
        .take(TIME_BARS)
        .map(|row| Bar::new(row.name.clone(), row.duration_ms as f64, fmt_secs(row.duration_ms), color(row.outcome)))
        .collect();
    s.push_str(&bar_chart("Time per repository (slowest first)", &bars));
    s.push_str("</div>\n");

    if !r.failures.is_empty() {
        s.push_str(
            "<h2>Failures by reason</h2>\n<table>\n<tr><th>reason</th><th>count</th><th>repositories</th></tr>\n",
        );
        for g in &r.failures {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                esc(&g.reason),
                g.repositories.len(),
                esc(&g.repositories.join(", "))
            );
        }
        s.push_str("</table>\n");
    }

    s.push_str("<h2>Repositories</h2>\n<table>\n<tr><th>#</th><th>repository</th><th>outcome</th><th>why</th><th>sites</th><th>commits</th><th>pull request</th><th>cost</th><th>time</th></tr>\n");
    for row in &r.rows {
        let why = row.error.clone().or_else(|| row.reason.clone()).unwrap_or_default();
        let pull = match &row.pull_request {
            Some(url) => format!(
                "<a href=\"{}\">#{}</a>{}",
                esc(url),
                esc(url.rsplit('/').next().unwrap_or(url)),
                if row.up_to_date { " (up to date)" } else { "" }
            ),
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "<tr><td class=\"n\">{}</td><td><span title=\"{}\">{}</span></td><td class=\"outcome-{}\">{}</td><td class=\"reason\">{}</td><td class=\"n\">{} of {}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            row.index.map_or_else(String::new, |i| i.to_string()),
            esc(&row.url),
            esc(&row.name),
            row.outcome.as_str(),
            esc(&row.outcome.as_str().replace('_', " ")),
            esc(&why),
            row.sites_migrated,
            row.sites,
            row.commits,
            pull,
            esc(&fmt_usd(row.cost_usd)),
            esc(&fmt_secs(row.duration_ms)),
        );
    }
    s.push_str("</table>\n");
    let _ = writeln!(s, "<footer>Generated by molt at {}.</footer>\n</body>\n</html>", esc(&r.generated_at));
    s
}
