//! Small helpers over tree-sitter's C and C++ trees that recipes share: parse,
//! walk, find the top-level item around a node, and tell whether a node sits
//! in a preprocessor branch that only x86 compilers see.

use tree_sitter::{Node, Tree};

/// The C-family dialect of a file, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    C,
    Cpp,
}

impl Dialect {
    pub fn of(path: &str) -> Option<Dialect> {
        let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        match ext.as_str() {
            "c" | "h" => Some(Dialect::C),
            "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" | "inl" => Some(Dialect::Cpp),
            _ => None,
        }
    }
}

impl Dialect {
    /// [`Dialect::of`], with a `.h` header read as C++ when its text is
    /// C++ (a namespace, a class, a template, the C++ standard library):
    /// C++ projects name their headers `.h` as often as not. molt-syntax
    /// decides ([`molt_syntax::Lang::from_source`]), so that the recipe's
    /// finders and the edit gate read a header alike.
    pub fn of_source(path: &str, text: &str) -> Option<Dialect> {
        let dialect = Dialect::of(path)?;
        if dialect == Dialect::C
            && molt_syntax::Lang::from_source(path, text.as_bytes()) == Some(molt_syntax::Lang::Cpp)
        {
            return Some(Dialect::Cpp);
        }
        Some(dialect)
    }

    pub fn lang(self) -> molt_syntax::Lang {
        match self {
            Dialect::C => molt_syntax::Lang::C,
            Dialect::Cpp => molt_syntax::Lang::Cpp,
        }
    }
}

/// Parses `text` as molt-syntax does: declaration macros (`MEM_STATIC`,
/// `static INLINE`) and the other masks of its `mask.rs` are read as blanks,
/// so that such items are the functions they are. Offsets are the text's
/// own. tree-sitter always returns a tree (with ERROR nodes for what it
/// could not parse); `None` only when the grammar is not compiled in.
pub fn parse(dialect: Dialect, text: &str) -> Option<Tree> {
    molt_syntax::parse(dialect.lang(), text.as_bytes()).ok().map(|p| p.tree)
}

/// Where `item`'s text begins: its node's start, or before it the start of
/// the masked words (`MEM_STATIC`) that stand between it and the start of
/// its line. `Err` when anything else stands there (the parser took the
/// start of the item for part of something before it), or when the item
/// sits in a macro definition continued with backslashes: wrapping it in
/// `#if` lines there would break the file.
pub fn item_start(item: Node<'_>, src: &str, masked: &[(usize, usize)]) -> Result<usize, String> {
    let start = item.start_byte();
    let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
    if line_start > 0 {
        let previous = src[..line_start - 1].trim_end_matches('\r');
        if previous.ends_with('\\') {
            return Err("inside a macro definition continued with backslashes".to_owned());
        }
    }
    let mut at = start;
    loop {
        let before = src[line_start..at].trim_end_matches([' ', '\t']);
        at = line_start + before.len();
        if at == line_start {
            break;
        }
        match masked.iter().find(|r| r.1 == at && r.0 >= line_start) {
            Some(r) => at = r.0,
            None => {
                return Err(format!(
                    "the item does not start its line (`{}` stands before it)",
                    src[line_start..start].trim()
                ))
            }
        }
    }
    // The first non-blank byte of the line.
    Ok(line_start + (src[line_start..start].len() - src[line_start..start].trim_start_matches([' ', '\t']).len()))
}

/// Number of ERROR and MISSING nodes in a tree.
pub fn error_count(tree: &Tree) -> usize {
    errors_within(tree.root_node(), 0, usize::MAX)
}

/// Number of ERROR and MISSING nodes under `node` that lie within `start..end`.
pub fn errors_within(node: Node<'_>, start: usize, end: usize) -> usize {
    let mut count = 0;
    walk(node, &mut |n| {
        if (n.is_error() || n.is_missing()) && start <= n.start_byte() && n.end_byte() <= end {
            count += 1;
        }
    });
    count
}

/// Visits every node, depth first, in source order.
pub fn walk<'t>(node: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    let mut cursor = node.walk();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        f(n);
        let children: Vec<Node<'t>> = n.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
}

pub fn text<'a>(node: Node<'_>, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

/// Kinds of nodes that are items: things a file defines at its top level.
const ITEM_KINDS: &[&str] = &[
    "function_definition",
    "declaration",
    "type_definition",
    "struct_specifier",
    "union_specifier",
    "enum_specifier",
    "class_specifier",
    "template_declaration",
];

