//! `report.html`: one self-contained page (inline style, inline SVG charts,
//! no script) whose content security policy forbids loading anything else.

use std::fmt::Write;

use molt_core::TaskState;

use super::markdown::{result_line, verdict};
use super::svg::{bar_chart, Bar};
use super::{fmt_change, fmt_measure, fmt_usd, short, Report};

/// The report pages' style sheet, inlined in each page.
pub const STYLE: &str = "\
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1b1b;background:#fff;margin:0;padding:24px 32px;max-width:1100px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.goal{color:#444;margin:0 0 12px}
.facts{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.fact{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:120px}
.fact b{display:block;font-size:18px}
.passed{color:#2e7d32}.failed{color:#c62828}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,monospace;background:#f4f4f4;padding:1px 3px;border-radius:3px}
.charts{display:flex;flex-wrap:wrap;gap:18px}
.chart{font:12px system-ui,sans-serif;border:1px solid #eee;border-radius:6px;background:#fcfcfc}
.chart-title{font-weight:600;font-size:13px}.chart-empty{fill:#777}
.state-committed{color:#2e7d32}.state-failed{color:#c62828}.state-blocked{color:#ef6c00}.state-pending,.state-running{color:#666}
ul.notes li{color:#555}
footer{margin-top:28px;color:#777;font-size:12px}";

fn state_color(s: TaskState) -> &'static str {
    match s {
        TaskState::Committed => "#2e7d32",
        TaskState::Failed => "#c62828",
        TaskState::Blocked => "#ef6c00",
        TaskState::Running => "#1565c0",
        TaskState::Pending => "#9e9e9e",
    }
}

/// Renders the report as a self-contained HTML page.
pub fn html(r: &Report) -> String {
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n",
    );
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // No favicon request either: a data URL is the whole icon.
    s.push_str("<link rel=\"icon\" href=\"data:,\">\n");
    let _ = writeln!(s, "<title>molt report: {}</title>", esc(&r.migration));
    let _ = writeln!(s, "<style>\n{STYLE}\n</style>\n</head>\n<body>");

    let _ = writeln!(s, "<h1>molt report: {}</h1>", esc(&r.migration));
    let _ = writeln!(s, "<p class=\"goal\">{}</p>", esc(&r.goal));
    let class = if r.passed { "passed" } else { "failed" };
    let _ = writeln!(s, "<p class=\"{class}\"><b>{}</b></p>", esc(&result_line(r)));
    let _ = writeln!(s, "<p>Branch <code>{}</code> from <code>{}</code>.</p>", esc(&r.branch), esc(short(&r.base)));
    s.push_str("<div class=\"facts\">\n");
    for (label, value) in [
        ("committed", r.states.committed.to_string()),
        ("failed", r.states.failed.to_string()),
        ("blocked", r.states.blocked.to_string()),
        ("pending", (r.states.pending + r.states.running).to_string()),
        ("sites migrated", format!("{} of {}", r.coverage.rules + r.coverage.model, r.coverage.total)),
        ("tokens", r.spent.tokens.to_string()),
        ("cost", fmt_usd(r.spent.cost_usd)),
    ] {
        let _ = writeln!(s, "<div class=\"fact\"><b>{}</b>{}</div>", esc(&value), esc(label));
    }
    s.push_str("</div>\n");
    let _ = writeln!(s, "<p>{}</p>", esc(&r.coverage_line));

    s.push_str("<h2>Charts</h2>\n<div class=\"charts\">\n");
    let states = [
        (TaskState::Committed, r.states.committed),
        (TaskState::Failed, r.states.failed),
        (TaskState::Blocked, r.states.blocked),
        (TaskState::Running, r.states.running),
        (TaskState::Pending, r.states.pending),
    ];
    let bars: Vec<Bar> =
        states.iter().map(|(st, n)| Bar::new(st.as_str(), *n as f64, n.to_string(), state_color(*st))).collect();
    s.push_str(&bar_chart("Tasks by state", &bars));
    let cov = &r.coverage;
    let bars = vec![
        Bar::new("by rules", cov.rules as f64, cov.rules.to_string(), "#2e7d32"),
        Bar::new("by model", cov.model as f64, cov.model.to_string(), "#6a1b9a"),
        Bar::new("unmapped", cov.unmapped as f64, cov.unmapped.to_string(), "#c62828"),
    ];
    s.push_str(&bar_chart("Sites migrated", &bars));
    let bars: Vec<Bar> =
        r.tasks.iter().map(|t| Bar::new(&t.id, t.tokens as f64, t.tokens.to_string(), "#1565c0")).collect();
    s.push_str(&bar_chart("Tokens per task", &bars));
    let bars: Vec<Bar> = r.tasks.iter().map(|t| Bar::new(&t.id, t.cost_usd, fmt_usd(t.cost_usd), "#00838f")).collect();
    s.push_str(&bar_chart("Cost per task", &bars));
    for b in &r.benchmarks {
        let whisker = |m: &super::Measure| Some((m.median * (1.0 - m.spread), m.median * (1.0 + m.spread)));
        let mut before = Bar::new("before", b.before.median, fmt_measure(&b.before, &b.unit), "#9e9e9e");
        before.whisker = whisker(&b.before);
        let mut bars = vec![before];
        if let Some(a) = &b.after {
            let color = if b.regressed == Some(true) { "#c62828" } else { "#2e7d32" };
            let mut after = Bar::new("after", a.median, fmt_measure(a, &b.unit), color);
            after.whisker = whisker(a);
            bars.push(after);
        }
        let unit = if b.unit.is_empty() { String::new() } else { format!(" ({})", b.unit) };
        s.push_str(&bar_chart(&format!("{} / {}{unit}", b.check, b.metric), &bars));
    }
    s.push_str("\n</div>\n");

    s.push_str("<h2>Tasks</h2>\n");
    if r.tasks.is_empty() {
        s.push_str("<p>The plan has no tasks.</p>\n");
    } else {
        s.push_str("<table>\n<tr><th>task</th><th>state</th><th>agent</th><th>attempts</th><th>tokens</th><th>cost</th><th>sites (rules / model / unmapped)</th><th>checks</th><th>commit</th></tr>\n");
        for t in &r.tasks {
            let checks = t.checks.iter().map(|c| format!("{} {}", c.name, c.outcome)).collect::<Vec<_>>().join(", ");
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code>{}</td><td class=\"state-{st}\">{st}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{} ({} / {} / {})</td><td>{}</td><td>{}</td></tr>",
                esc(&t.id),
                if t.title.is_empty() { String::new() } else { format!("<br>{}", esc(&t.title)) },
                esc(t.agent.as_deref().unwrap_or("-")),
                t.attempts,
                t.tokens,
                esc(&fmt_usd(t.cost_usd)),
                t.sites,
                t.sites_rules,
                t.sites_model,
                t.sites_unmapped,
                esc(if checks.is_empty() { "-" } else { &checks }),
                t.commit.as_deref().map_or_else(|| "-".to_owned(), |c| format!("<code>{}</code>", esc(short(c)))),
                st = t.state.as_str(),
            );
            if let Some(e) = &t.error {
                let _ = writeln!(s, "<tr><td></td><td colspan=\"8\">{}</td></tr>", esc(e));
            }
        }
        s.push_str("</table>\n");
    }

    s.push_str("<h2>Checks</h2>\n");
    if r.checks.is_empty() {
        s.push_str("<p>The spec names no checks.</p>\n");
    } else {
        s.push_str("<table>\n<tr><th>check</th><th>kind</th><th>before (baseline)</th><th>after (final)</th></tr>\n");
        for c in &r.checks {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&c.name),
                c.kind.as_str(),
                esc(&verdict(c.before.as_ref())),
                esc(&verdict(c.after.as_ref()))
            );
        }
        s.push_str("</table>\n");
    }

    if !r.benchmarks.is_empty() {
        s.push_str("<h2>Benchmarks</h2>\n<table>\n<tr><th>check</th><th>metric</th><th>before</th><th>after</th><th>change</th><th>allowed</th></tr>\n");
        for b in &r.benchmarks {
            let change = match (b.change, b.regressed) {
                (Some(c), Some(true)) => format!("{} (regressed)", fmt_change(c)),
                (Some(c), _) => fmt_change(c),
                (None, _) => "-".to_owned(),
            };
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"{}\">{}</td><td class=\"n\">{:.1}%</td></tr>",
                esc(&b.check),
                esc(&b.metric),
                if b.higher_is_better { " (higher is better)" } else { "" },
                esc(&fmt_measure(&b.before, &b.unit)),
                b.after.map_or_else(|| "-".to_owned(), |a| esc(&fmt_measure(&a, &b.unit))),
                if b.regressed == Some(true) { "failed" } else { "passed" },
                esc(&change),
                b.max_regression * 100.0,
            );
        }
        s.push_str("</table>\n");
    }

    s.push_str("<h2>Unmapped sites</h2>\n");
    if r.unmapped.is_empty() {
        s.push_str("<p>None: every site was migrated or is still pending.</p>\n");
    } else {
        s.push_str("<table>\n<tr><th>location</th><th>task</th><th>reason</th></tr>\n");
        for u in &r.unmapped {
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(&u.location),
                esc(&u.task),
                esc(&u.reason)
            );
        }
        s.push_str("</table>\n");
    }

    if !r.notes.is_empty() {
        s.push_str("<h2>Notes</h2>\n<ul class=\"notes\">\n");
        for n in &r.notes {
            let _ = writeln!(s, "<li>{}</li>", esc(n));
        }
        s.push_str("</ul>\n");
    }
    let _ = writeln!(s, "<footer>Generated by molt at {}.</footer>\n</body>\n</html>", esc(&r.generated_at));
    s
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}
