//! Running one shell command under the check sandbox: own process group,
//! scrubbed environment, no network and resource limits (see
//! [`crate::sandbox`]), timeout that kills the group, capped capture.

use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::sandbox::{self, Limits};

/// Longest line kept for parsing; a longer one is cut (the tail still has it).
const MAX_LINE: usize = 4096;
/// How much of the summary-looking lines is kept for parsing, per stream.
const LINES_CAP: usize = 1 << 20;
/// How long to wait for the pipes to close once the process group is dead. Only
/// a process that escaped the group (`setsid`) can hold them open longer.
const DRAIN_GRACE: Duration = Duration::from_secs(2);
/// How often the check's process group is counted against its process limit:
/// a scan of /proc, so not every poll when sixteen checks run at once.
const COUNT_EVERY: Duration = Duration::from_millis(250);

/// The process groups of the checks running now (their leaders' pids), so
/// that a process about to exit can end them: [`kill_running_checks`].
static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Kills the process group of every check running in this process. For a
/// server whose client went away mid-call (`molt mcp`): its checks would
/// otherwise outlive it, unwatched by any timeout. The checks' threads see
/// their processes die and return as from a failed check.
pub fn kill_running_checks() {
    let running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
    for pid in running.iter() {
        sys::kill_group(*pid);
    }
}

/// What to run and how.
#[derive(Debug, Clone)]
pub(crate) struct Spawn<'a> {
    pub script: &'a str,
    pub dir: &'a Path,
    pub env: &'a [(String, String)],
    pub timeout: Duration,
    /// Bytes of each stream's tail that are kept.
    pub cap: usize,
    pub limits: Limits,
}

/// One captured stream.
#[derive(Debug, Clone, Default)]
pub(crate) struct Captured {
    /// The last `cap` bytes.
    pub tail: Vec<u8>,
    /// Bytes written in all.
    pub total: u64,
    /// Lines that look like test summaries or metrics, from the whole stream.
    pub lines: Vec<String>,
}

impl Captured {
    pub fn truncated(&self) -> bool {
        self.total > self.tail.len() as u64
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Finished {
    /// `None` when killed by a signal.
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub duration: Duration,
    pub stdout: Captured,
    pub stderr: Captured,
    /// Whether the check ran in a network namespace of its own.
    pub network_isolated: bool,
    /// The sandbox limit the check was stopped for, in words, when it was.
    pub stopped_for: Option<String>,
    /// The signal that ended the check's own process, when one did.
    pub signal: Option<i32>,
}

impl Finished {
    pub fn success(&self) -> bool {
        !self.timed_out && self.stopped_for.is_none() && self.exit_code == Some(0)
    }

    /// The parse-worthy lines of stdout then stderr, one text.
    pub fn summary_text(&self) -> String {
        let mut text = String::new();
        for line in self.stdout.lines.iter().chain(&self.stderr.lines) {
            text.push_str(line);
            text.push('\n');
        }
        text
    }
}

/// Runs `sh -c script` and waits for it, its timeout, or both.
pub(crate) fn run(spawn: &Spawn<'_>) -> std::io::Result<Finished> {
    use std::os::unix::process::CommandExt;

    let mut command = Command::new("sh");
    let network_isolated = sandbox::apply(&mut command, &spawn.limits);
    let mut child = command
        .arg("-c")
        .arg(spawn.script)
        .current_dir(spawn.dir)
        .env_clear()
        .envs(spawn.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A new process group whose id is the child's pid: killing `-pid` then
        // reaches every process the check started that stayed in the group.
        .process_group(0)
        .spawn()?;
    let start = Instant::now();
    let pid = child.id();
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner).push(pid);

    let (done_tx, done_rx) = mpsc::channel::<()>();
    let mut readers = Vec::new();
    let pipes: [Option<Box<dyn Read + Send>>; 2] = [
        child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>),
        child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>),
    ];
    for pipe in pipes {
        let capture = Arc::new(Mutex::new(Capture::new(spawn.cap)));
        if let Some(mut pipe) = pipe {
            let shared = Arc::clone(&capture);
            let done = done_tx.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    match pipe.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => shared.lock().unwrap_or_else(PoisonError::into_inner).push(&buf[..n]),
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(_) => break,
                    }
                }
                let _ = done.send(());
            });
            readers.push(capture);
        } else {
            let _ = done_tx.send(());
            readers.push(capture);
        }
    }
    drop(done_tx);

    let deadline = start + spawn.timeout;
    let mut nap = Duration::from_millis(1);
    let mut timed_out = false;
    let mut stopped_for = None;
    let mut next_count = start + COUNT_EVERY;
    loop {
        match sys::exited_without_reaping(pid) {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // Not our child any more (cannot happen while we hold `child`) or
            // waitid unsupported: fall back to std's wait below.
            Err(_) => break,
        }
        let now = Instant::now();
        if now >= deadline {
            timed_out = true;
            break;
        }
        if let Some(max) = spawn.limits.processes {
            if now >= next_count {
                next_count = now + COUNT_EVERY;
                if let Some(n) = sandbox::group_size(pid).filter(|&n| n > max) {
                    stopped_for = Some(format!("stopped for running more than {max} processes at once ({n} seen)"));
                    break;
                }
            }
        }
        std::thread::sleep(nap.min(deadline - now));
        nap = (nap * 2).min(Duration::from_millis(20));
    }
    let duration = start.elapsed();
    // The child is alive or a zombie here, so its pid and group id are still
    // ours: kill whatever is left of the group (all of it on timeout, leftover
    // background processes otherwise), then reap.
    sys::kill_group(pid);
    // Unlisted before the reap, while the pid is still this child's: a
    // `kill_running_checks` after it cannot reach a process that reused it.
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner).retain(|p| *p != pid);
    let status = child.wait()?;
    if stopped_for.is_none() {
        stopped_for = limit_signal(&status, &spawn.limits);
    }

    // Both pipes close once every process holding them is dead.
    let give_up = Instant::now() + DRAIN_GRACE;
    for _ in 0..2 {
        let left = give_up.saturating_duration_since(Instant::now());
        if done_rx.recv_timeout(left).is_err() {
            break;
        }
    }
    let mut streams = readers.into_iter().map(|c| c.lock().unwrap_or_else(PoisonError::into_inner).finish());
    let stdout = streams.next().unwrap_or_default();
    let stderr = streams.next().unwrap_or_default();
    let exit_code = if timed_out || stopped_for.is_some() { None } else { status.code() };
    let signal = {
        use std::os::unix::process::ExitStatusExt;
        status.signal()
    };
    Ok(Finished { exit_code, timed_out, duration, stdout, stderr, network_isolated, stopped_for, signal })
}

