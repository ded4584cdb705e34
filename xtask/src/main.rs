//! molt's automation, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! Rust instead of shell scripts so that every machine runs the same steps.

mod bench_orchestrate;
mod bench_port;
mod bench_syntax;
mod corpus_build;
mod corpus_neon;
mod corpus_syntax;
mod corpus_torch;
mod demo;
mod fuzz;
mod record;
mod soak;
mod system;
mod test_env;
mod tidy;

use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

const HELP: &str = "\
cargo xtask <task>

Tasks:
  bench    syntax: molt index and molt find on openssl's and zstd's C sources, against ctags and ast-grep
           (--threads N)
           orchestrate: molt run on 64 independent model tasks against a scripted model (300 ms a call):
           wall time vs the ideal, and tokens sent vs whole files (--jobs J, --tasks N, --latency-ms MS,
           --dir DIR, --molt BIN)
           port: the kernels the x86-to-neon rules ported (blake3, libwebp) against upstream's own NEON,
           compiled for aarch64 and estimated by llvm-mca 19 on a Neoverse V1: cycles per unit of data,
           ported over upstream (goal at most 1.25)
  demo     the main job: port the tiny-infer fixture to aarch64 NEON with molt, checked under qemu
           (--dir DIR keeps the migrated repository there)
           trainium: port the tiny-train fixture's CUDA training code to Neuron/XLA with molt, checked on
           PyTorch/XLA's CPU device (tests, training and inference, CPU eager differential, no recompiles
           after warm-up); installs torch and torch-xla once into a cached venv (about 7 GB)
  fuzz     cargo-fuzz targets of fuzz/ (sse, bedrock_stream, spec, plan, edit), one after another, each
           for --secs N (default 60); installs cargo-fuzz if missing; needs a nightly toolchain
  record   re-record the model cassettes the e2e tests replay (fixtures/cassettes/), against the
           scripted model servers, then replay them and compare the snapshots
  corpus   the x86-to-neon rules on real C and C++ projects (blake3, libwebp, libdeflate, zstd, hnswlib)
           pinned from crates.io, PyPI and Debian's source pool, upstream NEON removed: sites, ported by
           rules, what is left (file, function, reason), each project's own build and tests natively and
           for aarch64 under qemu, whether its dispatcher chooses the ported kernels, and every .c compiled
           for x86-64 and aarch64 before and after, with vector instructions counted (names of members to
           run only some)
  corpus-torch
           the cuda-to-neuron rules on real PyTorch packages pinned from PyPI (pytorch-tabnet, deepctr-torch):
           sites, ported by rules, left for a model, and a training run on the XLA CPU device before and
           after (--python PATH or MOLT_TORCH_PYTHON: torch and torch-xla; --dir DIR keeps the trees)
  syntax-corpus
           molt-syntax on real code: pinned crates.io/PyPI archives (sqlite's amalgamation, zstd, libFuzzer's
           C++, regex-syntax, requests), cached in ~/.cache/molt/corpus; every function body replaced by
           symbol, checked against an independent splice, undone two ways, and broken sets refused; then
           libdeflate indexed with and without its CMake compile_commands.json; prints
           the figures (--only NAME, repeatable; --verbose)
  soak     crash safety, measured: molt run on the kill-many fixture killed with SIGKILL 20 times (half
           at random moments, half right after a commit or inside a merge) and resumed each time; prints
           kills survived, tasks lost or committed twice, tasks failed for an environment reason and git
           locks left (--kills N, --seed S, --jobs J, --dir DIR)
  test     the whole suite: system packages, cargo fmt --check, clippy -D warnings, every test
  test-env install the Python and npm packages the tests drive, torch and torch-xla among them (once,
           cached) and print the variables
           that name them, for running one test by hand: eval \"$(cargo xtask test-env)\"
  tidy     the repository's own rules (crate docs, no printing from libraries, crate dependencies,
           no source file over 500 lines)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("tidy") => tidy::run(&project_root()),
        Some("test-env") => test_env::prepare(&project_root()).map(|vars| {
            for (name, path) in vars {
                println!("export {name}='{}'", path.display());
            }
        }),
        Some("bench") if args.get(1).map(String::as_str) == Some("syntax") => bench_syntax::bench(&args[2..]),
        Some("bench") if args.get(1).map(String::as_str) == Some("orchestrate") => bench_orchestrate::bench(&args[2..]),
        Some("bench") if args.get(1).map(String::as_str) == Some("port") => bench_port::bench(&args[2..]),
        Some("demo") => demo::demo(&args[1..]),
        Some("record") => record::record(&args[1..]),
        Some("soak") => soak::soak(&args[1..]),
        Some("syntax-corpus") => corpus_syntax::run(&args[1..]),
        Some("corpus") => corpus_neon::run(&args[1..]),
        Some("corpus-torch") => corpus_torch::run(&args[1..]),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(anyhow::anyhow!("unknown task `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

pub fn project_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(std::path::Path::to_path_buf).unwrap_or_default()
}

/// Runs a command in the project root, failing with its name if it fails.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    eprintln!("$ {}", shown.replace('"', ""));
    let status = cmd.current_dir(project_root()).status().with_context(|| format!("could not start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// The README's test command: everything CI checks, in the order that fails fastest.
fn test(extra: &[String]) -> Result<()> {
    system::ensure(system::TEST_PACKAGES)?;
    system::ensure(system::CLIENT_PACKAGES)?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    tidy::run(&project_root())?;
    let env = test_env::prepare(&project_root())?;
    if system::has_program("cargo-nextest") {
        run(cargo().args(["nextest", "run", "--workspace", "--no-fail-fast"]).args(extra).envs(env))?;
    } else {
        eprintln!("cargo-nextest is not installed (cargo install cargo-nextest); using cargo test");
        run(cargo().args(["test", "--workspace", "--no-fail-fast"]).args(extra).envs(env))?;
    }
    Ok(())
}
