//! `cargo xtask bench orchestrate`: how much time and how many tokens molt's
//! orchestration adds on top of the model and the checks.
//!
//! It writes a git repository with N C files (64 by default), each holding
//! one function built on an AVX2 gather written with GCC's builtin
//! (`__builtin_ia32_gathersiv8sf`), which no rule rewrites, so every task
//! goes to the model, and a few hundred lines of plain C
//! around it. The x86 headers sit in `include/simd.h` and the x86 flags in
//! the Makefile, both outside the spec's `include` globs, so the plan is
//! exactly N tasks with no dependencies between them (the bench checks this
//! with `molt plan --json` before it runs). The one check builds the whole
//! repository as a single translation unit and runs every kernel once.
//!
//! A scripted OpenAI-compatible server plays the model and answers every call
//! after a fixed latency (300 ms): `read_symbol`, then `replace_symbol` with a
//! correct guarded version, then `finish`, so three calls a task. molt runs
//! in release with `--jobs J`, and the figures come from its own event log:
//!
//! - wall: first `task_started` to last `task_committed`;
//! - ideal: ceil(tasks / jobs) x calls per task x latency, plus the checks'
//!   time (the sum of the tasks' `check_finished` durations / jobs);
//! - overhead: (wall - ideal) / ideal, target under 5%.
//!
//! That ideal splits the checks' time evenly over the jobs, as if a task
//! could be cut in pieces. Tasks are whole, and their checks' durations vary
//! (eight compilers on two cores), so even a scheduler that cost nothing
//! would leave job slots idle in the last round. The bench therefore also
//! prints a second ideal, the same tasks run with no overhead at all: each
//! one's own calls x latency plus its own measured checks, handed out in the
//! order molt started them to whichever job frees first (what molt's
//! scheduler does). Both overheads are printed and judged against the 5%
//! target; the second one says what molt itself adds, the first one also
//! counts the uneven last round.
//!
//! Tokens are counted with a real tokenizer (tiktoken's o200k_base, GPT-4o's)
//! on the requests the server received: the text of each call's messages,
//! next to the whole files the task touches sent once per call; target at
//! most 0.3 of the whole-file figure. Numbers are printed, not asserted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use molt_core::{Event, EventKind};
use molt_test_support::model_server::{ModelServer, ReceivedRequest, Turn, Wire};
use serde_json::{json, Value};

use crate::{cargo, project_root, run};

/// The template of every kernel file: `KPFX` is the kernel's name, `KNUM` its
/// number, `KSCALE` the integer factor its gather scales by.
const KERNEL: &str = include_str!("bench_orchestrate/kernel.c");

const SIMD_H: &str = "\
/* The scorer's SIMD headers, in one place. */
#ifndef SCORER_SIMD_H
#define SCORER_SIMD_H
#include <immintrin.h>
#endif
";

const MAKEFILE: &str = "\
# A task's test builds and runs only the kernels it changed (git diff against
# HEAD), so it stays quick; on a clean tree (the baseline, the final check) it
# builds every kernel into one binary (tests/test_all.c includes them all).
CC ?= cc
RUN ?=
CFLAGS = -O0 -std=c11 -Wall -Wextra -mavx2 -Iinclude -Itests
CHANGED := $(basename $(notdir $(filter src/%.c,$(shell git diff --name-only HEAD -- src 2>/dev/null))))

.PHONY: test clean
test:
\t@mkdir -p build
ifeq ($(CHANGED),)
\t$(CC) $(CFLAGS) tests/test_all.c -o build/test_all -lm
\t$(RUN) build/test_all
else
\tfor k in $(CHANGED); do \\
\t\t$(CC) $(CFLAGS) -DK=$$k -include src/$$k.c tests/test_one.c -o build/test_$$k -lm && $(RUN) build/test_$$k || exit 1; \\
\tdone
endif

clean:
\trm -rf build
";

/// The reference every gather is held to; shared by both test programs.
const CHECK_H: &str = "\
/* A kernel's gather against a scalar reference. */
#include <stdio.h>

