//! `cargo xtask record`: re-record the cassettes that the e2e tests replay.
//!
//! A scenario's model side is scripted in its e2e test (a scripted model
//! server on loopback, never a real model), so recording is that test run
//! with `MOLT_RECORD_CASSETTES=1`: it runs the scenario with `--record`,
//! writes the cassette under `fixtures/cassettes/`, then replays it and
//! compares the snapshots as it always does. A changed prompt or tool shows
//! up as a changed cassette in `git diff`, and as snapshots to review with
//! `cargo insta review` when what the run does changed too.

use std::process::Command;

use anyhow::Result;

use crate::{cargo, run};

/// Each cassette and the e2e test that records and replays it.
const SCENARIOS: &[(&str, &str)] = &[
    (
        "fixtures/cassettes/mini-gather.jsonl",
        "cassette::the_committed_cassette_replays_offline_to_the_same_plan_diffs_events_and_report",
    ),
    (
        "fixtures/cassettes/libold-events.jsonl",
        "cassette::a_recipe_file_and_the_anthropic_wire_replay_offline_to_the_same_plan_diffs_events_and_report",
    ),
];

pub fn record(args: &[String]) -> Result<()> {
    if let Some(arg) = args.first() {
        anyhow::bail!("`cargo xtask record` takes no arguments (got `{arg}`)");
    }
    // The e2e tests run the `molt` binary; build it once, up front.
    run(cargo().args(["build", "--quiet", "-p", "molt-cli"]))?;
    for (cassette, test) in SCENARIOS {
        run(cargo()
            .args(["test", "--quiet", "-p", "molt-e2e", "--test", "e2e", "--", "--exact", test])
            .env("MOLT_RECORD_CASSETTES", "1"))?;
        eprintln!("recorded {cassette}");
    }
    eprintln!("what changed:");
    run(Command::new("git").args(["status", "--short", "--", "fixtures/cassettes", "tests/e2e/snapshots"]))?;
    Ok(())
}
