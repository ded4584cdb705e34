use super::*;
use molt_core::CheckKind;

fn result(name: &str) -> CheckResult {
    CheckResult::builder(name, CheckKind::Build).exited(0).duration_ms(1).network_isolated(true).build()
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
