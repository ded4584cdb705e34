use super::*;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
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
fn make_dependencies_are_read_without_the_unit() {
    let d = "units.o: /tmp/x/units.c /src/a.h \\\n /src/b.h\n";
    assert_eq!(dep_files(d, Path::new("/tmp/x/units.c")), vec![PathBuf::from("/src/a.h"), PathBuf::from("/src/b.h")]);
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
        let _ = preprocess_database(dir);
        assert!(!pwned.exists(), "{args:?} ran a shell");
    }
}

#[test]
fn the_compiler_prints_the_macros_a_header_defines() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(dir, &database(dir, &["cc", "-Iinclude", "-O2", "-c", "src/log.c", "-o", "log.o"]));
    let p = preprocess_database(dir).expect("the database is found");
    assert!(p.failures.is_empty(), "{:?}", p.failures);
    assert_eq!(p.database, dir.join("compile_commands.json"));
    for line in [
        "#define PRINTF_LIKE(f,a) __attribute__((format(printf, f, a)))",
        "#define MAYBE_UNUSED __attribute__((unused))",
    ] {
        assert!(p.defines.iter().any(|d| d == line), "{line} not in {} lines", p.defines.len());
    }
    // The second read comes from the cache, and a changed header is seen.
    assert_eq!(preprocess_database(dir).unwrap(), p);
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(dir.join("include/defs.h"), "#define MAYBE_UNUSED\n").unwrap();
    let again = preprocess_database(dir).unwrap();
    assert!(
        again.defines.iter().any(|d| d == "#define MAYBE_UNUSED "),
        "{:?}",
        again.defines.iter().filter(|d| d.contains("MAYBE")).collect::<Vec<_>>()
    );
}

#[test]
fn a_unit_the_preprocessor_cannot_read_is_named_and_the_others_still_count() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(dir, "");
    std::fs::write(dir.join("src/broken.c"), "#include \"missing.h\"\n").unwrap();
    let units = serde_json::json!([
        { "directory": dir, "file": "src/log.c", "arguments": ["cc", "-Iinclude", "-c", "src/log.c"] },
        { "directory": dir, "file": "src/broken.c", "arguments": ["cc", "-Iinclude", "-c", "src/broken.c"] },
    ]);
    std::fs::write(dir.join("compile_commands.json"), units.to_string()).unwrap();
    let p = preprocess_database(dir).unwrap();
    assert_eq!(p.failures.len(), 1, "{:?}", p.failures);
    assert!(p.failures[0].contains("missing.h"), "{:?}", p.failures);
    assert!(p.defines.iter().any(|d| d.starts_with("#define MAYBE_UNUSED")));
    std::fs::write(dir.join("compile_commands.json"), "{ not json").unwrap();
    let p = preprocess_database(dir).unwrap();
    assert!(p.failures[0].contains("not a compilation database"), "{:?}", p.failures);
}
