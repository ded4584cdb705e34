//! `cargo xtask bench syntax`: molt-syntax on a large real C code base.
//!
//! The corpus is the C sources shipped in the `openssl-src` and `zstd-sys`
//! crates (about 700,000 lines), fetched with cargo itself into a throwaway project. It
//! measures a full `molt index` and a search for every call to a function
//! whose name starts with `_mm`, side by side with ast-grep running the same
//! pattern and constraint on the same files with the same thread count, and
//! the index beside Universal Ctags (`ctags -R`) on the same files.
//! Numbers are printed, not asserted: timing belongs in a benchmark, not a test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{cargo, project_root, run};

const THREADS: &str = "2";
const RUNS: usize = 3;

pub fn bench(args: &[String]) -> Result<()> {
    let threads =
        args.windows(2).find(|w| w[0] == "--threads").map(|w| w[1].clone()).unwrap_or_else(|| THREADS.to_owned());
    let corpus = fetch_corpus()?;
    // The engine of `molt index` and `molt find` as a small example binary:
    // it builds from molt-syntax alone, whatever state the other crates are in.
    run(cargo().args(["build", "--release", "--quiet", "-p", "molt-syntax", "--example", "syntax_bench"]))?;
    let molt = project_root().join("target/release/examples/syntax_bench");

    let (files, lines) = count_c(&corpus)?;
    println!("corpus: {} ({files} C files, {lines} lines)", corpus.display());
    println!("threads: {threads}");

    // Full index, every file parsed: a first run, or `molt index --no-cache`.
    let index_cmd = |cache: Option<&Path>| -> Result<String> {
        let mut cmd = Command::new(&molt);
        cmd.arg("index").arg(&corpus).arg(&threads);
        if let Some(c) = cache {
            cmd.arg("--cache").arg(c);
        }
        let out = cmd.output().context("running molt index")?;
        if !out.status.success() {
            bail!("molt index failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").to_owned())
    };
    let (index_time, index_out) = best_of(|| index_cmd(None))?;
    let peak = peak_memory_kib(&molt, &corpus, &threads);
    println!(
        "molt index, cold: {:.2}s wall (best of {RUNS}), peak memory {}",
        secs(index_time),
        peak.map_or("unknown".to_owned(), |k| format!("{:.0} MiB", k as f64 / 1024.0))
    );
    println!("  summary: {index_out}");

    // Again with the index cache, as `molt index` runs by default: once to
    // fill it, then with nothing changed, then after one file was edited.
    let cache_dir = tempfile::tempdir().context("creating a cache folder")?;
    let cache = cache_dir.path().join("index.json");
    let (fill_time, _) = timed(|| index_cmd(Some(&cache)))?;
    let cache_mib = std::fs::metadata(&cache).map(|m| m.len() as f64 / (1 << 20) as f64).unwrap_or(0.0);
    let (warm_time, warm_out) = best_of(|| index_cmd(Some(&cache)))?;
    let edited = largest_c_file(&corpus)?;
    let original = std::fs::read(&edited)?;
    let mut changed = original.clone();
    changed.extend_from_slice(b"\n/* edited */\n");
    let edited_runs = best_of(|| {
        // A new edit before each run, so that each run finds one changed file.
        changed.extend_from_slice(b"\n");
        std::fs::write(&edited, &changed)?;
        index_cmd(Some(&cache))
    });
    // The corpus is shared between runs of the bench: put the file back.
    std::fs::write(&edited, &original)?;
    let (one_time, one_out) = edited_runs?;
    println!("molt index, filling the cache: {:.2}s wall ({cache_mib:.0} MiB of cache)", secs(fill_time));
    println!("molt index, cached, nothing changed: {:.2}s wall (best of {RUNS})", secs(warm_time));
    println!("  summary: {warm_out}");
    println!(
        "molt index, cached, one file edited ({}): {:.2}s wall (best of {RUNS})",
        edited.strip_prefix(&corpus).unwrap_or(&edited).display(),
        secs(one_time)
    );
    println!("  summary: {one_out}");

    // ctags over the same files: what a user compares an index with.
    // Universal Ctags runs on one thread and keeps no cache; its tags go to /dev/null.
    crate::system::ensure(&[("ctags", "universal-ctags")])?;
    let (ctags_time, ()) = best_of(|| {
        let out = Command::new("ctags")
            .args(["-R", "--languages=C", "-f", "/dev/null"])
            .arg(&corpus)
            .output()
            .context("running ctags")?;
        if !out.status.success() {
            bail!("ctags failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    })?;
    println!("ctags -R:   {:.2}s wall (best of {RUNS}, one thread)", secs(ctags_time));
    // The floor under a cold index: tree-sitter-c alone parsing every file,
    // with nothing of molt's around it (no masks, no walk, no cache).
    let (parse_time, _) = best_of(|| {
        let out = Command::new(&molt).arg("parse").arg(&corpus).arg(&threads).output().context("running the parse")?;
        if !out.status.success() {
            bail!("the parse failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    })?;
    println!(
        "tree-sitter-c parse alone: {:.2}s wall (best of {RUNS}, same threads): {:.2} times ctags, the floor for any \
         index that parses every file",
        secs(parse_time),
        secs(parse_time) / secs(ctags_time)
    );
    println!(
        "ratio molt index/ctags, cold: {:.2} (every file parsed fully, with signatures, calls and diagnostics; \
         {:.2} times the parse alone)",
        secs(index_time) / secs(ctags_time),
        secs(index_time) / secs(parse_time)
    );
    println!(
        "ratio molt index/ctags, cached: {:.2} with nothing changed, {:.2} with one file edited (target at most 1.5)",
        secs(warm_time) / secs(ctags_time),
        secs(one_time) / secs(ctags_time)
    );

    // Search: every call to a function whose name starts with _mm.
    let (molt_time, molt_count) = best_of(|| {
        // Same as `molt find --lang c --pattern '$F($$$)' --where 'F=^_mm' --count`.
        let out = Command::new(&molt).arg("find").arg(&corpus).arg(&threads).output().context("running molt find")?;
        if !out.status.success() {
            bail!("molt find failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut fields = text.split_whitespace().map(|f| f.parse::<usize>().unwrap_or(0));
        Ok((fields.next().unwrap_or(0), fields.next().unwrap_or(0)))
    })?;
    let (molt_count, parsed) = molt_count;
    println!(
        "molt find:     {:.3}s, {molt_count} matches ({parsed} files parsed after the prefilter)",
        secs(molt_time)
    );

    match ast_grep() {
        Some(sg) => {
            // A bare `$F($$$)` parses as a declaration at a C file's top level, so
            // ast-grep needs the statement context that molt adds on its own.
            let rule = "id: mm-call\nlanguage: c\nrule:\n  pattern:\n    context: \"void __ctx(void) { $F($$$); }\"\n    selector: call_expression\nconstraints:\n  F:\n    regex: ^_mm\n";
            let (sg_time, sg_count) = best_of(|| {
                let out = Command::new(&sg)
                    .args(["scan", "--inline-rules", rule, "--json=stream", "--threads", &threads])
                    .arg(&corpus)
                    .output()
                    .context("running ast-grep")?;
                Ok(String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.trim().is_empty()).count())
            })?;
            println!("ast-grep scan: {:.3}s, {sg_count} matches", secs(sg_time));
            println!("ratio molt/ast-grep: {:.3} (target at most 0.5)", secs(molt_time) / secs(sg_time));
            if sg_count != molt_count {
                println!(
                    "match counts differ by {}: the two ship different tree-sitter-c versions, which recover differently from code they cannot parse",
                    sg_count.abs_diff(molt_count)
                );
            } else {
                println!("match counts agree");
            }
        }
        None => println!("ast-grep is not installed (pip install ast-grep-cli, or cargo install ast-grep --locked): molt's figures only"),
    }
    Ok(())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn timed<T>(f: impl FnOnce() -> Result<T>) -> Result<(Duration, T)> {
    let start = Instant::now();
    let value = f()?;
    Ok((start.elapsed(), value))
}

fn best_of<T>(mut f: impl FnMut() -> Result<T>) -> Result<(Duration, T)> {
    let mut best: Option<(Duration, T)> = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let value = f()?;
        let took = start.elapsed();
        if best.as_ref().is_none_or(|(b, _)| took < *b) {
            best = Some((took, value));
        }
    }
    best.context("no runs")
}

/// ast-grep's binary, installing it with pip when it is missing.
fn ast_grep() -> Option<PathBuf> {
    let found = || {
        Command::new("ast-grep")
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|_| PathBuf::from("ast-grep"))
    };
    if let Some(p) = found() {
        return Some(p);
    }
    eprintln!("installing ast-grep with pip");
    let _ = Command::new("pip").args(["install", "--quiet", "ast-grep-cli"]).status();
    found()
}

/// Peak resident memory of one run, through GNU time, when it is there.
fn peak_memory_kib(molt: &Path, corpus: &Path, threads: &str) -> Option<u64> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(molt)
        .arg("index")
        .arg(corpus)
        .arg(threads)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stderr).lines().last()?.trim().parse().ok()
}

/// The C sources of the `openssl-src` and `zstd-sys` crates (zstd has real
/// `_mm*` intrinsic calls; openssl's C has almost none), fetched by cargo
/// into a throwaway project and copied into one folder.
fn fetch_corpus() -> Result<PathBuf> {
    let dir = project_root().join("target/bench-syntax");
    // Outside the repository, so that no parent .gitignore hides it from either tool.
    let corpus = std::env::temp_dir().join("molt-bench-syntax-corpus");
    std::fs::create_dir_all(dir.join("src")).context("creating target/bench-syntax")?;
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"bench-syntax-corpus\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nopenssl-src = \"300\"\nzstd-sys = \"2\"\n\n[workspace]\n",
    )?;
    std::fs::write(dir.join("src/lib.rs"), "")?;
    run(cargo().args(["fetch", "--quiet", "--manifest-path"]).arg(dir.join("Cargo.toml")))?;
    let out = cargo()
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .output()
        .context("running cargo metadata")?;
    let meta = String::from_utf8_lossy(&out.stdout);
    // Manifest paths, without a JSON dependency.
    let manifest = |name: &str| -> Result<PathBuf> {
        let path = meta
            .split("\"manifest_path\":\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .find(|p| p.contains(&format!("/{name}-")))
            .with_context(|| format!("{name} not found in cargo metadata"))?;
        Ok(Path::new(path).parent().context("manifest path")?.to_path_buf())
    };
    for (name, sub, to) in [("openssl-src", "openssl", "openssl"), ("zstd-sys", "zstd", "zstd")] {
        let from = manifest(name)?.join(sub);
        let target = corpus.join(to);
        if !target.is_dir() {
            copy_dir(&from, &target).with_context(|| format!("copying {} to {}", from.display(), target.display()))?;
        }
    }
    Ok(corpus)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let dest = to.join(entry.file_name());
        if kind.is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}

/// The largest `.c` file under `root`.
fn largest_c_file(root: &Path) -> Result<PathBuf> {
    let mut best: Option<(u64, PathBuf)> = None;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "c") {
                let len = std::fs::metadata(&path)?.len();
                if best.as_ref().is_none_or(|(b, _)| len > *b) {
                    best = Some((len, path));
                }
            }
        }
    }
    best.map(|(_, p)| p).context("no C file in the corpus")
}

/// C files (`.c`, `.h`) and their lines under `root`, as molt counts them.
fn count_c(root: &Path) -> Result<(usize, usize)> {
    let mut files = 0;
    let mut lines = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("c" | "h")) {
                files += 1;
                lines += std::fs::read(&path).map(|b| b.iter().filter(|&&c| c == b'\n').count()).unwrap_or(0);
            }
        }
    }
    Ok((files, lines))
}
