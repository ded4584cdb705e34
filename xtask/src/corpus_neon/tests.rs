use super::compile::count_vector_instructions;
use super::files::{removed, unlisted};
use super::*;

/// Real code in the suite: blake3's C kernels, pinned from crates.io,
/// ported by the rules. Every site is accounted for, no rewrite fails,
/// the x86 build stays whole, and aarch64 compiles no fewer files.
#[test]
fn blake3_is_ported_without_breaking_either_build() {
    let p = PROJECTS.iter().find(|p| p.member.name == "blake3").expect("the blake3 member");
    let root = corpus_syntax::fetch(&p.member).expect("downloading the pinned blake3 crate");
    let scratch = tempfile::tempdir().unwrap();
    let work = scratch.path().join("blake3");
    prepare(p, &root, &work).unwrap();
    assert!(!work.join("blake3_neon.c").exists(), "upstream's NEON is removed first");
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let before = compile_all(p, &work, "before").unwrap();
    // As blake3.molt.toml says: Makefile.testing named exactly, so its flags may be edited.
    let port = port::port_including(recipe, &work, &["**".to_owned(), "Makefile.testing".to_owned()]).unwrap();
    let after = compile_all(p, &work, "after").unwrap();
    assert_eq!(port.sites, port.migrated + port.unmapped + port.failed + port.blocked, "{port:?}");
    assert_eq!(port.failed, 0, "no rewrite failed: {port:?}");
    assert!(port.migrated > 0, "{port:?}");
    assert_eq!((before.x86_ok, after.x86_ok), (before.files, after.files), "{:?}", after.x86_errors);
    assert!(after.arm.ok >= before.arm.ok, "{:?}", after.arm.errors);
    // The ported kernels compute what blake3's portable code computes.
    let kernels = check_kernels(p.kernels.as_ref().unwrap(), &work).unwrap();
    assert!(kernels.ends_with(" passed, 0 failed") && !kernels.starts_with("0 "), "{kernels}");
    // And blake3's own dispatcher (under its IS_X86) picks them on aarch64:
    // the AVX2 port, 8 inputs at a time (blake3.molt.toml's check).
    let spec = molt_core::Spec::parse("molt.toml", p.own.as_ref().unwrap().spec).unwrap();
    let check = spec.checks.iter().find(|c| c.name == "dispatch-aarch64-qemu").expect("the dispatch check");
    let r = molt_verify::run_check(check, &work, &molt_verify::RunOptions::default());
    assert!(r.passed && r.output.contains("blake3_simd_degree 8"), "{}", r.output);
}

/// libdeflate's own CMake build and CTest suite, after the port:
/// natively, and cross-compiled for aarch64 with every test run under
/// qemu-aarch64. Its x86 kernels stay whole, and its aarch64 build
/// passes all of its tests; the ported x86 templates, built for aarch64 on
/// their own, compute what a reference computes.
#[test]
fn libdeflate_passes_its_own_tests_under_qemu_after_the_port() {
    let p = PROJECTS.iter().find(|p| p.member.name == "libdeflate").expect("the libdeflate member");
    let own_tests = p.own.as_ref().expect("libdeflate's own tests");
    let root = corpus_syntax::fetch(&p.member).expect("downloading the pinned libdeflate-sys crate");
    let scratch = tempfile::tempdir().unwrap();
    let work = scratch.path().join("libdeflate");
    prepare(p, &root, &work).unwrap();
    let spec = own::write_spec(own_tests, &work).unwrap();
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let port = port(recipe, &work).unwrap();
    assert!(port.migrated > 0, "{port:?}");
    // The ported x86 template headers, which libdeflate's own aarch64 build
    // does not compile, give the right checksums on aarch64.
    let kernels = check_kernels(p.kernels.as_ref().expect("libdeflate's kernel check"), &work).unwrap();
    assert!(kernels.ends_with(" passed, 0 failed") && !kernels.starts_with("0 "), "{kernels}");
    let outcome = own::run(own_tests, &spec, &work).unwrap();
    let names: Vec<(&str, bool)> = outcome.results.iter().map(|r| (r.name.as_str(), r.passed)).collect();
    assert_eq!(
        names,
        [("build-x86-64", true), ("test-x86-64", true), ("build-aarch64", true), ("test-aarch64-qemu", true)],
        "{:#?}",
        outcome.results.iter().map(|r| &r.output).collect::<Vec<_>>()
    );
    assert_eq!(outcome.arm_tests(), "8/8", "CTest's own count of libdeflate's tests");
}

#[test]
fn globs_and_folders_are_removed_as_listed() {
    let remove = ["src/dsp/*_neon.c", "*.S", "arm/"];
    assert!(removed("src/dsp/enc_neon.c", false, &remove));
    assert!(!removed("src/dsp/enc_sse2.c", false, &remove));
    assert!(removed("x.S", false, &remove));
    assert!(!removed("lib/x.S", false, &remove), "* does not cross /");
    assert!(removed("arm", true, &remove));
    assert!(!removed("arm", false, &remove));
}

