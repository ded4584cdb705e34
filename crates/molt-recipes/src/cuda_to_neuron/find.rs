//! One walk over a Python file: every site with what the rules do about it.

use std::collections::BTreeSet;

use molt_core::Site;
use tree_sitter::Node;

use super::pyast::{self, Aliases};
use super::{calls, devices, imports, loops, ADVISORY};
use crate::ctree::text;

/// A byte range of the file's text and what replaces it.
pub type Splice = (usize, usize, String);

/// What the rules do about a site: splices of the file's text (start, end,
/// new text), or why they leave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    Edit(Vec<Splice>),
    Left(String),
}

/// A site and its fix.
#[derive(Debug, Clone)]
pub struct Found {
    pub site: Site,
    pub fix: Fix,
}

/// What the finders know about the file as a whole.
pub struct Ctx<'a> {
    pub src: &'a str,
    pub root: Node<'a>,
    pub aliases: Aliases,
    /// Names assigned a `DataLoader(...)`.
    pub loaders: BTreeSet<String>,
}

/// Every site of a Python file, in file order.
pub fn analyze(path: &str, src: &str) -> Vec<Found> {
    let Some(tree) = pyast::parse(src) else { return Vec::new() };
    let root = tree.root_node();
    let aliases = Aliases::of(root, src);
    let mut loaders = BTreeSet::new();
    crate::ctree::walk(root, &mut |n| {
        if n.kind() != "assignment" {
            return;
        }
        let (Some(left), Some(right)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) else { return };
        let callee = right.child_by_field_name("function").and_then(|f| pyast::dotted(f, src));
        if callee.is_some_and(|c| aliases.canonical(&c).ends_with("DataLoader")) {
            if let Some(name) = pyast::last_name(left, src) {
                loaders.insert(name.to_owned());
            }
        }
    });
    let ctx = Ctx { src, root, aliases, loaders };
    let mut found: Vec<Found> = Vec::new();
    let mut push = |node: Node<'_>, kind: &'static str, fix: Fix| {
        let advisory = ADVISORY.contains(&kind);
        let line = node.start_position().row + 1;
        let shown = text(node, src).lines().next().unwrap_or("").trim().to_owned();
        let site = Site {
            kind: kind.to_owned(),
            path: path.to_owned(),
            symbol: if advisory { None } else { pyast::symbol(node, src).map(|s| format!("{path}::{s}")) },
            line,
            start: node.start_byte(),
            end: node.end_byte(),
            text: shown,
        };
        found.push(Found { site, fix });
    };
    crate::ctree::walk(root, &mut |node| {
        let one = match node.kind() {
            "call" => calls::call(&ctx, node),
            "attribute" => calls::attribute(&ctx, node),
            "string" | "conditional_expression" => devices::string(&ctx, node),
            "import_statement" | "import_from_statement" => imports::import(&ctx, node),
            "decorator" => triton_kernel(&ctx, node),
            "expression_statement" => loops::module_move(&ctx, node).map(|(_, k, f)| (k, f)),
            _ => None,
        };
        if let Some((kind, fix)) = one {
            push(node, kind, fix);
        }
        if matches!(node.kind(), "for_statement" | "while_statement") {
            for (n, kind, fix) in loops::loop_sites(&ctx, node) {
                push(n, kind, fix);
            }
        }
        if matches!(node.kind(), "block" | "module") {
            for (n, kind, fix) in loops::optimizer_order(&ctx, node) {
                push(n, kind, fix);
            }
        }
    });
    found.sort_by_key(|f| (f.site.start, f.site.end));
    found
}

/// `@triton.jit` and the like: a kernel for NVIDIA GPUs.
fn triton_kernel(ctx: &Ctx<'_>, node: Node<'_>) -> Option<(&'static str, Fix)> {
    let expr = node.named_child(0)?;
    let target = if expr.kind() == "call" { expr.child_by_field_name("function")? } else { expr };
    let name = ctx.aliases.canonical(&pyast::dotted(target, ctx.src)?);
    (name.starts_with("triton.") || name.starts_with("numba.cuda."))
        .then(|| ("custom-cuda", Fix::Left(format!("a `{name}` kernel: write it as an NKI kernel or in PyTorch"))))
}
