use super::*;

fn check(headers: &[(&str, &str)], expect: Option<f64>) {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let got = retry_after_from_headers(headers, now).map(|d| d.as_secs_f64());
    assert_eq!(got, expect, "{headers:?}");
}

#[test]
fn retry_after_forms() {
    check(&[], None);
    check(&[("retry-after", "3")], Some(3.0));
    check(&[("Retry-After", "1.5")], Some(1.5));
    check(&[("retry-after-ms", "250"), ("retry-after", "9")], Some(0.25));
    // 1_700_000_000 is Tue, 14 Nov 2023 22:13:20 GMT.
    check(&[("retry-after", "Tue, 14 Nov 2023 22:13:30 GMT")], Some(10.0));
    check(&[("retry-after", "Tue, 14 Nov 2023 22:13:00 GMT")], Some(0.0));
    check(&[("retry-after", "soon")], None);
    check(&[("retry-after", "-1")], None);
}

#[test]
fn rate_limit_reset_headers() {
    check(&[("x-ratelimit-reset-requests", "1s"), ("x-ratelimit-reset-tokens", "6m0s")], Some(360.0));
    check(&[("x-ratelimit-reset-tokens", "20ms")], Some(0.02));
    check(&[("x-ratelimit-reset-tokens", "1h2m3.5s")], Some(3723.5));
    check(&[("x-ratelimit-reset-tokens", "abc")], None);
    check(&[("anthropic-ratelimit-tokens-reset", "2023-11-14T22:13:25Z")], Some(5.0));
    check(&[("anthropic-ratelimit-requests-remaining", "0")], None);
}

#[test]
fn backoff_doubles_with_jitter_and_caps() {
    let p = RetryPolicy {
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(1000),
        ..RetryPolicy::default()
    };
    for (attempt, full) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (40, 1000)] {
        let full = Duration::from_millis(full);
        for _ in 0..20 {
            let d = p.backoff(attempt);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
    }
}
