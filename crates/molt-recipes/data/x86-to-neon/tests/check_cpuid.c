/*
 * The CPU feature queries of the x86-to-neon headers, asked every way real
 * dispatchers ask them: GCC's <cpuid.h> (__get_cpuid, __get_cpuid_count,
 * __get_cpuid_max, the __cpuid and __cpuid_count macros), MSVC's __cpuid and
 * __cpuidex, _xgetbv, __builtin_cpu_supports, and inline-assembly cpuid as
 * the rules rewrite it (molt_cpuid_reg). Prints one line per feature per
 * way: "WAY FEATURE 0|1", then the XCR0 line and what the header was built
 * for and the CPU has ("built ..." and "hwcap ..."); check_cpuid.py
 * compares that with the features intrinsics.toml maps.
 *
 * Built three ways (see the Makefile): natively on x86 with the real
 * intrinsics (-DMOLT_CHECK_X86: there the decoding below must agree with
 * GCC's own __builtin_cpu_supports), for aarch64 with molt_simd_neon.h (run
 * under qemu-aarch64, with and without +crc+crypto), and with
 * molt_simd_scalar.h.
 */
#include <stdio.h>
#include <string.h>

#if defined(MOLT_CHECK_X86)
#include <cpuid.h>
#include <immintrin.h>
static unsigned long long xgetbv0(void)
{
    unsigned eax, edx;
    __asm__ __volatile__("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}
#define SUPPORTS(name) __builtin_cpu_supports(name)
/* The real instruction, as inline assembly: every register of (leaf, sub). */
static unsigned asm_reg(unsigned leaf, unsigned sub, int reg)
{
    unsigned r[4];
    __asm__ __volatile__("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
    return r[reg];
}
#else
#if defined(MOLT_SIMD_FORCE_SCALAR) || !defined(__aarch64__)
#include "molt_simd_scalar.h"
#else
#include "molt_simd_neon.h"
#endif
/* The x86 names, as the recipe renames them. */
#define __get_cpuid molt_get_cpuid
#define __get_cpuid_count molt_get_cpuid_count
#define __get_cpuid_max molt_get_cpuid_max
#define __cpuid molt_cpuid
#define __cpuid_count molt_cpuid_count
#define __cpuidex molt_cpuidex
#define _xgetbv molt_xgetbv
#define __builtin_cpu_supports molt_cpu_supports
#define __builtin_cpu_init molt_cpu_init
#define __builtin_cpu_is molt_cpu_is
static unsigned long long xgetbv0(void) { return _xgetbv(0); }
#define SUPPORTS(name) __builtin_cpu_supports(name)
static unsigned asm_reg(unsigned leaf, unsigned sub, int reg) { return molt_cpuid_reg(leaf, sub, reg); }
#endif

/* name, leaf, register (0 eax .. 3 edx), bit: where CPUID reports each feature */
#define FEATURES(X)                                                                                                    \
    X("sse", 1, 3, 25)                                                                                                 \
    X("sse2", 1, 3, 26)                                                                                                \
    X("sse3", 1, 2, 0)                                                                                                 \
    X("ssse3", 1, 2, 9)                                                                                                \
    X("sse4.1", 1, 2, 19)                                                                                              \
    X("sse4.2", 1, 2, 20)                                                                                              \
    X("avx", 1, 2, 28)                                                                                                 \
    X("avx2", 7, 1, 5)                                                                                                 \
    X("fma", 1, 2, 12)                                                                                                 \
    X("f16c", 1, 2, 29)                                                                                                \
    X("popcnt", 1, 2, 23)                                                                                              \
    X("lzcnt", 0x80000001u, 2, 5)                                                                                      \
    X("bmi", 7, 1, 3)                                                                                                  \
    X("bmi2", 7, 1, 8)                                                                                                 \
    X("aes", 1, 2, 25)                                                                                                 \
    X("pclmul", 1, 2, 1)                                                                                               \
    X("avx512f", 7, 1, 16)                                                                                             \
    X("avx512vl", 7, 1, 31)                                                                                            \
    X("avx512bw", 7, 1, 30)                                                                                            \
    X("sha", 7, 1, 29)                                                                                                 \
    X("mmx", 1, 3, 23)

static int bit(unsigned v, int b) { return (int)((v >> b) & 1u); }

int main(void)
{
    __builtin_cpu_init();
    unsigned max = __get_cpuid_max(0, 0), ext_max = __get_cpuid_max(0x80000000u, 0);
    printf("max %s\n", max >= 7 ? "ok" : "low");
    printf("ext_max %s\n", ext_max >= 0x80000001u ? "ok" : "low");
    printf("intel %d\n", __builtin_cpu_is("intel") ? 1 : 0);

    /* Every way of reading (leaf, 0), as {eax, ebx, ecx, edx}. */
#define WAYS(X) X(get_cpuid) X(get_cpuid_count) X(cpuid_macro) X(cpuid_count_macro) X(msvc_cpuid) X(msvc_cpuidex) X(asm)
    unsigned r[4];
#define READ(way, leaf)                                                                                                \
    do {                                                                                                               \
        unsigned a = 0, b = 0, c = 0, d = 0;                                                                           \
        int info[4] = {0, 0, 0, 0};                                                                                    \
        (void)info;                                                                                                    \
        if (strcmp(way, "get_cpuid") == 0 && (leaf) != 7)                                                              \
            __get_cpuid((leaf), &a, &b, &c, &d);                                                                       \
        else if (strcmp(way, "get_cpuid") == 0 || strcmp(way, "get_cpuid_count") == 0)                                \
            __get_cpuid_count((leaf), 0, &a, &b, &c, &d);                                                              \
        else if (strcmp(way, "cpuid_macro") == 0 && (leaf) != 7)                                                       \
            __cpuid((leaf), a, b, c, d);                                                                               \
        else if (strcmp(way, "cpuid_macro") == 0 || strcmp(way, "cpuid_count_macro") == 0)                            \
            __cpuid_count((leaf), 0, a, b, c, d);                                                                      \
        else if (strcmp(way, "asm") == 0) {                                                                            \
            a = asm_reg((leaf), 0, 0);                                                                                 \
            b = asm_reg((leaf), 0, 1);                                                                                 \
            c = asm_reg((leaf), 0, 2);                                                                                 \
            d = asm_reg((leaf), 0, 3);                                                                                 \
        } else {                                                                                                       \
            MSVC_READ(way, leaf);                                                                                      \
        }                                                                                                              \
        r[0] = a;                                                                                                      \
        r[1] = b;                                                                                                      \
        r[2] = c;                                                                                                      \
        r[3] = d;                                                                                                      \
    } while (0)
#if defined(MOLT_CHECK_X86)
    /* MSVC's functions do not exist with GCC on x86: read as GCC does. */
#define MSVC_READ(way, leaf) __cpuid_count((leaf), 0, a, b, c, d)
#else
#define MSVC_READ(way, leaf)                                                                                           \
    do {                                                                                                               \
        if (strcmp(way, "msvc_cpuid") == 0 && (leaf) != 7)                                                             \
            __cpuid(info, (int)(leaf));                                                                                \
        else                                                                                                           \
            __cpuidex(info, (int)(leaf), 0);                                                                           \
        a = (unsigned)info[0];                                                                                         \
        b = (unsigned)info[1];                                                                                         \
        c = (unsigned)info[2];                                                                                         \
        d = (unsigned)info[3];                                                                                         \
    } while (0)
#endif
#define ONE_WAY(way)                                                                                                   \
    {                                                                                                                  \
        const char *w = #way;                                                                                          \
        FEATURES(FEATURE_OF_WAY)                                                                                       \
    }
#define FEATURE_OF_WAY(name, leaf, reg, b)                                                                             \
    READ(w, leaf);                                                                                                     \
    printf("%s %s %d\n", w, name, bit(r[reg], b));
    WAYS(ONE_WAY)

#define SUPPORTED(name, leaf, reg, b) printf("supports %s %d\n", name, SUPPORTS(name) ? 1 : 0);
    FEATURES(SUPPORTED)

    /* XCR0: x87, SSE and AVX state (bits 0..2); AVX-512 state (5..7) */
    unsigned long long xcr0 = 0;
    {
        unsigned a = 0, b = 0, c = 0, d = 0;
        __get_cpuid(1, &a, &b, &c, &d);
        if (bit(c, 27)) /* OSXSAVE */
            xcr0 = xgetbv0();
    }
    printf("xcr0 sse %d\nxcr0 avx %d\nxcr0 avx512 %d\n", (int)((xcr0 >> 1) & 1), (int)((xcr0 >> 2) & 1),
           (xcr0 & 0xe0) == 0xe0 ? 1 : 0);

#if defined(MOLT_CHECK_X86)
    printf("target x86\n");
#elif defined(MOLT_SIMD_NEON_H)
    printf("target neon\n");
    /* What the header was built to use, and what the CPU has (AT_HWCAP). */
#if defined(__ARM_FEATURE_CRC32)
    printf("built crc 1\n");
#else
    printf("built crc 0\n");
#endif
#if defined(MOLT__NEON_AES)
    printf("built aes 1\n");
#else
    printf("built aes 0\n");
#endif
#if defined(MOLT__NEON_PMULL)
    printf("built pmull 1\n");
#else
    printf("built pmull 0\n");
#endif
    unsigned long hw = molt__hwcap();
    printf("hwcap crc %d\nhwcap aes %d\nhwcap pmull %d\n", (hw & MOLT__HWCAP_CRC32) ? 1 : 0,
           (hw & MOLT__HWCAP_AES) ? 1 : 0, (hw & MOLT__HWCAP_PMULL) ? 1 : 0);
    /* The same CPU without the crc and crypto extensions. */
    unsigned none = molt__x86_features_for(0);
    printf("nohwcap sse4.2 %d\nnohwcap aes %d\nnohwcap pclmul %d\nnohwcap avx2 %d\n",
           (none & MOLT_X86_FEATURE_SSE4_2) ? 1 : 0, (none & MOLT_X86_FEATURE_AES) ? 1 : 0,
           (none & MOLT_X86_FEATURE_PCLMUL) ? 1 : 0, (none & MOLT_X86_FEATURE_AVX2) ? 1 : 0);
#else
    printf("target scalar\n");
#endif
    return 0;
}
