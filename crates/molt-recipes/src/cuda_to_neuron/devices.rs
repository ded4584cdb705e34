//! Device strings: `"cuda"`, `"cuda:0"`, `f"cuda:{rank}"`, and
//! `"cuda" if torch.cuda.is_available() else "cpu"`, wherever they stand.

use tree_sitter::Node;

use super::find::{Ctx, Fix};
use super::pyast::{arguments, dotted};
use crate::ctree::text;

/// Whether `node` names a CUDA device, and with which index (as code):
/// `Some(None)` for `"cuda"`, `Some(Some("0"))` for `"cuda:0"`,
/// `Some(Some("rank"))` for `f"cuda:{rank}"`.
pub fn cuda_index(node: Node<'_>, src: &str) -> Option<Option<String>> {
    match node.kind() {
        "string" => {
            let raw = text(node, src);
            let prefix_len = raw.find(['"', '\'']).unwrap_or(0);
            let prefix = raw[..prefix_len].to_ascii_lowercase();
            if prefix.contains('b') {
                return None;
            }
            let body = raw[prefix_len..].trim_matches(['"', '\'']);
            if body == "cuda" {
                return Some(None);
            }
            let index = body.strip_prefix("cuda:")?;
            if !prefix.contains('f') {
                return index.chars().all(|c| c.is_ascii_digit()).then(|| Some(index.to_owned()));
            }
            let expr = index.strip_prefix('{')?.strip_suffix('}')?;
            let plain = !expr.is_empty() && !expr.contains(['{', '}', ':', '!', '=']);
            plain.then(|| Some(expr.trim().to_owned()))
        }
        "parenthesized_expression" => cuda_index(node.named_child(0)?, src),
        "conditional_expression" => {
            // `"cuda" if <gpu available> else "cpu"`: the whole choice is the helper's.
            let (then, cond, other) = (node.named_child(0)?, node.named_child(1)?, node.named_child(2)?);
            let index = cuda_index(then, src)?;
            let other = text(other, src).trim_matches(['"', '\'']);
            let asks = text(cond, src);
            let availability = asks.contains("is_available") || asks.contains("device_count");
            (other == "cpu" && availability).then_some(index)
        }
        _ => None,
    }
}

/// `molt_device.device(INDEX)`.
fn helper_device(index: Option<String>) -> String {
    format!("molt_device.device({})", index.unwrap_or_default())
}

/// `torch.device(...)` of a CUDA device: the helper's device.
pub fn device_call(ctx: &Ctx<'_>, call: Node<'_>) -> Option<Fix> {
    let src = ctx.src;
    let args = arguments(call);
    let first = *args.first()?;
    let index = match first.kind() {
        "keyword_argument" => return None,
        _ => cuda_index(first, src)?,
    };
    let index = match (index, args.get(1)) {
        (None, Some(second)) if second.kind() != "keyword_argument" => Some(text(*second, src).to_owned()),
        (None, Some(second)) => second.child_by_field_name("value").map(|v| text(v, src).to_owned()),
        (index, _) => index,
    };
    Some(Fix::Edit(vec![(call.start_byte(), call.end_byte(), helper_device(index))]))
}

/// Calls whose device argument their own rule rewrites.
const OWNED_BY_CALL: &[&str] = &[
    "torch.device",
    "torch.autocast",
    "torch.amp.autocast",
    "torch.amp.GradScaler",
    "torch.GradScaler",
    "torch.distributed.init_process_group",
];

/// A device string (or a choice of one) that no call's rule owns.
pub fn string(ctx: &Ctx<'_>, node: Node<'_>) -> Option<(&'static str, Fix)> {
    let src = ctx.src;
    let index = cuda_index(node, src)?;
    let mut parent = node.parent()?;
    // Only the outermost device expression counts: a literal inside a
    // conditional that is itself a device choice is part of it.
    if matches!(parent.kind(), "conditional_expression" | "parenthesized_expression")
        && cuda_index(parent, src).is_some()
    {
        return None;
    }
    // A literal inside a conditional that is not a device choice:
    // `"cuda" if args.gpu else "cpu"` keeps the program's choice.
    if parent.kind() == "conditional_expression" {
        parent = parent.parent()?;
    }
    let mut context = parent;
    if context.kind() == "keyword_argument" {
        let name = context.child_by_field_name("name").map_or("", |n| text(n, src));
        if name == "map_location" {
            return Some(("cuda-device", replace(node, "molt_device.map_location()".to_owned())));
        }
        context = context.parent()?;
    }
    if context.kind() == "argument_list" {
        let call = context.parent()?;
        let callee = call.child_by_field_name("function").and_then(|f| dotted(f, src));
        let callee = callee.map(|c| ctx.aliases.canonical(&c)).unwrap_or_default();
        if OWNED_BY_CALL.contains(&callee.as_str()) || callee.starts_with("torch.cuda.") {
            return None;
        }
        return Some(("cuda-device", replace(node, helper_device(index))));
    }
    match parent.kind() {
        "assignment" | "return_statement" | "default_parameter" | "typed_default_parameter" => {
            Some(("cuda-device", replace(node, helper_device(index))))
        }
        "pair" if parent.child_by_field_name("value").is_some_and(|v| v.id() == node.id()) => {
            Some(("cuda-device", replace(node, helper_device(index))))
        }
        "comparison_operator" => Some((
            "device-type-test",
            Fix::Left("the code tests whether it runs on CUDA; decide what the test means on XLA or Neuron".to_owned()),
        )),
        _ => Some(("cuda-device", Fix::Left("a CUDA device string where the rules cannot tell its use".to_owned()))),
    }
}

fn replace(node: Node<'_>, with: String) -> Fix {
    Fix::Edit(vec![(node.start_byte(), node.end_byte(), with)])
}
