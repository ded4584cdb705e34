//! Finding files and symbols: the worktree's files, each file's index
//! (kept while the file holds the text it was made from), and a model's
//! symbol resolved to one item.

use std::fmt::Write as _;
use std::path::Path;

use molt_syntax::{FileIndex, Lang, RepoIndex};

use super::text::{closest, normalize, quoted};
use super::{Access, FileIndexes, Resolved, ToolBox, MAX_SOURCE_BYTES};

impl ToolBox {
    pub(super) fn no_file(&self, rel: &str) -> String {
        let files = self.walk_files();
        let close = closest(rel, files.iter().map(String::as_str));
        match close.as_slice() {
            [] => format!("there is no file `{rel}`"),
            c => format!("there is no file `{rel}`; did you mean {}?", quoted(c)),
        }
    }

    /// Every non-hidden, non-ignored regular file of the worktree (no links,
    /// never the spec), sorted.
    pub(super) fn walk_files(&self) -> Vec<String> {
        let spec = normalize(&self.options.spec_file);
        let walked = molt_syntax::walk_files(&self.root, &molt_syntax::WalkOptions::repository()).unwrap_or_default();
        walked.into_iter().map(|f| f.rel).filter(|rel| *rel != spec).collect()
    }

    /// A source file's text, for indexing.
    pub(super) fn source_text(&self, rel: &str, abs: &Path) -> Result<String, String> {
        let meta = std::fs::metadata(abs).map_err(|_| self.no_file(rel))?;
        if meta.is_dir() {
            return Err(format!("`{rel}` is a folder, not a file"));
        }
        if meta.len() > MAX_SOURCE_BYTES {
            return Err(format!("`{rel}` is {} bytes, too large to index; use read_file and search", meta.len()));
        }
        let bytes = std::fs::read(abs).map_err(|e| format!("cannot read `{rel}`: {e}"))?;
        String::from_utf8(bytes).map_err(|_| format!("`{rel}` is not valid UTF-8; molt does not edit it"))
    }

    /// Indexes made elsewhere (by path, with the text each was made from),
    /// used while the file still holds that text.
    pub fn remember_indexes(&mut self, indexes: FileIndexes) {
        self.indexes.get_mut().extend(indexes);
    }

    pub(super) fn index(&self, rel: &str, abs: &Path) -> Result<(FileIndex, String), String> {
        if Lang::from_path(rel).is_none_or(|l| !l.is_enabled()) {
            return Err(format!("`{rel}` is not a source file molt can parse; use read_file"));
        }
        let text = self.source_text(rel, abs)?;
        if let Some((seen, index)) = self.indexes.borrow().get(rel) {
            if *seen == text {
                return Ok((index.clone(), text));
            }
        }
        let index = molt_syntax::index_file(rel, text.as_bytes()).map_err(|e| e.to_string())?;
        self.indexes.borrow_mut().insert(rel.to_owned(), (text.clone(), index.clone()));
        Ok((index, text))
    }

    /// The files bare names are looked up in: the task's files, or every
    /// source file when the task names none.
    pub(super) fn lookup_files(&self) -> Vec<String> {
        if self.task_files.is_empty() {
            self.walk_files().into_iter().filter(|f| Lang::from_path(f).is_some_and(|l| l.is_enabled())).collect()
        } else {
            self.task_files.clone()
        }
    }

