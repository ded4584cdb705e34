//! A project's sources copied into the scratch folder, less the files a
//! user without upstream's NEON (or other non-x86) code would not have, and
//! less the lines of its build files that list only those files (such a
//! user's Makefile.am or makefile does not name them either).

use std::path::Path;

use anyhow::{Context, Result};

pub(crate) fn copy_without(from: &Path, to: &Path, remove: &[&str]) -> Result<()> {
    fn walk(base: &Path, dir: &Path, to: &Path, remove: &[&str], gone: &mut Vec<String>) -> Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let entry = entry?;
            let path = entry.path();
            let rel = path.strip_prefix(base)?.to_string_lossy().replace('\\', "/");
            let is_dir = entry.file_type()?.is_dir();
            if removed(&rel, is_dir, remove) {
                if is_dir {
                    // Every file of a removed folder is gone too (libdeflate's lib/arm).
                    let files = molt_syntax::walk_files(&path, &molt_syntax::WalkOptions::everything())?;
                    gone.extend(files.iter().map(|f| without_ext(&format!("{rel}/{}", f.rel)).to_owned()));
                } else {
                    gone.push(without_ext(&rel).to_owned());
                }
                continue;
            }
            let dest = to.join(&rel);
            if is_dir {
                std::fs::create_dir_all(&dest)?;
                walk(base, &path, to, remove, gone)?;
            } else if entry.file_type()?.is_file() {
                std::fs::copy(&path, &dest).with_context(|| format!("copying {rel}"))?;
            }
        }
        Ok(())
    }
    std::fs::create_dir_all(to)?;
    let mut gone = Vec::new();
    walk(from, from, to, remove, &mut gone)?;
    unlist(to, &gone)
}

/// A build file, by its name.
fn is_build_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("makefile") || lower == "cmakelists.txt" || lower.ends_with(".mk") || lower.ends_with(".cmake")
}

/// A path without its extensions.
fn without_ext(path: &str) -> &str {
    let name_at = path.rfind('/').map_or(0, |i| i + 1);
    path[name_at..].find('.').map_or(path, |dot| &path[..name_at + dot])
}

/// Whether a build file's entry names the removed file `gone` (its path
/// without extensions): `src/dsp/dec_neon.o`, `$(DIROBJ)\dsp\dec_neon.obj`
/// and `dec_neon.c` all name `src/dsp/dec_neon`; `lib/x86/cpu_features.c`
/// does not name `lib/arm/cpu_features`.
fn names(entry: &str, gone: &str) -> bool {
    let entry = entry.replace('\\', "/");
    // Folders made of variables (`$(DIROBJ)/`) say nothing of where it is.
    let after_vars =
        entry.rsplit_once(['$', ')', '}']).map_or(entry.as_str(), |(_, rest)| rest.trim_start_matches('/'));
    let entry = without_ext(after_vars);
    !entry.is_empty() && (gone == entry || gone.ends_with(&format!("/{entry}")) || entry.ends_with(&format!("/{gone}")))
}

/// Drops, in every build file under `dir`, the lines that list one removed
/// file and nothing else (`  dec_neon.c \`, `X_SOURCES += dec_neon.c`).
fn unlist(dir: &Path, gone: &[String]) -> Result<()> {
    if gone.is_empty() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            unlist(&path, gone)?;
            continue;
        }
        if !is_build_file(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let kept = unlisted(&text, gone);
        if kept != text {
            std::fs::write(&path, kept).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(())
}

pub(super) fn unlisted(text: &str, gone: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let body = line.trim().trim_end_matches('\\').trim_end();
        let words: Vec<&str> = body.split_whitespace().collect();
        let entry = match words.as_slice() {
            [one] => Some(*one),
            [_, "+=", one] => Some(*one),
            _ => None,
        };
        if entry.is_some_and(|e| gone.iter().any(|g| names(e, g))) {
            // The last entry of a continued list: the line before must end the list now.
            if !line.trim_end().ends_with('\\') {
                if let Some(prev) = out.last_mut().filter(|p| p.trim_end().ends_with('\\')) {
                    *prev = prev.trim_end().trim_end_matches('\\').trim_end().to_owned();
                }
            }
            continue;
        }
        out.push(line.to_owned());
    }
    let mut kept = out.join("\n");
    if text.ends_with('\n') {
        kept.push('\n');
    }
    kept
}

pub(super) fn removed(rel: &str, is_dir: bool, remove: &[&str]) -> bool {
    remove.iter().any(|pat| {
        if let Some(folder) = pat.strip_suffix('/') {
            return is_dir && rel == folder;
        }
        !is_dir && glob_match(pat, rel)
    })
}

/// `*` matches any run of characters but `/`.
fn glob_match(pat: &str, text: &str) -> bool {
    match pat.split_once('*') {
        None => pat == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else { return false };
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i) && !rest[..i].contains('/'))
                .any(|i| glob_match(tail, &rest[i..]))
        }
    }
}
