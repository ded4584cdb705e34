//! Horizontal bar charts as inline SVG: no script, no fonts, no images, so
//! the page that holds them needs nothing but itself.

use std::fmt::Write;

use super::html::esc;

/// One bar of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// What is written after the bar (the value, formatted for people).
    pub text: String,
    /// A CSS color.
    pub color: &'static str,
    /// A whisker from `.0` to `.1` on the value axis (a spread).
    pub whisker: Option<(f64, f64)>,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: f64, text: impl Into<String>, color: &'static str) -> Self {
        Self { label: label.into(), value, text: text.into(), color, whisker: None }
    }
}

const WIDTH: f64 = 640.0;
const LABEL_W: f64 = 190.0;
const TEXT_W: f64 = 130.0;
const ROW_H: f64 = 22.0;
const TOP: f64 = 26.0;
/// Labels longer than this are cut (the whole label stays in a tooltip).
const LABEL_CHARS: usize = 28;

/// A horizontal bar chart titled `title`; bars are drawn in the order given,
/// scaled to the largest value (or whisker end).
pub fn bar_chart(title: &str, bars: &[Bar]) -> String {
    let rows = bars.len().max(1) as f64;
    let height = TOP + rows * ROW_H + 8.0;
    let plot_w = WIDTH - LABEL_W - TEXT_W;
    let max = bars
        .iter()
        .flat_map(|b| [b.value, b.whisker.map_or(0.0, |w| w.1)])
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let scale = |v: f64| if max > 0.0 && v.is_finite() { (v.max(0.0) / max) * plot_w } else { 0.0 };

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}">"#,
        esc(title)
    );
    let _ = write!(s, r#"<text x="8" y="16" class="chart-title">{}</text>"#, esc(title));
    if bars.is_empty() {
        let _ = write!(s, r#"<text x="{LABEL_W}" y="{}" class="chart-empty">nothing to show</text>"#, TOP + 15.0);
    }
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + i as f64 * ROW_H;
        let w = scale(b.value);
        let label = cut(&b.label);
        let _ = write!(
            s,
            r#"<g><title>{}: {}</title><text x="{}" y="{}" class="chart-label" text-anchor="end">{}</text>"#,
            esc(&b.label),
            esc(&b.text),
            LABEL_W - 8.0,
            y + 15.0,
            esc(&label)
        );
        let _ = write!(
            s,
            r#"<rect x="{LABEL_W}" y="{}" width="{w:.1}" height="{}" fill="{}"/>"#,
            y + 3.0,
            ROW_H - 6.0,
            b.color
        );
        if let Some((lo, hi)) = b.whisker {
            let (x0, x1) = (LABEL_W + scale(lo), LABEL_W + scale(hi));
            let mid = y + ROW_H / 2.0;
            let _ = write!(
                s,
                r##"<path d="M{x0:.1} {mid}H{x1:.1}M{x0:.1} {}V{}M{x1:.1} {}V{}" stroke="#222" stroke-width="1.5" fill="none"/>"##,
                mid - 5.0,
                mid + 5.0,
                mid - 5.0,
                mid + 5.0
            );
        }
        let text_x = LABEL_W + w.max(b.whisker.map_or(0.0, |wh| scale(wh.1))) + 6.0;
        let _ = write!(s, r#"<text x="{text_x:.1}" y="{}" class="chart-value">{}</text></g>"#, y + 15.0, esc(&b.text));
    }
    s.push_str("</svg>");
    s
}

fn cut(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let mut s: String = label.chars().take(LABEL_CHARS - 1).collect();
        s.push('…');
        s
    }
}
