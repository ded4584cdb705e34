//! `cargo xtask corpus`: the `x86-to-neon` recipe's rules on real C libraries
//! that no one here wrote, pinned by version and SHA-256 from crates.io.
//!
//! For each member: its sources are copied into a scratch folder with the
//! upstream NEON (and other non-x86) files and the x86 assembly removed, as a
//! user who has none would start; the rules plan is made and every task's
//! rules are applied in plan order, with no model (a task whose dependency
//! was left unported is blocked, as in `molt run`). Then every `.c` file is
//! compiled for x86-64 (with the project's per-file `-m` flags: the x86 build
//! must still work) and for aarch64 with aarch64-linux-gnu-gcc, before and
//! after the port, and the aarch64 objects' vector instructions are counted
//! (at `-O2 -fno-tree-vectorize`, so that only intrinsics make them).
//!
//! Where a project has its own build and tests (its `molt.toml` beside this
//! file, see `own.rs`), they run after the port, natively and for aarch64
//! under qemu. What it does not do: port the dispatchers that choose kernels
//! at run time; the residue line of each project names what is left.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use molt_agent::planner::{rules_plan, SourceFile};
use molt_core::Spec;

use crate::corpus_syntax::{self, Compiler, Member};

mod own;
mod table;

/// One library of the corpus.
pub(crate) struct Project {
    pub(crate) member: Member,
    /// The library's folder inside the archive.
    pub(crate) dir: &'static str,
    /// Files and folders removed first (relative to `dir`; a trailing `/` is
    /// a folder, `*` any run of characters in a file name).
    pub(crate) remove: &'static [&'static str],
    /// Folders (relative to `dir`) whose `.c` files are compiled.
    compile: &'static [&'static str],
    /// Flags for every file, on both targets (`-I` relative to `dir`).
    pub(crate) flags: &'static [&'static str],
    /// x86-only flags of the files whose name contains the key.
    x86_flags: &'static [(&'static str, &'static str)],
    /// What a rules-only port cannot reach in this project, in words.
    residue: &'static str,
    /// A check of the ported kernels against the project's own portable
    /// code: a C driver of ours, the sources it links, run under qemu.
    kernels: Option<KernelCheck>,
    /// The project's own build and tests, natively and for aarch64 under qemu.
    own: Option<own::OwnTests>,
}

/// A driver that calls the ported kernels and the project's portable code
/// on the same inputs and prints "N passed, M failed".
struct KernelCheck {
    driver: &'static str,
    sources: &'static [&'static str],
    flags: &'static [&'static str],
}

