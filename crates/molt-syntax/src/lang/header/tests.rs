use super::is_cpp_header;

fn check(text: &str, cpp: bool) {
    assert_eq!(is_cpp_header(text.as_bytes()), cpp, "is_cpp_header({text:?})");
}

#[test]
fn cpp_constructs_make_a_header_cpp() {
    check("#pragma once\nnamespace hnswlib {\nint f();\n}\n", true);
    check("namespace {\nint f();\n}\n", true);
    check("using namespace std;\n", true);
    check("namespace fs = std::filesystem;\n", true);
    check("template <typename T>\nT max(T a, T b);\n", true);
    check("template<class T> struct S;\n", true);
    check("class Space : public Base {\n};\n", true);
    check("class Space {\n  int x;\n};\n", true);
    check("class Leaf final {\n};\n", true);
    check("enum class Color { Red };\n", true);
    check("extern \"C++\" {\nint f(int);\n}\n", true);
}

/// One lesser sign is not enough: a C header may name one C++ type in a
/// block whose condition comes from another header; two are.
#[test]
fn lesser_signs_decide_in_pairs() {
    check("static float f(std::vector<float> &v);\n", false);
    check("static float f(std::vector<float> &v, std::size_t n);\n", true);
    check("static float f(float *v) { return ::g(v) + ::h(v); }\n", true);
    // Only C++ compiles a bare `extern "C"`.
    check("extern \"C\" {\nint f(int);\n}\n", false);
    check("extern \"C\" {\nint f(int);\n}\nint *p = static_cast<int *>(q);\n", true);
    check("typedef decltype(f()) r;\nint *p = reinterpret_cast<int *>(q);\n", true);
}

#[test]
fn cpp_includes_make_a_header_cpp() {
    check("#include <queue>\nint f(void);\n", true);
    check("#  include <cstdint>\n", true);
    check("#include \"space_l2.hpp\"\n", true);
    check("#include <experimental/optional>\n", true);
}

#[test]
fn c_headers_stay_c() {
    check("#include <stdint.h>\n#include \"k.h\"\nstatic inline int f(int class_) { return class_; }\n", false);
    // The usual guard of a header written for C and C++ alike.
    check("#ifdef __cplusplus\nextern \"C\" {\n#endif\nint f(void);\n#ifdef __cplusplus\n}\n#endif\n", false);
    check("#if defined(__cplusplus) && __cplusplus >= 201103L\ntemplate <class T> T g(T);\n#endif\n", false);
    check("#if defined(_WIN32)\nint w;\n#elif defined(__cplusplus)\nnamespace x {}\n#else\nint y;\n#endif\n", false);
    // A macro defined only for C++ compilers asks the same question (glibc's string.h).
    check(
        "#if defined __cplusplus && X\n# define CPP_PROTO\n#endif\n#ifdef CPP_PROTO\nextern \"C++\" int *f(int *);\n#endif\n",
        false,
    );
    check("#ifdef __cplusplus\n# define CPP_PROTO_2\n#endif\n#ifdef CPP_PROTO\nnamespace n {}\n#endif\n", true);
    // C words that C++ reserves, used as names.
    check("struct s { int class; int template; };\nint namespace;\nchar *new, *this;\n", false);
    // C23 attributes are the one place C writes `::`.
    check("[[gnu::always_inline]] static inline int f(void);\n", false);
    // Comments, literals and macro bodies are not code.
    check("/* namespace x { */\n// class C {\nconst char *s = \"std::vector\";\nint c = ':';\n", false);
    check("#define ERR std::cerr\n#define T template <class X>\nint f(void);\n", false);
    check("#define LONG(x) \\\n  namespace x { }\nint f(void);\n", false);
    check("// a comment \\\n  namespace x {\nint f(void);\n", false);
    check("#if A /* a comment that goes on\n   namespace x { */\nint f(void);\n#endif\n", false);
    check("int a = 1'000 + sizeof(\"::\");\n", false);
    // GCC's extended assembly: `::` between empty operand lists.
    check(
        "static inline void f(void) { __asm__ volatile(\"\" ::: \"memory\"); asm(\"x\" : : \"r\"(a) :: \"cc\"); }\n",
        false,
    );
    check("", false);
}

/// A `#if` opened inside a guarded block is closed by its own `#endif`,
/// not the guard's: what follows the guard counts again.
#[test]
fn guards_nest() {
    check("#ifdef __cplusplus\n#if X\n#endif\nextern \"C\" {\n#endif\nnamespace n {}\n", true);
    check("#ifdef __cplusplus\n#if X\nnamespace n {}\n#endif\n#endif\nint f(void);\n", false);
}
