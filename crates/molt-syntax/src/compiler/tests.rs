use super::*;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn only_preprocessor_flags_are_passed_on() {
    let args = strings(&[
        "-DNDEBUG",
        "-D",
        "X=1",
        "-I/usr/include/foo",
        "-isystem",
        "sys",
        "-std=gnu99",
        "-mavx2",
        "-fPIC",
        "-O2",
        "-o",
        "out.o",
        "-c",
        "file.c",
        "-MD",
        "-MF",
        "dep.d",
        "-B./bin",
        "-wrapper",
        "sh,-c,touch pwned",
        "-specs=evil.specs",
        "-fplugin=./evil.so",
        "-fpass-plugin=./evil.so",
        "@response.rsp",
        "-Xpreprocessor",
        "-load",
        "-mllvm",
        "-x",
    ]);
    assert_eq!(
        safe_flags(&args),
        strings(&["-DNDEBUG", "-D", "X=1", "-I/usr/include/foo", "-isystem", "sys", "-std=gnu99", "-mavx2", "-fPIC"])
    );
}

#[test]
fn only_usual_compiler_names_are_run() {
    for ok in [
        "cc",
        "gcc",
        "g++",
        "c++",
        "clang",
        "clang++",
        "gcc-12",
        "clang-17",
        "aarch64-linux-gnu-gcc",
        "x86_64-w64-mingw32-g++",
    ] {
        assert!(is_compiler_name(ok), "{ok}");
    }
    for bad in ["sh", "bash", "python3", "evil-cc-wrapper", "ccache", "make", "cc1", "gcc.sh", ""] {
        assert!(!is_compiler_name(bad), "{bad}");
    }
    let unit = |args: &[&str]| Unit {
        directory: PathBuf::from("/tmp"),
        file: PathBuf::from("a.c"),
        arguments: Some(strings(args)),
        command: None,
    };
    // A path is reduced to its name, looked up on PATH: never the repository's own file.
    assert_eq!(command_of(&unit(&["./tools/gcc", "-DA", "a.c"])).unwrap().0, "gcc");
    assert!(command_of(&unit(&["sh", "-c", "touch pwned"])).is_none());
    let shell = Unit { command: Some("/usr/bin/cc -I inc -c a.c -o a.o".to_owned()), arguments: None, ..unit(&[]) };
    assert_eq!(command_of(&shell).unwrap(), ("cc".to_owned(), strings(&["-I", "inc"])));
}

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

#[test]
fn make_dependencies_are_read_without_the_unit() {
    let d = "units.o: /tmp/x/units.c /src/a.h \\\n /src/b.h\n";
    assert_eq!(dep_files(d, Path::new("/tmp/x/units.c")), vec![PathBuf::from("/src/a.h"), PathBuf::from("/src/b.h")]);
}

/// A small project whose declaration macros live in a header: the file
/// alone cannot say what `PRINTF_LIKE(1, 2)` or `MAYBE_UNUSED` are, its
/// compiler can.
fn project(dir: &Path, units: &str) {
    std::fs::create_dir_all(dir.join("include")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("include/defs.h"),
        "#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))\n\
         #define MAYBE_UNUSED __attribute__((unused))\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/log.c"),
        "#include <stdarg.h>\n#include <stdio.h>\n#include \"defs.h\"\n\n\
         MAYBE_UNUSED static const int table[2] = { 1, 2 };\n\n\
         void PRINTF_LIKE(1, 2) msg(const char *fmt, ...)\n{\n    va_list va;\n    va_start(va, fmt);\n    \
         vfprintf(stderr, fmt, va);\n    va_end(va);\n}\n",
    )
    .unwrap();
    std::fs::write(dir.join("compile_commands.json"), units).unwrap();
}

fn database(dir: &Path, arguments: &[&str]) -> String {
    serde_json::json!([{ "directory": dir, "file": "src/log.c", "arguments": arguments }]).to_string()
}

#[test]
fn the_compiler_names_the_macros_a_header_defines() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(dir, &database(dir, &["cc", "-Iinclude", "-O2", "-c", "src/log.c", "-o", "log.o"]));
    let options = crate::IndexOptions { threads: 1, ..crate::IndexOptions::default() };

    let with = crate::index_repo(dir, &options).unwrap();
    let macros = with.macros.as_deref().expect("the database was read");
    assert!(macros.failures.is_empty(), "{:?}", macros.failures);
    assert!(macros.prefix.contains("MAYBE_UNUSED") && macros.call_like.contains("PRINTF_LIKE"), "{macros:?}");
    let log = with.file("src/log.c").unwrap();
    assert!(log.diagnostics.is_empty(), "{:?}", log.diagnostics);
    assert!(log.item("src/log.c::msg").is_some_and(|i| i.body.is_some()), "{:?}", log.items);

    // The same bytes without the database: the file alone does not say.
    let plain = crate::index_file("src/log.c", &std::fs::read(dir.join("src/log.c")).unwrap()).unwrap();
    assert!(!plain.diagnostics.is_empty(), "this case needs the compiler");

    // Edits go through the same masks: a body edit of `msg` is accepted.
    let set =
        crate::EditSet::from_json(r#"{"edits":[{"op":"replace_body","symbol":"src/log.c::msg","text":"(void)fmt;"}]}"#)
            .unwrap();
    let options = crate::ApplyOptions { dry_run: true, ..crate::ApplyOptions::default() };
    let applied = crate::apply_to_repo(dir, &set, &options).expect("the edit is accepted");
    assert!(applied.changes[0].after.as_deref().unwrap().contains("(void)fmt;"));
}

#[test]
fn a_database_cannot_make_molt_run_anything_but_a_compiler() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let pwned = dir.join("pwned");
    let touch = format!("touch {}", pwned.display());
    for args in [
        vec!["sh", "-c", touch.as_str()],
        vec!["cc", "-wrapper", &format!("sh,-c,{touch}"), "-c", "src/log.c"],
        vec!["cc", "-specs=evil.specs", "-B.", "@resp", "-c", "src/log.c"],
    ] {
        std::fs::write(dir.join("evil.specs"), format!("*cpp:\n+ %:shell({touch})\n")).unwrap();
        project(dir, &database(dir, &args));
        let _ = load(dir);
        assert!(!pwned.exists(), "{args:?} ran a shell");
    }
}
