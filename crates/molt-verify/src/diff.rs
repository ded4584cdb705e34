//! Differential checks: the candidate's output must match the reference's.
//!
//! Both outputs are compared line by line. Each line is cut into numbers and
//! the text between them; the text must match exactly, and each pair of numbers
//! must be equal within the tolerance (relative error, absolute error, or
//! distance in f64 units in the last place; any one suffices). Two NaNs are
//! equal. Without a tolerance, numbers must have the same value (`1.0` equals
//! `1.00`).

use std::sync::LazyLock;

use regex::Regex;

use crate::bench::fmt_num;
use crate::result::{DiffReport, Difference};

/// Differences kept in a report; the rest are only counted.
const SHOWN: usize = 10;

/// How far apart two numbers may be and still count as equal.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tolerance {
    pub rel: Option<f64>,
    pub abs: Option<f64>,
    pub ulps: Option<u64>,
}

impl Tolerance {
    pub fn of(check: &molt_core::Check) -> Self {
        Self { rel: check.rel_tol, abs: check.abs_tol, ulps: check.ulps }
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(r) = self.rel {
            parts.push(format!("rel {r:e}"));
        }
        if let Some(a) = self.abs {
            parts.push(format!("abs {a:e}"));
        }
        if let Some(u) = self.ulps {
            parts.push(format!("{u} ulps"));
        }
        if parts.is_empty() {
            "exact".to_owned()
        } else {
            parts.join(" or ")
        }
    }
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    Num(&'a str, f64),
    Text(&'a str),
}

fn tokens(line: &str) -> Vec<Token<'_>> {
    static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|\b(?:nan|inf(?:inity)?)\b)")
            .unwrap_or_else(|e| panic!("bad built-in pattern: {e}"))
    });
    let mut out = Vec::new();
    let mut at = 0;
    for m in NUMBER.find_iter(line) {
        let Ok(value) = m.as_str().parse::<f64>() else { continue };
        if m.start() > at {
            out.push(Token::Text(&line[at..m.start()]));
        }
        out.push(Token::Num(m.as_str(), value));
        at = m.end();
    }
    if at < line.len() {
        out.push(Token::Text(&line[at..]));
    }
    out
}

/// Distance in units in the last place between two finite f64s.
fn ulps_between(a: f64, b: f64) -> u64 {
    // Map the bit patterns onto a line where adjacent floats are adjacent
    // integers (negative floats count down from -0.0, which meets +0.0).
    fn ordered(x: f64) -> i64 {
        let bits = x.to_bits() as i64;
        if bits < 0 {
            i64::MIN.wrapping_sub(bits)
        } else {
            bits
        }
    }
    (i128::from(ordered(a)) - i128::from(ordered(b))).unsigned_abs().try_into().unwrap_or(u64::MAX)
}

#[derive(Default)]
struct Errors {
    abs: f64,
    rel: f64,
    ulps: u64,
}

/// Whether `a` and `b` are equal within `tol`, with their errors.
fn close(a: f64, b: f64, tol: &Tolerance) -> (bool, Errors) {
    if a == b || (a.is_nan() && b.is_nan()) {
        return (true, Errors::default());
    }
    if !a.is_finite() || !b.is_finite() {
        return (false, Errors { abs: f64::INFINITY, rel: f64::INFINITY, ulps: u64::MAX });
    }
    let abs = (a - b).abs();
    let scale = a.abs().max(b.abs());
    let rel = if scale > 0.0 { abs / scale } else { 0.0 };
    let ulps = ulps_between(a, b);
    let ok =
        tol.abs.is_some_and(|t| abs <= t) || tol.rel.is_some_and(|t| rel <= t) || tol.ulps.is_some_and(|t| ulps <= t);
    (ok, Errors { abs, rel, ulps })
}