pub(crate) const PROJECTS: &[Project] = &[
    Project {
        member: Member {
            name: "blake3",
            url: "https://static.crates.io/crates/blake3/blake3-1.8.2.crate",
            sha256: "3888aaa89e4b2a40fca9848e400f6a658a5a3978de7be858e209cafa8be9a4a0",
            root: "blake3-1.8.2",
            dirs: &["c"],
            cpp_headers: false,
            compiler: Compiler::None,
        },
        dir: "c",
        remove: &[
            "blake3_neon.c",
            "*.S",
            "*.asm",
            "blake3_tbb.cpp",
            "example_tbb.c",
            "cmake/",
            "dependencies/",
            "CMakeLists.txt",
            "CMakePresets.json",
        ],
        compile: &["."],
        flags: &["-I."],
        x86_flags: &[
            ("sse2", "-msse2"),
            ("sse41", "-msse4.1"),
            ("avx2", "-mavx2"),
            ("avx512", "-mavx512f -mavx512vl"),
        ],
        residue: "the dispatcher (blake3_dispatch.c) picks kernels by cpuid under IS_X86; aarch64 needs its own path",
        kernels: Some(KernelCheck {
            driver: include_str!("corpus_neon/blake3_kernels.c"),
            sources: &["blake3_portable.c", "blake3_sse2.c", "blake3_sse41.c", "blake3_avx2.c"],
            flags: &["-I.", "-DBLAKE3_NO_AVX512"],
        }),
        own: Some(own::OwnTests {
            spec: include_str!("corpus_neon/blake3.molt.toml"),
            deps: &[own::Dep {
                member: Member {
                    name: "blake3-py",
                    url: "https://files.pythonhosted.org/packages/75/aa/abcd75e9600987a0bc6cfe9b6b2ff3f0e2cb08c170addc6e76035b5c4cb3/blake3-1.0.8.tar.gz",
                    sha256: "513cc7f0f5a7c035812604c2c852a0c1468311345573de647e310aca4ab165ba",
                    root: "blake3-1.0.8",
                    dirs: &[],
                    cpp_headers: false,
                    compiler: Compiler::None,
                },
                from: "tests",
                to: ".molt-tests/py",
            }],
        }),
    },
    Project {
        member: Member {
            name: "libwebp",
            url: "https://static.crates.io/crates/libwebp-sys/libwebp-sys-0.9.6.crate",
            sha256: "54cd30df7c7165ce74a456e4ca9732c603e8dc5e60784558c1c6dc047f876733",
            root: "libwebp-sys-0.9.6",
            dirs: &["vendor/src"],
            cpp_headers: false,
            compiler: Compiler::None,
        },
        dir: "vendor",
        remove: &["src/dsp/*_neon.c", "src/dsp/neon.h", "src/dsp/*_mips*.c", "src/dsp/*_msa.c", "src/dsp/msa_macro.h"],
        compile: &["src/dsp"],
        flags: &["-I."],
        x86_flags: &[("sse2", "-msse2"), ("sse41", "-msse4.1")],
        residue: "the kernels are chosen by VP8GetCPUInfo (cpuid) and WEBP_USE_SSE2/WEBP_USE_NEON from cpu.h",
        kernels: None,
        own: None,
    },
    Project {
        member: Member {
            name: "libdeflate",
            url: "https://static.crates.io/crates/libdeflate-sys/libdeflate-sys-1.23.1.crate",
            sha256: "38b72ad3fbf5ac78f2df7b36075e48adf2459b57c150b9e63937d0204d0f9cd7",
            root: "libdeflate-sys-1.23.1",
            dirs: &["libdeflate/lib"],
            cpp_headers: false,
            compiler: Compiler::None,
        },
        dir: "libdeflate",
        // lib/arm stays: libdeflate includes it by architecture, so a user
        // without it would have to edit those includes first.
        remove: &["scripts/"],
        compile: &["lib"],
        flags: &["-I."],
        x86_flags: &[],
        residue: "kernels use __attribute__((target(...))) and are chosen by cpuid in lib/x86/cpu_features.c; \
                  upstream's lib/arm stays (it is included by architecture), so its aarch64 figures count upstream's NEON",
        kernels: None,
        own: Some(own::OwnTests {
            spec: include_str!("corpus_neon/libdeflate.molt.toml"),
            deps: &[own::Dep { member: LIBZ, from: "src/zlib", to: ".molt-deps/zlib" }],
        }),
    },
    Project {
        member: Member {
            name: "zstd",
            url: "https://static.crates.io/crates/zstd-sys/zstd-sys-2.1.3+zstd.1.5.7.crate",
            sha256: "f729a06d0257428fd9d997ac8db7e1407bd0262ab016b085b36bc52957c0052d",
            root: "zstd-sys-2.1.3+zstd.1.5.7",
            dirs: &["zstd/lib"],
            cpp_headers: false,
            compiler: Compiler::None,
        },
        dir: "zstd/lib",
        remove: &["decompress/huf_decompress_amd64.S"],
        compile: &["common", "compress", "decompress"],
        flags: &["-I.", "-Icommon", "-DZSTD_DISABLE_ASM"],
        x86_flags: &[],
        residue: "zstd keeps its NEON paths inline (ZSTD_ARCH_ARM_NEON), so there is nothing upstream to remove",
        kernels: None,
        own: None,
    },
];

/// zlib's sources (from libz-sys), which libdeflate's tests compare against.
const LIBZ: Member = Member {
    name: "zlib",
    url: "https://static.crates.io/crates/libz-sys/libz-sys-1.1.20.crate",
    sha256: "d2d16453e800a8cf6dd2fc3eb4bc99b786a9b90c663b8559a5b1a041bf89e472",
    root: "libz-sys-1.1.20",
    dirs: &[],
    cpp_headers: false,
    compiler: Compiler::None,
};

