//! Rewriting a C or C++ file: each item kept for x86 and copied, renamed,
//! for the rest; headers as one guarded block; feature guards widened.

use std::collections::{BTreeMap, BTreeSet};

use molt_core::Site;
use tree_sitter::Node;

use super::empty_asm::{empty_asm, EmptyAsm};
use super::macros::{macro_words, own_macros};
use super::{cpuid, target_attr};
use super::{neon_header, scalar_header, X86ToNeon, X86_GUARD};
use crate::ctree::{self, Dialect};
use crate::recipe::Rewrite;
use crate::{Error, Result};

impl X86ToNeon {
    /// Rewrites one C or C++ file.
    pub(super) fn rewrite_c(&self, path: &str, text: &str, targets: &[Site], dialect: Dialect) -> Result<Rewrite> {
        let tree = ctree::parse(dialect, text).ok_or_else(|| Error::Parse(path.to_owned()))?;
        let current = self.find_c_sites(path, text, dialect);
        let wanted_symbols: BTreeSet<&str> = targets.iter().filter_map(|s| s.symbol.as_deref()).collect();
        let wants_headers = targets.iter().any(|s| s.kind == "x86-header");
        let wants_guards = targets.iter().any(|s| s.kind == "x86-guard" && s.symbol.is_none());
        let wants_macros = targets.iter().any(|s| s.kind == "x86-macro" && s.symbol.is_none());
        let selected: Vec<&Site> = current
            .iter()
            .filter(|s| match &s.symbol {
                Some(sym) => wanted_symbols.contains(sym.as_str()),
                None => {
                    (s.kind == "x86-header" && wants_headers)
                        || (s.kind == "x86-guard" && wants_guards)
                        || (s.kind == "x86-macro" && wants_macros)
                }
            })
            .collect();

        let mut out = Rewrite { text: text.to_owned(), ..Rewrite::default() };
        // (start, end, replacement), applied back to front.
        let mut splices: Vec<(usize, usize, String)> = Vec::new();

        // Items: each enclosing item of a selected site, translated whole or not at all.
        let mut items: BTreeMap<usize, (Node<'_>, Vec<&Site>)> = BTreeMap::new();
        let mut stray: Vec<&Site> = Vec::new();
        let file_level =
            |s: &Site| s.symbol.is_none() && matches!(s.kind.as_str(), "x86-header" | "x86-guard" | "x86-macro");
        for site in selected.iter().copied().filter(|s| !file_level(s)) {
            let node = tree.root_node().descendant_for_byte_range(site.start, site.end);
            match node.and_then(ctree::enclosing_item) {
                Some(item) => items.entry(item.start_byte()).or_insert((item, Vec::new())).1.push(site),
                None => stray.push(site),
            }
        }
        for site in stray {
            out.unmapped.push((site.clone(), "not inside a function or declaration the rules can wrap".to_owned()));
        }
        let masked = molt_syntax::masked_ranges(dialect.lang(), text.as_bytes());
        let own = own_macros(text);
        let x86_only = self.x86_only_functions(&tree, text, &current, &own);
        let mut copied_errors = 0;
        for (item, sites) in items.values() {
            let start = match ctree::item_start(*item, text, &masked) {
                Ok(start) => start,
                Err(why) => {
                    out.unmapped.extend(sites.iter().map(|s| ((*s).clone(), why.clone())));
                    continue;
                }
            };
            let calls_x86_only = || {
                let mut found = false;
                ctree::walk(*item, &mut |n| {
                    found |= self.live_call(n, text).is_some_and(|f| x86_only.contains(f));
                });
                found
            };
            match self.translate_item(*item, text, &own) {
                // A function that calls one kept for x86 alone stays with it.
                Ok(_) if calls_x86_only() => {
                    splices.push(crate::avx512::keep_x86_only(*item, start, text));
                    out.mapped.extend(sites.iter().map(|s| (*s).clone()));
                }
                Ok((translated, notes)) => {
                    // The copy repeats what tree-sitter could not read in the
                    // original (a `WEBP_RESTRICT` in a parameter list): no new error.
                    copied_errors += ctree::errors_within(tree.root_node(), start, item.end_byte());
                    splices.push(wrap_item(*item, start, text, &translated, &notes));
                    out.mapped.extend(sites.iter().map(|s| (*s).clone()));
                }
                Err(why) if crate::avx512::only_avx512(&why) => {
                    splices.push(crate::avx512::keep_x86_only(*item, start, text));
                    out.mapped.extend(sites.iter().map(|s| (*s).clone()));
                }
                Err(why) => out.unmapped.extend(sites.iter().map(|s| ((*s).clone(), why.clone()))),
            }
        }

        // Macros at file level: each `#define` kept for x86, translated for the rest.
        for site in selected.iter().copied().filter(|s| s.kind == "x86-macro" && s.symbol.is_none()) {
            let node = tree.root_node().descendant_for_byte_range(site.start, site.end);
            let node = std::iter::successors(node, |n| n.parent())
                .find(|n| n.start_byte() == site.start && matches!(n.kind(), "preproc_def" | "preproc_function_def"));
            let Some(node) = node else {
                out.unmapped.push((site.clone(), "the macro's definition was not found".to_owned()));
                continue;
            };
            match self.wrap_macro(node, text, &own) {
                Ok(splice) => {
                    splices.push(target_attr::strip_from_copy(splice));
                    out.mapped.push(site.clone());
                }
                // As for items: AVX-512 stays x86's own (`crate::avx512`).
                Err(why) if crate::avx512::only_avx512(&why) => {
                    splices.push(crate::avx512::keep_define_x86_only(node, text));
                    out.mapped.push(site.clone());
                }
                Err(why) => out.unmapped.push((site.clone(), why)),
            }
        }

        // Headers: one guarded block replaces the first x86 include; the others go.
        let headers: Vec<&Site> = selected.iter().copied().filter(|s| s.kind == "x86-header").collect();
        if let Some(first) = headers.first() {
            // Includes next to each other (blank lines and comments between)
            // share one block; others, in another `#if` branch or further
            // down, each get their own where they are, so that the x86 build
            // still includes each header under the conditions it did.
            let parent = |s: &Site| {
                let node = tree.root_node().descendant_for_byte_range(s.start, s.end);
                std::iter::successors(node, |n| n.parent())
                    .find(|n| n.kind() == "preproc_include")
                    .and_then(|n| n.parent())
                    .map(|p| p.id())
            };
            let mut groups: Vec<Vec<&Site>> = Vec::new();
            for h in &headers {
                let joins = groups.last().and_then(|g| g.last()).is_some_and(|prev| {
                    let (_, prev_end) = line_span(text, prev.start, prev.end);
                    let (start, _) = line_span(text, h.start, h.end);
                    parent(prev) == parent(h) && prev_end <= start && only_blank_or_comments(&text[prev_end..start])
                });
                match groups.last_mut() {
                    Some(g) if joins => g.push(h),
                    _ => groups.push(vec![h]),
                }
            }
            for group in &groups {
                let names: Vec<String> = group.iter().map(|s| s.text.clone()).collect();
                for (i, h) in group.iter().enumerate() {
                    let (start, end) = line_span(text, h.start, h.end);
                    let replacement = if i == 0 { include_block(&names) } else { String::new() };
                    splices.push((start, end, replacement));
                }
            }
            out.mapped.extend(headers.iter().map(|s| (*s).clone()));
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            let beside = |name: &str| if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") };
            out.new_files.push((beside("molt_simd_neon.h"), neon_header().to_owned()));
            out.new_files.push((beside("molt_simd_scalar.h"), scalar_header().to_owned()));
            let _ = first;
        }

        splices.sort_by_key(|s| std::cmp::Reverse(s.0));
        let checked = splices.clone();
        let mut new_text = text.to_owned();
        let mut last_start = usize::MAX;
        for (start, end, replacement) in splices {
            if end > last_start {
                return Err(Error::Overlap(path.to_owned()));
            }
            new_text.replace_range(start..end, &replacement);
            last_start = start;
        }

        // Feature guards outside items, once nothing else in the file is left to port.
        let guards: Vec<&Site> =
            selected.iter().copied().filter(|s| s.kind == "x86-guard" && s.symbol.is_none()).collect();
        if !guards.is_empty() {
            match self.widen_file_guards(path, &new_text, dialect)? {
                Ok(widened) => {
                    new_text = widened;
                    out.mapped.extend(guards.iter().map(|s| (*s).clone()));
                }
                Err(why) => out.unmapped.extend(guards.iter().map(|s| ((*s).clone(), why.clone()))),
            }
        }
        // The rewrite must parse as well as the original did. Around errors
        // the file already had (a macro call without its `;`), tree-sitter
        // may recover differently once `#if` lines stand nearby; then each
        // splice must parse on its own as well as the text it replaced.
        if let Some(after) = ctree::parse(dialect, &new_text) {
            if ctree::error_count(&after) > ctree::error_count(&tree) + copied_errors
                && !splices_parse_alone(dialect, text, &checked)
            {
                return Err(Error::Broken(path.to_owned()));
            }
        }
        out.text = new_text;
        Ok(out)
    }

    /// The file's functions that other targets will not have: those already
    /// kept for x86 alone (defined only in an x86-only branch), those that
    /// will be (AVX-512 alone stands in their way), and, to a fixed point,
    /// the functions with sites that call one of them.
    fn x86_only_functions(
        &self,
        tree: &tree_sitter::Tree,
        text: &str,
        sites: &[Site],
        own: &BTreeSet<String>,
    ) -> BTreeSet<String> {
        let ported = |cond: &str| self.is_ported_condition(cond);
        // name → (defined outside x86-only branches, has sites, calls)
        let mut functions: BTreeMap<String, (bool, bool, BTreeSet<String>)> = BTreeMap::new();
        let with_sites: BTreeSet<usize> = sites
            .iter()
            .filter_map(|s| tree.root_node().descendant_for_byte_range(s.start, s.end))
            .filter_map(ctree::enclosing_item)
            .map(|i| i.id())
            .collect();
        let mut x86_only = BTreeSet::new();
        ctree::walk(tree.root_node(), &mut |node| {
            if node.kind() != "function_definition" || ctree::enclosing_item(node).map(|i| i.id()) != Some(node.id()) {
                return;
            }
            let Some(name) = ctree::item_name(node, text) else { return };
            let entry = functions.entry(name.clone()).or_default();
            entry.0 |= !ctree::in_x86_only_branch(node, text, &ported);
            if with_sites.contains(&node.id()) {
                entry.1 = true;
                if matches!(self.translate_item(node, text, own), Err(why) if crate::avx512::only_avx512(&why)) {
                    x86_only.insert(name.clone());
                }
            }
            ctree::walk(node, &mut |n| {
                if let Some(f) = self.live_call(n, text) {
                    entry.2.insert(f.to_owned());
                }
            });
        });
        x86_only.extend(functions.iter().filter(|(_, f)| !f.0).map(|(n, _)| n.clone()));
        loop {
            let more: Vec<String> = functions
                .iter()
                .filter(|(n, f)| f.1 && !x86_only.contains(*n) && f.2.iter().any(|c| x86_only.contains(c)))
                .map(|(n, _)| n.clone())
                .collect();
            if more.is_empty() {
                return x86_only;
            }
            x86_only.extend(more);
        }
    }

    /// The item's text with every mapped name renamed, and the semantic notes
    /// of the intrinsics it uses; or why it cannot be translated.
    /// `own`: the names the file `#define`s itself ([`own_macros`]).
    fn translate_item(
        &self,
        item: Node<'_>,
        src: &str,
        own: &BTreeSet<String>,
    ) -> std::result::Result<(String, Vec<String>), String> {
        let base = item.start_byte();
        let mut edits: Vec<(usize, usize, &str)> = Vec::new();
        let mut problems: BTreeSet<String> = BTreeSet::new();
        let mut notes: BTreeSet<String> = BTreeSet::new();
        let mut widened: Vec<(usize, usize, String)> = Vec::new();
        let mut replaced: Vec<(usize, usize, String)> = Vec::new();
        let mut avx512_branches: Vec<(usize, usize, String)> = Vec::new();
        ctree::walk(item, &mut |node| {
            match node.kind() {
                "gnu_asm_expression" | "asm_statement" => {
                    // Assembly only x86 compiles stays as it is; `cpuid` and
                    // `xgetbv` become calls of the headers' answers.
                    let ported = |cond: &str| self.is_ported_condition(cond);
                    let decide = |cond: &str| self.value_on_every_target(cond);
                    if ctree::in_x86_only_branch(node, src, &ported) || ctree::in_dead_branch(node, src, &decide) {
                        return;
                    }
                    match empty_asm(node, src) {
                        Some(EmptyAsm::RegisterBarrier) => {
                            replaced.push((node.start_byte() - base, node.end_byte() - base, "(void)0".to_owned()));
                            return;
                        }
                        Some(EmptyAsm::MemoryBarrier) => return,
                        None => {}
                    }
                    if !cpuid::is_query_asm(node, src) {
                        problems.insert("inline assembly".to_owned());
                        return;
                    }
                    match cpuid::rewrite(node, src) {
                        Ok((start, end, new)) => replaced.push((start - base, end - base, new)),
                        Err(why) => {
                            problems.insert(why);
                        }
                    }
                    return;
                }
                "preproc_ifdef" | "preproc_if" | "preproc_elif" => {
                    let splice = if self.classify(node, src) == Some("x86-guard") {
                        self.widen_guard(node, src)
                    } else {
                        self.widen_x86_64_test(node, src)
                    };
                    if let Some((start, end, new)) = splice {
                        widened.push((start - base, end - base, new));
                    }
                    return;
                }
                "preproc_arg" => {
                    // A macro body is text to the grammar: its words, one by one.
                    for (start, end) in macro_words(ctree::text(node, src)) {
                        let (start, end) = (node.start_byte() + start, node.start_byte() + end);
                        self.rename(
                            &src[start..end],
                            (start - base, end - base),
                            own,
                            &mut edits,
                            &mut notes,
                            &mut problems,
                        );
                    }
                    return;
                }
                "identifier" | "type_identifier" | "primitive_type" => {}
                _ => return,
            }
            let name = ctree::text(node, src);
            if !self.renames.contains_key(name) && crate::avx512::is_avx512_name(name) {
                if let Some(body) = crate::avx512::branch_body(node, item) {
                    avx512_branches.push((body.0 - base, body.1 - base, crate::avx512::BRANCH_ERROR.to_owned()));
                    return;
                }
            }
            self.rename(
                name,
                (node.start_byte() - base, node.end_byte() - base),
                own,
                &mut edits,
                &mut notes,
                &mut problems,
            );
        });
        if !problems.is_empty() {
            return Err(problems.into_iter().collect::<Vec<_>>().join(", "));
        }
        // The x86 target attributes before the body go from the copy.
        let head_end = item.child_by_field_name("body").map_or(item.end_byte(), |b| b.start_byte());
        let untargeted =
            target_attr::x86_target_spans(&src[base..head_end]).into_iter().map(|(s, e)| (s, e, String::new()));
        // Branches that use AVX-512 are replaced whole (the outermost of nested ones).
        avx512_branches.sort_by_key(|b| (b.0, std::cmp::Reverse(b.1)));
        avx512_branches.dedup_by(|inner, outer| outer.0 <= inner.0 && inner.1 <= outer.1);
        replaced.retain(|r| !avx512_branches.iter().any(|b| b.0 <= r.0 && r.1 <= b.1));
        replaced.extend(avx512_branches);
        let mut text = ctree::text(item, src).to_owned();
        // Renames inside a replaced statement are the replacement's business.
        let inside = |s: usize, e: usize| replaced.iter().any(|r| r.0 <= s && e <= r.1);
        let mut edits: Vec<(usize, usize, String)> = edits
            .into_iter()
            .filter(|(s, e, _)| !inside(*s, *e))
            .map(|(s, e, new)| (s, e, new.to_owned()))
            .chain(widened.into_iter().filter(|(s, e, _)| !inside(*s, *e)))
            .chain(replaced.iter().cloned())
            .chain(untargeted)
            .collect();
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (start, end, new) in edits {
            text.replace_range(start..end, &new);
        }
        Ok((text, notes.into_iter().collect()))
    }
}

/// Whether each splice's new text parses alone with no more errors than
/// twice the text it replaces (an item's copy repeats the original's errors).
pub(super) fn splices_parse_alone(dialect: Dialect, text: &str, splices: &[(usize, usize, String)]) -> bool {
    splices.iter().all(|(start, end, new)| {
        let errors = |t: &str| ctree::parse(dialect, t).map_or(usize::MAX, |tree| ctree::error_count(&tree));
        errors(new) <= 2 * errors(&text[*start..*end])
    })
}

/// Whether `s` holds nothing but blanks and C comments.
fn only_blank_or_comments(s: &str) -> bool {
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            match after.split_once("*/") {
                Some((_, r)) => rest = r.trim_start(),
                None => return false,
            }
        } else {
            return false;
        }
    }
    true
}

