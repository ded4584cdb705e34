use super::rewrite::splices_parse_alone;
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
fn code_x86_keeps_for_itself_is_not_a_site_but_feature_guarded_code_is() {
    // The architecture's own branch, and a feature the table does not provide.
    let src = "#if defined(__x86_64__) || defined(__i386__)\n#include <immintrin.h>\n\
               float f(__m128 v) { return _mm_cvtss_f32(v); }\n#endif\n\
               #ifdef __AVX512F__\nvoid g(void) { _mm512_foo(); }\n#endif\n\
               #if defined(__AVX2__) && defined(__x86_64__)\nvoid h(void) { _mm256_zeroupper(); }\n#endif\n";
    assert!(recipe().find_sites("a.c", src).is_empty(), "{:?}", kinds(&recipe().find_sites("a.c", src)));
    // A feature the port provides: the code is ported and its guards,
    // #ifndef and #elif included, are file-level sites.
    let src = "#ifdef __AVX2__\nvoid g(void) { _mm256_zeroupper(); }\n#elif defined(__SSE2__) && !defined(NO_SIMD)\n\
               void g(void) {}\n#endif\n#ifndef __AVX2__\nint no_avx2;\n#endif\n";
    assert_eq!(
        kinds(&recipe().find_sites("a.c", src)),
        ["1:x86-guard -", "2:x86-intrinsic a.c::g", "3:x86-guard -", "6:x86-guard -"]
    );
}

#[test]
fn feature_guards_widen_to_aarch64_only_once_the_file_is_ported() {
    let src = "#ifdef __AVX2__\nvoid g(void) { _mm256_zeroupper(); }\n#elif defined(__SSE2__) && !defined(NO_SIMD)\n\
               void g(void) {}\n#endif\n#ifndef __AVX2__\nint no_avx2;\n#endif\n\
               int f(void) {\n#if __AVX2__ /* bare */\n  return 2;\n#else\n  return 0;\n#endif\n}\n";
    let sites = recipe().find_sites("a.c", src);
    let guards: Vec<Site> = sites.iter().filter(|s| s.kind == "x86-guard" && s.symbol.is_none()).cloned().collect();
    // Guards first: refused, naming what is left to port.
    let early = recipe().rewrite("a.c", src, &guards).unwrap();
    assert_eq!(early.text, src);
    assert_eq!(early.unmapped.len(), 3);
    assert!(early.unmapped[0].1.contains("still x86 here: `_mm256_zeroupper()` (line 2)"), "{}", early.unmapped[0].1);
    // Items, then guards, as the plan orders them.
    let items: Vec<Site> = sites.iter().filter(|s| s.symbol.is_some()).cloned().collect();
    let first = recipe().rewrite("a.c", src, &items).unwrap();
    assert!(first.unmapped.is_empty(), "{:?}", first.unmapped);
    // The guard inside f is widened in f's portable copy only.
    assert!(first.text.contains("#else /* aarch64"), "{}", first.text);
    assert!(first.text.contains("#if (__AVX2__ || defined(__aarch64__)) /* bare */"), "{}", first.text);
    assert!(first.text.contains("#if __AVX2__ /* bare */"), "the x86 copy is kept: {}", first.text);
    let left = recipe().find_sites("a.c", &first.text);
    assert_eq!(kinds(&left), ["1:x86-guard -", "7:x86-guard -", "10:x86-guard -"]);
    let second = recipe().rewrite("a.c", &first.text, &left).unwrap();
    assert!(second.unmapped.is_empty(), "{:?}", second.unmapped);
    let text = &second.text;
    assert!(text.starts_with("#if defined(__AVX2__) || defined(__aarch64__)\n#if defined(__x86_64__)"), "{text}");
    assert!(
        text.contains("#elif (defined(__SSE2__) || defined(__aarch64__)) && !defined(NO_SIMD)\n"),
        "NO_SIMD is not a feature and stays: {text}"
    );
    assert!(text.contains("#if !(defined(__AVX2__) || defined(__aarch64__))\nint no_avx2;"), "{text}");
    // Settled: nothing is left, and a second run changes nothing.
    assert!(recipe().find_sites("a.c", text).is_empty(), "{:?}", kinds(&recipe().find_sites("a.c", text)));
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
        assert!(neon_header().contains(&i.wrapper), "{} missing from molt_simd_neon.h", i.wrapper);
        assert!(scalar_header().contains(&i.wrapper), "{} missing from molt_simd_scalar.h", i.wrapper);
    }
}

