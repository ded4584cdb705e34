//! A user-written recipe file referenced from molt.toml, by path or pinned
//! in another git repository, drives a run.

use std::path::Path;
use std::process::{Command, Output};

use crate::{git, molt, molt_bin, workspace_root};

/// A repository that calls libold's API, with a molt.toml naming `recipe`.
pub(crate) fn libold_repo(repo: &Path, recipe: &str) {
    let files: &[(&str, &str)] = &[
        ("lib.h", "int old_api(int handle, int flags);\nint new_api(int flags, int handle);\nvoid old_free(void *p);\nvoid new_release(void *p, int mode);\n"),
        ("lib.c", "#include <stdlib.h>\n#include \"lib.h\"\nint old_api(int h, int f) { return h * 10 + f; }\nint new_api(int f, int h) { return h * 10 + f; }\nvoid old_free(void *p) { free(p); }\nvoid new_release(void *p, int mode) { (void)mode; free(p); }\n"),
        ("main.c", "#include <stdio.h>\n#include <stdlib.h>\n#include \"lib.h\"\n\nint compute(int h)\n{\n    return old_api(h, 2);\n}\n\nint main(void)\n{\n    void *p = malloc(4);\n    old_free(p);\n    int ok = compute(3) == 32;\n    printf(\"%d passed, %d failed\\n\", ok, !ok);\n    return !ok;\n}\n"),
        ("Makefile", "test:\n\tcc -o prog main.c lib.c && ./prog\n"),
        (".gitignore", "prog\n"),
    ];
    for (name, text) in files {
        std::fs::write(repo.join(name), text).unwrap();
    }
    let spec = format!("[migration]\nname = \"libnew\"\ngoal = \"Move from libold to libnew.\"\nrecipe = \"{recipe}\"\ninclude = [\"main.c\"]\n\n[[check]]\nname = \"test\"\nrun = \"make -s test\"\nkind = \"test\"\n");
    std::fs::write(repo.join("molt.toml"), spec).unwrap();
}

/// Copies the c-api-rename example recipe to `dir/c-api-rename`.
pub(crate) fn copy_recipe(dir: &Path) {
    let recipe_dir = dir.join("c-api-rename");
    std::fs::create_dir_all(&recipe_dir).unwrap();
    std::fs::copy(workspace_root().join("fixtures/recipes/c-api-rename/recipe.toml"), recipe_dir.join("recipe.toml"))
        .unwrap();
}

fn commit_all(repo: &Path, message: &str) -> String {
    git(repo, &["init", "-q", "-b", "main"]);
    git(repo, &["add", "-A"]);
    git(repo, &["-c", "user.name=T", "-c", "user.email=t@x", "commit", "-q", "-m", message]);
    git(repo, &["rev-parse", "HEAD"]).trim().to_owned()
}

fn shown(out: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The run succeeded and main.c on the migration branch calls libnew.
fn assert_migrated(repo: &Path, out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", shown(out));
    let migrated = git(repo, &["show", "molt/libnew:main.c"]);
    assert!(migrated.contains("return new_api(2, h);"), "{migrated}");
    assert!(migrated.contains("new_release(p, 0);"), "{migrated}");
    let log = git(repo, &["log", "--format=%(trailers:key=Molt-Recipe,valueonly,separator=)", "main..molt/libnew"]);
    assert!(log.lines().all(|l| l.is_empty() || l == "c-api-rename"), "{log}");
}

#[test]
fn a_recipe_file_named_by_path_migrates_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    libold_repo(repo, "recipes/c-api-rename");
    copy_recipe(&repo.join("recipes"));
    commit_all(repo, "libold");
    let out = molt(repo, &["run", "--json", "--jobs", "1"]);
    assert_migrated(repo, &out);
}

/// molt with its recipe cache in `cache`.
fn molt_cached(dir: &Path, cache: &Path, args: &[&str]) -> Output {
    Command::new(molt_bin())
        .args(args)
        .current_dir(dir)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .output()
        .expect("running molt")
}

#[test]
fn a_recipe_pinned_in_another_git_repository_migrates_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let recipes = dir.path().join("recipes");
    copy_recipe(&recipes);
    let commit = commit_all(&recipes, "shared recipes");
    let url = format!("file://{}", recipes.display());
    let cache = dir.path().join("cache");

    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    libold_repo(&repo, &format!("git+{url}@{commit}#c-api-rename"));
    commit_all(&repo, "libold");
    let out = molt_cached(&repo, &cache, &["run", "--json", "--jobs", "1"]);
    assert_migrated(&repo, &out);
    assert!(cache.join("molt/recipes").read_dir().unwrap().any(|e| {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        name.ends_with(&commit) && !name.starts_with(".fetch")
    }));

    // The recipe is read from the cache from now on: planning again works
    // with the recipe repository gone.
    std::fs::remove_dir_all(&recipes).unwrap();
    let out = molt_cached(&repo, &cache, &["plan", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
}

#[test]
fn a_git_recipe_must_be_pinned_and_reachable() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();

    // A branch is not a pin: a spec error, exit 2.
    libold_repo(&repo, "git+file:///nowhere/recipes@main#c-api-rename");
    commit_all(&repo, "libold");
    let out = molt_cached(&repo, &cache, &["plan"]);
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    assert!(shown(&out).contains("full 40-hex commit id"), "{}", shown(&out));

    // A pin nobody can fetch: an environment error, exit 3, and no cache entry left behind.
    let missing = format!("git+file://{}/no-such-repo@{}#c-api-rename", dir.path().display(), "ab".repeat(20));
    libold_repo(&repo, &missing);
    git(&repo, &["-c", "user.name=T", "-c", "user.email=t@x", "commit", "-qam", "pin"]);
    let out = molt_cached(&repo, &cache, &["plan"]);
    assert_eq!(out.status.code(), Some(3), "{}", shown(&out));
    assert!(shown(&out).contains("could not fetch commit"), "{}", shown(&out));
    let left: Vec<_> = cache.join("molt/recipes").read_dir().map(|d| d.flatten().collect()).unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}
