//! The checks of a PyTorch port against real Python, pytest, torch and
//! torch-xla (the venv `cargo xtask test` installs, named by
//! `MOLT_TEST_TORCH_PYTHON`; these tests fail without it, never skip):
//! pytest's counts under the test-count gate, the recompilation gate on
//! PyTorch/XLA's CPU device, and a differential of the XLA device against
//! CPU eager.

use std::path::{Path, PathBuf};

use molt_core::{Check, CheckKind, Spec};
use molt_verify::{judge, run_check, Baseline, CheckResult, Outcome, RunOptions, Status, TestFormat};

fn python() -> PathBuf {
    let path = std::env::var_os("MOLT_TEST_TORCH_PYTHON").map(PathBuf::from).unwrap_or_else(|| {
        panic!("MOLT_TEST_TORCH_PYTHON is not set; run `eval \"$(cargo xtask test-env)\"` or `cargo xtask test`")
    });
    assert!(path.exists(), "MOLT_TEST_TORCH_PYTHON={} does not exist", path.display());
    path
}

/// One check from a `[[check]]` body (name, kind and the rest as TOML).
fn spec_check(body: &str) -> Check {
    let text = format!("[migration]\nname = \"m\"\ngoal = \"g\"\n\n[[check]]\n{body}\n");
    Spec::parse("molt.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}")).checks.remove(0)
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn run(check: &Check, dir: &Path) -> CheckResult {
    run_check(check, dir, &RunOptions::default())
}

const PYTESTS: &str = "\
def test_a():
    assert 1 + 1 == 2

def test_b():
    assert 'xla'.upper() == 'XLA'

def test_c():
    assert sum(range(4)) == 6
";

#[test]
fn pytest_counts_feed_the_test_count_gate() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("tests/test_port.py", PYTESTS)]);
    let check = spec_check(&format!(
        "name = \"tests\"\nkind = \"test\"\nrun = \"'{}' -m pytest -q -p no:cacheprovider tests\"",
        python().display()
    ));
    let base = run(&check, dir.path());
    assert!(base.passed, "{base:#?}");
    let counts = base.counts.unwrap();
    assert_eq!((counts.format, counts.passed, counts.failed), (TestFormat::Pytest, 3, 0));
    let baseline = Baseline::from_results([base], None);

    // A port that deletes a test exits 0 with fewer tests: blocked.
    write(dir.path(), &[("tests/test_port.py", &PYTESTS.replace("def test_c", "def helper_c"))]);
    let fewer = run(&check, dir.path());
    assert!(fewer.passed, "pytest itself passes: {fewer:#?}");
    let v = judge(&baseline, &fewer, &check);
    assert_eq!(v.outcome, Outcome::Fail);
    assert_eq!(v.reasons, ["ran 2 tests, fewer than the 3 of the baseline"]);

    // Skipping counts as not running.
    let skipped = PYTESTS.replace("def test_c", "import pytest\n@pytest.mark.skip\ndef test_c");
    write(dir.path(), &[("tests/test_port.py", &skipped)]);
    let v = judge(&baseline, &run(&check, dir.path()), &check);
    assert_eq!(v.outcome, Outcome::Fail, "{v:#?}");
    assert_eq!(
        v.detail(),
        "2 passed, 0 failed, 1 skipped (baseline ran 3); ran 2 tests, fewer than the 3 of the baseline"
    );

    // A failing test is named.
    write(dir.path(), &[("tests/test_port.py", &PYTESTS.replace("== 6", "== 7"))]);
    let failed = run(&check, dir.path());
    assert_eq!(failed.status, Status::Fail);
    assert_eq!(failed.failing, ["tests/test_port.py::test_c"]);
    assert_eq!(judge(&baseline, &failed, &check).outcome, Outcome::Fail);
}

/// A training loop on PyTorch/XLA's CPU device. With `VARY=1` the batch
/// grows by a row every step, as a port that does not pad to fixed shapes
/// would: every step is a new graph.
const XLA_LOOP: &str = r#"
import os
import torch
import torch_xla
import torch_xla.debug.metrics as met

def compiles():
    data = met.metric_data("CompileTime")
    return int(data[0]) if data else 0

