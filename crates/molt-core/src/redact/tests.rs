use super::*;

#[track_caller]
fn check(input: &str, expect: &str) {
    assert_eq!(redact(input), expect);
}

#[test]
fn each_known_shape_is_replaced_by_its_kind() {
    check("key sk-proj-AbCdEf0123456789xyzXYZ done", "key [REDACTED:openai-key] done");
    check("sk-ant-api03-AbCdEf0123456789_xyz-XYZ", "[REDACTED:anthropic-key]");
    check("id=AKIAIOSFODNN7EXAMPLE,", "id=[REDACTED:aws-access-key-id],");
    check(
        "aws_secret_access_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"",
        "aws_secret_access_key = \"[REDACTED:aws-secret-access-key]\"",
    );
    check(
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_SECRET_ACCESS_KEY=[REDACTED:aws-secret-access-key]",
    );
    check("token ghp_0123456789abcdefghijABCDEFGHIJ012345.", "token [REDACTED:github-token].");
    check("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n", "[REDACTED:private-key]\n");
}

#[test]
fn look_alikes_are_left_alone() {
    for text in [
        // A commit id and a sha256 are not secrets.
        "merged 3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e4b6d8f0a",
        "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        // A 40-character base64 blob without a name.
        "blob wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        // Words that merely start like keys.
        "task-sk-small, ask-for-help, sk-short",
        "AKIA is a prefix",
    ] {
        check(text, text);
        assert!(!has_secret(text), "{text}");
    }
}

#[test]
fn redacting_json_keeps_it_json() {
    let json = serde_json::json!({"output": "printed sk-test-0123456789abcdefghijklmn and ghp_0123456789abcdefghijABCDEFGHIJ012345"})
        .to_string();
    let redacted = redact(&json);
    let back: serde_json::Value = serde_json::from_str(&redacted).unwrap();
    // A named AWS secret inside a JSON string, its quotes escaped.
    let json =
        serde_json::json!({"text": "aws_secret_access_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\""}).to_string();
    assert!(!redact(&json).contains("wJalrXUtnFEMI"), "{json}");
    // ...and inside a JSON string inside a JSON string (a tool result in a transcript).
    let twice = serde_json::json!({"content": json}).to_string();
    assert!(!redact(&twice).contains("wJalrXUtnFEMI"), "{twice}");
    assert_eq!(back["output"], "printed [REDACTED:openai-key] and [REDACTED:github-token]");
}

#[test]
fn text_without_secrets_is_borrowed() {
    assert!(matches!(redact("plain text"), Cow::Borrowed(_)));
}
