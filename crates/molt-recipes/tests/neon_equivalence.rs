//! Every intrinsic the x86-to-neon table maps, run three ways on the same
//! pseudo-random inputs plus NaN, infinities, denormals, -0.0 and
//! out-of-range values: the real x86 intrinsic natively, the NEON wrapper
//! built with aarch64-linux-gnu-gcc under qemu-aarch64 (at -O2 and -O0), and
//! the scalar wrapper natively. The harness (data/x86-to-neon/tests) compares
//! the result bits and fails on any mismatch.

use std::path::Path;
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() == "build" {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn neon_and_scalar_wrappers_match_x86_bit_for_bit() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/x86-to-neon");
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&data, tmp.path());
    let out = Command::new("make")
        .args(["-s", "-j2", "compare"])
        .current_dir(tmp.path().join("tests"))
        .output()
        .expect("make (install gcc, gcc-aarch64-linux-gnu and qemu-user: cargo xtask test does)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "make compare failed\n{stdout}\n{stderr}");
    // Three candidates, each with thousands of lines and no mismatch.
    let lines: Vec<&str> = stdout.lines().filter(|l| l.contains(" passed, ")).collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for l in lines {
        assert!(l.contains(" passed, 0 failed"), "{l}");
        let passed: u64 =
            l.split(": ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
        assert!(passed > 10_000, "{l}");
    }
}

/// The headers' answers to cpuid, xgetbv, <cpuid.h>, MSVC's `__cpuid` and
/// `__builtin_cpu_supports` (tests/check_cpuid.c): on aarch64, under qemu,
/// built with and without the crc and crypto instructions, exactly the
/// features whose ISA the table maps (AES-NI, PCLMULQDQ and SSE4.2 by
/// AT_HWCAP where the header uses those instructions), nothing of AVX-512 or
/// SHA; in portable C nothing; and the decoding the checker judges them by
/// agrees with GCC's own `__builtin_cpu_supports` on the x86 host.
#[test]
fn cpu_feature_queries_answer_the_features_the_headers_implement() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/x86-to-neon");
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&data, tmp.path());
    let out = Command::new("make")
        .args(["-s", "-j2", "cpuid"])
        .current_dir(tmp.path().join("tests"))
        .output()
        .expect("make (install gcc, gcc-aarch64-linux-gnu and qemu-user: cargo xtask test does)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "make cpuid failed\n{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().filter(|l| l.contains(" passed, ")).collect();
    let labels: Vec<&str> = lines.iter().filter_map(|l| l.split(':').next()).collect();
    assert_eq!(labels, ["cpuid-x86", "cpuid-neon", "cpuid-neon-crypto", "cpuid-scalar"], "{stdout}");
    for l in lines {
        assert!(l.contains(" passed, 0 failed"), "{l}");
        let passed: u64 =
            l.split(": ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
        assert!(passed > 150, "{l}");
    }
}
