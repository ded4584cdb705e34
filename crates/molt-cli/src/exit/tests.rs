use super::*;

#[derive(Debug, thiserror::Error)]
#[error("reading {path}: {source}")]
struct Says {
    path: &'static str,
    #[source]
    source: std::io::Error,
}

#[derive(Debug, thiserror::Error)]
#[error("loading the plan")]
struct Quiet {
    #[source]
    source: std::io::Error,
}

fn io() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")
}

/// Regression guard: errors that say their cause and keep it as their source
/// printed it twice (`reading x: no such file: no such file`).
#[test]
fn a_cause_its_error_already_says_is_printed_once() {
    let err = anyhow::Error::new(Says { path: "x", source: io() });
    assert_eq!(format!("{err:#}"), "reading x: no such file: no such file");
    assert_eq!(chain(&err), "reading x: no such file");
}

#[test]
fn a_cause_its_error_does_not_say_follows_it_as_with_the_alternate_format() {
    let err = anyhow::Error::new(Quiet { source: io() }).context("molt run");
    assert_eq!(chain(&err), format!("{err:#}"));
    assert_eq!(chain(&err), "molt run: loading the plan: no such file");
}

/// molt-agent's errors keep what they wrap as their source, with the
/// message they had when they held its text.
#[test]
fn a_git_error_keeps_its_source_and_its_message() {
    let err = anyhow::Error::new(molt_agent::Error::from_git(molt_git::Error::NoCommits));
    assert_eq!(chain(&err), "git: the repository has no commits yet; commit something first, molt branches from HEAD");
    assert!(err.chain().any(|c| c.downcast_ref::<molt_git::Error>().is_some()));
    assert_eq!(classify(&err), Exit::Incomplete);
    let err = anyhow::Error::new(molt_agent::Error::RecipePin(molt_git::Error::NoCommits));
    assert_eq!(classify(&err), Exit::Usage);
    assert_eq!(classify(&anyhow::Error::new(molt_agent::Error::NoRecipeCache)), Exit::Environment);
}
