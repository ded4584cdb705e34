//! The limits a check runs under: no network, bounded memory, CPU time and
//! process count.
//!
//! # Why these mechanisms
//!
//! - **Network**: the child calls `unshare(CLONE_NEWNET)` between fork and
//!   exec, so it and everything it starts live in a network namespace of their
//!   own, with only a private loopback (brought up, so test suites that talk
//!   to themselves on 127.0.0.1 still work). Where that needs privileges the
//!   process lacks, `CLONE_NEWUSER | CLONE_NEWNET` (an unprivileged user
//!   namespace) is tried instead. Which of the two works is probed once, with a
//!   throwaway `true`, and remembered; where neither works (macOS, a container
//!   that forbids namespaces) checks run with the host's network and the result
//!   says so ([`crate::CheckResult::network_isolated`]). A syscall rather than
//!   `unshare(1)` or `bwrap`: nothing to install, and nothing for `PATH` to
//!   resolve to something else.
//! - **Memory and CPU time**: `setrlimit(RLIMIT_AS)` and `setrlimit(RLIMIT_CPU)`
//!   in the same pre-exec hook rather than `prlimit(1)`: the limits are in place
//!   before the check's first instruction, they work on every unix (`prlimit`
//!   is util-linux only), and the hook needs `unsafe` anyway for the namespace.
//!   Both are per process and inherited by everything the check starts.
//! - **Processes**: `RLIMIT_NPROC` is set too, but the kernel does not apply it
//!   to root (and CI runs as root) and it counts every process of the user, not
//!   only the check's. So the process that waits for the check also counts the
//!   members of the check's process group (on Linux, from `/proc`) and kills
//!   the group when there are more than the limit.
//! - **CPU priority**: `nice(10)` in the same hook (`sandbox = { nice = N }`,
//!   0 to 19). Checks are compilers and test suites that fill every core;
//!   molt's own work between them is small but sits on every task's path
//!   (worktree resets, edits, commits, merges, reading a model's answer), so
//!   it goes first. Benchmarks are the exception: they run alone, and at
//!   molt's priority, since a step of molt's taking their core in the middle
//!   of a timing reads as a regression. A check's baseline run has the same
//!   priority as its later runs.
//!
//! The pre-exec hook runs in the forked child of a possibly multi-threaded
//! parent, so it only makes async-signal-safe system calls on values computed
//! before the fork: no allocation, no locks.

use std::process::Command;
use std::sync::OnceLock;

use molt_core::{CheckKind, CheckSandbox};

/// Address space per process unless the spec says otherwise: 32 GiB, far above
/// what a compiler or an emulator needs, low enough to stop a runaway
/// allocation before the machine swaps.
pub const DEFAULT_MEMORY_MB: u64 = 32 * 1024;
/// Processes a check may run at once unless the spec says otherwise.
pub const DEFAULT_PROCESSES: u64 = 4096;
/// CPU seconds per process unless the spec says otherwise (the wall-clock
/// timeout usually stops a check first; this stops a spinning process that
/// escaped the group).
pub const DEFAULT_CPU_SECS: u64 = 4 * 3600;
/// How much lower a check's CPU priority is than molt's unless the spec says
/// otherwise. With eight compilers on two cores, molt's own work (resetting a
/// worktree, applying an edit, committing, merging, reading a model's answer)
/// would otherwise wait its turn behind them, and every job slot with it;
/// the checks lose next to nothing, since molt's work is small.
pub const DEFAULT_NICE: u8 = 10;

/// The limits one check runs under, resolved from its spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Isolate the network (when the platform can).
    pub isolate_network: bool,
    /// Bytes of address space per process; `None`: unlimited.
    pub memory_bytes: Option<u64>,
    /// Processes at once; `None`: unlimited.
    pub processes: Option<u64>,
    /// CPU seconds per process; `None`: unlimited.
    pub cpu_secs: Option<u64>,
    /// The `nice` increment over molt's own priority.
    pub nice: u8,
}