static int check(const char *name, void (*gather)(const float *, const int *, float *), float scale)
{
    float table[64], out[8];
    int idx[8] = {3, 60, 0, 17, 17, 42, 5, 63};

    for (int i = 0; i < 64; i++)
        table[i] = (float)i * 0.25f - 3.0f;
    gather(table, idx, out);
    for (int i = 0; i < 8; i++) {
        if (out[i] != table[idx[i]] * scale) {
            printf(\"FAIL - %s lane %d: %g, expected %g\\n\", name, i, out[i], table[idx[i]] * scale);
            return 1;
        }
    }
    return 0;
}
";

/// One kernel's test: make passes `-DK=kNN -include src/kNN.c`.
const TEST_ONE: &str = "\
#include \"check.h\"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define STR2(x) #x
#define STR(x) STR2(x)

int main(void)
{
    if (check(STR(K) \"_gather\", CAT(K, _gather), CAT(K, _scale)))
        return 1;
    printf(\"%s passes\\n\", STR(K));
    return 0;
}
";

const GUARD: &str = "#if defined(__x86_64__) || defined(__i386__)";
const API_KEY: &str = "sk-bench-orchestrate-0123456789";

/// The knobs of one bench run.
#[derive(Debug, Clone)]
struct Options {
    tasks: usize,
    jobs: usize,
    latency: Duration,
    /// Keeps the generated repository here instead of a temporary folder.
    dir: Option<PathBuf>,
    /// A molt binary to use instead of building one in release.
    molt: Option<PathBuf>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let mut o = Options { tasks: 64, jobs: 8, latency: Duration::from_millis(300), dir: None, molt: None };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--tasks" => o.tasks = value()?.parse().context("--tasks takes a number")?,
                "--jobs" => o.jobs = value()?.parse().context("--jobs takes a number")?,
                "--latency-ms" => o.latency = Duration::from_millis(value()?.parse().context("--latency-ms")?),
                "--dir" => o.dir = Some(PathBuf::from(value()?)),
                "--molt" => o.molt = Some(PathBuf::from(value()?)),
                other => bail!(
                    "unknown option `{other}` (bench orchestrate takes --tasks N, --jobs J, --latency-ms MS, --dir DIR, --molt BIN)"
                ),
            }
        }
        if o.tasks == 0 || o.tasks > 1000 || o.jobs == 0 {
            bail!("--tasks must be 1 to 1000 and --jobs at least 1");
        }
        Ok(o)
    }
}

pub fn bench(args: &[String]) -> Result<()> {
    let opts = Options::parse(args)?;
    let molt = match &opts.molt {
        Some(m) => m.clone(),
        None => {
            run(cargo().args(["build", "--release", "--quiet", "-p", "molt-cli"]))?;
            project_root().join("target/release/molt")
        }
    };
    let dir = match &opts.dir {
        Some(d) if d.exists() => bail!("{} already exists; pick a new folder", d.display()),
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("molt-bench-orchestrate-{}", std::process::id())),
    };
    let repo = dir.join("scorer");
    write_repo(&repo, opts.tasks)?;
    let latency = opts.latency;
    let server = ModelServer::start_blocking_with(Wire::OpenAi, move |req| script(req).delayed(latency));
    let files = check_plan(&molt, &repo, &server, opts.tasks)?;
    let planning_calls = server.requests().len();

    eprintln!("== molt run --jobs {} on {} tasks, the model answering after {} ms", opts.jobs, opts.tasks, ms(latency));
    let started = Instant::now();
    let out = molt_command(&molt, &repo, &server)
        .args(["run", "--json", "--jobs", &opts.jobs.to_string()])
        .output()
        .with_context(|| format!("starting {}", molt.display()))?;
    let run_wall = started.elapsed();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect();
        bail!("molt run exited with {} in {}:\n{}", out.status, repo.display(), tail.join("\n"));
    }

    let events = read_events(&repo.join(".molt/events.jsonl"))?;
    let timing = Timing::of(&events, opts.jobs, latency)?;
    let bpe = tiktoken_rs::o200k_base().map_err(|e| anyhow::anyhow!("loading o200k_base: {e}"))?;
    let count = |text: &str| bpe.encode_ordinary(text).len();
    // Calls made while planning (a planner agent refining the rules' plan)
    // got a 400 from the script, so the rules' plan stood; they are no task's.
    let requests = server.requests();
    let tokens = token_table(requests.get(planning_calls..).unwrap_or_default(), &files, &repo, &count)?;

    println!("repository: {} ({} kernels, {} lines of C)", repo.display(), opts.tasks, lines_of_c(&repo)?);
    println!("molt: {}", molt.display());
    if planning_calls > 0 {
        println!("molt plan asked the model {planning_calls} time(s); the script refused, so the rules' plan stood");
    }
    println!("jobs: {}, model latency: {} ms, whole molt run: {:.2}s", opts.jobs, ms(latency), run_wall.as_secs_f64());
    println!();
    print!("{}", timing.render());
    println!();
    print!("{}", tokens.render());
    if opts.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

