//! The resources: the plan, the report and each task's transcript, read
//! from `.molt/` as the run wrote them.

use std::path::PathBuf;

use rmcp::model::{Resource, ResourceContents, ResourceTemplate};

use super::page::{head, ANSWER_MAX_BYTES};
use super::Repo;

pub const PLAN_URI: &str = "molt://plan";
pub const REPORT_URI: &str = "molt://report";
pub const TRANSCRIPT_PREFIX: &str = "molt://transcripts/";

fn transcripts(repo: &Repo) -> PathBuf {
    molt_agent::workspace::Workspace::new(&repo.root).transcripts_dir()
}

/// The resources that exist now.
pub fn list(repo: &Repo) -> Vec<Resource> {
    let ws = molt_agent::workspace::Workspace::new(&repo.root);
    let mut out = Vec::new();
    if ws.plan_path().is_file() {
        out.push(
            Resource::new(PLAN_URI, "plan")
                .with_description("The migration's task graph (.molt/plan.json).")
                .with_mime_type("application/json"),
        );
    }
    if ws.report_paths()[0].clone().is_file() {
        out.push(
            Resource::new(REPORT_URI, "report")
                .with_description("The last run's report (.molt/report.md).")
                .with_mime_type("text/markdown"),
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(transcripts(repo))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".jsonl").map(str::to_owned))
        .collect();
    names.sort();
    for task in names {
        out.push(
            Resource::new(format!("{TRANSCRIPT_PREFIX}{task}"), format!("transcript {task}"))
                .with_description("The coder agent's conversation on this task (JSON lines).")
                .with_mime_type("application/jsonl"),
        );
    }
    out
}

pub fn templates() -> Vec<ResourceTemplate> {
    vec![ResourceTemplate::new(format!("{TRANSCRIPT_PREFIX}{{task}}"), "transcript")
        .with_description("The coder agent's conversation on a task of the plan (JSON lines).")
        .with_mime_type("application/jsonl")]
}

/// The text of `uri`, cut to [`ANSWER_MAX_BYTES`] with a last line saying so.
pub fn read(repo: &Repo, uri: &str) -> Result<ResourceContents, String> {
    let ws = molt_agent::workspace::Workspace::new(&repo.root);
    let (path, missing) = match uri {
        PLAN_URI => (ws.plan_path(), "no plan yet; the plan tool or `molt plan` makes one"),
        REPORT_URI => (ws.report_paths()[0].clone(), "no report yet; `molt run` or `molt report` writes it"),
        _ => match uri.strip_prefix(TRANSCRIPT_PREFIX) {
            Some(task)
                if !task.is_empty()
                    && !task.starts_with('.')
                    && task.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) =>
            {
                (ws.transcript_path(task), "no transcript for this task")
            }
            _ => {
                let shown: String = uri.chars().take(128).collect();
                return Err(format!(
                    "unknown resource `{shown}`; the resources are {PLAN_URI}, {REPORT_URI} and {TRANSCRIPT_PREFIX}{{task}}"
                ));
            }
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing.to_owned()),
        Err(e) => return Err(format!("reading {uri}: {e}")),
    };
    let (mut text, cut) = head(&text, ANSWER_MAX_BYTES - 200);
    if let Some(cut) = cut {
        text.push_str(&format!(
            "\n[molt: {cut}; the whole file is .molt/{}]",
            path.strip_prefix(ws.dir()).unwrap_or(&path).display()
        ));
    }
    Ok(ResourceContents::text(text, uri))
}
