//! A project's own x86 macros: a header defines `MY_X86` from
//! `__x86_64__` and `MY_SSE2` from `__SSE2__` (or MSVC's `_M_X64`), and the
//! kernels and the dispatcher sit under those, in other files, as blake3's
//! `IS_X86`, hnswlib's `USE_SSE` or libwebp's `WEBP_USE_SSE2` do. Fitted to
//! the project (as `molt run` fits it), the rules widen those tests too, so
//! the aarch64 build compiles the ported kernel and the dispatcher picks it.
//! A function that calls an AVX-512 helper kept for x86 stays with it
//! (blake3_avx512.c's shape), so that aarch64 never calls what it lacks.

mod common;

use std::path::Path;
use std::process::Command;

use common::run;
use molt_recipes::Recipe;

const HEADER: &str = r#"#ifndef SIMD_H
#define SIMD_H
#if defined(__x86_64__) || defined(_M_X64)
#define MY_X86
#endif
#if (defined(__SSE2__) || defined(_M_X64))
#define MY_SSE2
#ifdef __AVX512F__
#define MY_AVX512
#endif
#endif
#if defined(MY_X86)
#include <immintrin.h>
#endif
int sum4_portable(const int *p);
int sum4_sse2(const int *p);
const char *pick(void);
#endif
"#;

const KERNELS: &str = r#"#include "simd.h"
int sum4_portable(const int *p) { return p[0] + p[1] + p[2] + p[3]; }
#ifdef MY_SSE2
int sum4_sse2(const int *p) {
  __m128i v = _mm_loadu_si128((const __m128i *)p);
  v = _mm_add_epi32(v, _mm_srli_si128(v, 8));
  v = _mm_add_epi32(v, _mm_srli_si128(v, 4));
  return _mm_cvtsi128_si32(v);
}
#endif
"#;

const DISPATCH: &str = r#"#include <stdio.h>
#include "simd.h"
#if defined(MY_X86)
#include <cpuid.h>
static int has_sse2(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  return (d >> 26) & 1;
}
#endif
const char *pick(void) {
#if defined(MY_X86)
  if (has_sse2()) return "sse2";
#endif
  return "portable";
}
int main(void) {
  int x[4] = {1, 2, 3, 4};
  const char *k = pick();
  printf("%s %d\n", k, k[0] == 's' ? sum4_sse2(x) : sum4_portable(x));
  return 0;
}
"#;

/// Every site of every file rewritten by `recipe`, items before guards, as
/// the plan orders them; the new headers written beside.
fn port(recipe: &dyn Recipe, dir: &Path, files: &[&str]) {
    for name in files {
        let path = dir.join(name);
        for _ in 0..3 {
            let text = std::fs::read_to_string(&path).unwrap();
            let sites = recipe.find_sites(name, &text);
            if sites.is_empty() {
                break;
            }
            let items: Vec<_> = sites.iter().filter(|s| s.kind != "x86-guard").cloned().collect();
            let out = recipe.rewrite(name, &text, if items.is_empty() { &sites } else { &items }).unwrap();
            assert!(out.unmapped.is_empty(), "{name}: {:?}", out.unmapped);
            std::fs::write(&path, &out.text).unwrap();
            for (new, text) in &out.new_files {
                std::fs::write(dir.join(new), text).unwrap();
            }
        }
    }
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("simd.h", HEADER), ("kernels.c", KERNELS), ("dispatch.c", DISPATCH)] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn run_aarch64(dir: &Path) -> String {
    run(Command::new("aarch64-linux-gnu-gcc")
        .args(["-O2", "-Werror=implicit-function-declaration", "-o", "prog-arm", "kernels.c", "dispatch.c"])
        .current_dir(dir));
    run(Command::new("qemu-aarch64").args(["-L", "/usr/aarch64-linux-gnu", "./prog-arm"]).current_dir(dir))
}

#[test]
fn kernels_and_dispatchers_under_a_projects_own_x86_macros_are_chosen_on_aarch64() {
    let base = molt_recipes::load("x86-to-neon").unwrap();
    let dir = project();
    let recipe = base.fit(dir.path()).expect("the project defines x86 macros");
    let files = ["simd.h", "kernels.c", "dispatch.c"];
    port(recipe, dir.path(), &files);
    let header = std::fs::read_to_string(dir.path().join("simd.h")).unwrap();
    // The MSVC arch term stands beside the feature; AVX-512 stays x86's.
    assert!(header.contains("((defined(__SSE2__) || defined(__aarch64__)) || defined(_M_X64))"), "{header}");
    assert!(header.contains("#ifdef __AVX512F__"), "{header}");
    assert!(header.contains("#if (defined(MY_X86) || defined(__aarch64__))"), "{header}");
    for name in files {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(recipe.find_sites(name, &text).is_empty(), "{name} settled:\n{text}");
    }
    assert_eq!(run_aarch64(dir.path()), "sse2 10\n");
    run(Command::new("cc").args(["-O2", "-o", "prog-x86", "kernels.c", "dispatch.c"]).current_dir(dir.path()));
    assert_eq!(run(Command::new("./prog-x86").current_dir(dir.path())), "sse2 10\n");

    // A project without macros of its own needs no fitting.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("k.c"), "#ifdef __SSE2__\n#include <emmintrin.h>\n#endif\n").unwrap();
    assert!(base.fit(plain.path()).is_none());
}

#[test]
fn a_function_that_calls_an_avx512_helper_stays_x86_only_with_it() {
    let text = r#"#include <immintrin.h>
static __m128i rot16(__m128i x) { return _mm_ror_epi32(x, 16); }
static __m128i add(__m128i a, __m128i b) { return _mm_add_epi32(a, b); }
void g(__m128i *row) { *row = rot16(add(*row, *row)); }
int plain(int x) { return x + 1; }
int twice(const int *p) { __m128i v = _mm_loadu_si128((const __m128i *)p); return _mm_cvtsi128_si32(add(v, v)); }
"#;
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let mut text = text.to_owned();
    let mut new_files = Vec::new();
    // Callees first, one item a task, as the plan orders them; the header last.
    for item in ["rot16", "add", "g", "twice", ""] {
        let sites: Vec<_> = recipe
            .find_sites("k.c", &text)
            .into_iter()
            .filter(|s| s.symbol.as_deref().map_or(item.is_empty(), |n| n.ends_with(&format!("::{item}"))))
            .collect();
        let out = recipe.rewrite("k.c", &text, &sites).unwrap();
        assert!(out.unmapped.is_empty(), "{item}: {:?}", out.unmapped);
        text = out.text;
        new_files.extend(out.new_files);
    }
    assert!(recipe.find_sites("k.c", &text).is_empty(), "settled:\n{text}");
    // g calls rot16, kept for x86: g stays with it; add and twice are ported.
    assert_eq!(text.matches("AVX-512 stays x86-only").count(), 2, "{text}");
    let dir = tempfile::tempdir().unwrap();
    let main = "int main(void) { int x[4] = {3}; return twice(x) == 6 ? 0 : 1; }\n";
    std::fs::write(dir.path().join("k.c"), format!("{text}{main}")).unwrap();
    for (name, t) in &new_files {
        std::fs::write(dir.path().join(name), t).unwrap();
    }
    run(Command::new("aarch64-linux-gnu-gcc")
        .args(["-O2", "-Werror=implicit-function-declaration", "-Werror=unused-function", "-o", "k-arm", "k.c"])
        .current_dir(dir.path()));
    run(Command::new("qemu-aarch64").args(["-L", "/usr/aarch64-linux-gnu", "./k-arm"]).current_dir(dir.path()));
}
