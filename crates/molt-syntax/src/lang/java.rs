//! Java: classes, interfaces, enums, records, methods and constructors; imports.

use tree_sitter::Node;

use super::{callee_name, field_text, squash, text, Grammar, ItemDef};
use crate::index::ItemKind;

pub(crate) struct Java;

impl Grammar for Java {
    fn language(&self) -> tree_sitter::Language {
        tree_sitter_java::LANGUAGE.into()
    }

    fn item<'t>(&self, node: Node<'t>, src: &[u8], _in_class: bool) -> Option<ItemDef<'t>> {
        let body = node.child_by_field_name("body");
        let kind = match node.kind() {
            "class_declaration" | "record_declaration" => ItemKind::Class,
            "interface_declaration" | "annotation_type_declaration" => ItemKind::Interface,
            "enum_declaration" => ItemKind::Enum,
            "method_declaration" | "constructor_declaration" => {
                return Some(ItemDef {
                    kind: ItemKind::Method,
                    name: field_text(node, "name", src)?,
                    scope: None,
                    body,
                })
            }
            _ => return None,
        };
        let name = field_text(node, "name", src)?;
        Some(ItemDef { kind, scope: Some(name.clone()), name, body })
    }

    fn call(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        match node.kind() {
            "method_invocation" => {
                let name = field_text(node, "name", src)?;
                match node.child_by_field_name("object") {
                    Some(obj) => match callee_name(obj, src) {
                        Some(o) if !o.contains('(') => Some(format!("{o}.{name}")),
                        _ => Some(name),
                    },
                    None => Some(name),
                }
            }
            "object_creation_expression" => Some(format!("new {}", text(node.child_by_field_name("type")?, src))),
            _ => None,
        }
    }

    fn import(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        (node.kind() == "import_declaration").then(|| {
            let t = squash(&text(node, src));
            t.trim_start_matches("import").trim_end_matches(';').trim().to_owned()
        })
    }

    fn pattern_contexts(&self) -> &'static [&'static str] {
        &["class __MoltContext { void __molt_context() { {}; } }", "class __MoltContext { {} }"]
    }
}
