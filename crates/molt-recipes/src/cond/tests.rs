use super::*;

#[track_caller]
fn check(cond: &str, expect: Option<i64>) {
    assert_eq!(constant_value(cond), expect, "{cond}");
}

#[test]
fn constant_conditions_are_decided() {
    check("0", Some(0));
    check("1", Some(1));
    check(" 0 /* old kernel */", Some(0));
    check("0 // disabled", Some(0));
    check("(1 + 2) * 3 == 9", Some(1));
    check("0x10 >> 4", Some(1));
    check("!1", Some(0));
    check("1 ? 0 : 1", Some(0));
    check("2 > 1 && 3 < 4", Some(1));
    check("010", Some(8));
    check("1L", Some(1));
}

#[test]
fn conditions_on_macros_are_left_undecided_unless_an_operand_decides() {
    check("defined(__SSE2__)", None);
    check("defined __AVX2__", None);
    check("__GNUC__ >= 4", None);
    check("FOO(1, 2)", None);
    check("0 && defined(__SSE2__)", Some(0));
    check("defined(DEBUG) && 0", Some(0));
    check("1 || defined(X)", Some(1));
    check("0 || defined(X)", None);
    check("X ? 1 : 1", None);
}

#[test]
fn broken_conditions_are_undecided() {
    check("", None);
    check("1 +", None);
    check("(1", None);
    check("1 / 0", None);
    check("'a'", None);
}
