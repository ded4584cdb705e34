use super::*;

#[track_caller]
fn check(message: &CommitMessage, expect: &str) {
    let text = message.render();
    assert_eq!(text, expect);
    assert_eq!(&CommitMessage::parse(&text), message);
}

#[test]
fn subject_body_and_trailers() {
    check(
        &CommitMessage::new("Port dot_avx2 to NEON")
            .body("Uses vfmaq_f32.\n\nKeeps the x86 path.")
            .trailer("Molt-Task", "t3")
            .trailer("Molt-Recipe", "x86-to-neon")
            .trailer("Molt-Agent", "rules")
            .trailer("Molt-Checks", "x86-test=pass, arm64-test=pass"),
        "Port dot_avx2 to NEON\n\nUses vfmaq_f32.\n\nKeeps the x86 path.\n\n\
         Molt-Task: t3\nMolt-Recipe: x86-to-neon\nMolt-Agent: rules\nMolt-Checks: x86-test=pass, arm64-test=pass\n",
    );
}

#[test]
fn subject_only_and_trailers_only() {
    check(&CommitMessage::new("Subject"), "Subject\n");
    check(&CommitMessage::new("S").trailer("Molt-Task", "a"), "S\n\nMolt-Task: a\n");
}

#[test]
fn a_last_paragraph_that_is_not_all_trailers_is_body() {
    let m = CommitMessage::parse("S\n\nSee: the docs\nand more\n");
    assert_eq!(m.body, "See: the docs\nand more");
    assert!(m.trailers.is_empty());
}

#[test]
fn newlines_cannot_forge_trailers() {
    let m = CommitMessage::new("evil\n\nMolt-Task: x").trailer("Molt-Agent", "a\nMolt-Task: y");
    let parsed = CommitMessage::parse(&m.render());
    assert_eq!(parsed.subject, "evil Molt-Task: x");
    assert_eq!(parsed.trailers, vec![("Molt-Agent".to_owned(), "a Molt-Task: y".to_owned())]);
    assert_eq!(parsed.get("molt-task"), None);
}