/// The byte span of the whole lines that `start..end` sits on, newline included.
fn line_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    // Preprocessor directives end with their newline already.
    if end > start && text.as_bytes().get(end - 1) == Some(&b'\n') {
        return (line_start, end);
    }
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    (line_start, line_end)
}

fn include_block(originals: &[String]) -> String {
    let mut s = String::new();
    s.push_str(X86_GUARD);
    s.push('\n');
    for h in originals {
        s.push_str(&format!("#include {h}\n"));
    }
    s.push_str(
        "#elif defined(__aarch64__)\n\
         #include <arm_neon.h>\n\
         #include \"molt_simd_neon.h\" /* x86 intrinsics as NEON, with x86 semantics */\n\
         #else\n\
         #include \"molt_simd_scalar.h\" /* the same wrappers in portable C */\n\
         #endif\n",
    );
    s
}

/// The splice that keeps `item` (from `start`, its masked prefix included)
/// for x86 and adds its translation for the rest.
fn wrap_item(item: Node<'_>, start: usize, src: &str, translated: &str, notes: &[String]) -> (usize, usize, String) {
    let indent = ctree::indentation_at(src, start);
    let line_start = start - indent.len();
    let prefix = &src[start..item.start_byte()];
    let original = &src[start..item.end_byte()];
    let mut s = String::new();
    s.push_str(X86_GUARD);
    s.push('\n');
    s.push_str(indent);
    s.push_str(original);
    s.push_str("\n#else /* aarch64: NEON via molt_simd_neon.h; other targets: portable C via molt_simd_scalar.h */\n");
    if !notes.is_empty() {
        s.push_str(indent);
        s.push_str("/* molt x86-to-neon: semantics kept by the wrappers:\n");
        for n in notes {
            s.push_str(indent);
            s.push_str(" *   ");
            s.push_str(n);
            s.push('\n');
        }
        s.push_str(indent);
        s.push_str(" */\n");
    }
    s.push_str(indent);
    s.push_str(prefix);
    s.push_str(translated);
    s.push_str("\n#endif");
    (line_start, item.end_byte(), s)
}

impl X86ToNeon {
    /// The name a call expression calls, when it is a plain identifier and
    /// the call is compiled for other targets than x86 (not in an x86-only
    /// or dead branch).
    fn live_call<'a>(&self, node: Node<'_>, src: &'a str) -> Option<&'a str> {
        if node.kind() != "call_expression" {
            return None;
        }
        let f = node.child_by_field_name("function").filter(|f| f.kind() == "identifier")?;
        let ported = |cond: &str| self.is_ported_condition(cond);
        let decide = |cond: &str| self.value_on_every_target(cond);
        if ctree::in_x86_only_branch(node, src, &ported) || ctree::in_dead_branch(node, src, &decide) {
            return None;
        }
        Some(ctree::text(f, src))
    }
}
