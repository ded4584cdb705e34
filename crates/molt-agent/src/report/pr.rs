//! The pull request `molt pr` opens or updates: a title and a body that
//! carries the evidence of the run (the report's markdown: goal, tasks,
//! checks before and after, benchmarks with their spread, coverage and the
//! sites left unmapped).
//!
//! Pure, like the rest of the report: the caller builds the [`Report`] and
//! talks to the forge. The body starts with [`MARKER`], an HTML comment
//! GitHub does not show, so a reader of the raw text (or a bot) can tell
//! molt wrote it and that `molt pr` will replace it. Secrets of a known shape
//! are redacted, as in every file molt writes.

use super::markdown::markdown;
use super::Report;
use crate::state::CheckSummary;

/// The first line of every body molt writes.
pub const MARKER: &str = "<!-- molt: this description is written by `molt pr`; running it again replaces it -->";

/// GitHub refuses bodies over 65,536 characters; stay well below.
pub const MAX_BODY_CHARS: usize = 60_000;

/// A pull request's title and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestText {
    pub title: String,
    pub body: String,
}

/// The title and body of the pull request for the run `r` reports on.
pub fn pull_request(r: &Report) -> PullRequestText {
    let r = &redacted(r);
    let title = if r.passed {
        format!("molt: {}", r.migration)
    } else if r.finished {
        format!("molt: {} (incomplete)", r.migration)
    } else {
        format!("molt: {} (not finished)", r.migration)
    };
    let report = markdown(r);
    // The report's own heading repeats the title; the body starts below it.
    let report = match report.split_once('\n') {
        Some((first, rest)) if first.starts_with("# ") => rest.trim_start_matches('\n'),
        _ => report.as_str(),
    };
    let mut body = format!("{MARKER}\n\n{report}");
    body.push_str(&format!(
        "\n---\n\nEvery commit on `{}` passed the checks its task names before it was merged there. \
         The same report, with charts, is in `.molt/report.html` where the run was made. \
         Run `molt resume` and then `molt pr` again to update this pull request.\n",
        r.branch.replace('`', "'"),
    ));
    PullRequestText { title, body: cut(body, MAX_BODY_CHARS) }
}

/// `r` with secrets of a known shape redacted from every text it carries.
/// Check output and task errors are data from the run, and a pull request
/// may be public. This happens before rendering: markdown escapes `_`, which
/// would hide a token such as `ghp_...` from the redactor, not from a reader.
fn redacted(r: &Report) -> Report {
    let clean = |s: &mut String| {
        if let std::borrow::Cow::Owned(new) = molt_core::redact::redact(s) {
            *s = new;
        }
    };
    let clean_check = |c: &mut CheckSummary| {
        clean(&mut c.name);
        clean(&mut c.outcome);
        clean(&mut c.detail);
    };
    let mut r = r.clone();
    for s in [&mut r.migration, &mut r.goal, &mut r.branch, &mut r.coverage_line, &mut r.generated_at] {
        clean(s);
    }
    for t in &mut r.tasks {
        clean(&mut t.id);
        clean(&mut t.title);
        t.agent.iter_mut().chain(t.error.iter_mut()).chain(t.commit.iter_mut()).for_each(clean);
        t.checks.iter_mut().for_each(clean_check);
    }
    for c in &mut r.checks {
        clean(&mut c.name);
        c.before.iter_mut().chain(c.after.iter_mut()).for_each(clean_check);
    }
    for b in &mut r.benchmarks {
        for s in [&mut b.check, &mut b.metric, &mut b.unit] {
            clean(s);
        }
    }
    for u in &mut r.unmapped {
        for s in [&mut u.task, &mut u.location, &mut u.reason] {
            clean(s);
        }
    }
    r.notes.iter_mut().for_each(clean);
    r
}

/// `body` cut at a line boundary to at most `max` characters, saying so.
fn cut(body: String, max: usize) -> String {
    if body.chars().count() <= max {
        return body;
    }
    let note = "\n\n(The report is longer than a pull request description may be: the rest is in .molt/report.md.)\n";
    let keep = max.saturating_sub(note.chars().count());
    let mut end = body.char_indices().nth(keep).map_or(body.len(), |(i, _)| i);
    if let Some(newline) = body[..end].rfind('\n') {
        end = newline;
    }
    format!("{}{note}", &body[..end])
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn long_bodies_are_cut_at_a_line_and_say_so() {
        let body = "line\n".repeat(100);
        let short = cut(body.clone(), 200);
        assert!(short.chars().count() <= 200, "{}", short.len());
        assert!(short.starts_with("line\nline\n"));
        assert!(short.ends_with("the rest is in .molt/report.md.)\n"));
        assert!(!short.contains("lin\n") && !short.contains("\nli\n"));
        assert_eq!(cut(body.clone(), 10_000), body);
    }
}
