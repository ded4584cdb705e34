//! The semantic checks of a spec that serde cannot express: usable names,
//! unique checks, fields that only some kinds of check take, globs that
//! compile, numbers in range.

use std::collections::BTreeMap;

use super::places::Places;
use super::{kinds, CheckKind, Spec, SpecError};

impl Spec {
    /// Semantic checks serde cannot express. `text` is the source, used to find
    /// line numbers; pass `""` for a spec built in code.
    pub fn validate(&self, file: &str, text: &str) -> Result<(), SpecError> {
        let places = Places::scan(text);
        let err = |line: usize, context: Option<String>, field: Option<&str>, message: String| SpecError {
            file: file.to_owned(),
            line,
            context,
            field: field.map(str::to_owned),
            message,
        };
        let m = &self.migration;
        let mig = Some("[migration]".to_owned());
        if !is_branch_safe(&m.name) {
            return Err(err(
                places.key_line("migration", 0, "name"),
                mig,
                Some("name"),
                format!(
                    "field \"name\": \"{}\" is not a usable branch name; use letters, digits, '.', '_' and '-'",
                    m.name
                ),
            ));
        }
        if m.goal.trim().is_empty() {
            return Err(err(
                places.key_line("migration", 0, "goal"),
                mig,
                Some("goal"),
                "field \"goal\" is empty; say in a sentence what the migration is for".to_owned(),
            ));
        }
        if m.attempts == 0 {
            return Err(err(
                places.key_line("migration", 0, "attempts"),
                mig,
                Some("attempts"),
                "field \"attempts\" must be at least 1".to_owned(),
            ));
        }
        for (field, globs) in [("include", &m.include), ("protected", &m.protected)] {
            for g in globs {
                if let Err(e) = globset::Glob::new(g) {
                    return Err(err(
                        places.key_line("migration", 0, field),
                        mig,
                        Some(field),
                        format!("field \"{field}\": bad glob \"{g}\": {}", e.kind()),
                    ));
                }
            }
        }
        if let Some(model) = &self.model {
            let ctx = Some("[model]".to_owned());
            if model.model.trim().is_empty() {
                return Err(err(
                    places.key_line("model", 0, "model"),
                    ctx,
                    Some("model"),
                    "field \"model\" is empty; name the model to call".to_owned(),
                ));
            }
            for (field, value) in [("max_usd", model.max_usd), ("max_usd_per_task", model.max_usd_per_task)] {
                if let Some(v) = value {
                    if !(v.is_finite() && v > 0.0) {
                        return Err(err(
                            places.key_line("model", 0, field),
                            ctx,
                            Some(field),
                            format!("field \"{field}\" must be a positive number of dollars, not {v}"),
                        ));
                    }
                }
            }
        }
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, c) in self.checks.iter().enumerate() {
            let ctx = Some(format!("check \"{}\"", c.name));
            let line = |key: &str| places.key_line("check", i, key);
            if c.name.is_empty() || !c.name.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch)) {
                return Err(err(
                    line("name"),
                    ctx,
                    Some("name"),
                    "field \"name\": use letters, digits, '.', '_' and '-'".to_owned(),
                ));
            }
            if let Some(first) = seen.insert(&c.name, i) {
                return Err(err(
                    line("name"),
                    ctx,
                    Some("name"),
                    format!("duplicate check name (first defined on line {})", places.key_line("check", first, "name")),
                ));
            }
            if let Some((at, field, message)) = kinds::check_fields(c) {
                let at = match at {
                    kinds::At::Key => line(field),
                    kinds::At::Table => places.table_line("check", i),
                };
                return Err(err(at, ctx, Some(field), message));
            }
            if c.timeout_secs == 0 {
                return Err(err(
                    line("timeout_secs"),
                    ctx,
                    Some("timeout_secs"),
                    "field \"timeout_secs\" must be at least 1".to_owned(),
                ));
            }
            let only = |field: &str, present: bool, kind: CheckKind| -> Result<(), SpecError> {
                if present && c.kind != kind {
                    return Err(err(
                        line(field),
                        Some(format!("check \"{}\"", c.name)),
                        Some(field),
                        format!("field \"{field}\" only applies to {kind} checks, and this one is a {} check", c.kind),
                    ));
                }
                Ok(())
            };
            only("runs", c.runs.is_some(), CheckKind::Bench)?;
            only("max_regression", c.max_regression.is_some(), CheckKind::Bench)?;
            only("reference", c.reference.is_some(), CheckKind::Diff)?;
            only("rel_tol", c.rel_tol.is_some(), CheckKind::Diff)?;
            only("abs_tol", c.abs_tol.is_some(), CheckKind::Diff)?;
            only("ulps", c.ulps.is_some(), CheckKind::Diff)?;
            only("patterns", !c.patterns.is_empty(), CheckKind::Absent)?;
            only("files", !c.files.is_empty(), CheckKind::Absent)?;
            only("exclude", c.exclude.is_some(), CheckKind::Absent)?;
            if c.max_compiles_after_warmup.is_some() && !matches!(c.kind, CheckKind::Test | CheckKind::Build) {
                return Err(err(
                    line("max_compiles_after_warmup"),
                    ctx,
                    Some("max_compiles_after_warmup"),
                    format!(
                        "field \"max_compiles_after_warmup\" only applies to test and build checks, and this one is a {} check",
                        c.kind
                    ),
                ));
            }
            if c.runs == Some(0) {
                return Err(err(line("runs"), ctx, Some("runs"), "field \"runs\" must be at least 1".to_owned()));
            }
            if let Some(r) = c.max_regression {
                if !(r.is_finite() && r >= 0.0) {
                    return Err(err(
                        line("max_regression"),
                        ctx,
                        Some("max_regression"),
                        format!("field \"max_regression\" must be a fraction of at least 0 (0.05 = 5%), not {r}"),
                    ));
                }
            }
            if let Some(n) = c.sandbox.nice.filter(|&n| n > 19) {
                return Err(err(
                    line("sandbox"),
                    ctx,
                    Some("sandbox.nice"),
                    format!("field \"nice\" must be from 0 (molt's own priority) to 19 (the lowest), not {n}"),
                ));
            }
            if c.kind == CheckKind::Diff && c.reference.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(err(
                    places.table_line("check", i),
                    ctx,
                    Some("reference"),
                    "missing required field \"reference\": a diff check compares `run` against the output of `reference`"
                        .to_owned(),
                ));
            }
        }
        Ok(())
    }
}

fn is_branch_safe(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['.', '-'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}
