//! A kernel that a library compiles only under `#if defined(__SSE2__)`, with
//! an `abort()` stub in the `#else` and a dispatcher that asks `__SSE2__`
//! too: the shape that left real libraries unported. After the recipe's
//! rules (items first, then the file's guards, as the plan orders them), the
//! file must build for aarch64 with aarch64-linux-gnu-gcc and, run under
//! qemu-aarch64, choose and run the ported kernel, not the stub; natively it
//! must give the same answer through the original SSE2 code.

mod common;

use std::process::Command;

use molt_core::Site;

const LIBRARY: &str = r#"#include <stdio.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#if defined(__SSE2__)
static int sum4(const int *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(v);
}
#else
static int sum4(const int *p)
{
    (void)p;
    abort(); /* this library has no portable path */
}
#endif

static const char *kernel_name(void)
{
#ifdef __SSE2__
    return "simd";
#else
    return "none";
#endif
}

int main(void)
{
    int a[4] = {1, 20, 300, 4000};
    printf("%s %d\n", kernel_name(), sum4(a));
    return 0;
}
"#;

use common::run;

/// The ported text, and the headers the rules write beside it.
fn port(text: &str) -> (String, Vec<(String, String)>) {
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    // Items and headers first.
    let sites = recipe.find_sites("lib.c", text);
    let first: Vec<Site> = sites.iter().filter(|s| s.kind != "x86-guard" || s.symbol.is_some()).cloned().collect();
    let items = recipe.rewrite("lib.c", text, &first).unwrap();
    assert!(items.unmapped.is_empty(), "{:?}", items.unmapped);
    // Then the guards.
    let guards = recipe.find_sites("lib.c", &items.text);
    assert!(guards.iter().all(|s| s.kind == "x86-guard" && s.symbol.is_none()), "{guards:?}");
    assert_eq!(guards.len(), 2, "{guards:?}");
    let done = recipe.rewrite("lib.c", &items.text, &guards).unwrap();
    assert!(done.unmapped.is_empty(), "{:?}", done.unmapped);
    assert!(recipe.find_sites("lib.c", &done.text).is_empty(), "settled");
    (done.text, items.new_files)
}

#[test]
fn a_kernel_under_a_feature_guard_is_ported_and_chosen_on_aarch64() {
    let (ported, headers) = port(LIBRARY);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(headers.len(), 2, "{:?}", headers.iter().map(|h| &h.0).collect::<Vec<_>>());
    for (name, text) in &headers {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("lib.c"), &ported).unwrap();
    std::fs::write(dir.path().join("orig.c"), LIBRARY).unwrap();

    // Before the port, aarch64 gets the stub and aborts.
    run(Command::new("aarch64-linux-gnu-gcc").args(["-O2", "-o", "orig-arm", "orig.c"]).current_dir(dir.path()));
    let before = Command::new("qemu-aarch64")
        .args(["-L", "/usr/aarch64-linux-gnu", "./orig-arm"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!before.status.success(), "the original aborts on aarch64");

    for (level, bin) in [("-O2", "lib-arm"), ("-O0", "lib-arm-O0")] {
        run(Command::new("aarch64-linux-gnu-gcc")
            .args([level, "-std=c11", "-Wall", "-Werror", "-o", bin, "lib.c", "-lm"])
            .current_dir(dir.path()));
        let out = run(Command::new("qemu-aarch64")
            .args(["-L", "/usr/aarch64-linux-gnu", &format!("./{bin}")])
            .current_dir(dir.path()));
        assert_eq!(out, "simd 4321\n", "{level}");
        // The ported kernel is NEON code: the binary holds vector adds.
        let asm = run(Command::new("aarch64-linux-gnu-objdump").args(["-d", bin]).current_dir(dir.path()));
        assert!(asm.contains("add\tv"), "no NEON vector add in the aarch64 binary at {level}");
    }
    run(Command::new("cc")
        .args(["-O2", "-std=c11", "-Wall", "-Werror", "-o", "lib-x86", "lib.c"])
        .current_dir(dir.path()));
    assert_eq!(run(Command::new("./lib-x86").current_dir(dir.path())), "simd 4321\n");
}