/// Regression (zstd): the x86 includes of a file were merged into one block
/// at the first one, which sat in an MSVC-only branch, so gcc on x86 lost
/// `<emmintrin.h>` and the x86 build broke.
#[test]
fn includes_in_different_branches_each_keep_their_place() {
    let src = "#if defined(_MSC_VER)\n#  include <mmintrin.h>   /* for _mm_prefetch */\n#endif\n\
               #if defined(__SSE2__)\n#  include <immintrin.h>\n\n/* and */\n#  include <emmintrin.h>\n#endif\n";
    let sites = recipe().find_sites("c.h", src);
    let out = recipe().rewrite("c.h", src, &sites).unwrap();
    let text = &out.text;
    let msvc = text.find("#if defined(_MSC_VER)").unwrap();
    // (The guard is widened too: nothing else in the file is left to port.)
    let sse2 = text.find("#if (defined(__SSE2__) || defined(__aarch64__))").expect(text);
    let mm = text.find("#include <mmintrin.h>").unwrap();
    let imm = text.find("#include <immintrin.h>").unwrap();
    let emm = text.find("#include <emmintrin.h>").unwrap();
    assert!(msvc < mm && mm < sse2, "mmintrin.h stays in the MSVC branch: {text}");
    assert!(sse2 < imm && imm < emm, "immintrin.h and emmintrin.h share the SSE2 branch's block: {text}");
    assert_eq!(text.matches("#include \"molt_simd_neon.h\"").count(), 2, "{text}");
}

/// Real code declares kernels behind macros (`INLINE`, `MEM_STATIC`) and
/// writes multi-line macros with comments in them (libwebp): the recipe
/// parses as molt-syntax does, so such items are ported with their macros
/// in both copies, and nothing lands inside a macro's body.
#[test]
fn declaration_macros_and_macro_comments_do_not_break_the_rewrite() {
    let src = "#include <emmintrin.h>\n#define INLINE static inline __attribute__((always_inline))\n\
               #define ADD4(o, a, b) do {   \\\n  const __m128i s = _mm_add_epi32(a, b); /* sum |a+b| */ \\\n  \
               const __m128i t = _mm_add_epi32(s, b);                 \\\n  (o) = t;                         \\\n} while (0)\n\
               INLINE __m128i twice(__m128i v) { return _mm_add_epi32(v, v); }\n\
               static double ratio(const int *p) { return (double)_mm_cvtsi128_si32(_mm_loadu_si128((const __m128i *)p)); }\n";
    let sites = recipe().find_sites("k.c", src);
    let k = kinds(&sites);
    assert!(k.contains(&"8:x86-intrinsic k.c::twice".to_owned()), "{k:?}");
    assert!(k.contains(&"9:x86-intrinsic k.c::ratio".to_owned()), "{k:?}");
    assert!(k.contains(&"3:x86-macro -".to_owned()) || k.iter().any(|s| s.starts_with("3:x86-macro")), "{k:?}");
    assert!(!k.iter().any(|s| s.starts_with("4:") || s.starts_with("5:")), "no site inside the macro's body: {k:?}");
    let items: Vec<Site> = sites.iter().filter(|s| s.symbol.is_some()).cloned().collect();
    let out = recipe().rewrite("k.c", src, &items).unwrap();
    assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
    let text = &out.text;
    assert!(text.contains("#if defined(__x86_64__) || defined(__i386__)\nINLINE __m128i twice(__m128i v)"), "{text}");
    assert!(text.contains("#else /* aarch64"), "{text}");
    assert!(text.contains("\nINLINE molt_m128i twice(molt_m128i v) { return molt_mm_add_epi32(v, v); }"), "{text}");
    assert!(text.contains("\nstatic double ratio(const int *p)"), "{text}");
    assert!(text.contains("#define ADD4(o, a, b) do {   \\\n  const __m128i s"), "the macro is untouched: {text}");
}

