//! A template header in the style of libdeflate's `lib/x86/*_template.h`:
//! included twice, once per instruction set, with `SUFFIX`, `ATTRIBUTES`
//! (`__attribute__((target("sse2")))`, then `"avx2"`) and the vector width
//! defined before each inclusion; its functions are named by a macro call,
//! `static forceinline ATTRIBUTES u32 ADD_SUFFIX(sum_bytes)(...)`, and a
//! helper is called through `#define hsum ADD_SUFFIX(hsum)`; a register
//! barrier (`__asm__("" : "+x" (v))`) sits in its loop. An AVX-512 width
//! (`VL == 64`, in macros and in a branch of the helper) stays x86's own
//! without taking the narrower instances' portable path with it. After the
//! recipe's rules, every item is ported (the original kept for x86), the
//! files build with `-Wall -Werror` for x86-64 and aarch64, and both
//! instantiations give the scalar reference's sums, natively and under
//! qemu-aarch64. The template includes the x86 header itself, so the
//! portable headers the port puts there are included once per instance.

mod common;

use std::process::Command;

use common::run;
use molt_core::Site;

/// What the project's common header holds (libdeflate's `lib_common.h`).
const COMMON: &str = r#"#ifndef COMMON_H
#define COMMON_H
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint32_t u32;
#define forceinline inline __attribute__((always_inline))
#define _target_attribute(attrs) __attribute__((target(attrs)))
#define CONCAT_IMPL(a, b) a##b
#define CONCAT(a, b) CONCAT_IMPL(a, b)
#define ADD_SUFFIX(name) CONCAT(name, SUFFIX)
#endif
"#;

/// The template: instantiated once per `SUFFIX`.
const TEMPLATE: &str = r#"/* sum_template.h: instantiated once per SUFFIX, ATTRIBUTES and VL. */
#include <immintrin.h> /* each instance's headers, included as often as it is */
#if VL == 16
#  define vec_t __m128i
#  define VLOADU(p) _mm_loadu_si128((const void *)(p))
#  define VSAD8(a, b) _mm_sad_epu8((a), (b))
#  define VADD64(a, b) _mm_add_epi64((a), (b))
#  define VSETZERO() _mm_setzero_si128()
#elif VL == 64
#  define vec_t __m512i
#  define VLOADU(p) _mm512_loadu_si512((const void *)(p))
#  define VSAD8(a, b) _mm512_sad_epu8((a), (b))
#  define VADD64(a, b) _mm512_add_epi64((a), (b))
#  define VSETZERO() _mm512_setzero_si512()
#elif VL == 32
#  define vec_t __m256i
#  define VLOADU(p) _mm256_loadu_si256((const void *)(p))
#  define VSAD8(a, b) _mm256_sad_epu8((a), (b))
#  define VADD64(a, b) _mm256_add_epi64((a), (b))
#  define VSETZERO() _mm256_setzero_si256()
#else
#  error "unsupported vector length"
#endif

#undef hsum
static forceinline ATTRIBUTES u32
ADD_SUFFIX(hsum)(vec_t v)
{
#if VL == 64
	__m256i y = _mm256_add_epi64(_mm512_extracti64x4_epi64(v, 0), _mm512_extracti64x4_epi64(v, 1));
	__m128i x = _mm_add_epi64(_mm256_castsi256_si128(y), _mm256_extracti128_si256(y, 1));
#elif VL == 32
	__m128i lo = _mm256_castsi256_si128(v);
	__m128i x = _mm_add_epi64(lo, _mm256_extracti128_si256(v, 1));
#else
	__m128i x = v;
#endif
	x = _mm_add_epi64(x, _mm_unpackhi_epi64(x, x));
	return (u32)_mm_cvtsi128_si32(x);
}
#define hsum ADD_SUFFIX(hsum)

static ATTRIBUTES u32
ADD_SUFFIX(sum_bytes)(const u8 *p, size_t len)
{
	vec_t acc = VSETZERO();
	u32 sum = 0;

	for (; len >= VL; len -= VL, p += VL) {
		vec_t data = VLOADU(p);
#if defined(__GNUC__)
		__asm__("" : "+x" (data)); /* keeps the load in a register */
#endif
		acc = VADD64(acc, VSAD8(data, VSETZERO()));
	}
	sum = hsum(acc);
	if (len >= 16) {
		__m128i t = _mm_sad_epu8(_mm_loadu_si128((const void *)p), _mm_setzero_si128());
		sum += (u32)_mm_cvtsi128_si32(_mm_add_epi64(t, _mm_unpackhi_epi64(t, t)));
		len -= 16;
		p += 16;
	}
	while (len--)
		sum += *p++;
	return sum;
}

#undef vec_t
#undef VLOADU
#undef VSAD8
#undef VADD64
#undef VSETZERO
#undef SUFFIX
#undef ATTRIBUTES
#undef VL
"#;

/// The file that instantiates it (libdeflate's `adler32_impl.h`).
const IMPL: &str = r#"#ifndef SUM_IMPL_H
#define SUM_IMPL_H
#include "common.h"
#include <immintrin.h>

#define sum_bytes_sse2 sum_bytes_sse2
#define SUFFIX _sse2
#define ATTRIBUTES _target_attribute("sse2")
#define VL 16
#include "sum_template.h"

#define sum_bytes_avx2 sum_bytes_avx2
#define SUFFIX _avx2
#define ATTRIBUTES _target_attribute("avx2")
#define VL 32
#include "sum_template.h"

#endif
"#;

/// The driver: not ported; on x86 it runs the AVX2 instance only where the CPU has AVX2.
const MAIN: &str = r#"#include <stdio.h>
#include "sum_impl.h"

