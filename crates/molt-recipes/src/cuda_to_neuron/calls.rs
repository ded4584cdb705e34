//! Calls and attributes: `torch.cuda.*`, `.cuda()`, `torch.device(...)`,
//! autocast and GradScaler, the distributed backend, DDP, checkpoints,
//! `torch.compile`, the DataLoader's pinned memory and cuDNN flags.

use tree_sitter::Node;

use super::devices::{cuda_index, device_call};
use super::find::{Ctx, Fix};
use super::pyast::{argument_removal, arguments, dotted, keyword, removal, statement};
use crate::ctree::text;

/// `torch.cuda.X` functions that have a helper of the same meaning.
const CUDA_HELPERS: &[(&str, &str, &str)] = &[
    ("is_available", "cuda-api", "molt_device.is_available"),
    ("synchronize", "cuda-sync", "molt_device.sync"),
    ("manual_seed", "seed", "molt_device.manual_seed"),
    ("manual_seed_all", "seed", "molt_device.manual_seed"),
    ("seed", "seed", "molt_device.manual_seed"),
    ("set_device", "cuda-api", "molt_device.set_device"),
    ("current_device", "cuda-api", "molt_device.current_device"),
    ("device_count", "cuda-api", "molt_device.device_count"),
    ("empty_cache", "cuda-api", "molt_device.empty_cache"),
    ("is_bf16_supported", "cuda-api", "molt_device.is_bf16_supported"),
];

/// `torch.cuda` memory statistics: `molt_device.memory("NAME", ...)`.
const MEMORY_STATS: &[&str] = &[
    "memory_allocated",
    "max_memory_allocated",
    "memory_reserved",
    "max_memory_reserved",
    "memory_cached",
    "max_memory_cached",
    "reset_peak_memory_stats",
    "reset_max_memory_allocated",
    "reset_max_memory_cached",
    "memory_summary",
];

/// A call node's site, if it is one: (kind, fix).
pub fn call(ctx: &Ctx<'_>, node: Node<'_>) -> Option<(&'static str, Fix)> {
    let src = ctx.src;
    let function = node.child_by_field_name("function")?;
    if function.kind() == "attribute" {
        let attr = text(function.child_by_field_name("attribute")?, src);
        let object = function.child_by_field_name("object")?;
        if attr == "cuda" && dotted(object, src).is_none_or(|d| ctx.aliases.canonical(&d) != "torch") {
            return Some(("cuda-move", move_fix(node, object, src)));
        }
    }
    let name = ctx.aliases.canonical(&dotted(function, src)?);
    let replace_callee = |with: &str| Fix::Edit(vec![(function.start_byte(), function.end_byte(), with.to_owned())]);
    if let Some(member) = name.strip_prefix("torch.cuda.amp.") {
        return Some(match member {
            "autocast" => ("autocast", replace_callee("molt_device.autocast")),
            "GradScaler" => ("grad-scaler", replace_callee("molt_device.GradScaler")),
            _ => (
                "cuda-api",
                Fix::Left(format!("`torch.cuda.amp.{member}` has no rule; use torch.amp's device-generic form")),
            ),
        });
    }
    if let Some(member) = name.strip_prefix("torch.cuda.") {
        if let Some((_, kind, helper)) = CUDA_HELPERS.iter().find(|(m, _, _)| *m == member) {
            return Some((kind, replace_callee(helper)));
        }
        if MEMORY_STATS.contains(&member) {
            let args = node.child_by_field_name("arguments")?;
            let inner = &src[args.start_byte() + 1..args.end_byte() - 1];
            let sep = if inner.trim().is_empty() { "" } else { ", " };
            return Some((
                "cuda-api",
                Fix::Edit(vec![(
                    node.start_byte(),
                    node.end_byte(),
                    format!("molt_device.memory(\"{member}\"{sep}{inner})"),
                )]),
            ));
        }
        return Some((
            "cuda-api",
            Fix::Left(format!("`torch.cuda.{member}` has no XLA or Neuron equivalent the rules know")),
        ));
    }
    match name.as_str() {
        "torch.device" => device_call(ctx, node).map(|fix| ("cuda-device", fix)),
        "torch.autocast" | "torch.amp.autocast" | "torch.amp.autocast_mode.autocast" => {
            let (arg, value) = device_argument(node, "device_type", src)?;
            cuda_index(value, src)?;
            if arguments(node).iter().any(|a| a.kind() != "keyword_argument" && a.id() != arg.id()) {
                return Some(("autocast", Fix::Left("autocast with positional arguments after the device".to_owned())));
            }
            let (start, end) = argument_removal(node, arg);
            Some((
                "autocast",
                Fix::Edit(vec![
                    (function.start_byte(), function.end_byte(), "molt_device.autocast".to_owned()),
                    (start, end, String::new()),
                ]),
            ))
        }
        "torch.amp.GradScaler" | "torch.GradScaler" | "torch.amp.grad_scaler.GradScaler" => {
            let mut edits = vec![(function.start_byte(), function.end_byte(), "molt_device.GradScaler".to_owned())];
            if let Some((arg, value)) = device_argument(node, "device", src) {
                cuda_index(value, src)?;
                let (start, end) = argument_removal(node, arg);
                edits.push((start, end, String::new()));
            }
            Some(("grad-scaler", Fix::Edit(edits)))
        }
        "torch.distributed.init_process_group" => {
            let (_, value) = device_argument(node, "backend", src)?;
            let backend = text(value, src).trim_matches(['"', '\'']).to_ascii_lowercase();
            if !backend.contains("nccl") {
                return None;
            }
            Some((
                "dist-backend",
                Fix::Edit(vec![(value.start_byte(), value.end_byte(), "molt_device.dist_backend()".to_owned())]),
            ))
        }
        "torch.nn.parallel.DistributedDataParallel" | "torch.nn.parallel.distributed.DistributedDataParallel" => {
            let mut edits = Vec::new();
            for kw in ["device_ids", "output_device"] {
                if let Some((arg, _)) = keyword(node, kw, src) {
                    let (start, end) = argument_removal(node, arg);
                    edits.push((start, end, String::new()));
                }
            }
            if arguments(node).iter().filter(|a| a.kind() != "keyword_argument").count() > 1 {
                return Some(("ddp", Fix::Left("device ids given by position".to_owned())));
            }
            (!edits.is_empty()).then_some(("ddp", Fix::Edit(edits)))
        }
        "torch.nn.DataParallel" | "torch.nn.parallel.DataParallel" | "torch.nn.parallel.data_parallel.DataParallel" => {
            Some((
                "ddp-topology",
                Fix::Left(
                    "DataParallel drives several GPUs from one process; XLA and Neuron run one process per device"
                        .to_owned(),
                ),
            ))
        }
        "torch.multiprocessing.spawn" | "torch.multiprocessing.start_processes" => Some((
            "ddp-topology",
            Fix::Left("processes spawned per GPU; on XLA launch one per device with torch_xla.launch".to_owned()),
        )),
        "torch.save" => Some(("checkpoint-save", replace_callee("molt_device.save"))),
        "torch.compile" => Some(("compile-backend", replace_callee("molt_device.compile"))),
        "torch.utils.data.DataLoader" | "torch.utils.data.dataloader.DataLoader" => {
            let (_, value) = keyword(node, "pin_memory", src)?;
            (text(value, src) == "True").then(|| {
                (
                    "data-loader",
                    Fix::Edit(vec![(value.start_byte(), value.end_byte(), "molt_device.pin_memory()".to_owned())]),
                )
            })
        }
        _ => None,
    }
}

