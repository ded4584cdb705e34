//! Small helpers over tree-sitter-python's trees: dotted names resolved
//! through the file's imports, the item a node sits in, statements and the
//! lines they stand on.

use std::collections::BTreeMap;

use tree_sitter::{Node, Tree};

use crate::ctree::text;

/// Parses Python as molt-syntax does; `None` only when the grammar is not
/// compiled in.
pub fn parse(src: &str) -> Option<Tree> {
    molt_syntax::parse(molt_syntax::Lang::Python, src.as_bytes()).ok().map(|p| p.tree)
}

/// What each name the file imports stands for: `amp` → `torch.cuda.amp`,
/// `DDP` → `torch.nn.parallel.DistributedDataParallel`, `th` → `torch`.
#[derive(Debug, Default)]
pub struct Aliases {
    names: BTreeMap<String, String>,
}

impl Aliases {
    /// The imports anywhere in the file (imports inside functions count too).
    pub fn of(root: Node<'_>, src: &str) -> Aliases {
        let mut names = BTreeMap::new();
        crate::ctree::walk(root, &mut |node| {
            for (local, full) in bindings(node, src) {
                names.insert(local, full);
            }
        });
        Aliases { names }
    }

    /// `a.b.c` with its first name replaced by what it was imported as.
    pub fn canonical(&self, dotted: &str) -> String {
        let (first, rest) = dotted.split_once('.').map_or((dotted, ""), |(f, r)| (f, r));
        match self.names.get(first) {
            Some(full) if rest.is_empty() => full.clone(),
            Some(full) => format!("{full}.{rest}"),
            None => dotted.to_owned(),
        }
    }
}

/// The names an import statement binds, each with the dotted path it stands for.
pub fn bindings(node: Node<'_>, src: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cursor = node.walk();
    match node.kind() {
        "import_statement" => {
            for name in node.children_by_field_name("name", &mut cursor) {
                match name.kind() {
                    "aliased_import" => {
                        if let (Some(n), Some(a)) =
                            (name.child_by_field_name("name"), name.child_by_field_name("alias"))
                        {
                            out.push((text(a, src).to_owned(), text(n, src).to_owned()));
                        }
                    }
                    _ => {
                        let full = text(name, src);
                        let first = full.split('.').next().unwrap_or(full);
                        out.push((first.to_owned(), first.to_owned()));
                    }
                }
            }
        }
        "import_from_statement" => {
            let Some(module) = node.child_by_field_name("module_name") else { return out };
            let module = text(module, src);
            for name in node.children_by_field_name("name", &mut cursor) {
                let (imported, local) = match name.kind() {
                    "aliased_import" => match (name.child_by_field_name("name"), name.child_by_field_name("alias")) {
                        (Some(n), Some(a)) => (text(n, src), text(a, src)),
                        _ => continue,
                    },
                    _ => (text(name, src), text(name, src)),
                };
                out.push((local.to_owned(), format!("{module}.{imported}")));
            }
        }
        _ => {}
    }
    out
}

/// `a.b.c` for an identifier or a chain of attributes on one; `None` for
/// anything else (a call, a subscript).
pub fn dotted(node: Node<'_>, src: &str) -> Option<String> {
    match node.kind() {
        "identifier" => Some(text(node, src).to_owned()),
        "attribute" => {
            let object = dotted(node.child_by_field_name("object")?, src)?;
            let attr = node.child_by_field_name("attribute")?;
            Some(format!("{object}.{}", text(attr, src)))
        }
        _ => None,
    }
}

/// The last name of a dotted expression (`self.optimizer` → `optimizer`).
pub fn last_name<'a>(node: Node<'_>, src: &'a str) -> Option<&'a str> {
    match node.kind() {
        "identifier" => Some(text(node, src)),
        "attribute" => node.child_by_field_name("attribute").map(|a| text(a, src)),
        _ => None,
    }
}

