//! The editing tools: each edit resolved, checked against the path policy
//! and applied as a molt-syntax edit set of one edit.

use std::fmt::Write as _;

use molt_syntax::{ApplyOptions, Edit, EditSet};

use super::args::Args;
use super::text::{kind_label, quoted};
use super::{Access, Answer, ToolAction, ToolBox};

impl ToolBox {
    pub(super) fn replace_symbol(&mut self, args: &Args<'_>) -> Answer {
        let found = self.resolve_for_edit(args.need("symbol")?)?;
        let text = args.need("text")?.to_owned();
        self.apply(Edit::ReplaceItem { symbol: found.item.path, text, whole_conditional: false })
    }

    pub(super) fn replace_body(&mut self, args: &Args<'_>) -> Answer {
        let found = self.resolve_for_edit(args.need("symbol")?)?;
        if found.item.body.is_none() {
            return Err(format!(
                "{} ({}) has no body to replace; use replace_symbol",
                found.item.path,
                kind_label(&found.item)
            ));
        }
        let text = args.need("body")?.to_owned();
        self.apply(Edit::ReplaceBody { symbol: found.item.path, text })
    }

    pub(super) fn insert_item(&mut self, args: &Args<'_>) -> Answer {
        let found = self.resolve_for_edit(args.need("anchor_symbol")?)?;
        let text = args.need("text")?.to_owned();
        let symbol = found.item.path;
        let edit = match args.need("position")? {
            "before" => Edit::InsertBefore { symbol, text },
            _ => Edit::InsertAfter { symbol, text },
        };
        self.apply(edit)
    }

    pub(super) fn delete_item(&mut self, args: &Args<'_>) -> Answer {
        let found = self.resolve_for_edit(args.need("symbol")?)?;
        self.apply(Edit::DeleteItem { symbol: found.item.path, whole_conditional: false })
    }

    pub(super) fn add_include(&mut self, args: &Args<'_>) -> Answer {
        let (rel, abs) = self.check_path(args.need("path")?, Access::Write)?;
        if !abs.is_file() {
            return Err(self.no_file(&rel));
        }
        self.apply(Edit::AddInclude { path: rel, text: args.need("include")?.to_owned() })
    }

    pub(super) fn create_file(&mut self, args: &Args<'_>) -> Answer {
        let (rel, abs) = self.check_path(args.need("path")?, Access::Write)?;
        if std::fs::symlink_metadata(&abs).is_ok() {
            return Err(format!("{rel} already exists; edit its items with replace_symbol or insert_item"));
        }
        self.apply(Edit::CreateFile { path: rel, text: args.need("text")?.to_owned() })
    }

    /// Applies one edit as a transaction; nothing is written unless it parses.
    fn apply(&mut self, edit: Edit) -> Answer {
        let what = edit.describe();
        let options = ApplyOptions {
            policy: Some(self.policy.clone()),
            scratch: true,
            macros: self.macros.clone(),
            ..ApplyOptions::default()
        };
        let applied = molt_syntax::apply_to_repo(&self.root, &EditSet::new(vec![edit]), &options)
            .map_err(|e| format!("refused, nothing was written: {}", edit_error(&e)))?;
        if applied.changes.is_empty() {
            return Ok((format!("{what}: nothing to change (the file already has it)"), ToolAction::None));
        }
        let paths: Vec<String> = applied.changes.iter().map(|c| c.path.clone()).collect();
        self.changed.extend(paths.iter().cloned());
        // The model wrote the text, so the answer does not send it back: the
        // lines each file gained and lost say the edit landed where meant,
        // and read_symbol shows the result when the model wants to see it.
        let mut out = format!("done: {what};");
        for change in &applied.changes {
            let diff = molt_syntax::unified_diff(&change.path, change.before.as_deref(), change.after.as_deref());
            let (added, removed) = diff_counts(&diff);
            let _ = write!(out, " {} +{added} -{removed} lines", change.path);
        }
        out.push('\n');
        let outside: Vec<&String> = paths.iter().filter(|p| !self.task_files.contains(p)).collect();
        if !self.task_files.is_empty() && !outside.is_empty() {
            let outside: Vec<String> = outside.into_iter().cloned().collect();
            let _ = writeln!(out, "note: {} is not one of the task's files", quoted(&outside));
        }
        Ok((out, ToolAction::Edited(paths)))
    }
}

/// The innermost error of an edit set, said for a model.
fn edit_error(e: &molt_syntax::Error) -> String {
    let inner = match e {
        molt_syntax::Error::Edit { source, .. } => source.as_ref(),
        other => other,
    };
    match inner {
        molt_syntax::Error::BrokenSyntax { path, line, column, message } => {
            format!("the result does not parse at {path}:{line}:{column}: {message}; fix the text and call again")
        }
        other => other.to_string(),
    }
}

/// The lines a unified diff of one file adds and removes (its two header
/// lines left out).
fn diff_counts(diff: &str) -> (usize, usize) {
    let (mut added, mut removed) = (0, 0);
    for line in diff.lines().skip(2) {
        match line.as_bytes().first() {
            Some(b'+') => added += 1,
            Some(b'-') => removed += 1,
            _ => {}
        }
    }
    (added, removed)
}
