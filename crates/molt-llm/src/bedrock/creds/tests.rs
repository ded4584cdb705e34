use std::path::Path;

use super::*;

fn files(dir: &Path, credentials: &str, config: &str) -> Env {
    std::fs::create_dir_all(dir.join(".aws")).unwrap();
    std::fs::write(dir.join(".aws/credentials"), credentials).unwrap();
    std::fs::write(dir.join(".aws/config"), config).unwrap();
    Env::empty().with("HOME", dir.to_str().unwrap())
}

const CREDENTIALS: &str = "\
# comment
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = secret-default

[work]
aws_access_key_id=AKIDWORK
aws_secret_access_key=secret-work
aws_session_token=token-work
";

const CONFIG: &str = "\
[default]
region = eu-west-1

[profile work]
region = us-west-2
s3 =
  max_concurrent_requests = 20

[profile sso]
sso_session = corp
";

#[test]
fn environment_first() {
    let dir = tempfile::tempdir().unwrap();
    let env = files(dir.path(), CREDENTIALS, CONFIG)
        .with("AWS_ACCESS_KEY_ID", "AKIDENV")
        .with("AWS_SECRET_ACCESS_KEY", "secret-env")
        .with("AWS_SESSION_TOKEN", "token-env")
        .with("AWS_REGION", "ap-south-1");
    let s = resolve_aws(&env, None, None).unwrap();
    assert_eq!(s.credentials.access_key_id, "AKIDENV");
    assert_eq!(s.credentials.session_token.as_deref(), Some("token-env"));
    assert_eq!((s.region.as_str(), s.source.as_str()), ("ap-south-1", "environment"));
    assert!(!format!("{s:?}").contains("secret-env") && !format!("{s:?}").contains("token-env"));
}

#[test]
fn default_and_named_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let env = files(dir.path(), CREDENTIALS, CONFIG);
    let s = resolve_aws(&env, None, None).unwrap();
    assert_eq!((s.credentials.access_key_id.as_str(), s.region.as_str()), ("AKIDDEFAULT", "eu-west-1"));
    let s = resolve_aws(&env.clone().with("AWS_PROFILE", "work"), None, None).unwrap();
    assert_eq!((s.credentials.access_key_id.as_str(), s.region.as_str()), ("AKIDWORK", "us-west-2"));
    assert_eq!(s.credentials.session_token.as_deref(), Some("token-work"));
    // molt.toml's profile and region beat the environment.
    let env = env
        .with("AWS_ACCESS_KEY_ID", "AKIDENV")
        .with("AWS_SECRET_ACCESS_KEY", "x")
        .with("AWS_DEFAULT_REGION", "sa-east-1");
    let s = resolve_aws(&env, Some("work"), Some("us-east-2")).unwrap();
    assert_eq!((s.credentials.access_key_id.as_str(), s.region.as_str()), ("AKIDWORK", "us-east-2"));
    assert_eq!(s.source, "profile \"work\"");
}

#[test]
fn explicit_file_paths() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c"), "[default]\naws_access_key_id=A\naws_secret_access_key=B\nregion=us-east-1\n")
        .unwrap();
    let env = Env::empty()
        .with("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("c").to_str().unwrap())
        .with("AWS_CONFIG_FILE", dir.path().join("missing").to_str().unwrap());
    let s = resolve_aws(&env, None, None).unwrap();
    assert_eq!((s.credentials.access_key_id.as_str(), s.region.as_str()), ("A", "us-east-1"));
}

#[test]
fn errors_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let env = files(dir.path(), CREDENTIALS, CONFIG);
    let sso = resolve_aws(&env, Some("sso"), None).unwrap_err().to_string();
    assert!(sso.contains("uses sso_session") && sso.contains("export-credentials"), "{sso}");
    let none = resolve_aws(&Env::empty(), None, Some("us-east-1")).unwrap_err().to_string();
    assert!(none.contains("AWS_ACCESS_KEY_ID"), "{none}");
    let env = Env::empty().with("AWS_ACCESS_KEY_ID", "A").with("AWS_SECRET_ACCESS_KEY", "B");
    let no_region = resolve_aws(&env, None, None).unwrap_err().to_string();
    assert!(no_region.contains("AWS_REGION"), "{no_region}");
}
