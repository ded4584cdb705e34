use super::*;

fn scan(files: &[(&str, &str)]) -> ProjectMacros {
    let covered: BTreeSet<&str> = ["__SSE__", "__SSE2__", "__SSE4_1__", "__AVX__", "__AVX2__"].into_iter().collect();
    ProjectMacros::scan(files.iter().copied(), &covered)
}

#[test]
fn macros_defined_for_x86_only_are_found_across_files_and_through_each_other() {
    let header = "#ifndef IMPL_H\n#define IMPL_H\n\
        #if defined(__x86_64__) || defined(_M_X64)\n#define IS_X86\n#define IS_X86_64\n#endif\n\
        #if defined(__aarch64__) || defined(_M_ARM64)\n#define IS_AARCH64\n#endif\n\
        #if defined(IS_X86)\n#define HAVE_DISPATCH 1\n#endif\n\
        #ifdef IS_AARCH64\n#define USE_NEON 1\n#else\n#define USE_NEON 0\n#endif\n#endif\n";
    let simd = "#ifndef NO_MANUAL_VECTORIZATION\n\
        #if (defined(__SSE__) || _M_IX86_FP > 0 || defined(_M_AMD64) || defined(_M_X64))\n\
        #define USE_SSE\n#ifdef __AVX__\n#define USE_AVX\n#ifdef __AVX512F__\n#define USE_AVX512\n#endif\n#endif\n#endif\n#endif\n\
        /* #define NOT_A_DEFINITION */\n#if defined(__SSE2__) || \\\n    defined(_MSC_VER)\n#define MAYBE_SSE2\n#endif\n";
    let m = scan(&[("c/impl.h", header), ("hnsw/simd.hpp", simd), ("README.md", "#define IS_README\n")]);
    let x86: Vec<(&str, bool)> = m.x86.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    assert_eq!(
        x86,
        [
            ("HAVE_DISPATCH", true),
            ("IS_X86", true),
            ("IS_X86_64", true),
            ("USE_AVX", true),
            ("USE_AVX512", false),
            ("USE_SSE", true)
        ]
    );
    // `_MSC_VER` may be an aarch64 compiler too: MAYBE_SSE2 is not x86's alone.
    assert!(!m.x86.contains_key("MAYBE_SSE2"));
    // A `0` definition is none: USE_NEON is defined (as 1) only for aarch64.
    assert_eq!(m.other.iter().map(String::as_str).collect::<Vec<_>>(), ["IS_AARCH64", "USE_NEON"]);
}

#[test]
fn configuration_macros_and_header_guards_are_not_target_macros() {
    let text = "#ifndef LIB_H\n#define LIB_H\n#ifdef ENABLE_SIMD\n#define SIMD_WIDTH 16\n#endif\n\
        #if 0\n#define DEAD 1\n#endif\n#define ALWAYS 1\n#endif\n";
    assert!(scan(&[("lib.h", text)]).is_empty());
}

#[test]
fn a_name_also_defined_for_other_targets_is_not_x86s() {
    let text = "#if defined(__SSE2__)\n#define HAVE_VEC 1\n#elif defined(__ARM_NEON)\n#define HAVE_VEC 1\n#endif\n";
    assert!(scan(&[("v.h", text)]).is_empty());
}

#[test]
fn code_that_neither_target_compiles_is_not_a_site() {
    // libwebp's shape: MIPS assembly under a macro cpu.h defines for MIPS alone.
    let cpu = "#if defined(__mips__) && !defined(__mips64)\n#define USE_MIPS32\n#endif\n\
               #if defined(__SSE2__)\n#define USE_SSE2\n#endif\n";
    let code = "#include \"cpu.h\"\n#include <emmintrin.h>\n\
        static unsigned swap(unsigned x) {\n#if defined(USE_MIPS32)\n  unsigned r;\n  __asm__ volatile(\"wsbh %0, %1\" : \"=r\"(r) : \"r\"(x));\n  return r;\n\
        #elif defined(__GNUC__)\n  return __builtin_bswap32(x);\n#else\n  return _mm_cvtsi128_si32(_mm_cvtsi32_si128((int)x));\n#endif\n}\n";
    let project = scan(&[("cpu.h", cpu), ("k.c", code)]);
    assert_eq!(project.neither.iter().map(String::as_str).collect::<Vec<_>>(), ["USE_MIPS32"]);
    let recipe = crate::x86_to_neon::X86ToNeon::new().unwrap().with_project(project);
    let sites = crate::Recipe::find_sites(&recipe, "k.c", code);
    let kinds: Vec<&str> = sites.iter().map(|s| s.kind.as_str()).collect();
    // The MIPS asm is no site; `__GNUC__` is the compiler, not the target,
    // so the `#else` (MSVC's way) is still ported.
    assert!(!kinds.contains(&"x86-asm"), "{sites:?}");
    assert!(kinds.contains(&"x86-intrinsic"), "{sites:?}");
    let out = crate::Recipe::rewrite(&recipe, "k.c", code, &sites).unwrap();
    assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
}

#[test]
fn a_copy_reads_x86_64_tests_as_64_bit_unless_the_branch_is_assembly_or_another_arch_has_one() {
    // zstd's shape: `_bzhi_u64` on x86-64, else a path for 32-bit words.
    let code = "#include <immintrin.h>\n#include <stdint.h>\n\
        uint64_t low(uint64_t x, unsigned n) {\n#if defined(__x86_64__) || defined(_M_X64)\n  return _bzhi_u64(x, n);\n\
        #else\n  return (uint32_t)_bzhi_u32((uint32_t)x, n);\n#endif\n}\n\
        uint64_t swap(uint64_t x) {\n  (void)_mm_setzero_si128();\n#if defined(__x86_64__)\n  __asm__(\"bswapq %0\" : \"+r\"(x));\n  return x;\n#else\n  return __builtin_bswap64(x);\n#endif\n}\n\
        int path(void) {\n  (void)_mm_setzero_si128();\n#if defined(__x86_64__)\n  return 1;\n#elif defined(__aarch64__)\n  return 2;\n#endif\n}\n";
    let recipe = crate::x86_to_neon::X86ToNeon::new().unwrap();
    let sites = crate::Recipe::find_sites(&recipe, "k.c", code);
    let out = crate::Recipe::rewrite(&recipe, "k.c", code, &sites).unwrap();
    assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
    let copy = |name: &str| {
        let at =
            out.text.rfind(&format!("uint64_t {name}(")).or_else(|| out.text.rfind(&format!("int {name}("))).unwrap();
        out.text[at..].split("\n}\n").next().unwrap().to_owned()
    };
    assert!(
        copy("low")
            .contains("#if (defined(__x86_64__) || defined(__aarch64__)) || (defined(_M_X64) || defined(__aarch64__))"),
        "{}",
        out.text
    );
    assert!(copy("swap").contains("#if defined(__x86_64__)\n"), "assembly stays x86's: {}", out.text);
    assert!(copy("path").contains("#if defined(__x86_64__)\n"), "aarch64 has its own branch: {}", out.text);
}