/// The x86 feature macros the port provides, defined for the "forced" aarch64 build.
pub(crate) const FORCED_FEATURES: &[&str] = &[
    "-D__SSE__",
    "-D__SSE2__",
    "-D__SSE3__",
    "-D__SSSE3__",
    "-D__SSE4_1__",
    "-D__SSE4_2__",
    "-D__AVX__",
    "-D__AVX2__",
    "-D__FMA__",
];

pub fn run(args: &[String]) -> Result<()> {
    let only: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    for tool in ["cc", "aarch64-linux-gnu-gcc", "aarch64-linux-gnu-objdump"] {
        if Command::new(tool).arg("--version").output().is_err() {
            bail!("{tool} is missing: apt-get install gcc gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu");
        }
    }
    let recipe = molt_recipes::load("x86-to-neon").map_err(|e| anyhow::anyhow!("{e}"))?;
    let scratch = crate::project_root().join("target/corpus-neon");
    let mut rows = Vec::new();
    for p in PROJECTS.iter().filter(|p| only.is_empty() || only.contains(&p.member.name)) {
        eprintln!("{}: fetching and porting", p.member.name);
        let root = corpus_syntax::fetch(&p.member)?;
        let work = scratch.join(p.member.name);
        if work.exists() {
            std::fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
        }
        copy_without(&root.join(p.dir), &work, p.remove)?;
        let spec = p.own.as_ref().map(|o| own::write_spec(o, &work)).transpose()?;
        let before = compile_all(p, &work, "before")?;
        let port = port(recipe, &work)?;
        let after = compile_all(p, &work, "after")?;
        let kernels = p.kernels.as_ref().map(|k| check_kernels(k, &work)).transpose()?;
        let own = match (&p.own, &spec) {
            (Some(o), Some(spec)) => {
                eprintln!("{}: the project's own build and tests, x86-64 and aarch64 under qemu", p.member.name);
                Some(own::run(o, spec, &work)?)
            }
            _ => None,
        };
        rows.push(Row { name: p.member.name, port, before, after, residue: p.residue, kernels, own });
    }
    table::print(&rows);
    Ok(())
}

/// What the rules did to one project.
#[derive(Debug, Default)]
pub(crate) struct Port {
    files: usize,
    sites: usize,
    tasks: usize,
    migrated: usize,
    unmapped: usize,
    /// Sites in tasks that failed (the rewrite itself failed).
    failed: usize,
    /// Sites in tasks whose dependency was left unported.
    blocked: usize,
    committed_tasks: usize,
    /// Reason → sites, over the unmapped and failed sites.
    reasons: BTreeMap<String, usize>,
}

#[derive(Debug, Default)]
struct Build {
    /// `.c` files, and how many compiled for x86-64, with the first errors.
    files: usize,
    x86_ok: usize,
    x86_errors: Vec<String>,
    /// For aarch64.
    arm: Arm,
    /// aarch64 again with the x86 feature macros the port provides defined
    /// (`-D__SSE2__` ...): the kernels as aarch64 compiles them once a
    /// dispatcher or build picks them.
    forced: Arm,
}

/// One aarch64 build of every file: objects, their vector instructions, and
/// the first few compiler errors.
#[derive(Debug, Default)]
struct Arm {
    ok: usize,
    vector: usize,
    errors: Vec<String>,
}

