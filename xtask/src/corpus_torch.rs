//! `cargo xtask corpus-torch`: the `cuda-to-neuron` recipe's rules on real
//! PyTorch training code that no one here wrote, pinned wheels from PyPI.
//!
//! For each member: its wheel is downloaded once (`pip download --no-deps
//! NAME==VERSION`) into `~/.cache/molt/corpus-torch`, unpacked, and its
//! package copied into a scratch folder. The rules plan is made and every
//! task's rules are applied in plan order with no model, as `molt run`
//! without `[model]` would (a task whose dependency kept sites for a model is
//! blocked). Then a short program (a user's, written for CUDA, ported with
//! the package: `train_smoke.py`) trains and predicts with the package on
//! the XLA CPU device (`PJRT_DEVICE=CPU`), once as it was and once ported,
//! and says whether each ran and on which device its parameters ended up.
//!
//! Python: `--python PATH` or `MOLT_TORCH_PYTHON`, an interpreter with
//! torch and torch-xla; the members' own pure-Python dependencies are
//! installed with its pip into the cache (`--target`), pinned below.
//! `--dir DIR` keeps the ported trees there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use molt_agent::planner::rules_plan;
use molt_core::Spec;

/// One package of the corpus.
struct Member {
    name: &'static str,
    version: &'static str,
    /// The import name, which is also the package's folder in the wheel.
    package: &'static str,
    /// A user's program that trains and predicts, written for CUDA; it is
    /// ported with the package and prints `device <type>` last.
    smoke: &'static str,
}

/// Pure-Python dependencies of the members, pinned.
const DEPS: &[&str] = &[
    "scikit-learn==1.9.1",
    "scipy==1.17.1",
    "tqdm==4.70.1",
    "joblib==1.6.0",
    "threadpoolctl==3.8.0",
    "narwhals==2.29.0",
    "cloudpickle==3.1.3",
    "pandas==3.1.1",
    "python-dateutil==4.0.0",
    "tzdata==2026.6",
];

const MEMBERS: &[Member] = &[
    Member {
        name: "pytorch-tabnet",
        version: "4.1.0",
        package: "pytorch_tabnet",
        smoke: r#"
import numpy as np, torch
from pytorch_tabnet.tab_model import TabNetClassifier
rng = np.random.default_rng(0)
X = rng.normal(size=(256, 6)).astype("float32"); y = (X[:, 0] + X[:, 1] > 0).astype("int64")
clf = TabNetClassifier(n_d=8, n_a=8, n_steps=2, seed=0, verbose=0, device_name="cuda")
torch.backends.cudnn.benchmark = True
clf.fit(X, y, max_epochs=2, batch_size=64, virtual_batch_size=32, drop_last=False)
p = clf.predict_proba(X[:8])
assert p.shape == (8, 2) and np.isfinite(p).all()
print("device", next(clf.network.parameters()).device.type)
"#,
    },
    Member {
        name: "deepctr-torch",
        version: "0.3.0",
        package: "deepctr_torch",
        smoke: r#"
import numpy as np, torch
from deepctr_torch.inputs import SparseFeat, DenseFeat, get_feature_names
from deepctr_torch.models import DeepFM
rng = np.random.default_rng(0)
n = 256
cols = [SparseFeat("a", 10, embedding_dim=4), SparseFeat("b", 7, embedding_dim=4), DenseFeat("c", 1)]
data = {"a": rng.integers(0, 10, n), "b": rng.integers(0, 7, n), "c": rng.normal(size=n).astype("float32")}
y = (data["c"] > 0).astype("float32")
device = "cuda:0" if torch.cuda.is_available() else "cpu"
model = DeepFM(cols, cols, task="binary", device=device, seed=0)
model.compile("adam", "binary_crossentropy", metrics=["binary_crossentropy"])
model.fit(data, y, batch_size=64, epochs=2, verbose=0)
p = model.predict(data, batch_size=64)
assert p.shape == (n, 1) and np.isfinite(p).all()
print("device", next(model.parameters()).device.type)
"#,
    },
];

pub fn run(args: &[String]) -> Result<()> {
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).map(PathBuf::from);
    let python = value("--python")
        .or_else(|| std::env::var_os("MOLT_TORCH_PYTHON").map(PathBuf::from))
        .context("name an interpreter with torch and torch-xla: --python PATH or MOLT_TORCH_PYTHON")?;
    let cache = crate::corpus_syntax::cache_dir()?.join("../corpus-torch");
    std::fs::create_dir_all(&cache).with_context(|| format!("creating {}", cache.display()))?;
    let deps = install_deps(&python, &cache)?;
    let keep = value("--dir");
    let scratch =
        keep.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("molt-corpus-torch-{}", std::process::id())));
    let recipe = molt_recipes::load(molt_recipes::cuda_to_neuron::NAME)?;
    let mut rows = Vec::new();
    for m in MEMBERS {
        let unpacked = fetch(&python, &cache, m)?;
        let original = scratch.join(m.name).join("original");
        let ported = scratch.join(m.name).join("ported");
        for dir in [&original, &ported] {
            if dir.exists() {
                std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
            }
            crate::demo::copy_tree(&unpacked.join(m.package), &dir.join(m.package))?;
            std::fs::write(dir.join(SMOKE), m.smoke.trim_start()).with_context(|| format!("writing {SMOKE}"))?;
        }
        let port = port(recipe, &ported)?;
        let before = smoke(&python, &deps, &original)?;
        let after = smoke(&python, &deps, &ported)?;
        rows.push((m, port, before, after));
    }
    for (m, port, before, after) in &rows {
        let mut reasons: Vec<(&String, &usize)> = port.reasons.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = reasons.iter().take(3).map(|(r, n)| format!("{n}× {r}")).collect();
        println!("{} {}: {} Python files, {} tasks", m.name, m.version, port.files, port.tasks);
        println!(
            "  {} sites: {} migrated by rules, {} left for a model, {} blocked; {} of {} tasks fully ported",
            port.sites, port.migrated, port.unmapped, port.blocked, port.whole_tasks, port.tasks
        );
        if !top.is_empty() {
            println!("  left for a model: {}", top.join("; "));
        }
        println!("  XLA CPU device: original {before}; ported {after}");
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&scratch);
    } else {
        println!("the trees are in {}", scratch.display());
    }
    Ok(())
}

