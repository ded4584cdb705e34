//! Rust: functions, structs, enums, unions, traits, impls, modules, type
//! aliases, consts, statics and `macro_rules!`; `use` declarations.

use tree_sitter::Node;

use super::{callee_name, field_text, squash, text, Grammar, ItemDef};
use crate::index::ItemKind;

pub(crate) struct Rust;

impl Grammar for Rust {
    fn language(&self) -> tree_sitter::Language {
        tree_sitter_rust::LANGUAGE.into()
    }

    fn item<'t>(&self, node: Node<'t>, src: &[u8], in_class: bool) -> Option<ItemDef<'t>> {
        let name = || field_text(node, "name", src);
        let body = node.child_by_field_name("body");
        let plain = |kind, name: String| Some(ItemDef { kind, name, scope: None, body });
        match node.kind() {
            "function_item" | "function_signature_item" => {
                plain(if in_class { ItemKind::Method } else { ItemKind::Function }, name()?)
            }
            "struct_item" => plain(ItemKind::Struct, name()?),
            "enum_item" => plain(ItemKind::Enum, name()?),
            "union_item" => plain(ItemKind::Union, name()?),
            "type_item" => plain(ItemKind::Typedef, name()?),
            "const_item" => plain(ItemKind::Const, name()?),
            "static_item" => plain(ItemKind::Static, name()?),
            "macro_definition" => plain(ItemKind::Macro, name()?),
            "trait_item" => {
                let name = name()?;
                Some(ItemDef { kind: ItemKind::Trait, scope: Some(name.clone()), name, body })
            }
            "mod_item" => {
                let name = name()?;
                Some(ItemDef { kind: ItemKind::Module, scope: Some(name.clone()), name, body })
            }
            "impl_item" => {
                let ty = squash(&text(node.child_by_field_name("type")?, src));
                let name = match node.child_by_field_name("trait") {
                    Some(t) => format!("impl {} for {ty}", squash(&text(t, src))),
                    None => format!("impl {ty}"),
                };
                let scope = ty.split('<').next().unwrap_or(&ty).trim().to_owned();
                Some(ItemDef { kind: ItemKind::Impl, scope: Some(scope), name, body })
            }
            _ => None,
        }
    }

    fn call(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        match node.kind() {
            "call_expression" => {
                let f = node.child_by_field_name("function")?;
                // `x.forward(y)`: the method's name, not the receiver's text.
                match f.kind() {
                    "field_expression" => field_text(f, "field", src),
                    "generic_function" => callee_name(f.child_by_field_name("function")?, src),
                    _ => callee_name(f, src),
                }
            }
            "macro_invocation" => Some(format!("{}!", text(node.child_by_field_name("macro")?, src))),
            _ => None,
        }
    }

    fn import(&self, node: Node<'_>, src: &[u8]) -> Option<String> {
        match node.kind() {
            "use_declaration" => Some(squash(&text(node.child_by_field_name("argument")?, src))),
            "extern_crate_declaration" => field_text(node, "name", src),
            "mod_item" if node.child_by_field_name("body").is_none() => {
                Some(format!("mod {}", field_text(node, "name", src)?))
            }
            _ => None,
        }
    }

    fn pattern_contexts(&self) -> &'static [&'static str] {
        &["fn __molt_context() { {}; }", "fn __molt_context() { {} }", "impl __MoltContext { {} }"]
    }
}
