#!/usr/bin/env python3
"""Compares what check_cpuid.c printed with the features intrinsics.toml
maps. Each file is one build's output (see the Makefile's `cpuid` target):

- x86 (the real CPU): every way of reading CPUID, decoded as check_cpuid.c
  decodes it, must agree with GCC's own __builtin_cpu_supports; this checks
  the decoding that the other builds are judged by.
- neon (molt_simd_neon.h under qemu-aarch64): every feature whose ISA the
  table maps reads present, every other absent, by every way; AES-NI,
  PCLMULQDQ and SSE4.2 by AT_HWCAP where the header was built to use the
  crypto or crc instructions; XCR0 holds the SSE and AVX states, not AVX-512's.
- scalar (molt_simd_scalar.h): nothing present.

usage: python3 check_cpuid.py FILE...   (Python 3.11+)
Prints "LABEL: N passed, M failed" per file and exits 1 on any failure."""
import os
import sys
import tomllib

here = os.path.dirname(os.path.abspath(__file__))
table = tomllib.load(open(os.path.join(os.path.dirname(here), "intrinsics.toml"), "rb"))
NAME = {"sse41": "sse4.1", "sse42": "sse4.2", "bmi1": "bmi"}
mapped = {NAME.get(i["isa"], i["isa"]) for i in table["intrinsic"]}
WAYS = ["get_cpuid", "get_cpuid_count", "cpuid_macro", "cpuid_count_macro", "msvc_cpuid", "msvc_cpuidex", "asm", "supports"]

failed_any = False
for path in sys.argv[1:]:
    got = {}
    for line in open(path):
        parts = line.split()
        if len(parts) == 3:
            got[(parts[0], parts[1])] = parts[2]
        elif len(parts) == 2:
            got[(parts[0], "")] = parts[1]
    target = got.get(("target", ""))
    features = sorted({f for (w, f) in got if w == "supports"})
    passed = failed = 0

    def check(key, want):
        global passed, failed
        if got.get(key) == str(want):
            passed += 1
        else:
            failed += 1
            print(f"FAIL {path}: {' '.join(key)} is {got.get(key)}, want {want}")

    # The table's ISAs are all asked about, and some features it lacks.
    check(("target", ""), target if target in ("x86", "neon", "scalar") else "x86|neon|scalar")
    for isa in sorted(mapped | {"avx512f", "sha"}):
        check(("supports", isa), got.get(("supports", isa), "missing"))
    if target == "x86":
        for f in features:
            for way in WAYS:
                check((way, f), got[("supports", f)])
        check(("xcr0", "avx"), got[("supports", "avx")])
    elif target == "neon":
        conditional = {"sse4.2": "crc", "aes": "aes", "pclmul": "pmull"}
        for f in features:
            want = 0
            if f in mapped:
                ext = conditional.get(f)
                want = 1 if ext is None or got[("built", ext)] == "0" or got[("hwcap", ext)] == "1" else 0
            for way in WAYS:
                check((way, f), want)
        for f, ext in conditional.items():
            check(("nohwcap", f), 1 if got[("built", ext)] == "0" else 0)
        check(("nohwcap", "avx2"), 1)
        check(("xcr0", "sse"), 1)
        check(("xcr0", "avx"), 1)
        check(("xcr0", "avx512"), 0)
        check(("intel", ""), 0)
        check(("max", ""), "ok")
        check(("ext_max", ""), "ok")
    elif target == "scalar":
        for f in features:
            for way in WAYS:
                check((way, f), 0)
        check(("xcr0", "avx"), 0)
        check(("intel", ""), 0)
    label = os.path.basename(path).removesuffix(".txt")
    print(f"{label}: {passed} passed, {failed} failed")
    failed_any = failed_any or failed > 0
sys.exit(1 if failed_any else 0)
