use std::collections::BTreeMap;
use std::path::PathBuf;

use super::*;

fn recipe(body: &str) -> FileRecipe {
    match parse_recipe("r.toml", &format!("name = \"t\"\n{body}")) {
        Ok(r) => r,
        Err(e) => panic!("recipe does not load: {e}"),
    }
}

/// Rewrites `before` as `path` with every site as a target.
fn check(body: &str, path: &str, before: &str, after: &str) {
    let r = recipe(body);
    let sites = r.find_sites(path, before);
    let out = r.rewrite(path, before, &sites).unwrap_or_else(|e| panic!("rewrite failed: {e}"));
    assert_eq!(out.text, after);
}

/// Loading fails with an error that contains `expect`.
fn check_load_error(body: &str, expect: &str) {
    match parse_recipe("r.toml", &format!("name = \"t\"\n{body}")) {
        Ok(_) => panic!("loaded, expected an error with {expect:?}"),
        Err(e) => assert!(e.to_string().contains(expect), "{e}\ndoes not contain\n{expect}"),
    }
}

/// Rewriting fails with an error that contains `expect`.
fn check_rewrite_error(body: &str, before: &str, expect: &str) {
    let r = recipe(body);
    let sites = r.find_sites("a.c", before);
    match r.rewrite("a.c", before, &sites) {
        Ok(out) => panic!("rewrote to {:?}, expected an error with {expect:?}", out.text),
        Err(e) => assert!(e.to_string().contains(expect), "{e}\ndoes not contain\n{expect}"),
    }
}

const SWAP: &str = r#"
[[rule]]
name = "swap"
lang = "c"
match = "old_api($A, $B)"
replace = "new_api($B, $A)"
"#;

#[test]
fn swaps_arguments() {
    check(SWAP, "a.c", "int f(void) { return old_api(x, y + 1); }\n", "int f(void) { return new_api(y + 1, x); }\n");
}

#[test]
fn rewrites_nested_matches_innermost_first() {
    check(
        SWAP,
        "a.c",
        "int f(void) { return old_api(old_api(a, b), c); }\n",
        "int f(void) { return new_api(c, new_api(b, a)); }\n",
    );
}

#[test]
fn leaves_other_languages_and_strings_alone() {
    check(SWAP, "a.py", "old_api(x, y)\n", "old_api(x, y)\n");
    check(SWAP, "a.c", "const char *s = \"old_api(x, y)\";\n", "const char *s = \"old_api(x, y)\";\n");
}

#[test]
fn many_metavariable_and_braced_template() {
    let body = r#"
[[rule]]
name = "wrap"
lang = "c"
match = "log_old($$$ARGS)"
replace = "log_new(LEVEL_INFO, $$$ARGS)"

[[rule]]
name = "suffix"
lang = "c"
match = "$F(0)"
where = { F = "^reset$" }
replace = "${F}_all()"
"#;
    check(
        body,
        "a.c",
        "void f(void) { log_old(\"%d\", 1); reset(0); }\n",
        "void f(void) { log_new(LEVEL_INFO, \"%d\", 1); reset_all(); }\n",
    );
}

#[test]
fn query_rules_use_captures() {
    let body = r#"
[[rule]]
name = "deref"
lang = "c"
query = "((call_expression function: (identifier) @f arguments: (argument_list (identifier) @x)) @match (#eq? @f \"get\"))"
replace = "$x->value"
"#;
    check(body, "a.c", "int f(void) { return get(p); }\n", "int f(void) { return p->value; }\n");
}

#[test]
fn guards_on_function_names_and_preprocessor_branches() {
    let body = r#"
[[rule]]
name = "swap"
lang = "c"
match = "old_api($A, $B)"
replace = "new_api($B, $A)"
inside_function = "^port_"
not_under_if = "LEGACY"
"#;
    let before = "int port_a(void) { return old_api(1, 2); }\nint keep(void) { return old_api(1, 2); }\n\
                  int port_b(void) {\n#if defined(LEGACY)\n  return old_api(1, 2);\n#else\n  return old_api(3, 4);\n#endif\n}\n";
    let after = "int port_a(void) { return new_api(2, 1); }\nint keep(void) { return old_api(1, 2); }\n\
                 int port_b(void) {\n#if defined(LEGACY)\n  return old_api(1, 2);\n#else\n  return new_api(4, 3);\n#endif\n}\n";
    check(body, "a.c", before, after);
}

#[test]
fn whole_item_rewrite_with_renames_keeps_the_original_path() {
    // The shape of x86-to-neon: keep the item under an x86 guard, add a renamed copy.
    let body = r##"
[[rule]]
name = "wrap-item"
lang = "c"
query = "((function_definition) @item (#match? @item \"\\\\b_mm\"))"
replace = "#if defined(__x86_64__)\n$item\n#else\n${item:rename}\n#endif"
not_under_if = "__x86_64__"
reject_result = "#else[\\s\\S]*\\b_mm"

[[rename]]
match = "^_mm_(add|mul)_ps$"
replace = "molt_mm_${1}_ps"
"##;
    let before = "__m128 f(__m128 a) { return _mm_add_ps(a, a); }\n";
    // __m128 has no rename here, but the reject guard only looks for `_mm` calls.
    let after = "#if defined(__x86_64__)\n__m128 f(__m128 a) { return _mm_add_ps(a, a); }\n#else\n\
                 __m128 f(__m128 a) { return molt_mm_add_ps(a, a); }\n#endif\n";
    check(body, "a.c", before, after);
    // An item the renames cannot fully map is left for the model.
    let unmapped = "__m128 g(__m128 a) { return _mm_rcp_ps(a); }\n";
    check(body, "a.c", unmapped, unmapped);
}