/// Build files no longer list the removed files: a list entry alone on its
/// line, or added with `+=`, goes; the entry before a removed last entry ends
/// the list; lines that name a removed file among other words stay.
#[test]
fn build_files_stop_listing_removed_files() {
    let gone = ["src/dsp/dec_neon".to_owned(), "src/dsp/neon".to_owned(), "lib/arm/cpu_features".to_owned()];
    let makefile = "OBJS = \\\n    src/dsp/dec.o \\\n    src/dsp/dec_neon.o \\\n    src/dsp/dec_sse2.o \\\n    src/dsp/neon.h\n\nall: $(OBJS)\n";
    assert_eq!(unlisted(makefile, &gone), "OBJS = \\\n    src/dsp/dec.o \\\n    src/dsp/dec_sse2.o\n\nall: $(OBJS)\n");
    let am = "X_SOURCES =\nX_SOURCES += dec_neon.c\nX_SOURCES += dec_sse2.c\nY = dec_neon.c other.c\n";
    assert_eq!(unlisted(am, &gone), "X_SOURCES =\nX_SOURCES += dec_sse2.c\nY = dec_neon.c other.c\n");
    let vc = "    $(DIROBJ)\\dsp\\dec_neon.obj \\\n    $(DIROBJ)\\dsp\\dec.obj \\\n";
    assert_eq!(unlisted(vc, &gone), "    $(DIROBJ)\\dsp\\dec.obj \\\n");
    // A file of a removed folder, and not its namesake elsewhere.
    let cmake = "set(SOURCES\n    lib/arm/cpu_features.c\n    ${CMAKE_CURRENT_SOURCE_DIR}/lib/arm/cpu_features.c\n    lib/x86/cpu_features.c\n)\n";
    assert_eq!(unlisted(cmake, &gone), "set(SOURCES\n    lib/x86/cpu_features.c\n)\n");
}

#[test]
fn vector_instructions_are_counted_from_objdump() {
    let listing = "   0:\t4e208400 \tadd\tv0.4s, v0.4s, v0.4s\n   4:\t8b010000 \tadd\tx0, x0, x1\n   8:\t3dc00000 \tldr\tq0, [x0]\n";
    assert_eq!(count_vector_instructions(listing), 2);
}

/// hnswlib's own CMakeLists.txt passes `-march=native` to every compiler,
/// which an aarch64 cross compiler refuses. With the recipe's rewrite of
/// that file (the flag kept for x86 targets only), its own CMake build works
/// for aarch64 and its own test programs pass under qemu, and natively.
/// (The whole port, `cargo xtask corpus hnswlib`, takes minutes more.) With
/// the headers unported, aarch64 compiles only hnswlib's scalar distances:
/// the test programs cannot tell, and `dispatch-aarch64-qemu` must.
#[test]
fn hnswlib_builds_and_passes_its_tests_under_qemu_after_the_cmake_rewrite() {
    let p = PROJECTS.iter().find(|p| p.member.name == "hnswlib").expect("the hnswlib member");
    let own_tests = p.own.as_ref().expect("hnswlib's own tests");
    let root = corpus_syntax::fetch(&p.member).expect("downloading the pinned hnswlib tarball");
    let scratch = tempfile::tempdir().unwrap();
    let work = scratch.path().join("hnswlib");
    prepare(p, &root, &work).unwrap();
    let spec = own::write_spec(own_tests, &work).unwrap();
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let text = std::fs::read_to_string(work.join("CMakeLists.txt")).unwrap();
    let sites = recipe.find_sites("CMakeLists.txt", &text);
    assert!(!sites.is_empty(), "upstream's -march=native is a site");
    let out = recipe.rewrite("CMakeLists.txt", &text, &sites).unwrap();
    assert_eq!(out.mapped.len(), sites.len(), "{:?}", out.unmapped);
    assert!(out.text.contains("-march=native"), "x86 keeps the flag");
    std::fs::write(work.join("CMakeLists.txt"), &out.text).unwrap();
    let outcome = own::run(own_tests, &spec, &work).unwrap();
    let names: Vec<(&str, bool)> = outcome.results.iter().map(|r| (r.name.as_str(), r.passed)).collect();
    assert_eq!(
        names,
        [
            ("build-x86-64", true),
            ("test-x86-64", true),
            ("build-aarch64", true),
            ("test-aarch64-qemu", true),
            ("dispatch-aarch64-qemu", false)
        ],
        "{:#?}",
        outcome.results.iter().map(|r| &r.output).collect::<Vec<_>>()
    );
    assert_eq!(outcome.arm_tests(), "8/8");
    let kernels = &outcome.results[4].output;
    assert!(kernels.contains("USE_SSE is not defined"), "{kernels}");
}
