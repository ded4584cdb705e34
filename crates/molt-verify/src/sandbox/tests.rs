use std::os::unix::process::CommandExt;

use super::*;

#[test]
fn the_process_group_is_read_after_the_command_name() {
    assert_eq!(stat_pgrp("42 (sh) S 1 42 42 0 -1"), Some(42));
    // A command name may hold spaces and parentheses.
    assert_eq!(stat_pgrp("7 (a) b (c)) R 3 9 9 0"), Some(9));
    assert_eq!(stat_pgrp("garbage"), None);
    assert_eq!(stat_pgrp("1 (x) S 1"), None);
}

#[test]
fn spec_limits_override_the_defaults_and_zero_lifts_them() {
    let defaults = Limits::of(&CheckSandbox::default(), CheckKind::Test);
    assert!(defaults.isolate_network);
    assert_eq!(defaults.memory_bytes, Some(DEFAULT_MEMORY_MB * 1024 * 1024));
    assert_eq!(defaults.processes, Some(DEFAULT_PROCESSES));
    assert_eq!(defaults.cpu_secs, Some(DEFAULT_CPU_SECS));
    assert_eq!(defaults.nice, DEFAULT_NICE);
    assert_eq!(Limits::of(&CheckSandbox::default(), CheckKind::Bench).nice, 0, "a benchmark runs at molt's priority");
    let custom = Limits::of(
        &CheckSandbox { network: true, memory_mb: Some(0), processes: Some(8), cpu_secs: None, nice: Some(0) },
        CheckKind::Test,
    );
    assert!(!custom.isolate_network);
    assert_eq!(custom.memory_bytes, None);
    assert_eq!(custom.processes, Some(8));
    assert_eq!(custom.nice, 0);
}

#[test]
fn a_process_group_is_counted() {
    let mut child = std::process::Command::new("sleep").arg("30").process_group(0).spawn().unwrap();
    let n = group_size(child.id());
    child.kill().unwrap();
    child.wait().unwrap();
    if std::path::Path::new("/proc/self/stat").exists() {
        assert_eq!(n, Some(1));
    }
}