#[test]
fn template_parts() {
    let t = rewrite::Template::parse("a$X b$$$YS ${Z:rename} $ 5$ $$");
    assert_eq!(t.names().collect::<Vec<_>>(), ["X", "YS", "Z"]);
}

#[test]
fn rules_that_undo_each_other_are_named() {
    let body = r#"
[[rule]]
name = "to-b"
lang = "c"
match = "a($X)"
replace = "b($X)"

[[rule]]
name = "to-a"
lang = "c"
match = "b($X)"
replace = "a($X)"
"#;
    check_rewrite_error(
        body,
        "void f(void) { a(1); }\n",
        "r.toml:4: rules \"to-b\" (line 4), \"to-a\" (line 10): a.c: the rules undo each other",
    );
}

#[test]
fn a_rule_that_keeps_growing_hits_the_pass_limit() {
    let body = r#"
[[rule]]
name = "grow"
lang = "c"
match = "f($X)"
replace = "f(g($X))"
"#;
    check_rewrite_error(
        body,
        "void h(void) { f(1); }\n",
        "r.toml:4: rule \"grow\" (line 4): a.c: still changing after 10 passes",
    );
}

#[test]
fn a_rewrite_that_breaks_syntax_is_refused() {
    let body = r#"
[[rule]]
name = "break"
lang = "c"
match = "f($X)"
replace = "f($X"
"#;
    check_rewrite_error(
        body,
        "void h(void) { f(1); }\n",
        "r.toml:4: rule \"break\" (line 4): a.c: the rewrite would add syntax errors (line 1: missing `)`)",
    );
}

#[test]
fn bad_recipes_name_file_line_and_rule() {
    check_load_error(
        "[[rule]]\nname = \"x\"\nlang = \"c\"\nquery = \"(call_expression\"\nreplace = \"y\"\n",
        "r.toml:5: rule \"x\": c: bad query",
    );
    check_load_error(
        "[[rule]]\nname = \"x\"\nlang = \"c\"\nmatch = \"f($A)\"\nreplace = \"g($B)\"\n",
        "r.toml:6: rule \"x\": the template names `B`, which is not a capture (captures: A)",
    );
    check_load_error(
        "[[finder]]\nkind = \"k\"\nlang = \"c\"\nmatch = \"f($A)\"\nwhere = { C = \"x\" }\n",
        "r.toml:6: finder \"k\": `where` names `C`, which the finder does not capture",
    );
    check_load_error(
        "[[rule]]\nname = \"x\"\nlang = \"c\"\nmatch = \"f($A)\"\n",
        "r.toml:3: rule \"x\": a rule needs a `replace`",
    );
    check_load_error(
        "[[rule]]\nname = \"x\"\nlang = \"cobol\"\nmatch = \"f($A)\"\nreplace = \"g\"\n",
        "unknown language \"cobol\"",
    );
    check_load_error(
        "[[rule]]\nname = \"x\"\nlang = \"c\"\nmatch = \"f($A)\"\nreplace = \"g\"\ninside_function = \"(\"\n",
        "r.toml:7: rule \"x\": bad regex",
    );
    check_load_error(
        "[[rule]]\nname = \"x\"\nlang = \"c\"\nmatch = \"f($A)\"\nreplace = \"g\"\nbogus = 1\n",
        "r.toml:7: recipe: unknown field `bogus`",
    );
}

#[test]
fn a_query_error_points_at_its_own_line() {
    check_load_error(
        "[[finder]]\nkind = \"k\"\nlang = \"c\"\nquery = '''\n(call_expression)\n(no_such_node) @x\n'''\n",
        "r.toml:7: finder \"k\": c: bad query: line 2",
    );
}

#[test]
fn instructions_carry_mapping_notes() {
    let r = recipe(
        "description = \"Port it.\"\n[[instruction]]\nkind = \"k\"\ntext = \"Do this.\"\nnotes = [\"a maps to b\"]\n",
    );
    assert_eq!(r.instruction("k"), "Do this.\nMapping notes:\n- a maps to b");
    assert_eq!(r.instruction("other"), "Migrate this `other` site by hand: Port it.");
}

