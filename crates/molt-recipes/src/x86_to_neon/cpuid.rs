//! Inline-assembly `cpuid` and `xgetbv` (GCC extended asm with register
//! constraints, as real dispatchers write them) rewritten, in the ported
//! copy, to calls of the headers' answers: `molt_cpuid_reg(leaf, sub, reg)`
//! and `molt_xgetbv(xcr)`. The x86 original stays under the x86 guard, as
//! every other ported item does.

use tree_sitter::Node;

use crate::ctree;

/// What an inline-assembly statement asks the CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Query {
    Cpuid,
    Xgetbv,
}

/// The instruction an asm template runs, when it is `cpuid` or `xgetbv`
/// (also written as its bytes, `.byte 0x0f, 0x01, 0xd0`), with nothing else
/// but moves and exchanges of `ebx` (the PIC idiom of 32-bit x86).
fn query_of(template: &str) -> Option<Query> {
    let lower = template.to_ascii_lowercase();
    let mut found = None;
    for insn in lower.split(['\n', ';']).map(str::trim).filter(|s| !s.is_empty()) {
        let mnemonic = insn.split_whitespace().next().unwrap_or("");
        let query = match mnemonic {
            "cpuid" => Some(Query::Cpuid),
            "xgetbv" => Some(Query::Xgetbv),
            ".byte" if insn.replace(' ', "") == ".byte0x0f,0x01,0xd0" => Some(Query::Xgetbv),
            "mov" | "movl" | "movq" | "xchg" | "xchgl" | "xchgq" | "push" | "pushl" | "pushq" | "pop" | "popl"
            | "popq"
                if insn.contains("bx") =>
            {
                None
            }
            _ => return None,
        };
        if let Some(q) = query {
            if found.replace(q).is_some() {
                return None;
            }
        }
    }
    found
}

/// The template's text: its string literals' contents, joined, with the
/// escapes of newlines and tabs read.
fn template_text(node: Node<'_>, src: &str) -> String {
    let mut out = String::new();
    ctree::walk(node, &mut |n| {
        if n.kind() == "string_content" || n.kind() == "escape_sequence" {
            match ctree::text(n, src) {
                "\\n" => out.push('\n'),
                "\\t" => out.push(' '),
                t => out.push_str(t),
            }
        }
    });
    out
}

/// Whether `node` is inline assembly that only asks `cpuid` or `xgetbv`.
pub(super) fn is_query_asm(node: Node<'_>, src: &str) -> bool {
    node.kind() == "gnu_asm_expression"
        && node.child_by_field_name("assembly_code").is_some_and(|t| query_of(&template_text(t, src)).is_some())
}

/// `(constraint, value)` of each operand of a list.
fn operands<'s>(list: Option<Node<'_>>, src: &'s str) -> Vec<(String, &'s str)> {
    let Some(list) = list else { return Vec::new() };
    let mut c = list.walk();
    list.named_children(&mut c)
        .filter(|n| matches!(n.kind(), "gnu_asm_output_operand" | "gnu_asm_input_operand"))
        .filter_map(|n| {
            let constraint = n.child_by_field_name("constraint")?;
            let value = n.child_by_field_name("value")?;
            Some((template_text(constraint, src), ctree::text(value, src)))
        })
        .collect()
}

/// The register (0 eax, 1 ebx, 2 ecx, 3 edx) a constraint names; `Other`
/// for a general register (`r`, `S`, `D`: ebx moved there around `cpuid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reg {
    Named(usize),
    Other,
}

fn reg_of(constraint: &str) -> Option<Reg> {
    let letters: String = constraint.chars().filter(|c| !matches!(c, '=' | '+' | '&')).collect();
    match letters.as_str() {
        "a" => Some(Reg::Named(0)),
        "b" => Some(Reg::Named(1)),
        "c" => Some(Reg::Named(2)),
        "d" => Some(Reg::Named(3)),
        "r" | "S" | "D" | "q" => Some(Reg::Other),
        _ => None,
    }
}

