use super::*;

fn rewrite(text: &str) -> Rewrite {
    let out = rewrite_all(text).unwrap();
    assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
    // A second run finds nothing left to do.
    assert!(find_flag_sites("CMakeLists.txt", &out.text).is_empty(), "{}", out.text);
    out
}

#[test]
fn each_way_of_passing_flags_is_a_site_and_messages_and_guarded_ones_are_not() {
    let text = r#"cmake_minimum_required(VERSION 3.10)
project(demo C CXX)
include(CheckCXXCompilerFlag)
option(WITH_AVX "Build the -mavx2 kernels" ON)
SET( CMAKE_CXX_FLAGS  "-O3 -DNDEBUG -march=native -fpic" )
string(APPEND CMAKE_C_FLAGS " -msse4.1")
check_cxx_compiler_flag("-mavx2" HAVE_AVX2)
message(STATUS "building with -march=native")
target_compile_options(kern PRIVATE
    -Wall
    -mavx2 -mfma)   # the kernels
set_source_files_properties(src/k_avx2.c PROPERTIES COMPILE_FLAGS "-mavx2 -mfma")
set_source_files_properties(src/k_sse.c PROPERTIES COMPILE_OPTIONS "-msse4.1;-mpclmul")
list(APPEND KERNEL_FLAGS -mavx512f)
# add_compile_options(-mavx2) in a comment
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  add_compile_options(-msse2)
endif()
target_compile_options(gen PRIVATE $<$<BOOL:${X86}>:-mavx2>)
"#;
    let sites = find_flag_sites("CMakeLists.txt", text);
    let lines: Vec<usize> = sites.iter().map(|s| s.line).collect();
    assert_eq!(lines, [5, 6, 7, 9, 12, 13, 14], "{sites:#?}");
    assert!(sites[3].text.ends_with("-mavx2 -mfma)"), "a command spans its lines: {}", sites[3].text);
}

#[test]
fn the_other_branch_drops_the_flags_and_a_probe_answers_no() {
    let text = "if(GNU)\n  SET( CMAKE_CXX_FLAGS  \"-O3 -march=native -fpic\" )\n  check_cxx_compiler_flag(\"-mavx2\" HAVE_AVX2)\nendif()\n\
                target_compile_options(k PRIVATE -Wall\n    -mavx2 -mfma)\nset_source_files_properties(a.c PROPERTIES COMPILE_OPTIONS \"-msse4.1;-mpclmul;-O2\")\n";
    let out = rewrite(text);
    assert_eq!(out.mapped.len(), 4);
    let expected = format!(
        "if(GNU)\n  # {MARK}.\n  {X86_CONDITION}\n    SET( CMAKE_CXX_FLAGS  \"-O3 -march=native -fpic\" )\n  else()\n    SET( CMAKE_CXX_FLAGS  \"-O3 -fpic\" )\n  endif()\n\
         \x20 # {MARK}.\n  {X86_CONDITION}\n    check_cxx_compiler_flag(\"-mavx2\" HAVE_AVX2)\n  else()\n    set(HAVE_AVX2 FALSE)\n  endif()\nendif()\n\
         # {MARK}.\n{X86_CONDITION}\n  target_compile_options(k PRIVATE -Wall\n    -mavx2 -mfma)\nelse()\n  target_compile_options(k PRIVATE -Wall)\nendif()\n\
         # {MARK}.\n{X86_CONDITION}\n  set_source_files_properties(a.c PROPERTIES COMPILE_OPTIONS \"-msse4.1;-mpclmul;-O2\")\nelse()\n  set_source_files_properties(a.c PROPERTIES COMPILE_OPTIONS \"-O2\")\nendif()\n"
    );
    assert_eq!(out.text, expected);
}

#[test]
fn a_command_sharing_its_line_is_left_with_the_reason() {
    let text = "if(A) add_compile_options(-mavx2) endif()\nset(X -mavx2) set(Y 1)\n";
    let out = rewrite_all(text).unwrap();
    assert_eq!(out.mapped.len(), 1, "the first command on its line is rewritten");
    assert_eq!(out.unmapped.len(), 1, "{:?}", out.unmapped);
    assert!(out.unmapped[0].1.contains("shares its line"));
}

