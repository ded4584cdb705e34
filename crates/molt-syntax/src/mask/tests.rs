use super::*;

/// Masks `text` as C and shows the masked copy (`.` for a masked byte).
fn check(text: &str, expect: &str) {
    let masks = Masks::of(Lang::C, text.as_bytes());
    let mut out = text.as_bytes().to_vec();
    for (start, end) in masks.ranges(text.as_bytes()) {
        out[start..end].fill(b'.');
    }
    assert_eq!(String::from_utf8(out).unwrap(), expect);
}

#[test]
fn well_known_and_defined_prefix_macros_are_masked() {
    check("MEM_STATIC int f(void) { return 1; }", ".......... int f(void) { return 1; }");
    check(
        "#define MY_API __attribute__((visibility(\"default\"))) extern\nMY_API int g(void);\n",
        "#define MY_API __attribute__((visibility(\"default\"))) extern\n...... int g(void);\n",
    );
    // One macro through another, and an empty one.
    check(
        "#define INL_KW inline\n#define MY_INLINE static INL_KW\n#define EXPORTED\nMY_INLINE EXPORTED int h(void);\n",
        "#define INL_KW inline\n#define MY_INLINE static INL_KW\n#define EXPORTED\n......... ........ int h(void);\n",
    );
}

#[test]
fn other_macros_and_directives_are_left_alone() {
    // A value, a type, a function-like macro: not declaration prefixes.
    check(
        "#define N 10\n#define T int\n#define F(x) x\nT N F(1);\n",
        "#define N 10\n#define T int\n#define F(x) x\nT N F(1);\n",
    );
    // A well-known name the file defines to something else is not masked.
    check("#define INLINE 3\nint x = INLINE;\n", "#define INLINE 3\nint x = INLINE;\n");
    // Directive lines (with continuations) are never masked; parts of longer words neither.
    check(
        "#if defined(MEM_STATIC) \\\n  && MEM_STATIC\n#endif\nXMEM_STATIC MEM_STATICS;\n",
        "#if defined(MEM_STATIC) \\\n  && MEM_STATIC\n#endif\nXMEM_STATIC MEM_STATICS;\n",
    );
    assert!(Masks::of(Lang::Python, b"MEM_STATIC = 1").is_empty());
    // A well-known spelling the file uses as a name of its own, not before
    // a declaration, stays.
    check("enum mode { INLINE, BLOCK };\nint m = INLINE;\n", "enum mode { INLINE, BLOCK };\nint m = INLINE;\n");
}

#[test]
fn the_extern_c_idiom_of_c_headers_is_masked_whole() {
    let header =
        "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\nint f(void) { return 0; }\nstatic int g(void) { return 1; }\n\n\
                  #  if defined( __cplusplus )\n  }  /* extern \"C\" */\n#endif\n";
    check(
        header,
        "#ifdef __cplusplus\n............\n#endif\n\nint f(void) { return 0; }\nstatic int g(void) { return 1; }\n\n\
         #  if defined( __cplusplus )\n  ...................\n#endif\n",
    );
    // Without the mask, tree-sitter wraps the header in an ERROR node.
    let parsed = crate::parse(Lang::C, header.as_bytes()).unwrap();
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let index = crate::index_file("h.h", header.as_bytes()).unwrap();
    let names: Vec<&str> = index.items.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["f", "g"]);
    // Anything else under __cplusplus stays: real C++ code, an #else, nesting.
    for other in [
        "#ifdef __cplusplus\nclass A {};\n#endif\n",
        "#ifdef __cplusplus\nextern \"C\" {\n#else\nint x;\n#endif\n",
        "#ifdef __cplusplus\n#if 1\nextern \"C\" {\n#endif\n#endif\n",
        "#ifndef __cplusplus\n}\n#endif\n",
    ] {
        let masked = Masks::of(Lang::C, other.as_bytes()).ranges(other.as_bytes());
        let kept = if other.contains("#else") { masked.len() == 1 } else { masked.is_empty() };
        assert!(kept, "{other:?}: {masked:?}");
    }
}

