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
fn round_trips_through_the_file() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(Baseline::load(dir.path()).unwrap(), None);
    let b = Baseline::from_results([result("build"), result("test")], Some("abc".into()));
    let path = b.save(dir.path()).unwrap();
    assert_eq!(path, dir.path().join(".molt/baseline.json"));
    assert_eq!(Baseline::load(dir.path()).unwrap(), Some(b.clone()));
    // Saving again replaces the file and leaves no temp file behind.
    b.save(dir.path()).unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.path().join(".molt")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("baseline.json")]);
}

#[test]
fn a_broken_file_is_an_error_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".molt")).unwrap();
    std::fs::write(dir.path().join(".molt/baseline.json"), "{").unwrap();
    let err = Baseline::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("baseline.json: not a valid baseline file"), "{err}");
}