/// The kernel's name for task number `n`.
fn kernel_name(n: usize) -> String {
    format!("k{n:02}")
}

fn kernel_source(n: usize) -> String {
    KERNEL.replace("KPFX", &kernel_name(n)).replace("KNUM", &n.to_string()).replace("KSCALE", &(n % 7 + 1).to_string())
}

/// The gather function as the template has it, for kernel `n`: its doc
/// comment and its definition (the span molt's index gives the item).
fn original_gather(n: usize) -> Result<(String, String)> {
    let source = kernel_source(n);
    let start = source.find(&format!("void {}_gather(", kernel_name(n))).context("the template has no gather")?;
    let doc = source[..start].rfind("/* Gathers").context("the gather has no doc comment")?;
    let len = source[start..].find("\n}\n").context("the gather never ends")? + 2;
    Ok((source[doc..start].to_owned(), source[start..start + len].to_owned()))
}

/// The port a competent model would write: the doc comment kept, the x86
/// code kept under the guard, lanes loaded one by one elsewhere (NEON has
/// no gather).
fn ported_gather(n: usize) -> Result<String> {
    let name = kernel_name(n);
    let (doc, x86) = original_gather(n)?;
    Ok(format!(
        "{doc}{GUARD}\n{x86}\n#else\nvoid {name}_gather(const float *table, const int *idx, float *out)\n{{\n    /* NEON has no gather: load the lanes one by one. */\n    for (int i = 0; i < 8; i++)\n        out[i] = table[idx[i]] * {name}_scale;\n}}\n#endif"
    ))
}

fn test_source(tasks: usize) -> String {
    let mut s = String::from("/* Every kernel's gather, in one program. */\n#include \"check.h\"\n\n");
    for n in 0..tasks {
        s.push_str(&format!("#include \"../src/{}.c\"\n", kernel_name(n)));
    }
    s.push_str("\nint main(void)\n{\n    int failed = 0;\n\n");
    for n in 0..tasks {
        let name = kernel_name(n);
        s.push_str(&format!("    failed += check(\"{name}_gather\", {name}_gather, {name}_scale);\n"));
    }
    s.push_str(&format!(
        "    if (failed)\n        return 1;\n    printf(\"all {tasks} kernels pass\\n\");\n    return 0;\n}}\n"
    ));
    s
}

