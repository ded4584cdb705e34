#!/usr/bin/env python3
"""Checks that intrinsics.toml, the two headers and the equivalence harness
agree: every listed wrapper is defined in both headers and exercised by
check_intrinsics.c, every wrapper the headers define is listed, and every
listed constant is defined in both headers with the listed value.

usage: python3 check_table.py   (from tests/; needs Python 3.11+ for tomllib)
Prints "N passed, M failed" and exits 1 on any failure."""
import os
import re
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11
    sys.exit("check_table.py needs Python 3.11+ (tomllib)")

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
table = tomllib.load(open(os.path.join(root, "intrinsics.toml"), "rb"))
# Each header with the shared part it includes, as molt writes it beside a ported file.
derived = open(os.path.join(root, "molt_simd_derived.h")).read()
headers = {
    n: re.sub(r'#include "molt_simd_derived.h"[^\n]*', lambda _: derived, open(os.path.join(root, n)).read())
    for n in ("molt_simd_neon.h", "molt_simd_scalar.h")
}
harness = open(os.path.join(here, "check_intrinsics.c")).read()


def defined_wrappers(text):
    """Names defined as `static inline T name(` (molt_ and one underscore: molt__x
    are internal helpers) or through a generator macro."""
    names = set(re.findall(r"static inline [\w *]+?\b(molt_(?!_)\w*?)\s*\(", text))
    for m in re.finditer(r"MOLT__\w+\(\s*(molt_mm\w+)\s*,\s*(\w+)", text):
        names.add(m.group(1))
        if "_BOTH" in m.group(0) and m.group(2).startswith("molt_mm"):
            names.add(m.group(2))
    return names


passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL - {what}")


listed = {i["wrapper"] for i in table["intrinsic"]}
# The CPU feature queries: functions (listed like wrappers) or macros.
queries = {q["wrapper"] for q in table.get("cpu_query", [])}
cpuid_harness = open(os.path.join(here, "check_cpuid.c")).read()
for q in table.get("cpu_query", []):
    name = q["name"].removeprefix("asm ")
    check(re.search(r"\b" + re.escape(name) + r"\b", cpuid_harness) is not None, f"{q['name']}: not exercised by check_cpuid.c")
for i in table["intrinsic"]:
    check(i["wrapper"] == "molt" + i["name"], f"{i['name']}: wrapper name is not 'molt' + name")
    check(i["isa"] in {"sse", "sse2", "sse3", "ssse3", "sse41", "sse42", "avx", "avx2", "fma", "f16c", "popcnt", "lzcnt", "bmi1", "bmi2", "aes", "pclmul"}, f"{i['name']}: isa {i['isa']}")
    check(i["compare"] in {"bits", "bits-any-nan", "approx"}, f"{i['name']}: compare {i['compare']}")
    check(re.search(r"\b" + re.escape(i["name"]) + r"\b", harness) is not None, f"{i['name']}: not exercised by check_intrinsics.c")
for name, text in headers.items():
    defined = defined_wrappers(text)
    for w in sorted(queries):
        check(w in defined or re.search(r"#define " + w + r"\(", text) is not None, f"{name}: does not define {w}")
    defined -= queries
    for w in sorted(listed - defined):
        check(False, f"{name}: does not define {w}")
    for w in sorted(defined - listed):
        check(False, f"{name}: defines {w}, which intrinsics.toml does not list")
    passed += len(listed & defined)
    for c in table["constant"]:
        m = re.search(r"#define " + c["portable"] + r" (.+)", text)
        if not m:
            check(False, f"{name}: does not define {c['portable']}")
            continue
        expr = re.sub(r"MOLT_\w+", lambda t: re.search(r"#define " + t.group(0) + r" (.+)", text).group(1), m.group(1))
        check(eval(expr, {}) == c["value"], f"{name}: {c['portable']} is not {c['value']}")
    for t in table["type"]:
        check(re.search(r"\}\s*" + t["portable"] + r";|\b" + t["portable"] + r";", text) is not None, f"{name}: no type {t['portable']}")
    check("#ifndef _MM_SHUFFLE" in text and "MOLT_MM_SHUFFLE" in text, f"{name}: _MM_SHUFFLE / MOLT_MM_SHUFFLE")

print(f"{passed} passed, {failed} failed ({len(table['intrinsic'])} intrinsics, "
      f"{len(table['type'])} types, {len(table['constant'])} constants)")
sys.exit(1 if failed else 0)
