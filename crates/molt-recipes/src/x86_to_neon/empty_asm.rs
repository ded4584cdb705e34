//! `asm` statements with no instructions, which the portable copy of an
//! item can do without or keep as they are.

use tree_sitter::Node;

use crate::ctree;

/// An `asm` with no instructions.
pub(super) enum EmptyAsm {
    /// Its operands pin values to registers (`__asm__("" : "+x" (v))`): a
    /// barrier that steers x86 register allocation (libraries use it to work
    /// around compiler bugs) and changes no value. Its constraints name x86
    /// register classes, so the portable copy goes without it.
    RegisterBarrier,
    /// No operands (`asm volatile("" ::: "memory")`): a compiler barrier that
    /// means the same on every target; it stays.
    MemoryBarrier,
}

pub(super) fn empty_asm(node: Node<'_>, src: &str) -> Option<EmptyAsm> {
    let code = node.child_by_field_name("assembly_code").map(|c| ctree::text(c, src));
    let empty = code.is_some_and(|c| c.trim_matches('"').trim().is_empty());
    if node.kind() != "gnu_asm_expression" || !empty || node.child_by_field_name("goto_labels").is_some() {
        return None;
    }
    let operands = ["output_operands", "input_operands"]
        .iter()
        .filter_map(|f| node.child_by_field_name(f))
        .any(|list| list.named_child_count() > 0);
    Some(if operands { EmptyAsm::RegisterBarrier } else { EmptyAsm::MemoryBarrier })
}
