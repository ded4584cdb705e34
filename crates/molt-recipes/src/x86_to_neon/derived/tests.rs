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
