//! The `search` tool: structural patterns through molt-syntax, or a regular
//! expression over single lines; each match with its enclosing item.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use molt_syntax::{Lang, Pattern, SearchOptions, Searcher};

use super::args::Args;
use super::schema::LANGS;
use super::text::{cut, one_line, plural, CUT_NOTE};
use super::{Access, Answer, ToolAction, ToolBox, MAX_SOURCE_BYTES, OUTPUT_MAX_BYTES, SEARCH_MAX_MATCHES};

impl ToolBox {
    pub(super) fn search(&self, args: &Args<'_>) -> Answer {
        let glob = match args.str("path_glob") {
            Some(g) => Some(
                globset::GlobBuilder::new(g)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("bad `path_glob`: {e}"))?
                    .compile_matcher(),
            ),
            None => None,
        };
        let in_scope =
            |rel: &str| glob.as_ref().is_none_or(|g| g.is_match(rel)) && self.check_path(rel, Access::Read).is_ok();
        let mut hits: Vec<(String, usize, usize, Option<String>, String)> = Vec::new();
        let mut total = 0usize;
        match (args.str("pattern"), args.str("regex")) {
            (Some(pattern), None) => {
                let lang = match args.str("lang") {
                    Some(name) => Lang::from_name(name).ok_or_else(|| format!("unknown language `{name}`"))?,
                    None => self.default_lang(args.str("path_glob"))?,
                };
                let pattern = Pattern::new(lang, pattern).map_err(|e| e.to_string())?;
                let searcher = Searcher::Pattern(pattern);
                let options = SearchOptions { macros: self.macros.clone(), ..SearchOptions::default() };
                let report = molt_syntax::search_repo(&self.root, &searcher, &options).map_err(|e| e.to_string())?;
                for m in report.matches.into_iter().filter(|m| in_scope(&m.path)) {
                    total += 1;
                    if hits.len() < SEARCH_MAX_MATCHES {
                        hits.push((m.path, m.line, m.column, m.symbol, m.text));
                    }
                }
            }
            (None, Some(regex)) => {
                let re = regex::RegexBuilder::new(regex)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| format!("bad `regex`: {e}"))?;
                for rel in self.walk_files().into_iter().filter(|f| in_scope(f)) {
                    let abs = self.root.join(&rel);
                    let Ok(meta) = std::fs::metadata(&abs) else { continue };
                    if meta.len() > MAX_SOURCE_BYTES {
                        continue;
                    }
                    let Ok(bytes) = std::fs::read(&abs) else { continue };
                    if memchr_nul(&bytes) {
                        continue;
                    }
                    let text = String::from_utf8_lossy(&bytes);
                    let mut found = Vec::new();
                    let mut offset = 0;
                    for (n, line) in text.split_inclusive('\n').enumerate() {
                        if let Some(m) = re.find(line.trim_end_matches(['\n', '\r'])) {
                            found.push((n + 1, m.start() + 1, offset + m.start(), offset + m.end(), line.to_owned()));
                        }
                        offset += line.len();
                    }
                    if found.is_empty() {
                        continue;
                    }
                    total += found.len();
                    // The enclosing items, only for files that matched and only when the bytes are the text.
                    let index = match (Lang::from_path(&rel).is_some_and(|l| l.is_enabled()), &text) {
                        (true, std::borrow::Cow::Borrowed(_)) => molt_syntax::index_file(&rel, &bytes).ok(),
                        _ => None,
                    };
                    for (line, column, start, end, line_text) in found {
                        if hits.len() >= SEARCH_MAX_MATCHES {
                            break;
                        }
                        let symbol = index.as_ref().and_then(|i| i.enclosing(start, end)).map(|i| i.path.clone());
                        hits.push((rel.clone(), line, column, symbol, line_text));
                    }
                }
            }
            _ => return Err("give exactly one of `pattern` (structural) or `regex`".to_owned()),
        }
        if hits.is_empty() {
            return Ok(("no matches".to_owned(), ToolAction::None));
        }
        let files: BTreeSet<&str> = hits.iter().map(|h| h.0.as_str()).collect();
        let mut out = format!("{} in {}\n", plural(total, "match", "matches"), plural(files.len(), "file", "files"));
        for (path, line, column, symbol, text) in &hits {
            let _ = write!(out, "{path}:{line}:{column}");
            if let Some(s) = symbol {
                let _ = write!(out, "  in {s}");
            }
            let _ = writeln!(out, "  {}", one_line(text, 200));
        }
        if total > hits.len() {
            let _ = writeln!(
                out,
                "[showing the first {} of {total} matches; narrow the search with path_glob]",
                hits.len()
            );
        }
        Ok((cut(&out, OUTPUT_MAX_BYTES, CUT_NOTE), ToolAction::None))
    }

    /// The language of a pattern without `lang`: the task files' one
    /// language, else the extension of `path_glob`.
    pub(super) fn default_lang(&self, glob: Option<&str>) -> Result<Lang, String> {
        let langs: BTreeSet<Lang> = self.task_files.iter().filter_map(Lang::from_path).collect();
        if langs.len() == 1 {
            if let Some(lang) = langs.into_iter().next() {
                return Ok(lang);
            }
        }
        if let Some(lang) = glob.and_then(Lang::from_path) {
            return Ok(lang);
        }
        Err(format!("say which language the pattern is in with `lang` (one of {})", LANGS.join(", ")))
    }
}

/// Git's test for binary content: a NUL byte in the first 8 KiB.
fn memchr_nul(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}
