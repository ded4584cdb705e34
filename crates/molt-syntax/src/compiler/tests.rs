use super::*;

#[test]
fn macro_bodies_are_read_as_words_with_argument_lists() {
    assert_eq!(body_words(""), Some(vec![]));
    assert_eq!(
        body_words(r#"static __inline __attribute__((unused, section(")"))) TARGET("bmi2")"#),
        Some(vec![
            ("static".to_owned(), false),
            ("__inline".to_owned(), false),
            ("__attribute__".to_owned(), true),
            ("TARGET".to_owned(), true)
        ])
    );
    assert_eq!(body_words("((void*)0)"), None);
    assert_eq!(body_words("1"), None);
    assert_eq!(body_words("f(("), None);
}

#[test]
fn classes_follow_macros_to_macros_but_not_in_circles() {
    let text = "#define __STDC__ 1\n\
                #define stdin stdin\n\
                #define ATTR(x) __attribute__((x))\n\
                #define TARGET(t) ATTR(target(t))\n\
                #define MEM_STATIC static __inline UNUSED\n\
                #define UNUSED ATTR(unused)\n\
                #define BMI2 TARGET(\"bmi2\")\n\
                #define EMPTY\n\
                #define BYTE unsigned char\n\
                #define MIN(a, b) ((a) < (b) ? (a) : (b))\n\
                #define A B\n\
                #define B A\n";
    let mut defs: BTreeMap<String, BTreeSet<Def>> = BTreeMap::new();
    for (name, def) in parse_defines(text) {
        defs.entry(name).or_default().insert(def);
    }
    let m = classify(&defs, Vec::new());
    assert_eq!(m.prefix, ["BMI2", "EMPTY", "MEM_STATIC", "UNUSED"].iter().map(|s| (*s).to_owned()).collect());
    assert_eq!(m.call_like, ["ATTR", "TARGET"].iter().map(|s| (*s).to_owned()).collect());
    assert_eq!(m.other, ["A", "B", "BYTE", "MIN", "__STDC__", "stdin"].iter().map(|s| (*s).to_owned()).collect());
}

#[test]
fn a_name_defined_two_ways_is_a_prefix_only_if_both_are() {
    let mut defs: BTreeMap<String, BTreeSet<Def>> = BTreeMap::new();
    for (name, def) in parse_defines("#define INLINE inline\n#define INLINE\n#define API static\n#define API int\n") {
        defs.entry(name).or_default().insert(def);
    }
    let m = classify(&defs, Vec::new());
    assert!(m.prefix.contains("INLINE"));
    assert!(m.other.contains("API"));
}

/// What a header defines, as the compiler printed it, decides the masks of
/// the index and of edits alike.
#[test]
fn the_compilers_defines_make_a_file_parse_and_its_edits_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("log.c"),
        "#include \"defs.h\"\n\nMAYBE_UNUSED static const int table[2] = { 1, 2 };\n\n\
         void PRINTF_LIKE(1, 2) msg(const char *fmt, ...)\n{\n    (void)fmt;\n}\n",
    )
    .unwrap();
    let lines: Vec<String> = [
        "#define PRINTF_LIKE(f,a) __attribute__((format(printf, f, a)))",
        "#define MAYBE_UNUSED __attribute__((unused))",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let macros = std::sync::Arc::new(ProjectMacros::from_defines(&lines, Vec::new()));
    let plain = crate::index_repo(dir, &crate::IndexOptions { threads: 1, ..Default::default() }).unwrap();
    assert!(!plain.files[0].diagnostics.is_empty(), "this case needs the compiler");
    let options = crate::IndexOptions { threads: 1, macros: Some(macros.clone()), ..Default::default() };
    let index = crate::index_repo(dir, &options).unwrap();
    assert!(index.files[0].diagnostics.is_empty(), "{:?}", index.files[0].diagnostics);
    assert!(index.files[0].item("log.c::msg").is_some_and(|i| i.body.is_some()));
    let set =
        crate::EditSet::new(vec![crate::Edit::ReplaceBody { symbol: "log.c::msg".into(), text: "return;".into() }]);
    let apply = crate::ApplyOptions { dry_run: true, macros: Some(macros), ..Default::default() };
    assert!(crate::apply_to_repo(dir, &set, &apply).is_ok());
}
