//! C++: everything C has, plus classes, namespaces, templates and methods.

use tree_sitter::Node;

use super::c::{c_family_item, declarator_name};
use super::{callee_name, field_text, Grammar, ItemDef};
use crate::index::ItemKind;

pub(crate) struct Cpp;

impl Grammar for Cpp {
    fn language(&self) -> tree_sitter::Language {
        tree_sitter_cpp::LANGUAGE.into()
    }

    fn item<'t>(&self, node: Node<'t>, src: &[u8], in_class: bool) -> Option<ItemDef<'t>> {
        match node.kind() {
            "class_specifier" | "struct_specifier" | "union_specifier" => {
                let body = node.child_by_field_name("body")?;
                let name = field_text(node, "name", src)?;
                let kind = match node.kind() {
                    "class_specifier" => ItemKind::Class,
                    "struct_specifier" => ItemKind::Struct,
                    _ => ItemKind::Union,
                };
                Some(ItemDef { kind, scope: Some(strip_template_args(&name)), name, body: Some(body) })
            }
            "namespace_definition" => {
                let name = field_text(node, "name", src).unwrap_or_else(|| "(anonymous)".to_owned());
                Some(ItemDef {
                    kind: ItemKind::Namespace,
                    scope: Some(name.clone()),
                    name,
                    body: node.child_by_field_name("body"),
                })
            }
            // The template header belongs to the item it introduces.
            "template_declaration" => {
                let mut cursor = node.walk();
                let inner = node.named_children(&mut cursor).find(|n| {
                    !matches!(n.kind(), "template_parameter_list" | "requires_clause") && !n.kind().ends_with("comment")
                })?;
                self.item(inner, src, in_class)
            }
            "function_definition" => {
                let name = declarator_name(node.child_by_field_name("declarator")?, src)?;
                let kind = if in_class || name.contains("::") { ItemKind::Method } else { ItemKind::Function };
                Some(ItemDef { kind, name, scope: None, body: node.child_by_field_name("body") })
            }
            _ => c_family_item(node, src),
        }
    }

    fn call(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        (node.kind() == "call_expression").then(|| callee_name(node.child_by_field_name("function")?, src))?
    }

    fn import(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        (node.kind() == "preproc_include").then(|| field_text(node, "path", src))?
    }

    fn pattern_contexts(&self) -> &'static [&'static str] {
        &["void __molt_context() { {}; }", "void __molt_context() { {} }", "class __molt_context { {} };"]
    }

    fn conditional_block(&self, kind: &str) -> bool {
        matches!(kind, "preproc_if" | "preproc_ifdef")
    }
}

fn strip_template_args(name: &str) -> String {
    name.split('<').next().unwrap_or(name).trim().to_owned()
}