/// Real code (blake3) defines its own helpers with x86-looking names
/// (`_mm_shuffle_ps2`) as macros over intrinsics: the macro is kept for x86
/// and translated for the rest, and the functions that use it port.
#[test]
fn macros_over_intrinsics_are_translated_and_their_users_port() {
    let src = "#include <emmintrin.h>\n\
               #define _mm_shuffle_ps2(a, b, c) \\\n  (_mm_castps_si128(_mm_shuffle_ps(_mm_castsi128_ps(a), _mm_castsi128_ps(b), (c)))) /* \"_mm_x\" */\n\
               #define LOADU(p) _mm_loadu_si128((const __m128i *)(p))\n\
               #define GATHER(p) _mm_unmapped_epi32(p)\n\
               __m128i mix(const void *p) { return _mm_shuffle_ps2(LOADU(p), LOADU(p), 0x44); }\n";
    let sites = recipe().find_sites("b.c", src);
    let macros: Vec<&Site> = sites.iter().filter(|s| s.kind == "x86-macro").collect();
    assert_eq!(macros.len(), 3, "{:?}", kinds(&sites));
    let out = recipe().rewrite("b.c", src, &sites).unwrap();
    let text = &out.text;
    assert!(
        text.contains("#else /* aarch64: NEON via molt_simd_neon.h; other targets: portable C via molt_simd_scalar.h */\n\
                       #define _mm_shuffle_ps2(a, b, c) \\\n  (molt_mm_castps_si128(molt_mm_shuffle_ps(molt_mm_castsi128_ps(a), molt_mm_castsi128_ps(b), (c)))) /* \"_mm_x\" */\n#endif\n"),
        "{text}"
    );
    assert!(text.contains("#define LOADU(p) molt_mm_loadu_si128((const molt_m128i *)(p))\n#endif\n"), "{text}");
    assert!(
        text.contains("molt_m128i mix(const void *p) { return _mm_shuffle_ps2(LOADU(p), LOADU(p), 0x44); }"),
        "{text}"
    );
    // An intrinsic without a mapping leaves its macro (only) for the model
    // (an AVX-512 one would keep it for x86 alone).
    let left: Vec<&str> = out
        .unmapped
        .iter()
        .map(|(s, why)| if why.contains("_mm_unmapped_epi32") { s.kind.as_str() } else { "?" })
        .collect();
    assert!(left.iter().all(|k| *k == "x86-macro") && !left.is_empty(), "{:?}", out.unmapped);
    assert!(
        text.contains("#define GATHER(p) _mm_unmapped_epi32(p)\n__m128i")
            || text.contains("#define GATHER(p) _mm_unmapped_epi32(p)\n#if"),
        "{text}"
    );
}

#[test]
fn a_splice_is_judged_alone_against_the_text_it_replaces() {
    let text = "int f(void) { return 1; }\nint g(int WEIRD x) { return x; }\n";
    let f_end = text.find('\n').unwrap();
    let g = (f_end + 1, text.len());
    let wrap = |s: &str| format!("#if defined(__x86_64__)\n{s}#else\n{s}#endif\n");
    // The copy repeats g's own error: fine.
    assert!(splices_parse_alone(Dialect::C, text, &[(g.0, g.1, wrap(&text[g.0..g.1]))]));
    // A copy that loses a brace is a break.
    let broken = wrap("int f(void) { return 1;\n");
    assert!(!splices_parse_alone(Dialect::C, text, &[(0, f_end + 1, broken)]));
}

#[test]
fn the_headers_molt_writes_are_whole() {
    for h in [neon_header(), scalar_header()] {
        assert!(!h.contains("#include \"molt_simd_derived.h\""), "the shared part is written in");
        assert!(h.contains("molt_mm256_zeroall"), "the shared part is there");
    }
}

