use super::*;
use crate::buildfile::find_flag_sites;

/// The sources each flag line of `text` applies to, by line.
fn scopes(path: &str, text: &str) -> Vec<(usize, Option<Vec<String>>)> {
    find_flag_sites(path, text).iter().map(|s| (s.line, flag_sources(path, text, s.start))).collect()
}

fn some(names: &[&str]) -> Option<Vec<String>> {
    Some(names.iter().map(|n| (*n).to_owned()).collect())
}

#[test]
fn a_rules_command_applies_to_its_sources() {
    // The shape of blake3's Makefile.testing.
    let text = "CFLAGS=-O3 -Wall\n\
                all: a.c $(TARGETS)\n\t$(CC) $(CFLAGS) $^ -o x\n\n\
                k_sse2.o: k_sse2.c\n\t$(CC) $(CFLAGS) -c $^ -o $@ -msse2\n\n\
                k_avx2.o: k_avx2.c k.h\n\t@echo building\n\t$(CC) $(CFLAGS) -c $< -o $@ -mavx2\n\n\
                k_fma.o: k_avx2.c\n\t$(CC) -c k.c -o $@ -mfma\n";
    assert_eq!(
        scopes("Makefile.testing", text),
        [(6, some(&["k_sse2.c"])), (10, some(&["k_avx2.c"])), (13, some(&["k_avx2.c"]))]
    );
}

#[test]
fn target_specific_variables_apply_to_their_objects_and_plain_variables_to_all() {
    let text = "CFLAGS = -O2 -mavx2\n\
                k_avx2.o k2.o: CFLAGS += -mavx2 -mfma\n\
                $(OBJ)/k.o: CFLAGS += -msse4.1\n\
                %.o: %.c\n\t$(CC) -msse2 -c $< -o $@\n";
    assert_eq!(scopes("Makefile", text), [(1, None), (2, some(&["k_avx2.o", "k2.o"])), (3, None), (5, None)]);
}

#[test]
fn cmake_source_properties_name_their_files() {
    let text = "add_compile_options(-O2 -mavx2)\n\
                set_source_files_properties(src/a_avx2.c src/b.c PROPERTIES COMPILE_FLAGS -mavx2)\n\
                set_property(SOURCE src/c.c APPEND PROPERTY COMPILE_OPTIONS -msse4.1)\n\
                set_source_files_properties(${AVX2_SRCS} PROPERTIES COMPILE_FLAGS -mavx2)\n";
    assert_eq!(
        scopes("CMakeLists.txt", text),
        [(1, None), (2, some(&["src/a_avx2.c", "src/b.c"])), (3, some(&["src/c.c"])), (4, None)]
    );
}
