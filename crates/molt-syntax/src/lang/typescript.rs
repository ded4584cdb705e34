//! TypeScript and TSX: JavaScript's items plus interfaces, type aliases,
//! enums and namespaces.

use tree_sitter::Node;

use super::javascript::{js_call, js_import, js_item};
use super::{field_text, Grammar, ItemDef};
use crate::index::ItemKind;

pub(crate) struct TypeScript {
    pub tsx: bool,
}

impl Grammar for TypeScript {
    fn language(&self) -> tree_sitter::Language {
        if self.tsx {
            tree_sitter_typescript::LANGUAGE_TSX.into()
        } else {
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
        }
    }

    fn item<'t>(&self, node: Node<'t>, src: &[u8], in_class: bool) -> Option<ItemDef<'t>> {
        let body = node.child_by_field_name("body");
        let kind = match node.kind() {
            "interface_declaration" => ItemKind::Interface,
            "enum_declaration" => ItemKind::Enum,
            "type_alias_declaration" => ItemKind::Typedef,
            "internal_module" | "module" => ItemKind::Namespace,
            _ => return js_item(node, src, in_class, &|n, s, c| self.item(n, s, c)),
        };
        let name = field_text(node, "name", src)?;
        let scope = matches!(kind, ItemKind::Namespace | ItemKind::Interface).then(|| name.clone());
        Some(ItemDef { kind, name, scope, body })
    }

    fn call(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        js_call(node, src)
    }

    fn import(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        js_import(node, src)
    }
}
