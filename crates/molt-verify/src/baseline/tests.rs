use super::*;
use crate::result::Status;
use molt_core::CheckKind;

fn result(name: &str) -> CheckResult {
    CheckResult {
        name: name.into(),
        kind: CheckKind::Build,
        passed: true,
        status: Status::Pass,
        exit_code: Some(0),
        duration_ms: 1,
        counts: None,
        failing: Vec::new(),
        message: None,
        output: String::new(),
        output_bytes: 0,
        bench: None,
        diff: None,
        compiles: None,
        network_isolated: true,
    }
}

#[test]
fn round_trips_through_its_text() {
    let b = Baseline::from_results([result("build"), result("test")], Some("abc".into()));
    let text = b.to_json().unwrap();
    assert!(text.ends_with("}\n"), "{text}");
    assert_eq!(Baseline::parse(Path::new(".molt/baseline.json"), &text).unwrap(), b);
}

#[test]
fn a_broken_file_is_an_error_that_names_it() {
    let err = Baseline::parse(Path::new(".molt/baseline.json"), "{").unwrap_err().to_string();
    assert!(err.contains("baseline.json: not a valid baseline file"), "{err}");
}