impl Limits {
    /// The spec's limits over the defaults; `0` lifts a limit. A benchmark
    /// runs at molt's own priority unless the spec says otherwise: it runs
    /// with no other check beside it, and at a lower priority any step of
    /// molt's (another task's edit or commit) would take its core away in
    /// the middle of a timing.
    pub fn of(sandbox: &CheckSandbox, kind: CheckKind) -> Self {
        let pick = |value: Option<u64>, default: u64| match value.unwrap_or(default) {
            0 => None,
            n => Some(n),
        };
        Self {
            isolate_network: !sandbox.network,
            memory_bytes: pick(sandbox.memory_mb, DEFAULT_MEMORY_MB).map(|mb| mb.saturating_mul(1024 * 1024)),
            processes: pick(sandbox.processes, DEFAULT_PROCESSES),
            cpu_secs: pick(sandbox.cpu_secs, DEFAULT_CPU_SECS),
            nice: sandbox.nice.unwrap_or(if kind == CheckKind::Bench { 0 } else { DEFAULT_NICE }).min(19),
        }
    }

    /// No limit at all and the host's network.
    pub fn none() -> Self {
        Self { isolate_network: false, memory_bytes: None, processes: None, cpu_secs: None, nice: 0 }
    }
}

/// How a check's network is cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Isolation {
    /// A new network namespace (needs `CAP_SYS_ADMIN`, e.g. root).
    NetNs,
    /// A new user namespace holding a new network namespace (unprivileged).
    UserAndNetNs,
    /// Not possible here.
    Unavailable,
}

/// Whether checks can run without network on this machine (probed once).
pub fn network_isolation_available() -> bool {
    isolation() != Isolation::Unavailable
}

fn isolation() -> Isolation {
    static PROBED: OnceLock<Isolation> = OnceLock::new();
    *PROBED.get_or_init(|| {
        // Network namespaces are Linux's; elsewhere the hook cannot isolate,
        // and a probe that "succeeds" would only prove that `true` runs.
        if cfg!(not(target_os = "linux")) {
            return Isolation::Unavailable;
        }
        for mode in [Isolation::NetNs, Isolation::UserAndNetNs] {
            let mut probe = Command::new("true");
            probe.stdin(std::process::Stdio::null());
            probe.stdout(std::process::Stdio::null());
            probe.stderr(std::process::Stdio::null());
            sys::install(&mut probe, sys::Plan::new(mode, &Limits { isolate_network: true, ..Limits::none() }));
            if probe.status().is_ok_and(|s| s.success()) {
                return mode;
            }
        }
        Isolation::Unavailable
    })
}

/// Sets up `command` to run under `limits`. Returns whether the network will
/// be isolated.
pub(crate) fn apply(command: &mut Command, limits: &Limits) -> bool {
    let mode = if limits.isolate_network { isolation() } else { Isolation::Unavailable };
    sys::install(command, sys::Plan::new(mode, limits));
    mode != Isolation::Unavailable
}

/// How many processes are in process group `pgid` now; `None` where that
/// cannot be known (no `/proc`).
pub(crate) fn group_size(pgid: u32) -> Option<u64> {
    let entries = std::fs::read_dir("/proc").ok()?;
    let mut count = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str() else { continue };
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        // A process may exit between the listing and the read: skip it.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        if stat_pgrp(&stat) == Some(pgid) {
            count += 1;
        }
    }
    Some(count)
}

/// The process group field of a `/proc/PID/stat` line. The command name (in
/// parentheses) may hold spaces and parentheses, so fields are counted from
/// the last `)`: state, ppid, pgrp.
fn stat_pgrp(stat: &str) -> Option<u32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_ascii_whitespace().nth(2)?.parse().ok()
}

/// The one place that needs `unsafe`: the pre-exec hook.
mod sys {
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    use super::{Isolation, Limits};

