use super::*;

const KERNEL: &str = r#"/* kernels */
#include <immintrin.h>
#include <math.h>

static inline float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, _MM_SHUFFLE(1, 1, 1, 1)));
    return _mm_cvtss_f32(s);
}

float dot(const float *a, const float *b, int n)
{
    __m256 acc = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8)
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
    float s = hsum(acc);
    for (; i < n; i++)
        s += a[i] * b[i];
    return s;
}

int plain(int x) { return x + 1; }
"#;

fn recipe() -> &'static X86ToNeon {
    X86ToNeon::shared().unwrap()
}

fn kinds(sites: &[Site]) -> Vec<String> {
    sites.iter().map(|s| format!("{}:{} {}", s.line, s.kind, s.symbol.as_deref().unwrap_or("-"))).collect()
}

#[test]
fn finds_headers_types_and_intrinsics_with_their_items() {
    let sites = recipe().find_sites("src/k.c", KERNEL);
    let k = kinds(&sites);
    assert_eq!(k[0], "2:x86-header -");
    assert!(k.contains(&"5:x86-vector-type src/k.c::hsum".to_owned()), "{k:?}");
    assert!(k.contains(&"17:x86-intrinsic src/k.c::dot".to_owned()), "{k:?}");
    assert!(!sites.iter().any(|s| s.symbol.as_deref() == Some("src/k.c::plain")));
    // Not a C file, not a build file: nothing.
    assert!(recipe().find_sites("README.md", KERNEL).is_empty());
}

#[test]
fn rewrite_keeps_x86_and_adds_the_portable_path_then_settles() {
    let sites = recipe().find_sites("src/k.c", KERNEL);
    let out = recipe().rewrite("src/k.c", KERNEL, &sites).unwrap();
    assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
    assert_eq!(out.mapped.len(), sites.len());
    let text = &out.text;
    // The x86 code is still there, byte for byte.
    for item in ["static inline float hsum(__m256 v)", "acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i)"] {
        assert!(text.contains(item), "{item}");
    }
    assert!(text.contains("#include <immintrin.h>\n#elif defined(__aarch64__)\n#include <arm_neon.h>"));
    assert!(text.contains("static inline float hsum(molt_m256 v)"));
    assert!(text.contains("acc = molt_mm256_fmadd_ps(molt_mm256_loadu_ps(a + i), molt_mm256_loadu_ps(b + i), acc);"));
    assert!(text.contains("_MM_SHUFFLE(1, 1, 1, 1)"), "the headers define _MM_SHUFFLE; it stays");
    assert!(text.contains("int plain(int x) { return x + 1; }\n"));
    assert_eq!(text.matches(X86_GUARD).count(), 3);
    assert_eq!(
        out.new_files.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["src/molt_simd_neon.h", "src/molt_simd_scalar.h"]
    );
    // A second run finds nothing left to do (idempotence).
    assert!(recipe().find_sites("src/k.c", text).is_empty(), "{:?}", kinds(&recipe().find_sites("src/k.c", text)));
}

#[test]
fn rewrite_touches_only_the_targeted_items() {
    let sites = recipe().find_sites("src/k.c", KERNEL);
    let dot: Vec<Site> = sites.iter().filter(|s| s.symbol.as_deref() == Some("src/k.c::dot")).cloned().collect();
    let out = recipe().rewrite("src/k.c", KERNEL, &dot).unwrap();
    assert!(out.text.contains("static inline float hsum(__m256 v)\n{"), "hsum untouched");
    assert_eq!(out.text.matches(X86_GUARD).count(), 1);
    assert!(out.new_files.is_empty());
    // What is left is exactly hsum's sites and the header.
    let left = recipe().find_sites("src/k.c", &out.text);
    assert!(left.iter().all(|s| s.symbol.as_deref() != Some("src/k.c::dot")));
    assert!(left.iter().any(|s| s.kind == "x86-header"));
}

#[test]
fn unknown_intrinsics_and_asm_are_left_for_the_model() {
    let src = "#include <immintrin.h>\nvoid f(float *p) { _mm256_stream_ps_nonexistent(p, _mm256_setzero_ps()); }\n\
               int g(void) { int x; __asm__(\"rdtsc\" : \"=a\"(x)); return x; }\n";
    let sites = recipe().find_sites("a.c", src);
    assert!(sites.iter().any(|s| s.kind == "x86-asm" && s.symbol.as_deref() == Some("a.c::g")));
    let targets: Vec<Site> = sites.iter().filter(|s| s.symbol.is_some()).cloned().collect();
    let out = recipe().rewrite("a.c", src, &targets).unwrap();
    assert_eq!(out.text, src, "nothing rewritten");
    let reasons: Vec<&str> = out.unmapped.iter().map(|(_, r)| r.as_str()).collect();
    assert!(reasons.iter().any(|r| r.contains("`_mm256_stream_ps_nonexistent` has no mapping")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("inline assembly")), "{reasons:?}");
    assert!(recipe().instruction("x86-asm").contains("inline assembly"));
}

