//! Go: functions, methods (named `Type.Method`) and type declarations; imports.

use tree_sitter::Node;

use super::{callee_name, field_text, text, Grammar, ItemDef};
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
}

/// `T` from a receiver list `(r *T)` or `(r T[K])`.
fn receiver_type(receiver: Node<'_>, src: &[u8]) -> Option<String> {
    let param = receiver.named_child(0)?;
    let ty = text(param.child_by_field_name("type")?, src);
    let ty = ty.trim_start_matches('*');
    Some(ty.split('[').next().unwrap_or(ty).to_owned())
}