int main(void)
{
	static u8 buf[1000];
	u32 seed = 12345;
	int sizes[] = {0, 1, 15, 16, 17, 31, 32, 33, 100, 999, 1000};
	for (size_t i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (u8)(seed >> 16);
	}
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		u32 want = 0;
		for (int i = 0; i < sizes[k]; i++)
			want += buf[i];
		int avx2 = 1;
#if defined(__x86_64__) || defined(__i386__)
		avx2 = __builtin_cpu_supports("avx2");
#endif
		u32 a = sum_bytes_sse2(buf, (size_t)sizes[k]);
		u32 b = avx2 ? sum_bytes_avx2(buf, (size_t)sizes[k]) : want;
		if (a != want || b != want) {
			printf("size %d: sse2 %u avx2 %u, want %u\n", sizes[k], a, b, want);
			return 1;
		}
	}
	printf("ok\n");
	return 0;
}
"#;

/// Ports `path`'s text by rules, as the plan does: file-level macros and
/// headers, then items, each a task of its own; every site must be ported.
fn port(recipe: &dyn molt_recipes::Recipe, path: &str, text: &str) -> (String, Vec<(String, String)>) {
    let mut text = text.to_owned();
    let mut new_files = Vec::new();
    let sites = recipe.find_sites(path, &text);
    assert!(!sites.is_empty(), "{path}: no sites");
    let mut tasks: Vec<Vec<Site>> = Vec::new();
    for site in sites {
        match tasks.iter_mut().find(|t| t[0].symbol == site.symbol && (site.symbol.is_some() || t[0].kind == site.kind))
        {
            Some(task) => task.push(site),
            None => tasks.push(vec![site]),
        }
    }
    for task in tasks {
        let symbol = task[0].symbol.clone();
        let sites: Vec<Site> =
            recipe.find_sites(path, &text).into_iter().filter(|s| task.iter().any(|t| same(t, s, &symbol))).collect();
        let done = recipe.rewrite(path, &text, &sites).unwrap_or_else(|e| panic!("{path} {symbol:?}: {e}"));
        assert!(done.unmapped.is_empty(), "{path} {symbol:?}: {:?}", done.unmapped);
        text = done.text;
        new_files.extend(done.new_files);
    }
    assert!(recipe.find_sites(path, &text).is_empty(), "{path}: settled\n{text}");
    (text, new_files)
}

fn same(a: &Site, b: &Site, symbol: &Option<String>) -> bool {
    b.symbol == *symbol && (symbol.is_some() || a.kind == b.kind)
}

#[test]
fn a_template_header_included_twice_is_ported_and_runs_on_both_targets() {
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    // The functions are items named by their macro call, not by `ADD_SUFFIX`.
    let symbols: Vec<String> =
        recipe.find_sites("sum_template.h", TEMPLATE).into_iter().filter_map(|s| s.symbol).collect();
    assert!(symbols.contains(&"sum_template.h::ADD_SUFFIX(hsum)".to_owned()), "{symbols:?}");
    assert!(symbols.contains(&"sum_template.h::ADD_SUFFIX(sum_bytes)".to_owned()), "{symbols:?}");

    let dir = tempfile::tempdir().unwrap();
    let (template, headers) = port(recipe, "sum_template.h", TEMPLATE);
    let (implementation, more) = port(recipe, "sum_impl.h", IMPL);
    // The helper's AVX-512 branch: x86's own; its copy stands for the rest.
    let copy = template.split("ADD_SUFFIX(hsum)(vec_t v)").nth(2).expect("the helper has a portable copy");
    assert!(
        copy.contains(
            "#if VL == 64
	#error \"molt x86-to-neon: AVX-512 stays x86-only"
        ),
        "{copy}"
    );
    for (name, text) in headers.iter().chain(&more) {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("common.h"), COMMON).unwrap();
    std::fs::write(dir.path().join("sum_template.h"), &template).unwrap();
    std::fs::write(dir.path().join("sum_impl.h"), &implementation).unwrap();
    std::fs::write(dir.path().join("main.c"), MAIN).unwrap();

    for (level, bin) in [("-O2", "sum-arm"), ("-O0", "sum-arm-O0")] {
        run(Command::new("aarch64-linux-gnu-gcc")
            .args([level, "-std=gnu11", "-Wall", "-Werror", "-o", bin, "main.c"])
            .current_dir(dir.path()));
        let out = run(Command::new("qemu-aarch64")
            .args(["-L", "/usr/aarch64-linux-gnu", &format!("./{bin}")])
            .current_dir(dir.path()));
        assert_eq!(out, "ok\n", "{level}");
    }
    // Both instances are compiled, to NEON code.
    let asm = run(Command::new("aarch64-linux-gnu-objdump").args(["-d", "sum-arm-O0"]).current_dir(dir.path()));
    for name in ["<sum_bytes_sse2>:", "<sum_bytes_avx2>:"] {
        assert!(asm.contains(name), "no {name} in the aarch64 binary");
    }
    let asm = run(Command::new("aarch64-linux-gnu-objdump").args(["-d", "sum-arm"]).current_dir(dir.path()));
    let vector = regex::Regex::new(r"\bv[0-9]+\.[0-9]*[bhsd]\b").unwrap();
    assert!(asm.lines().filter(|l| vector.is_match(l)).count() > 10, "no NEON vector instructions at -O2");
    run(Command::new("cc")
        .args(["-O2", "-std=gnu11", "-Wall", "-Werror", "-o", "sum-x86", "main.c"])
        .current_dir(dir.path()));
    assert_eq!(run(Command::new("./sum-x86").current_dir(dir.path())), "ok\n");
}
