/*
 * check_intrinsics: runs every mapped intrinsic on deterministic inputs
 * (pseudo-random values plus NaNs, infinities, denormals, -0.0, rounding
 * ties, out-of-range floats for conversions, INT32_MIN/MAX ...) and prints
 * one line per intrinsic per case with the result bits in hex.
 *
 * One source, three builds:
 *   x86-64, -mavx2 -mfma            the real intrinsics: the reference
 *   aarch64                         molt_simd_neon.h: the candidate
 *   any, -DMOLT_SIMD_FORCE_SCALAR   molt_simd_scalar.h: the fallback
 * whose outputs must be identical line for line (compare.c checks that).
 *
 * Line formats:
 *   NAME #CASE: XXXXXXXX ...     exact: every bit must match
 *   NAME #CASE: XXXXXXXX nan ... arithmetic results: a NaN prints as "nan"
 *                                (x86 and ARM make different NaN bits, see
 *                                the headers); all other bits must match
 *   ~ NAME #CASE: ...            approximate on x86 (rcp, rsqrt): compared
 *                                with x86's documented relative error bound
 *
 * The intrinsics are named once, by their x86 names: I(_mm_add_ps) is
 * _mm_add_ps on x86 and molt_mm_add_ps otherwise; T(m128) is __m128 or
 * molt_m128; K(_CMP_GT_OQ) is _CMP_GT_OQ or MOLT_CMP_GT_OQ. Build with
 * -ffp-contract=off.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(MOLT_SIMD_FORCE_SCALAR)
#include "molt_simd_scalar.h"
#define MODE "scalar"
#define MOLT_NAMES 1
#elif defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MODE "x86"
#define MOLT_NAMES 0
#elif defined(__aarch64__)
#include "molt_simd_neon.h"
#define MODE "neon"
#define MOLT_NAMES 1
#else
#error "no SIMD mapping for this target: define MOLT_SIMD_FORCE_SCALAR"
#endif

#if MOLT_NAMES
#define I(name) molt##name
#define K(name) MOLT##name
#define T(name) molt_##name
#else
#define I(name) name
#define K(name) name
#define T(name) __##name
#endif

/* Keeps the thousands of expansions below small (and the build quick). */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

typedef T(m128) v128;
typedef T(m256) v256;
typedef T(m128i) v128i;
typedef T(m256i) v256i;

/* ------------------------------------------------------------------------ */
/* Inputs                                                                   */
/* ------------------------------------------------------------------------ */

#define NCASE 24
/* Inputs as bit patterns: a, b, c floats; ia, ib 32-bit integers. */
static uint32_t fa[NCASE][8], fb[NCASE][8], fc[NCASE][8];
static uint32_t fr[NCASE][8]; /* fa without denormals or huge values, for rcp/rsqrt */
static uint32_t ia[NCASE][8], ib[NCASE][8];
static uint64_t da[NCASE][4], db[NCASE][4]; /* doubles */

static const uint32_t SPECIAL_F[] = {
    0x00000000, /* +0 */
    0x80000000, /* -0 */
    0x3f800000, /* 1 */
    0xbf800000, /* -1 */
    0x3f000000, /* 0.5 */
    0xbf000000, /* -0.5 */
    0x3fc00000, /* 1.5 */
    0x40200000, /* 2.5 */
    0xc0200000, /* -2.5 */
    0x4a800001, /* 4194304.5: a tie at 2^22 */
    0x3effffff, /* 0.49999997 */
    0x7fc00000, /* qNaN */
    0xffc00000, /* -qNaN (x86 "indefinite") */
    0x7fc12345, /* qNaN with a payload */
    0x7fa00000, /* sNaN */
    0xff800001, /* -sNaN */
    0x7f800000, /* +inf */
    0xff800000, /* -inf */
    0x7f7fffff, /* FLT_MAX */
    0xff7fffff, /* -FLT_MAX */
    0x00800000, /* FLT_MIN (smallest normal) */
    0x00000001, /* smallest denormal */
    0x807fffff, /* -largest denormal */
    0x00400000, /* denormal */
    0x4f000000, /* 2^31: just out of int32 range */
    0xcf000000, /* -2^31: just in range */
    0x4effffff, /* 2147483520: largest float below 2^31 */
    0xcf000001, /* -2147483904: just below -2^31 */
    0x4f32d05e, /* 3e9 */
    0xd01502f9, /* -1e10 */
    0x0da24260, /* 1e-30 */
    0x3dcccccd, /* 0.1 */
    0xc0f80000, /* -7.75 */
    0x47f12065, /* 123456.79 */
    0x4b800001, /* 16777218 */
    0xcb000000, /* -8388608 */
};
#define N_SPECIAL_F (sizeof SPECIAL_F / sizeof SPECIAL_F[0])

static const uint32_t SPECIAL_I[] = {
    0x00000000, 0x00000001, 0xffffffff, 0x00000002, 0x7fffffff, 0x80000000, 0x80000001,
    0x55555555, 0xaaaaaaaa, 0x0000ffff, 0xffff0000, 0x01000001, /* 16777217 */
    0xfeffffff, /* -16777217 */
    0x7fffffc0, /* 2147483584: a tie when converted to float */
    0x00003039, /* 12345 */
    0xfffe7961, /* -99999 */
    0x00000007, 0x00000008, 0xfffffff8,
    0x7f80ff01, 0x80017fff, 0x00ff0080, 0x7fff8000, 0x80808080, 0x7f7f7f7f, 0xff00ff00, 0x0f8f1f9f,
};
#define N_SPECIAL_I (sizeof SPECIAL_I / sizeof SPECIAL_I[0])

static const uint64_t SPECIAL_D[] = {
    0x0000000000000000, /* 0.0 */
    0x8000000000000000, /* -0.0 */
    0x3ff0000000000000, /* 1.0 */
    0xbff0000000000000, /* -1.0 */
    0x3fe0000000000000, /* 0.5 */
    0xbfe0000000000000, /* -0.5 */
    0x3ff8000000000000, /* 1.5 */
    0x4004000000000000, /* 2.5 */
    0xc004000000000000, /* -2.5 */
    0x41dfffffffe00000, /* 2147483647.5 */
    0xc1e0000000100000, /* -2147483648.5 */
    0x41dfffffffa00000, /* 2147483646.5 */
    0x41e0000000000000, /* 2^31 */
    0xc1e0000000000000, /* -2^31 */
    0xc1e0000000200000, /* -2147483649 */
    0x41e65a0bc0000000, /* 3e9 */
    0xc202a05f20000000, /* -1e10 */
    0x7e37e43c8800759c, /* 1e300 */
    0x81a56e1fc2f8f359, /* -1e-300 */
    0x3fb999999999999a, /* 0.1 */
    0x37a16c262777579c, /* 1e-40: a float denormal */
    0x47effffff0000000, /* FLT_MAX rounding tie */
    0x4330000000000001, /* 2^52 + 1 */
    0xc01f000000000000, /* -7.75 */
    0x40fe240c9fbe76c9, /* 123456.789 */
    0x7fefffffffffffff, /* DBL_MAX */
    0x0010000000000000, /* DBL_MIN */
    0x0000000000000001, /* smallest denormal */
    0x800fffffffffffff, /* -largest denormal */
    0x7ff8000000000000, /* qNaN */
    0xfff8000000000000, /* -qNaN (x86 "indefinite") */
    0x7ff8000012345678, /* qNaN with a payload */
    0x7ff4000000000000, /* sNaN */
    0xfff0000000000001, /* -sNaN */
    0x7ff0000000000000, /* +inf */
    0xfff0000000000000, /* -inf */
};
#define N_SPECIAL_D (sizeof SPECIAL_D / sizeof SPECIAL_D[0])

static uint64_t rng_state = 0x243F6A8885A308D3ull;