dev = torch_xla.device()
torch.manual_seed(0)
model = torch.nn.Linear(8, 1).to(dev)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
vary = os.environ.get("VARY") == "1"
warmup = 0
for step in range(6):
    rows = 4 + step if vary else 4
    x = torch.ones(rows, 8, device=dev)
    loss = model(x).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    torch_xla.sync()
    if step == 1:
        warmup = compiles()
    print(f"loss {step} {loss.item():.6f}")
print(f"molt-compiles: warmup={warmup} end={compiles()}")
"#;

#[test]
fn the_recompilation_gate_reads_torch_xla_metrics() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("train.py", XLA_LOOP)]);
    let body = |vary: u8| {
        format!(
            "name = \"xla-run\"\nkind = \"test\"\nrun = \"'{}' train.py\"\nenv = {{ PJRT_DEVICE = \"CPU\", VARY = \"{vary}\" }}\nmax_compiles_after_warmup = 0",
            python().display()
        )
    };
    let steady = run(&spec_check(&body(0)), dir.path());
    assert!(steady.passed, "{steady:#?}");
    let c = steady.compiles.unwrap();
    assert!(c.warmup > 0 && c.after_warmup() == 0, "{c:?}");

    let varying = run(&spec_check(&body(1)), dir.path());
    assert_eq!(varying.status, Status::Fail, "{varying:#?}");
    let c = varying.compiles.unwrap();
    assert!(c.after_warmup() >= 4, "{c:?}");
    assert_eq!(
        varying.message.unwrap(),
        format!(
            "{} XLA graph compilations after warm-up ({} by the end of warm-up, {} at the end); at most 0 allowed",
            c.after_warmup(),
            c.warmup,
            c.end
        )
    );
}

/// A small model's losses and outputs on the device the `DEV` variable
/// names, in float32 or (with `BF16=1`) under bfloat16 autocast.
const DIFFERENTIAL: &str = r#"
import os
import torch

dev_kind = os.environ["DEV"]
if dev_kind == "xla":
    import torch_xla
    dev = torch_xla.device()
else:
    dev = torch.device("cpu")
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.GELU(), torch.nn.Linear(32, 4))
x = torch.randn(8, 16)
y = torch.randn(8, 4)
model = model.to(dev)
opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
x, y = x.to(dev), y.to(dev)
for step in range(5):
    with torch.autocast(dev_kind, dtype=torch.bfloat16, enabled=os.environ.get("BF16") == "1"):
        loss = torch.nn.functional.mse_loss(model(x).float(), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if dev_kind == "xla":
        torch_xla.sync()
    print(f"loss {step} {loss.item():.6f}")
with torch.no_grad():
    print("logits " + " ".join(f"{v:.6f}" for v in model(x)[0].tolist()))
"#;

#[test]
fn the_xla_device_against_cpu_eager_within_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("model.py", DIFFERENTIAL)]);
    let body = |bf16: u8| {
        let python = python();
        format!(
            "name = \"xla-vs-cpu\"\nkind = \"diff\"\nrun = \"DEV=xla BF16={bf16} '{p}' model.py\"\nreference = \"DEV=cpu '{p}' model.py\"\nenv = {{ PJRT_DEVICE = \"CPU\" }}\nabs_tol = 1e-4\nrel_tol = 1e-4",
            p = python.display()
        )
    };
    let same = run(&spec_check(&body(0)), dir.path());
    assert!(same.passed, "{same:#?}");
    let report = same.diff.as_ref().unwrap();
    assert!(report.equal && report.reference_lines == 6 && report.candidate_lines == 6, "{report:#?}");
    assert!(report.max_abs_err <= 1e-4, "{report:#?}");
    assert_eq!(same.kind, CheckKind::Diff);

    // bfloat16 on the device, float32 on the CPU: not within 1e-4.
    let bf16 = run(&spec_check(&body(1)), dir.path());
    assert_eq!(bf16.status, Status::Fail, "{bf16:#?}");
    assert!(bf16.message.as_deref().unwrap().contains("differ from the reference"), "{bf16:#?}");
    assert!(bf16.diff.unwrap().max_abs_err > 1e-4);
}
