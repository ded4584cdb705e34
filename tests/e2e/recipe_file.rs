//! A user-written recipe file referenced by path from molt.toml drives a run.

use crate::{git, molt, workspace_root};

#[test]
fn a_recipe_file_named_by_path_migrates_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let files: &[(&str, &str)] = &[
        ("lib.h", "int old_api(int handle, int flags);\nint new_api(int flags, int handle);\nvoid old_free(void *p);\nvoid new_release(void *p, int mode);\n"),
        ("lib.c", "#include <stdlib.h>\n#include \"lib.h\"\nint old_api(int h, int f) { return h * 10 + f; }\nint new_api(int f, int h) { return h * 10 + f; }\nvoid old_free(void *p) { free(p); }\nvoid new_release(void *p, int mode) { (void)mode; free(p); }\n"),
        ("main.c", "#include <stdio.h>\n#include <stdlib.h>\n#include \"lib.h\"\n\nint compute(int h)\n{\n    return old_api(h, 2);\n}\n\nint main(void)\n{\n    void *p = malloc(4);\n    old_free(p);\n    int ok = compute(3) == 32;\n    printf(\"%d passed, %d failed\\n\", ok, !ok);\n    return !ok;\n}\n"),
        ("Makefile", "test:\n\tcc -o prog main.c lib.c && ./prog\n"),
        (".gitignore", "prog\n"),
        ("molt.toml", "[migration]\nname = \"libnew\"\ngoal = \"Move from libold to libnew.\"\nrecipe = \"recipes/c-api-rename\"\ninclude = [\"main.c\"]\n\n[[check]]\nname = \"test\"\nrun = \"make -s test\"\nkind = \"test\"\n"),
    ];
    for (name, text) in files {
        std::fs::write(repo.join(name), text).unwrap();
    }
    let recipe_dir = repo.join("recipes/c-api-rename");
    std::fs::create_dir_all(&recipe_dir).unwrap();
    std::fs::copy(workspace_root().join("fixtures/recipes/c-api-rename/recipe.toml"), recipe_dir.join("recipe.toml"))
        .unwrap();
    git(repo, &["init", "-q", "-b", "main"]);
    git(repo, &["add", "-A"]);
    git(repo, &["-c", "user.name=T", "-c", "user.email=t@x", "commit", "-q", "-m", "libold"]);

    let out = molt(repo, &["run", "--json", "--jobs", "1"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let migrated = git(repo, &["show", "molt/libnew:main.c"]);
    assert!(migrated.contains("return new_api(2, h);"), "{migrated}");
    assert!(migrated.contains("new_release(p, 0);"), "{migrated}");
    let log = git(repo, &["log", "--format=%(trailers:key=Molt-Recipe,valueonly,separator=)", "main..molt/libnew"]);
    assert!(log.lines().all(|l| l.is_empty() || l == "c-api-rename"), "{log}");
}