fn spec() -> String {
    "\
# A bench repository: every task needs the model (AVX2 gathers), and the
# tasks are independent of each other.
[migration]
name = \"scorer-port\"
goal = \"Port the AVX2 kernels to aarch64 NEON; keep the x86 path.\"
recipe = \"x86-to-neon\"
include = [\"src/**\"]
protected = [\"tests/**\", \"include/**\", \"Makefile\", \"molt.toml\"]
attempts = 1

[model]
provider = \"openai\"
model = \"gpt-4o\"
max_usd = 50.0

[[check]]
name = \"x86-test\"
run = \"make -s test\"
kind = \"test\"
timeout_secs = 300
"
    .to_owned()
}

fn write_repo(repo: &Path, tasks: usize) -> Result<()> {
    let write = |rel: &str, text: &str| -> Result<()> {
        let path = repo.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    };
    for n in 0..tasks {
        write(&format!("src/{}.c", kernel_name(n)), &kernel_source(n))?;
    }
    write("include/simd.h", SIMD_H)?;
    write("tests/test_all.c", &test_source(tasks))?;
    write("tests/test_one.c", TEST_ONE)?;
    write("tests/check.h", CHECK_H)?;
    write("Makefile", MAKEFILE)?;
    write("molt.toml", &spec())?;
    write(".gitignore", "build/\n.molt/\n")?;
    git(repo, &["init", "--quiet", "--initial-branch=main"])?;
    git(repo, &["add", "-A"])?;
    git(repo, &["-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "--quiet", "-m", "scorer"])?;
    // The check must pass before molt starts, or every task would fail.
    let out = Command::new("make").args(["-s", "test"]).current_dir(repo).output().context("running make test")?;
    if !out.status.success() {
        bail!("the generated repository's own test fails:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

fn git(repo: &Path, args: &[&str]) -> Result<()> {
    let out = Command::new("git").args(args).current_dir(repo).output().context("running git")?;
    if !out.status.success() {
        bail!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// molt in `repo`, pointed at the scripted server.
fn molt_command(molt: &Path, repo: &Path, server: &ModelServer) -> Command {
    let mut cmd = Command::new(molt);
    cmd.current_dir(repo).env("OPENAI_API_KEY", API_KEY).env("OPENAI_BASE_URL", server.base_url()).env("NO_COLOR", "1");
    cmd
}

/// Runs `molt plan --json` and checks that it is exactly `tasks` tasks with
/// no dependencies; returns each task's files.
fn check_plan(molt: &Path, repo: &Path, server: &ModelServer, tasks: usize) -> Result<BTreeMap<String, Vec<String>>> {
    let out = molt_command(molt, repo, server).args(["plan", "--json"]).output().context("running molt plan")?;
    if !out.status.success() {
        bail!("molt plan failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut files = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(task) = serde_json::from_str::<Value>(line) else { continue };
        let Some(id) = task["id"].as_str() else { continue };
        if task["depends_on"].as_array().is_some_and(|d| !d.is_empty()) {
            bail!("task {id} depends on {}: the bench needs independent tasks", task["depends_on"]);
        }
        let paths = task["files"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned);
        files.insert(id.to_owned(), paths.collect());
    }
    if files.len() != tasks {
        bail!("the plan has {} tasks, not {tasks}: {:?}", files.len(), files.keys().collect::<Vec<_>>());
    }
    Ok(files)
}

/// Which task a request belongs to (`# Task ID:` opens the first user
/// message) and which kernel file it is about.
fn task_of(request: &ReceivedRequest) -> Option<(String, String)> {
    let first = request.body["messages"].as_array()?.iter().find(|m| m["role"] == "user")?["content"].as_str()?;
    let id = first.strip_prefix("# Task ")?.split(':').next()?.to_owned();
    let file = first.split("Files of this task: ").nth(1)?.split([',', '\n']).next()?.trim().to_owned();
    Some((id, file))
}

/// The scripted model: which turn comes next, from the request alone.
fn script(request: &ReceivedRequest) -> Turn {
    let Some((_, file)) = task_of(request) else { return Turn::status(400) };
    let Some(n) = file.strip_prefix("src/k").and_then(|f| f.strip_suffix(".c")).and_then(|n| n.parse().ok()) else {
        return Turn::status(400);
    };
    let symbol = format!("{file}::{}_gather", kernel_name(n));
    let answered =
        request.body["messages"].as_array().map_or(0, |m| m.iter().filter(|m| m["role"] == "assistant").count());
    match answered {
        0 => Turn::tool_call("read_symbol", json!({ "symbol": symbol })),
        1 => match ported_gather(n) {
            Ok(text) => Turn::tool_call("replace_symbol", json!({ "symbol": symbol, "text": text })),
            Err(_) => Turn::status(500),
        },
        _ => Turn::tool_call(
            "finish",
            json!({ "summary": "The AVX2 gather stays on x86; elsewhere the eight lanes are loaded one by one." }),
        ),
    }
}

fn read_events(path: &Path) -> Result<Vec<Event>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).with_context(|| format!("an event line of {}: {l}", path.display())))
        .collect()
}

/// The time figures of one run, from its events.
#[derive(Debug, Clone, PartialEq)]
struct Timing {
    tasks: usize,
    committed: usize,
    jobs: usize,
    calls: usize,
    latency: Duration,
    /// First `task_started` to last `task_committed`.
    wall: Duration,
    /// Sum of the tasks' check durations.
    checks: Duration,
    checks_run: usize,
    /// The baseline check's duration: every kernel, with nothing beside it.
    baseline_check: Option<Duration>,
    /// Sum over the committed tasks of started to committed.
    busy: Duration,
    /// molt's own time in the committed tasks, summed: before the first
    /// model answer, between answers, after the last one (less the model's
    /// latency and the checks).
    phases: [Duration; 3],
    /// Each task's model latency (its calls x latency) plus its checks, in
    /// the order the tasks first started.
    task_work: Vec<Duration>,
}

/// Each task's own work in the order tasks first started: the model's
/// latency for each of its calls plus its checks' durations, over all its
/// attempts.
fn task_work(events: &[Event], latency: Duration) -> Vec<Duration> {
    let mut order: Vec<String> = Vec::new();
    let mut work: BTreeMap<String, Duration> = BTreeMap::new();
    for e in events {
        match &e.kind {
            EventKind::TaskStarted { task, .. } if !work.contains_key(task.as_str()) => {
                order.push(task.to_string());
                work.insert(task.to_string(), Duration::ZERO);
            }
            EventKind::ModelCall { task, .. } => *work.entry(task.to_string()).or_default() += latency,
            EventKind::CheckFinished { task: Some(task), duration_ms, .. } => {
                *work.entry(task.to_string()).or_default() += Duration::from_millis(*duration_ms);
            }
            _ => {}
        }
    }
    order.iter().map(|t| work.get(t).copied().unwrap_or_default()).collect()
}

/// Splits molt's own time inside each committed task into the three
/// [`Timing::phases`], from the order of its events.
fn phases(events: &[Event], latency: Duration) -> [Duration; 3] {
    let mut by_task: BTreeMap<String, Vec<&Event>> = BTreeMap::new();
    for e in events {
        let task = match &e.kind {
            EventKind::TaskStarted { task, .. }
            | EventKind::ModelCall { task, .. }
            | EventKind::CheckFinished { task: Some(task), .. }
            | EventKind::TaskCommitted { task, .. } => task,
            _ => continue,
        };
        by_task.entry(task.to_string()).or_default().push(e);
    }
    let mut sums = [Duration::ZERO; 3];
    for events in by_task.values() {
        if !events.iter().any(|e| matches!(e.kind, EventKind::TaskCommitted { .. })) {
            continue;
        }
        // The last attempt only: an earlier one restarts the clock.
        let start = events.iter().rposition(|e| matches!(e.kind, EventKind::TaskStarted { .. })).unwrap_or(0);
        let events = &events[start..];
        let mut phase = 0;
        let mut since = events[0].ts;
        let mut checks = Duration::ZERO;
        for e in &events[1..] {
            let spent = (e.ts - since).to_std().unwrap_or_default();
            match &e.kind {
                EventKind::CheckFinished { duration_ms, .. } => {
                    checks += Duration::from_millis(*duration_ms);
                    continue;
                }
                EventKind::ModelCall { .. } => {
                    sums[phase] += spent.saturating_sub(latency).saturating_sub(checks);
                    phase = 1;
                }
                EventKind::TaskCommitted { .. } => {
                    sums[if phase == 0 { 0 } else { 2 }] += spent.saturating_sub(checks);
                }
                _ => continue,
            }
            since = e.ts;
            checks = Duration::ZERO;
        }
    }
    sums
}

impl Timing {
    fn of(events: &[Event], jobs: usize, latency: Duration) -> Result<Timing> {
        let mut started = BTreeMap::new();
        let mut last_commit = None;
        let (mut committed, mut calls, mut checks_run, mut checks_ms) = (0, 0, 0, 0u64);
        let mut baseline_check = None;
        let mut busy = Duration::ZERO;
        for e in events {
            match &e.kind {
                EventKind::TaskStarted { task, .. } => {
                    started.entry(task.to_string()).or_insert(e.ts);
                }
                EventKind::TaskCommitted { task, .. } => {
                    committed += 1;
                    if let Some(start) = started.get(task.as_str()) {
                        busy += (e.ts - *start).to_std().unwrap_or_default();
                    }
                    last_commit = Some(match last_commit {
                        Some(t) if t > e.ts => t,
                        _ => e.ts,
                    });
                }
                EventKind::ModelCall { .. } => calls += 1,
                EventKind::CheckFinished { task: Some(_), duration_ms, .. } => {
                    checks_run += 1;
                    checks_ms += duration_ms;
                }
                EventKind::CheckFinished { task: None, check, duration_ms, .. } if check.starts_with("baseline/") => {
                    baseline_check = Some(Duration::from_millis(*duration_ms));
                }
                _ => {}
            }
        }
        let phases = phases(events, latency);
        let task_work = task_work(events, latency);
        let first = started.values().min().copied().context("no task started")?;
        let last = last_commit.context("no task was committed")?;
        let wall = (last - first).to_std().unwrap_or_default();
        Ok(Timing {
            tasks: started.len(),
            committed,
            jobs,
            calls,
            latency,
            wall,
            checks: Duration::from_millis(checks_ms),
            checks_run,
            baseline_check,
            busy,
            phases,
            task_work,
        })
    }

    /// The same tasks with no overhead at all: each task's work (its calls
    /// x latency plus its checks) handed, in the order molt started them, to
    /// the job that frees first; the time the last one ends.
    fn scheduled_ideal(&self) -> Duration {
        let mut free = vec![Duration::ZERO; self.jobs.max(1)];
        for work in &self.task_work {
            if let Some(slot) = free.iter_mut().min() {
                *slot += *work;
            }
        }
        free.into_iter().max().unwrap_or_default()
    }

    fn scheduled_overhead(&self) -> f64 {
        let ideal = self.scheduled_ideal().as_secs_f64();
        if ideal == 0.0 {
            return 0.0;
        }
        (self.wall.as_secs_f64() - ideal) / ideal
    }

    /// What molt itself spent inside the committed tasks, on average: their
    /// time less the model's latency and their checks.
    fn in_task(&self) -> Duration {
        let model = self.latency.mul_f64(self.calls as f64);
        (self.busy.saturating_sub(model).saturating_sub(self.checks)) / self.committed.max(1) as u32
    }

    /// Job slots left empty between the first start and the last commit
    /// (waiting to be merged, or no task handed out yet), over the jobs.
    fn idle(&self) -> Duration {
        (self.wall * self.jobs as u32).saturating_sub(self.busy) / self.jobs.max(1) as u32
    }

    fn calls_per_task(&self) -> f64 {
        self.calls as f64 / self.tasks.max(1) as f64
    }

    /// Rounds of `jobs` tasks, times the model's time per task, plus the
    /// checks spread over the jobs.
    fn ideal(&self) -> Duration {
        let rounds = self.tasks.div_ceil(self.jobs.max(1)) as f64;
        let model = rounds * self.calls_per_task() * self.latency.as_secs_f64();
        Duration::from_secs_f64(model) + self.checks / self.jobs.max(1) as u32
    }

    fn overhead(&self) -> f64 {
        let ideal = self.ideal().as_secs_f64();
        if ideal == 0.0 {
            return 0.0;
        }
        (self.wall.as_secs_f64() - ideal) / ideal
    }

    fn render(&self) -> String {
        let rounds = self.tasks.div_ceil(self.jobs.max(1));
        let model = self.ideal() - self.checks / self.jobs.max(1) as u32;
        let mut s = String::new();
        s.push_str(&format!(
            "time ({} tasks started, {} committed, {} model calls, {:.2} a task)\n",
            self.tasks,
            self.committed,
            self.calls,
            self.calls_per_task()
        ));
        s.push_str(&format!("  wall (first task_started to last task_committed) {:>8.2}s\n", self.wall.as_secs_f64()));
        s.push_str(&format!(
            "  ideal                                             {:>8.2}s\n",
            self.ideal().as_secs_f64()
        ));
        s.push_str(&format!(
            "    model: {rounds} rounds x {:.2} calls x {} ms      {:>8.2}s\n",
            self.calls_per_task(),
            ms(self.latency),
            model.as_secs_f64()
        ));
        s.push_str(&format!(
            "    checks: {} runs, {:.2}s in all / {} jobs     {:>8.2}s\n",
            self.checks_run,
            self.checks.as_secs_f64(),
            self.jobs,
            (self.checks / self.jobs.max(1) as u32).as_secs_f64()
        ));
        if let Some(b) = self.baseline_check {
            s.push_str(&format!(
                "    (a task's check builds and runs its own kernel: {1:.2}s on average inside the run; the baseline check, \
                 every kernel on the clean tree with nothing beside it: {0:.2}s)\n",
                b.as_secs_f64(),
                self.checks.as_secs_f64() / self.checks_run.max(1) as f64
            ));
        }
        let per_task = |d: Duration| d.as_secs_f64() / self.committed.max(1) as f64;
        s.push_str(&format!(
            "  where the rest goes: molt's own work {:.3}s a task (before the first answer: worktree, rules, \
             prompt {:.3}s; between answers: tools {:.3}s; after the last: commit and merge {:.3}s), \
             job slots idle {:.2}s a job\n",
            self.in_task().as_secs_f64(),
            per_task(self.phases[0]),
            per_task(self.phases[1]),
            per_task(self.phases[2]),
            self.idle().as_secs_f64()
        ));
        let overhead = self.overhead();
        s.push_str(&format!("  overhead (wall - ideal) / ideal                   {:>7.1}%\n", overhead * 100.0));
        s.push_str(&format!(
            "  target under 5%: {}\n",
            if overhead < 0.05 {
                "met".to_owned()
            } else {
                format!("missed by {:.1} points ({:.2}s over)", (overhead - 0.05) * 100.0, self.excess().as_secs_f64())
            }
        ));
        let scheduled = self.scheduled_overhead();
        s.push_str(&format!(
            "  ideal with whole tasks (each task's calls x latency plus its own checks, handed in start order to \
             the first free job, with no overhead at all; the ideal above splits the checks evenly, as if tasks \
             could be cut)   {:.2}s\n",
            self.scheduled_ideal().as_secs_f64()
        ));
        s.push_str(&format!(
            "  overhead against it: {:.1}%, target under 5%: {}\n",
            scheduled * 100.0,
            if scheduled < 0.05 { "met" } else { "missed" }
        ));
        s
    }

    /// How far the wall time is past 5% over the ideal.
    fn excess(&self) -> Duration {
        Duration::from_secs_f64((self.wall.as_secs_f64() - self.ideal().as_secs_f64() * 1.05).max(0.0))
    }
}

/// Tokens one task sent, per call, next to its whole files.
#[derive(Debug, Clone, Default, PartialEq)]
struct TaskTokens {
    /// The messages' text of each call, in order.
    calls: Vec<usize>,
    /// Of `calls`: the system prompt and the task's first message, summed
    /// over the calls (both are sent again with every call).
    system: usize,
    first: usize,
    /// The tool schemas, sent with every call.
    tools: usize,
    /// The task's files, whole, once.
    files: usize,
}

impl TaskTokens {
    fn sent(&self) -> usize {
        self.calls.iter().sum()
    }

    fn whole(&self) -> usize {
        self.files * self.calls.len()
    }
}

#[derive(Debug, Clone, PartialEq)]
struct TokenTable {
    tasks: BTreeMap<String, TaskTokens>,
}

/// The text of a request's messages: every content string and tool call.
fn message_text(body: &Value) -> String {
    let mut s = String::new();
    for m in body["messages"].as_array().into_iter().flatten() {
        match &m["content"] {
            Value::String(t) => s.push_str(t),
            Value::Array(parts) => {
                for p in parts {
                    if let Some(t) = p["text"].as_str() {
                        s.push_str(t);
                    }
                }
            }
            _ => {}
        }
        for call in m["tool_calls"].as_array().into_iter().flatten() {
            s.push_str(call["function"]["name"].as_str().unwrap_or(""));
            s.push_str(call["function"]["arguments"].as_str().unwrap_or(""));
        }
        s.push('\n');
    }
    s
}

fn token_table(
    requests: &[ReceivedRequest],
    files: &BTreeMap<String, Vec<String>>,
    repo: &Path,
    count: &dyn Fn(&str) -> usize,
) -> Result<TokenTable> {
    let mut tasks: BTreeMap<String, TaskTokens> = BTreeMap::new();
    let mut file_tokens: BTreeMap<String, usize> = BTreeMap::new();
    for r in requests {
        let Some((id, _)) = task_of(r) else { bail!("a request to {} names no task", r.path) };
        let entry = tasks.entry(id.clone()).or_default();
        entry.calls.push(count(&message_text(&r.body)));
        let messages = r.body["messages"].as_array().map(Vec::as_slice).unwrap_or_default();
        let text_of = |role: &str| {
            messages.iter().find(|m| m["role"] == role).and_then(|m| m["content"].as_str()).unwrap_or_default()
        };
        entry.system += count(text_of("system"));
        entry.first += count(text_of("user"));
        entry.tools = count(&r.body["tools"].to_string());
        if entry.files == 0 {
            // The files as they were before the run: only the existing ones
            // (the task may list files it would create).
            for f in files.get(&id).into_iter().flatten() {
                let n = match file_tokens.get(f) {
                    Some(n) => *n,
                    None => {
                        let n = std::fs::read_to_string(repo.join(f)).map(|t| count(&t)).unwrap_or(0);
                        file_tokens.insert(f.clone(), n);
                        n
                    }
                };
                entry.files += n;
            }
        }
    }
    Ok(TokenTable { tasks })
}

impl TokenTable {
    fn render(&self) -> String {
        let mut s = String::from("tokens (o200k_base, GPT-4o's tokenizer), per task\n");
        s.push_str(
            "  (messages: all text molt sent in the task's calls, system prompt and tool calls and results \
             included; whole files: the files the task touches, as they were, sent with every one of its calls, \
             as a chat agent keeping them in its conversation would, and nothing else; tool schemas apart, below)\n",
        );
        if self.tasks.is_empty() {
            s.push_str("  no model calls were made\n");
            return s;
        }
        let n = self.tasks.len() as f64;
        let mean = |f: &dyn Fn(&TaskTokens) -> usize| self.tasks.values().map(f).sum::<usize>() as f64 / n;
        let max_calls = self.tasks.values().map(|t| t.calls.len()).max().unwrap_or(0);
        s.push_str("                         messages sent   whole files   ratio\n");
        for c in 0..max_calls {
            let with: Vec<&TaskTokens> = self.tasks.values().filter(|t| t.calls.len() > c).collect();
            let sent = with.iter().map(|t| t.calls[c]).sum::<usize>() as f64 / with.len() as f64;
            let whole = with.iter().map(|t| t.files).sum::<usize>() as f64 / with.len() as f64;
            s.push_str(&format!(
                "  call {:<2} (mean)        {sent:>13.0}   {whole:>11.0}   {:>5.2}\n",
                c + 1,
                sent / whole
            ));
        }
        let (sent, whole) = (mean(&|t| t.sent()), mean(&|t| t.whole()));
        let ratio = sent / whole;
        s.push_str(&format!("  task (mean)            {sent:>13.0}   {whole:>11.0}   {ratio:>5.2}\n"));
        let ratios: Vec<f64> = self.tasks.values().map(|t| t.sent() as f64 / t.whole().max(1) as f64).collect();
        let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = ratios.iter().copied().fold(0.0, f64::max);
        s.push_str(&format!("  task ratio range        {lo:.2} to {hi:.2} over {} tasks\n", self.tasks.len()));
        let (system, first) = (mean(&|t| t.system), mean(&|t| t.first));
        s.push_str(&format!(
            "  of a task's messages: system prompt {system:.0} ({:.0}%), first task message {first:.0} ({:.0}%), \
             the rest of the conversation {:.0} ({:.0}%)\n",
            100.0 * system / sent,
            100.0 * first / sent,
            sent - system - first,
            100.0 * (sent - system - first) / sent
        ));
        let tools = mean(&|t| t.tools * t.calls.len());
        s.push_str(&format!(
            "  tool schemas, sent with every call: {:.0} a task ({:.2} of whole files with them counted)\n",
            tools,
            (sent + tools) / whole
        ));
        s.push_str(&format!(
            "  target at most 0.3 of whole files: {}\n",
            if ratio <= 0.3 {
                "met".to_owned()
            } else {
                format!("missed ({ratio:.2}, {:.1}x the target)", ratio / 0.3)
            }
        ));
        s
    }
}

fn lines_of_c(repo: &Path) -> Result<usize> {
    let mut lines = 0;
    for e in std::fs::read_dir(repo.join("src")).context("reading src")? {
        lines += std::fs::read_to_string(e?.path())?.lines().count();
    }
    Ok(lines)
}

#[cfg(test)]
mod tests;
