use super::*;

#[test]
fn requests_per_minute_window() {
    let l = RateLimiter::new(Some(2), None);
    let t0 = Instant::now();
    assert_eq!(l.try_acquire(0, t0), None);
    assert_eq!(l.try_acquire(0, t0 + Duration::from_secs(10)), None);
    // The third request waits until the first leaves the window.
    assert_eq!(l.try_acquire(0, t0 + Duration::from_secs(20)), Some(Duration::from_secs(40)));
    assert_eq!(l.try_acquire(0, t0 + Duration::from_secs(60)), None);
}

#[test]
fn tokens_per_minute_window() {
    let l = RateLimiter::new(None, Some(1000));
    let t0 = Instant::now();
    assert_eq!(l.try_acquire(600, t0), None);
    assert_eq!(l.try_acquire(300, t0 + Duration::from_secs(5)), None);
    assert_eq!(l.try_acquire(300, t0 + Duration::from_secs(30)), Some(Duration::from_secs(30)));
    // Settling with the real usage frees room.
    l.settle(600, 100);
    assert_eq!(l.try_acquire(300, t0 + Duration::from_secs(30)), None);
    // A request larger than the cap goes alone once the window empties.
    let big = RateLimiter::new(None, Some(10));
    assert_eq!(big.try_acquire(50, t0), None);
    assert!(big.try_acquire(50, t0 + Duration::from_secs(1)).is_some());
    assert_eq!(big.try_acquire(50, t0 + Duration::from_secs(61)), None);
}

#[test]
fn pause_is_shared_by_clones() {
    let l = RateLimiter::unlimited();
    let other = l.clone();
    let t0 = Instant::now();
    l.pause_until(t0 + Duration::from_secs(3));
    assert_eq!(other.try_acquire(0, t0 + Duration::from_secs(1)), Some(Duration::from_secs(2)));
    assert_eq!(other.try_acquire(0, t0 + Duration::from_secs(3)), None);
}
