use super::*;

fn parent(vars: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
    vars.iter().map(|(k, v)| (OsString::from(k), OsString::from(v))).collect()
}

#[track_caller]
fn check(parent_vars: &[(&str, &str)], extra: &[(&str, &str)], expect: &[&str]) {
    let extra: BTreeMap<String, String> = extra.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let got: Vec<String> =
        check_env(parent(parent_vars), &extra).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(got, expect);
}

#[test]
fn keeps_only_the_allowlist() {
    check(
        &[("PATH", "/bin"), ("HOME", "/h"), ("LC_ALL", "C"), ("EDITOR", "vi"), ("CARGO_TARGET_DIR", "/t")],
        &[],
        &["HOME=/h", "LC_ALL=C", "PATH=/bin"],
    );
}

#[test]
fn secrets_never_pass_even_from_the_check_env() {
    check(
        &[("ANTHROPIC_API_KEY", "sk"), ("AWS_SECRET_ACCESS_KEY", "x"), ("MOLT_LOG", "1"), ("PATH", "/bin")],
        &[("GITHUB_TOKEN", "t"), ("AWS_REGION", "us-east-1"), ("CC", "clang"), ("db_password", "p")],
        &["CC=clang", "PATH=/bin"],
    );
}

#[test]
fn check_env_overrides_the_parent() {
    check(&[("PATH", "/bin")], &[("PATH", "/opt/bin")], &["PATH=/opt/bin"]);
}

#[test]
fn secret_names() {
    for name in ["OPENAI_API_KEY", "openai_api_key", "SESSION_TOKEN", "MY_SECRET_X", "AWS_PROFILE", "MOLT_CONFIG"] {
        assert!(is_secret_name(name), "{name}");
    }
    for name in ["PATH", "HOME", "CC", "CFLAGS", "LANG"] {
        assert!(!is_secret_name(name), "{name}");
    }
}