/// The argument that names the device (or backend): the keyword `name`, or else the first positional one.
fn device_argument<'t>(call: Node<'t>, name: &str, src: &str) -> Option<(Node<'t>, Node<'t>)> {
    if let Some(found) = keyword(call, name, src) {
        return Some(found);
    }
    let first = *arguments(call).first()?;
    (first.kind() != "keyword_argument").then_some((first, first))
}

/// `X.cuda(ARGS)` → `molt_device.to_device(X, ARGS)`.
fn move_fix(call: Node<'_>, object: Node<'_>, src: &str) -> Fix {
    let Some(args) = call.child_by_field_name("arguments") else {
        return Fix::Left("a `.cuda` call without arguments".to_owned());
    };
    let inner = &src[args.start_byte() + 1..args.end_byte() - 1];
    let sep = if inner.trim().is_empty() { "" } else { ", " };
    let new = format!("molt_device.to_device({}{sep}{})", text(object, src), inner.trim_end().trim_end_matches(','));
    Fix::Edit(vec![(call.start_byte(), call.end_byte(), new)])
}

/// An attribute that is not called: a cuDNN or TF32 flag set (removed), a
/// `torch.cuda` name used as a value, a `torch.compile` decorator.
pub fn attribute(ctx: &Ctx<'_>, node: Node<'_>) -> Option<(&'static str, Fix)> {
    let src = ctx.src;
    let parent = node.parent()?;
    if parent.kind() == "attribute"
        || (parent.kind() == "call" && parent.child_by_field_name("function")?.id() == node.id())
    {
        return None;
    }
    let name = ctx.aliases.canonical(&dotted(node, src)?);
    let flag = name.starts_with("torch.backends.cudnn.") || name.starts_with("torch.backends.cuda.");
    if flag && parent.kind() == "assignment" && parent.child_by_field_name("left")?.id() == node.id() {
        let stmt = statement(parent)?;
        return Some(match removal(stmt, src) {
            Some(splice) => ("cudnn-flag", Fix::Edit(vec![splice])),
            None => ("cudnn-flag", Fix::Left("the flag shares its line with other code".to_owned())),
        });
    }
    if flag {
        return Some(("cudnn-flag", Fix::Left(format!("`{name}` is read; cuDNN does not exist on XLA or Neuron"))));
    }
    if name == "torch.compile" && parent.kind() == "decorator" {
        return Some((
            "compile-backend",
            Fix::Edit(vec![(node.start_byte(), node.end_byte(), "molt_device.compile".to_owned())]),
        ));
    }
    if name.starts_with("torch.cuda.") && parent.kind() != "import_from_statement" {
        return Some(("cuda-api", Fix::Left(format!("`{name}` is used as a value"))));
    }
    None
}
