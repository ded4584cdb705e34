//! Python: classes, functions, methods and nested defs; `import` and
//! `from ... import` statements.

use tree_sitter::Node;

use super::{callee_name, field_text, Grammar, ItemDef};
use crate::index::ItemKind;

pub(crate) struct Python;

impl Grammar for Python {
    fn language(&self) -> tree_sitter::Language {
        tree_sitter_python::LANGUAGE.into()
    }

    fn item<'t>(&self, node: Node<'t>, src: &[u8], in_class: bool) -> Option<ItemDef<'t>> {
        match node.kind() {
            "function_definition" => Some(ItemDef {
                kind: if in_class { ItemKind::Method } else { ItemKind::Function },
                name: field_text(node, "name", src)?,
                scope: None,
                body: node.child_by_field_name("body"),
            }),
            "class_definition" => {
                let name = field_text(node, "name", src)?;
                Some(ItemDef {
                    kind: ItemKind::Class,
                    scope: Some(name.clone()),
                    name,
                    body: node.child_by_field_name("body"),
                })
            }
            // Decorators belong to the definition they decorate.
            "decorated_definition" => self.item(node.child_by_field_name("definition")?, src, in_class),
            _ => None,
        }
    }

    fn call(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        (node.kind() == "call").then(|| callee_name(node.child_by_field_name("function")?, src))?
    }

    fn import(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        match node.kind() {
            "import_statement" => {
                let mut cursor = node.walk();
                let names: Vec<String> = node
                    .children_by_field_name("name", &mut cursor)
                    .map(|n| match n.kind() {
                        "aliased_import" => field_text(n, "name", src).unwrap_or_default(),
                        _ => super::text(n, src).into_owned(),
                    })
                    .collect();
                Some(names.join(", "))
            }
            "import_from_statement" => field_text(node, "module_name", src),
            _ => None,
        }
    }

    fn nested_defs(&self) -> bool {
        true
    }

    fn hash_comments(&self) -> bool {
        true
    }
}