#[test]
fn mapped_intrinsics_without_the_mm_prefix_are_sites_and_are_renamed() {
    let src = "#include <immintrin.h>\nunsigned f(unsigned a, unsigned m) { return _pdep_u32(a, m) + _lzcnt_u32(a); }\n\
               void g(void) { _MM_SET_ROUNDING_MODE(_MM_ROUND_DOWN); }\nunsigned h(unsigned c) { return _mm_crc32_u8(c, 1); }\n";
    let sites = recipe().find_sites("a.c", src);
    let k = kinds(&sites);
    for item in ["a.c::f", "a.c::g", "a.c::h"] {
        assert!(k.iter().any(|s| s.ends_with(&format!("x86-intrinsic {item}"))), "{item}: {k:?}");
    }
    let out = recipe().rewrite("a.c", src, &sites).unwrap();
    assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
    assert!(out.text.contains("return molt_pdep_u32(a, m) + molt_lzcnt_u32(a);"), "{}", out.text);
    assert!(out.text.contains("molt_MM_SET_ROUNDING_MODE(MOLT_MM_ROUND_DOWN);"), "{}", out.text);
    assert!(recipe().find_sites("a.c", &out.text).is_empty(), "{:?}", kinds(&recipe().find_sites("a.c", &out.text)));
}

#[test]
fn guarded_code_is_not_a_site() {
    let src = "#if defined(__x86_64__) || defined(__i386__)\n#include <immintrin.h>\n\
               float f(__m128 v) { return _mm_cvtss_f32(v); }\n#endif\n\
               #ifdef __AVX2__\nvoid g(void) { _mm256_zeroupper(); }\n#else\nvoid g(void) {}\n#endif\n";
    assert!(recipe().find_sites("a.c", src).is_empty(), "{:?}", kinds(&recipe().find_sites("a.c", src)));
    let bare = "#ifdef __AVX2__\nvoid g(void) { }\n#endif\n";
    assert_eq!(kinds(&recipe().find_sites("a.c", bare)), ["1:x86-guard -"]);
}

/// Regression (real code): debug helpers under `#if 0` were ported, and the
/// tasks that did it committed changes no compiler ever sees.
#[test]
fn code_that_no_compiler_takes_is_not_a_site() {
    let src = "#include <immintrin.h>\n\
               #if 0\nfloat old(__m128 v) { return _mm_cvtss_f32(v); }\n#endif\n\
               #if 1\nfloat live(__m128 v) { return _mm_cvtss_f32(v); }\n#else\nfloat dead(__m128 v) { return _mm_cvtss_f32(v); }\n#endif\n\
               #if 0 && defined(__SSE2__)\nvoid off(void) { _mm_pause(); }\n#elif defined(DEBUG)\nvoid dbg(void) { _mm_pause(); }\n#endif\n";
    let k = kinds(&recipe().find_sites("a.c", src));
    for dead in ["src/x.c::old", "a.c::old", "a.c::dead", "a.c::off"] {
        assert!(!k.iter().any(|s| s.ends_with(dead)), "{dead} is a site: {k:?}");
    }
    for live in ["a.c::live", "a.c::dbg"] {
        assert!(k.iter().any(|s| s.ends_with(live)), "{live} is not a site: {k:?}");
    }
}

#[test]
fn makefile_flags_move_under_a_target_condition() {
    let mk = "CC ?= cc\nCFLAGS = -O2 -Wall -mavx2 -mfma\nLDLIBS = -lm\n\nall: prog\n";
    let sites = recipe().find_sites("Makefile", mk);
    assert_eq!(kinds(&sites), ["2:x86-build-flag -"]);
    let out = recipe().rewrite("Makefile", mk, &sites).unwrap();
    assert_eq!(
        out.text,
        "CC ?= cc\nCFLAGS = -O2 -Wall\n# x86 SIMD flags only where the compiler targets x86 (molt x86-to-neon).\n\
         ifneq ($(filter x86_64% i386% i486% i586% i686% amd64%,$(shell $(CC) -dumpmachine)),)\n\
         CFLAGS += -mavx2 -mfma\nendif\nLDLIBS = -lm\n\nall: prog\n"
    );
    assert!(recipe().find_sites("Makefile", &out.text).is_empty());
    let cmake = "add_compile_options(-Wall -mavx2)\n";
    let out = recipe().rewrite("CMakeLists.txt", cmake, &recipe().find_sites("CMakeLists.txt", cmake)).unwrap();
    assert!(out.text.contains("if(CMAKE_SYSTEM_PROCESSOR MATCHES"), "{}", out.text);
    assert!(recipe().find_sites("CMakeLists.txt", &out.text).is_empty(), "{}", out.text);
}

#[test]
fn the_table_maps_every_intrinsic_the_headers_define() {
    let t = recipe().table();
    assert!(t.intrinsics.len() >= 60, "{}", t.intrinsics.len());
    for i in &t.intrinsics {
        assert!(NEON_HEADER.contains(&i.wrapper), "{} missing from molt_simd_neon.h", i.wrapper);
        assert!(SCALAR_HEADER.contains(&i.wrapper), "{} missing from molt_simd_scalar.h", i.wrapper);
    }
}
