use super::*;

#[test]
fn a_cpp_header_named_h_is_read_as_cpp_and_a_c_header_as_c() {
    let cpp =
        "#pragma once\n#include <queue>\nnamespace space {\ntemplate<typename T>\nclass L2 : public Base<T> {\n};\n}\n";
    assert_eq!(Dialect::of_source("lib/space_l2.h", cpp), Some(Dialect::Cpp));
    let c = "#ifdef __cplusplus\nextern \"C\" {\n#endif\n#include <stdint.h>\nstruct s; class_t f(void);\n#ifdef __cplusplus\n}\n#endif\n";
    assert_eq!(Dialect::of_source("lib/k.h", c), Some(Dialect::C));
    // The extension decides for sources: a `.c` file stays C.
    assert_eq!(Dialect::of_source("lib/k.c", cpp), Some(Dialect::C));
    assert_eq!(Dialect::of_source("lib/k.hpp", c), Some(Dialect::Cpp));
}

/// In a C++ header, each kernel inside a namespace and a class is an item of
/// its own, as tree-sitter-cpp reads it (tree-sitter-c would not).
#[test]
fn items_of_a_cpp_header_are_found_inside_namespaces() {
    let text = "#include <vector>\nnamespace hn {\nstatic float dist(const float *a) {\n  __m128 v = _mm_loadu_ps(a);\n  return _mm_cvtss_f32(v);\n}\n}\n";
    let dialect = Dialect::of_source("x/space.h", text).unwrap();
    let tree = parse(dialect, text).unwrap();
    let at = text.find("_mm_loadu_ps").unwrap();
    let node = tree.root_node().descendant_for_byte_range(at, at + 4).unwrap();
    let item = enclosing_item(node).expect("the function is an item");
    assert_eq!(item.kind(), "function_definition");
    assert_eq!(item_name(item, text).as_deref(), Some("dist"));
}

/// A method defined in a class template's body is the item, not the class.
#[test]
fn a_method_in_a_class_body_is_an_item_of_its_own() {
    let text = "namespace hn {\ntemplate<typename T>\nclass Index {\n public:\n  int n;\n  void search(const char *p) {\n#ifdef USE_SSE\n    _mm_prefetch(p, _MM_HINT_T0);\n#endif\n  }\n  int size() const { return n; }\n};\n}\n";
    let tree = parse(Dialect::Cpp, text).unwrap();
    let at = text.find("_mm_prefetch").unwrap();
    let node = tree.root_node().descendant_for_byte_range(at, at + 4).unwrap();
    let item = enclosing_item(node).expect("the method is an item");
    assert_eq!(item.kind(), "function_definition");
    assert_eq!(item_name(item, text).as_deref(), Some("search"));
}

/// A function named by a macro call, in a template header included once per
/// instruction set: the call is the item's name, not the macro's own name
/// (which every function of the template shares), and the prefix macros
/// (`forceinline ATTRIBUTES`, defined in other files) belong to the item.
#[test]
fn a_function_named_by_a_macro_call_is_an_item_with_that_name() {
    let text = "static forceinline ATTRIBUTES void\nADD_SUFFIX(reduce)(vec_t v, u32 *s1)\n{\n\t*s1 = _mm_cvtsi128_si32(v);\n}\n\nstatic ATTRIBUTES u32 *\nCONCAT(adler32_x86,  _sse2)(u32 adler)\n{\n\treturn _mm_setzero_si128();\n}\n";
    let tree = parse(Dialect::C, text).unwrap();
    assert_eq!(error_count(&tree), 0, "{}", tree.root_node().to_sexp());
    let names: Vec<(String, usize)> = ["_mm_cvtsi128_si32", "_mm_setzero_si128"]
        .iter()
        .map(|call| {
            let at = text.find(call).unwrap();
            let node = tree.root_node().descendant_for_byte_range(at, at + 4).unwrap();
            let item = enclosing_item(node).expect("the function is an item");
            (item_name(item, text).unwrap(), item.start_byte())
        })
        .collect();
    let second = text.find("static ATTRIBUTES u32").unwrap();
    assert_eq!(names, [("ADD_SUFFIX(reduce)".to_owned(), 0), ("CONCAT(adler32_x86, _sse2)".to_owned(), second)]);
    let calls = item_calls(Dialect::C, text);
    assert_eq!(
        calls.iter().map(|c| (c.name.as_str(), c.is_static)).collect::<Vec<_>>(),
        [("ADD_SUFFIX(reduce)", true), ("CONCAT(adler32_x86, _sse2)", true)]
    );
}