/// The limit behind a death by signal, when the signal says: `SIGXCPU` is the
/// CPU-time limit.
fn limit_signal(status: &std::process::ExitStatus, limits: &Limits) -> Option<String> {
    use std::os::unix::process::ExitStatusExt;
    match (status.signal(), limits.cpu_secs) {
        (Some(libc::SIGXCPU), Some(secs)) => Some(format!("stopped at its CPU-time limit of {secs}s")),
        _ => None,
    }
}

/// A stream being captured: a bounded tail plus the lines worth parsing.
struct Capture {
    cap: usize,
    tail: VecDeque<u8>,
    total: u64,
    line: Vec<u8>,
    lines: VecDeque<String>,
    lines_bytes: usize,
}

impl Capture {
    fn new(cap: usize) -> Self {
        Self { cap, tail: VecDeque::new(), total: 0, line: Vec::new(), lines: VecDeque::new(), lines_bytes: 0 }
    }

    fn push(&mut self, chunk: &[u8]) {
        self.total += chunk.len() as u64;
        let keep = &chunk[chunk.len().saturating_sub(self.cap)..];
        self.tail.extend(keep);
        let excess = self.tail.len().saturating_sub(self.cap);
        self.tail.drain(..excess);

        let mut rest = chunk;
        while let Some(pos) = rest.iter().position(|&b| b == b'\n') {
            self.take_line_part(&rest[..pos]);
            self.end_line();
            rest = &rest[pos + 1..];
        }
        self.take_line_part(rest);
    }

    fn take_line_part(&mut self, part: &[u8]) {
        let room = MAX_LINE.saturating_sub(self.line.len());
        self.line.extend_from_slice(&part[..part.len().min(room)]);
    }

    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        let text = String::from_utf8_lossy(&line);
        if worth_parsing(&text) {
            let text = crate::check::strip_ansi(text.trim_end_matches('\r'));
            self.lines_bytes += text.len();
            self.lines.push_back(text);
            while self.lines_bytes > LINES_CAP {
                match self.lines.pop_front() {
                    Some(old) => self.lines_bytes -= old.len(),
                    None => break,
                }
            }
        }
    }

    fn finish(&mut self) -> Captured {
        if !self.line.is_empty() {
            self.end_line();
        }
        Captured {
            tail: self.tail.iter().copied().collect(),
            total: self.total,
            lines: std::mem::take(&mut self.lines).into(),
        }
    }
}

/// Whether a line may be part of a test summary, a failing test's name or a
/// benchmark metric. Generous on purpose: the parsers decide.
fn worth_parsing(line: &str) -> bool {
    const WORDS: &[&str] =
        &["pass", "fail", "ok", "skip", "bench", "test", "error", "timeout", "summary", "abort", "segfault", "not run"];
    let lower = line.to_ascii_lowercase();
    WORDS.iter().any(|w| lower.contains(w))
        || line.contains(crate::compiles::MARKER)
        || (line.contains(" - ") && line.trim_end().ends_with(')'))
}

/// The two calls that need `unsafe`; each is a thin wrapper over one libc call.
mod sys {
    /// Whether child `pid` has exited, without reaping it. A zombie keeps its
    /// pid, and with it the process group id, reserved until std reaps it.
    #[allow(unsafe_code)]
    pub fn exited_without_reaping(pid: u32) -> std::io::Result<bool> {
        let id = libc::id_t::from(pid);
        // SAFETY: siginfo_t is plain old data, so all-zero is a valid value; we
        // pass a pointer to our own stack variable that lives across the call.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waitid only writes into `info`. WNOWAIT leaves the child
        // waitable, so std's `Child::wait` still reaps it later.
        let rc = unsafe { libc::waitid(libc::P_PID, id, &mut info, libc::WEXITED | libc::WNOHANG | libc::WNOWAIT) };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: after a successful waitid, si_pid is set (0 when no child
        // changed state under WNOHANG); reading it is reading initialised data.
        Ok(unsafe { info.si_pid() } != 0)
    }

    /// SIGKILL to every process in group `pgid`; errors (the group is already
    /// gone) are ignored.
    #[allow(unsafe_code)]
    pub fn kill_group(pgid: u32) {
        let Ok(pgid) = libc::pid_t::try_from(pgid) else { return };
        if pgid <= 1 {
            return;
        }
        // SAFETY: kill has no memory-safety preconditions; a negative pid names
        // the process group, which is the check's own (see `run`).
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests;
