//! C: functions, structs, unions, enums, typedefs and macros; `#include`s.

use tree_sitter::Node;

use super::{callee_name, field_text, text, Grammar, ItemDef};
use crate::index::ItemKind;

pub(crate) struct C;

impl Grammar for C {
    fn language(&self) -> tree_sitter::Language {
        tree_sitter_c::LANGUAGE.into()
    }

    fn item<'t>(&self, node: Node<'t>, src: &[u8], _in_class: bool) -> Option<ItemDef<'t>> {
        c_family_item(node, src)
    }

    fn call(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        (node.kind() == "call_expression").then(|| callee_name(node.child_by_field_name("function")?, src))?
    }

    fn import(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        (node.kind() == "preproc_include").then(|| field_text(node, "path", src))?
    }

    fn pattern_contexts(&self) -> &'static [&'static str] {
        &["void __molt_context(void) { {}; }", "void __molt_context(void) { {} }"]
    }

    fn conditional_block(&self, kind: &str) -> bool {
        matches!(kind, "preproc_if" | "preproc_ifdef")
    }
}

/// Items common to C and C++.
pub(crate) fn c_family_item<'t>(node: Node<'t>, src: &[u8]) -> Option<ItemDef<'t>> {
    let def = |kind, name: String, body| Some(ItemDef { kind, name, scope: None, body });
    match node.kind() {
        "function_definition" => {
            let name = declarator_name(node.child_by_field_name("declarator")?, src)?;
            def(ItemKind::Function, name, node.child_by_field_name("body"))
        }
        "struct_specifier" | "union_specifier" | "enum_specifier" => {
            // Only definitions (with a body) are items; `struct foo *p` is a use.
            let body = node.child_by_field_name("body")?;
            let name = field_text(node, "name", src)?;
            let kind = match node.kind() {
                "struct_specifier" => ItemKind::Struct,
                "union_specifier" => ItemKind::Union,
                _ => ItemKind::Enum,
            };
            def(kind, name, Some(body))
        }
        "type_definition" => {
            let name = declarator_name(node.child_by_field_name("declarator")?, src)?;
            def(ItemKind::Typedef, name, None)
        }
        "preproc_def" | "preproc_function_def" => def(ItemKind::Macro, field_text(node, "name", src)?, None),
        _ => None,
    }
}

/// The name a declarator declares: `matmul` in `*matmul(float *a)`.
pub(crate) fn declarator_name(mut node: Node<'_>, src: &[u8]) -> Option<String> {
    loop {
        match node.kind() {
            "identifier"
            | "field_identifier"
            | "type_identifier"
            | "qualified_identifier"
            | "destructor_name"
            | "operator_name"
            | "primitive_type" => return Some(super::squash(&text(node, src))),
            "parenthesized_declarator" => node = node.named_child(0)?,
            _ => node = node.child_by_field_name("declarator")?,
        }
    }
}