impl Arm {
    /// Compiles `src` for aarch64 with `flags` into `obj`, and counts it.
    fn compile(&mut self, work: &Path, flags: &[&str], src: &Path, obj: &Path) -> Result<()> {
        let out = Command::new("aarch64-linux-gnu-gcc")
            .args(["-c", "-O2", "-fno-tree-vectorize", "-std=gnu11", "-w"])
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

pub(crate) struct Row {
    name: &'static str,
    /// The kernel check's "N passed, M failed", or why it did not run.
    kernels: Option<String>,
    port: Port,
    before: Build,
    after: Build,
    residue: &'static str,
    /// The project's own build and tests, where it has them.
    own: Option<own::Outcome>,
}

pub(crate) fn port(recipe: &dyn molt_recipes::Recipe, work: &Path) -> Result<Port> {
    let spec_text = "[migration]\nname = \"corpus\"\ngoal = \"port x86 SIMD to NEON\"\nrecipe = \"x86-to-neon\"\n\
                     include = [\"**\"]\n\n[[check]]\nname = \"none\"\nrun = \"true\"\nkind = \"build\"\n";
    // The project's own spec, where it has one, says which build files molt may edit.
    let spec_text = std::fs::read_to_string(work.join("molt.toml")).unwrap_or_else(|_| spec_text.to_owned());
    let spec = Spec::parse("molt.toml", &spec_text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let files = molt_agent::run::source_files(work, &spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    let plan = rules_plan(&spec, recipe, &files);
    let policy = molt_agent::spec::path_policy(&spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut port = Port {
        files: files.iter().filter(|f: &&SourceFile| f.path.ends_with(".c") || f.path.ends_with(".h")).count(),
        tasks: plan.tasks.len(),
        ..Port::default()
    };
    let mut done: BTreeMap<String, bool> = BTreeMap::new();
    // Tasks in plan order; dependencies come first in a valid plan's order
    // or are visited when reached, as `molt run --jobs 1` would.
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
        match molt_agent::rules::apply(recipe, task, work, &policy) {
            Ok(out) => {
                port.migrated += out.mapped.len();
                port.unmapped += out.unmapped.len();
                for (_, why) in &out.unmapped {
                    *port.reasons.entry(short_reason(why)).or_default() += 1;
                }
                let ok = out.unmapped.is_empty();
                port.committed_tasks += usize::from(ok && !out.changed.is_empty());
                done.insert(task.id.as_str().to_owned(), ok);
            }
            Err(e) => {
                port.failed += task.sites.len();
                *port.reasons.entry(short_reason(&e.to_string())).or_default() += task.sites.len();
                done.insert(task.id.as_str().to_owned(), false);
            }
        }
    }
    Ok(port)
}

/// A reason without the parts that differ from site to site, so that equal
/// reasons count together: the first unmapped name stays.
fn short_reason(why: &str) -> String {
    let first = why.split(", ").next().unwrap_or(why);
    let first = first.split(": still x86 here").next().unwrap_or(first);
    first.chars().take(90).collect()
}

pub(crate) fn copy_without(from: &Path, to: &Path, remove: &[&str]) -> Result<()> {
    fn walk(base: &Path, dir: &Path, to: &Path, remove: &[&str]) -> Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let entry = entry?;
            let path = entry.path();
            let rel = path.strip_prefix(base)?.to_string_lossy().replace('\\', "/");
            let is_dir = entry.file_type()?.is_dir();
            if removed(&rel, is_dir, remove) {
                continue;
            }
            let dest = to.join(&rel);
            if is_dir {
                std::fs::create_dir_all(&dest)?;
                walk(base, &path, to, remove)?;
            } else if entry.file_type()?.is_file() {
                std::fs::copy(&path, &dest).with_context(|| format!("copying {rel}"))?;
            }
        }
        Ok(())
    }
    std::fs::create_dir_all(to)?;
    walk(from, from, to, remove)
}

fn removed(rel: &str, is_dir: bool, remove: &[&str]) -> bool {
    remove.iter().any(|pat| {
        if let Some(folder) = pat.strip_suffix('/') {
            return is_dir && rel == folder;
        }
        !is_dir && glob_match(pat, rel)
    })
}

/// `*` matches any run of characters but `/`.
fn glob_match(pat: &str, text: &str) -> bool {
    match pat.split_once('*') {
        None => pat == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else { return false };
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i) && !rest[..i].contains('/'))
                .any(|i| glob_match(tail, &rest[i..]))
        }
    }
}

