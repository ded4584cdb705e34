use std::collections::BTreeMap;

use super::*;

/// A plan from `(id, deps)` pairs.
fn plan(tasks: &[(&str, &[&str])]) -> Plan {
    Plan {
        version: 1,
        migration: "m".to_owned(),
        tasks: tasks
            .iter()
            .map(|(id, deps)| Task {
                id: TaskId::new(*id),
                title: format!("task {id}"),
                instruction: String::new(),
                files: vec![],
                sites: vec![],
                depends_on: deps.iter().map(|d| TaskId::new(*d)).collect(),
                checks: vec![],
                estimate_tokens: 0,
            })
            .collect(),
    }
}

fn ids(v: &[TaskId]) -> Vec<&str> {
    v.iter().map(TaskId::as_str).collect()
}

fn states(pairs: &[(&str, TaskState)]) -> BTreeMap<TaskId, TaskState> {
    pairs.iter().map(|(id, s)| (TaskId::new(*id), *s)).collect()
}

#[test]
fn topological_order_of_a_diamond() {
    // a is needed by b and c, which are both needed by d.
    let p = plan(&[("d", &["b", "c"]), ("c", &["a"]), ("b", &["a"]), ("a", &[])]);
    p.validate().unwrap();
    assert_eq!(ids(&p.topological_order().unwrap()), ["a", "c", "b", "d"]);
}

#[test]
fn topological_order_of_a_long_chain() {
    let names: Vec<String> = (0..200).map(|i| format!("t{i:03}")).collect();
    // Written in reverse so the order must come from the edges, not the file.
    let mut tasks: Vec<(&str, Vec<&str>)> = Vec::new();
    for i in (0..200).rev() {
        let deps = if i == 0 { vec![] } else { vec![names[i - 1].as_str()] };
        tasks.push((names[i].as_str(), deps));
    }
    let refs: Vec<(&str, &[&str])> = tasks.iter().map(|(id, d)| (*id, d.as_slice())).collect();
    let p = plan(&refs);
    p.validate().unwrap();
    let order = p.topological_order().unwrap();
    assert_eq!(ids(&order), names.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn independent_tasks_keep_file_order() {
    let p = plan(&[("z", &[]), ("y", &[]), ("x", &[])]);
    assert_eq!(ids(&p.topological_order().unwrap()), ["z", "y", "x"]);
}

#[test]
fn ready_set_follows_commits() {
    let p = plan(&[("a", &[]), ("b", &["a"]), ("c", &["a"]), ("d", &["b", "c"]), ("e", &[])]);
    assert_eq!(ids(&p.ready(&states(&[]))), ["a", "e"]);
    assert_eq!(ids(&p.ready(&states(&[("a", TaskState::Running)]))), ["e"]);
    let s = states(&[("a", TaskState::Committed), ("e", TaskState::Committed)]);
    assert_eq!(ids(&p.ready(&s)), ["b", "c"]);
    let s = states(&[("a", TaskState::Committed), ("b", TaskState::Committed), ("c", TaskState::Running)]);
    assert_eq!(ids(&p.ready(&s)), ["e"]);
    let s = states(&[
        ("a", TaskState::Committed),
        ("b", TaskState::Committed),
        ("c", TaskState::Committed),
        ("e", TaskState::Committed),
    ]);
    assert_eq!(ids(&p.ready(&s)), ["d"]);
}

#[test]
fn a_failure_blocks_its_dependants_transitively() {
    let p = plan(&[("a", &[]), ("b", &["a"]), ("c", &["b"]), ("d", &[]), ("e", &["c", "d"])]);
    let s = states(&[("a", TaskState::Failed), ("d", TaskState::Committed)]);
    assert_eq!(ids(&p.blocked_by_failures(&s)), ["b", "c", "e"]);
    assert!(p.ready(&s).is_empty());
}

#[test]
fn ancestors_are_transitive() {
    let p = plan(&[("a", &[]), ("b", &["a"]), ("c", &["b"]), ("d", &[])]);
    let anc: Vec<String> = p.ancestors(&TaskId::new("c")).into_iter().map(|t| t.0).collect();
    assert_eq!(anc, ["a", "b"]);
}

const FILE: &str = r#"{
  "migration": "m",
  "tasks": [
    { "id": "a", "title": "A" },
    { "id": "b", "title": "B", "depends_on": ["c"] },
    { "id": "c", "title": "C", "depends_on": ["d"] },
    { "id": "d", "title": "D", "depends_on": ["b"] }
  ]
}
"#;

#[test]
fn cycle_is_named_with_its_line() {
    let e = Plan::parse("plan.json", FILE).unwrap_err();
    assert_eq!(e.to_string(), "plan.json:5: dependency cycle: b -> c -> d -> b");
}

#[test]
fn self_dependency_is_a_cycle() {
    let text = FILE.replace("\"depends_on\": [\"c\"]", "\"depends_on\": [\"b\"]");
    let e = Plan::parse("plan.json", &text).unwrap_err();
    assert_eq!(e.to_string(), "plan.json:5: dependency cycle: b -> b");
}

#[test]
fn dangling_dependency_is_named_with_a_suggestion() {
    let text = FILE.replace("\"depends_on\": [\"b\"]", "\"depends_on\": [\"bb\"]");
    let e = Plan::parse("plan.json", &text).unwrap_err();
    assert_eq!(e.to_string(), "plan.json:7: task \"d\": field \"depends_on\": no task \"bb\"; did you mean \"b\"?");
}

#[test]
fn duplicate_id_names_both_lines() {
    let text = FILE.replace("\"id\": \"c\"", "\"id\": \"a\"").replace("[\"c\"]", "[]");
    let e = Plan::parse("plan.json", &text).unwrap_err();
    assert_eq!(e.to_string(), "plan.json:6: duplicate task id \"a\" (also on line 4)");
}

#[test]
fn unknown_field_and_wrong_type_have_line_and_column() {
    let e = Plan::parse("plan.json", &FILE.replace("\"title\": \"A\"", "\"titel\": \"A\"")).unwrap_err();
    assert!(e.to_string().starts_with("plan.json:4:"), "{e}");
    assert!(e.to_string().contains("unknown field `titel`"), "{e}");
    let e = Plan::parse("plan.json", &FILE.replace("[\"c\"]", "\"c\"")).unwrap_err();
    assert!(e.to_string().starts_with("plan.json:5:"), "{e}");
    assert!(e.to_string().contains("invalid type"), "{e}");
}

#[test]
fn round_trip_through_json() {
    let p = plan(&[("a", &[]), ("b", &["a"])]);
    let back = Plan::parse("plan.json", &p.to_json()).unwrap();
    assert_eq!(back, p);
}

/// Regression: the planner's validation accepted `..` as a task id, which is
/// no git branch name, so the task's worktree could not be made.
#[test]
fn task_ids_follow_git_ref_name_rules() {
    for ok in ["t01-kern", "a.b", "T_1", "x"] {
        assert_eq!(check_task_id(ok), Ok(()), "{ok}");
    }
    for bad in ["..", ".hidden", "-x", "a..b", "t.lock", "t.", "baseline", "_slot-0", "a/b", "", &"x".repeat(101)] {
        assert!(check_task_id(bad).is_err(), "{bad:?} was accepted");
    }
}
