//! The built-in `cuda-to-neuron` recipe: ports PyTorch code written for CUDA
//! to AWS Neuron (torch-neuronx on Trn1/Inf2, which runs through PyTorch/XLA,
//! and TorchNeuron's native `neuron` device on Trn2 and later), keeping it
//! runnable on CUDA and on the CPU.
//!
//! Every device decision goes through one helper module, `molt_device.py`,
//! which the rules write beside each file they port (once per folder) and
//! import where it is used. The helper picks the device once: the one the
//! environment variable `MOLT_DEVICE` names (`cpu` forces CPU eager, so a
//! check can run the same program there and compare), else `neuron` when
//! TorchNeuron provides it, the XLA device when torch_xla imports, CUDA, the
//! CPU. The rules then route what CUDA code does through it: device strings
//! and `.cuda()` (`to_device`, which keeps tied weights tied, since moving a
//! module to XLA makes a new parameter per submodule), `torch.cuda.*`
//! (synchronize is the step boundary `torch_xla.sync()`, seeds, memory
//! statistics), autocast (bfloat16 off CUDA) and GradScaler (one that does
//! not scale off CUDA), a step boundary after `optimizer.step()` in a plain
//! loop, `MpDeviceLoader` around loops over a DataLoader, `xm.save` for
//! checkpoints, the `xla` backend of `init_process_group`, `openxla` for
//! `torch.compile`; cuDNN flags are removed, and a module moved after its
//! optimizer was built is moved before it (on XLA the optimizer would hold
//! the old tensors and nothing would train).
//!
//! What needs judgement is left with the reason: DDP topology, step
//! boundaries under a condition (gradient accumulation), host syncs
//! (`.item()`) and growing tensors inside a step, code that tests for CUDA,
//! custom CUDA (Triton, CuPy, Apex, flash-attn, C++/CUDA extensions, `.cu`
//! files). Host syncs and growing tensors are performance advice, not
//! porting errors: their sites carry no symbol, so the planner gives them a
//! task of their own and the port itself commits without them.
//!
//! Each rewrite is one molt-syntax edit set per pass, refused whole when it
//! adds a syntax error; a rewrite that contains another site's is made in a
//! later pass over the new text, so nested sites compose.

use std::collections::BTreeSet;

use molt_core::Site;

use crate::recipe::{Recipe, Rewrite};
use crate::{Error, Result};
use find::{analyze, Fix, Found, Splice};

pub const NAME: &str = "cuda-to-neuron";

/// The device helper the rules write, and its file name.
pub const HELPER: &str = include_str!("../data/cuda-to-neuron/molt_device.py");
pub const HELPER_FILE: &str = "molt_device.py";

/// Site kinds in the order they are migrated within a file. Item kinds come
/// before `cuda-import`, which waits for every item of its file; the kinds
/// after it are left for a model.
pub const KINDS: &[&str] = &[
    "cuda-device",
    "cuda-move",
    "module-move",
    "optimizer-order",
    "cuda-api",
    "cuda-sync",
    "seed",
    "cudnn-flag",
    "autocast",
    "grad-scaler",
    "dist-backend",
    "ddp",
    "data-loader",
    "device-loader",
    "step-boundary",
    "checkpoint-save",
    "compile-backend",
    "ddp-topology",
    "device-type-test",
    "cuda-import",
    "host-sync-in-step",
    "varying-shape",
    "custom-cuda",
];

/// Kinds that are advice on performance: planned apart, never blocking the port.
pub const ADVISORY: &[&str] = &["host-sync-in-step", "varying-shape"];

/// How many passes a rewrite may take for nested sites.
const MAX_PASSES: usize = 6;

/// The recipe.
#[derive(Debug, Default)]
pub struct CudaToNeuron;

impl CudaToNeuron {
    pub fn shared() -> &'static CudaToNeuron {
        static RECIPE: CudaToNeuron = CudaToNeuron;
        &RECIPE
    }
}

fn is_python(path: &str) -> bool {
    path.ends_with(".py")
}

fn is_cuda_source(path: &str) -> bool {
    path.ends_with(".cu") || path.ends_with(".cuh")
}

/// Whether the text can hold a site at all.
fn may_have_sites(text: &str) -> bool {
    ["torch", "cuda", ".step(", "oader", "triton", "cupy", "apex", "flash_attn", "xformers", "bitsandbytes"]
        .iter()
        .any(|w| text.contains(w))
}

fn cuda_source_site(path: &str, text: &str) -> Site {
    Site {
        kind: "custom-cuda".to_owned(),
        path: path.to_owned(),
        symbol: None,
        line: 1,
        start: 0,
        end: text.len(),
        text: path.rsplit('/').next().unwrap_or(path).to_owned(),
    }
}

/// Applies `splices` to `text` as one molt-syntax edit set: all or nothing,
/// refused when it adds a syntax error.
fn apply(path: &str, text: &str, splices: &[Splice]) -> Result<String> {
    let edits = splices
        .iter()
        .map(|(start, end, new)| molt_syntax::Edit::Splice {
            path: path.to_owned(),
            start: *start,
            old: text[*start..*end].to_owned(),
            text: new.clone(),
        })
        .collect();
    let mut files = std::collections::BTreeMap::from([(path.to_owned(), text.to_owned())]);
    molt_syntax::apply_in_memory(&mut files, &molt_syntax::EditSet::new(edits))
        .map_err(|e| Error::Broken(format!("{path}: {e}")))?;
    files.remove(path).ok_or_else(|| Error::Broken(path.to_owned()))
}

