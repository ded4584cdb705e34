use super::*;

fn check(lang: Lang, pattern: &str, text: &str, expect: &[&str]) {
    let searcher = Searcher::Pattern(Pattern::new(lang, pattern).unwrap());
    let got: Vec<String> = search_text(&searcher, "t", text.as_bytes()).unwrap().into_iter().map(|m| m.text).collect();
    assert_eq!(got, expect);
}

#[test]
fn patterns() {
    let c = "void f(void) { a(1, 2); b(x); a(3); g(a(4)); int y = p + p; int z = p + q; }";
    check(Lang::C, "a($$$)", c, &["a(1, 2)", "a(3)", "a(4)"]);
    check(Lang::C, "a($X)", c, &["a(3)", "a(4)"]);
    check(Lang::C, "$F($A, $B)", c, &["a(1, 2)"]);
    check(Lang::C, "$X + $X", c, &["p + p"]);
    check(Lang::Python, "torch.cuda.$M($$$)", "torch.cuda.synchronize()\nx.cuda()\n", &["torch.cuda.synchronize()"]);
    check(Lang::Rust, "$X.unwrap()", "fn f() { a.unwrap(); b.expect(\"\"); }", &["a.unwrap()"]);
}

#[test]
fn constraints_and_enclosing_items() {
    let p = Pattern::new(Lang::C, "$F($$$)").unwrap().constrain("F", "^_mm").unwrap();
    let searcher = Searcher::Pattern(p);
    assert_eq!(searcher.literals(), ["_mm"]);
    let text = "void k(void) { _mm_add_ps(a, b); add(c); }";
    let m = search_text(&searcher, "k.c", text.as_bytes()).unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].symbol.as_deref(), Some("k.c::k"));
    assert_eq!(m[0].captures["F"], "_mm_add_ps");
}

#[test]
fn queries() {
    let q =
        StructuralQuery::new(Lang::C, r#"((call_expression function: (identifier) @f) @match (#match? @f "^_mm256"))"#)
            .unwrap();
    let searcher = Searcher::Query(q);
    assert_eq!(searcher.literals(), ["_mm256"]);
    let m = search_text(&searcher, "k.c", b"void k(void) { _mm256_add_ps(a, b); _mm_add_ps(a, b); }").unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].text, "_mm256_add_ps(a, b)");
    assert!(StructuralQuery::new(Lang::C, "(no_such_node)").is_err());
}

#[test]
fn literals_of_regexes() {
    for (re, want) in [
        ("^_mm", Some("_mm")),
        ("^_mm256_.*ps$", Some("_mm256_")),
        ("a|b", None),
        ("(?i)foo", None),
        ("x?yz", Some("yz")),
    ] {
        assert_eq!(required_literal(re).as_deref(), want, "{re}");
    }
}

#[test]
fn bad_patterns_are_errors() {
    assert!(Pattern::new(Lang::C, "").is_err());
    assert!(Pattern::new(Lang::C, "int ( ( (").is_err());
}
