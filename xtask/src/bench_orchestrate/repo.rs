//! The generated repository: N kernel files from one template, the shared
//! headers, the Makefile, the tests and the spec, committed with git; and
//! the port a competent model would write for each kernel.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The template of every kernel file: `KPFX` is the kernel's name, `KNUM` its
/// number, `KSCALE` the integer factor its gather scales by.
const KERNEL: &str = include_str!("kernel.c");

const SIMD_H: &str = "\
/* The scorer's SIMD headers, in one place. */
#ifndef SCORER_SIMD_H
#define SCORER_SIMD_H
#include <immintrin.h>
#endif
";

const MAKEFILE: &str = "\
# A task's test builds and runs only the kernels it changed (git diff against
# HEAD), so it stays quick; on a clean tree (the baseline, the final check) it
# builds every kernel into one binary (tests/test_all.c includes them all).
CC ?= cc
RUN ?=
CFLAGS = -O0 -std=c11 -Wall -Wextra -mavx2 -Iinclude -Itests
CHANGED := $(basename $(notdir $(filter src/%.c,$(shell git diff --name-only HEAD -- src 2>/dev/null))))

.PHONY: test clean
test:
\t@mkdir -p build
ifeq ($(CHANGED),)
\t$(CC) $(CFLAGS) tests/test_all.c -o build/test_all -lm
\t$(RUN) build/test_all
else
\tfor k in $(CHANGED); do \\
\t\t$(CC) $(CFLAGS) -DK=$$k -include src/$$k.c tests/test_one.c -o build/test_$$k -lm && $(RUN) build/test_$$k || exit 1; \\
\tdone
endif

clean:
\trm -rf build
";

/// The reference every gather is held to; shared by both test programs.
const CHECK_H: &str = "\
/* A kernel's gather against a scalar reference. */
#include <stdio.h>

static int check(const char *name, void (*gather)(const float *, const int *, float *), float scale)
{
    float table[64], out[8];
    int idx[8] = {3, 60, 0, 17, 17, 42, 5, 63};

    for (int i = 0; i < 64; i++)
        table[i] = (float)i * 0.25f - 3.0f;
    gather(table, idx, out);
    for (int i = 0; i < 8; i++) {
        if (out[i] != table[idx[i]] * scale) {
            printf(\"FAIL - %s lane %d: %g, expected %g\\n\", name, i, out[i], table[idx[i]] * scale);
            return 1;
        }
    }
    return 0;
}
";

/// One kernel's test: make passes `-DK=kNN -include src/kNN.c`.
const TEST_ONE: &str = "\
#include \"check.h\"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define STR2(x) #x
#define STR(x) STR2(x)

int main(void)
{
    if (check(STR(K) \"_gather\", CAT(K, _gather), CAT(K, _scale)))
        return 1;
    printf(\"%s passes\\n\", STR(K));
    return 0;
}
";

pub(super) const GUARD: &str = "#if defined(__x86_64__) || defined(__i386__)";

/// The kernel's name for task number `n`.
pub(super) fn kernel_name(n: usize) -> String {
    format!("k{n:02}")
}

pub(super) fn kernel_source(n: usize) -> String {
    KERNEL.replace("KPFX", &kernel_name(n)).replace("KNUM", &n.to_string()).replace("KSCALE", &(n % 7 + 1).to_string())
}

/// The gather function as the template has it, for kernel `n`: its doc
/// comment and its definition (the span molt's index gives the item).
pub(super) fn original_gather(n: usize) -> Result<(String, String)> {
    let source = kernel_source(n);
    let start = source.find(&format!("void {}_gather(", kernel_name(n))).context("the template has no gather")?;
    let doc = source[..start].rfind("/* Gathers").context("the gather has no doc comment")?;
    let len = source[start..].find("\n}\n").context("the gather never ends")? + 2;
    Ok((source[doc..start].to_owned(), source[start..start + len].to_owned()))
}

/// The port a competent model would write: the doc comment kept, the x86
/// code kept under the guard, lanes loaded one by one elsewhere (NEON has
/// no gather).
pub(super) fn ported_gather(n: usize) -> Result<String> {
    let name = kernel_name(n);
    let (doc, x86) = original_gather(n)?;
    Ok(format!(
        "{doc}{GUARD}\n{x86}\n#else\nvoid {name}_gather(const float *table, const int *idx, float *out)\n{{\n    /* NEON has no gather: load the lanes one by one. */\n    for (int i = 0; i < 8; i++)\n        out[i] = table[idx[i]] * {name}_scale;\n}}\n#endif"
    ))
}

pub(super) fn test_source(tasks: usize) -> String {
    let mut s = String::from("/* Every kernel's gather, in one program. */\n#include \"check.h\"\n\n");
    for n in 0..tasks {
        s.push_str(&format!("#include \"../src/{}.c\"\n", kernel_name(n)));
    }
    s.push_str("\nint main(void)\n{\n    int failed = 0;\n\n");
    for n in 0..tasks {
        let name = kernel_name(n);
        s.push_str(&format!("    failed += check(\"{name}_gather\", {name}_gather, {name}_scale);\n"));
    }
    s.push_str(&format!(
        "    if (failed)\n        return 1;\n    printf(\"all {tasks} kernels pass\\n\");\n    return 0;\n}}\n"
    ));
    s
}

fn spec() -> String {
    "\
# A bench repository: every task needs the model (AVX2 gathers), and the
# tasks are independent of each other.
[migration]
name = \"scorer-port\"
goal = \"Port the AVX2 kernels to aarch64 NEON; keep the x86 path.\"
recipe = \"x86-to-neon\"
include = [\"src/**\"]
protected = [\"tests/**\", \"include/**\", \"Makefile\", \"molt.toml\"]
attempts = 1

[model]
provider = \"openai\"
model = \"gpt-4o\"
max_usd = 50.0

[[check]]
name = \"x86-test\"
run = \"make -s test\"
kind = \"test\"
timeout_secs = 300
"
    .to_owned()
}

pub(super) fn write_repo(repo: &Path, tasks: usize) -> Result<()> {
    let write = |rel: &str, text: &str| -> Result<()> {
        let path = repo.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    };
    for n in 0..tasks {
        write(&format!("src/{}.c", kernel_name(n)), &kernel_source(n))?;
    }
    write("include/simd.h", SIMD_H)?;
    write("tests/test_all.c", &test_source(tasks))?;
    write("tests/test_one.c", TEST_ONE)?;
    write("tests/check.h", CHECK_H)?;
    write("Makefile", MAKEFILE)?;
    write("molt.toml", &spec())?;
    write(".gitignore", "build/\n.molt/\n")?;
    git(repo, &["init", "--quiet", "--initial-branch=main"])?;
    git(repo, &["add", "-A"])?;
    git(repo, &["-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "--quiet", "-m", "scorer"])?;
    // The check must pass before molt starts, or every task would fail.
    let out = Command::new("make").args(["-s", "test"]).current_dir(repo).output().context("running make test")?;
    if !out.status.success() {
        bail!("the generated repository's own test fails:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

fn git(repo: &Path, args: &[&str]) -> Result<()> {
    let out = Command::new("git").args(args).current_dir(repo).output().context("running git")?;
    if !out.status.success() {
        bail!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

pub(super) fn lines_of_c(repo: &Path) -> Result<usize> {
    let mut lines = 0;
    for e in std::fs::read_dir(repo.join("src")).context("reading src")? {
        lines += std::fs::read_to_string(e?.path())?.lines().count();
    }
    Ok(lines)
}
