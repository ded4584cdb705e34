use super::*;

#[test]
fn unmapped_sites_group_by_file_and_reason_with_runs_of_lines() {
    let unmapped: Vec<String> = [
        "src/k.c:255: `_mm256_i32gather_ps` has no mapping",
        "src/k.c:256: `_mm256_i32gather_ps` has no mapping",
        "src/k.c:257: `_mm256_i32gather_ps` has no mapping",
        "src/k.c:257: `_mm256_i32gather_ps` has no mapping",
        "src/k.c:260: `_mm256_i32gather_ps` has no mapping",
        "src/k.c:12: inline assembly",
        "src/j.c:255: `_mm256_i32gather_ps` has no mapping",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    assert_eq!(
        dedupe_reasons(&unmapped),
        [
            "src/k.c:255-257,260: `_mm256_i32gather_ps` has no mapping",
            "src/k.c:12: inline assembly",
            "src/j.c:255: `_mm256_i32gather_ps` has no mapping",
        ]
    );
}