/// Compares a candidate's output with the reference's.
pub fn compare_outputs(reference: &str, candidate: &str, tol: &Tolerance) -> DiffReport {
    let ref_lines: Vec<&str> = reference.lines().collect();
    let cand_lines: Vec<&str> = candidate.lines().collect();
    let mut report = DiffReport {
        equal: true,
        reference_lines: ref_lines.len(),
        candidate_lines: cand_lines.len(),
        numbers_compared: 0,
        differing_lines: 0,
        differences: Vec::new(),
        max_abs_err: 0.0,
        max_rel_err: 0.0,
        max_ulps: 0,
    };
    let differ = |report: &mut DiffReport, line: usize, r: Option<&str>, c: Option<&str>, detail: String| {
        report.equal = false;
        report.differing_lines += 1;
        if report.differences.len() < SHOWN {
            report.differences.push(Difference {
                line,
                reference: r.map(str::to_owned),
                candidate: c.map(str::to_owned),
                detail,
            });
        }
    };
    for i in 0..ref_lines.len().max(cand_lines.len()) {
        let line = i + 1;
        let (r, c) = match (ref_lines.get(i), cand_lines.get(i)) {
            (Some(r), Some(c)) => (*r, *c),
            (Some(r), None) => {
                differ(&mut report, line, Some(r), None, "missing from the candidate's output".to_owned());
                continue;
            }
            (None, Some(c)) => {
                differ(&mut report, line, None, Some(c), "not in the reference's output".to_owned());
                continue;
            }
            (None, None) => break,
        };
        if r == c {
            continue;
        }
        let (rt, ct) = (tokens(r), tokens(c));
        let same_shape = rt.len() == ct.len()
            && rt.iter().zip(&ct).all(|pair| match pair {
                (Token::Text(a), Token::Text(b)) => a == b,
                (Token::Num(..), Token::Num(..)) => true,
                _ => false,
            });
        if !same_shape {
            differ(&mut report, line, Some(r), Some(c), "text differs".to_owned());
            continue;
        }
        let mut worst: Option<(usize, &str, &str, Errors)> = None;
        for (col, pair) in rt.iter().zip(&ct).enumerate() {
            let (Token::Num(rs, rv), Token::Num(cs, cv)) = pair else { continue };
            report.numbers_compared += 1;
            let (ok, err) = close(*rv, *cv, tol);
            report.max_abs_err = report.max_abs_err.max(err.abs);
            report.max_rel_err = report.max_rel_err.max(err.rel);
            report.max_ulps = report.max_ulps.max(err.ulps);
            if !ok && worst.as_ref().is_none_or(|w| err.rel > w.3.rel) {
                worst = Some((col, rs, cs, err));
            }
        }
        if let Some((_, rs, cs, err)) = worst {
            let ulps = if err.ulps == u64::MAX { "max".to_owned() } else { err.ulps.to_string() };
            differ(
                &mut report,
                line,
                Some(r),
                Some(c),
                format!(
                    "{rs} vs {cs}: abs err {}, rel err {}, {ulps} ulps (tolerance: {})",
                    fmt_err(err.abs),
                    fmt_err(err.rel),
                    tol.describe()
                ),
            );
        }
    }
    report
}

fn fmt_err(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-3..1e6).contains(&x) {
        fmt_num(x)
    } else {
        format!("{x:.2e}")
    }
}

/// The differences as text for people and models: one block per line.
pub(crate) fn render(report: &DiffReport) -> String {
    let mut out = format!(
        "{} of {} lines differ (reference {} lines, candidate {}); first {}:\n",
        report.differing_lines,
        report.reference_lines.max(report.candidate_lines),
        report.reference_lines,
        report.candidate_lines,
        report.differences.len()
    );
    for d in &report.differences {
        out.push_str(&format!("line {}: {}\n", d.line, d.detail));
        if let Some(r) = &d.reference {
            out.push_str(&format!("  reference: {r}\n"));
        }
        if let Some(c) = &d.candidate {
            out.push_str(&format!("  candidate: {c}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