/// An `asm` with no instructions whose operands pin vectors to x86 register
/// classes (libdeflate's workaround for a GCC bug) is no reason to leave an
/// item: the copy goes without it. A memory barrier with no operands means
/// the same everywhere and stays; real assembly is still left for the model.
#[test]
fn empty_asm_barriers_do_not_stop_an_item() {
    let src = "#include <immintrin.h>\nvoid f(__m128i *p) {\n  __m128i v = _mm_loadu_si128(p);\n  __asm__(\"\" : \"+x\" (v));\n  __asm__ volatile(\"\" ::: \"memory\");\n  _mm_storeu_si128(p, v);\n}\n";
    let sites = recipe().find_sites("a.c", src);
    let targets: Vec<Site> = sites.iter().filter(|s| s.symbol.is_some()).cloned().collect();
    let out = recipe().rewrite("a.c", src, &targets).unwrap();
    assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
    let copy = out.text.split("#else").nth(1).unwrap();
    assert!(copy.contains("(void)0;") && !copy.contains("\"+x\""), "{copy}");
    assert!(copy.contains("__asm__ volatile(\"\" ::: \"memory\");"), "{copy}");
    assert!(out.text.contains("__asm__(\"\" : \"+x\" (v));"), "the x86 original keeps it");
}

/// A template's macros for each vector width: the AVX-512 one is kept for
/// x86 alone, as AVX-512 items are, so that it does not leave the file's
/// other macros unported; a macro with another unmapped name still is left.
#[test]
fn avx512_macros_stay_x86_only_and_the_others_are_ported() {
    let src = "#if VL == 16\n#  define VADD8(a, b) _mm_add_epi8((a), (b))\n#elif VL == 64\n#  define VADD8(a, b) _mm512_add_epi8((a), (b))\n#endif\n";
    let sites = recipe().find_sites("t.h", src);
    assert_eq!(sites.iter().filter(|s| s.kind == "x86-macro").count(), 2, "{sites:?}");
    let out = recipe().rewrite("t.h", src, &sites).unwrap();
    assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
    assert!(out.text.contains("#else /* aarch64"), "{}", out.text);
    assert!(out.text.contains("#  define VADD8(a, b) molt_mm_add_epi8((a), (b))"), "{}", out.text);
    let wide = out.text.split("#elif VL == 64").nth(1).unwrap();
    assert!(wide.contains("AVX-512 stays x86-only") && !wide.contains("#else /* aarch64"), "{wide}");
    assert!(recipe().find_sites("t.h", &out.text).is_empty(), "settled: {}", out.text);

    let mixed = "#define VDOT(a, b) _mm_nonexistent_epi32(_mm512_castsi512_si128(a), (b))\n";
    let out = recipe().rewrite("t.h", mixed, &recipe().find_sites("t.h", mixed)).unwrap();
    assert_eq!(out.unmapped.len(), 1, "{:?}", out.unmapped);
}

/// Arm assembly (a library's Arm path, in a header shared with its x86
/// one) is no x86 site; x86 assembly still is.
#[test]
fn arm_assembly_is_no_x86_site() {
    for arm in [
        "__asm__(\"pmull2 %0.1q, %1.2d, %2.2d\" : \"=w\" (res) : \"w\" (a), \"w\" (b));",
        "__asm__(\"rbit %w0, %w1\" : \"=r\" (v) : \"r\" (v));",
        "__asm__ volatile(\"dmb ish\" ::: \"memory\");",
    ] {
        let src = format!("static unsigned f(unsigned v) {{\n  {arm}\n  return v;\n}}\n");
        assert!(recipe().find_sites("a.h", &src).is_empty(), "{arm}");
    }
    for x86 in ["__asm__(\"bsr %1, %0\" : \"=r\" (v) : \"r\" (v));", "__asm__ volatile(\"pause\");"] {
        let src = format!("static unsigned f(unsigned v) {{\n  {x86}\n  return v;\n}}\n");
        assert!(recipe().find_sites("a.h", &src).iter().any(|s| s.kind == "x86-asm"), "{x86}");
    }
}
