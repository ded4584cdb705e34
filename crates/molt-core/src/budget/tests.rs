use super::*;

fn limits(max_usd: Option<f64>, max_tokens: Option<u64>, task_usd: Option<f64>, task_tokens: Option<u64>) -> Limits {
    Limits { max_usd, max_tokens, max_usd_per_task: task_usd, max_tokens_per_task: task_tokens }
}

#[test]
fn no_caps_admits_everything() {
    let mut b = Budget::new(Limits::default());
    let r = b.reserve(Some("t01"), 1e9, u64::MAX).unwrap();
    b.settle(r, 3.0, 100);
    assert_eq!(b.spent(), Spent { usd: 3.0, tokens: 100, calls: 1 });
    assert_eq!(b.task_spent("t01"), Spent { usd: 3.0, tokens: 100, calls: 1 });
    assert_eq!(b.in_flight(), Spent::default());
}

#[test]
fn reservations_count_until_settled() {
    let mut b = Budget::new(limits(Some(1.0), None, None, None));
    let a = b.reserve(None, 0.6, 10).unwrap();
    // A second worst case of 0.6 does not fit next to the open 0.6.
    let err = b.reserve(None, 0.6, 10).unwrap_err();
    assert_eq!((err.scope.clone(), err.cap, err.in_flight), (Scope::Run, Cap::Usd, 0.6));
    // Settling with the real (smaller) cost frees the rest.
    b.settle(a, 0.1, 10);
    let c = b.reserve(None, 0.6, 10).unwrap();
    b.release(c);
    assert_eq!(b.spent().calls, 1);
    assert!((b.spent().usd - 0.1).abs() < 1e-12);
}

#[test]
fn task_caps_are_per_task() {
    let mut b = Budget::new(limits(None, None, None, Some(1000)));
    let r = b.reserve(Some("t01"), 0.0, 900).unwrap();
    b.settle(r, 0.0, 900);
    let err = b.reserve(Some("t01"), 0.0, 200).unwrap_err();
    assert_eq!(err.scope, Scope::Task("t01".into()));
    assert_eq!(err.key(), "max_tokens_per_task");
    let other = b.reserve(Some("t02"), 0.0, 200).unwrap();
    b.release(other);
}

#[test]
fn spent_cap_refuses_even_a_free_call() {
    let mut b = Budget::new(limits(Some(1.0), None, None, None));
    let r = b.reserve(None, 0.5, 0).unwrap();
    // The estimate was low: the call cost more than the cap.
    b.settle(r, 1.5, 0);
    assert!(b.reserve(None, 0.0, 0).is_err());
}

#[test]
fn resume_with_larger_cap() {
    let mut b = Budget::new(limits(Some(1.0), None, None, None));
    let r = b.reserve(Some("t01"), 0.9, 5).unwrap();
    b.settle(r, 0.9, 5);
    assert!(b.reserve(Some("t01"), 0.2, 5).is_err());
    let saved = serde_json::to_string(&(b.spent(), b.tasks())).unwrap();
    let (run, tasks): (Spent, BTreeMap<String, Spent>) = serde_json::from_str(&saved).unwrap();
    let mut resumed = Budget::with_spent(limits(Some(2.0), None, None, None), run, tasks);
    let r = resumed.reserve(Some("t01"), 0.2, 5).unwrap();
    resumed.settle(r, 0.2, 5);
    assert_eq!(resumed.task_spent("t01").calls, 2);
}

#[test]
fn errors_say_what_to_change() {
    let mut b = Budget::new(limits(Some(20.0), Some(1_000_000), Some(0.5), None));
    let r = b.reserve(Some("t03"), 0.45, 10).unwrap();
    b.settle(r, 0.45, 10);
    let task = b.reserve(Some("t03"), 0.10, 10).unwrap_err().to_string();
    let run = b.reserve(None, 30.0, 10).unwrap_err().to_string();
    let tokens = b.reserve(None, 0.0, 2_000_000).unwrap_err().to_string();
    insta::assert_snapshot!(format!("{task}\n{run}\n{tokens}"), @r"
    budget exhausted: task t03 would exceed max_usd_per_task = $0.50 ($0.4500 spent, $0.0000 in flight, this call may cost up to $0.1000); raise max_usd_per_task in the [model] table of molt.toml and run `molt resume`
    budget exhausted: the run would exceed max_usd = $20.00 ($0.4500 spent, $0.0000 in flight, this call may cost up to $30.0000); raise max_usd in the [model] table of molt.toml and run `molt resume`
    budget exhausted: the run would exceed max_tokens = 1000000 tokens (10 spent, 0 in flight, this call may use up to 2000000); raise max_tokens in the [model] table of molt.toml and run `molt resume`
    ");
}

#[test]
fn non_finite_costs_do_not_poison_totals() {
    let mut b = Budget::new(limits(Some(1.0), None, None, None));
    assert!(b.reserve(None, f64::NAN, 0).is_err());
    let r = b.reserve(None, 0.1, 0).unwrap();
    b.settle(r, f64::INFINITY, 0);
    assert_eq!(b.spent().usd, 0.0);
}
