use super::*;

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, bytes: usize| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "x".repeat(bytes)).unwrap();
    };
    write("src/a.c", 1);
    write("src/.hidden.c", 1);
    write(".github/ci.yml", 1);
    write("target/debug/gen.c", 1);
    write("web/node_modules/dep.js", 1);
    write("gen/ignored.c", 1);
    write("big.c", (MAX_SOURCE_BYTES + 1) as usize);
    std::fs::write(dir.path().join(".gitignore"), "gen/\n").unwrap();
    std::os::unix::fs::symlink(dir.path().join("src/a.c"), dir.path().join("link.c")).unwrap();
    dir
}

fn rels(root: &Path, options: &WalkOptions) -> Vec<String> {
    walk_files(root, options).unwrap().into_iter().map(|f| f.rel).collect()
}

#[test]
fn a_repository_walk_honours_gitignore_and_skips_hidden_entries_but_keeps_every_size() {
    let dir = tree();
    assert_eq!(
        rels(dir.path(), &WalkOptions::repository()),
        ["big.c", "src/a.c", "target/debug/gen.c", "web/node_modules/dep.js"]
    );
}

#[test]
fn a_sources_walk_skips_build_outputs_hidden_folders_and_large_files_not_ignored_ones() {
    let dir = tree();
    assert_eq!(rels(dir.path(), &WalkOptions::sources()), [".gitignore", "gen/ignored.c", "src/.hidden.c", "src/a.c"]);
}

#[test]
fn a_root_that_is_not_a_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(walk_files(&dir.path().join("missing"), &WalkOptions::repository()).is_err());
    let found = walk_files(dir.path(), &WalkOptions::repository()).unwrap();
    assert!(found.is_empty());
}

#[test]
fn an_everything_walk_keeps_hidden_ignored_and_large_files_but_never_links() {
    let dir = tree();
    assert_eq!(
        rels(dir.path(), &WalkOptions::everything()),
        [
            ".github/ci.yml",
            ".gitignore",
            "big.c",
            "gen/ignored.c",
            "src/.hidden.c",
            "src/a.c",
            "target/debug/gen.c",
            "web/node_modules/dep.js"
        ]
    );
}
