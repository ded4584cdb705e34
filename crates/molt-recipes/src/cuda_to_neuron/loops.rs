//! Training and evaluation loops: the step boundary after the optimizer's
//! step, the device loader around a DataLoader, host syncs and growing
//! tensors inside a step; and the order of a module's move and its optimizer.

use tree_sitter::Node;

use super::find::{Ctx, Fix};
use super::pyast::{arguments, dotted, indentation, keyword, last_name, line_span, removal, statements};
use crate::ctree::text;

/// A site a loop analysis found: (node, kind, fix).
pub type LoopSite<'t> = (Node<'t>, &'static str, Fix);

fn optimizer_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("optim") || n == "opt" || n.starts_with("opt_") || n.ends_with("_opt")
}

/// Whether `stmt` is `optimizer.step()` or `scaler.step(optimizer)`.
fn is_step(stmt: Node<'_>, src: &str) -> bool {
    let Some(call) = stmt.named_child(0).filter(|c| stmt.kind() == "expression_statement" && c.kind() == "call") else {
        return false;
    };
    let Some(f) = call.child_by_field_name("function").filter(|f| f.kind() == "attribute") else { return false };
    if f.child_by_field_name("attribute").map(|a| text(a, src)) != Some("step") {
        return false;
    }
    let Some(object) = f.child_by_field_name("object") else { return false };
    let args = arguments(call);
    match args.as_slice() {
        [] => last_name(object, src).is_some_and(optimizer_like),
        [opt, ..] => {
            last_name(object, src).is_some_and(|o| o.to_ascii_lowercase().contains("scaler"))
                && last_name(*opt, src).is_some_and(optimizer_like)
        }
    }
}

fn is_sync(stmt: Node<'_>, src: &str) -> bool {
    let t = text(stmt, src);
    ["molt_device.sync()", "torch_xla.sync()", "xm.mark_step()", "xm.optimizer_step("].iter().any(|s| t.starts_with(s))
}

/// Every node under `node` that belongs to it and not to a nested function
/// or (with `own_loop`) a nested loop.
fn own_nodes<'t>(node: Node<'t>, own_loop: bool, f: &mut impl FnMut(Node<'t>)) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if matches!(child.kind(), "function_definition" | "class_definition" | "lambda") {
            continue;
        }
        if own_loop && matches!(child.kind(), "for_statement" | "while_statement") {
            continue;
        }
        f(child);
        own_nodes(child, own_loop, f);
    }
}

/// The sites of one `for` or `while` statement.
pub fn loop_sites<'t>(ctx: &Ctx<'_>, lp: Node<'t>) -> Vec<LoopSite<'t>> {
    let src = ctx.src;
    let mut out = Vec::new();
    let Some(body) = lp.child_by_field_name("body") else { return out };
    let mut steps = Vec::new();
    own_nodes(body, true, &mut |n| {
        if n.kind() == "expression_statement" && is_step(n, src) {
            steps.push(n);
        }
    });
    for step in &steps {
        // Blocks between the step and the loop: `with` and `try` keep it plain.
        let mut conditional = false;
        let mut at = step.parent();
        while let Some(n) = at.filter(|n| n.id() != body.id()) {
            conditional |= matches!(n.kind(), "if_statement" | "elif_clause" | "else_clause" | "match_statement");
            at = n.parent();
        }
        let mut next = step.next_named_sibling();
        while let Some(n) = next.filter(|n| n.kind() == "comment") {
            next = n.next_named_sibling();
        }
        if next.is_some_and(|n| is_sync(n, src)) {
            continue;
        }
        if conditional {
            out.push((*step, "step-boundary", Fix::Left(
                "the optimizer steps under a condition (gradient accumulation?): put the step boundary where one optimizer step ends".to_owned(),
            )));
            continue;
        }
        let line_end = src[step.end_byte()..].find('\n').map_or(src.len(), |i| step.end_byte() + i);
        let indent = indentation(src, step.start_byte());
        out.push((
            *step,
            "step-boundary",
            Fix::Edit(vec![(line_end, line_end, format!("\n{indent}molt_device.sync()"))]),
        ));
    }
    if lp.kind() == "for_statement" {
        if let Some(site) = loader_site(ctx, lp) {
            out.push(site);
        }
    }
    if !steps.is_empty() {
        own_nodes(body, true, &mut |n| {
            if n.kind() != "call" {
                return;
            }
            let Some(f) = n.child_by_field_name("function").filter(|f| f.kind() == "attribute") else { return };
            let attr = f.child_by_field_name("attribute").map_or("", |a| text(a, src));
            if matches!(attr, "item" | "cpu" | "numpy" | "tolist") && arguments(n).is_empty() {
                out.push((
                    n,
                    "host-sync-in-step",
                    Fix::Left(format!("`.{attr}()` inside the training step waits for the device every step")),
                ));
            }
        });
    }
    own_nodes(body, false, &mut |n| {
        if let Some(why) = growing(ctx, n) {
            out.push((n, "varying-shape", Fix::Left(why)));
        }
    });
    out
}

