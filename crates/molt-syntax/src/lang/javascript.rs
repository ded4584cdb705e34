//! JavaScript: functions, classes, methods and `const f = () => ...`; imports.

use tree_sitter::Node;

use super::{callee_name, field_text, text, Grammar, ItemDef};
use crate::index::ItemKind;

pub(crate) struct JavaScript;

impl Grammar for JavaScript {
    fn language(&self) -> tree_sitter::Language {
        tree_sitter_javascript::LANGUAGE.into()
    }

    fn item<'t>(&self, node: Node<'t>, src: &[u8], in_class: bool) -> Option<ItemDef<'t>> {
        js_item(node, src, in_class, &|n, s, c| self.item(n, s, c))
    }

    fn call(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        js_call(node, src)
    }

    fn import(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        js_import(node, src)
    }
}

type ItemFn<'a> = dyn for<'t> Fn(Node<'t>, &[u8], bool) -> Option<ItemDef<'t>> + 'a;

/// Items JavaScript and TypeScript share; `recurse` is the caller's own
/// `item`, so that `export` wraps TypeScript-only declarations too.
pub(crate) fn js_item<'t>(node: Node<'t>, src: &[u8], in_class: bool, recurse: &ItemFn<'_>) -> Option<ItemDef<'t>> {
    let body = node.child_by_field_name("body");
    match node.kind() {
        "function_declaration" | "generator_function_declaration" => {
            Some(ItemDef { kind: ItemKind::Function, name: field_text(node, "name", src)?, scope: None, body })
        }
        "class_declaration" | "abstract_class_declaration" => {
            let name = field_text(node, "name", src)?;
            Some(ItemDef { kind: ItemKind::Class, scope: Some(name.clone()), name, body })
        }
        "method_definition" => {
            Some(ItemDef { kind: ItemKind::Method, name: field_text(node, "name", src)?, scope: None, body })
        }
        // `export function f() {}`: the export belongs to the item.
        "export_statement" => recurse(node.child_by_field_name("declaration")?, src, in_class),
        // `const f = (x) => ...;` with a single declarator is a function.
        "lexical_declaration" | "variable_declaration" => {
            if node.named_child_count() != 1 {
                return None;
            }
            let decl = node.named_child(0)?;
            let value = decl.child_by_field_name("value")?;
            if !matches!(value.kind(), "arrow_function" | "function_expression" | "function" | "generator_function") {
                return None;
            }
            let name = field_text(decl, "name", src)?;
            Some(ItemDef { kind: ItemKind::Function, name, scope: None, body: value.child_by_field_name("body") })
        }
        _ => None,
    }
}

pub(crate) fn js_call(node: Node<'_>, src: &[u8]) -> Option<String> {
    match node.kind() {
        "call_expression" => callee_name(node.child_by_field_name("function")?, src),
        "new_expression" => Some(format!("new {}", text(node.child_by_field_name("constructor")?, src))),
        _ => None,
    }
}

pub(crate) fn js_import(node: Node<'_>, src: &[u8]) -> Option<String> {
    (node.kind() == "import_statement")
        .then(|| field_text(node, "source", src).map(|s| s.trim_matches(|c| c == '"' || c == '\'').to_owned()))?
}
