//! Every C and C++ source file of a project compiled for x86-64 and aarch64, before and
//! after the port, with the aarch64 objects' vector instructions counted;
//! and the kernel check, built for aarch64 and run under qemu.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use super::{KernelCheck, Project, FORCED_FEATURES};

#[derive(Debug, Default)]
pub(super) struct Build {
    /// `.c` files, and how many compiled for x86-64, with the first errors.
    pub(super) files: usize,
    pub(super) x86_ok: usize,
    pub(super) x86_errors: Vec<String>,
    /// For aarch64.
    pub(super) arm: Arm,
    /// aarch64 again with the x86 feature macros the port provides defined
    /// (`-D__SSE2__` ...): the kernels as aarch64 compiles them once a
    /// dispatcher or build picks them.
    pub(super) forced: Arm,
}

/// One aarch64 build of every file: objects, their vector instructions, and
/// the first few compiler errors.
#[derive(Debug, Default)]
pub(super) struct Arm {
    pub(super) ok: usize,
    pub(super) vector: usize,
    pub(super) errors: Vec<String>,
}

impl Arm {
    /// Compiles `src` for aarch64 with `flags` into `obj`, and counts it.
    fn compile(&mut self, work: &Path, flags: &[&str], src: &Path, obj: &Path) -> Result<()> {
        let lang = Lang::of(src);
        let out = Command::new(lang.arm_compiler)
            .args(["-c", "-O2", "-fno-tree-vectorize", lang.std, "-w"])
            .args(flags)
            .arg(src)
            .arg("-o")
            .arg(obj)
            .current_dir(work)
            .output()?;
        if out.status.success() {
            self.ok += 1;
            let dump = Command::new("aarch64-linux-gnu-objdump").arg("-d").arg(obj).output()?;
            self.vector += count_vector_instructions(&String::from_utf8_lossy(&dump.stdout));
        } else if self.errors.len() < 3 {
            self.errors.push(first_error(&out.stderr));
        }
        Ok(())
    }
}

/// The sources compiled: C, and C++ by its usual extensions.
const SOURCE_EXTENSIONS: &[&str] = &["c", "cc", "cpp", "cxx"];

/// The compilers and standard for a source file, by its extension.
struct Lang {
    x86_compiler: &'static str,
    arm_compiler: &'static str,
    std: &'static str,
}

impl Lang {
    fn of(src: &Path) -> Lang {
        if src.extension().is_some_and(|e| e == "c") {
            Lang { x86_compiler: "cc", arm_compiler: "aarch64-linux-gnu-gcc", std: "-std=gnu11" }
        } else {
            Lang { x86_compiler: "c++", arm_compiler: "aarch64-linux-gnu-g++", std: "-std=gnu++17" }
        }
    }
}

pub(super) fn compile_all(p: &Project, work: &Path, label: &str) -> Result<Build> {
    let out = work.join(format!(".corpus-obj-{label}"));
    std::fs::create_dir_all(&out)?;
    let mut sources: Vec<PathBuf> = Vec::new();
    for dir in p.compile {
        for entry in std::fs::read_dir(work.join(dir)).with_context(|| format!("reading {dir}"))? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| SOURCE_EXTENSIONS.iter().any(|x| e == *x)) {
                sources.push(path);
            }
        }
    }
    sources.sort();
    let mut build = Build { files: sources.len(), ..Build::default() };
    for (n, src) in sources.iter().enumerate() {
        let name = src.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let x86_extra: Vec<&str> =
            p.x86_flags.iter().filter(|(key, _)| name.contains(key)).flat_map(|(_, f)| f.split_whitespace()).collect();
        let lang = Lang::of(src);
        let x86 = Command::new(lang.x86_compiler)
            .args(["-c", "-O2", lang.std, "-w"])
            .args(p.flags)
            .args(&x86_extra)
            .arg(src)
            .arg("-o")
            .arg(out.join(format!("{n}-x86.o")))
            .current_dir(work)
            .output()?;
        build.x86_ok += usize::from(x86.status.success());
        if !x86.status.success() && build.x86_errors.len() < 3 {
            build.x86_errors.push(first_error(&x86.stderr));
        }
        let obj = out.join(format!("{n}-arm.o"));
        build.arm.compile(work, p.flags, src, &obj)?;
        let forced: Vec<&str> = FORCED_FEATURES.iter().chain(p.flags).copied().collect();
        build.forced.compile(work, &forced, src, &obj)?;
    }
    std::fs::remove_dir_all(&out)?;
    Ok(build)
}

/// Builds the kernel check for aarch64 and runs it under qemu: its last
/// line ("N passed, M failed"), or the first compiler error.
pub(super) fn check_kernels(k: &KernelCheck, work: &Path) -> Result<String> {
    std::fs::write(work.join("molt_corpus_kernels.c"), k.driver)?;
    let build = Command::new("aarch64-linux-gnu-gcc")
        .args(["-O2", "-std=gnu11", "-w"])
        .args(k.flags)
        .arg("molt_corpus_kernels.c")
        .args(k.sources)
        .args(["-o", "molt_corpus_kernels"])
        .current_dir(work)
        .output()?;
    if !build.status.success() {
        return Ok(format!("does not build for aarch64: {}", first_error(&build.stderr)));
    }
    let run = Command::new("qemu-aarch64")
        .args(["-L", "/usr/aarch64-linux-gnu", "./molt_corpus_kernels"])
        .current_dir(work)
        .output()
        .context("running qemu-aarch64 (apt-get install qemu-user)")?;
    let out = String::from_utf8_lossy(&run.stdout);
    Ok(out.lines().last().unwrap_or("no output").to_owned())
}

/// The first error line of a compiler's output, with the scratch folder cut.
fn first_error(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().find(|l| l.contains("error")).unwrap_or("").trim();
    line.split("target/corpus-neon/").last().unwrap_or(line).to_owned()
}

/// Instructions with a vector register operand (`v0.4s`, `q1`), in objdump's listing.
pub(super) fn count_vector_instructions(listing: &str) -> usize {
    listing
        .lines()
        .filter_map(|l| l.split('\t').nth(2).map(|ins| (ins, l.split('\t').nth(3).unwrap_or(""))))
        .filter(|(_, ops)| {
            ops.split([',', ' ', '{', '}', '[', ']']).any(|op| {
                (op.starts_with('v') || op.starts_with('q'))
                    && op[1..].chars().next().is_some_and(|c| c.is_ascii_digit())
            })
        })
        .count()
}