/// The statement that replaces the asm statement around `asm` in the
/// ported copy, with the byte range it replaces; `Err` with the reason when
/// the asm is not a `cpuid` or `xgetbv` the rules can read.
pub(super) fn rewrite(asm: Node<'_>, src: &str) -> Result<(usize, usize, String), String> {
    let unreadable = |why: &str| Err(format!("inline assembly ({why})"));
    let Some(code) = asm.child_by_field_name("assembly_code") else { return unreadable("no template") };
    let template = template_text(code, src);
    let Some(query) = query_of(&template) else { return unreadable("not cpuid or xgetbv alone") };
    let statement = match asm.parent() {
        Some(p) if p.kind() == "expression_statement" => p,
        _ => return unreadable("cpuid not written as a statement"),
    };
    let outputs = operands(asm.child_by_field_name("output_operands"), src);
    let inputs = operands(asm.child_by_field_name("input_operands"), src);
    // Each output's register; a general register holds ebx, moved there.
    let mut out_regs: Vec<(usize, &str)> = Vec::new();
    let mut others = 0;
    for (constraint, value) in &outputs {
        match reg_of(constraint) {
            Some(Reg::Named(r)) => out_regs.push((r, value)),
            Some(Reg::Other) if query == Query::Cpuid && template.contains("bx") => {
                others += 1;
                out_regs.push((1, value));
            }
            _ => return unreadable(&format!("output constraint \"{constraint}\"")),
        }
    }
    if others > 1 {
        return unreadable("more than one general-register output");
    }
    // Inputs by register: "a"(leaf), "c"(sub), "0"(x) for output 0's register,
    // and in-out outputs ("+a") read their own value.
    let mut input_of: [Option<String>; 4] = Default::default();
    for (constraint, value) in &outputs {
        if constraint.contains('+') {
            if let Some(Reg::Named(r)) = reg_of(constraint) {
                input_of[r] = Some((*value).to_owned());
            }
        }
    }
    for (constraint, value) in &inputs {
        let reg = match constraint.parse::<usize>() {
            Ok(n) => outputs.get(n).and_then(|(c, _)| reg_of(c)),
            Err(_) => reg_of(constraint),
        };
        match reg {
            Some(Reg::Named(r)) => input_of[r] = Some((*value).to_owned()),
            _ => return unreadable(&format!("input constraint \"{constraint}\"")),
        }
    }
    let indent = ctree::indentation_at(src, statement.start_byte());
    let mut s = String::from("{ ");
    match query {
        Query::Cpuid => {
            let Some(leaf) = &input_of[0] else { return unreadable("cpuid without its leaf in eax") };
            let sub = input_of[2].as_deref().unwrap_or("0");
            s.push_str(&format!("unsigned molt_leaf_ = (unsigned)({leaf}), molt_sub_ = (unsigned)({sub});"));
            for (reg, value) in &out_regs {
                s.push_str(&format!("\n{indent}  {value} = molt_cpuid_reg(molt_leaf_, molt_sub_, {reg});"));
            }
        }
        Query::Xgetbv => {
            let Some(xcr) = &input_of[2] else { return unreadable("xgetbv without its register number in ecx") };
            s.push_str(&format!("unsigned long long molt_xcr_ = molt_xgetbv((unsigned)({xcr}));"));
            for (reg, value) in &out_regs {
                match reg {
                    0 => s.push_str(&format!("\n{indent}  {value} = (unsigned)molt_xcr_;")),
                    3 => s.push_str(&format!("\n{indent}  {value} = (unsigned)(molt_xcr_ >> 32);")),
                    _ => return unreadable("xgetbv writes only eax and edx"),
                }
            }
        }
    }
    s.push_str(&format!("\n{indent}}}"));
    Ok((statement.start_byte(), statement.end_byte(), s))
}
