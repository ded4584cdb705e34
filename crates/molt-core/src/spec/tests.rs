use super::*;

const GOOD: &str = r#"[migration]
name = "graviton-port"
goal = "Port the kernels."
recipe = "x86-to-neon"

[[check]]
name = "x86-test"
run = "make test"
kind = "test"

[[check]]
name = "bench"
run = "make bench"
kind = "bench"
max_regression = 0.05
"#;

/// Parses `text` and asserts the error's rendering is exactly `expect`.
#[track_caller]
fn check_err(text: &str, expect: &str) {
    match Spec::parse("molt.toml", text) {
        Ok(spec) => panic!("expected an error, got {spec:?}"),
        Err(e) => assert_eq!(e.to_string(), expect),
    }
}

#[test]
fn good_spec_loads_with_defaults() {
    let spec = Spec::parse("molt.toml", GOOD).unwrap();
    assert_eq!(spec.migration.name, "graviton-port");
    assert_eq!(spec.migration.include, vec!["**"]);
    assert_eq!(spec.migration.protected, vec!["tests/**", "test/**"]);
    assert_eq!(spec.migration.attempts, 3);
    assert_eq!(spec.checks.len(), 2);
    assert_eq!(spec.checks[0].timeout_secs, 600);
    assert_eq!(spec.check("bench").unwrap().bench_runs(), 5);
    assert_eq!(spec.branch(), "molt/graviton-port");
    assert!(spec.model.is_none());
}

#[test]
fn unknown_kind_names_line_check_and_choices() {
    check_err(
        &GOOD.replace("kind = \"bench\"", "kind = \"benchmark\""),
        "molt.toml:14: check \"bench\": unknown kind \"benchmark\"; expected one of build, test, bench, diff, absent",
    );
}

#[test]
fn unknown_key_names_line_table_and_key() {
    check_err(
        &GOOD.replace("goal =", "gaol ="),
        "molt.toml:3: [migration]: unknown key \"gaol\"; expected one of name, goal, recipe, include, protected, attempts",
    );
    let e = Spec::parse("molt.toml", &GOOD.replace("kind = \"test\"", "kind = \"test\"\ntimeout = 5")).unwrap_err();
    assert_eq!(e.line, 10);
    assert_eq!(e.field.as_deref(), Some("timeout"));
    assert_eq!(e.context.as_deref(), Some("check \"x86-test\""));
}

#[test]
fn wrong_type_names_field() {
    check_err(
        &GOOD.replace("max_regression = 0.05", "max_regression = \"five percent\""),
        "molt.toml:15: check \"bench\": field \"max_regression\": expected f64, found string \"five percent\"",
    );
    let e = Spec::parse("molt.toml", &GOOD.replace("kind = \"test\"", "kind = \"test\"\ntimeout_secs = \"soon\""))
        .unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (10, Some("timeout_secs")));
}

#[test]
fn duplicate_check_name_points_at_both() {
    check_err(
        &GOOD.replace("name = \"bench\"", "name = \"x86-test\""),
        "molt.toml:12: check \"x86-test\": duplicate check name (first defined on line 7)",
    );
}

#[test]
fn missing_required_field() {
    let e = Spec::parse("molt.toml", &GOOD.replace("run = \"make test\"\n", "")).unwrap_err();
    assert_eq!(e.to_string(), "molt.toml:6: check \"x86-test\": missing required field \"run\"");
    assert_eq!(e.field.as_deref(), Some("run"));
    let e = Spec::parse("molt.toml", &GOOD.replace("goal = \"Port the kernels.\"\n", "")).unwrap_err();
    assert_eq!(e.to_string(), "molt.toml:1: [migration]: missing required field \"goal\"");
}

#[test]
fn missing_migration_table() {
    let e = Spec::parse("molt.toml", "[[check]]\nname = \"t\"\nrun = \"true\"\nkind = \"test\"\n").unwrap_err();
    assert!(e.to_string().contains("missing required field \"migration\""), "{e}");
}

