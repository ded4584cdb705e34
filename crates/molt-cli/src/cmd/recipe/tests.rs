use std::path::PathBuf;

use molt_test_support::repo::git;

use super::*;
use crate::output::ColorChoice;
use crate::Global;

fn quiet() -> Output {
    Output::new(&Global { json: false, verbose: 0, quiet: true, color: ColorChoice::Never })
}

fn exit_of(result: anyhow::Result<Exit>) -> Exit {
    result.unwrap_or_else(|e| panic!("{e:#}"))
}

#[test]
fn the_example_recipe_passes() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/recipes/c-api-rename");
    assert_eq!(exit_of(test(&path, false, None, &quiet())), Exit::Done);
}

#[test]
fn new_scaffolds_a_recipe_whose_case_passes() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exit_of(new("my-port", tmp.path(), &quiet())), Exit::Done);
    let root = tmp.path().join("my-port");
    assert!(root.join("recipe.toml").is_file());
    assert!(root.join("tests/001-example/after/example.c").is_file());
    assert_eq!(exit_of(test(&root, false, None, &quiet())), Exit::Done);
    // A second `new` of the same name does not overwrite it.
    assert!(new("my-port", tmp.path(), &quiet()).is_err());
}

#[test]
fn bad_names_are_refused() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for name in ["", "My_Port", "-x", "../up"] {
        assert!(new(name, tmp.path(), &quiet()).is_err(), "{name:?} was accepted");
    }
}

#[test]
fn update_accepts_the_new_output() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    exit_of(new("r", tmp.path(), &quiet()));
    let root = tmp.path().join("r");
    let after = root.join("tests/001-example/after/example.c");
    std::fs::write(&after, "stale\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exit_of(test(&root, false, None, &quiet())), Exit::Incomplete);
    assert_eq!(exit_of(test(&root, true, None, &quiet())), Exit::Incomplete);
    assert_eq!(exit_of(test(&root, false, None, &quiet())), Exit::Done);
    let text = std::fs::read_to_string(&after).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text, "int main(void) {\n    return new_function(2, 1);\n}\n");
}

#[test]
fn a_bad_recipe_is_a_usage_error_naming_file_line_and_rule() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = tmp.path().join("bad.toml");
    let text = "name = \"bad\"\n\n[[rule]]\nname = \"swap\"\nlang = \"c\"\nmatch = \"f($A)\"\nreplace = \"g($B)\"\n";
    std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
    let err = test(&file, false, None, &quiet()).err().unwrap_or_else(|| panic!("a bad recipe loaded"));
    assert!(err.downcast_ref::<UsageError>().is_some());
    let message = err.to_string();
    assert!(
        message.ends_with("bad.toml:7: rule \"swap\": the template names `B`, which is not a capture (captures: A)"),
        "{message}"
    );
}

#[test]
fn git_recipes_are_pinned_to_a_commit_and_cached() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap_or_else(|e| panic!("{e}"));
    exit_of(new("shared", &repo, &quiet()));
    git(&repo, &["init", "--quiet"]);
    git(&repo, &["add", "."]);
    let identity = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"];
    git(&repo, &[&identity[..], &["commit", "--quiet", "-m", "recipe"]].concat());
    let commit = git(&repo, &["rev-parse", "HEAD"]).trim().to_owned();
    let cache = tmp.path().join("cache");
    let url = format!("file://{}", repo.display());
    let folder = fetch_git(&format!("{url}@{commit}#shared"), &cache).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(folder.join("recipe.toml").is_file());
    assert_eq!(exit_of(test(&folder, false, None, &quiet())), Exit::Done);
    // Cached: a second fetch does not need the repository.
    std::fs::remove_dir_all(&repo).unwrap_or_else(|e| panic!("{e}"));
    let again = fetch_git(&format!("{url}@{commit}#shared"), &cache).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(again, folder);
    // Branch names are not pins.
    let err = fetch_git(&format!("{url}@main"), &cache).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("full 40-hex commit id"), "{err}");
}

#[test]
fn a_builtin_recipe_runs_its_cases_by_name() {
    // `molt recipe test cuda-to-neuron`: the built-in's cases from molt's source tree.
    assert_eq!(exit_of(test(&PathBuf::from("cuda-to-neuron"), false, None, &quiet())), Exit::Done);
    // --cases names another folder; one without cases is a usage error.
    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let err = test(&PathBuf::from("cuda-to-neuron"), false, Some(empty.path()), &quiet()).err();
    assert!(err.is_some_and(|e| e.to_string().contains("no test cases")));
}
