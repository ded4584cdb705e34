//! The reading tools: `list_symbols`, `read_symbol`, `read_file`.

use std::fmt::Write as _;
use std::io::BufRead;

use molt_syntax::Lang;

use super::text::{cut, kind_label, one_line, plural, CUT_NOTE};
use super::{Access, Answer, ToolAction, ToolBox, MAX_LINE_CHARS, OUTPUT_MAX_BYTES, READ_MAX_LINES};

impl ToolBox {
    pub(super) fn list_symbols(&self, path: Option<&str>) -> Answer {
        let files = match path {
            Some(p) => vec![p.to_owned()],
            None if self.task_files.is_empty() => {
                let mut out =
                    "This task names no files. Source files in the repository (pass one as `path`):\n".to_owned();
                let files: Vec<String> = self
                    .walk_files()
                    .into_iter()
                    .filter(|f| Lang::from_path(f).is_some_and(|l| l.is_enabled()))
                    .collect();
                for f in files.iter().take(200) {
                    let _ = writeln!(out, "  {f}");
                }
                if files.len() > 200 {
                    let _ = writeln!(out, "  ... and {} more; use search with path_glob", files.len() - 200);
                }
                return Ok((cut(&out, OUTPUT_MAX_BYTES, CUT_NOTE), ToolAction::None));
            }
            None => self.task_files.clone(),
        };
        let mut out = String::new();
        for file in &files {
            let (rel, abs) = self.check_path(file, Access::Read)?;
            if path.is_some() && abs.is_dir() {
                return Err(format!("`{rel}` is a folder; give a file"));
            }
            if !abs.is_file() {
                if path.is_some() {
                    return Err(self.no_file(&rel));
                }
                let _ = writeln!(out, "{rel}: does not exist yet");
                continue;
            }
            let (index, _) = match self.index(&rel, &abs) {
                Ok(found) => found,
                Err(e) if path.is_none() => {
                    let _ = writeln!(out, "{rel}: {e}");
                    continue;
                }
                Err(e) => return Err(e),
            };
            let _ = writeln!(
                out,
                "{rel}: {}, {}",
                plural(index.items.len(), "item", "items"),
                plural(index.lines, "line", "lines")
            );
            if let Some(d) = index.diagnostics.first() {
                let _ = writeln!(
                    out,
                    "  (the file already has {} syntax errors; the first at line {}: {})",
                    index.diagnostics.len(),
                    d.line,
                    d.message
                );
            }
            for item in &index.items {
                let _ = write!(
                    out,
                    "  {}  {}  lines {}-{}  {}",
                    item.path,
                    kind_label(item),
                    item.span.start_line,
                    item.span.end_line,
                    one_line(&item.signature, 200)
                );
                if let Some(pre) = &item.preproc {
                    let _ = write!(out, "  [{pre}]");
                }
                out.push('\n');
            }
        }
        Ok((cut(&out, OUTPUT_MAX_BYTES, CUT_NOTE), ToolAction::None))
    }

    pub(super) fn read_symbol(&mut self, symbol: &str) -> Answer {
        let found = self.resolve(symbol)?;
        let item = &found.item;
        let text = molt_syntax::item_text(&found.text, item);
        if self.shown.get(&item.path) == Some(&text) {
            return Ok(("unchanged since shown above".to_owned(), ToolAction::None));
        }
        self.shown.insert(item.path.clone(), text.clone());
        let mut out = format!(
            "{} ({}, lines {}-{} of {})\n",
            item.path,
            kind_label(item),
            item.span.start_line,
            item.span.end_line,
            found.file
        );
        let note = format!(
            "[cut at 32 KiB; read the rest with read_file on {} up to line {}]",
            found.file, item.span.end_line
        );
        out.push_str(&cut(&text, OUTPUT_MAX_BYTES, &note));
        Ok((out, ToolAction::None))
    }

    pub(super) fn read_file(&self, path: &str, start: Option<usize>, end: Option<usize>) -> Answer {
        let (rel, abs) = self.check_path(path, Access::Read)?;
        let meta = std::fs::metadata(&abs).map_err(|_| self.no_file(&rel))?;
        if meta.is_dir() {
            let prefix = format!("{rel}/");
            let entries: Vec<String> =
                self.walk_files().into_iter().filter(|f| f.starts_with(&prefix)).take(100).collect();
            return Err(format!("`{rel}` is a folder; files in it: {}", entries.join(", ")));
        }
        let start = start.unwrap_or(1);
        let defaulted_end = end.is_none();
        let end = end.unwrap_or(start.saturating_add(READ_MAX_LINES - 1));
        if end < start {
            return Err(format!("`end_line` ({end}) is before `start_line` ({start})"));
        }
        let file = std::fs::File::open(&abs).map_err(|e| format!("cannot read `{rel}`: {e}"))?;
        let mut reader = std::io::BufReader::new(file);
        let mut body = String::new();
        let mut line = Vec::new();
        let mut total = 0usize;
        let mut shown: Option<(usize, usize)> = None;
        let mut was_cut = false;
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(|e| format!("cannot read `{rel}`: {e}"))?;
            if n == 0 {
                break;
            }
            if total == 0 && line.contains(&0) {
                return Err(format!("`{rel}` is a binary file; read_file shows text only"));
            }
            total += 1;
            if total < start || total > end || was_cut {
                continue;
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\n', '\r']);
            let text = if text.chars().count() > MAX_LINE_CHARS {
                let head: String = text.chars().take(MAX_LINE_CHARS).collect();
                format!("{head} [line cut]")
            } else {
                text.to_owned()
            };
            let entry = format!("{total:>5}  {text}\n");
            let count = shown.map_or(0, |(a, b)| b - a + 1);
            if count >= READ_MAX_LINES || body.len() + entry.len() > OUTPUT_MAX_BYTES {
                was_cut = true;
                continue;
            }
            body.push_str(&entry);
            shown = Some((shown.map_or(total, |(a, _)| a), total));
        }
        let Some((first, last)) = shown else {
            if total == 0 {
                return Ok((format!("{rel} is empty"), ToolAction::None));
            }
            return Err(format!("`start_line` {start} is past the end: {rel} has {total} lines"));
        };
        let mut out = format!("{rel} lines {first}-{last} of {total}\n{body}");
        if was_cut || (defaulted_end && last < total) {
            let next = last + 1;
            let _ = writeln!(
                out,
                "[cut at {} lines / 32 KiB; call read_file with start_line={next} for more]",
                last - first + 1
            );
        }
        Ok((out, ToolAction::None))
    }
}