#[derive(Default)]
struct Port {
    files: usize,
    tasks: usize,
    sites: usize,
    migrated: usize,
    unmapped: usize,
    blocked: usize,
    whole_tasks: usize,
    reasons: BTreeMap<String, usize>,
}

/// Every task's rules in plan order, no model.
fn port(recipe: &dyn molt_recipes::Recipe, work: &Path) -> Result<Port> {
    let spec_text =
        "[migration]\nname = \"corpus\"\ngoal = \"port CUDA code to Neuron\"\nrecipe = \"cuda-to-neuron\"\n\
                     include = [\"**\"]\n\n[[check]]\nname = \"none\"\nrun = \"true\"\nkind = \"build\"\n";
    let spec = Spec::parse("molt.toml", spec_text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let files = molt_agent::run::source_files(work, &spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    let plan = rules_plan(&spec, recipe, &files);
    let policy = molt_agent::spec::path_policy(&spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut port = Port {
        files: files.iter().filter(|f| f.path.ends_with(".py")).count(),
        tasks: plan.tasks.len(),
        ..Port::default()
    };
    let mut done: BTreeMap<String, bool> = BTreeMap::new();
    let mut pending: Vec<&molt_core::Task> = plan.tasks.iter().collect();
    while !pending.is_empty() {
        let ready = pending.iter().position(|t| t.depends_on.iter().all(|d| done.contains_key(d.as_str())));
        let Some(i) = ready else { bail!("the plan has a dependency cycle") };
        let task = pending.remove(i);
        port.sites += task.sites.len();
        if task.depends_on.iter().any(|d| done.get(d.as_str()) == Some(&false)) {
            port.blocked += task.sites.len();
            done.insert(task.id.as_str().to_owned(), false);
            continue;
        }
        let out = molt_agent::rules::apply(recipe, task, work, &policy)?;
        port.migrated += out.mapped.len();
        port.unmapped += out.unmapped.len();
        for (site, why) in &out.unmapped {
            *port.reasons.entry(format!("{}: {}", site.kind, why.chars().take(70).collect::<String>())).or_default() +=
                1;
        }
        let whole = out.unmapped.is_empty();
        port.whole_tasks += usize::from(whole);
        done.insert(task.id.as_str().to_owned(), whole);
    }
    Ok(port)
}

/// The member's package unpacked from its pinned wheel (downloaded once).
fn fetch(python: &Path, cache: &Path, m: &Member) -> Result<PathBuf> {
    let dir = cache.join(format!("{}-{}", m.name, m.version));
    if dir.join(".complete").is_file() {
        return Ok(dir);
    }
    let wheels = cache.join("wheels");
    let spec = format!("{}=={}", m.name, m.version);
    crate::run(
        Command::new(python).args(["-m", "pip", "download", "--quiet", "--no-deps", "--dest"]).arg(&wheels).arg(&spec),
    )?;
    let prefix = format!("{}-{}-", m.package, m.version);
    let wheel = std::fs::read_dir(&wheels)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&prefix)))
        .with_context(|| format!("no wheel of {spec} in {}", wheels.display()))?;
    crate::run(Command::new(python).args(["-m", "zipfile", "-e"]).arg(&wheel).arg(&dir))?;
    std::fs::write(dir.join(".complete"), "")?;
    Ok(dir)
}

/// The members' dependencies, installed once with the interpreter's pip.
fn install_deps(python: &Path, cache: &Path) -> Result<PathBuf> {
    let dir = cache.join("deps");
    if dir.join(".complete").is_file() {
        return Ok(dir);
    }
    // Their own numpy would shadow the interpreter's, which torch was built against.
    crate::run(
        Command::new(python).args(["-m", "pip", "install", "--quiet", "--no-deps", "--target"]).arg(&dir).args(DEPS),
    )?;
    std::fs::write(dir.join(".complete"), "")?;
    Ok(dir)
}

/// The user's program beside the package, ported with it.
const SMOKE: &str = "train_smoke.py";

/// Runs the user's program in `tree` on the XLA CPU device: where its
/// parameters ended up, or the last line of the error.
fn smoke(python: &Path, deps: &Path, tree: &Path) -> Result<String> {
    let path = std::env::join_paths([tree, deps])?;
    let out = Command::new(python)
        .arg(SMOKE)
        .env("PYTHONPATH", path)
        .env("PJRT_DEVICE", "CPU")
        .current_dir(tree)
        .output()
        .with_context(|| format!("starting {}", python.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    Ok(if out.status.success() {
        let device = stdout.lines().rev().find_map(|l| l.strip_prefix("device ")).unwrap_or("?");
        format!("ran (parameters on {device})")
    } else {
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no output");
        format!("failed: {}", last.trim().chars().take(120).collect::<String>())
    })
}