/// The outermost item around `node`: the function, declaration or type at file
/// level (looking through `#if` blocks and namespaces), if any. A C++ method
/// defined in its class's body is an item of its own: the rewrite wraps the
/// method, not the whole class (or class template) around it.
pub fn enclosing_item(node: Node<'_>) -> Option<Node<'_>> {
    let mut found = None;
    let mut cur = Some(node);
    while let Some(n) = cur {
        if matches!(n.kind(), "function_definition" | "template_declaration") && in_class_body(n) {
            return Some(n);
        }
        if ITEM_KINDS.contains(&n.kind()) {
            let parent_kind = n.parent().map(|p| p.kind()).unwrap_or("");
            let at_top = matches!(
                parent_kind,
                "translation_unit"
                    | "preproc_if"
                    | "preproc_ifdef"
                    | "preproc_else"
                    | "preproc_elif"
                    | "declaration_list"
                    | "linkage_specification"
            );
            if at_top {
                found = Some(n);
            }
        }
        cur = n.parent();
    }
    found
}

/// Whether `node` stands in a class body (through `#if` blocks there).
fn in_class_body(node: Node<'_>) -> bool {
    let mut cur = node.parent();
    while let Some(p) = cur {
        match p.kind() {
            "field_declaration_list" => return true,
            "preproc_if" | "preproc_ifdef" | "preproc_else" | "preproc_elif" => cur = p.parent(),
            _ => return false,
        }
    }
    false
}

/// The name an item declares: the function's name, the typedef's new name, the
/// variable's name; `None` for anonymous things.
pub fn item_name(item: Node<'_>, src: &str) -> Option<String> {
    let declarator = match item.kind() {
        "function_definition" | "declaration" | "type_definition" => item.child_by_field_name("declarator"),
        "template_declaration" => {
            let mut c = item.walk();
            let inner = item.named_children(&mut c).find(|n| ITEM_KINDS.contains(&n.kind()));
            return inner.and_then(|n| item_name(n, src));
        }
        _ => item.child_by_field_name("name"),
    }?;
    innermost_identifier(declarator, src)
}

fn innermost_identifier(node: Node<'_>, src: &str) -> Option<String> {
    if let Some(call) = macro_call_name(node) {
        return Some(text(call, src).split_whitespace().collect::<Vec<_>>().join(" "));
    }
    match node.kind() {
        "identifier"
        | "type_identifier"
        | "field_identifier"
        | "qualified_identifier"
        | "destructor_name"
        | "operator_name" => Some(text(node, src).to_owned()),
        _ => {
            if let Some(d) = node.child_by_field_name("declarator") {
                return innermost_identifier(d, src);
            }
            let mut c = node.walk();
            let children: Vec<Node<'_>> = node.named_children(&mut c).collect();
            children.into_iter().find_map(|n| innermost_identifier(n, src))
        }
    }
}

/// The macro call that names a function (`ADD_SUFFIX(adler32)` in
/// `u32 ADD_SUFFIX(adler32)(u32 a)`, as template headers included once per
/// instruction set write it): tree-sitter reads it as a function declarator
/// around another whose declarator is a plain identifier. No C function
/// returns a function, so that shape is always a name made by a macro; the
/// call's text is the item's stable name, whatever the macro expands to.
fn macro_call_name(node: Node<'_>) -> Option<Node<'_>> {
    if node.kind() != "function_declarator" {
        return None;
    }
    let inner = node.child_by_field_name("declarator").filter(|d| d.kind() == "function_declarator")?;
    let callee = inner.child_by_field_name("declarator")?;
    (callee.kind() == "identifier").then_some(inner)
}

/// Whether `node` sits in a preprocessor branch that only x86 compilers take:
/// `#if defined(__x86_64__) || defined(__i386__)`, `#ifdef __AVX512F__`, and
/// the like. Code there is already guarded and is not a migration site. A
/// condition for which `ported` holds (an x86 feature the port provides on
/// other targets too) does not count: the code under it is ported.
pub fn in_x86_only_branch(node: Node<'_>, src: &str, ported: &dyn Fn(&str) -> bool) -> bool {
    let mut child = node;
    let mut cur = node.parent();
    while let Some(p) = cur {
        if matches!(p.kind(), "preproc_if" | "preproc_ifdef" | "preproc_elif") {
            // Only the consequence of the condition is guarded; the `alternative`
            // (an #else or #elif) is the non-x86 side.
            let in_alternative = p.child_by_field_name("alternative").is_some_and(|a| a.id() == child.id());
            let cond = p
                .child_by_field_name("condition")
                .or_else(|| p.child_by_field_name("name"))
                .map(|c| text(c, src))
                .unwrap_or("");
            let negated = p.kind() == "preproc_ifdef" && text(p, src).starts_with("#ifndef");
            if !in_alternative && !negated && is_x86_condition(cond) && !ported(cond) {
                return true;
            }
        }
        child = p;
        cur = p.parent();
    }
    false
}

/// Whether `node` sits in a preprocessor branch that no compiler takes: the
/// body of `#if 0` (or of any condition that is false whatever the macros),
/// or the `#else` / `#elif` of `#if 1`. Such code is not ported. `decide`
/// gives a condition's value on every target built for, where it is the
/// same on all (see [`crate::cond::constant_value`] for "whatever the macros").
pub fn in_dead_branch(node: Node<'_>, src: &str, decide: &dyn Fn(&str) -> Option<i64>) -> bool {
    let mut child = node;
    let mut cur = node.parent();
    while let Some(p) = cur {
        if matches!(p.kind(), "preproc_if" | "preproc_elif") {
            let condition = p.child_by_field_name("condition");
            let in_condition = condition.is_some_and(|c| c.id() == child.id());
            let in_alternative = p.child_by_field_name("alternative").is_some_and(|a| a.id() == child.id());
            let value = condition.and_then(|c| decide(text(c, src)));
            match value {
                Some(0) if !in_condition && !in_alternative => return true,
                Some(v) if v != 0 && in_alternative => return true,
                _ => {}
            }
        }
        child = p;
        cur = p.parent();
    }
    false
}

/// Whether a preprocessor condition selects x86 only.
pub fn is_x86_condition(cond: &str) -> bool {
    const MACROS: &[&str] = &[
        "__x86_64__",
        "__i386__",
        "_M_X64",
        "_M_IX86",
        "__SSE__",
        "__SSE2__",
        "__SSE3__",
        "__SSSE3__",
        "__SSE4_1__",
        "__SSE4_2__",
        "__AVX__",
        "__AVX2__",
        "__FMA__",
        "__AVX512F__",
    ];
    // A condition that also names another architecture is not x86-only.
    let other = ["__aarch64__", "__arm__", "__ARM_NEON", "_M_ARM64", "__riscv", "__powerpc"];
    MACROS.iter().any(|m| cond.contains(m)) && !other.iter().any(|m| cond.contains(m)) && !cond.contains('!')
}

/// The text of line `row` (0-based) up to the first non-blank character: the
/// indentation an item on that line has.
pub fn indentation_at(src: &str, byte: usize) -> &str {
    let line_start = src[..byte.min(src.len())].rfind('\n').map_or(0, |i| i + 1);
    let rest = &src[line_start..];
    let width = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..width]
}

/// A top-level item's name, whether it is file-private (`static`), and the
/// names it calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCalls {
    pub name: String,
    pub is_static: bool,
    pub calls: std::collections::BTreeSet<String>,
}

/// Every named top-level item of a file with the functions it calls, so a
/// planner can order callees before callers and fold private helpers into
/// their only caller.
pub fn item_calls(dialect: Dialect, src: &str) -> Vec<ItemCalls> {
    let Some(tree) = parse(dialect, src) else { return Vec::new() };
    let mut out: Vec<ItemCalls> = Vec::new();
    walk(tree.root_node(), &mut |node| {
        if !ITEM_KINDS.contains(&node.kind()) || enclosing_item(node).map(|i| i.id()) != Some(node.id()) {
            return;
        }
        let Some(name) = item_name(node, src) else { return };
        let mut is_static = false;
        let mut c = node.walk();
        for child in node.children(&mut c) {
            if child.kind() == "storage_class_specifier" && text(child, src) == "static" {
                is_static = true;
            }
        }
        let mut calls = std::collections::BTreeSet::new();
        walk(node, &mut |n| {
            if n.kind() == "call_expression" {
                if let Some(f) = n.child_by_field_name("function").filter(|f| f.kind() == "identifier") {
                    calls.insert(text(f, src).to_owned());
                }
            }
        });
        calls.remove(&name);
        out.push(ItemCalls { name, is_static, calls });
    });
    out
}

#[cfg(test)]
mod tests;