#[test]
fn inline_cases_are_passed_failed_or_noisy() {
    let body = format!(
        "{SWAP}\n[[test]]\nname = \"ok\"\npath = \"a.c\"\nbefore = \"int x = old_api(1, 2);\"\nafter = \"int x = new_api(2, 1);\"\n\
         [[test]]\nname = \"wrong\"\npath = \"a.c\"\nbefore = \"int x = old_api(1, 2);\"\nafter = \"int x = new_api(1, 2);\"\n\
         [[test]]\nname = \"noisy\"\npath = \"a.c\"\nbefore = \"int x = old_api(1, 2);\"\n"
    );
    let r = recipe(&body);
    let cases = r.cases().unwrap_or_else(|e| panic!("{e}"));
    let outcomes: Vec<(String, Outcome)> = cases.iter().map(|c| run_case(&r, c)).map(|c| (c.name, c.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            ("ok".to_owned(), Outcome::Passed),
            ("wrong".to_owned(), Outcome::Failed),
            ("noisy".to_owned(), Outcome::Noisy)
        ]
    );
}

#[test]
fn a_rule_that_is_not_idempotent_fails_its_case() {
    // The first run is scoped to the sites found before it: the call that
    // `make-fn` creates sits in a new function no site pointed at, so only a
    // second run rewrites it. The harness must catch that.
    let body = format!(
        "{SWAP}\n[[rule]]\nname = \"make-fn\"\nlang = \"c\"\n\
         query = '((preproc_def name: (identifier) @n value: (_) @v) @match (#eq? @n \"ANSWER\"))'\n\
         replace = \"int answer(void) {{ return old_api($v, 0); }}\\n\"\n"
    );
    let r = recipe(&body);
    let case = Case {
        name: "make-fn".to_owned(),
        before: BTreeMap::from([("a.c".to_owned(), "#define ANSWER 42\n".to_owned())]),
        after: BTreeMap::from([("a.c".to_owned(), "int answer(void) { return old_api(42, 0); }\n".to_owned())]),
        left: None,
        folder: None,
    };
    let report = run_case(&r, &case);
    assert_eq!(report.outcome, Outcome::Failed, "{report:?}");
    assert_eq!(report.problems, ["not idempotent: a second run changes a.c"]);
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/recipes").join(name)
}

fn run_all(recipe: &FileRecipe) -> Vec<CaseReport> {
    recipe.cases().unwrap_or_else(|e| panic!("{e}")).iter().map(|c| run_case(recipe, c)).collect()
}

#[test]
fn the_example_recipe_passes_its_cases() {
    let r = load_path(&fixture("c-api-rename")).unwrap_or_else(|e| panic!("{e}"));
    let reports = run_all(&r);
    assert_eq!(reports.len(), 4);
    for report in &reports {
        assert_eq!(report.outcome, Outcome::Passed, "{}: {:?}\n{}", report.name, report.problems, report.diff);
    }
    assert_eq!(r.kind_order(), ["old-api-call", "old-free-call", "legacy-callback"]);
    assert_eq!(r.checks().len(), 2);
    // 003 holds left.txt: the callback is found, left for the model, with its instruction.
    assert!(reports[2].left.contains("Mapping notes:"), "{}", reports[2].left);
}

#[test]
fn the_x86_to_neon_recipe_file_passes_its_cases() {
    let r = load_path(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("recipes/x86-to-neon"))
        .unwrap_or_else(|e| panic!("{e}"));
    let reports = run_all(&r);
    assert!(!reports.is_empty());
    for report in &reports {
        assert_eq!(report.outcome, Outcome::Passed, "{}: {:?}\n{}", report.name, report.problems, report.diff);
    }
}

#[test]
fn the_x86_to_neon_recipe_file_finds_what_the_builtin_finds() {
    let file = load_path(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("recipes/x86-to-neon"))
        .unwrap_or_else(|e| panic!("{e}"));
    let builtin = crate::load("x86-to-neon").unwrap_or_else(|e| panic!("{e}"));
    let text = include_str!("../../recipes/x86-to-neon/tests/001-kernel/before/kernel.c");
    let key = |s: &Site| (s.kind.clone(), s.line, s.symbol.clone());
    let mut ours: Vec<_> = file.find_sites("kernel.c", text).iter().map(key).collect();
    let mut theirs: Vec<_> = builtin.find_sites("kernel.c", text).iter().map(key).collect();
    ours.sort();
    theirs.sort();
    // The file form adds the sites of its whole-item rule; compare the finders' kinds.
    ours.retain(|k| crate::x86_to_neon::KINDS.contains(&k.0.as_str()));
    assert_eq!(ours, theirs);
}

#[test]
fn specs_name_built_ins_or_paths() {
    let base = fixture("");
    assert_eq!(crate::resolve("x86-to-neon", &base).map(|r| r.name().to_owned()).ok().as_deref(), Some("x86-to-neon"));
    let first = crate::resolve("c-api-rename", &base).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.name(), "c-api-rename");
    let again = crate::resolve("./c-api-rename/recipe.toml", &base).unwrap_or_else(|e| panic!("{e}"));
    assert!(std::ptr::addr_eq(first, again), "a recipe file is loaded once per process");
    let unknown = crate::resolve("no-such-recipe", &base).err().map(|e| e.to_string());
    assert_eq!(
        unknown.as_deref(),
        Some("unknown recipe \"no-such-recipe\"; built-in recipes: x86-to-neon, cuda-to-neuron")
    );
}
