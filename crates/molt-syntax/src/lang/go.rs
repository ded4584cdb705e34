//! Go: functions, methods (named `Type.Method`) and type declarations; imports.

use tree_sitter::Node;

use super::{callee_name, field_text, text, Grammar, ImportPlace, ItemDef};
use crate::index::ItemKind;

pub(crate) struct Go;

impl Grammar for Go {
    fn language(&self) -> tree_sitter::Language {
        tree_sitter_go::LANGUAGE.into()
    }

    fn item<'t>(&self, node: Node<'t>, src: &[u8], _in_class: bool) -> Option<ItemDef<'t>> {
        let body = node.child_by_field_name("body");
        match node.kind() {
            "function_declaration" => {
                Some(ItemDef { kind: ItemKind::Function, name: field_text(node, "name", src)?, scope: None, body })
            }
            "method_declaration" => {
                let name = field_text(node, "name", src)?;
                let receiver = node.child_by_field_name("receiver").and_then(|r| receiver_type(r, src));
                let name = match receiver {
                    Some(ty) => format!("{ty}.{name}"),
                    None => name,
                };
                Some(ItemDef { kind: ItemKind::Method, name, scope: None, body })
            }
            "type_declaration" => {
                // `type ( A int; B struct{} )` declares several; name the
                // declaration after its first spec.
                let mut cursor = node.walk();
                let spec = node.named_children(&mut cursor).find(|n| matches!(n.kind(), "type_spec" | "type_alias"))?;
                let kind = match spec.child_by_field_name("type").map(|t| t.kind()) {
                    Some("struct_type") => ItemKind::Struct,
                    Some("interface_type") => ItemKind::Interface,
                    _ => ItemKind::Typedef,
                };
                Some(ItemDef { kind, name: field_text(spec, "name", src)?, scope: None, body: None })
            }
            _ => None,
        }
    }

    fn call(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        (node.kind() == "call_expression").then(|| callee_name(node.child_by_field_name("function")?, src))?
    }

    fn import(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        (node.kind() == "import_spec").then(|| field_text(node, "path", src).map(|p| p.trim_matches('"').to_owned()))?
    }

    fn pattern_contexts(&self) -> &'static [&'static str] {
        &["package p\nfunc __molt_context() { {} }"]
    }

    /// An import goes after the `package` clause: into the last
    /// `import ( ... )` group when there is one, else as an `import` line
    /// after the last import declaration, else after `package`. `line` is
    /// `import "strings"`, `import s "strings"`, a bare `"strings"`, or a
    /// whole `import ( ... )` group (placed like a declaration).
    fn place_import(&self, root: Node<'_>, src: &str, line: &str) -> Option<ImportPlace> {
        let spec = line.strip_prefix("import").map_or(line, str::trim);
        let mut cursor = root.walk();
        let top: Vec<Node<'_>> = root.named_children(&mut cursor).collect();
        let package = top.iter().find(|n| n.kind() == "package_clause")?;
        let imports: Vec<&Node<'_>> = top.iter().filter(|n| n.kind() == "import_declaration").collect();
        let bytes = src.as_bytes();
        if !spec.starts_with('(') {
            let present = imports
                .iter()
                .flat_map(|d| import_specs(**d))
                .any(|s| squash_spec(&text(s, bytes)) == squash_spec(spec));
            if present {
                return Some(ImportPlace::Present);
            }
            let group = imports.iter().rev().find_map(|d| {
                let mut c = d.walk();
                let list = d.named_children(&mut c).find(|n| n.kind() == "import_spec_list");
                list
            });
            if let Some(list) = group {
                let mut c = list.walk();
                let last = list.named_children(&mut c).filter(|n| n.kind() == "import_spec").last();
                return Some(match last {
                    Some(last) => {
                        let start = src[..last.start_byte()].rfind('\n').map_or(0, |i| i + 1);
                        let indent: String =
                            src[start..last.start_byte()].chars().take_while(|c| *c == ' ' || *c == '\t').collect();
                        ImportPlace::Insert { at: last.end_byte(), text: format!("\n{indent}{spec}") }
                    }
                    // `import ()`: the spec goes before the `)`.
                    None => ImportPlace::Insert { at: list.end_byte() - 1, text: format!("\n\t{spec}\n") },
                });
            }
        }
        let line = if spec.len() == line.len() { format!("import {spec}") } else { line.to_owned() };
        Some(match imports.last() {
            Some(last) => ImportPlace::Insert { at: last.end_byte(), text: format!("\n{line}") },
            None => ImportPlace::Insert { at: package.end_byte(), text: format!("\n\n{line}") },
        })
    }
}

/// The `import_spec`s of an import declaration, single or grouped.
fn import_specs(decl: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut cursor = decl.walk();
    for child in decl.named_children(&mut cursor) {
        match child.kind() {
            "import_spec" => out.push(child),
            "import_spec_list" => {
                let mut c = child.walk();
                out.extend(child.named_children(&mut c).filter(|n| n.kind() == "import_spec"));
            }
            _ => {}
        }
    }
    out
}

/// An import spec with its spacing squashed, for comparison.
fn squash_spec(spec: &str) -> String {
    spec.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `T` from a receiver list `(r *T)` or `(r T[K])`.
fn receiver_type(receiver: Node<'_>, src: &[u8]) -> Option<String> {
    let param = receiver.named_child(0)?;
    let ty = text(param.child_by_field_name("type")?, src);
    let ty = ty.trim_start_matches('*');
    Some(ty.split('[').next().unwrap_or(ty).to_owned())
}