/// `for x in loader:` (or `enumerate(loader)`, `tqdm(loader)`): the loader
/// wrapped in the helper's device loader.
fn loader_site<'t>(ctx: &Ctx<'_>, lp: Node<'t>) -> Option<LoopSite<'t>> {
    let src = ctx.src;
    let right = lp.child_by_field_name("right")?;
    let inner = match right.kind() {
        "call" => {
            let callee = dotted(right.child_by_field_name("function")?, src)?;
            if !matches!(callee.as_str(), "enumerate" | "tqdm" | "tqdm.tqdm" | "iter") {
                return None;
            }
            *arguments(right).first()?
        }
        _ => right,
    };
    let name = last_name(inner, src)?;
    let loader = name.to_ascii_lowercase().contains("loader") || ctx.loaders.contains(name);
    if !loader || !matches!(inner.kind(), "identifier" | "attribute") {
        return None;
    }
    let wrapped = format!("molt_device.device_loader({})", text(inner, src));
    Some((inner, "device-loader", Fix::Edit(vec![(inner.start_byte(), inner.end_byte(), wrapped)])))
}

/// Why `node` makes shapes vary from one iteration to the next, if it does.
fn growing(ctx: &Ctx<'_>, node: Node<'_>) -> Option<String> {
    let src = ctx.src;
    if node.kind() == "assignment" {
        let left = node.child_by_field_name("left")?;
        let right = node.child_by_field_name("right")?;
        let callee = ctx.aliases.canonical(&dotted(right.child_by_field_name("function")?, src)?);
        if !matches!(callee.as_str(), "torch.cat" | "torch.concat" | "torch.concatenate") {
            return None;
        }
        let parts = *arguments(right).first()?;
        let mut cursor = parts.walk();
        let grows = parts.named_children(&mut cursor).any(|p| text(p, src) == text(left, src));
        return grows.then(|| format!("`{}` grows every iteration: each length is a new XLA graph", text(left, src)));
    }
    if node.kind() == "call" {
        let callee = ctx.aliases.canonical(&dotted(node.child_by_field_name("function")?, src)?);
        if matches!(callee.as_str(), "torch.nonzero" | "torch.masked_select" | "torch.unique") {
            return Some(format!("`{callee}` has a data-dependent shape"));
        }
    }
    None
}

/// The module a statement moves to a device, if it does: `m.cuda()`,
/// `m.to(...)`, `molt_device.to_device(m, ...)`, or `m = <one of those>`.
fn moved_module<'a>(stmt: Node<'_>, src: &'a str) -> Option<&'a str> {
    let expr = match stmt.kind() {
        "expression_statement" => stmt.named_child(0)?,
        _ => return None,
    };
    let (call, target) = match expr.kind() {
        "call" => (expr, None),
        "assignment" => (expr.child_by_field_name("right")?, Some(expr.child_by_field_name("left")?)),
        _ => return None,
    };
    let f = call.child_by_field_name("function")?;
    let module = match f.kind() {
        "attribute" if matches!(f.child_by_field_name("attribute").map(|a| text(a, src)), Some("cuda" | "to")) => {
            f.child_by_field_name("object")?
        }
        _ if text(f, src) == "molt_device.to_device" => *arguments(call).first()?,
        _ => return None,
    };
    let name = (module.kind() == "identifier").then(|| text(module, src))?;
    target.is_none_or(|t| text(t, src) == name).then_some(name)
}

