use super::compiler::generated;
use super::edits::splice;
use super::*;

/// The smallest member, end to end, in the normal suite: downloaded once
/// (a failed download fails the test; it does not skip), then every
/// function body of `requests` edited, checked, undone and broken. It
/// guards the round trips on real Python that no one here wrote: the
/// leading comment `replace_body` could not undo, whitespace-only lines.
#[test]
fn requests_round_trips_exactly() {
    let member = MEMBERS.iter().find(|m| m.name == "requests").expect("the requests member");
    let root = fetch(member).expect("downloading the pinned requests sdist");
    let fig = measure(member, &root, false).expect("measuring");
    let report = fig.render("");
    assert!(fig.files > 20 && fig.functions > 300, "{report}");
    assert_eq!(fig.refused_valid, 0, "{report}");
    assert_eq!(fig.applied, fig.attempted, "{report}");
    assert_eq!(fig.exact, fig.applied, "{report}");
    assert_eq!(fig.undone, fig.applied, "{report}");
    assert_eq!(fig.restored, fig.applied, "{report}");
    assert!(fig.broken_sets > 20, "{report}");
    assert_eq!(fig.named_right, fig.broken_sets, "{report}");
    assert_eq!(fig.right_line, fig.broken_sets, "{report}");
}

#[test]
fn splice_puts_each_piece_at_its_range() {
    assert_eq!(splice("abcdef", [((1, 2), "X"), ((4, 4), "YY")]), "aXcdYYef");
}

#[test]
fn definitions_generated_by_macro_calls_are_told_from_code() {
    let lines = |t: &str| t.lines().map(str::to_owned).collect::<Vec<_>>();
    assert!(generated(&lines("  C(sse3, 0)\n  C(pclmuldq, 1)\n"), 1));
    assert!(generated(&lines("IOMETHODS(\n  posixIoFinder,\n  0\n)\nint x;\n"), 1));
    assert!(!generated(&lines("int f(int a)\n{\n}\n"), 1));
    assert!(!generated(&lines("f(void)\n{ return 1; }\n"), 1));
    assert!(!generated(&lines("f(void) { return 1; }\n"), 1));
}