/// `Outer::inner`: the functions and classes around `node`, outermost first.
pub fn symbol(node: Node<'_>, src: &str) -> Option<String> {
    let mut names = Vec::new();
    let mut at = node.parent();
    while let Some(n) = at {
        if matches!(n.kind(), "function_definition" | "class_definition") {
            if let Some(name) = n.child_by_field_name("name") {
                names.push(text(name, src).to_owned());
            }
        }
        at = n.parent();
    }
    names.reverse();
    (!names.is_empty()).then(|| names.join("::"))
}

/// The statement `node` belongs to: itself or its nearest ancestor whose
/// parent is a block or the module.
pub fn statement(node: Node<'_>) -> Option<Node<'_>> {
    let mut at = Some(node);
    while let Some(n) = at {
        if matches!(n.parent().map(|p| p.kind()), Some("block" | "module")) {
            return Some(n);
        }
        at = n.parent();
    }
    None
}

/// The positional and keyword arguments of a call's argument list.
pub fn arguments(call: Node<'_>) -> Vec<Node<'_>> {
    let Some(args) = call.child_by_field_name("arguments") else { return Vec::new() };
    let mut cursor = args.walk();
    args.named_children(&mut cursor).filter(|n| n.kind() != "comment").collect()
}

/// The value of the keyword argument `name`, and the argument node.
pub fn keyword<'t>(call: Node<'t>, name: &str, src: &str) -> Option<(Node<'t>, Node<'t>)> {
    arguments(call).into_iter().find_map(|a| {
        (a.kind() == "keyword_argument" && a.child_by_field_name("name").is_some_and(|n| text(n, src) == name))
            .then(|| a.child_by_field_name("value").map(|v| (a, v)))
            .flatten()
    })
}

/// The byte range that removes `arg` from its argument list with one comma.
pub fn argument_removal(call: Node<'_>, arg: Node<'_>) -> (usize, usize) {
    let args = arguments(call);
    let i = args.iter().position(|a| a.id() == arg.id()).unwrap_or(0);
    if i > 0 {
        (args[i - 1].end_byte(), arg.end_byte())
    } else if let Some(next) = args.get(1) {
        (arg.start_byte(), next.start_byte())
    } else {
        (arg.start_byte(), arg.end_byte())
    }
}

/// The indentation of the line `at` is on.
pub fn indentation(src: &str, at: usize) -> &str {
    let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &src[line_start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Whether `stmt` stands alone on its lines (only blanks before it, only
/// blanks or a comment after it).
pub fn alone_on_lines(stmt: Node<'_>, src: &str) -> bool {
    let line_start = src[..stmt.start_byte()].rfind('\n').map_or(0, |i| i + 1);
    let after = &src[stmt.end_byte()..];
    let rest = after.split('\n').next().unwrap_or("").trim();
    src[line_start..stmt.start_byte()].trim().is_empty() && (rest.is_empty() || rest.starts_with('#'))
}

/// The splice that deletes `stmt` with its lines, or turns it into `pass`
/// when it is the only statement of its block; `None` when other code
/// shares its lines.
pub fn removal(stmt: Node<'_>, src: &str) -> Option<(usize, usize, String)> {
    if !alone_on_lines(stmt, src) {
        return None;
    }
    let only = stmt.parent().is_some_and(|p| {
        let mut cursor = p.walk();
        p.kind() == "block" && p.named_children(&mut cursor).filter(|c| c.kind() != "comment").count() == 1
    });
    if only {
        return Some((stmt.start_byte(), stmt.end_byte(), "pass".to_owned()));
    }
    let (start, end) = line_span(src, stmt.start_byte(), stmt.end_byte());
    Some((start, end, String::new()))
}

/// The whole lines `start..end` stands on, with the last newline.
pub fn line_span(src: &str, start: usize, end: usize) -> (usize, usize) {
    let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = src[end..].find('\n').map_or(src.len(), |i| end + i + 1);
    (line_start, line_end)
}

/// The statements of a block, comments left out.
pub fn statements(block: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = block.walk();
    block.named_children(&mut cursor).filter(|c| c.kind() != "comment").collect()
}