    pub(super) fn resolve(&self, symbol: &str) -> Result<Resolved, String> {
        let symbol = symbol.trim();
        if symbol.is_empty() {
            return Err("the symbol is empty; list_symbols shows the qualified paths".to_owned());
        }
        let symbol = normalize(symbol);
        if let Some((file, rest)) = symbol.split_once("::") {
            if file.contains('/') || Lang::from_path(file).is_some() {
                let (rel, abs) = self.check_path(file, Access::Read)?;
                if !abs.is_file() {
                    return Err(format!("no symbol `{symbol}`: {}", self.no_file(&rel)));
                }
                let (index, text) = self.index(&rel, &abs)?;
                let qualified = format!("{rel}::{rest}");
                return match one_file(index).resolve(&qualified) {
                    Ok((_, item)) => Ok(Resolved { file: rel, item: item.clone(), text }),
                    Err(molt_syntax::Error::NoSuchSymbol { suggestions, .. }) => {
                        Err(no_symbol(&qualified, &format!("in {rel}"), &suggestions, &rel))
                    }
                    Err(molt_syntax::Error::Ambiguous { candidates, .. }) => Err(format!(
                        "`{qualified}` is ambiguous; it could be {}; give the full path",
                        quoted(&candidates)
                    )),
                    Err(e) => Err(e.to_string()),
                };
            }
        }
        if !symbol.contains("::") && (symbol.contains('/') || Lang::from_path(&symbol).is_some()) {
            return Err(format!("`{symbol}` is a file; a symbol is `FILE::NAME`, e.g. `{symbol}::main`"));
        }
        // A bare name (`dot`, `Model::forward`, `Attention.forward`).
        let files = self.lookup_files();
        let mut found: Vec<Resolved> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for file in &files {
            let Ok((rel, abs)) = self.check_path(file, Access::Read) else { continue };
            let Ok((index, text)) = self.index(&rel, &abs) else { continue };
            names.extend(index.items.iter().map(|i| i.path.clone()));
            let index = one_file(index);
            match index.resolve(&format!("{rel}::{symbol}")) {
                Ok((_, item)) => found.push(Resolved { file: rel, item: item.clone(), text }),
                Err(molt_syntax::Error::Ambiguous { candidates, .. }) => {
                    for c in candidates {
                        if let Ok((_, item)) = index.resolve(&c) {
                            found.push(Resolved { file: rel.clone(), item: item.clone(), text: text.clone() });
                        }
                    }
                }
                Err(_) => {}
            }
        }
        let where_ = if self.task_files.is_empty() { "in the repository" } else { "in the task's files" };
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => {
                let tail: Vec<(String, &str)> = names
                    .iter()
                    .map(|n| (n.rsplit(['/', ':', '.']).next().unwrap_or(n).to_owned(), n.as_str()))
                    .collect();
                let wanted = symbol.rsplit(['/', ':', '.']).next().unwrap_or(&symbol);
                let close = closest(wanted, tail.iter().map(|(t, _)| t.as_str()));
                let suggestions: Vec<String> = tail
                    .iter()
                    .filter(|(t, _)| close.contains(t))
                    .map(|(_, full)| (*full).to_owned())
                    .take(3)
                    .collect();
                Err(no_symbol(&symbol, where_, &suggestions, ""))
            }
            _ => {
                let candidates: Vec<String> = found.iter().map(|r| r.item.path.clone()).collect();
                Err(format!(
                    "`{symbol}` is ambiguous {where_}; it could be {}; give the full path",
                    quoted(&candidates)
                ))
            }
        }
    }

    /// Resolves a symbol and checks that its file may be written.
    pub(super) fn resolve_for_edit(&self, symbol: &str) -> Result<Resolved, String> {
        let found = self.resolve(symbol)?;
        self.check_path(&found.file, Access::Write)?;
        Ok(found)
    }
}

/// A repository index holding one file, to use molt-syntax's resolution.
pub(super) fn one_file(index: FileIndex) -> RepoIndex {
    RepoIndex { files: vec![index], ..RepoIndex::default() }
}

pub(super) fn no_symbol(symbol: &str, where_: &str, suggestions: &[String], file: &str) -> String {
    let mut msg = format!("no symbol `{symbol}` {where_}");
    if suggestions.is_empty() {
        if file.is_empty() {
            msg.push_str("; list_symbols shows the items");
        } else {
            let _ = write!(msg, "; list_symbols with path `{file}` shows its items");
        }
    } else {
        let _ = write!(msg, "; did you mean {}?", quoted(suggestions));
    }
    msg
}
