use super::*;

fn check_price(model: &str, expect: Option<(f64, f64)>) {
    let got = builtin_price(model).map(|p| (p.input, p.output));
    assert_eq!(got, expect, "model {model}");
}

#[test]
fn price_table_matches_longest_prefix_and_strips_vendor_prefixes() {
    check_price("claude-sonnet-4-5-20250929", Some((3.0, 15.0)));
    check_price("us.anthropic.claude-3-5-sonnet-20240620-v1:0", Some((3.0, 15.0)));
    check_price("anthropic/claude-opus-4-5", Some((5.0, 25.0)));
    check_price("claude-opus-4-20250514", Some((15.0, 75.0)));
    check_price("gpt-4o-mini-2024-07-18", Some((0.15, 0.60)));
    check_price("gpt-4o", Some((2.50, 10.0)));
    check_price("GPT-4.1-mini", Some((0.40, 1.60)));
    check_price("openai/gpt-5", Some((1.25, 10.0)));
    check_price("us.amazon.nova-pro-v1:0", Some((0.80, 3.20)));
    check_price("llama3.1:8b", None);
    check_price("", None);
}

#[test]
fn override_wins_over_table() {
    let mine = Price::new(1.0, 2.0, 0.0, 0.0);
    assert_eq!(price_for("gpt-4o", Some(&mine)), Some(mine));
    assert_eq!(price_for("llama3.1:8b", Some(&mine)), Some(mine));
    assert_eq!(price_for("gpt-4o", None).map(|p| p.input), Some(2.50));
}

#[test]
fn cost_prices_each_bucket() {
    let price = Price::new(3.0, 15.0, 0.30, 3.75);
    let usage = Usage { input: 1_000_000, output: 100_000, cache_read: 2_000_000, cache_write: 400_000 };
    // 3.00 + 1.50 + 0.60 + 1.50
    assert!((usage.cost(&price) - 6.60).abs() < 1e-9, "{}", usage.cost(&price));
    assert_eq!(usage.total_input(), 3_400_000);
    assert_eq!(usage.total(), 3_500_000);
    assert_eq!(Usage::default().cost(&price), 0.0);
}

#[test]
fn usage_adds_bucketwise() {
    let mut a = Usage { input: 1, output: 2, cache_read: 3, cache_write: 4 };
    a += Usage { input: 10, output: 20, cache_read: 30, cache_write: 40 };
    assert_eq!(a, Usage { input: 11, output: 22, cache_read: 33, cache_write: 44 });
    let big = Usage::new(u64::MAX, 1) + Usage::new(1, 1);
    assert_eq!(big.input, u64::MAX);
}

#[test]
fn usage_serializes_with_defaults() {
    let u: Usage = serde_json::from_str(r#"{"input": 5, "output": 7}"#).unwrap();
    assert_eq!(u, Usage::new(5, 7));
    assert_eq!(serde_json::to_string(&u).unwrap(), r#"{"input":5,"output":7,"cache_read":0,"cache_write":0}"#);
}