#[test]
fn comments_inside_a_continued_macro_are_masked() {
    let text =
        "#define ADD(a, b) do { \\\n  int s = a; /* sum |a-b| */   \\\n  s += b;                     \\\n} while (0)\n\
                int f(void) { /* not in a macro */ return 1; }\n#define ONE 1 /* last line */\n";
    check(
        text,
        "#define ADD(a, b) do { \\\n  int s = a; ...............   \\\n  s += b;                     \\\n} while (0)\n\
         int f(void) { /* not in a macro */ return 1; }\n#define ONE 1 /* last line */\n",
    );
    let parsed = crate::parse(Lang::C, text.as_bytes()).unwrap();
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let index = crate::index_file("m.c", text.as_bytes()).unwrap();
    let names: Vec<&str> = index.items.iter().map(|i| i.name.as_str()).collect();
    assert!(names.contains(&"f") && !names.contains(&"s"), "{names:?}");
}

#[test]
fn macros_the_grammar_tells_apart_are_masked_without_a_definition() {
    // Two type candidates before the name: all but the type are macros.
    check(
        "static forceinline ATTRIBUTES u32 f(const u8 *p) { return 0; }\n",
        "static ........... .......... u32 f(const u8 *p) { return 0; }\n",
    );
    check(
        "static MY_INLINE u32\nfoo(void)\n{\n  return 1;\n}\nXXH_FORCE_INLINE xxh_u64 XXH_mult(xxh_u64 a) { return a; }\n",
        "static ......... u32\nfoo(void)\n{\n  return 1;\n}\n................ xxh_u64 XXH_mult(xxh_u64 a) { return a; }\n",
    );
    // A keyword type: every other candidate is a macro, calls included.
    check("TARGET(\"avx2\") static void h(void) {}\n", ".............. static void h(void) {}\n");
    check("static NOINLINE int g(int x);\n", "static ........ int g(int x);\n");
    // One candidate is the type; a macro call alone is the type too.
    for kept in [
        "static u32 f(void) { return 0; }\n",
        "STACK_OF(X509) *certs(void);\n",
        "struct node *next(struct node *n) { return n; }\n",
        "int f(void) { MACRO a b(c); return 0; }\n",
        "std::vector<int> f(void);\n",
        "static const char *names[] = { \"a\" };\n",
        "void (*handler(int sig))(int);\n",
    ] {
        check(kept, kept);
    }
    // A name the file defines to something else is never guessed.
    check(
        "#define u32 unsigned\nINL u32 f(void) { return 0; }\n",
        "#define u32 unsigned\nINL u32 f(void) { return 0; }\n",
    );
    // Defined in the file as another macro's call: what it is, the grammar tells.
    check(
        "#define ATTRIBUTES _target_attribute(\"sse2\")\nstatic forceinline ATTRIBUTES u32 f(void) { return 0; }\n",
        "#define ATTRIBUTES _target_attribute(\"sse2\")\nstatic ........... .......... u32 f(void) { return 0; }\n",
    );
    // The function's name made by a macro call, as template headers
    // included once per instruction set write it: the parameters follow the
    // call, and the prefix macros before it are masked as before.
    check(
        "static forceinline ATTRIBUTES void\nADD_SUFFIX(reduce)(vec_t v, u32 *s1);\nstatic ATTRIBUTES u32\nADD_SUFFIX(adler32_x86)(u32 adler, const u8 *p, size_t len)\n{\n\treturn 0;\n}\n",
        "static ........... .......... void\nADD_SUFFIX(reduce)(vec_t v, u32 *s1);\nstatic .......... u32\nADD_SUFFIX(adler32_x86)(u32 adler, const u8 *p, size_t len)\n{\n\treturn 0;\n}\n",
    );
    check(
        "MY_INLINE u8 *CONCAT(copy, _avx2) (u8 *dst) { return dst; }\n",
        "......... u8 *CONCAT(copy, _avx2) (u8 *dst) { return dst; }\n",
    );
    // And the function is an item of the index, with its macros in its span.
    let text = "static forceinline ATTRIBUTES u32 adler(const u8 *p, size_t n) { return 0; }\n";
    let index = crate::index_file("a.c", text.as_bytes()).unwrap();
    assert!(index.diagnostics.is_empty(), "{:?}", index.diagnostics);
    assert_eq!(index.items[0].name, "adler");
    assert_eq!(index.items[0].span.start, 0);
}
