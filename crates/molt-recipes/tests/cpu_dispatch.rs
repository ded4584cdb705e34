//! CPU dispatchers as real libraries write them (GCC extended asm `cpuid`
//! and `xgetbv` with blake3's 32-bit PIC and MSVC branches, the `xchg ebx`
//! idiom with matching and in-out constraints, `<cpuid.h>`'s
//! `__get_cpuid`, `__get_cpuid_count`, `__get_cpuid_max` and `__cpuid`,
//! `__builtin_cpu_supports`), ported by the recipe's rules alone, built for
//! aarch64 and run under qemu-aarch64: every query answers as the headers
//! implement (AVX2, SSE4.1, BMI2, SSSE3 present, AVX-512 absent), so the
//! dispatcher picks the ported AVX2 kernel; natively the original runs.

mod common;

use std::process::Command;

const PROGRAM: &str = r##"#include <stdio.h>
#include <stdint.h>
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#include <immintrin.h>
#endif

/* blake3's shape: GCC extended asm, the 32-bit PIC variant, MSVC's __cpuidex */
static void cpuidex(uint32_t out[4], uint32_t id, uint32_t sid) {
#if defined(_MSC_VER)
  __cpuidex((int *)out, id, sid);
#elif defined(__i386__) || defined(_M_IX86)
  __asm__ __volatile__("movl %%ebx, %1\n"
                       "cpuid\n"
                       "xchgl %1, %%ebx\n"
                       : "=a"(out[0]), "=r"(out[1]), "=c"(out[2]), "=d"(out[3])
                       : "a"(id), "c"(sid));
#else
  __asm__ __volatile__("cpuid\n"
                       : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
                       : "a"(id), "c"(sid));
#endif
}

static uint64_t xgetbv(void) {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  uint32_t eax = 0, edx = 0;
  __asm__ __volatile__("xgetbv\n" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((uint64_t)edx << 32) | eax;
#endif
}

/* The 32-bit PIC idiom with a matching constraint and an in-out ecx. */
static unsigned pic_ebx(unsigned leaf) {
  unsigned a, b, c = 0, d;
  __asm__("xchgl %%ebx, %k1\n\tcpuid\n\txchgl %%ebx, %k1" : "=a"(a), "=&r"(b), "+c"(c), "=d"(d) : "0"(leaf));
  return b;
}

static int asm_avx2(void) {
  uint32_t r[4];
  cpuidex(r, 1, 0);
  if (!(r[2] & (1u << 27)) || (xgetbv() & 6) != 6 || !(r[2] & (1u << 28)))
    return 0;
  cpuidex(r, 7, 0);
  return (r[1] >> 5) & 1;
}

static int asm_avx512(void) {
  uint32_t r[4];
  cpuidex(r, 7, 0);
  return ((xgetbv() & 0xe0) == 0xe0) && ((r[1] >> 16) & 1);
}

/* <cpuid.h> */
static int gcc_sse41(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d))
    return 0;
  return (c >> 19) & 1;
}

static int gcc_bmi2(void) {
  unsigned a, b, c, d;
  if (__get_cpuid_max(0, 0) < 7)
    return 0;
  __get_cpuid_count(7, 0, &a, &b, &c, &d);
  return (b >> 8) & 1;
}

static int gcc_macro_ssse3(void) {
  unsigned a, b, c, d;
  __cpuid(1, a, b, c, d);
  return (c >> 9) & 1;
}

/* GCC's builtins */
static int builtin_avx2(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int builtin_avx512(void) { return __builtin_cpu_supports("avx512f"); }

static int kernel_sum(const int32_t *p) {
  __m256i v = _mm256_loadu_si256((const __m256i *)p);
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_hadd_epi32(s, s);
  s = _mm_hadd_epi32(s, s);
  return _mm_cvtsi128_si32(s);
}

int main(void) {
  int32_t x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  const char *kernel = asm_avx2() && builtin_avx2() ? "avx2" : "portable";
  printf("asm avx2=%d avx512=%d pic_ebx_nonzero=%d\n", asm_avx2(), asm_avx512(), pic_ebx(0) != 0);
  printf("cpuid.h sse41=%d bmi2=%d ssse3=%d\n", gcc_sse41(), gcc_bmi2(), gcc_macro_ssse3());
  printf("builtin avx2=%d avx512=%d\n", builtin_avx2(), builtin_avx512() != 0);
  printf("kernel %s %d\n", kernel, kernel[0] == 'a' ? kernel_sum(x) : 36);
  return 0;
}
"##;

use common::run;

#[test]
fn dispatchers_are_ported_and_pick_the_ported_kernels_on_aarch64() {
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let sites = recipe.find_sites("prog.c", PROGRAM);
    let cpuid: Vec<&str> = sites.iter().filter(|s| s.kind == "x86-cpuid").map(|s| s.text.as_str()).collect();
    // The asm under the i386 branch is x86's own; the others are sites.
    assert!(cpuid.iter().any(|t| t.starts_with("__builtin_cpu_supports")), "{cpuid:?}");
    assert!(cpuid.iter().any(|t| t.starts_with("__get_cpuid_count")), "{cpuid:?}");
    assert!(sites.iter().all(|s| s.kind != "x86-asm"), "{sites:?}");
    let out = recipe.rewrite("prog.c", PROGRAM, &sites).unwrap();
    assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
    assert!(out.text.contains("molt_cpuid_reg(molt_leaf_, molt_sub_, 1)"), "{}", out.text);
    assert!(out.text.contains("molt_xgetbv((unsigned)(0))"), "{}", out.text);
    assert!(out.text.contains("molt_cpu_supports(\"avx2\")"), "{}", out.text);
    // The x86 originals stay, byte for byte.
    assert!(out.text.contains("\"xchgl %1, %%ebx\\n\""), "{}", out.text);
    assert!(recipe.find_sites("prog.c", &out.text).is_empty(), "settled");

    let dir = tempfile::tempdir().unwrap();
    for (name, text) in &out.new_files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("prog.c"), &out.text).unwrap();
    let want_arm = "asm avx2=1 avx512=0 pic_ebx_nonzero=1\ncpuid.h sse41=1 bmi2=1 ssse3=1\nbuiltin avx2=1 avx512=0\nkernel avx2 36\n";
    for level in ["-O2", "-O0"] {
        run(Command::new("aarch64-linux-gnu-gcc")
            .args([level, "-std=gnu11", "-Wall", "-o", "prog-arm", "prog.c", "-lm"])
            .current_dir(dir.path()));
        let got = run(Command::new("qemu-aarch64")
            .args(["-L", "/usr/aarch64-linux-gnu", "./prog-arm"])
            .current_dir(dir.path()));
        assert_eq!(got, want_arm, "{level}");
    }
    // Natively the x86 original runs: the real CPU's answers.
    run(Command::new("cc").args(["-O2", "-mavx2", "-o", "prog-x86", "prog.c"]).current_dir(dir.path()));
    let native = run(Command::new("./prog-x86").current_dir(dir.path()));
    assert!(native.ends_with(" 36\n"), "{native}");
}
