//! Imports: CUDA-only modules removed once nothing uses them, custom CUDA
//! code reported, and the line that imports the device helper.

use tree_sitter::Node;

use super::find::{Ctx, Fix};
use super::pyast::{bindings, removal, statements};
use crate::ctree::text;

/// Modules that only exist for CUDA, whose names the rules replace.
const CUDA_MODULES: &[&str] = &["torch.cuda", "torch.backends.cudnn", "torch.backends.cuda"];

/// Packages of custom CUDA code, with what to do instead.
const CUSTOM: &[(&str, &str)] = &[
    ("triton", "Triton kernels compile for NVIDIA GPUs; write an NKI kernel or a PyTorch implementation"),
    ("cupy", "CuPy runs on CUDA; express it with torch operations on the device"),
    ("pycuda", "PyCUDA runs on CUDA; express it with torch operations on the device"),
    ("numba.cuda", "numba.cuda kernels run on CUDA; write an NKI kernel or a PyTorch implementation"),
    ("apex", "NVIDIA Apex has CUDA kernels; use torch's own optimizers, norms and bfloat16 autocast"),
    ("flash_attn", "flash-attn is a CUDA kernel; use torch's scaled_dot_product_attention or an NKI attention kernel"),
    ("xformers", "xformers' kernels are CUDA; use torch's scaled_dot_product_attention"),
    ("bitsandbytes", "bitsandbytes' kernels are CUDA; quantize with a method the Neuron compiler supports"),
    ("torch.utils.cpp_extension", "a C++/CUDA extension built for CUDA; port its kernels to NKI or PyTorch"),
];

fn custom_reason(module: &str) -> Option<&'static str> {
    CUSTOM.iter().find(|(m, _)| module == *m || module.starts_with(&format!("{m}."))).map(|(_, why)| *why)
}

/// The site of an import statement, if it is one: CUDA-only names (removed
/// when unused) or custom CUDA code (reported).
pub fn import(ctx: &Ctx<'_>, stmt: Node<'_>) -> Option<(&'static str, Fix)> {
    let src = ctx.src;
    let bound = bindings(stmt, src);
    let modules: Vec<&str> = bound.iter().map(|(_, full)| full.as_str()).collect();
    let imported_from = stmt.child_by_field_name("module_name").map(|m| text(m, src)).unwrap_or_default();
    if let Some(why) = modules.iter().chain(std::iter::once(&imported_from)).find_map(|m| custom_reason(m)) {
        return Some(("custom-cuda", Fix::Left(why.to_owned())));
    }
    let cuda_only = |full: &str| CUDA_MODULES.iter().any(|m| full == *m || full.starts_with(&format!("{m}.")));
    if bound.is_empty() || !bound.iter().all(|(_, full)| cuda_only(full)) {
        return None;
    }
    let mut used = None;
    crate::ctree::walk(ctx.root, &mut |n| {
        let inside = n.start_byte() >= stmt.start_byte() && n.end_byte() <= stmt.end_byte();
        // `molt_device.GradScaler` names the helper's, not the import's.
        let member = n.parent().is_some_and(|p| {
            let field = |f| p.child_by_field_name(f).is_some_and(|c| c.id() == n.id());
            (p.kind() == "attribute" && field("attribute")) || (p.kind() == "keyword_argument" && field("name"))
        });
        if used.is_none()
            && n.kind() == "identifier"
            && !inside
            && !member
            && bound.iter().any(|(local, _)| local == text(n, src))
        {
            used = Some(n.start_position().row + 1);
        }
    });
    Some(match (used, removal(stmt, src)) {
        (Some(line), _) => ("cuda-import", Fix::Left(format!("the imported names are still used (line {line})"))),
        (None, Some(cut)) => ("cuda-import", Fix::Edit(vec![cut])),
        (None, None) => ("cuda-import", Fix::Left("the import shares its line with other code".to_owned())),
    })
}

/// Whether the file already imports the helper.
pub fn imports_helper(src: &str) -> bool {
    src.lines().any(|l| {
        let l = l.trim();
        l == "import molt_device" || (l.starts_with("from ") && l.ends_with(" import molt_device"))
    })
}

/// The splice that imports the helper after the module's last top-level
/// import (or its docstring and `__future__` imports): relative in a
/// package, plain beside a script at the top, and both ways elsewhere.
pub fn helper_import(path: &str, root: Node<'_>, src: &str) -> (usize, usize, String) {
    let stmts = statements(root);
    let relative = src.lines().any(|l| l.trim_start().starts_with("from ."));
    let line = if relative || path.ends_with("__init__.py") {
        "from . import molt_device\n".to_owned()
    } else if !path.contains('/') {
        "import molt_device\n".to_owned()
    } else {
        "try:\n    from . import molt_device\nexcept ImportError:  # run as a script\n    import molt_device\n"
            .to_owned()
    };
    let last_import = stmts
        .iter()
        .rev()
        .find(|s| matches!(s.kind(), "import_statement" | "import_from_statement" | "future_import_statement"));
    let after = match last_import {
        Some(s) => Some(*s),
        None => stmts
            .first()
            .filter(|s| s.kind() == "expression_statement" && s.named_child(0).is_some_and(|c| c.kind() == "string"))
            .copied(),
    };
    match after {
        Some(s) => {
            let end = src[s.end_byte()..].find('\n').map_or(src.len(), |i| s.end_byte() + i + 1);
            if end == src.len() && !src.ends_with('\n') {
                (end, end, format!("\n{}", line.trim_end()))
            } else {
                (end, end, line)
            }
        }
        None => (0, 0, line),
    }
}