#[test]
fn toml_syntax_error_has_a_line() {
    let e = Spec::parse("molt.toml", "[migration]\nname = \"x\ngoal = \"y\"\n").unwrap_err();
    assert_eq!(e.line, 2, "{e}");
}

#[test]
fn fields_for_other_kinds_are_refused() {
    check_err(
        &GOOD.replace("kind = \"test\"", "kind = \"test\"\nmax_regression = 0.1"),
        "molt.toml:10: check \"x86-test\": field \"max_regression\" only applies to bench checks, and this one is a test check",
    );
}

#[test]
fn diff_check_needs_a_reference() {
    let text = format!("{GOOD}\n[[check]]\nname = \"same\"\nrun = \"./a\"\nkind = \"diff\"\n");
    check_err(
        &text,
        "molt.toml:17: check \"same\": missing required field \"reference\": a diff check compares `run` against the output of `reference`",
    );
    let ok = format!("{text}reference = \"./b\"\nrel_tol = 1e-5\nulps = 4\n");
    let spec = Spec::parse("molt.toml", &ok).unwrap();
    assert_eq!(spec.check("same").unwrap().ulps, Some(4));
}

#[test]
fn bad_names_and_values() {
    check_err(
        &GOOD.replace("name = \"graviton-port\"", "name = \"graviton port\""),
        "molt.toml:2: [migration]: field \"name\": \"graviton port\" is not a usable branch name; use letters, digits, '.', '_' and '-'",
    );
    check_err(
        &GOOD.replace("recipe = \"x86-to-neon\"", "protected = [\"tests/[\"]"),
        "molt.toml:4: [migration]: field \"protected\": bad glob \"tests/[\": unclosed character class; missing ']'",
    );
    check_err(
        &format!("{GOOD}\n[model]\nprovider = \"anthropic\"\nmodel = \"m\"\nmax_usd = -1.0\n"),
        "molt.toml:20: [model]: field \"max_usd\" must be a positive number of dollars, not -1",
    );
}

#[test]
fn unknown_provider() {
    check_err(
        &format!("{GOOD}\n[model]\nprovider = \"openia\"\nmodel = \"m\"\n"),
        "molt.toml:18: [model]: unknown provider \"openia\"; expected one of openai, anthropic, bedrock",
    );
}

#[test]
fn model_table_loads() {
    let text = format!(
        "{GOOD}\n[model]\nprovider = \"bedrock\"\nmodel = \"anthropic.claude\"\nregion = \"us-west-2\"\n\n[model.price]\ninput = 3.0\noutput = 15.0\n"
    );
    let spec = Spec::parse("molt.toml", &text).unwrap();
    let model = spec.model.unwrap();
    assert_eq!(model.provider, ProviderKind::Bedrock);
    assert_eq!(model.price.unwrap().output, 15.0);
}

#[test]
fn templates_load() {
    for recipe in [None, Some("x86-to-neon"), Some("./recipes/mine.toml")] {
        let text = template(recipe);
        let spec = Spec::parse("molt.toml", &text).unwrap_or_else(|e| panic!("{recipe:?}: {e}\n{text}"));
        assert_eq!(spec.migration.recipe.as_deref(), recipe);
    }
}

#[test]
fn a_check_sandbox_table_sets_limits_and_refuses_unknown_keys() {
    let text = GOOD
        .replace("kind = \"test\"", "kind = \"test\"\nsandbox = { network = true, memory_mb = 2048, processes = 0 }");
    let spec = Spec::parse("molt.toml", &text).unwrap();
    let sandbox = &spec.checks[0].sandbox;
    assert!(sandbox.network);
    assert_eq!((sandbox.memory_mb, sandbox.processes, sandbox.cpu_secs), (Some(2048), Some(0), None));
    assert!(spec.checks[1].sandbox.is_default());
    let e = Spec::parse("molt.toml", &GOOD.replace("kind = \"test\"", "kind = \"test\"\nsandbox = { memory = 5 }"))
        .unwrap_err();
    assert_eq!(e.line, 10, "{e}");
    assert!(e.to_string().contains("memory"), "{e}");
}

