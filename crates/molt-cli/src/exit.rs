//! Exit codes and how errors reach the user.
//!
//! Codes are documented in `molt --help`: 0 done, 1 migration incomplete or
//! checks failed, 2 usage or spec error, 3 environment error. An error's kind
//! decides its code: spec and plan errors are the user's input (2), a missing
//! tool or an unreachable server is the machine's (3); anything else is 1.

use std::process::ExitCode;

use crate::output::Output;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Done = 0,
    Incomplete = 1,
    Usage = 2,
    Environment = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// An error that says the machine lacks something (a tool, a server, a file
/// molt itself needs), as opposed to bad input.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct EnvironmentError(pub String);

/// An error in what the user typed or wrote.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Prints the whole error chain and picks the exit code.
pub fn report(err: &anyhow::Error, out: &Output) -> Exit {
    // A closed pipe (`molt index | head`) is not a failure.
    if err
        .chain()
        .any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
    {
        return Exit::Done;
    }
    let code = classify(err);
    out.error(&chain(err), code);
    code
}

/// The error and each of its causes after a colon, as `{err:#}` writes them,
/// except a cause whose text the error before it already holds: molt's
/// errors say their cause in their own message and keep it as their source
/// too (for the exit code, and for whoever handles them), and the cause said
/// twice helps nobody.
pub fn chain(err: &anyhow::Error) -> String {
    let mut out = String::new();
    let mut before = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.is_empty() {
            out.push_str(&text);
        } else if !before.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        before = text;
    }
    out
}

fn classify(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if cause.is::<UsageError>() || cause.is::<molt_core::SpecError>() || cause.is::<molt_core::PlanError>() {
            return Exit::Usage;
        }
        if let Some(e) = cause.downcast_ref::<molt_agent::Error>() {
            match e {
                molt_agent::Error::Spec(_)
                | molt_agent::Error::PlanFile(_)
                | molt_agent::Error::Plan(_)
                | molt_agent::Error::Glob(_)
                | molt_agent::Error::Template { .. }
                | molt_agent::Error::Recipe(_)
                | molt_agent::Error::RecipePin(_) => return Exit::Usage,
                molt_agent::Error::Io { .. }
                | molt_agent::Error::Model(_)
                | molt_agent::Error::Runtime(_)
                | molt_agent::Error::RecipeFetch(_)
                | molt_agent::Error::NoRecipeCache
                | molt_agent::Error::Busy(_)
                | molt_agent::Error::Environment(_) => return Exit::Environment,
                _ => {}
            }
        }
        if let Some(e) = cause.downcast_ref::<molt_fleet::Error>() {
            return match e {
                molt_fleet::Error::Io { .. } => Exit::Environment,
                _ => Exit::Usage,
            };
        }
        if cause.is::<EnvironmentError>() {
            return Exit::Environment;
        }
    }
    Exit::Incomplete
}

#[cfg(test)]
mod tests;