/// Runs cmake (configure and build) on `dir` for the host, or for aarch64
/// with the cross compiler; the build's stderr when it fails.
fn cmake_build(dir: &std::path::Path, aarch64: bool) -> std::result::Result<(), String> {
    let build = dir.join(if aarch64 { "build-arm" } else { "build-x86" });
    let mut configure = std::process::Command::new("cmake");
    configure.arg("-S").arg(dir).arg("-B").arg(&build);
    if aarch64 {
        configure.args([
            "-DCMAKE_SYSTEM_NAME=Linux",
            "-DCMAKE_SYSTEM_PROCESSOR=aarch64",
            "-DCMAKE_C_COMPILER=aarch64-linux-gnu-gcc",
            "-DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++",
        ]);
    }
    let run = |cmd: &mut std::process::Command| {
        let out = cmd.output().expect("running cmake (apt-get install cmake g++-aarch64-linux-gnu)");
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
        }
    };
    run(&mut configure)?;
    run(std::process::Command::new("cmake").arg("--build").arg(&build))
}

/// Real cmake, both targets: the x86 build still gets every flag (the
/// sources refuse to build without them), and an aarch64 cross build, which
/// fails on the original, configures and builds after the rewrite.
#[test]
fn cmake_builds_the_rewritten_project_for_x86_with_its_flags_and_for_aarch64_without() {
    let dir = tempfile::tempdir().unwrap();
    let lists = r#"cmake_minimum_required(VERSION 3.10)
project(demo C CXX)
include(CheckCXXCompilerFlag)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  SET(CMAKE_CXX_FLAGS "-O2 -march=native -fpic")
  check_cxx_compiler_flag("-mavx2" HAVE_AVX2)
elseif(MSVC)
  SET(CMAKE_CXX_FLAGS "/O2 /arch:AVX2")
endif()
string(APPEND CMAKE_C_FLAGS " -msse4.1")
message(STATUS "probe said ${HAVE_AVX2}; native flags -march=native")
add_library(kern STATIC k.c kk.cpp)
target_compile_options(kern PRIVATE
    -Wall
    -mfma)
set_source_files_properties(k.c PROPERTIES COMPILE_FLAGS "-mavx2")
set_source_files_properties(kk.cpp PROPERTIES COMPILE_OPTIONS "-mavx2;-O2")
if(HAVE_AVX2)
  target_compile_definitions(kern PRIVATE PROBED_AVX2)
endif()
"#;
    let c = "#if defined(__x86_64__)\n#if !defined(__AVX2__) || !defined(__SSE4_1__) || !defined(__FMA__)\n#error x86 flags lost\n#endif\n\
             #elif defined(PROBED_AVX2)\n#error the probe said yes off x86\n#endif\nint k(int x) { return x + 1; }\n";
    let cpp =
        "#if defined(__x86_64__) && (!defined(__AVX2__) || !defined(PROBED_AVX2))\n#error x86 flags lost\n#endif\n\
               namespace k { int kk(int x) { return x * 2; } }\n";
    std::fs::write(dir.path().join("k.c"), c).unwrap();
    std::fs::write(dir.path().join("kk.cpp"), cpp).unwrap();
    std::fs::write(dir.path().join("CMakeLists.txt"), lists).unwrap();
    assert!(cmake_build(dir.path(), true).is_err(), "the original fails for aarch64");
    std::fs::remove_dir_all(dir.path().join("build-arm")).unwrap();
    let out = rewrite(lists);
    assert_eq!(out.mapped.len(), 7, "{}", out.text);
    std::fs::write(dir.path().join("CMakeLists.txt"), &out.text).unwrap();
    cmake_build(dir.path(), false).expect("the x86 build after the rewrite");
    cmake_build(dir.path(), true).expect("the aarch64 build after the rewrite");
}

/// Every flagged command rewritten, as one task holding all of them would.
fn rewrite_all(text: &str) -> Result<Rewrite> {
    let sites = find_flag_sites("CMakeLists.txt", text);
    let wanted = sites.iter().map(|s| s.text.as_str()).collect();
    rewrite_flags("CMakeLists.txt", text, &wanted)
}
