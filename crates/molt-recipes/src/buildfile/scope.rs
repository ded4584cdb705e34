//! Which source files an x86 flag of a build file applies to: a flag in a
//! Makefile rule's command or in a target-specific variable applies to that
//! rule's sources, one in `set_source_files_properties` to the files it
//! names; a flag of a plain variable or `add_compile_options` applies to the
//! whole project. A planner uses it to let the flags of a ported file change
//! without waiting for every other file.

use super::is_cmake;

/// The source files (paths relative to the build file's folder, as the build
/// file writes them) that the flag line starting at byte `start` applies to;
/// an object file (`a.o`) stands for its source and is returned as written.
/// `None` when the line applies to the whole project or when it cannot be
/// told (a name made by a variable or a pattern, a continued line).
pub fn flag_sources(path: &str, text: &str, start: usize) -> Option<Vec<String>> {
    let line_start = text[..start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    if is_cmake(path) {
        return cmake_sources(line);
    }
    if line.starts_with('\t') {
        // A rule's command: the rule's header is the nearest line above that
        // is neither a command nor a continuation of one.
        let above = &text[..line_start];
        let mut lines = above.lines().rev().peekable();
        while let Some(l) = lines.next() {
            if l.starts_with('\t') || l.trim().is_empty() || l.trim_start().starts_with('#') {
                continue;
            }
            // A header continued onto several lines is not read.
            if lines.peek().is_some_and(|p| p.trim_end().ends_with('\\')) || l.trim_end().ends_with('\\') {
                return None;
            }
            return rule_sources(l, true);
        }
        return None;
    }
    // `a.o: CFLAGS += -mavx2`: a target-specific variable.
    rule_sources(line, false)
}

/// The sources of a rule header `targets: prerequisites` (`command`: the flag
/// is in its command, which compiles its prerequisites), or of a
/// target-specific assignment `targets: VAR += flags`.
fn rule_sources(header: &str, command: bool) -> Option<Vec<String>> {
    let (targets, rest) = split_rule(header)?;
    let is_assignment = {
        let r = rest.trim_start();
        let word_end = r.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(r.len());
        word_end > 0 && ["+=", "=", ":=", "?=", "::="].iter().any(|op| r[word_end..].trim_start().starts_with(op))
    };
    if command == is_assignment {
        return None;
    }
    let named = |words: &str| -> Option<Vec<String>> {
        let words: Vec<String> = words.split_whitespace().map(str::to_owned).collect();
        if words.is_empty() || words.iter().any(|w| w.contains('$') || w.contains('%') || w.contains('*')) {
            return None;
        }
        Some(words)
    };
    if command {
        // The sources among the prerequisites, or else the targets' objects.
        let prereqs = rest.split(['|', ';']).next().unwrap_or("");
        let sources: Vec<String> = prereqs.split_whitespace().filter(|w| is_source(w)).map(str::to_owned).collect();
        if !sources.is_empty() && sources.iter().all(|w| !w.contains('$') && !w.contains('%')) {
            return Some(sources);
        }
    }
    let objects = named(targets)?;
    objects.iter().all(|w| is_object(w) || is_source(w)).then_some(objects)
}

/// `targets: rest` of a make rule; `None` for assignments (`A := b`) and
/// lines that are not rules.
fn split_rule(line: &str) -> Option<(&str, &str)> {
    if line.starts_with([' ', '\t']) && line.trim_start().starts_with(['#', '$']) {
        return None;
    }
    let colon = line.find(':')?;
    let (targets, rest) = (&line[..colon], &line[colon + 1..]);
    // `A := b`, `A ::= b` and `A = b:c` are assignments, not rules.
    if rest.starts_with('=') || rest.starts_with(":=") || targets.contains('=') {
        return None;
    }
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    let targets = targets.trim();
    if targets.is_empty() || targets.starts_with('.') && !targets.contains('/') {
        return None;
    }
    Some((targets, rest))
}

/// `set_source_files_properties(a.c b.c PROPERTIES COMPILE_FLAGS ...)` and
/// `set_property(SOURCE a.c APPEND PROPERTY COMPILE_OPTIONS ...)` on one line.
fn cmake_sources(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    let lower = t.to_ascii_lowercase();
    let args = if lower.starts_with("set_source_files_properties") {
        let inner = t.split_once('(')?.1;
        inner.split(" PROPERTIES").next()?
    } else if lower.starts_with("set_property") {
        let inner = t.split_once('(')?.1.trim_start();
        let rest = inner.strip_prefix("SOURCE")?;
        let end = ["APPEND", "PROPERTY", "DIRECTORY", "TARGET_DIRECTORY"]
            .iter()
            .filter_map(|k| rest.find(&format!(" {k}")))
            .min()
            .unwrap_or(rest.len());
        &rest[..end]
    } else {
        return None;
    };
    let files: Vec<String> = args.split_whitespace().map(|w| w.trim_matches('"').to_owned()).collect();
    if files.is_empty() || files.iter().any(|f| f.contains('$') || f.contains('*') || !is_source(f)) {
        return None;
    }
    Some(files)
}

fn is_source(word: &str) -> bool {
    let ext = word.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(ext, "c" | "cc" | "cpp" | "cxx" | "C" | "S" | "s" | "m" | "mm")
}

fn is_object(word: &str) -> bool {
    let ext = word.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(ext, "o" | "obj" | "lo")
}

#[cfg(test)]
mod tests;