#[test]
fn a_check_priority_is_a_nice_increment_up_to_19() {
    let with = |nice: u32| GOOD.replace("kind = \"test\"", &format!("kind = \"test\"\nsandbox = {{ nice = {nice} }}"));
    let spec = Spec::parse("molt.toml", &with(0)).unwrap();
    assert_eq!(spec.checks[0].sandbox.nice, Some(0));
    assert_eq!(spec.checks[1].sandbox.nice, None);
    let e = Spec::parse("molt.toml", &with(20)).unwrap_err();
    assert_eq!(e.line, 10, "{e}");
    assert!(e.to_string().contains("from 0 (molt's own priority) to 19"), "{e}");
}

const PORT: &str = r#"[migration]
name = "neuron-port"
goal = "Port to XLA."
include = ["src/**"]
protected = ["tests/**"]

[[check]]
name = "xla-run"
run = "python tools/xla_run.py"
kind = "test"
max_compiles_after_warmup = 0

[[check]]
name = "no-cuda"
kind = "absent"
patterns = ['\.cuda\(', 'torch\.cuda\.']
"#;

#[test]
fn absent_check_takes_its_files_from_the_migration() {
    let spec = Spec::parse("molt.toml", PORT).unwrap();
    let c = spec.check("no-cuda").unwrap();
    assert_eq!(c.kind, CheckKind::Absent);
    assert_eq!(c.run, "");
    assert_eq!(c.files, ["src/**"]);
    assert_eq!(c.exclude.as_deref(), Some(&["tests/**".to_owned()][..]));
    assert_eq!(spec.check("xla-run").unwrap().max_compiles_after_warmup, Some(0));
    let explicit = PORT.replace("patterns =", "files = [\"**/*.py\"]\nexclude = []\npatterns =");
    let c = Spec::parse("molt.toml", &explicit).unwrap().checks[1].clone();
    assert_eq!((c.files, c.exclude), (vec!["**/*.py".to_owned()], Some(Vec::new())));
}

#[test]
fn absent_and_compile_gate_errors_name_line_and_field() {
    check_err(
        &PORT.replace("patterns = ['\\.cuda\\(', 'torch\\.cuda\\.']\n", ""),
        "molt.toml:13: check \"no-cuda\": missing required field \"patterns\": the regular expressions no line may match",
    );
    check_err(
        &PORT.replace("'torch\\.cuda\\.'", "'torch.cuda.('"),
        "molt.toml:16: check \"no-cuda\": field \"patterns\": bad regular expression \"torch.cuda.(\": error: unclosed group",
    );
    check_err(
        &PORT.replace("kind = \"absent\"", "kind = \"absent\"\nrun = \"grep\""),
        "molt.toml:16: check \"no-cuda\": an absent check runs no command: it searches the files itself; remove \"run\"",
    );
    check_err(
        &PORT.replace("kind = \"absent\"", "kind = \"absent\"\nfiles = [\"src/[\"]"),
        "molt.toml:16: check \"no-cuda\": field \"files\": bad glob \"src/[\": unclosed character class; missing ']'",
    );
    check_err(
        &PORT.replace("kind = \"test\"\n", "kind = \"test\"\npatterns = ['x']\n"),
        "molt.toml:11: check \"xla-run\": field \"patterns\" only applies to absent checks, and this one is a test check",
    );
    check_err(
        &PORT.replace("run = \"python tools/xla_run.py\"\n", ""),
        "molt.toml:7: check \"xla-run\": missing required field \"run\"",
    );
    check_err(
        &PORT.replace("kind = \"test\"", "kind = \"diff\"\nreference = \"x\""),
        "molt.toml:12: check \"xla-run\": field \"max_compiles_after_warmup\" only applies to test and build checks, and this one is a diff check",
    );
}