static uint32_t next32(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static uint32_t fbits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static int is_nan_bits(uint32_t u) { return (u & 0x7f800000u) == 0x7f800000u && (u & 0x007fffffu); }

/* A float of random sign and mantissa with exponent in [lo, hi]. */
static uint32_t rand_float(unsigned lo, unsigned hi)
{
    uint32_t e = lo + next32() % (hi - lo + 1);
    return (next32() & 0x80000000u) | (e << 23) | (next32() & 0x007fffffu);
}

static void make_inputs(void)
{
    static const float crafted_a[8] = {0.0f, -0.0f, 0.0f, -0.0f, NAN, 1.0f, INFINITY, INFINITY};
    static const float crafted_b[8] = {0.0f, 0.0f, -0.0f, -0.0f, 1.0f, NAN, INFINITY, -INFINITY};
    static const float crafted_c[8] = {-0.0f, 0.0f, NAN, 1.0f, -INFINITY, 2.0f, 0.0f, -0.0f};
    for (int k = 0; k < NCASE; k++) {
        for (int l = 0; l < 8; l++) {
            uint32_t *dst[3] = {&fa[k][l], &fb[k][l], &fc[k][l]};
            for (int v = 0; v < 3; v++) {
                uint32_t x;
                if (k < 8)
                    x = SPECIAL_F[next32() % N_SPECIAL_F];
                else if (k == 8)
                    x = fbits(v == 0 ? crafted_a[l] : v == 1 ? crafted_b[l] : crafted_c[l]);
                else if (k == 9) /* distinct small values: shows where lanes go */
                    x = fbits((float)(1 + l + 8 * v));
                else if (k < 16)
                    x = rand_float(120, 130); /* about 2^-7 .. 2^3 */
                else if (k < 20)
                    x = rand_float(100, 160); /* wide magnitudes */
                else
                    x = next32(); /* any bits: NaNs, denormals, infinities */
                *dst[v] = x;
            }
            if (k < 8)
                ia[k][l] = SPECIAL_I[next32() % N_SPECIAL_I], ib[k][l] = SPECIAL_I[next32() % N_SPECIAL_I];
            else if (k == 9)
                ia[k][l] = (uint32_t)l, ib[k][l] = (uint32_t)(7 - l);
            else if (k < 16)
                ia[k][l] = next32() % 2001 - 1000, ib[k][l] = next32() % 2001 - 1000;
            else
                ia[k][l] = next32(), ib[k][l] = next32();

            if (l < 4) {
                for (int v = 0; v < 2; v++) {
                    uint64_t x;
                    if (k < 8)
                        x = SPECIAL_D[next32() % N_SPECIAL_D];
                    else if (k == 9)
                        x = (uint64_t)0x3ff0000000000000ull + ((uint64_t)(l + 4 * v) << 48); /* distinct */
                    else if (k < 16) /* about 2^-7 .. 2^3 */
                        x = ((uint64_t)(next32() & 0x80000000u) << 32) | ((uint64_t)(1016 + next32() % 11) << 52) |
                            (((uint64_t)next32() << 32 | next32()) & 0x000fffffffffffffull);
                    else
                        x = (uint64_t)next32() << 32 | next32(); /* any bits */
                    if (v == 0)
                        da[k][l] = x;
                    else
                        db[k][l] = x;
                }
            }

            /* rcp/rsqrt inputs: x86 reads denormals as 0 and flushes tiny
             * results, which the precise forms do not; keep |x| in
             * [2^-125, 2^125] or zero, infinity, NaN. */
            uint32_t r = fa[k][l], e = (r >> 23) & 0xff;
            fr[k][l] = (e != 0 && e != 0xff && (e < 2 || e > 252)) || (e == 0 && (r & 0x7fffff)) ? fbits(1.0f) : r;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Loading inputs and printing results                                      */
/* ------------------------------------------------------------------------ */

NOINLINE static v128 ld128(const uint32_t *bits)
{
    float t[4];
    memcpy(t, bits, sizeof t);
    return I(_mm_loadu_ps)(t);
}
NOINLINE static v256 ld256(const uint32_t *bits)
{
    float t[8];
    memcpy(t, bits, sizeof t);
    return I(_mm256_loadu_ps)(t);
}
NOINLINE static T(m128d) ld128d(const uint64_t *bits)
{
    double t[2];
    memcpy(t, bits, sizeof t);
    return I(_mm_loadu_pd)(t);
}
NOINLINE static v128i ld128i(const uint32_t *bits) { return I(_mm_loadu_si128)((const v128i *)(const void *)bits); }
NOINLINE static v256i ld256i(const uint32_t *bits) { return I(_mm256_loadu_si256)((const v256i *)(const void *)bits); }
static float lf(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

enum { EXACT, ARITH, APPROX };
static long n_lines;

NOINLINE static void emit(const char *name, int imm, int k, const uint32_t *bits, int n, int mode)
{
    printf("%s%s", mode == APPROX ? "~ " : "", name);
    if (imm >= 0)
        printf("[0x%02x]", imm);
    printf(" #%d:", k);
    for (int i = 0; i < n; i++) {
        if (mode != EXACT && is_nan_bits(bits[i]))
            printf(" nan");
        else
            printf(" %08x", bits[i]);
    }
    printf("\n");
    n_lines++;
}
NOINLINE static void emit128(const char *name, int imm, int k, v128 r, int mode)
{
    float t[4];
    uint32_t b[4];
    I(_mm_storeu_ps)(t, r);
    memcpy(b, t, sizeof b);
    emit(name, imm, k, b, 4, mode);
}
NOINLINE static void emit256(const char *name, int imm, int k, v256 r, int mode)
{
    float t[8];
    uint32_t b[8];
    I(_mm256_storeu_ps)(t, r);
    memcpy(b, t, sizeof b);
    emit(name, imm, k, b, 8, mode);
}
NOINLINE static void emit128i(const char *name, int imm, int k, v128i r)
{
    uint32_t b[4];
    I(_mm_storeu_si128)((v128i *)(void *)b, r);
    emit(name, imm, k, b, 4, EXACT);
}
NOINLINE static void emit256i(const char *name, int imm, int k, v256i r)
{
    uint32_t b[8];
    I(_mm256_storeu_si256)((v256i *)(void *)b, r);
    emit(name, imm, k, b, 8, EXACT);
}
static int is_nan_bits64(uint64_t u) { return (u & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (u & 0x000fffffffffffffull); }
NOINLINE static void emit64(const char *name, int imm, int k, const uint64_t *bits, int n, int mode)
{
    printf("%s", name);
    if (imm >= 0)
        printf("[0x%02x]", imm);
    printf(" #%d:", k);
    for (int i = 0; i < n; i++) {
        if (mode != EXACT && is_nan_bits64(bits[i]))
            printf(" nan");
        else
            printf(" %016llx", (unsigned long long)bits[i]);
    }
    printf("\n");
    n_lines++;
}
NOINLINE static void emit128d(const char *name, int imm, int k, T(m128d) r, int mode)
{
    double t[2];
    uint64_t b[2];
    I(_mm_storeu_pd)(t, r);
    memcpy(b, t, sizeof b);
    emit64(name, imm, k, b, 2, mode);
}
NOINLINE static void emit_i64(const char *name, int imm, int k, long long v)
{
    uint64_t b = (uint64_t)v;
    emit64(name, imm, k, &b, 1, EXACT);
}
NOINLINE static void emit_f32(const char *name, int k, float f)
{
    uint32_t b = fbits(f);
    emit(name, -1, k, &b, 1, EXACT);
}
NOINLINE static void emit_i32(const char *name, int k, int v)
{
    uint32_t b = (uint32_t)v;
    emit(name, -1, k, &b, 1, EXACT);
}

/* ------------------------------------------------------------------------ */
/* Test shapes. 128-bit ops run on both halves of each case (2 * NCASE).    */
/* ------------------------------------------------------------------------ */

#define FOR128 for (int k = 0; k < 2 * NCASE; k++)
#define FOR256 for (int k = 0; k < NCASE; k++)
#define A128(arr) ld128(arr[k / 2] + 4 * (k % 2))
#define A128I(arr) ld128i(arr[k / 2] + 4 * (k % 2))

#define F128_1(fn, mode) FOR128 emit128(#fn, -1, k, I(fn)(A128(fa)), mode);
#define F128_2(fn, mode) FOR128 emit128(#fn, -1, k, I(fn)(A128(fa), A128(fb)), mode);
#define F128_3(fn, mode) FOR128 emit128(#fn, -1, k, I(fn)(A128(fa), A128(fb), A128(fc)), mode);
#define F256_1(fn, mode) FOR256 emit256(#fn, -1, k, I(fn)(ld256(fa[k])), mode);
#define F256_2(fn, mode) FOR256 emit256(#fn, -1, k, I(fn)(ld256(fa[k]), ld256(fb[k])), mode);
#define F256_3(fn, mode) FOR256 emit256(#fn, -1, k, I(fn)(ld256(fa[k]), ld256(fb[k]), ld256(fc[k])), mode);
#define I128_2(fn) FOR128 emit128i(#fn, -1, k, I(fn)(A128I(ia), A128I(ib)));
#define I256_2(fn) FOR256 emit256i(#fn, -1, k, I(fn)(ld256i(ia[k]), ld256i(ib[k])));
#define I128_1(fn) FOR128 emit128i(#fn, -1, k, I(fn)(A128I(ia)));
#define I256_1(fn) FOR256 emit256i(#fn, -1, k, I(fn)(ld256i(ia[k])));

/* Immediates must be constants for x86: expand every value. The wrappers
 * take them as ordinary ints, so their builds run the same values in a loop
 * (same lines in the same order, and a build several times faster); the
 * constant-immediate path is still exercised by the fixed values elsewhere
 * (shift counts, _MM_SHUFFLE, lane numbers, rounding controls). */
#if MOLT_NAMES
#define REP16(M, x)                               \
    for (int imm_ = (x); imm_ < (x) + 16; imm_++) { \
        M(imm_)                                   \
    }
#define REP32(M)                            \
    for (int imm_ = 0; imm_ < 32; imm_++) { \
        M(imm_)                             \
    }
#define REP256(M)                            \
    for (int imm_ = 0; imm_ < 256; imm_++) { \
        M(imm_)                              \
    }
#else
#define REP4(M, x) M((x)) M((x) + 1) M((x) + 2) M((x) + 3)
#define REP16(M, x) REP4(M, x) REP4(M, (x) + 4) REP4(M, (x) + 8) REP4(M, (x) + 12)
#define REP32(M) REP16(M, 0) REP16(M, 16)
#define REP256(M)                                                                              \
    REP16(M, 0) REP16(M, 16) REP16(M, 32) REP16(M, 48) REP16(M, 64) REP16(M, 80) REP16(M, 96) \
    REP16(M, 112) REP16(M, 128) REP16(M, 144) REP16(M, 160) REP16(M, 176) REP16(M, 192)       \
    REP16(M, 208) REP16(M, 224) REP16(M, 240)
#endif

/* Immediate sweeps use two cases: distinct lane values, and specials. */
#define FOR_IMMCASE for (int k = 8; k < 10; k++)

#define SHUFFLE_PS(imm) FOR_IMMCASE emit128("_mm_shuffle_ps", imm, k, I(_mm_shuffle_ps)(ld128(fa[k]), ld128(fb[k] + 4), imm), EXACT);
#define SHUFFLE_PS256(imm) FOR_IMMCASE emit256("_mm256_shuffle_ps", imm, k, I(_mm256_shuffle_ps)(ld256(fa[k]), ld256(fb[k]), imm), EXACT);
#define PERMUTE_PS(imm) FOR_IMMCASE emit128("_mm_permute_ps", imm, k, I(_mm_permute_ps)(ld128(fa[k] + 4), imm), EXACT);
#define PERMUTE_PS256(imm) FOR_IMMCASE emit256("_mm256_permute_ps", imm, k, I(_mm256_permute_ps)(ld256(fa[k]), imm), EXACT);
#define SHUFFLE_EPI32(imm) FOR_IMMCASE emit128i("_mm_shuffle_epi32", imm, k, I(_mm_shuffle_epi32)(ld128i(ia[k] + 4), imm));
#define PERMUTE2F128(imm) FOR_IMMCASE emit256("_mm256_permute2f128_ps", imm, k, I(_mm256_permute2f128_ps)(ld256(fa[k]), ld256(fb[k]), imm), EXACT);
#define BLEND_PS(imm) FOR_IMMCASE emit128("_mm_blend_ps", imm, k, I(_mm_blend_ps)(ld128(fa[k]), ld128(fb[k]), imm), EXACT);
#define BLEND_PS256(imm) FOR_IMMCASE emit256("_mm256_blend_ps", imm, k, I(_mm256_blend_ps)(ld256(fa[k]), ld256(fb[k]), imm), EXACT);
#define CMP_PS(pred) FOR128 emit128("_mm_cmp_ps", pred, k, I(_mm_cmp_ps)(A128(fa), A128(fb), pred), EXACT);
#define CMP_PS256(pred) FOR256 emit256("_mm256_cmp_ps", pred, k, I(_mm256_cmp_ps)(ld256(fa[k]), ld256(fb[k]), pred), EXACT);
#define ROUND_PS(imm) FOR128 emit128("_mm_round_ps", imm, k, I(_mm_round_ps)(A128(fa), imm), ARITH);
#define ROUND_PS256(imm) FOR256 emit256("_mm256_round_ps", imm, k, I(_mm256_round_ps)(ld256(fa[k]), imm), ARITH);
#define SHIFTS(n)                                                                      \
    FOR128 emit128i("_mm_slli_epi32", n, k, I(_mm_slli_epi32)(A128I(ia), n));          \
    FOR128 emit128i("_mm_srli_epi32", n, k, I(_mm_srli_epi32)(A128I(ia), n));          \
    FOR128 emit128i("_mm_srai_epi32", n, k, I(_mm_srai_epi32)(A128I(ia), n));          \
    FOR256 emit256i("_mm256_slli_epi32", n, k, I(_mm256_slli_epi32)(ld256i(ia[k]), n)); \
    FOR256 emit256i("_mm256_srli_epi32", n, k, I(_mm256_srli_epi32)(ld256i(ia[k]), n)); \
    FOR256 emit256i("_mm256_srai_epi32", n, k, I(_mm256_srai_epi32)(ld256i(ia[k]), n));

/* ------------------------------------------------------------------------ */
/* The checks                                                               */
/* ------------------------------------------------------------------------ */

static void check_memory(void)
{
    /* unaligned loads and stores at every offset of a buffer */
    float src[16];
    memcpy(src, fa[20], 32);
    memcpy(src + 8, fb[21], 32);
    for (int off = 0; off < 8; off++) {
        emit128("_mm_loadu_ps", off, 0, I(_mm_loadu_ps)(src + off), EXACT);
        emit256("_mm256_loadu_ps", off, 0, I(_mm256_loadu_ps)(src + off), EXACT);
        emit128i("_mm_loadu_si128", off, 0, I(_mm_loadu_si128)((const v128i *)(const void *)((const char *)src + 3 * off)));
        emit256i("_mm256_loadu_si256", off, 0, I(_mm256_loadu_si256)((const v256i *)(const void *)((const char *)src + 3 * off)));
        emit128("_mm_load_ss", off, 0, I(_mm_load_ss)(src + off), EXACT);
        emit128("_mm_broadcast_ss", off, 0, I(_mm_broadcast_ss)(src + off), EXACT);
        emit256("_mm256_broadcast_ss", off, 0, I(_mm256_broadcast_ss)(src + off), EXACT);
    }
    _Alignas(32) float al[8];
    FOR256 {
        memcpy(al, fa[k], 32);
        emit128("_mm_load_ps", -1, k, I(_mm_load_ps)(al + 4 * (k % 2)), EXACT);
        emit256("_mm256_load_ps", -1, k, I(_mm256_load_ps)(al), EXACT);
        emit128i("_mm_load_si128", -1, k, I(_mm_load_si128)((const v128i *)(const void *)al));
        emit256i("_mm256_load_si256", -1, k, I(_mm256_load_si256)((const v256i *)(const void *)al));
    }

    /* Stores into a buffer of sentinels: nothing outside may change. The
     * buffers are float (what the x86 store functions write through) and
     * are read back with memcpy, so no strict-aliasing rule is broken. */
    static const char *names[5] = {"_mm_storeu_ps", "_mm256_storeu_ps", "_mm_store_ss",
                                   "_mm_storeu_si128", "_mm256_storeu_si256"};
    for (int off = 0; off < 8; off++) {
        for (int w = 0; w < 5; w++) {
            float buf[20];
            uint32_t bits[20];
            for (int i = 0; i < 20; i++)
                buf[i] = lf(0xdeadbeefu);
            float *p = buf + off;
            switch (w) {
            case 0: I(_mm_storeu_ps)(p, ld128(fa[off])); break;
            case 1: I(_mm256_storeu_ps)(p, ld256(fa[off])); break;
            case 2: I(_mm_store_ss)(p, ld128(fa[off] + 2)); break;
            case 3: I(_mm_storeu_si128)((v128i *)(void *)((char *)buf + off), ld128i(ia[off])); break;
            default: I(_mm256_storeu_si256)((v256i *)(void *)((char *)buf + off), ld256i(ia[off])); break;
            }
            memcpy(bits, buf, sizeof bits);
            emit(names[w], off, 0, bits, 20, EXACT);
        }
    }
    FOR256 {
        _Alignas(32) float buf[8];
        uint32_t bits[8];
        I(_mm_store_ps)(buf, ld128(fa[k] + 4 * (k % 2)));
        I(_mm_store_si128)((v128i *)(void *)(buf + 4), ld128i(ia[k]));
        memcpy(bits, buf, sizeof bits);
        emit("_mm_store_ps+_mm_store_si128", -1, k, bits, 8, EXACT);
        I(_mm256_store_ps)(buf, ld256(fa[k]));
        memcpy(bits, buf, sizeof bits);
        emit("_mm256_store_ps", -1, k, bits, 8, EXACT);
        I(_mm256_store_si256)((v256i *)(void *)buf, ld256i(ia[k]));
        memcpy(bits, buf, sizeof bits);
        emit("_mm256_store_si256", -1, k, bits, 8, EXACT);
    }

    /* masked load/store: masks from integer cases (sign bits) */
    FOR256 {
        float src8[8], dst[10];
        uint32_t bits[10];
        memcpy(src8, fa[k], 32);
        emit256("_mm256_maskload_ps", -1, k, I(_mm256_maskload_ps)(src8, ld256i(ia[k])), EXACT);
        for (int i = 0; i < 10; i++)
            dst[i] = lf(0xdeadbeefu);
        I(_mm256_maskstore_ps)(dst + 1, ld256i(ib[k]), ld256(fb[k]));
        memcpy(bits, dst, sizeof bits);
        emit("_mm256_maskstore_ps", -1, k, bits, 10, EXACT);
    }
}

static void check_set(void)
{
    FOR256 {
        const uint32_t *a = fa[k];
        const uint32_t *x = ia[k];
        emit128("_mm_set_ps", -1, k, I(_mm_set_ps)(lf(a[0]), lf(a[1]), lf(a[2]), lf(a[3])), EXACT);
        emit128("_mm_setr_ps", -1, k, I(_mm_setr_ps)(lf(a[0]), lf(a[1]), lf(a[2]), lf(a[3])), EXACT);
        emit128("_mm_set1_ps", -1, k, I(_mm_set1_ps)(lf(a[k % 8])), EXACT);
        emit128("_mm_set_ss", -1, k, I(_mm_set_ss)(lf(a[k % 8])), EXACT);
        emit256("_mm256_set_ps", -1, k,
                I(_mm256_set_ps)(lf(a[0]), lf(a[1]), lf(a[2]), lf(a[3]), lf(a[4]), lf(a[5]), lf(a[6]), lf(a[7])), EXACT);
        emit256("_mm256_setr_ps", -1, k,
                I(_mm256_setr_ps)(lf(a[0]), lf(a[1]), lf(a[2]), lf(a[3]), lf(a[4]), lf(a[5]), lf(a[6]), lf(a[7])), EXACT);
        emit256("_mm256_set1_ps", -1, k, I(_mm256_set1_ps)(lf(a[k % 8])), EXACT);
        emit128i("_mm_set_epi32", -1, k, I(_mm_set_epi32)((int)x[0], (int)x[1], (int)x[2], (int)x[3]));
        emit128i("_mm_setr_epi32", -1, k, I(_mm_setr_epi32)((int)x[0], (int)x[1], (int)x[2], (int)x[3]));
        emit128i("_mm_set1_epi32", -1, k, I(_mm_set1_epi32)((int)x[k % 8]));
        emit256i("_mm256_set_epi32", -1, k,
                 I(_mm256_set_epi32)((int)x[0], (int)x[1], (int)x[2], (int)x[3], (int)x[4], (int)x[5], (int)x[6], (int)x[7]));
        emit256i("_mm256_setr_epi32", -1, k,
                 I(_mm256_setr_epi32)((int)x[0], (int)x[1], (int)x[2], (int)x[3], (int)x[4], (int)x[5], (int)x[6], (int)x[7]));
        emit256i("_mm256_set1_epi32", -1, k, I(_mm256_set1_epi32)((int)x[k % 8]));
        emit256("_mm256_set_m128", -1, k, I(_mm256_set_m128)(ld128(fa[k]), ld128(fb[k] + 4)), EXACT);
    }
    emit128("_mm_setzero_ps", -1, 0, I(_mm_setzero_ps)(), EXACT);
    emit256("_mm256_setzero_ps", -1, 0, I(_mm256_setzero_ps)(), EXACT);
    emit128i("_mm_setzero_si128", -1, 0, I(_mm_setzero_si128)());
    emit256i("_mm256_setzero_si256", -1, 0, I(_mm256_setzero_si256)());
    I(_mm256_zeroupper)();
    emit_i32("_mm256_zeroupper", 0, 0);
}

static void check_arith(void)
{
    F128_2(_mm_add_ps, ARITH)
    F128_2(_mm_sub_ps, ARITH)
    F128_2(_mm_mul_ps, ARITH)
    F128_2(_mm_div_ps, ARITH)
    F128_1(_mm_sqrt_ps, ARITH)
    F128_2(_mm_add_ss, ARITH)
    F128_2(_mm_sub_ss, ARITH)
    F128_2(_mm_mul_ss, ARITH)
    F128_2(_mm_div_ss, ARITH)
    F128_1(_mm_sqrt_ss, ARITH)
    F128_2(_mm_min_ps, EXACT)
    F128_2(_mm_max_ps, EXACT)
    F128_2(_mm_min_ss, EXACT)
    F128_2(_mm_max_ss, EXACT)
    F128_2(_mm_hadd_ps, ARITH)
    F128_2(_mm_addsub_ps, ARITH)
    F128_1(_mm_floor_ps, ARITH)
    F128_1(_mm_ceil_ps, ARITH)
    F128_3(_mm_fmadd_ps, ARITH)
    F128_3(_mm_fmsub_ps, ARITH)
    F128_3(_mm_fnmadd_ps, ARITH)
    F128_3(_mm_fnmsub_ps, ARITH)

    F256_2(_mm256_add_ps, ARITH)
    F256_2(_mm256_sub_ps, ARITH)
    F256_2(_mm256_mul_ps, ARITH)
    F256_2(_mm256_div_ps, ARITH)
    F256_1(_mm256_sqrt_ps, ARITH)
    F256_2(_mm256_min_ps, EXACT)
    F256_2(_mm256_max_ps, EXACT)
    F256_2(_mm256_hadd_ps, ARITH)
    F256_2(_mm256_addsub_ps, ARITH)
    F256_1(_mm256_floor_ps, ARITH)
    F256_1(_mm256_ceil_ps, ARITH)
    F256_3(_mm256_fmadd_ps, ARITH)
    F256_3(_mm256_fmsub_ps, ARITH)
    F256_3(_mm256_fnmadd_ps, ARITH)
    F256_3(_mm256_fnmsub_ps, ARITH)

    /* every rounding control: nearest, floor, ceil, truncate, current
     * direction, each with and without _MM_FROUND_NO_EXC */
    ROUND_PS(0x00) ROUND_PS(0x01) ROUND_PS(0x02) ROUND_PS(0x03) ROUND_PS(0x04)
    ROUND_PS(0x08) ROUND_PS(0x09) ROUND_PS(0x0a) ROUND_PS(0x0b) ROUND_PS(0x0c)
    ROUND_PS256(0x00) ROUND_PS256(0x01) ROUND_PS256(0x02) ROUND_PS256(0x03) ROUND_PS256(0x04)
    ROUND_PS256(0x08) ROUND_PS256(0x09) ROUND_PS256(0x0a) ROUND_PS256(0x0b) ROUND_PS256(0x0c)
    /* the named constants */
    FOR128 emit128("_mm_round_ps(_MM_FROUND_TO_NEAREST_INT|_MM_FROUND_NO_EXC)", -1, k,
                   I(_mm_round_ps)(A128(fa), K(_MM_FROUND_TO_NEAREST_INT) | K(_MM_FROUND_NO_EXC)), ARITH);
    FOR256 emit256("_mm256_round_ps(_MM_FROUND_FLOOR)", -1, k, I(_mm256_round_ps)(ld256(fa[k]), K(_MM_FROUND_FLOOR)), ARITH);

    /* approximate on x86 */
    FOR128 emit128("_mm_rcp_ps", -1, k, I(_mm_rcp_ps)(A128(fr)), APPROX);
    FOR128 emit128("_mm_rsqrt_ps", -1, k, I(_mm_rsqrt_ps)(A128(fr)), APPROX);
    FOR256 emit256("_mm256_rcp_ps", -1, k, I(_mm256_rcp_ps)(ld256(fr[k])), APPROX);
    FOR256 emit256("_mm256_rsqrt_ps", -1, k, I(_mm256_rsqrt_ps)(ld256(fr[k])), APPROX);
}

static void sweep_cmp(void) { REP32(CMP_PS) }
static void sweep_cmp256(void) { REP32(CMP_PS256) }

static void check_bitwise_compare(void)
{
    F128_2(_mm_and_ps, EXACT)
    F128_2(_mm_or_ps, EXACT)
    F128_2(_mm_xor_ps, EXACT)
    F128_2(_mm_andnot_ps, EXACT)
    F256_2(_mm256_and_ps, EXACT)
    F256_2(_mm256_or_ps, EXACT)
    F256_2(_mm256_xor_ps, EXACT)
    F256_2(_mm256_andnot_ps, EXACT)

    F128_2(_mm_cmpeq_ps, EXACT)
    F128_2(_mm_cmplt_ps, EXACT)
    F128_2(_mm_cmple_ps, EXACT)
    F128_2(_mm_cmpgt_ps, EXACT)
    F128_2(_mm_cmpge_ps, EXACT)
    F128_2(_mm_cmpneq_ps, EXACT)
    F128_2(_mm_cmpord_ps, EXACT)
    F128_2(_mm_cmpunord_ps, EXACT)
    sweep_cmp();
    sweep_cmp256();
    FOR256 emit256("_mm256_cmp_ps(_CMP_GT_OQ)", -1, k, I(_mm256_cmp_ps)(ld256(fa[k]), ld256(fb[k]), K(_CMP_GT_OQ)), EXACT);
    FOR256 emit256("_mm256_cmp_ps(_CMP_NEQ_UQ)", -1, k, I(_mm256_cmp_ps)(ld256(fa[k]), ld256(fb[k]), K(_CMP_NEQ_UQ)), EXACT);

    FOR128 emit_i32("_mm_movemask_ps", k, I(_mm_movemask_ps)(A128(fa)));
    FOR256 emit_i32("_mm256_movemask_ps", k, I(_mm256_movemask_ps)(ld256(fa[k])));

    /* blendv with float masks (any sign bit) and with compare masks */
    F128_3(_mm_blendv_ps, EXACT)
    F256_3(_mm256_blendv_ps, EXACT)
    FOR256 emit256("_mm256_blendv_ps(cmp)", -1, k,
                   I(_mm256_blendv_ps)(ld256(fa[k]), ld256(fb[k]),
                                       I(_mm256_cmp_ps)(ld256(fb[k]), ld256(fa[k]), K(_CMP_GT_OQ))), EXACT);
}

/* One function per immediate sweep: compilers handle 256 small expansions
 * in one function much faster than 2000 in one. */
static void sweep_shuffle_ps(void) { REP256(SHUFFLE_PS) }
static void sweep_shuffle_ps256(void) { REP256(SHUFFLE_PS256) }
static void sweep_permute_ps(void) { REP256(PERMUTE_PS) }
static void sweep_permute_ps256(void) { REP256(PERMUTE_PS256) }
static void sweep_shuffle_epi32(void) { REP256(SHUFFLE_EPI32) }
static void sweep_permute2f128(void) { REP256(PERMUTE2F128) }
static void sweep_blend(void) { REP16(BLEND_PS, 0) }
static void sweep_blend256(void) { REP256(BLEND_PS256) }

static void check_shuffle(void)
{
    sweep_shuffle_ps();
    sweep_shuffle_ps256();
    sweep_permute_ps();
    sweep_permute_ps256();
    sweep_shuffle_epi32();
    sweep_permute2f128();
    sweep_blend();
    sweep_blend256();
    /* _MM_SHUFFLE as kernels write it */
    FOR128 emit128("_mm_shuffle_ps(_MM_SHUFFLE(1,1,1,1))", -1, k,
                   I(_mm_shuffle_ps)(A128(fa), A128(fb), _MM_SHUFFLE(1, 1, 1, 1)), EXACT);
    FOR256 emit256("_mm256_permute_ps(_MM_SHUFFLE(2,3,0,1))", -1, k,
                   I(_mm256_permute_ps)(ld256(fa[k]), _MM_SHUFFLE(2, 3, 0, 1)), EXACT);

    F128_2(_mm_movehl_ps, EXACT)
    F128_2(_mm_movelh_ps, EXACT)
    F128_2(_mm_unpacklo_ps, EXACT)
    F128_2(_mm_unpackhi_ps, EXACT)
    F128_1(_mm_movehdup_ps, EXACT)
    F128_1(_mm_moveldup_ps, EXACT)
    F256_2(_mm256_unpacklo_ps, EXACT)
    F256_2(_mm256_unpackhi_ps, EXACT)
    FOR256 emit256("_mm256_permutevar8x32_ps", -1, k, I(_mm256_permutevar8x32_ps)(ld256(fa[k]), ld256i(ia[k])), EXACT);

    FOR256 {
        v256 a = ld256(fa[k]);
        v128 b = ld128(fb[k]);
        v256i x = ld256i(ia[k]);
        emit128("_mm256_castps256_ps128", -1, k, I(_mm256_castps256_ps128)(a), EXACT);
        /* the upper half is undefined on x86: only the lower one is compared */
        emit128("_mm256_castps128_ps256", -1, k, I(_mm256_castps256_ps128)(I(_mm256_castps128_ps256)(b)), EXACT);
        emit128("_mm256_extractf128_ps", 0, k, I(_mm256_extractf128_ps)(a, 0), EXACT);
        emit128("_mm256_extractf128_ps", 1, k, I(_mm256_extractf128_ps)(a, 1), EXACT);
        emit256("_mm256_insertf128_ps", 0, k, I(_mm256_insertf128_ps)(a, b, 0), EXACT);
        emit256("_mm256_insertf128_ps", 1, k, I(_mm256_insertf128_ps)(a, b, 1), EXACT);
        emit128i("_mm256_extracti128_si256", 0, k, I(_mm256_extracti128_si256)(x, 0));
        emit128i("_mm256_extracti128_si256", 1, k, I(_mm256_extracti128_si256)(x, 1));
        emit128i("_mm256_castsi256_si128", -1, k, I(_mm256_castsi256_si128)(x));
        emit256i("_mm256_castps_si256", -1, k, I(_mm256_castps_si256)(a));
        emit256("_mm256_castsi256_ps", -1, k, I(_mm256_castsi256_ps)(x), EXACT);
        emit_f32("_mm256_cvtss_f32", k, I(_mm256_cvtss_f32)(a));
    }
    FOR128 {
        emit128i("_mm_castps_si128", -1, k, I(_mm_castps_si128)(A128(fa)));
        emit128("_mm_castsi128_ps", -1, k, I(_mm_castsi128_ps)(A128I(ia)), EXACT);
        emit_f32("_mm_cvtss_f32", k, I(_mm_cvtss_f32)(A128(fa)));
        emit_i32("_mm_cvtsi128_si32", k, I(_mm_cvtsi128_si32)(A128I(ia)));
    }
}

static void check_convert_int(void)
{
    FOR128 emit128i("_mm_cvtps_epi32", -1, k, I(_mm_cvtps_epi32)(A128(fa)));
    FOR128 emit128i("_mm_cvttps_epi32", -1, k, I(_mm_cvttps_epi32)(A128(fa)));
    FOR128 emit128("_mm_cvtepi32_ps", -1, k, I(_mm_cvtepi32_ps)(A128I(ia)), ARITH);
    FOR256 emit256i("_mm256_cvtps_epi32", -1, k, I(_mm256_cvtps_epi32)(ld256(fa[k])));
    FOR256 emit256i("_mm256_cvttps_epi32", -1, k, I(_mm256_cvttps_epi32)(ld256(fa[k])));
    FOR256 emit256("_mm256_cvtepi32_ps", -1, k, I(_mm256_cvtepi32_ps)(ld256i(ia[k])), ARITH);

    I128_2(_mm_add_epi32)
    I128_2(_mm_sub_epi32)
    I128_2(_mm_mullo_epi32)
    I128_2(_mm_max_epi32)
    I128_2(_mm_min_epi32)
    I128_2(_mm_cmpeq_epi32)
    I128_2(_mm_cmpgt_epi32)
    I128_2(_mm_and_si128)
    I128_2(_mm_or_si128)
    I128_2(_mm_xor_si128)
    I128_2(_mm_andnot_si128)
    I128_1(_mm_abs_epi32)
    I256_2(_mm256_add_epi32)
    I256_2(_mm256_sub_epi32)
    I256_2(_mm256_mullo_epi32)
    I256_2(_mm256_max_epi32)
    I256_2(_mm256_min_epi32)
    I256_2(_mm256_cmpeq_epi32)
    I256_2(_mm256_cmpgt_epi32)
    I256_2(_mm256_and_si256)
    I256_2(_mm256_or_si256)
    I256_2(_mm256_xor_si256)
    I256_2(_mm256_andnot_si256)
    I256_1(_mm256_abs_epi32)
    /* cmpeq on equal inputs, so that "all ones" shows up */
    FOR128 emit128i("_mm_cmpeq_epi32(a,a)", -1, k, I(_mm_cmpeq_epi32)(A128I(ia), A128I(ia)));

    SHIFTS(0) SHIFTS(1) SHIFTS(7) SHIFTS(16) SHIFTS(31) SHIFTS(32) SHIFTS(33) SHIFTS(100) SHIFTS(255)
}

/* ------------------------------------------------------------------------ */
/* SSE2..SSE4.2 integers at every lane width, doubles                       */
/* ------------------------------------------------------------------------ */

/* Immediate sweeps on integer inputs: distinct small lanes, and any bits. */
#define FOR_IMMCASE_I for (int k = 9; k < 22; k += 11)
#define A128D(arr) ld128d(arr[k / 2] + 2 * (k % 2))
#define D128_2(fn, mode) FOR128 emit128d(#fn, -1, k, I(fn)(A128D(da), A128D(db)), mode);
#define D128_1(fn, mode) FOR128 emit128d(#fn, -1, k, I(fn)(A128D(da)), mode);

#define SHUFFLELO16(imm) FOR_IMMCASE_I emit128i("_mm_shufflelo_epi16", imm, k, I(_mm_shufflelo_epi16)(ld128i(ia[k] + 4), imm));
#define SHUFFLEHI16(imm) FOR_IMMCASE_I emit128i("_mm_shufflehi_epi16", imm, k, I(_mm_shufflehi_epi16)(ld128i(ia[k] + 4), imm));
#define ALIGNR(imm) FOR_IMMCASE_I emit128i("_mm_alignr_epi8", imm, k, I(_mm_alignr_epi8)(ld128i(ia[k]), ld128i(ib[k]), imm));
#define BYTESHIFT(imm)                                                                                  \
    FOR_IMMCASE_I emit128i("_mm_slli_si128", imm, k, I(_mm_slli_si128)(ld128i(ia[k]), imm));           \
    FOR_IMMCASE_I emit128i("_mm_srli_si128", imm, k, I(_mm_srli_si128)(ld128i(ia[k]), imm));           \
    FOR_IMMCASE_I emit128i("_mm_bslli_si128", imm, k, I(_mm_bslli_si128)(ld128i(ia[k] + 4), imm));     \
    FOR_IMMCASE_I emit128i("_mm_bsrli_si128", imm, k, I(_mm_bsrli_si128)(ld128i(ia[k] + 4), imm));
#define BLEND16(imm) FOR_IMMCASE_I emit128i("_mm_blend_epi16", imm, k, I(_mm_blend_epi16)(ld128i(ia[k]), ld128i(ib[k]), imm));
#define SHIFT_IMM(n)                                                                        \
    FOR_IMMCASE_I emit128i("_mm_slli_epi16", n, k, I(_mm_slli_epi16)(ld128i(ia[k]), n));     \
    FOR_IMMCASE_I emit128i("_mm_srli_epi16", n, k, I(_mm_srli_epi16)(ld128i(ia[k]), n));     \
    FOR_IMMCASE_I emit128i("_mm_srai_epi16", n, k, I(_mm_srai_epi16)(ld128i(ia[k]), n));     \
    FOR_IMMCASE_I emit128i("_mm_slli_epi64", n, k, I(_mm_slli_epi64)(ld128i(ia[k]), n));     \
    FOR_IMMCASE_I emit128i("_mm_srli_epi64", n, k, I(_mm_srli_epi64)(ld128i(ia[k]), n));
#define SHIFT_ALL(n)                                                                \
    FOR128 emit128i("_mm_slli_epi16", n, k, I(_mm_slli_epi16)(A128I(ia), n));        \
    FOR128 emit128i("_mm_srli_epi16", n, k, I(_mm_srli_epi16)(A128I(ia), n));        \
    FOR128 emit128i("_mm_srai_epi16", n, k, I(_mm_srai_epi16)(A128I(ia), n));        \
    FOR128 emit128i("_mm_slli_epi64", n, k, I(_mm_slli_epi64)(A128I(ia), n));        \
    FOR128 emit128i("_mm_srli_epi64", n, k, I(_mm_srli_epi64)(A128I(ia), n));
#define CMP_PD(pred) FOR128 emit128d("_mm_cmp_pd", pred, k, I(_mm_cmp_pd)(A128D(da), A128D(db), pred), EXACT);
#define ROUND_PD(imm) FOR128 emit128d("_mm_round_pd", imm, k, I(_mm_round_pd)(A128D(da), imm), ARITH);

static void sweep_shufflelo16(void) { REP256(SHUFFLELO16) }
static void sweep_shufflehi16(void) { REP256(SHUFFLEHI16) }
static void sweep_alignr(void) { REP256(ALIGNR) }
static void sweep_byteshift(void) { REP256(BYTESHIFT) }
static void sweep_blend16(void) { REP256(BLEND16) }
static void sweep_shift_imm(void) { REP256(SHIFT_IMM) }
static void sweep_cmp_pd(void) { REP32(CMP_PD) }

static void check_int_set_memory(void)
{
    FOR256 {
        const uint32_t *x = ia[k];
        unsigned char c[16];
        int16_t h[8];
        long long q[2];
        memcpy(c, x, 16);
        memcpy(h, x + 4, 16);
        memcpy(q, x + 2, 16);
        emit128i("_mm_set_epi8", -1, k,
                 I(_mm_set_epi8)((char)c[0], (char)c[1], (char)c[2], (char)c[3], (char)c[4], (char)c[5], (char)c[6],
                                 (char)c[7], (char)c[8], (char)c[9], (char)c[10], (char)c[11], (char)c[12],
                                 (char)c[13], (char)c[14], (char)c[15]));
        emit128i("_mm_setr_epi8", -1, k,
                 I(_mm_setr_epi8)((char)c[0], (char)c[1], (char)c[2], (char)c[3], (char)c[4], (char)c[5], (char)c[6],
                                  (char)c[7], (char)c[8], (char)c[9], (char)c[10], (char)c[11], (char)c[12],
                                  (char)c[13], (char)c[14], (char)c[15]));
        emit128i("_mm_set_epi16", -1, k, I(_mm_set_epi16)(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]));
        emit128i("_mm_setr_epi16", -1, k, I(_mm_setr_epi16)(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]));
        emit128i("_mm_set1_epi8", -1, k, I(_mm_set1_epi8)((char)c[k % 16]));
        emit128i("_mm_set1_epi16", -1, k, I(_mm_set1_epi16)(h[k % 8]));
        emit128i("_mm_set_epi64x", -1, k, I(_mm_set_epi64x)(q[0], q[1]));
        emit128i("_mm_set1_epi64x", -1, k, I(_mm_set1_epi64x)(q[k % 2]));
        emit128i("_mm_cvtsi32_si128", -1, k, I(_mm_cvtsi32_si128)((int)x[3]));
        emit128i("_mm_cvtsi64_si128", -1, k, I(_mm_cvtsi64_si128)(q[1]));
        emit128i("_mm_cvtsi64x_si128", -1, k, I(_mm_cvtsi64x_si128)(q[0]));
        emit_i64("_mm_cvtsi128_si64", -1, k, I(_mm_cvtsi128_si64)(ld128i(x + 1)));
        emit_i64("_mm_cvtsi128_si64x", -1, k, I(_mm_cvtsi128_si64x)(ld128i(x + 2)));

        const double *d = (const double *)(const void *)da[k];
        double dd[4];
        memcpy(dd, da[k], 32);
        (void)d;
        emit128d("_mm_set_pd", -1, k, I(_mm_set_pd)(dd[0], dd[1]), EXACT);
        emit128d("_mm_setr_pd", -1, k, I(_mm_setr_pd)(dd[2], dd[3]), EXACT);
        emit128d("_mm_set1_pd", -1, k, I(_mm_set1_pd)(dd[k % 4]), EXACT);
        emit128d("_mm_set_sd", -1, k, I(_mm_set_sd)(dd[1]), EXACT);
        emit128d("_mm_load_sd", -1, k, I(_mm_load_sd)(dd + 2), EXACT);
        emit128d("_mm_load1_pd", -1, k, I(_mm_load1_pd)(dd + 3), EXACT);
        _Alignas(16) double al[2];
        memcpy(al, dd + 2 * (k % 2), 16);
        emit128d("_mm_load_pd", -1, k, I(_mm_load_pd)(al), EXACT);
        uint64_t cb;
        double cv = I(_mm_cvtsd_f64)(ld128d(da[k] + 1));
        memcpy(&cb, &cv, 8);
        emit64("_mm_cvtsd_f64", -1, k, &cb, 1, EXACT);
    }
    emit128d("_mm_setzero_pd", -1, 0, I(_mm_setzero_pd)(), EXACT);

    /* 64-bit loads and stores at every byte offset, into sentinels */
    unsigned char src[40];
    memcpy(src, ia[20], 32);
    memcpy(src + 32, ib[21], 8);
    for (int off = 0; off < 16; off++) {
        emit128i("_mm_loadl_epi64", off, 0, I(_mm_loadl_epi64)((const v128i *)(const void *)(src + off)));
        emit128i("_mm_loadu_si64", off, 0, I(_mm_loadu_si64)(src + off + 1));
        emit128("_mm_loadl_pi", off, 0, I(_mm_loadl_pi)(ld128(fa[off]), (const T(m64) *)(const void *)(src + off)), EXACT);
        emit128("_mm_loadh_pi", off, 0, I(_mm_loadh_pi)(ld128(fa[off]), (const T(m64) *)(const void *)(src + off)), EXACT);
        emit128d("_mm_loadu_pd", off, 0, I(_mm_loadu_pd)((const double *)(const void *)(src + off)), EXACT);
    }
    static const char *names[6] = {"_mm_storel_epi64", "_mm_storeu_si64", "_mm_storel_pi", "_mm_storeh_pi",
                                   "_mm_storeu_pd", "_mm_store_sd"};
    for (int off = 0; off < 8; off++) {
        for (int w = 0; w < 6; w++) {
            float buf[8];
            uint32_t bits[8];
            for (int i = 0; i < 8; i++)
                buf[i] = lf(0xdeadbeefu);
            char *p = (char *)buf + off;
            switch (w) {
            case 0: I(_mm_storel_epi64)((v128i *)(void *)p, ld128i(ia[off])); break;
            case 1: I(_mm_storeu_si64)(p, ld128i(ib[off])); break;
            case 2: I(_mm_storel_pi)((T(m64) *)(void *)p, ld128(fa[off])); break;
            case 3: I(_mm_storeh_pi)((T(m64) *)(void *)p, ld128(fa[off])); break;
            case 4: I(_mm_storeu_pd)((double *)(void *)p, ld128d(da[off])); break;
            default: I(_mm_store_sd)((double *)(void *)p, ld128d(da[off] + 1)); break;
            }
            memcpy(bits, buf, sizeof bits);
            emit(names[w], off, 0, bits, 8, EXACT);
        }
    }
    FOR256 {
        _Alignas(16) double buf[2];
        uint64_t bits[2];
        I(_mm_store_pd)(buf, ld128d(da[k] + 2 * (k % 2)));
        memcpy(bits, buf, sizeof bits);
        emit64("_mm_store_pd", -1, k, bits, 2, EXACT);
    }
}

static void check_int_lanes(void)
{
    I128_2(_mm_add_epi8) I128_2(_mm_add_epi16) I128_2(_mm_add_epi64)
    I128_2(_mm_sub_epi8) I128_2(_mm_sub_epi16) I128_2(_mm_sub_epi64)
    I128_2(_mm_adds_epi8) I128_2(_mm_adds_epi16) I128_2(_mm_adds_epu8) I128_2(_mm_adds_epu16)
    I128_2(_mm_subs_epi8) I128_2(_mm_subs_epi16) I128_2(_mm_subs_epu8) I128_2(_mm_subs_epu16)
    I128_2(_mm_mullo_epi16) I128_2(_mm_mulhi_epi16) I128_2(_mm_mulhi_epu16) I128_2(_mm_mulhrs_epi16)
    I128_2(_mm_mul_epu32) I128_2(_mm_mul_epi32) I128_2(_mm_madd_epi16) I128_2(_mm_maddubs_epi16)
    I128_2(_mm_sad_epu8) I128_2(_mm_avg_epu8) I128_2(_mm_avg_epu16)
    I128_2(_mm_min_epi8) I128_2(_mm_max_epi8) I128_2(_mm_min_epu8) I128_2(_mm_max_epu8)
    I128_2(_mm_min_epi16) I128_2(_mm_max_epi16) I128_2(_mm_min_epu16) I128_2(_mm_max_epu16)
    I128_2(_mm_min_epu32) I128_2(_mm_max_epu32)
    I128_1(_mm_abs_epi8) I128_1(_mm_abs_epi16)
    I128_2(_mm_sign_epi8) I128_2(_mm_sign_epi16) I128_2(_mm_sign_epi32)
    I128_2(_mm_hadd_epi16) I128_2(_mm_hadd_epi32) I128_2(_mm_hsub_epi16) I128_2(_mm_hsub_epi32)
    I128_2(_mm_hadds_epi16) I128_2(_mm_hsubs_epi16)
    I128_2(_mm_cmpeq_epi8) I128_2(_mm_cmpeq_epi16) I128_2(_mm_cmpeq_epi64)
    I128_2(_mm_cmpgt_epi8) I128_2(_mm_cmpgt_epi16) I128_2(_mm_cmpgt_epi64)
    I128_2(_mm_cmplt_epi8) I128_2(_mm_cmplt_epi16) I128_2(_mm_cmplt_epi32)
    /* equal inputs and inputs differing in one lane, for the all-ones masks */
    FOR128 emit128i("_mm_cmpeq_epi8(a,a)", -1, k, I(_mm_cmpeq_epi8)(A128I(ia), A128I(ia)));
    FOR128 emit128i("_mm_cmpeq_epi64(a,a^1)", -1, k, I(_mm_cmpeq_epi64)(A128I(ia), I(_mm_xor_si128)(A128I(ia), I(_mm_cvtsi32_si128)(1))));
    I128_2(_mm_unpacklo_epi8) I128_2(_mm_unpackhi_epi8) I128_2(_mm_unpacklo_epi16) I128_2(_mm_unpackhi_epi16)
    I128_2(_mm_unpacklo_epi32) I128_2(_mm_unpackhi_epi32) I128_2(_mm_unpacklo_epi64) I128_2(_mm_unpackhi_epi64)
    I128_2(_mm_packs_epi16) I128_2(_mm_packs_epi32) I128_2(_mm_packus_epi16) I128_2(_mm_packus_epi32)
    I128_2(_mm_shuffle_epi8)
    /* shuffle_epi8 with indices 0..15 only (no zeroing) */
    FOR128 emit128i("_mm_shuffle_epi8(idx&15)", -1, k, I(_mm_shuffle_epi8)(A128I(ia), I(_mm_and_si128)(A128I(ib), I(_mm_set1_epi8)(15))));
    FOR128 emit128i("_mm_blendv_epi8", -1, k, I(_mm_blendv_epi8)(A128I(ia), A128I(ib), A128I(fc)));
    FOR128 emit_i32("_mm_movemask_epi8", k, I(_mm_movemask_epi8)(A128I(ia)));
    FOR128 {
        emit_i32("_mm_testz_si128", k, I(_mm_testz_si128)(A128I(ia), A128I(ib)));
        emit_i32("_mm_testc_si128", k, I(_mm_testc_si128)(A128I(ia), A128I(ib)));
        emit_i32("_mm_testnzc_si128", k, I(_mm_testnzc_si128)(A128I(ia), A128I(ib)));
        /* b a subset of a, disjoint from a, and equal */
        v128i a = A128I(ia), sub = I(_mm_and_si128)(A128I(ia), A128I(ib)), dis = I(_mm_andnot_si128)(A128I(ia), A128I(ib));
        emit_i32("_mm_testz_si128(a,a&b)", k, I(_mm_testz_si128)(a, sub));
        emit_i32("_mm_testc_si128(a,a&b)", k, I(_mm_testc_si128)(a, sub));
        emit_i32("_mm_testnzc_si128(a,a&b)", k, I(_mm_testnzc_si128)(a, sub));
        emit_i32("_mm_testz_si128(a,~a&b)", k, I(_mm_testz_si128)(a, dis));
        emit_i32("_mm_testnzc_si128(a,~a&b)", k, I(_mm_testnzc_si128)(a, dis));
    }
    I128_1(_mm_cvtepi8_epi16) I128_1(_mm_cvtepi8_epi32) I128_1(_mm_cvtepi8_epi64)
    I128_1(_mm_cvtepi16_epi32) I128_1(_mm_cvtepi16_epi64) I128_1(_mm_cvtepi32_epi64)
    I128_1(_mm_cvtepu8_epi16) I128_1(_mm_cvtepu8_epi32) I128_1(_mm_cvtepu8_epi64)
    I128_1(_mm_cvtepu16_epi32) I128_1(_mm_cvtepu16_epi64) I128_1(_mm_cvtepu32_epi64)

    /* extract / insert at every lane */
    FOR128 {
        v128i a = A128I(ia);
        int v = (int)ib[k / 2][k % 8];
        long long v64 = (long long)((uint64_t)ib[k / 2][(k + 1) % 8] << 32 | ib[k / 2][k % 8]);
#define EXTRACT8(i) emit_i32("_mm_extract_epi8[" #i "]", k, I(_mm_extract_epi8)(a, i)); \
        emit128i("_mm_insert_epi8", i, k, I(_mm_insert_epi8)(a, v, i));
        EXTRACT8(0) EXTRACT8(1) EXTRACT8(2) EXTRACT8(3) EXTRACT8(4) EXTRACT8(5) EXTRACT8(6) EXTRACT8(7)
        EXTRACT8(8) EXTRACT8(9) EXTRACT8(10) EXTRACT8(11) EXTRACT8(12) EXTRACT8(13) EXTRACT8(14) EXTRACT8(15)
#define EXTRACT16(i) emit_i32("_mm_extract_epi16[" #i "]", k, I(_mm_extract_epi16)(a, i)); \
        emit128i("_mm_insert_epi16", i, k, I(_mm_insert_epi16)(a, v, i));
        EXTRACT16(0) EXTRACT16(1) EXTRACT16(2) EXTRACT16(3) EXTRACT16(4) EXTRACT16(5) EXTRACT16(6) EXTRACT16(7)
#define EXTRACT32(i) emit_i32("_mm_extract_epi32[" #i "]", k, I(_mm_extract_epi32)(a, i)); \
        emit128i("_mm_insert_epi32", i, k, I(_mm_insert_epi32)(a, v, i));
        EXTRACT32(0) EXTRACT32(1) EXTRACT32(2) EXTRACT32(3)
        emit_i64("_mm_extract_epi64", 0, k, I(_mm_extract_epi64)(a, 0));
        emit_i64("_mm_extract_epi64", 1, k, I(_mm_extract_epi64)(a, 1));
        emit128i("_mm_insert_epi64", 0, k, I(_mm_insert_epi64)(a, v64, 0));
        emit128i("_mm_insert_epi64", 1, k, I(_mm_insert_epi64)(a, v64, 1));
    }

    sweep_shufflelo16();
    sweep_shufflehi16();
    sweep_alignr();
    sweep_byteshift();
    sweep_blend16();
    sweep_shift_imm();
    SHIFT_ALL(0) SHIFT_ALL(1) SHIFT_ALL(5) SHIFT_ALL(15) SHIFT_ALL(16) SHIFT_ALL(31) SHIFT_ALL(32) SHIFT_ALL(63)
    SHIFT_ALL(64) SHIFT_ALL(255)

    /* shifts by a count vector: the low 64 bits count, the high 64 not */
    static const uint32_t counts[][4] = {{0, 0, 5, 5}, {1, 0, 0, 0}, {7, 0, 1, 1}, {15, 0, 0, 0}, {16, 0, 0, 0},
                                         {17, 0, 0, 0}, {31, 0, 0, 0}, {32, 0, 0, 0}, {33, 0, 0, 0}, {63, 0, 0, 0},
                                         {64, 0, 0, 0}, {255, 0, 0, 0}, {256, 0, 0, 0}, {3, 1, 0, 0},
                                         {0xffffffffu, 0xffffffffu, 0, 0}, {2, 0x80000000u, 0, 0}};
    for (int c = 0; c < (int)(sizeof counts / sizeof counts[0]); c++) {
        v128i n = ld128i(counts[c]);
        for (int k = 0; k < 2 * NCASE; k += 3) {
            emit128i("_mm_sll_epi16", c, k, I(_mm_sll_epi16)(A128I(ia), n));
            emit128i("_mm_srl_epi16", c, k, I(_mm_srl_epi16)(A128I(ia), n));
            emit128i("_mm_sra_epi16", c, k, I(_mm_sra_epi16)(A128I(ia), n));
            emit128i("_mm_sll_epi32", c, k, I(_mm_sll_epi32)(A128I(ia), n));
            emit128i("_mm_srl_epi32", c, k, I(_mm_srl_epi32)(A128I(ia), n));
            emit128i("_mm_sra_epi32", c, k, I(_mm_sra_epi32)(A128I(ia), n));
            emit128i("_mm_sll_epi64", c, k, I(_mm_sll_epi64)(A128I(ia), n));
            emit128i("_mm_srl_epi64", c, k, I(_mm_srl_epi64)(A128I(ia), n));
        }
    }
}

static void check_pd(void)
{
    D128_2(_mm_add_pd, ARITH) D128_2(_mm_sub_pd, ARITH) D128_2(_mm_mul_pd, ARITH) D128_2(_mm_div_pd, ARITH)
    D128_1(_mm_sqrt_pd, ARITH) D128_2(_mm_hadd_pd, ARITH) D128_2(_mm_addsub_pd, ARITH)
    D128_2(_mm_min_pd, EXACT) D128_2(_mm_max_pd, EXACT)
    D128_2(_mm_and_pd, EXACT) D128_2(_mm_or_pd, EXACT) D128_2(_mm_xor_pd, EXACT) D128_2(_mm_andnot_pd, EXACT)
    D128_2(_mm_cmpeq_pd, EXACT) D128_2(_mm_cmplt_pd, EXACT) D128_2(_mm_cmple_pd, EXACT) D128_2(_mm_cmpgt_pd, EXACT)
    D128_2(_mm_cmpge_pd, EXACT) D128_2(_mm_cmpneq_pd, EXACT) D128_2(_mm_cmpord_pd, EXACT) D128_2(_mm_cmpunord_pd, EXACT)
    sweep_cmp_pd();
    D128_2(_mm_unpacklo_pd, EXACT) D128_2(_mm_unpackhi_pd, EXACT)
    D128_1(_mm_floor_pd, ARITH) D128_1(_mm_ceil_pd, ARITH)
    ROUND_PD(0x00) ROUND_PD(0x01) ROUND_PD(0x02) ROUND_PD(0x03) ROUND_PD(0x04)
    ROUND_PD(0x08) ROUND_PD(0x09) ROUND_PD(0x0a) ROUND_PD(0x0b) ROUND_PD(0x0c)
    FOR128 {
        T(m128d) a = A128D(da), b = A128D(db);
        emit128d("_mm_shuffle_pd", 0, k, I(_mm_shuffle_pd)(a, b, 0), EXACT);
        emit128d("_mm_shuffle_pd", 1, k, I(_mm_shuffle_pd)(a, b, 1), EXACT);
        emit128d("_mm_shuffle_pd", 2, k, I(_mm_shuffle_pd)(a, b, 2), EXACT);
        emit128d("_mm_shuffle_pd", 3, k, I(_mm_shuffle_pd)(a, b, 3), EXACT);
        emit128d("_mm_blend_pd", 0, k, I(_mm_blend_pd)(a, b, 0), EXACT);
        emit128d("_mm_blend_pd", 1, k, I(_mm_blend_pd)(a, b, 1), EXACT);
        emit128d("_mm_blend_pd", 2, k, I(_mm_blend_pd)(a, b, 2), EXACT);
        emit128d("_mm_blend_pd", 3, k, I(_mm_blend_pd)(a, b, 3), EXACT);
        emit128d("_mm_blendv_pd", -1, k, I(_mm_blendv_pd)(a, b, I(_mm_castsi128_pd)(A128I(ia))), EXACT);
        emit_i32("_mm_movemask_pd", k, I(_mm_movemask_pd)(a));
        emit128("_mm_castpd_ps", -1, k, I(_mm_castpd_ps)(a), EXACT);
        emit128d("_mm_castps_pd", -1, k, I(_mm_castps_pd)(A128(fa)), EXACT);
        emit128i("_mm_castpd_si128", -1, k, I(_mm_castpd_si128)(a));
        emit128d("_mm_castsi128_pd", -1, k, I(_mm_castsi128_pd)(A128I(ia)), EXACT);
        /* float -> double is exact (NaNs quieted, payload kept) */
        emit128d("_mm_cvtps_pd", -1, k, I(_mm_cvtps_pd)(A128(fa)), EXACT);
        emit128("_mm_cvtpd_ps", -1, k, I(_mm_cvtpd_ps)(a), EXACT);
        emit128d("_mm_cvtepi32_pd", -1, k, I(_mm_cvtepi32_pd)(A128I(ia)), EXACT);
        emit128i("_mm_cvtpd_epi32", -1, k, I(_mm_cvtpd_epi32)(a));
        emit128i("_mm_cvttpd_epi32", -1, k, I(_mm_cvttpd_epi32)(a));
    }
}

/* ------------------------------------------------------------------------ */
/* AVX2 integers, broadcasts, gathers, masked loads, cross-lane permutes    */
/* ------------------------------------------------------------------------ */

#define ALIGNR256(imm) FOR_IMMCASE_I emit256i("_mm256_alignr_epi8", imm, k, I(_mm256_alignr_epi8)(ld256i(ia[k]), ld256i(ib[k]), imm));
#define BLEND16_256(imm) FOR_IMMCASE_I emit256i("_mm256_blend_epi16", imm, k, I(_mm256_blend_epi16)(ld256i(ia[k]), ld256i(ib[k]), imm));
#define BLEND32_256(imm) FOR_IMMCASE_I emit256i("_mm256_blend_epi32", imm, k, I(_mm256_blend_epi32)(ld256i(ia[k]), ld256i(ib[k]), imm));
#define SHUF256(imm)                                                                                         \
    FOR_IMMCASE_I emit256i("_mm256_shuffle_epi32", imm, k, I(_mm256_shuffle_epi32)(ld256i(ia[k]), imm));      \
    FOR_IMMCASE_I emit256i("_mm256_shufflelo_epi16", imm, k, I(_mm256_shufflelo_epi16)(ld256i(ia[k]), imm));  \
    FOR_IMMCASE_I emit256i("_mm256_shufflehi_epi16", imm, k, I(_mm256_shufflehi_epi16)(ld256i(ia[k]), imm));  \
    FOR_IMMCASE_I emit256i("_mm256_permute4x64_epi64", imm, k, I(_mm256_permute4x64_epi64)(ld256i(ia[k]), imm));
#define PERM2X128(imm)                                                                                                    \
    FOR_IMMCASE_I emit256i("_mm256_permute2x128_si256", imm, k, I(_mm256_permute2x128_si256)(ld256i(ia[k]), ld256i(ib[k]), imm)); \
    FOR_IMMCASE_I emit256i("_mm256_permute2f128_si256", imm, k, I(_mm256_permute2f128_si256)(ld256i(ib[k]), ld256i(ia[k]), imm));
#define BYTESHIFT256(imm)                                                                                 \
    FOR_IMMCASE_I emit256i("_mm256_slli_si256", imm, k, I(_mm256_slli_si256)(ld256i(ia[k]), imm));       \
    FOR_IMMCASE_I emit256i("_mm256_srli_si256", imm, k, I(_mm256_srli_si256)(ld256i(ia[k]), imm));       \
    FOR_IMMCASE_I emit256i("_mm256_bslli_epi128", imm, k, I(_mm256_bslli_epi128)(ld256i(ib[k]), imm));   \
    FOR_IMMCASE_I emit256i("_mm256_bsrli_epi128", imm, k, I(_mm256_bsrli_epi128)(ld256i(ib[k]), imm));
#define SHIFT_IMM256(n)                                                                           \
    FOR_IMMCASE_I emit256i("_mm256_slli_epi16", n, k, I(_mm256_slli_epi16)(ld256i(ia[k]), n));     \
    FOR_IMMCASE_I emit256i("_mm256_srli_epi16", n, k, I(_mm256_srli_epi16)(ld256i(ia[k]), n));     \
    FOR_IMMCASE_I emit256i("_mm256_srai_epi16", n, k, I(_mm256_srai_epi16)(ld256i(ia[k]), n));     \
    FOR_IMMCASE_I emit256i("_mm256_slli_epi64", n, k, I(_mm256_slli_epi64)(ld256i(ia[k]), n));     \
    FOR_IMMCASE_I emit256i("_mm256_srli_epi64", n, k, I(_mm256_srli_epi64)(ld256i(ia[k]), n));     \
    FOR_IMMCASE_I emit256i("_mm256_slli_epi32", n, k, I(_mm256_slli_epi32)(ld256i(ia[k]), n));     \
    FOR_IMMCASE_I emit256i("_mm256_srli_epi32", n, k, I(_mm256_srli_epi32)(ld256i(ia[k]), n));     \
    FOR_IMMCASE_I emit256i("_mm256_srai_epi32", n, k, I(_mm256_srai_epi32)(ld256i(ia[k]), n));
#define SHIFT_ALL256(n)                                                                   \
    FOR256 emit256i("_mm256_slli_epi16", n, k, I(_mm256_slli_epi16)(ld256i(ia[k]), n));    \
    FOR256 emit256i("_mm256_srli_epi16", n, k, I(_mm256_srli_epi16)(ld256i(ia[k]), n));    \
    FOR256 emit256i("_mm256_srai_epi16", n, k, I(_mm256_srai_epi16)(ld256i(ia[k]), n));    \
    FOR256 emit256i("_mm256_slli_epi64", n, k, I(_mm256_slli_epi64)(ld256i(ia[k]), n));    \
    FOR256 emit256i("_mm256_srli_epi64", n, k, I(_mm256_srli_epi64)(ld256i(ia[k]), n));
#define BLEND32_128(imm) FOR_IMMCASE_I emit128i("_mm_blend_epi32", imm, k, I(_mm_blend_epi32)(ld128i(ia[k]), ld128i(ib[k]), imm));

static void sweep_alignr256(void) { REP256(ALIGNR256) }
static void sweep_blend16_256(void) { REP256(BLEND16_256) }
static void sweep_blend32_256(void) { REP256(BLEND32_256) }
static void sweep_shuf256(void) { REP256(SHUF256) }
static void sweep_perm2x128(void) { REP256(PERM2X128) }
static void sweep_byteshift256(void) { REP256(BYTESHIFT256) }
static void sweep_shift_imm256(void) { REP256(SHIFT_IMM256) }
static void sweep_blend32_128(void) { REP16(BLEND32_128, 0) }

static void check_avx2_int(void)
{
    I256_2(_mm256_add_epi8) I256_2(_mm256_add_epi16) I256_2(_mm256_add_epi64)
    I256_2(_mm256_sub_epi8) I256_2(_mm256_sub_epi16) I256_2(_mm256_sub_epi64)
    I256_2(_mm256_adds_epi8) I256_2(_mm256_adds_epi16) I256_2(_mm256_adds_epu8) I256_2(_mm256_adds_epu16)
    I256_2(_mm256_subs_epi8) I256_2(_mm256_subs_epi16) I256_2(_mm256_subs_epu8) I256_2(_mm256_subs_epu16)
    I256_2(_mm256_mullo_epi16) I256_2(_mm256_mulhi_epi16) I256_2(_mm256_mulhi_epu16) I256_2(_mm256_mulhrs_epi16)
    I256_2(_mm256_mul_epu32) I256_2(_mm256_mul_epi32) I256_2(_mm256_madd_epi16) I256_2(_mm256_maddubs_epi16)
    I256_2(_mm256_sad_epu8) I256_2(_mm256_avg_epu8) I256_2(_mm256_avg_epu16)
    I256_2(_mm256_min_epi8) I256_2(_mm256_max_epi8) I256_2(_mm256_min_epu8) I256_2(_mm256_max_epu8)
    I256_2(_mm256_min_epi16) I256_2(_mm256_max_epi16) I256_2(_mm256_min_epu16) I256_2(_mm256_max_epu16)
    I256_2(_mm256_min_epu32) I256_2(_mm256_max_epu32)
    I256_1(_mm256_abs_epi8) I256_1(_mm256_abs_epi16)
    I256_2(_mm256_sign_epi8) I256_2(_mm256_sign_epi16) I256_2(_mm256_sign_epi32)
    I256_2(_mm256_hadd_epi16) I256_2(_mm256_hadd_epi32) I256_2(_mm256_hsub_epi16) I256_2(_mm256_hsub_epi32)
    I256_2(_mm256_hadds_epi16) I256_2(_mm256_hsubs_epi16)
    I256_2(_mm256_cmpeq_epi8) I256_2(_mm256_cmpeq_epi16) I256_2(_mm256_cmpeq_epi64)
    I256_2(_mm256_cmpgt_epi8) I256_2(_mm256_cmpgt_epi16) I256_2(_mm256_cmpgt_epi64)
    FOR256 emit256i("_mm256_cmpeq_epi8(a,a)", -1, k, I(_mm256_cmpeq_epi8)(ld256i(ia[k]), ld256i(ia[k])));
    I256_2(_mm256_unpacklo_epi8) I256_2(_mm256_unpackhi_epi8) I256_2(_mm256_unpacklo_epi16) I256_2(_mm256_unpackhi_epi16)
    I256_2(_mm256_unpacklo_epi32) I256_2(_mm256_unpackhi_epi32) I256_2(_mm256_unpacklo_epi64) I256_2(_mm256_unpackhi_epi64)
    I256_2(_mm256_packs_epi16) I256_2(_mm256_packs_epi32) I256_2(_mm256_packus_epi16) I256_2(_mm256_packus_epi32)
    I256_2(_mm256_shuffle_epi8)
    I256_2(_mm256_sllv_epi32) I256_2(_mm256_srlv_epi32) I256_2(_mm256_srav_epi32)
    I128_2(_mm_sllv_epi32) I128_2(_mm_srlv_epi32) I128_2(_mm_srav_epi32)
    /* variable shifts with counts 0..39 */
    FOR256 {
        v256i n = I(_mm256_and_si256)(ld256i(ib[k]), I(_mm256_set1_epi32)(31));
        n = I(_mm256_add_epi32)(n, I(_mm256_and_si256)(ld256i(ia[k]), I(_mm256_set1_epi32)(8)));
        emit256i("_mm256_sllv_epi32(small)", -1, k, I(_mm256_sllv_epi32)(ld256i(ia[k]), n));
        emit256i("_mm256_srlv_epi32(small)", -1, k, I(_mm256_srlv_epi32)(ld256i(ia[k]), n));
        emit256i("_mm256_srav_epi32(small)", -1, k, I(_mm256_srav_epi32)(ld256i(ia[k]), n));
    }
    FOR256 emit256i("_mm256_blendv_epi8", -1, k, I(_mm256_blendv_epi8)(ld256i(ia[k]), ld256i(ib[k]), ld256i(fc[k])));
    FOR256 emit_i32("_mm256_movemask_epi8", k, I(_mm256_movemask_epi8)(ld256i(ia[k])));
    FOR256 {
        v256i a = ld256i(ia[k]), b = ld256i(ib[k]);
        v256i sub = I(_mm256_and_si256)(a, b), dis = I(_mm256_andnot_si256)(a, b);
        emit_i32("_mm256_testz_si256", k, I(_mm256_testz_si256)(a, b));
        emit_i32("_mm256_testc_si256", k, I(_mm256_testc_si256)(a, b));
        emit_i32("_mm256_testnzc_si256", k, I(_mm256_testnzc_si256)(a, b));
        emit_i32("_mm256_testc_si256(a,a&b)", k, I(_mm256_testc_si256)(a, sub));
        emit_i32("_mm256_testz_si256(a,~a&b)", k, I(_mm256_testz_si256)(a, dis));
        emit_i32("_mm256_testnzc_si256(a,a&b)", k, I(_mm256_testnzc_si256)(a, sub));
    }
    FOR128 {
        v128i a = A128I(ia);
        emit256i("_mm256_cvtepi8_epi16", -1, k, I(_mm256_cvtepi8_epi16)(a));
        emit256i("_mm256_cvtepi8_epi32", -1, k, I(_mm256_cvtepi8_epi32)(a));
        emit256i("_mm256_cvtepi8_epi64", -1, k, I(_mm256_cvtepi8_epi64)(a));
        emit256i("_mm256_cvtepi16_epi32", -1, k, I(_mm256_cvtepi16_epi32)(a));
        emit256i("_mm256_cvtepi16_epi64", -1, k, I(_mm256_cvtepi16_epi64)(a));
        emit256i("_mm256_cvtepi32_epi64", -1, k, I(_mm256_cvtepi32_epi64)(a));
        emit256i("_mm256_cvtepu8_epi16", -1, k, I(_mm256_cvtepu8_epi16)(a));
        emit256i("_mm256_cvtepu8_epi32", -1, k, I(_mm256_cvtepu8_epi32)(a));
        emit256i("_mm256_cvtepu8_epi64", -1, k, I(_mm256_cvtepu8_epi64)(a));
        emit256i("_mm256_cvtepu16_epi32", -1, k, I(_mm256_cvtepu16_epi32)(a));
        emit256i("_mm256_cvtepu16_epi64", -1, k, I(_mm256_cvtepu16_epi64)(a));
        emit256i("_mm256_cvtepu32_epi64", -1, k, I(_mm256_cvtepu32_epi64)(a));
        emit128i("_mm_broadcastb_epi8", -1, k, I(_mm_broadcastb_epi8)(a));
        emit128i("_mm_broadcastw_epi16", -1, k, I(_mm_broadcastw_epi16)(a));
        emit128i("_mm_broadcastd_epi32", -1, k, I(_mm_broadcastd_epi32)(a));
        emit128i("_mm_broadcastq_epi64", -1, k, I(_mm_broadcastq_epi64)(a));
        emit256i("_mm256_broadcastb_epi8", -1, k, I(_mm256_broadcastb_epi8)(a));
        emit256i("_mm256_broadcastw_epi16", -1, k, I(_mm256_broadcastw_epi16)(a));
        emit256i("_mm256_broadcastd_epi32", -1, k, I(_mm256_broadcastd_epi32)(a));
        emit256i("_mm256_broadcastq_epi64", -1, k, I(_mm256_broadcastq_epi64)(a));
        emit256i("_mm256_broadcastsi128_si256", -1, k, I(_mm256_broadcastsi128_si256)(a));
        emit128("_mm_broadcastss_ps", -1, k, I(_mm_broadcastss_ps)(A128(fa)), EXACT);
        emit256("_mm256_broadcastss_ps", -1, k, I(_mm256_broadcastss_ps)(A128(fa)), EXACT);
        /* the upper half is undefined on x86 for the cast: only the lower one is compared */
        emit128i("_mm256_castsi128_si256", -1, k, I(_mm256_castsi256_si128)(I(_mm256_castsi128_si256)(a)));
    }

    sweep_alignr256();
    sweep_blend16_256();
    sweep_blend32_256();
    sweep_blend32_128();
    sweep_shuf256();
    sweep_perm2x128();
    sweep_byteshift256();
    sweep_shift_imm256();
    SHIFT_ALL256(0) SHIFT_ALL256(1) SHIFT_ALL256(15) SHIFT_ALL256(16) SHIFT_ALL256(33) SHIFT_ALL256(64)
    static const uint32_t counts[][4] = {{0, 0, 5, 5}, {1, 0, 0, 0}, {15, 0, 0, 0}, {16, 0, 0, 0}, {31, 0, 0, 0},
                                         {32, 0, 0, 0}, {63, 0, 0, 0}, {64, 0, 0, 0}, {3, 1, 0, 0}};
    for (int c = 0; c < (int)(sizeof counts / sizeof counts[0]); c++) {
        v128i n = ld128i(counts[c]);
        for (int k = 0; k < NCASE; k += 2) {
            emit256i("_mm256_sll_epi16", c, k, I(_mm256_sll_epi16)(ld256i(ia[k]), n));
            emit256i("_mm256_srl_epi16", c, k, I(_mm256_srl_epi16)(ld256i(ia[k]), n));
            emit256i("_mm256_sra_epi16", c, k, I(_mm256_sra_epi16)(ld256i(ia[k]), n));
            emit256i("_mm256_sll_epi32", c, k, I(_mm256_sll_epi32)(ld256i(ia[k]), n));
            emit256i("_mm256_srl_epi32", c, k, I(_mm256_srl_epi32)(ld256i(ia[k]), n));
            emit256i("_mm256_sra_epi32", c, k, I(_mm256_sra_epi32)(ld256i(ia[k]), n));
            emit256i("_mm256_sll_epi64", c, k, I(_mm256_sll_epi64)(ld256i(ia[k]), n));
            emit256i("_mm256_srl_epi64", c, k, I(_mm256_srl_epi64)(ld256i(ia[k]), n));
        }
    }

    FOR256 {
        const uint32_t *x = ia[k];
        unsigned char c[32];
        int16_t h[16];
        long long q[4];
        memcpy(c, x, 32);
        memcpy(h, ib[k], 32);
        memcpy(q, x, 32);
#define C(i) (char)c[i]
        emit256i("_mm256_set_epi8", -1, k,
                 I(_mm256_set_epi8)(C(0), C(1), C(2), C(3), C(4), C(5), C(6), C(7), C(8), C(9), C(10), C(11), C(12),
                                    C(13), C(14), C(15), C(16), C(17), C(18), C(19), C(20), C(21), C(22), C(23),
                                    C(24), C(25), C(26), C(27), C(28), C(29), C(30), C(31)));
        emit256i("_mm256_setr_epi8", -1, k,
                 I(_mm256_setr_epi8)(C(0), C(1), C(2), C(3), C(4), C(5), C(6), C(7), C(8), C(9), C(10), C(11), C(12),
                                     C(13), C(14), C(15), C(16), C(17), C(18), C(19), C(20), C(21), C(22), C(23),
                                     C(24), C(25), C(26), C(27), C(28), C(29), C(30), C(31)));
#undef C
        emit256i("_mm256_set_epi16", -1, k,
                 I(_mm256_set_epi16)(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12],
                                     h[13], h[14], h[15]));
        emit256i("_mm256_setr_epi16", -1, k,
                 I(_mm256_setr_epi16)(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12],
                                      h[13], h[14], h[15]));
        emit256i("_mm256_set1_epi8", -1, k, I(_mm256_set1_epi8)((char)c[k]));
        emit256i("_mm256_set1_epi16", -1, k, I(_mm256_set1_epi16)(h[k % 16]));
        emit256i("_mm256_set1_epi64x", -1, k, I(_mm256_set1_epi64x)(q[k % 4]));
        emit256i("_mm256_set_epi64x", -1, k, I(_mm256_set_epi64x)(q[0], q[1], q[2], q[3]));
        emit256i("_mm256_setr_epi64x", -1, k, I(_mm256_setr_epi64x)(q[0], q[1], q[2], q[3]));
        emit256i("_mm256_set_m128i", -1, k, I(_mm256_set_m128i)(ld128i(ia[k]), ld128i(ib[k])));
        emit256i("_mm256_setr_m128i", -1, k, I(_mm256_setr_m128i)(ld128i(ia[k]), ld128i(ib[k])));
        emit256("_mm256_setr_m128", -1, k, I(_mm256_setr_m128)(ld128(fa[k]), ld128(fb[k])), EXACT);
        emit256i("_mm256_zextsi128_si256", -1, k, I(_mm256_zextsi128_si256)(ld128i(ia[k] + 2)));

        v256i a = ld256i(ia[k]);
        int v = (int)ib[k][k % 8];
        long long v64 = q[(k + 1) % 4];
        for (int h2 = 0; h2 < 1; h2++) {
#define X256(i)                                                                       \
    emit_i32("_mm256_extract_epi8[" #i "]", k, I(_mm256_extract_epi8)(a, i));       \
    emit256i("_mm256_insert_epi8", i, k, I(_mm256_insert_epi8)(a, v, i));
            X256(0) X256(5) X256(15) X256(16) X256(17) X256(31)
#undef X256
#define X256(i)                                                                       \
    emit_i32("_mm256_extract_epi16[" #i "]", k, I(_mm256_extract_epi16)(a, i));     \
    emit256i("_mm256_insert_epi16", i, k, I(_mm256_insert_epi16)(a, v, i));
            X256(0) X256(3) X256(7) X256(8) X256(12) X256(15)
#undef X256
#define X256(i)                                                                       \
    emit_i32("_mm256_extract_epi32[" #i "]", k, I(_mm256_extract_epi32)(a, i));     \
    emit256i("_mm256_insert_epi32", i, k, I(_mm256_insert_epi32)(a, v, i));
            X256(0) X256(1) X256(2) X256(3) X256(4) X256(5) X256(6) X256(7)
#undef X256
#define X256(i)                                                                       \
    emit_i64("_mm256_extract_epi64", i, k, I(_mm256_extract_epi64)(a, i));          \
    emit256i("_mm256_insert_epi64", i, k, I(_mm256_insert_epi64)(a, v64, i));
            X256(0) X256(1) X256(2) X256(3)
#undef X256
        }
        emit256i("_mm256_inserti128_si256", 0, k, I(_mm256_inserti128_si256)(a, ld128i(ib[k]), 0));
        emit256i("_mm256_inserti128_si256", 1, k, I(_mm256_inserti128_si256)(a, ld128i(ib[k]), 1));
        emit256i("_mm256_insertf128_si256", 0, k, I(_mm256_insertf128_si256)(a, ld128i(ib[k] + 4), 0));
        emit256i("_mm256_insertf128_si256", 1, k, I(_mm256_insertf128_si256)(a, ld128i(ib[k] + 4), 1));
        emit128i("_mm256_extractf128_si256", 0, k, I(_mm256_extractf128_si256)(a, 0));
        emit128i("_mm256_extractf128_si256", 1, k, I(_mm256_extractf128_si256)(a, 1));
        emit256i("_mm256_permutevar8x32_epi32", -1, k, I(_mm256_permutevar8x32_epi32)(a, ld256i(ib[k])));
    }
}

static void check_avx2_memory(void)
{
    /* masked loads/stores, gathers at every scale, loadu2/storeu2, broadcasts */
    FOR256 {
        int32_t src[8], dst[10];
        uint32_t bits[10];
        memcpy(src, ia[k], 32);
        emit256i("_mm256_maskload_epi32", -1, k, I(_mm256_maskload_epi32)(src, ld256i(ib[k])));
        emit128i("_mm_maskload_epi32", -1, k, I(_mm_maskload_epi32)(src + 2, ld128i(ib[k] + 4)));
        emit128("_mm_maskload_ps", -1, k, I(_mm_maskload_ps)((const float *)(const void *)fa[k], ld128i(ib[k])), EXACT);
        for (int w = 0; w < 3; w++) {
            for (int i = 0; i < 10; i++)
                dst[i] = (int32_t)0xdeadbeef;
            if (w == 0)
                I(_mm256_maskstore_epi32)(dst + 1, ld256i(ib[k]), ld256i(ia[k]));
            else if (w == 1)
                I(_mm_maskstore_epi32)(dst + 1, ld128i(ib[k] + 4), ld128i(ia[k]));
            else {
                float fd[10];
                memcpy(fd, dst, sizeof fd);
                I(_mm_maskstore_ps)(fd + 1, ld128i(ib[k]), ld128(fa[k] + 4));
                memcpy(dst, fd, sizeof fd);
            }
            memcpy(bits, dst, sizeof bits);
            emit(w == 0 ? "_mm256_maskstore_epi32" : w == 1 ? "_mm_maskstore_epi32" : "_mm_maskstore_ps", -1, k, bits, 10, EXACT);
        }
    }
    static int32_t table[64];
    for (int i = 0; i < 64; i++)
        table[i] = (int32_t)(ia[i / 8][i % 8] ^ ib[(i / 8) + 8][i % 8]);
    FOR256 {
        /* indices within the table at every scale, negative ones from its middle */
        int32_t idx[8];
        for (int i = 0; i < 8; i++)
            idx[i] = (int32_t)(ib[k][i] % 15) - 7;
        v256i vi = ld256i((const uint32_t *)idx);
        v128i vi4 = ld128i((const uint32_t *)idx + 4);
        const int *mid = table + 32;
        const float *fmid = (const float *)(const void *)(table + 32);
        emit256i("_mm256_i32gather_epi32", 1, k, I(_mm256_i32gather_epi32)(mid, vi, 1));
        emit256i("_mm256_i32gather_epi32", 2, k, I(_mm256_i32gather_epi32)(mid, vi, 2));
        emit256i("_mm256_i32gather_epi32", 4, k, I(_mm256_i32gather_epi32)(mid, vi, 4));
        emit256i("_mm256_i32gather_epi32", 8, k, I(_mm256_i32gather_epi32)(mid, vi, 8));
        emit128i("_mm_i32gather_epi32", 1, k, I(_mm_i32gather_epi32)(mid, vi4, 1));
        emit128i("_mm_i32gather_epi32", 2, k, I(_mm_i32gather_epi32)(mid, vi4, 2));
        emit128i("_mm_i32gather_epi32", 4, k, I(_mm_i32gather_epi32)(mid, vi4, 4));
        emit128i("_mm_i32gather_epi32", 8, k, I(_mm_i32gather_epi32)(mid, vi4, 8));
        emit256("_mm256_i32gather_ps", 1, k, I(_mm256_i32gather_ps)(fmid, vi, 1), EXACT);
        emit256("_mm256_i32gather_ps", 2, k, I(_mm256_i32gather_ps)(fmid, vi, 2), EXACT);
        emit256("_mm256_i32gather_ps", 4, k, I(_mm256_i32gather_ps)(fmid, vi, 4), EXACT);
        emit256("_mm256_i32gather_ps", 8, k, I(_mm256_i32gather_ps)(fmid, vi, 8), EXACT);
        emit128("_mm_i32gather_ps", 1, k, I(_mm_i32gather_ps)(fmid, vi4, 1), EXACT);
        emit128("_mm_i32gather_ps", 2, k, I(_mm_i32gather_ps)(fmid, vi4, 2), EXACT);
        emit128("_mm_i32gather_ps", 4, k, I(_mm_i32gather_ps)(fmid, vi4, 4), EXACT);
        emit128("_mm_i32gather_ps", 8, k, I(_mm_i32gather_ps)(fmid, vi4, 8), EXACT);

        uint32_t lo[4], hi[4], out[16];
        memcpy(lo, ia[k], 16);
        memcpy(hi, ib[k] + 4, 16);
        emit256i("_mm256_loadu2_m128i", -1, k, I(_mm256_loadu2_m128i)((const v128i *)(const void *)hi, (const v128i *)(const void *)lo));
        emit256("_mm256_loadu2_m128", -1, k, I(_mm256_loadu2_m128)((const float *)(const void *)fb[k], (const float *)(const void *)fa[k]), EXACT);
        emit256("_mm256_broadcast_ps", -1, k, I(_mm256_broadcast_ps)((const v128 *)(const void *)fa[k]), EXACT);
        float fo[16];
        for (int i = 0; i < 16; i++)
            out[i] = 0xdeadbeefu;
        I(_mm256_storeu2_m128i)((v128i *)(void *)(out + 9), (v128i *)(void *)(out + 1), ld256i(ia[k]));
        emit("_mm256_storeu2_m128i", -1, k, out, 16, EXACT);
        for (int i = 0; i < 16; i++)
            fo[i] = lf(0xdeadbeefu);
        I(_mm256_storeu2_m128)(fo + 1, fo + 10, ld256(fa[k]));
        memcpy(out, fo, sizeof out);
        emit("_mm256_storeu2_m128", -1, k, out, 16, EXACT);
    }
}

/* ------------------------------------------------------------------------ */
/* AVX doubles, FMA on doubles                                              */
/* ------------------------------------------------------------------------ */

NOINLINE static T(m256d) ld256d(const uint64_t *bits)
{
    double t[4];
    memcpy(t, bits, sizeof t);
    return I(_mm256_loadu_pd)(t);
}
NOINLINE static void emit256d(const char *name, int imm, int k, T(m256d) r, int mode)
{
    double t[4];
    uint64_t b[4];
    I(_mm256_storeu_pd)(t, r);
    memcpy(b, t, sizeof b);
    emit64(name, imm, k, b, 4, mode);
}
#define DC128 ld128d(da[(k / 2 + 5) % NCASE] + 2 * (k % 2))
#define DC256 ld256d(db[(k + 5) % NCASE])
#define D256_2(fn, mode) FOR256 emit256d(#fn, -1, k, I(fn)(ld256d(da[k]), ld256d(db[k])), mode);
#define D256_1(fn, mode) FOR256 emit256d(#fn, -1, k, I(fn)(ld256d(da[k])), mode);
#define D256_3(fn, mode) FOR256 emit256d(#fn, -1, k, I(fn)(ld256d(da[k]), ld256d(db[k]), DC256), mode);
#define D128_3(fn, mode) FOR128 emit128d(#fn, -1, k, I(fn)(A128D(da), A128D(db), DC128), mode);
#define CMP_PD256(pred) FOR256 emit256d("_mm256_cmp_pd", pred, k, I(_mm256_cmp_pd)(ld256d(da[k]), ld256d(db[k]), pred), EXACT);
#define ROUND_PD256(imm) FOR256 emit256d("_mm256_round_pd", imm, k, I(_mm256_round_pd)(ld256d(da[k]), imm), ARITH);
#define PD256_IMM16(imm)                                                                                            \
    FOR_IMMCASE emit256d("_mm256_shuffle_pd", imm, k, I(_mm256_shuffle_pd)(ld256d(da[k]), ld256d(db[k]), imm), EXACT); \
    FOR_IMMCASE emit256d("_mm256_blend_pd", imm, k, I(_mm256_blend_pd)(ld256d(da[k]), ld256d(db[k]), imm), EXACT);
#define PD256_IMM256(imm)                                                                                                   \
    FOR_IMMCASE emit256d("_mm256_permute2f128_pd", imm, k, I(_mm256_permute2f128_pd)(ld256d(da[k]), ld256d(db[k]), imm), EXACT); \
    FOR_IMMCASE emit256d("_mm256_permute4x64_pd", imm, k, I(_mm256_permute4x64_pd)(ld256d(da[k]), imm), EXACT);
static void sweep_cmp_pd256(void) { REP32(CMP_PD256) }
static void sweep_pd256_imm(void) { REP16(PD256_IMM16, 0) REP256(PD256_IMM256) }

static void check_pd256(void)
{
    D256_2(_mm256_add_pd, ARITH) D256_2(_mm256_sub_pd, ARITH) D256_2(_mm256_mul_pd, ARITH) D256_2(_mm256_div_pd, ARITH)
    D256_1(_mm256_sqrt_pd, ARITH) D256_2(_mm256_hadd_pd, ARITH) D256_2(_mm256_addsub_pd, ARITH)
    D256_2(_mm256_max_pd, EXACT) D256_2(_mm256_min_pd, EXACT)
    D256_2(_mm256_and_pd, EXACT) D256_2(_mm256_or_pd, EXACT) D256_2(_mm256_xor_pd, EXACT) D256_2(_mm256_andnot_pd, EXACT)
    D256_2(_mm256_unpacklo_pd, EXACT) D256_2(_mm256_unpackhi_pd, EXACT)
    D256_1(_mm256_floor_pd, ARITH) D256_1(_mm256_ceil_pd, ARITH)
    D256_3(_mm256_fmadd_pd, ARITH) D256_3(_mm256_fmsub_pd, ARITH) D256_3(_mm256_fnmadd_pd, ARITH) D256_3(_mm256_fnmsub_pd, ARITH)
    D128_3(_mm_fmadd_pd, ARITH) D128_3(_mm_fmsub_pd, ARITH) D128_3(_mm_fnmadd_pd, ARITH) D128_3(_mm_fnmsub_pd, ARITH)
    /* fused: a*b+c with c = -a*b rounded shows the single rounding */
    FOR128 {
        T(m128d) a = A128D(da), b = A128D(db);
        emit128d("_mm_fmadd_pd(a,b,-ab)", -1, k, I(_mm_fmadd_pd)(a, b, I(_mm_sub_pd)(I(_mm_setzero_pd)(), I(_mm_mul_pd)(a, b))), ARITH);
    }
    sweep_cmp_pd256();
    sweep_pd256_imm();
    ROUND_PD256(0x00) ROUND_PD256(0x01) ROUND_PD256(0x02) ROUND_PD256(0x03) ROUND_PD256(0x04)
    ROUND_PD256(0x08) ROUND_PD256(0x09) ROUND_PD256(0x0a) ROUND_PD256(0x0b) ROUND_PD256(0x0c)
    FOR256 {
        T(m256d) a = ld256d(da[k]), b = ld256d(db[k]);
        double dd[4];
        memcpy(dd, da[k], 32);
        emit256d("_mm256_blendv_pd", -1, k, I(_mm256_blendv_pd)(a, b, I(_mm256_castsi256_pd)(ld256i(ia[k]))), EXACT);
        emit_i32("_mm256_movemask_pd", k, I(_mm256_movemask_pd)(a));
        emit128d("_mm256_extractf128_pd", 0, k, I(_mm256_extractf128_pd)(a, 0), EXACT);
        emit128d("_mm256_extractf128_pd", 1, k, I(_mm256_extractf128_pd)(a, 1), EXACT);
        emit256d("_mm256_insertf128_pd", 0, k, I(_mm256_insertf128_pd)(a, ld128d(db[k]), 0), EXACT);
        emit256d("_mm256_insertf128_pd", 1, k, I(_mm256_insertf128_pd)(a, ld128d(db[k]), 1), EXACT);
        emit128d("_mm256_castpd256_pd128", -1, k, I(_mm256_castpd256_pd128)(a), EXACT);
        emit128d("_mm256_castpd128_pd256", -1, k, I(_mm256_castpd256_pd128)(I(_mm256_castpd128_pd256)(ld128d(db[k] + 2))), EXACT);
        emit256("_mm256_castpd_ps", -1, k, I(_mm256_castpd_ps)(a), EXACT);
        emit256d("_mm256_castps_pd", -1, k, I(_mm256_castps_pd)(ld256(fa[k])), EXACT);
        emit256i("_mm256_castpd_si256", -1, k, I(_mm256_castpd_si256)(a));
        emit256d("_mm256_castsi256_pd", -1, k, I(_mm256_castsi256_pd)(ld256i(ia[k])), EXACT);
        emit256d("_mm256_cvtps_pd", -1, k, I(_mm256_cvtps_pd)(ld128(fa[k] + 4 * (k % 2))), EXACT);
        emit128("_mm256_cvtpd_ps", -1, k, I(_mm256_cvtpd_ps)(a), EXACT);
        emit256d("_mm256_cvtepi32_pd", -1, k, I(_mm256_cvtepi32_pd)(ld128i(ia[k])), EXACT);
        emit128i("_mm256_cvtpd_epi32", -1, k, I(_mm256_cvtpd_epi32)(a));
        emit128i("_mm256_cvttpd_epi32", -1, k, I(_mm256_cvttpd_epi32)(a));
        emit256d("_mm256_set_pd", -1, k, I(_mm256_set_pd)(dd[0], dd[1], dd[2], dd[3]), EXACT);
        emit256d("_mm256_setr_pd", -1, k, I(_mm256_setr_pd)(dd[0], dd[1], dd[2], dd[3]), EXACT);
        emit256d("_mm256_set1_pd", -1, k, I(_mm256_set1_pd)(dd[k % 4]), EXACT);
        emit256d("_mm256_broadcast_sd", -1, k, I(_mm256_broadcast_sd)(dd + (k % 4)), EXACT);
        uint64_t cb;
        double cv = I(_mm256_cvtsd_f64)(a);
        memcpy(&cb, &cv, 8);
        emit64("_mm256_cvtsd_f64", -1, k, &cb, 1, EXACT);
        _Alignas(32) double al[4];
        memcpy(al, db[k], 32);
        emit256d("_mm256_load_pd", -1, k, I(_mm256_load_pd)(al), EXACT);
        I(_mm256_store_pd)(al, a);
        uint64_t bits[4];
        memcpy(bits, al, 32);
        emit64("_mm256_store_pd", -1, k, bits, 4, EXACT);
    }
    emit256d("_mm256_setzero_pd", -1, 0, I(_mm256_setzero_pd)(), EXACT);
    FOR256 emit256d("_mm256_broadcast_pd", -1, k, I(_mm256_broadcast_pd)((const T(m128d) *)(const void *)(db[k] + k % 3)), EXACT);
    I(_mm256_zeroall)();
    emit_i32("_mm256_zeroall", 0, 0);
    for (int off = 0; off < 8; off++) {
        unsigned char src[48], buf[48];
        memcpy(src, da[off], 32);
        memcpy(src + 32, db[off], 16);
        emit256d("_mm256_loadu_pd", off, 0, I(_mm256_loadu_pd)((const double *)(const void *)(src + off)), EXACT);
        memset(buf, 0xee, sizeof buf);
        I(_mm256_storeu_pd)((double *)(void *)(buf + off), ld256d(db[off]));
        uint32_t bits[12];
        memcpy(bits, buf, sizeof bits);
        emit("_mm256_storeu_pd", off, 0, bits, 12, EXACT);
    }
}

/* ------------------------------------------------------------------------ */
/* Scalar extensions, CRC32, F16C, allocation, hints, MXCSR                 */
/* ------------------------------------------------------------------------ */

NOINLINE static void emit_u64(const char *name, int imm, int k, unsigned long long v)
{
    uint64_t b = (uint64_t)v;
    emit64(name, imm, k, &b, 1, EXACT);
}

static void check_bits(void)
{
    static const uint64_t special[] = {0, 1, 2, 3, 0x80000000u, 0xffffffffu, 0x7fffffffu, 0x100000000ull,
                                       0x8000000000000000ull, 0xffffffffffffffffull, 0x00f0f0f000ff00ffull,
                                       0xaaaaaaaaaaaaaaaaull, 0x5555555555555555ull, 0x0000ffff0000ffffull};
    for (int k = 0; k < 64; k++) {
        uint64_t a = k < 14 ? special[k] : ((uint64_t)ia[k % NCASE][k % 8] << 32 | ib[k % NCASE][(k + 3) % 8]);
        uint64_t b = k < 14 ? special[13 - k] : ((uint64_t)ib[(k + 7) % NCASE][k % 8] << 32 | ia[(k + 5) % NCASE][(k + 1) % 8]);
        if (k >= 40 && k < 52) /* sparse masks */
            b &= b >> 1 & b >> 3;
        unsigned a32 = (unsigned)a, b32 = (unsigned)b;
        emit_i32("_mm_popcnt_u32", k, I(_mm_popcnt_u32)(a32));
        emit_i64("_mm_popcnt_u64", -1, k, I(_mm_popcnt_u64)(a));
        emit_i32("_lzcnt_u32", k, (int)I(_lzcnt_u32)(a32));
        emit_u64("_lzcnt_u64", -1, k, I(_lzcnt_u64)(a));
        emit_i32("_tzcnt_u32", k, (int)I(_tzcnt_u32)(a32));
        emit_u64("_tzcnt_u64", -1, k, I(_tzcnt_u64)(a));
        emit_i32("_andn_u32", k, (int)I(_andn_u32)(a32, b32));
        emit_u64("_andn_u64", -1, k, I(_andn_u64)(a, b));
        emit_i32("_blsr_u32", k, (int)I(_blsr_u32)(a32));
        emit_u64("_blsr_u64", -1, k, I(_blsr_u64)(a));
        emit_i32("_blsi_u32", k, (int)I(_blsi_u32)(a32));
        emit_u64("_blsi_u64", -1, k, I(_blsi_u64)(a));
        emit_i32("_blsmsk_u32", k, (int)I(_blsmsk_u32)(a32));
        emit_u64("_blsmsk_u64", -1, k, I(_blsmsk_u64)(a));
        emit_i32("_pdep_u32", k, (int)I(_pdep_u32)(a32, b32));
        emit_u64("_pdep_u64", -1, k, I(_pdep_u64)(a, b));
        emit_i32("_pext_u32", k, (int)I(_pext_u32)(a32, b32));
        emit_u64("_pext_u64", -1, k, I(_pext_u64)(a, b));
        unsigned long long hi64;
        emit_u64("_mulx_u64", -1, k, I(_mulx_u64)(a, b, &hi64));
        emit_u64("_mulx_u64(hi)", -1, k, hi64);
        unsigned crc = (unsigned)(b >> 7);
        emit_i32("_mm_crc32_u8", k, (int)I(_mm_crc32_u8)(crc, (unsigned char)a));
        emit_i32("_mm_crc32_u16", k, (int)I(_mm_crc32_u16)(crc, (unsigned short)a));
        emit_i32("_mm_crc32_u32", k, (int)I(_mm_crc32_u32)(crc, a32));
        emit_u64("_mm_crc32_u64", -1, k, I(_mm_crc32_u64)(b, a));
    }
    /* start/length and index at every value that matters, and beyond */
    for (int k = 0; k < 6; k++) {
        uint64_t a = k == 0 ? ~0ull : ((uint64_t)ia[k + 14][k] << 32 | ib[k + 14][k + 1]);
        for (unsigned s = 0; s < 70; s += (s < 34 ? 1 : 5)) {
            emit_i32("_bzhi_u32", (int)s, (int)I(_bzhi_u32)((unsigned)a, s));
            emit_u64("_bzhi_u64", (int)s, k, I(_bzhi_u64)(a, s));
            for (unsigned l = 0; l < 70; l += (l < 8 ? 1 : 7)) {
                emit_i32("_bextr_u32", (int)s, (int)I(_bextr_u32)((unsigned)a, s, l));
                emit_u64("_bextr_u64", (int)s, k, I(_bextr_u64)(a, s, l));
            }
        }
        emit_i32("_bzhi_u32", 256 + 3, (int)I(_bzhi_u32)((unsigned)a, 256 + 3));
        emit_u64("_bzhi_u64", 256 + 3, k, I(_bzhi_u64)(a, 256 + 3));
    }
    /* a CRC over a buffer, as code uses it */
    unsigned crc = 0xffffffffu;
    const unsigned char *bytes = (const unsigned char *)(const void *)ia;
    for (int i = 0; i < 256; i++)
        crc = I(_mm_crc32_u8)(crc, bytes[i]);
    emit_i32("_mm_crc32_u8(buffer)", 0, (int)~crc);
}

static void check_f16c(void)
{
    static const uint32_t edge[] = {
        0x477fe000, /* 65504: the largest half */
        0x477fefff, /* just below the rounding point to infinity */
        0x477ff000, /* 65520: ties to infinity */
        0x477ff001, 0x47800000, /* 65536 */
        0x33800000, /* 2^-24: the smallest half denormal */
        0x33000000, /* 2^-25: ties to 0 */
        0x33000001, 0x33400000, /* 1.5 * 2^-25 */
        0x38800000, /* 2^-14: the smallest normal half */
        0x387fc000, /* just below it: a half denormal */
        0x387fe000, /* a tie between the largest denormal and 2^-14 */
        0x3f801000, /* 1 + 2^-11: a tie */
        0x3f803000, /* 1 + 3 * 2^-11: a tie, rounds up */
        0x3f800001, 0xbf801001, 0x7f800001, 0xffc0dead, 0x7fa12345, 0x00000000, 0x80000000, 0x80000001,
        0x3eaaaaab, 0xc2f6e979, 0x4b000001, 0xcb7fffff, 0x3f7ff000, 0xb3800000,
    };
    _Static_assert(sizeof edge == 7 * 16, "edge: 7 groups of 4");
    for (int k = 0; k < 2 * NCASE + 7; k++) {
        float in[4];
        if (k < 2 * NCASE)
            memcpy(in, fa[k / 2] + 4 * (k % 2), 16);
        else
            memcpy(in, edge + 4 * (k - 2 * NCASE), 16);
        v128 a = I(_mm_loadu_ps)(in);
#define CVTPS_PH(imm) emit128i("_mm_cvtps_ph", imm, k, I(_mm_cvtps_ph)(a, imm));
        CVTPS_PH(0) CVTPS_PH(1) CVTPS_PH(2) CVTPS_PH(3) CVTPS_PH(4) CVTPS_PH(8) CVTPS_PH(9) CVTPS_PH(10) CVTPS_PH(11) CVTPS_PH(12)
        emit_i32("_cvtss_sh[0]", k, I(_cvtss_sh)(in[0], 0));
        emit_i32("_cvtss_sh[1]", k, I(_cvtss_sh)(in[1], 1));
        emit_i32("_cvtss_sh[2]", k, I(_cvtss_sh)(in[2], 2));
        emit_i32("_cvtss_sh[3]", k, I(_cvtss_sh)(in[3], 3));
        emit_i32("_cvtss_sh[4]", k, I(_cvtss_sh)(in[k % 4], 4));
    }
    FOR256 {
        emit128i("_mm256_cvtps_ph", 0, k, I(_mm256_cvtps_ph)(ld256(fa[k]), 0));
        emit128i("_mm256_cvtps_ph", 3, k, I(_mm256_cvtps_ph)(ld256(fb[k]), 3));
    }
    /* halves -> floats: every 16-bit pattern */
    for (int base = 0; base < 65536; base += 8) {
        uint16_t h[8];
        for (int i = 0; i < 8; i++)
            h[i] = (uint16_t)(base + i);
        v128i v = ld128i((const uint32_t *)(const void *)h);
        if (base % 64 == 0) {
            emit256("_mm256_cvtph_ps", -1, base, I(_mm256_cvtph_ps)(v), EXACT);
            emit_f32("_cvtsh_ss", base, I(_cvtsh_ss)(h[3]));
        }
        emit128("_mm_cvtph_ps", -1, base, I(_mm_cvtph_ps)(v), EXACT);
        emit128("_mm_cvtph_ps(hi)", -1, base, I(_mm_cvtph_ps)(I(_mm_srli_si128)(v, 8)), EXACT);
    }
}

static void check_misc(void)
{
    /* aligned allocation: alignment honoured, memory usable */
    for (size_t align = 1; align <= 8192; align *= 2) {
        unsigned char *p = (unsigned char *)I(_mm_malloc)(1000, align);
        int ok = p != NULL && ((uintptr_t)p % align) == 0;
        if (p) {
            memset(p, 0x5a, 1000);
            ok = ok && p[0] == 0x5a && p[999] == 0x5a;
        }
        I(_mm_free)(p);
        emit_i32("_mm_malloc+_mm_free", (int)align, ok);
    }
    I(_mm_free)(NULL);
    emit_i32("_mm_malloc(3 not a power of 2)", 0, I(_mm_malloc)(64, 3) == NULL);
    /* hints and fences: present, and no effect on data */
    int data[16];
    for (int i = 0; i < 16; i++)
        data[i] = i * 7;
    I(_mm_prefetch)((const char *)data, K(_MM_HINT_T0));
    I(_mm_prefetch)((const char *)(data + 4), K(_MM_HINT_T1));
    I(_mm_prefetch)((const char *)(data + 8), K(_MM_HINT_T2));
    I(_mm_prefetch)((const char *)(data + 12), K(_MM_HINT_NTA));
    I(_mm_prefetch)((const char *)(data + 2), K(_MM_HINT_ET0));
    I(_mm_prefetch)((const char *)(data + 6), K(_MM_HINT_ET1));
    I(_mm_pause)();
    I(_mm_sfence)();
    I(_mm_lfence)();
    I(_mm_mfence)();
    emit_i32("_mm_prefetch+_mm_pause+fences", 0, data[5] + data[15]);
    int hints[6] = {K(_MM_HINT_T0), K(_MM_HINT_T1), K(_MM_HINT_T2), K(_MM_HINT_NTA), K(_MM_HINT_ET0), K(_MM_HINT_ET1)};
    emit("_MM_HINT_T0,T1,T2,NTA,ET0,ET1", -1, 0, (const uint32_t *)(const void *)hints, 6, EXACT);
    int consts[12] = {K(_MM_ROUND_NEAREST), K(_MM_ROUND_DOWN), K(_MM_ROUND_UP), K(_MM_ROUND_TOWARD_ZERO), K(_MM_ROUND_MASK),
                      K(_MM_EXCEPT_INVALID), K(_MM_EXCEPT_DENORM), K(_MM_EXCEPT_DIV_ZERO), K(_MM_EXCEPT_OVERFLOW),
                      K(_MM_EXCEPT_UNDERFLOW), K(_MM_EXCEPT_INEXACT), K(_MM_EXCEPT_MASK)};
    emit("_MM_ROUND_*,_MM_EXCEPT_*", -1, 0, (const uint32_t *)(const void *)consts, 12, EXACT);
}

/* Rounding modes: every mode, then conversions and arithmetic in it. */
static volatile float sink_f;
static void check_mxcsr(void)
{
    static const unsigned modes[4] = {0x0000, 0x2000, 0x4000, 0x6000};
    for (int m = 0; m < 4; m++) {
        I(_MM_SET_ROUNDING_MODE)(modes[m]);
        emit_i32("_MM_GET_ROUNDING_MODE", m, (int)I(_MM_GET_ROUNDING_MODE)());
        emit_i32("_mm_getcsr&_MM_ROUND_MASK", m, (int)(I(_mm_getcsr)() & 0x6000u));
        for (int k = 0; k < 2 * NCASE; k += 3) {
            emit128i("_mm_cvtps_epi32(mode)", m, k, I(_mm_cvtps_epi32)(A128(fa)));
            emit128("_mm_add_ps(mode)", m, k, I(_mm_add_ps)(A128(fa), A128(fb)), ARITH);
            emit128("_mm_div_ps(mode)", m, k, I(_mm_div_ps)(A128(fa), A128(fb)), ARITH);
            emit128("_mm_round_ps(CUR_DIRECTION)", m, k, I(_mm_round_ps)(A128(fa), K(_MM_FROUND_CUR_DIRECTION)), ARITH);
            emit128i("_mm_cvtpd_epi32(mode)", m, k, I(_mm_cvtpd_epi32)(A128D(da)));
            emit128i("_mm_cvtps_ph(4)", m, k, I(_mm_cvtps_ph)(A128(fa), 4));
        }
    }
    I(_MM_SET_ROUNDING_MODE)(K(_MM_ROUND_NEAREST));
    I(_mm_setcsr)(0x1f80u | 0x4000u);
    emit_i32("_mm_setcsr(ROUND_UP)+_MM_GET_ROUNDING_MODE", 0, (int)I(_MM_GET_ROUNDING_MODE)());
    I(_mm_setcsr)(0x1f80u);
    emit_i32("_mm_getcsr", 0, (int)I(_mm_getcsr)());

    /* exception flags raised by operations */
    static const uint32_t ops[][2] = {
        {0x3f800000, 0x40400000}, /* 1 / 3: inexact */
        {0x3f800000, 0x00000000}, /* 1 / 0: divide by zero */
        {0x00000000, 0x00000000}, /* 0 / 0: invalid */
        {0x7f7fffff, 0x3f000000}, /* FLT_MAX / 0.5: overflow, inexact */
        {0x0da24260, 0x7f7fffff}, /* 1e-30 / FLT_MAX: underflow, inexact */
        {0x40000000, 0x3f800000}, /* 2 / 1: exact, nothing */
    };
    for (int i = 0; i < 6; i++) {
        I(_MM_SET_EXCEPTION_STATE)(0);
        /* all lanes alike: the flags come from every lane (the NEON _ss
         * wrappers compute all four lanes, so their flags would differ) */
        v128 r = I(_mm_div_ps)(I(_mm_set1_ps)(lf(ops[i][0])), I(_mm_set1_ps)(lf(ops[i][1])));
        sink_f = I(_mm_cvtss_f32)(r);
        emit_i32("_MM_GET_EXCEPTION_STATE", i, (int)I(_MM_GET_EXCEPTION_STATE)());
        emit_i32("_mm_getcsr(flags)", i, (int)I(_mm_getcsr)());
    }
    I(_MM_SET_EXCEPTION_STATE)(K(_MM_EXCEPT_INEXACT) | K(_MM_EXCEPT_OVERFLOW));
    emit_i32("_MM_SET_EXCEPTION_STATE", 0, (int)I(_MM_GET_EXCEPTION_STATE)());
    I(_mm_setcsr)(0x1f80u | K(_MM_EXCEPT_INVALID));
    emit_i32("_mm_setcsr(flags)", 0, (int)I(_mm_getcsr)());
    I(_mm_setcsr)(0x1f80u);
}

/* ------------------------------------------------------------------------ */
/* More SSE..SSE4.1, PCLMULQDQ, AES-NI                                      */
/* ------------------------------------------------------------------------ */

#define INSERT_PS(imm) FOR_IMMCASE emit128("_mm_insert_ps", imm, k, I(_mm_insert_ps)(ld128(fa[k]), ld128(fb[k] + 4), imm), EXACT);
#define DP_PS(imm)                                                                                         \
    for (int k = 8; k < 2 * NCASE; k += 7)                                                                 \
        emit128("_mm_dp_ps", imm, k, I(_mm_dp_ps)(A128(fa), A128(fb), imm), ARITH);
#define DP_PD_MPSAD(imm)                                                                                   \
    for (int k = 8; k < 2 * NCASE; k += 5) {                                                               \
        emit128d("_mm_dp_pd", imm, k, I(_mm_dp_pd)(A128D(da), A128D(db), imm), ARITH);                     \
        emit128i("_mm_mpsadbw_epu8", imm, k, I(_mm_mpsadbw_epu8)(A128I(ia), A128I(ib), imm));              \
    }
#define DP_PS256(imm) FOR_IMMCASE emit256("_mm256_dp_ps", imm, k, I(_mm256_dp_ps)(ld256(fa[k + 4]), ld256(fb[k + 4]), imm), ARITH);
static void sweep_insert_ps(void) { REP256(INSERT_PS) }
static void sweep_dp(void) { REP256(DP_PS) REP256(DP_PD_MPSAD) REP256(DP_PS256) }

static void check_sse_more(void)
{
    F128_2(_mm_hsub_ps, ARITH)
    F256_2(_mm256_hsub_ps, ARITH)
    D128_2(_mm_hsub_pd, ARITH)
    D256_2(_mm256_hsub_pd, ARITH)
    D128_2(_mm_add_sd, ARITH) D128_2(_mm_sub_sd, ARITH) D128_2(_mm_mul_sd, ARITH) D128_2(_mm_div_sd, ARITH)
    D128_2(_mm_min_sd, EXACT) D128_2(_mm_max_sd, EXACT) D128_2(_mm_sqrt_sd, ARITH) D128_2(_mm_move_sd, EXACT)
    F128_2(_mm_move_ss, EXACT)
    D128_1(_mm_movedup_pd, EXACT)
    I128_1(_mm_move_epi64)
    sweep_insert_ps();
    sweep_dp();
    FOR128 {
        v128 a = A128(fa);
        T(m128d) d = A128D(da);
        v128i x = A128I(ia);
        emit_i32("_mm_extract_ps[0]", k, I(_mm_extract_ps)(a, 0));
        emit_i32("_mm_extract_ps[1]", k, I(_mm_extract_ps)(a, 1));
        emit_i32("_mm_extract_ps[2]", k, I(_mm_extract_ps)(a, 2));
        emit_i32("_mm_extract_ps[3]", k, I(_mm_extract_ps)(a, 3));
        emit_i32("_mm_cvtss_si32", k, I(_mm_cvtss_si32)(a));
        emit_i32("_mm_cvttss_si32", k, I(_mm_cvttss_si32)(a));
        emit_i32("_mm_cvt_ss2si", k, I(_mm_cvt_ss2si)(I(_mm_movehl_ps)(a, a)));
        emit_i32("_mm_cvtt_ss2si", k, I(_mm_cvtt_ss2si)(I(_mm_movehl_ps)(a, a)));
        emit_i32("_mm_cvtsd_si32", k, I(_mm_cvtsd_si32)(d));
        emit_i32("_mm_cvttsd_si32", k, I(_mm_cvttsd_si32)(d));
        emit_i64("_mm_cvtsd_si64", -1, k, I(_mm_cvtsd_si64)(d));
        emit_i64("_mm_cvttsd_si64", -1, k, I(_mm_cvttsd_si64)(d));
        emit_i64("_mm_cvtsd_si64x", -1, k, I(_mm_cvtsd_si64x)(I(_mm_unpackhi_pd)(d, d)));
        emit_i64("_mm_cvttsd_si64x", -1, k, I(_mm_cvttsd_si64x)(I(_mm_unpackhi_pd)(d, d)));
        emit_i64("_mm_cvtss_si64", -1, k, I(_mm_cvtss_si64)(a));
        emit_i64("_mm_cvttss_si64", -1, k, I(_mm_cvttss_si64)(a));
        int iv = (int)ia[k / 2][k % 8];
        long long lv = (long long)((uint64_t)ib[k / 2][k % 8] << 32 | ia[k / 2][(k + 1) % 8]);
        emit128("_mm_cvtsi32_ss", -1, k, I(_mm_cvtsi32_ss)(a, iv), EXACT);
        emit128("_mm_cvt_si2ss", -1, k, I(_mm_cvt_si2ss)(a, iv >> (k % 9)), EXACT);
        emit128d("_mm_cvtsi32_sd", -1, k, I(_mm_cvtsi32_sd)(d, iv), EXACT);
        emit128("_mm_cvtsi64_ss", -1, k, I(_mm_cvtsi64_ss)(a, lv >> (k % 40)), EXACT);
        emit128d("_mm_cvtsi64_sd", -1, k, I(_mm_cvtsi64_sd)(d, lv >> (k % 40)), EXACT);
        emit128d("_mm_cvtss_sd", -1, k, I(_mm_cvtss_sd)(d, a), EXACT);
        emit128("_mm_cvtsd_ss", -1, k, I(_mm_cvtsd_ss)(a, d), EXACT);
        emit128i("_mm_minpos_epu16", -1, k, I(_mm_minpos_epu16)(x));
        emit128i("_mm_minpos_epu16(ties)", -1, k, I(_mm_minpos_epu16)(I(_mm_and_si128)(x, I(_mm_set1_epi16)(3))));
        emit_i32("_mm_test_all_zeros", k, I(_mm_test_all_zeros)(x, A128I(ib)));
        emit_i32("_mm_test_all_zeros(a,~a)", k, I(_mm_test_all_zeros)(x, I(_mm_xor_si128)(x, I(_mm_set1_epi32)(-1))));
        emit_i32("_mm_test_all_ones", k, I(_mm_test_all_ones)(x));
        emit_i32("_mm_test_all_ones(a|b)", k, I(_mm_test_all_ones)(I(_mm_or_si128)(x, I(_mm_set1_epi32)(k % 3 ? -1 : 0x7fffffff))));
        emit_i32("_mm_test_mix_ones_zeros", k, I(_mm_test_mix_ones_zeros)(x, A128I(ib)));
    }
    /* undefined: only that they exist (the contents are undefined on x86) */
    v128 u1 = I(_mm_undefined_ps)();
    T(m128d) u2 = I(_mm_undefined_pd)();
    v128i u3 = I(_mm_undefined_si128)();
    v256 u4 = I(_mm256_undefined_ps)();
    T(m256d) u5 = I(_mm256_undefined_pd)();
    v256i u6 = I(_mm256_undefined_si256)();
    (void)u1, (void)u2, (void)u3, (void)u4, (void)u5, (void)u6;
    emit_i32("_mm_undefined_ps+_mm_undefined_pd+_mm_undefined_si128+_mm256_undefined_ps+_mm256_undefined_pd+_mm256_undefined_si256", 0, 0);
    /* streaming stores and loads, lddqu, loaddup */
    FOR256 {
        _Alignas(32) uint32_t buf[8 * 8 + 4];
        memset(buf, 0xcc, sizeof buf);
        I(_mm_stream_ps)((float *)(void *)buf, ld128(fa[k]));
        I(_mm_stream_pd)((double *)(void *)(buf + 4), ld128d(da[k]));
        I(_mm_stream_si128)((v128i *)(void *)(buf + 8), ld128i(ia[k]));
        I(_mm_stream_si32)((int *)(void *)(buf + 12), (int)ib[k][0]);
        I(_mm_stream_si64)((long long *)(void *)(buf + 14), (long long)db[k][1]);
        I(_mm256_stream_ps)((float *)(void *)(buf + 16), ld256(fb[k]));
        I(_mm256_stream_pd)((double *)(void *)(buf + 24), ld256d(db[k]));
        I(_mm256_stream_si256)((v256i *)(void *)(buf + 32), ld256i(ib[k]));
        emit("_mm_stream_ps+_pd+_si128+_si32+_si64+_mm256_stream_ps+_pd+_si256", -1, k, buf, 44, EXACT);
        emit128i("_mm_stream_load_si128", -1, k, I(_mm_stream_load_si128)((v128i *)(void *)(buf + 8)));
        emit256i("_mm256_stream_load_si256", -1, k, I(_mm256_stream_load_si256)((v256i *)(void *)(buf + 32)));
        emit128i("_mm_lddqu_si128", -1, k, I(_mm_lddqu_si128)((const v128i *)(const void *)((const char *)ia[k] + k % 16)));
        emit128d("_mm_loaddup_pd", -1, k, I(_mm_loaddup_pd)((const double *)(const void *)(buf + 4)), EXACT);
    }
}

static void check_crypto(void)
{
    FOR128 {
        v128i a = A128I(ia), b = A128I(ib);
        emit128i("_mm_clmulepi64_si128", 0x00, k, I(_mm_clmulepi64_si128)(a, b, 0x00));
        emit128i("_mm_clmulepi64_si128", 0x01, k, I(_mm_clmulepi64_si128)(a, b, 0x01));
        emit128i("_mm_clmulepi64_si128", 0x10, k, I(_mm_clmulepi64_si128)(a, b, 0x10));
        emit128i("_mm_clmulepi64_si128", 0x11, k, I(_mm_clmulepi64_si128)(a, b, 0x11));
        emit128i("_mm_aesenc_si128", -1, k, I(_mm_aesenc_si128)(a, b));
        emit128i("_mm_aesenclast_si128", -1, k, I(_mm_aesenclast_si128)(a, b));
        emit128i("_mm_aesdec_si128", -1, k, I(_mm_aesdec_si128)(a, b));
        emit128i("_mm_aesdeclast_si128", -1, k, I(_mm_aesdeclast_si128)(a, b));
        emit128i("_mm_aesimc_si128", -1, k, I(_mm_aesimc_si128)(a));
#define KEYGEN(r) emit128i("_mm_aeskeygenassist_si128", r, k, I(_mm_aeskeygenassist_si128)(a, r));
        KEYGEN(0x00) KEYGEN(0x01) KEYGEN(0x02) KEYGEN(0x04) KEYGEN(0x08) KEYGEN(0x10) KEYGEN(0x20) KEYGEN(0x40)
        KEYGEN(0x80) KEYGEN(0x1b) KEYGEN(0x36) KEYGEN(0xff)
    }
    /* every byte value through the S-box and its inverse */
    for (int base = 0; base < 256; base += 16) {
        unsigned char bytes[16];
        for (int i = 0; i < 16; i++)
            bytes[i] = (unsigned char)(base + i);
        v128i s = ld128i((const uint32_t *)(const void *)bytes);
        emit128i("_mm_aesenclast_si128(bytes)", -1, base, I(_mm_aesenclast_si128)(s, I(_mm_setzero_si128)()));
        emit128i("_mm_aesdeclast_si128(bytes)", -1, base, I(_mm_aesdeclast_si128)(s, I(_mm_setzero_si128)()));
        emit128i("_mm_aeskeygenassist_si128(bytes)", 0, base, I(_mm_aeskeygenassist_si128)(s, 0));
    }
}

/* ------------------------------------------------------------------------ */
/* SSE4.2 string compares: every control byte (bit 7 is reserved)           */
/* ------------------------------------------------------------------------ */

static unsigned char str_a[16][16], str_b[16][16];
static void make_strings(void)
{
    static const unsigned char alphabet[8] = {'a', 'b', 'c', 'z', 0x80, 0xff, 0x7f, 0x01};
    for (int p = 0; p < 16; p++)
        for (int i = 0; i < 16; i++) {
            uint32_t r = next32();
            if (p < 10) { /* small alphabet, a zero now and then */
                str_a[p][i] = (r & 0x1f) == 0 ? 0 : alphabet[r % 8];
                str_b[p][i] = ((r >> 8) & 0x1f) == 1 ? 0 : alphabet[(r >> 16) % 8];
            } else if (p < 14) { /* any bytes */
                str_a[p][i] = (unsigned char)r;
                str_b[p][i] = (unsigned char)(r >> 8);
            } else { /* a substring of b, ranges in a */
                str_b[p][i] = alphabet[(r >> 4) % 4];
                str_a[p][i] = i < 4 ? str_b[p][(i + 5) % 16] : (p == 15 && i < 6 ? "az"[i % 2] : 0);
            }
        }
    memcpy(str_a[14], str_b[14] + 5, 3); /* a = b[5..7] */
    str_a[14][3] = 0;
    str_a[15][0] = 'a', str_a[15][1] = 'c', str_a[15][2] = 0x80, str_a[15][3] = 0xff, str_a[15][4] = 0;
}
static const int str_len[][2] = {{16, 16}, {3, 9}, {0, 16}, {17, -5}, {-16, 0}, {8, 15}, {INT32_MIN, 1}, {-3, -100}};

#define ISTR(imm)                                                                                         \
    for (int p = 0; p < 16; p++) {                                                                        \
        v128i a = ld128i((const uint32_t *)(const void *)str_a[p]), b = ld128i((const uint32_t *)(const void *)str_b[p]); \
        int f[6] = {I(_mm_cmpistri)(a, b, imm), I(_mm_cmpistrc)(a, b, imm), I(_mm_cmpistrz)(a, b, imm),  \
                    I(_mm_cmpistrs)(a, b, imm), I(_mm_cmpistro)(a, b, imm), I(_mm_cmpistra)(a, b, imm)};  \
        emit("_mm_cmpistri,c,z,s,o,a", imm, p, (const uint32_t *)(const void *)f, 6, EXACT);               \
        emit128i("_mm_cmpistrm", imm, p, I(_mm_cmpistrm)(a, b, imm));                                     \
    }
#define ESTR(imm)                                                                                         \
    for (int p = 0; p < 16; p += 2)                                                                       \
        for (int l = 0; l < 8; l++) {                                                                     \
            v128i a = ld128i((const uint32_t *)(const void *)str_a[p]), b = ld128i((const uint32_t *)(const void *)str_b[p + l % 2]); \
            int la = str_len[l][0], lb = str_len[l][1];                                                   \
            int f[6] = {I(_mm_cmpestri)(a, la, b, lb, imm), I(_mm_cmpestrc)(a, la, b, lb, imm),          \
                        I(_mm_cmpestrz)(a, la, b, lb, imm), I(_mm_cmpestrs)(a, la, b, lb, imm),          \
                        I(_mm_cmpestro)(a, la, b, lb, imm), I(_mm_cmpestra)(a, la, b, lb, imm)};         \
            emit("_mm_cmpestri,c,z,s,o,a", imm, p * 8 + l, (const uint32_t *)(const void *)f, 6, EXACT);  \
            emit128i("_mm_cmpestrm", imm, p * 8 + l, I(_mm_cmpestrm)(a, la, b, lb, imm));                 \
        }
#if MOLT_NAMES
#define REP128(M)                            \
    for (int imm_ = 0; imm_ < 128; imm_++) { \
        M(imm_)                              \
    }
#else
#define REP128(M) REP16(M, 0) REP16(M, 16) REP16(M, 32) REP16(M, 48) REP16(M, 64) REP16(M, 80) REP16(M, 96) REP16(M, 112)
#endif
static void sweep_istr(void) { REP128(ISTR) }
static void sweep_estr(void) { REP128(ESTR) }

static void check_strings(void)
{
    make_strings();
    sweep_istr();
    sweep_estr();
}

/* ------------------------------------------------------------------------ */
/* Scalar-lane compares, comi/ucomi, variable permutes and shifts, masks    */
/* ------------------------------------------------------------------------ */

#define CMP_SS_SD(pred)                                                                                   \
    FOR128 {                                                                                              \
        emit128("_mm_cmp_ss", pred, k, I(_mm_cmp_ss)(A128(fa), A128(fb), pred), EXACT);                    \
        emit128d("_mm_cmp_sd", pred, k, I(_mm_cmp_sd)(A128D(da), A128D(db), pred), EXACT);                 \
    }
#define PERMUTE_PD256(imm) FOR_IMMCASE emit256d("_mm256_permute_pd", imm, k, I(_mm256_permute_pd)(ld256d(da[k]), imm), EXACT);
static void sweep_cmp_ss_sd(void) { REP32(CMP_SS_SD) }
static void sweep_permute_pd(void) { REP16(PERMUTE_PD256, 0) }

static void check_scalar_lanes(void)
{
    F128_2(_mm_cmpeq_ss, EXACT) F128_2(_mm_cmplt_ss, EXACT) F128_2(_mm_cmple_ss, EXACT) F128_2(_mm_cmpgt_ss, EXACT)
    F128_2(_mm_cmpge_ss, EXACT) F128_2(_mm_cmpneq_ss, EXACT) F128_2(_mm_cmpord_ss, EXACT) F128_2(_mm_cmpunord_ss, EXACT)
    D128_2(_mm_cmpeq_sd, EXACT) D128_2(_mm_cmplt_sd, EXACT) D128_2(_mm_cmple_sd, EXACT) D128_2(_mm_cmpgt_sd, EXACT)
    D128_2(_mm_cmpge_sd, EXACT) D128_2(_mm_cmpneq_sd, EXACT) D128_2(_mm_cmpord_sd, EXACT) D128_2(_mm_cmpunord_sd, EXACT)
    sweep_cmp_ss_sd();
    FOR128 {
        v128 a = A128(fa), b = A128(fb);
        T(m128d) c = A128D(da), d = A128D(db);
        int f[12] = {I(_mm_comieq_ss)(a, b), I(_mm_comilt_ss)(a, b), I(_mm_comile_ss)(a, b),
                     I(_mm_comigt_ss)(a, b), I(_mm_comige_ss)(a, b), I(_mm_comineq_ss)(a, b),
                     I(_mm_ucomieq_ss)(a, b), I(_mm_ucomilt_ss)(a, b), I(_mm_ucomile_ss)(a, b),
                     I(_mm_ucomigt_ss)(a, b), I(_mm_ucomige_ss)(a, b), I(_mm_ucomineq_ss)(a, b)};
        emit("_mm_comieq,lt,le,gt,ge,neq_ss+_mm_ucomi*_ss", -1, k, (const uint32_t *)(const void *)f, 12, EXACT);
        int g[12] = {I(_mm_comieq_sd)(c, d), I(_mm_comilt_sd)(c, d), I(_mm_comile_sd)(c, d),
                     I(_mm_comigt_sd)(c, d), I(_mm_comige_sd)(c, d), I(_mm_comineq_sd)(c, d),
                     I(_mm_ucomieq_sd)(c, d), I(_mm_ucomilt_sd)(c, d), I(_mm_ucomile_sd)(c, d),
                     I(_mm_ucomigt_sd)(c, d), I(_mm_ucomige_sd)(c, d), I(_mm_ucomineq_sd)(c, d)};
        emit("_mm_comieq,lt,le,gt,ge,neq_sd+_mm_ucomi*_sd", -1, k, (const uint32_t *)(const void *)g, 12, EXACT);
        /* equal operands */
        int h[4] = {I(_mm_comieq_ss)(a, a), I(_mm_ucomineq_ss)(a, a), I(_mm_comieq_sd)(c, c), I(_mm_ucomige_sd)(c, c)};
        emit("_mm_comieq_ss(a,a)...", -1, k, (const uint32_t *)(const void *)h, 4, EXACT);
        emit128("_mm_permutevar_ps", -1, k, I(_mm_permutevar_ps)(a, A128I(ia)), EXACT);
        emit128d("_mm_permute_pd", 0, k, I(_mm_permute_pd)(c, 0), EXACT);
        emit128d("_mm_permute_pd", 1, k, I(_mm_permute_pd)(c, 1), EXACT);
        emit128d("_mm_permute_pd", 2, k, I(_mm_permute_pd)(c, 2), EXACT);
        emit128d("_mm_permute_pd", 3, k, I(_mm_permute_pd)(c, 3), EXACT);
        emit128d("_mm_broadcastsd_pd", -1, k, I(_mm_broadcastsd_pd)(c), EXACT);
        v128i n = I(_mm_and_si128)(A128I(ib), I(_mm_set1_epi64x)(127));
        emit128i("_mm_sllv_epi64", -1, k, I(_mm_sllv_epi64)(A128I(ia), n));
        emit128i("_mm_srlv_epi64", -1, k, I(_mm_srlv_epi64)(A128I(ia), n));
        emit128i("_mm_sllv_epi64(any)", -1, k, I(_mm_sllv_epi64)(A128I(ia), A128I(ib)));
    }
    sweep_permute_pd();
    FOR256 {
        v256i n = I(_mm256_and_si256)(ld256i(ib[k]), I(_mm256_set1_epi64x)(127));
        emit256i("_mm256_sllv_epi64", -1, k, I(_mm256_sllv_epi64)(ld256i(ia[k]), n));
        emit256i("_mm256_srlv_epi64", -1, k, I(_mm256_srlv_epi64)(ld256i(ia[k]), n));
        emit256("_mm256_permutevar_ps", -1, k, I(_mm256_permutevar_ps)(ld256(fa[k]), ld256i(ia[k])), EXACT);
        emit256("_mm256_movehdup_ps", -1, k, I(_mm256_movehdup_ps)(ld256(fa[k])), EXACT);
        emit256("_mm256_moveldup_ps", -1, k, I(_mm256_moveldup_ps)(ld256(fa[k])), EXACT);
        emit256d("_mm256_movedup_pd", -1, k, I(_mm256_movedup_pd)(ld256d(da[k])), EXACT);
        emit256d("_mm256_broadcastsd_pd", -1, k, I(_mm256_broadcastsd_pd)(ld128d(db[k] + 1)), EXACT);
        long long src[4], dst[6];
        uint32_t bits[12];
        memcpy(src, da[k], 32);
        emit128i("_mm_maskload_epi64", -1, k, I(_mm_maskload_epi64)(src, ld128i(ib[k])));
        emit256i("_mm256_maskload_epi64", -1, k, I(_mm256_maskload_epi64)(src, ld256i(ib[k])));
        emit128d("_mm_maskload_pd", -1, k, I(_mm_maskload_pd)((const double *)(const void *)src, ld128i(ia[k])), EXACT);
        emit256d("_mm256_maskload_pd", -1, k, I(_mm256_maskload_pd)((const double *)(const void *)src, ld256i(ia[k])), EXACT);
        for (int w = 0; w < 4; w++) {
            memset(dst, 0xdd, sizeof dst);
            if (w == 0)
                I(_mm_maskstore_epi64)(dst + 1, ld128i(ib[k]), ld128i(ia[k]));
            else if (w == 1)
                I(_mm256_maskstore_epi64)(dst + 1, ld256i(ib[k]), ld256i(ia[k]));
            else if (w == 2)
                I(_mm_maskstore_pd)((double *)(void *)(dst + 1), ld128i(ia[k]), ld128d(db[k]));
            else
                I(_mm256_maskstore_pd)((double *)(void *)(dst + 1), ld256i(ia[k]), ld256d(db[k]));
            memcpy(bits, dst, sizeof bits);
            emit(w == 0 ? "_mm_maskstore_epi64" : w == 1 ? "_mm256_maskstore_epi64" : w == 2 ? "_mm_maskstore_pd" : "_mm256_maskstore_pd",
                 -1, k, bits, 12, EXACT);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* More loads/stores/sets, scalar-lane rounding and estimates, gathers      */
/* ------------------------------------------------------------------------ */

#define ROUND_SS_SD(imm)                                                                              \
    FOR128 {                                                                                          \
        emit128("_mm_round_ss", imm, k, I(_mm_round_ss)(A128(fa), A128(fb), imm), ARITH);             \
        emit128d("_mm_round_sd", imm, k, I(_mm_round_sd)(A128D(da), A128D(db), imm), ARITH);          \
    }
#define GATHERS(s)                                                                                                   \
    emit128d("_mm_i32gather_pd", s, k, I(_mm_i32gather_pd)(dmid, vi4, s), EXACT);                                  \
    emit256d("_mm256_i32gather_pd", s, k, I(_mm256_i32gather_pd)(dmid, vi4, s), EXACT);                            \
    emit128d("_mm_i64gather_pd", s, k, I(_mm_i64gather_pd)(dmid, vq2, s), EXACT);                                  \
    emit256d("_mm256_i64gather_pd", s, k, I(_mm256_i64gather_pd)(dmid, vq4, s), EXACT);                            \
    emit128i("_mm_i32gather_epi64", s, k, I(_mm_i32gather_epi64)(qmid, vi4, s));                                   \
    emit256i("_mm256_i32gather_epi64", s, k, I(_mm256_i32gather_epi64)(qmid, vi4, s));                             \
    emit128i("_mm_i64gather_epi64", s, k, I(_mm_i64gather_epi64)(qmid, vq2, s));                                   \
    emit256i("_mm256_i64gather_epi64", s, k, I(_mm256_i64gather_epi64)(qmid, vq4, s));                             \
    emit128i("_mm_i64gather_epi32", s, k, I(_mm_i64gather_epi32)(imid, vq2, s));                                   \
    emit128i("_mm256_i64gather_epi32", s, k, I(_mm256_i64gather_epi32)(imid, vq4, s));                             \
    emit128("_mm_i64gather_ps", s, k, I(_mm_i64gather_ps)(fmid, vq2, s), EXACT);                                   \
    emit128("_mm256_i64gather_ps", s, k, I(_mm256_i64gather_ps)(fmid, vq4, s), EXACT);                             \
    emit128i("_mm_mask_i32gather_epi32", s, k, I(_mm_mask_i32gather_epi32)(ld128i(ia[k]), imid, vi4, ld128i(ib[k]), s)); \
    emit256i("_mm256_mask_i32gather_epi32", s, k, I(_mm256_mask_i32gather_epi32)(ld256i(ia[k]), imid, vi8, ld256i(ib[k]), s)); \
    emit128("_mm_mask_i32gather_ps", s, k, I(_mm_mask_i32gather_ps)(ld128(fa[k]), fmid, vi4, ld128(fb[k]), s), EXACT);  \
    emit256("_mm256_mask_i32gather_ps", s, k, I(_mm256_mask_i32gather_ps)(ld256(fa[k]), fmid, vi8, ld256(fb[k]), s), EXACT);
static void sweep_round_ss_sd(void)
{
    ROUND_SS_SD(0x00) ROUND_SS_SD(0x01) ROUND_SS_SD(0x02) ROUND_SS_SD(0x03) ROUND_SS_SD(0x04)
    ROUND_SS_SD(0x08) ROUND_SS_SD(0x09) ROUND_SS_SD(0x0a) ROUND_SS_SD(0x0b) ROUND_SS_SD(0x0c)
}

static void check_more_memory(void)
{
    FOR128 {
        emit128("_mm_floor_ss", -1, k, I(_mm_floor_ss)(A128(fa), A128(fb)), ARITH);
        emit128("_mm_ceil_ss", -1, k, I(_mm_ceil_ss)(A128(fa), A128(fb)), ARITH);
        emit128d("_mm_floor_sd", -1, k, I(_mm_floor_sd)(A128D(da), A128D(db)), ARITH);
        emit128d("_mm_ceil_sd", -1, k, I(_mm_ceil_sd)(A128D(da), A128D(db)), ARITH);
        emit128("_mm_rcp_ss", -1, k, I(_mm_rcp_ss)(A128(fr)), APPROX);
        emit128("_mm_rsqrt_ss", -1, k, I(_mm_rsqrt_ss)(A128(fr)), APPROX);
    }
    sweep_round_ss_sd();
    FOR256 {
        float f[8];
        double d[4];
        uint32_t out[12];
        memcpy(f, fa[k], 32);
        memcpy(d, da[k], 32);
        emit128("_mm_set_ps1", -1, k, I(_mm_set_ps1)(f[k % 8]), EXACT);
        emit128("_mm_load1_ps", -1, k, I(_mm_load1_ps)(f + k % 8), EXACT);
        emit128("_mm_load_ps1", -1, k, I(_mm_load_ps1)(f + (k + 1) % 8), EXACT);
        emit128("_mm_loadr_ps", -1, k, I(_mm_loadr_ps)(f + 4 * (k % 2)), EXACT);
        emit128d("_mm_set_pd1", -1, k, I(_mm_set_pd1)(d[k % 4]), EXACT);
        emit128d("_mm_load_pd1", -1, k, I(_mm_load_pd1)(d + k % 4), EXACT);
        emit128d("_mm_loadr_pd", -1, k, I(_mm_loadr_pd)(d + 2 * (k % 2)), EXACT);
        emit128d("_mm_loadl_pd", -1, k, I(_mm_loadl_pd)(ld128d(db[k]), d + 1), EXACT);
        emit128d("_mm_loadh_pd", -1, k, I(_mm_loadh_pd)(ld128d(db[k]), d + 2), EXACT);
        emit256d("_mm256_set_m128d", -1, k, I(_mm256_set_m128d)(ld128d(da[k]), ld128d(db[k])), EXACT);
        emit256d("_mm256_setr_m128d", -1, k, I(_mm256_setr_m128d)(ld128d(da[k]), ld128d(db[k])), EXACT);
        emit256d("_mm256_loadu2_m128d", -1, k, I(_mm256_loadu2_m128d)(d, d + 2), EXACT);
        for (int w = 0; w < 10; w++) {
            _Alignas(16) float fb16[12];
            for (int i = 0; i < 12; i++)
                fb16[i] = lf(0xdeadbeefu);
            double *dp = (double *)(void *)(fb16 + 2);
            switch (w) {
            case 0: I(_mm_store1_ps)(fb16 + 4, ld128(fb[k])); break;
            case 1: I(_mm_store_ps1)(fb16 + 4, ld128(fb[k] + 4)); break;
            case 2: I(_mm_storer_ps)(fb16 + 4, ld128(fb[k])); break;
            case 3: I(_mm_storel_pd)(dp, ld128d(db[k])); break;
            case 4: I(_mm_storeh_pd)(dp, ld128d(db[k])); break;
            case 5: I(_mm_store1_pd)(dp, ld128d(db[k] + 1)); break;
            case 6: I(_mm_store_pd1)(dp, ld128d(db[k])); break;
            case 7: I(_mm_storer_pd)(dp, ld128d(db[k])); break;
            case 8: I(_mm256_storeu2_m128d)(dp + 2, dp, ld256d(db[k])); break;
            default: I(_mm256_storeu2_m128d)(dp, dp + 2, ld256d(da[k])); break;
            }
            memcpy(out, fb16, sizeof out);
            static const char *names[10] = {"_mm_store1_ps", "_mm_store_ps1", "_mm_storer_ps", "_mm_storel_pd", "_mm_storeh_pd",
                                            "_mm_store1_pd", "_mm_store_pd1", "_mm_storer_pd", "_mm256_storeu2_m128d", "_mm256_storeu2_m128d(swapped)"};
            emit(names[w], -1, k, out, 12, EXACT);
        }
    }
    /* gathers from the middle of a table, negative indices included */
    static uint32_t table[128];
    for (int i = 0; i < 128; i++)
        table[i] = ia[i / 8 % NCASE][i % 8] ^ ib[(i / 8 + 3) % NCASE][i % 8];
    FOR256 {
        int32_t idx[8];
        int64_t q[4];
        for (int i = 0; i < 8; i++)
            idx[i] = (int32_t)(ib[k][i] % 15) - 7;
        for (int i = 0; i < 4; i++)
            q[i] = (int64_t)(ia[k][i] % 13) - 6;
        v128i vi4 = ld128i((const uint32_t *)idx);
        v256i vi8 = ld256i((const uint32_t *)idx);
        v128i vq2 = ld128i((const uint32_t *)(const void *)q);
        v256i vq4 = ld256i((const uint32_t *)(const void *)q);
        const void *mid = table + 64;
        const double *dmid = (const double *)mid;
        const long long *qmid = (const long long *)mid;
        const int *imid = (const int *)mid;
        const float *fmid = (const float *)mid;
        GATHERS(1) GATHERS(2) GATHERS(4) GATHERS(8)
    }
}

int main(void)
{
    make_inputs();
    check_memory();
    check_set();
    check_arith();
    check_bitwise_compare();
    check_shuffle();
    check_convert_int();
    check_int_set_memory();
    check_int_lanes();
    check_pd();
    check_avx2_int();
    check_avx2_memory();
    check_pd256();
    check_bits();
    check_f16c();
    check_misc();
    check_mxcsr();
    check_sse_more();
    check_crypto();
    check_strings();
    check_scalar_lanes();
    check_more_memory();
    fprintf(stderr, "check_intrinsics (%s): %ld lines\n", MODE, n_lines);
    return 0;
}