/// The found sites a plan's targets ask for: same kind and enclosing symbol.
fn wanted(found: &[Found], targets: &[Site]) -> Vec<Found> {
    let keys: BTreeSet<(&str, Option<&str>)> = targets.iter().map(|t| (t.kind.as_str(), t.symbol.as_deref())).collect();
    found.iter().filter(|f| keys.contains(&(f.site.kind.as_str(), f.site.symbol.as_deref()))).cloned().collect()
}

/// The edits of `found` that do not overlap, smallest first; the others wait
/// for the next pass.
fn disjoint(found: &[Found]) -> Vec<&Found> {
    let mut fixes: Vec<(&Found, &Vec<Splice>)> =
        found.iter().filter_map(|f| if let Fix::Edit(e) = &f.fix { Some((f, e)) } else { None }).collect();
    let span = |e: &Vec<Splice>| e.iter().map(|s| s.1 - s.0 + 1).sum::<usize>();
    fixes.sort_by_key(|(f, e)| (span(e), f.site.start));
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut out = Vec::new();
    for (f, edits) in fixes {
        let clash = edits
            .iter()
            .any(|(s, e, _)| taken.iter().any(|(ts, te)| (s < te && ts < e) || (s == ts && (s == e || ts == te))));
        if !clash {
            taken.extend(edits.iter().map(|(s, e, _)| (*s, *e)));
            out.push(f);
        }
    }
    out
}

impl CudaToNeuron {
    fn rewrite_python(&self, path: &str, text: &str, targets: &[Site]) -> Result<Rewrite> {
        let mut current = text.to_owned();
        let mut out = Rewrite::default();
        let mut refused: BTreeSet<(String, String)> = BTreeSet::new();
        for _ in 0..MAX_PASSES {
            let mut selected = wanted(&analyze(path, &current), targets);
            selected.retain(|f| !refused.contains(&(f.site.kind.clone(), f.site.text.clone())));
            let chosen = disjoint(&selected);
            if chosen.is_empty() {
                break;
            }
            let splices: Vec<Splice> =
                chosen.iter().flat_map(|f| if let Fix::Edit(e) = &f.fix { e.clone() } else { Vec::new() }).collect();
            match apply(path, &current, &splices) {
                Ok(next) => {
                    out.mapped.extend(chosen.iter().map(|f| f.site.clone()));
                    current = next;
                }
                Err(_) => {
                    // One by one, last first so that earlier offsets hold;
                    // each one that breaks the file is left with the reason.
                    let mut ordered = chosen.clone();
                    ordered.sort_by_key(|f| std::cmp::Reverse(f.site.start));
                    for f in ordered {
                        let Fix::Edit(e) = &f.fix else { continue };
                        match apply(path, &current, e) {
                            Ok(next) => {
                                out.mapped.push(f.site.clone());
                                current = next;
                            }
                            Err(err) => {
                                refused.insert((f.site.kind.clone(), f.site.text.clone()));
                                out.unmapped
                                    .push((f.site.clone(), format!("the rewrite would break the syntax: {err}")));
                            }
                        }
                    }
                }
            }
        }
        for f in wanted(&analyze(path, &current), targets) {
            match f.fix {
                Fix::Left(why) => out.unmapped.push((f.site, why)),
                // Refused above, with the reason.
                Fix::Edit(_) if refused.contains(&(f.site.kind.clone(), f.site.text.clone())) => {}
                Fix::Edit(_) => out.unmapped.push((f.site, "another rewrite overlaps it".to_owned())),
            }
        }
        if current.contains("molt_device.") {
            if !imports::imports_helper(&current) {
                let tree = pyast::parse(&current).ok_or_else(|| Error::Parse(path.to_owned()))?;
                let splice = imports::helper_import(path, tree.root_node(), &current);
                current = apply(path, &current, &[splice])?;
            }
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            let helper = if dir.is_empty() { HELPER_FILE.to_owned() } else { format!("{dir}/{HELPER_FILE}") };
            out.new_files.push((helper, HELPER.to_owned()));
        }
        out.text = current;
        Ok(out)
    }
}

impl Recipe for CudaToNeuron {
    fn name(&self) -> &str {
        NAME
    }

    fn find_sites(&self, path: &str, text: &str) -> Vec<Site> {
        if is_cuda_source(path) {
            return vec![cuda_source_site(path, text)];
        }
        if !is_python(path) || path.ends_with(HELPER_FILE) || !may_have_sites(text) {
            return Vec::new();
        }
        analyze(path, text).into_iter().map(|f| f.site).collect()
    }

    fn rewrite(&self, path: &str, text: &str, targets: &[Site]) -> Result<Rewrite> {
        if is_cuda_source(path) {
            let why = "a CUDA source file: its kernels need NKI or a PyTorch implementation".to_owned();
            let unmapped = targets.iter().map(|t| (t.clone(), why.clone())).collect();
            return Ok(Rewrite { text: text.to_owned(), unmapped, ..Rewrite::default() });
        }
        if !is_python(path) || path.ends_with(HELPER_FILE) {
            return Ok(Rewrite { text: text.to_owned(), ..Rewrite::default() });
        }
        self.rewrite_python(path, text, targets)
    }

    fn instruction(&self, kind: &str) -> String {
        instructions::instruction(kind).to_owned()
    }

    fn guidance(&self) -> String {
        instructions::GUIDANCE.to_owned()
    }

    fn kind_order(&self) -> &[&str] {
        KINDS
    }
}

mod calls;
mod devices;
mod find;
mod imports;
mod instructions;
mod loops;
mod pyast;

#[cfg(test)]
mod tests;