    /// Everything the hook does, computed before the fork.
    #[derive(Debug, Clone, Copy)]
    pub struct Plan {
        unshare_flags: libc::c_int,
        limits: [(LimitResource, Option<u64>); 3],
        nice: libc::c_int,
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    type LimitResource = libc::__rlimit_resource_t;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    type LimitResource = libc::c_int;

    impl Plan {
        pub fn new(mode: Isolation, limits: &Limits) -> Self {
            Self {
                unshare_flags: unshare_flags(mode),
                limits: [
                    (libc::RLIMIT_AS, limits.memory_bytes),
                    (libc::RLIMIT_CPU, limits.cpu_secs),
                    (libc::RLIMIT_NPROC, limits.processes),
                ],
                nice: libc::c_int::from(limits.nice),
            }
        }
    }

    #[cfg(target_os = "linux")]
    fn unshare_flags(mode: Isolation) -> libc::c_int {
        match mode {
            Isolation::NetNs => libc::CLONE_NEWNET,
            Isolation::UserAndNetNs => libc::CLONE_NEWUSER | libc::CLONE_NEWNET,
            Isolation::Unavailable => 0,
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn unshare_flags(_: Isolation) -> libc::c_int {
        0
    }

    /// Installs the hook on `command`.
    #[allow(unsafe_code)]
    pub fn install(command: &mut Command, plan: Plan) {
        // SAFETY: the closure runs in the child between fork and exec. It only
        // makes system calls that are async-signal-safe (unshare, setrlimit, nice,
        // socket, ioctl, close) on the `Copy` data captured above; it does not
        // allocate, lock or touch the parent's state. An error becomes
        // `io::Error::last_os_error()`, which does not allocate either.
        unsafe {
            command.pre_exec(move || run(&plan));
        }
    }

    #[allow(unsafe_code)]
    fn run(plan: &Plan) -> std::io::Result<()> {
        if plan.unshare_flags != 0 {
            #[cfg(target_os = "linux")]
            {
                // SAFETY: unshare only changes this (single-threaded, forked)
                // process's namespaces.
                if unsafe { libc::unshare(plan.unshare_flags) } != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                loopback_up();
            }
        }
        for (resource, value) in plan.limits {
            let Some(value) = value else { continue };
            let value = libc::rlim_t::try_from(value).unwrap_or(libc::RLIM_INFINITY);
            // The hard limit one above the soft one: past the soft CPU limit
            // the kernel sends SIGXCPU, which tells the waiter why the check
            // died, and SIGKILL only a second later if that was ignored.
            let limit = libc::rlimit { rlim_cur: value, rlim_max: value.saturating_add(1) };
            // SAFETY: setrlimit reads the struct we pass by reference. Lowering
            // a limit never needs a privilege; raising past the hard limit
            // fails, which we ignore: the inherited (lower) limit then stands.
            unsafe {
                libc::setrlimit(resource, &limit);
            }
        }
        if plan.nice != 0 {
            // SAFETY: nice only lowers this process's scheduling priority; a
            // failure (-1 with errno) leaves the priority as it was, which we
            // accept.
            unsafe {
                libc::nice(plan.nice);
            }
        }
        Ok(())
    }

    /// Brings up `lo` in the new network namespace, so a check can still talk
    /// to itself on 127.0.0.1. Best effort: without it the network is still
    /// isolated, only more strictly.
    #[cfg(target_os = "linux")]
    #[allow(unsafe_code)]
    fn loopback_up() {
        // SAFETY: plain system calls on a socket we open and close here, and an
        // `ifreq` on our stack that the kernel reads and writes.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
            if fd < 0 {
                return;
            }
            let mut req: libc::ifreq = std::mem::zeroed();
            for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
                *dst = *src as libc::c_char;
            }
            if libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req) == 0 {
                req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
                libc::ioctl(fd, libc::SIOCSIFFLAGS, &req);
            }
            libc::close(fd);
        }
    }
}

#[cfg(test)]
mod tests;