/// The module an optimizer statement takes parameters from: `opt = X(m.parameters(), ...)`.
fn optimized_module<'a>(stmt: Node<'_>, src: &'a str) -> Option<&'a str> {
    let expr = stmt.named_child(0).filter(|e| stmt.kind() == "expression_statement" && e.kind() == "assignment")?;
    let right = expr.child_by_field_name("right")?;
    let mut found = None;
    crate::ctree::walk(right, &mut |n| {
        if found.is_some() || n.kind() != "call" {
            return;
        }
        let Some(f) = n.child_by_field_name("function").filter(|f| f.kind() == "attribute") else { return };
        let attr = f.child_by_field_name("attribute").map_or("", |a| text(a, src));
        if matches!(attr, "parameters" | "named_parameters") {
            if let Some(o) = f.child_by_field_name("object").filter(|o| o.kind() == "identifier") {
                found = Some(text(o, src));
            }
        }
    });
    found
}

/// A module moved to the device after its optimizer was built: the move goes
/// before the optimizer, or is reported when it is not in the same block.
pub fn optimizer_order<'t>(ctx: &Ctx<'_>, block: Node<'t>) -> Vec<LoopSite<'t>> {
    let src = ctx.src;
    let stmts = statements(block);
    let mut out = Vec::new();
    for (i, opt) in stmts.iter().enumerate() {
        let Some(module) = optimized_module(*opt, src) else { continue };
        for later in &stmts[i + 1..] {
            if moved_module(*later, src) == Some(module) {
                let fix = match removal(*later, src) {
                    Some(cut) if cut.2.is_empty() => {
                        let (line_start, _) = line_span(src, opt.start_byte(), opt.end_byte());
                        let indent = indentation(src, opt.start_byte());
                        let moved = format!("{indent}{}\n", text(*later, src));
                        Fix::Edit(vec![(line_start, line_start, moved), cut])
                    }
                    _ => Fix::Left("the move shares its line with other code".to_owned()),
                };
                out.push((*later, "optimizer-order", fix));
                break;
            }
            // Reassigned (wrapped, compiled): what moves later is another object.
            let assigns =
                later.named_child(0).filter(|e| e.kind() == "assignment").and_then(|e| e.child_by_field_name("left"));
            if assigns.is_some_and(|l| text(l, src) == module) {
                break;
            }
            let mut nested = None;
            own_nodes(*later, false, &mut |n| {
                if nested.is_none() && n.kind() == "expression_statement" && moved_module(n, src) == Some(module) {
                    nested = Some(n);
                }
            });
            if let Some(n) = nested {
                out.push((n, "optimizer-order", Fix::Left(format!(
                    "`{module}` moves to the device under a condition after its optimizer was built: build the optimizer after the move"
                ))));
                break;
            }
        }
    }
    out
}

/// `m.to(device)` as a statement: a module moved in place, through the
/// helper so that tied weights stay tied.
pub fn module_move<'t>(ctx: &Ctx<'_>, stmt: Node<'t>) -> Option<LoopSite<'t>> {
    let src = ctx.src;
    let call = stmt.named_child(0).filter(|c| stmt.kind() == "expression_statement" && c.kind() == "call")?;
    let f = call.child_by_field_name("function").filter(|f| f.kind() == "attribute")?;
    if f.child_by_field_name("attribute").map(|a| text(a, src)) != Some("to") {
        return None;
    }
    let object = f.child_by_field_name("object").filter(|o| matches!(o.kind(), "identifier" | "attribute"))?;
    let first = *arguments(call).first()?;
    let device = match first.kind() {
        "keyword_argument" => keyword(call, "device", src).map(|(_, v)| v)?,
        _ => first,
    };
    let t = text(device, src);
    if !(t.contains("device") || t.contains("cuda")) || t.contains("cpu") {
        return None;
    }
    let args = call.child_by_field_name("arguments")?;
    let inner = &src[args.start_byte() + 1..args.end_byte() - 1];
    let new = format!("molt_device.to_device({}, {})", text(object, src), inner.trim());
    Some((call, "module-move", Fix::Edit(vec![(call.start_byte(), call.end_byte(), new)])))
}