fn compile_all(p: &Project, work: &Path, label: &str) -> Result<Build> {
    let out = work.join(format!(".corpus-obj-{label}"));
    std::fs::create_dir_all(&out)?;
    let mut sources: Vec<PathBuf> = Vec::new();
    for dir in p.compile {
        for entry in std::fs::read_dir(work.join(dir)).with_context(|| format!("reading {dir}"))? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "c") {
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
        let x86 = Command::new("cc")
            .args(["-c", "-O2", "-std=gnu11", "-w"])
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
fn check_kernels(k: &KernelCheck, work: &Path) -> Result<String> {
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
fn count_vector_instructions(listing: &str) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Real code in the suite: blake3's C kernels, pinned from crates.io,
    /// ported by the rules. Every site is accounted for, no rewrite fails,
    /// the x86 build stays whole, and aarch64 compiles no fewer files.
    #[test]
    fn blake3_is_ported_without_breaking_either_build() {
        let p = PROJECTS.iter().find(|p| p.member.name == "blake3").expect("the blake3 member");
        let root = corpus_syntax::fetch(&p.member).expect("downloading the pinned blake3 crate");
        let scratch = tempfile::tempdir().unwrap();
        let work = scratch.path().join("blake3");
        copy_without(&root.join(p.dir), &work, p.remove).unwrap();
        assert!(!work.join("blake3_neon.c").exists(), "upstream's NEON is removed first");
        let recipe = molt_recipes::load("x86-to-neon").unwrap();
        let before = compile_all(p, &work, "before").unwrap();
        let port = port(recipe, &work).unwrap();
        let after = compile_all(p, &work, "after").unwrap();
        assert_eq!(port.sites, port.migrated + port.unmapped + port.failed + port.blocked, "{port:?}");
        assert_eq!(port.failed, 0, "no rewrite failed: {port:?}");
        assert!(port.migrated > 0, "{port:?}");
        assert_eq!((before.x86_ok, after.x86_ok), (before.files, after.files), "{:?}", after.x86_errors);
        assert!(after.arm.ok >= before.arm.ok, "{:?}", after.arm.errors);
        // The ported kernels compute what blake3's portable code computes.
        let kernels = check_kernels(p.kernels.as_ref().unwrap(), &work).unwrap();
        assert!(kernels.ends_with(" passed, 0 failed") && !kernels.starts_with("0 "), "{kernels}");
    }

    /// libdeflate's own CMake build and CTest suite, after the port:
    /// natively, and cross-compiled for aarch64 with every test run under
    /// qemu-aarch64. Its x86 kernels stay whole, and its aarch64 build
    /// passes all of its tests.
    #[test]
    fn libdeflate_passes_its_own_tests_under_qemu_after_the_port() {
        let p = PROJECTS.iter().find(|p| p.member.name == "libdeflate").expect("the libdeflate member");
        let own_tests = p.own.as_ref().expect("libdeflate's own tests");
        let root = corpus_syntax::fetch(&p.member).expect("downloading the pinned libdeflate-sys crate");
        let scratch = tempfile::tempdir().unwrap();
        let work = scratch.path().join("libdeflate");
        copy_without(&root.join(p.dir), &work, p.remove).unwrap();
        let spec = own::write_spec(own_tests, &work).unwrap();
        let recipe = molt_recipes::load("x86-to-neon").unwrap();
        let port = port(recipe, &work).unwrap();
        assert!(port.migrated > 0, "{port:?}");
        let outcome = own::run(own_tests, &spec, &work).unwrap();
        let names: Vec<(&str, bool)> = outcome.results.iter().map(|r| (r.name.as_str(), r.passed)).collect();
        assert_eq!(
            names,
            [("build-x86-64", true), ("test-x86-64", true), ("build-aarch64", true), ("test-aarch64-qemu", true)],
            "{:#?}",
            outcome.results.iter().map(|r| &r.output).collect::<Vec<_>>()
        );
        assert_eq!(outcome.arm_tests(), "8/8", "CTest's own count of libdeflate's tests");
    }

    #[test]
    fn globs_and_folders_are_removed_as_listed() {
        let remove = ["src/dsp/*_neon.c", "*.S", "arm/"];
        assert!(removed("src/dsp/enc_neon.c", false, &remove));
        assert!(!removed("src/dsp/enc_sse2.c", false, &remove));
        assert!(removed("x.S", false, &remove));
        assert!(!removed("lib/x.S", false, &remove), "* does not cross /");
        assert!(removed("arm", true, &remove));
        assert!(!removed("arm", false, &remove));
    }

    #[test]
    fn vector_instructions_are_counted_from_objdump() {
        let listing = "   0:\t4e208400 \tadd\tv0.4s, v0.4s, v0.4s\n   4:\t8b010000 \tadd\tx0, x0, x1\n   8:\t3dc00000 \tldr\tq0, [x0]\n";
        assert_eq!(count_vector_instructions(listing), 2);
    }
}
