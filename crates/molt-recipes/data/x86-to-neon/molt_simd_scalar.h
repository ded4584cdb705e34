/*
 * molt_simd_scalar.h: x86 SSE..AVX2/FMA intrinsics as portable C11.
 *
 * The fallback of molt's x86-to-neon recipe, for the `#else` branch (neither
 * x86 nor aarch64), and a readable statement of what every wrapper in
 * molt_simd_neon.h means. Same names, types and semantics as that header:
 *
 *   types       __m128 __m256 __m128i __m256i   ->  molt_m128 molt_m256 molt_m128i molt_m256i
 *   intrinsics  _mm_xxx / _mm256_xxx            ->  molt_mm_xxx / molt_mm256_xxx
 *   constants   _CMP_xxx / _MM_FROUND_xxx       ->  MOLT_CMP_xxx / MOLT_MM_FROUND_xxx
 *   _MM_SHUFFLE is defined here when not already defined (and MOLT_MM_SHUFFLE).
 *
 * Vectors are structs of arrays; lane 0 is element 0. Bit-level operations
 * go through memcpy, so NaN payloads and -0.0 are preserved exactly.
 * Results match x86 bit for bit, with the same exceptions as the NEON
 * header: rcp/rsqrt are precise (1/x, 1/sqrt(x)) where x86 approximates,
 * and the payload/sign of NaNs made by arithmetic is the host's.
 *
 * Needs the C math library (-lm) for sqrtf, fmaf, floorf, ceilf, truncf,
 * rintf. Build with -ffp-contract=off (or -std=c11, which implies it with
 * GCC) so that separate mul and add calls are not fused.
 */
#ifndef MOLT_SIMD_SCALAR_H
#define MOLT_SIMD_SCALAR_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Types                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct {
    float f[4];
} molt_m128;
typedef struct {
    float f[8];
} molt_m256;
typedef struct {
    int32_t i[4];
} molt_m128i;
typedef struct {
    int32_t i[8];
} molt_m256i;

/* ------------------------------------------------------------------------ */
/* Constants and macros (same values as x86)                                */
/* ------------------------------------------------------------------------ */

#define MOLT_MM_SHUFFLE(z, y, x, w) (((z) << 6) | ((y) << 4) | ((x) << 2) | (w))
#ifndef _MM_SHUFFLE
#define _MM_SHUFFLE(z, y, x, w) MOLT_MM_SHUFFLE(z, y, x, w)
#endif

#define MOLT_CMP_EQ_OQ 0x00
#define MOLT_CMP_LT_OS 0x01
#define MOLT_CMP_LE_OS 0x02
#define MOLT_CMP_UNORD_Q 0x03
#define MOLT_CMP_NEQ_UQ 0x04
#define MOLT_CMP_NLT_US 0x05
#define MOLT_CMP_NLE_US 0x06
#define MOLT_CMP_ORD_Q 0x07
#define MOLT_CMP_EQ_UQ 0x08
#define MOLT_CMP_NGE_US 0x09
#define MOLT_CMP_NGT_US 0x0a
#define MOLT_CMP_FALSE_OQ 0x0b
#define MOLT_CMP_NEQ_OQ 0x0c
#define MOLT_CMP_GE_OS 0x0d
#define MOLT_CMP_GT_OS 0x0e
#define MOLT_CMP_TRUE_UQ 0x0f
#define MOLT_CMP_EQ_OS 0x10
#define MOLT_CMP_LT_OQ 0x11
#define MOLT_CMP_LE_OQ 0x12
#define MOLT_CMP_UNORD_S 0x13
#define MOLT_CMP_NEQ_US 0x14
#define MOLT_CMP_NLT_UQ 0x15
#define MOLT_CMP_NLE_UQ 0x16
#define MOLT_CMP_ORD_S 0x17
#define MOLT_CMP_EQ_US 0x18
#define MOLT_CMP_NGE_UQ 0x19
#define MOLT_CMP_NGT_UQ 0x1a
#define MOLT_CMP_FALSE_OS 0x1b
#define MOLT_CMP_NEQ_OS 0x1c
#define MOLT_CMP_GE_OQ 0x1d
#define MOLT_CMP_GT_OQ 0x1e
#define MOLT_CMP_TRUE_US 0x1f

#define MOLT_MM_FROUND_TO_NEAREST_INT 0x00
#define MOLT_MM_FROUND_TO_NEG_INF 0x01
#define MOLT_MM_FROUND_TO_POS_INF 0x02
#define MOLT_MM_FROUND_TO_ZERO 0x03
#define MOLT_MM_FROUND_CUR_DIRECTION 0x04
#define MOLT_MM_FROUND_RAISE_EXC 0x00
#define MOLT_MM_FROUND_NO_EXC 0x08
#define MOLT_MM_FROUND_NINT (MOLT_MM_FROUND_TO_NEAREST_INT | MOLT_MM_FROUND_RAISE_EXC)
#define MOLT_MM_FROUND_FLOOR (MOLT_MM_FROUND_TO_NEG_INF | MOLT_MM_FROUND_RAISE_EXC)
#define MOLT_MM_FROUND_CEIL (MOLT_MM_FROUND_TO_POS_INF | MOLT_MM_FROUND_RAISE_EXC)
#define MOLT_MM_FROUND_TRUNC (MOLT_MM_FROUND_TO_ZERO | MOLT_MM_FROUND_RAISE_EXC)
#define MOLT_MM_FROUND_RINT (MOLT_MM_FROUND_CUR_DIRECTION | MOLT_MM_FROUND_RAISE_EXC)
#define MOLT_MM_FROUND_NEARBYINT (MOLT_MM_FROUND_CUR_DIRECTION | MOLT_MM_FROUND_NO_EXC)

/* ------------------------------------------------------------------------ */
/* Scalar helpers                                                           */
/* ------------------------------------------------------------------------ */

static inline uint32_t molt__bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline float molt__float(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static inline float molt__mask(int cond) { return molt__float(cond ? 0xffffffffu : 0u); }

/* x86 maxps/minps: (a > b ? a : b), (a < b ? a : b); b on NaN or +-0. */
static inline float molt__max(float a, float b) { return a > b ? a : b; }
static inline float molt__min(float a, float b) { return a < b ? a : b; }

/* float -> int32, x86 rule: NaN and out-of-range give INT32_MIN. */
static inline int32_t molt__cvt_round(float x)
{
    if (!(x >= -2147483648.0f && x < 2147483648.0f))
        return INT32_MIN;
    return (int32_t)rintf(x); /* current rounding mode, like MXCSR */
}
static inline int32_t molt__cvt_trunc(float x)
{
    if (!(x >= -2147483648.0f && x < 2147483648.0f))
        return INT32_MIN;
    return (int32_t)x;
}

/* Round to nearest, ties to even, independent of the rounding mode. */
static inline float molt__round_even(float x)
{
    if (!(fabsf(x) < 8388608.0f)) /* NaN, infinity, or already integral */
        return x;
    float t = truncf(x);
    float d = x - t; /* exact */
    if (fabsf(d) > 0.5f || (fabsf(d) == 0.5f && ((int32_t)t & 1) != 0))
        t += (x < 0.0f) ? -1.0f : 1.0f;
    return t;
}

static inline float molt__round(float x, int imm)
{
    if (imm & 4)
        return rintf(x);
    switch (imm & 3) {
    case 0: return molt__round_even(x);
    case 1: return floorf(x);
    case 2: return ceilf(x);
    default: return truncf(x);
    }
}

/* The relation of an x86 compare predicate (bits 0..3; bit 4 only changes
 * signalling behaviour, i.e. exception flags, which are not modelled). */
static inline int molt__cmp(float a, float b, int pred)
{
    int unord = a != a || b != b;
    switch (pred & 15) {
    case 0x0: return a == b;            /* EQ_OQ    */
    case 0x1: return a < b;             /* LT_OS    */
    case 0x2: return a <= b;            /* LE_OS    */
    case 0x3: return unord;             /* UNORD_Q  */
    case 0x4: return !(a == b);         /* NEQ_UQ   */
    case 0x5: return !(a < b);          /* NLT_US   */
    case 0x6: return !(a <= b);         /* NLE_US   */
    case 0x7: return !unord;            /* ORD_Q    */
    case 0x8: return a == b || unord;   /* EQ_UQ    */
    case 0x9: return !(a >= b);         /* NGE_US   */
    case 0xa: return !(a > b);          /* NGT_US   */
    case 0xb: return 0;                 /* FALSE_OQ */
    case 0xc: return !(a == b) && !unord; /* NEQ_OQ */
    case 0xd: return a >= b;            /* GE_OS    */
    case 0xe: return a > b;             /* GT_OS    */
    default:  return 1;                 /* TRUE_UQ  */
    }
}

/* ------------------------------------------------------------------------ */
/* Lane-wise definitions, written once for 4 and 8 lanes                    */
/* ------------------------------------------------------------------------ */

/* float op float -> float */
#define MOLT__FF(name, T, N, expr)                    \
    static inline T name(T a, T b)                    \
    {                                                 \
        T r;                                          \
        for (int k = 0; k < N; k++) {                 \
            float x = a.f[k], y = b.f[k];             \
            r.f[k] = (expr);                          \
        }                                             \
        return r;                                     \
    }
/* float -> float */
#define MOLT__F1(name, T, N, expr)                    \
    static inline T name(T a)                         \
    {                                                 \
        T r;                                          \
        for (int k = 0; k < N; k++) {                 \
            float x = a.f[k];                         \
            r.f[k] = (expr);                          \
        }                                             \
        return r;                                     \
    }
/* bits op bits -> bits, on float vectors */
#define MOLT__BB(name, T, N, expr)                            \
    static inline T name(T a, T b)                            \
    {                                                         \
        T r;                                                  \
        for (int k = 0; k < N; k++) {                         \
            uint32_t x = molt__bits(a.f[k]), y = molt__bits(b.f[k]); \
            r.f[k] = molt__float(expr);                       \
        }                                                     \
        return r;                                             \
    }
/* float, float, float -> float */
#define MOLT__F3(name, T, N, expr)                    \
    static inline T name(T a, T b, T c)               \
    {                                                 \
        T r;                                          \
        for (int k = 0; k < N; k++) {                 \
            float x = a.f[k], y = b.f[k], z = c.f[k]; \
            r.f[k] = (expr);                          \
        }                                             \
        return r;                                     \
    }
/* int op int -> int (wrapping arithmetic done in uint32_t) */
#define MOLT__II(name, T, N, expr)                    \
    static inline T name(T a, T b)                    \
    {                                                 \
        T r;                                          \
        for (int k = 0; k < N; k++) {                 \
            int32_t x = a.i[k], y = b.i[k];           \
            r.i[k] = (int32_t)(expr);                 \
        }                                             \
        return r;                                     \
    }

/* Both widths at once. */
#define MOLT__FF_BOTH(n128, n256, expr) MOLT__FF(n128, molt_m128, 4, expr) MOLT__FF(n256, molt_m256, 8, expr)
#define MOLT__F1_BOTH(n128, n256, expr) MOLT__F1(n128, molt_m128, 4, expr) MOLT__F1(n256, molt_m256, 8, expr)
#define MOLT__BB_BOTH(n128, n256, expr) MOLT__BB(n128, molt_m128, 4, expr) MOLT__BB(n256, molt_m256, 8, expr)
#define MOLT__F3_BOTH(n128, n256, expr) MOLT__F3(n128, molt_m128, 4, expr) MOLT__F3(n256, molt_m256, 8, expr)
#define MOLT__II_BOTH(n128, n256, expr) MOLT__II(n128, molt_m128i, 4, expr) MOLT__II(n256, molt_m256i, 8, expr)

/* ------------------------------------------------------------------------ */
/* Load, store, set                                                         */
/* ------------------------------------------------------------------------ */

static inline molt_m128 molt_mm_loadu_ps(const float *p) { molt_m128 r; memcpy(r.f, p, sizeof r.f); return r; }
/* x86 faults on a pointer not 16-byte aligned; this does not check. */
static inline molt_m128 molt_mm_load_ps(const float *p) { return molt_mm_loadu_ps(p); }
static inline molt_m128 molt_mm_load_ss(const float *p) { molt_m128 r = {{0.0f, 0.0f, 0.0f, 0.0f}}; memcpy(&r.f[0], p, sizeof(float)); return r; }
static inline molt_m128 molt_mm_broadcast_ss(const float *p) { molt_m128 r; for (int k = 0; k < 4; k++) memcpy(&r.f[k], p, sizeof(float)); return r; }
static inline void molt_mm_storeu_ps(float *p, molt_m128 a) { memcpy(p, a.f, sizeof a.f); }
static inline void molt_mm_store_ps(float *p, molt_m128 a) { memcpy(p, a.f, sizeof a.f); }
static inline void molt_mm_store_ss(float *p, molt_m128 a) { memcpy(p, &a.f[0], sizeof(float)); }

static inline molt_m128 molt_mm_setr_ps(float e0, float e1, float e2, float e3) { molt_m128 r = {{e0, e1, e2, e3}}; return r; }
static inline molt_m128 molt_mm_set_ps(float e3, float e2, float e1, float e0) { molt_m128 r = {{e0, e1, e2, e3}}; return r; }
static inline molt_m128 molt_mm_set1_ps(float a) { molt_m128 r = {{a, a, a, a}}; return r; }
static inline molt_m128 molt_mm_set_ss(float a) { molt_m128 r = {{a, 0.0f, 0.0f, 0.0f}}; return r; }
static inline molt_m128 molt_mm_setzero_ps(void) { molt_m128 r = {{0.0f, 0.0f, 0.0f, 0.0f}}; return r; }
static inline float molt_mm_cvtss_f32(molt_m128 a) { return a.f[0]; }

static inline molt_m256 molt_mm256_loadu_ps(const float *p) { molt_m256 r; memcpy(r.f, p, sizeof r.f); return r; }
/* x86 faults on a pointer not 32-byte aligned; this does not check. */
static inline molt_m256 molt_mm256_load_ps(const float *p) { return molt_mm256_loadu_ps(p); }
static inline void molt_mm256_storeu_ps(float *p, molt_m256 a) { memcpy(p, a.f, sizeof a.f); }
static inline void molt_mm256_store_ps(float *p, molt_m256 a) { memcpy(p, a.f, sizeof a.f); }
static inline molt_m256 molt_mm256_broadcast_ss(const float *p) { molt_m256 r; for (int k = 0; k < 8; k++) memcpy(&r.f[k], p, sizeof(float)); return r; }

/* Masked load/store: lanes whose mask sign bit is set; the others are not
 * touched in memory and load 0. */
static inline molt_m256 molt_mm256_maskload_ps(const float *p, molt_m256i mask)
{
    molt_m256 r;
    for (int k = 0; k < 8; k++) {
        r.f[k] = 0.0f;
        if (mask.i[k] < 0)
            memcpy(&r.f[k], &p[k], sizeof(float));
    }
    return r;
}
static inline void molt_mm256_maskstore_ps(float *p, molt_m256i mask, molt_m256 a)
{
    for (int k = 0; k < 8; k++)
        if (mask.i[k] < 0)
            memcpy(&p[k], &a.f[k], sizeof(float));
}

static inline molt_m256 molt_mm256_setr_ps(float e0, float e1, float e2, float e3, float e4, float e5,
                                          float e6, float e7)
{
    molt_m256 r = {{e0, e1, e2, e3, e4, e5, e6, e7}};
    return r;
}
static inline molt_m256 molt_mm256_set_ps(float e7, float e6, float e5, float e4, float e3, float e2,
                                         float e1, float e0)
{
    molt_m256 r = {{e0, e1, e2, e3, e4, e5, e6, e7}};
    return r;
}
static inline molt_m256 molt_mm256_set1_ps(float a) { molt_m256 r = {{a, a, a, a, a, a, a, a}}; return r; }
static inline molt_m256 molt_mm256_setzero_ps(void) { molt_m256 r = {{0.0f}}; return r; }
static inline molt_m256 molt_mm256_set_m128(molt_m128 hi, molt_m128 lo)
{
    molt_m256 r;
    memcpy(r.f, lo.f, sizeof lo.f);
    memcpy(r.f + 4, hi.f, sizeof hi.f);
    return r;
}
static inline float molt_mm256_cvtss_f32(molt_m256 a) { return a.f[0]; }
/* An AVX-SSE transition hint on x86; nothing to do here. */
static inline void molt_mm256_zeroupper(void) {}

static inline molt_m128i molt_mm_loadu_si128(const molt_m128i *p) { molt_m128i r; memcpy(r.i, p, sizeof r.i); return r; }
static inline molt_m128i molt_mm_load_si128(const molt_m128i *p) { return molt_mm_loadu_si128(p); }
static inline void molt_mm_storeu_si128(molt_m128i *p, molt_m128i a) { memcpy(p, a.i, sizeof a.i); }
static inline void molt_mm_store_si128(molt_m128i *p, molt_m128i a) { memcpy(p, a.i, sizeof a.i); }
static inline molt_m256i molt_mm256_loadu_si256(const molt_m256i *p) { molt_m256i r; memcpy(r.i, p, sizeof r.i); return r; }
static inline molt_m256i molt_mm256_load_si256(const molt_m256i *p) { return molt_mm256_loadu_si256(p); }
static inline void molt_mm256_storeu_si256(molt_m256i *p, molt_m256i a) { memcpy(p, a.i, sizeof a.i); }
static inline void molt_mm256_store_si256(molt_m256i *p, molt_m256i a) { memcpy(p, a.i, sizeof a.i); }

static inline molt_m128i molt_mm_setr_epi32(int e0, int e1, int e2, int e3) { molt_m128i r = {{e0, e1, e2, e3}}; return r; }
static inline molt_m128i molt_mm_set_epi32(int e3, int e2, int e1, int e0) { molt_m128i r = {{e0, e1, e2, e3}}; return r; }
static inline molt_m128i molt_mm_set1_epi32(int a) { molt_m128i r = {{a, a, a, a}}; return r; }
static inline molt_m128i molt_mm_setzero_si128(void) { molt_m128i r = {{0}}; return r; }
static inline int molt_mm_cvtsi128_si32(molt_m128i a) { return a.i[0]; }
static inline molt_m256i molt_mm256_setr_epi32(int e0, int e1, int e2, int e3, int e4, int e5, int e6, int e7)
{
    molt_m256i r = {{e0, e1, e2, e3, e4, e5, e6, e7}};
    return r;
}
static inline molt_m256i molt_mm256_set_epi32(int e7, int e6, int e5, int e4, int e3, int e2, int e1, int e0)
{
    molt_m256i r = {{e0, e1, e2, e3, e4, e5, e6, e7}};
    return r;
}
static inline molt_m256i molt_mm256_set1_epi32(int a) { molt_m256i r = {{a, a, a, a, a, a, a, a}}; return r; }
static inline molt_m256i molt_mm256_setzero_si256(void) { molt_m256i r = {{0}}; return r; }

/* ------------------------------------------------------------------------ */
/* Float arithmetic                                                         */
/* ------------------------------------------------------------------------ */

MOLT__FF_BOTH(molt_mm_add_ps, molt_mm256_add_ps, x + y)
MOLT__FF_BOTH(molt_mm_sub_ps, molt_mm256_sub_ps, x - y)
MOLT__FF_BOTH(molt_mm_mul_ps, molt_mm256_mul_ps, x * y)
MOLT__FF_BOTH(molt_mm_div_ps, molt_mm256_div_ps, x / y)
MOLT__F1_BOTH(molt_mm_sqrt_ps, molt_mm256_sqrt_ps, sqrtf(x))
/* x86 rcpps/rsqrtps approximate (relative error <= 1.5 * 2^-12, denormal
 * inputs read as zero); these are the precise 1/x and 1/sqrt(x). */
MOLT__F1_BOTH(molt_mm_rcp_ps, molt_mm256_rcp_ps, 1.0f / x)
MOLT__F1_BOTH(molt_mm_rsqrt_ps, molt_mm256_rsqrt_ps, 1.0f / sqrtf(x))
/* x86 rule: b when either is NaN or both are zero */
MOLT__FF_BOTH(molt_mm_max_ps, molt_mm256_max_ps, molt__max(x, y))
MOLT__FF_BOTH(molt_mm_min_ps, molt_mm256_min_ps, molt__min(x, y))
MOLT__F1_BOTH(molt_mm_floor_ps, molt_mm256_floor_ps, floorf(x))
MOLT__F1_BOTH(molt_mm_ceil_ps, molt_mm256_ceil_ps, ceilf(x))

/* FMA: one rounding */
MOLT__F3_BOTH(molt_mm_fmadd_ps, molt_mm256_fmadd_ps, fmaf(x, y, z))
MOLT__F3_BOTH(molt_mm_fmsub_ps, molt_mm256_fmsub_ps, fmaf(x, y, -z))
MOLT__F3_BOTH(molt_mm_fnmadd_ps, molt_mm256_fnmadd_ps, fmaf(-x, y, z))
MOLT__F3_BOTH(molt_mm_fnmsub_ps, molt_mm256_fnmsub_ps, fmaf(-x, y, -z))

/* lane i from b where the sign bit of mask lane i is set, else from a */
MOLT__F3_BOTH(molt_mm_blendv_ps, molt_mm256_blendv_ps, (molt__bits(z) >> 31) ? y : x)

/* _ss forms: lane 0 computed, lanes 1..3 copied from a */
static inline molt_m128 molt_mm_add_ss(molt_m128 a, molt_m128 b) { a.f[0] = a.f[0] + b.f[0]; return a; }
static inline molt_m128 molt_mm_sub_ss(molt_m128 a, molt_m128 b) { a.f[0] = a.f[0] - b.f[0]; return a; }
static inline molt_m128 molt_mm_mul_ss(molt_m128 a, molt_m128 b) { a.f[0] = a.f[0] * b.f[0]; return a; }
static inline molt_m128 molt_mm_div_ss(molt_m128 a, molt_m128 b) { a.f[0] = a.f[0] / b.f[0]; return a; }
static inline molt_m128 molt_mm_sqrt_ss(molt_m128 a) { a.f[0] = sqrtf(a.f[0]); return a; }
static inline molt_m128 molt_mm_max_ss(molt_m128 a, molt_m128 b) { a.f[0] = molt__max(a.f[0], b.f[0]); return a; }
static inline molt_m128 molt_mm_min_ss(molt_m128 a, molt_m128 b) { a.f[0] = molt__min(a.f[0], b.f[0]); return a; }

static inline molt_m128 molt_mm_round_ps(molt_m128 a, int imm)
{
    for (int k = 0; k < 4; k++)
        a.f[k] = molt__round(a.f[k], imm);
    return a;
}
static inline molt_m256 molt_mm256_round_ps(molt_m256 a, int imm)
{
    for (int k = 0; k < 8; k++)
        a.f[k] = molt__round(a.f[k], imm);
    return a;
}

/* (a0+a1, a2+a3, b0+b1, b2+b3), and per 128-bit half for 256 bits */
static inline molt_m128 molt_mm_hadd_ps(molt_m128 a, molt_m128 b)
{
    molt_m128 r = {{a.f[0] + a.f[1], a.f[2] + a.f[3], b.f[0] + b.f[1], b.f[2] + b.f[3]}};
    return r;
}
static inline molt_m256 molt_mm256_hadd_ps(molt_m256 a, molt_m256 b)
{
    molt_m256 r = {{a.f[0] + a.f[1], a.f[2] + a.f[3], b.f[0] + b.f[1], b.f[2] + b.f[3],
                    a.f[4] + a.f[5], a.f[6] + a.f[7], b.f[4] + b.f[5], b.f[6] + b.f[7]}};
    return r;
}
/* even lanes a - b, odd lanes a + b */
static inline molt_m128 molt_mm_addsub_ps(molt_m128 a, molt_m128 b)
{
    for (int k = 0; k < 4; k++)
        a.f[k] = (k & 1) ? a.f[k] + b.f[k] : a.f[k] - b.f[k];
    return a;
}
static inline molt_m256 molt_mm256_addsub_ps(molt_m256 a, molt_m256 b)
{
    for (int k = 0; k < 8; k++)
        a.f[k] = (k & 1) ? a.f[k] + b.f[k] : a.f[k] - b.f[k];
    return a;
}

/* ------------------------------------------------------------------------ */
/* Bitwise and compare                                                      */
/* ------------------------------------------------------------------------ */

MOLT__BB_BOTH(molt_mm_and_ps, molt_mm256_and_ps, x & y)
MOLT__BB_BOTH(molt_mm_or_ps, molt_mm256_or_ps, x | y)
MOLT__BB_BOTH(molt_mm_xor_ps, molt_mm256_xor_ps, x ^ y)
/* (~a) & b */
MOLT__BB_BOTH(molt_mm_andnot_ps, molt_mm256_andnot_ps, ~x & y)

MOLT__FF(molt_mm_cmpeq_ps, molt_m128, 4, molt__mask(x == y))
MOLT__FF(molt_mm_cmplt_ps, molt_m128, 4, molt__mask(x < y))
MOLT__FF(molt_mm_cmple_ps, molt_m128, 4, molt__mask(x <= y))
MOLT__FF(molt_mm_cmpgt_ps, molt_m128, 4, molt__mask(x > y))
MOLT__FF(molt_mm_cmpge_ps, molt_m128, 4, molt__mask(x >= y))
MOLT__FF(molt_mm_cmpneq_ps, molt_m128, 4, molt__mask(!(x == y)))
MOLT__FF(molt_mm_cmpord_ps, molt_m128, 4, molt__mask(x == x && y == y))
MOLT__FF(molt_mm_cmpunord_ps, molt_m128, 4, molt__mask(x != x || y != y))

static inline molt_m128 molt_mm_cmp_ps(molt_m128 a, molt_m128 b, int pred)
{
    for (int k = 0; k < 4; k++)
        a.f[k] = molt__mask(molt__cmp(a.f[k], b.f[k], pred));
    return a;
}
static inline molt_m256 molt_mm256_cmp_ps(molt_m256 a, molt_m256 b, int pred)
{
    for (int k = 0; k < 8; k++)
        a.f[k] = molt__mask(molt__cmp(a.f[k], b.f[k], pred));
    return a;
}

static inline int molt_mm_movemask_ps(molt_m128 a)
{
    int m = 0;
    for (int k = 0; k < 4; k++)
        m |= (int)(molt__bits(a.f[k]) >> 31) << k;
    return m;
}
static inline int molt_mm256_movemask_ps(molt_m256 a)
{
    int m = 0;
    for (int k = 0; k < 8; k++)
        m |= (int)(molt__bits(a.f[k]) >> 31) << k;
    return m;
}

/* ------------------------------------------------------------------------ */
/* Shuffles, blends, 128-bit halves                                         */
/* ------------------------------------------------------------------------ */

/* (a[imm[1:0]], a[imm[3:2]], b[imm[5:4]], b[imm[7:6]]) */
static inline molt_m128 molt_mm_shuffle_ps(molt_m128 a, molt_m128 b, int imm)
{
    molt_m128 r = {{a.f[imm & 3], a.f[(imm >> 2) & 3], b.f[(imm >> 4) & 3], b.f[(imm >> 6) & 3]}};
    return r;
}
static inline molt_m256 molt_mm256_shuffle_ps(molt_m256 a, molt_m256 b, int imm)
{
    molt_m256 r;
    for (int h = 0; h < 8; h += 4) {
        r.f[h + 0] = a.f[h + (imm & 3)];
        r.f[h + 1] = a.f[h + ((imm >> 2) & 3)];
        r.f[h + 2] = b.f[h + ((imm >> 4) & 3)];
        r.f[h + 3] = b.f[h + ((imm >> 6) & 3)];
    }
    return r;
}
static inline molt_m128 molt_mm_permute_ps(molt_m128 a, int imm) { return molt_mm_shuffle_ps(a, a, imm); }
static inline molt_m256 molt_mm256_permute_ps(molt_m256 a, int imm) { return molt_mm256_shuffle_ps(a, a, imm); }

/* (b2, b3, a2, a3) and (a0, a1, b0, b1) */
static inline molt_m128 molt_mm_movehl_ps(molt_m128 a, molt_m128 b) { molt_m128 r = {{b.f[2], b.f[3], a.f[2], a.f[3]}}; return r; }
static inline molt_m128 molt_mm_movelh_ps(molt_m128 a, molt_m128 b) { molt_m128 r = {{a.f[0], a.f[1], b.f[0], b.f[1]}}; return r; }
/* (a1, a1, a3, a3) and (a0, a0, a2, a2) */
static inline molt_m128 molt_mm_movehdup_ps(molt_m128 a) { molt_m128 r = {{a.f[1], a.f[1], a.f[3], a.f[3]}}; return r; }
static inline molt_m128 molt_mm_moveldup_ps(molt_m128 a) { molt_m128 r = {{a.f[0], a.f[0], a.f[2], a.f[2]}}; return r; }
/* (a0, b0, a1, b1) and (a2, b2, a3, b3), per 128-bit half for 256 bits */
static inline molt_m128 molt_mm_unpacklo_ps(molt_m128 a, molt_m128 b) { molt_m128 r = {{a.f[0], b.f[0], a.f[1], b.f[1]}}; return r; }
static inline molt_m128 molt_mm_unpackhi_ps(molt_m128 a, molt_m128 b) { molt_m128 r = {{a.f[2], b.f[2], a.f[3], b.f[3]}}; return r; }
static inline molt_m256 molt_mm256_unpacklo_ps(molt_m256 a, molt_m256 b)
{
    molt_m256 r = {{a.f[0], b.f[0], a.f[1], b.f[1], a.f[4], b.f[4], a.f[5], b.f[5]}};
    return r;
}
static inline molt_m256 molt_mm256_unpackhi_ps(molt_m256 a, molt_m256 b)
{
    molt_m256 r = {{a.f[2], b.f[2], a.f[3], b.f[3], a.f[6], b.f[6], a.f[7], b.f[7]}};
    return r;
}

/* lane i from b where bit i of imm is set */
static inline molt_m128 molt_mm_blend_ps(molt_m128 a, molt_m128 b, int imm)
{
    for (int k = 0; k < 4; k++)
        if ((imm >> k) & 1)
            a.f[k] = b.f[k];
    return a;
}
static inline molt_m256 molt_mm256_blend_ps(molt_m256 a, molt_m256 b, int imm)
{
    for (int k = 0; k < 8; k++)
        if ((imm >> k) & 1)
            a.f[k] = b.f[k];
    return a;
}

/* Each 128-bit half of the result: a.lo, a.hi, b.lo, b.hi (imm bits 0..1,
 * 4..5) or zero (bits 3, 7). */
static inline molt_m256 molt_mm256_permute2f128_ps(molt_m256 a, molt_m256 b, int imm)
{
    molt_m256 r;
    for (int h = 0; h < 2; h++) {
        int ctl = (imm >> (4 * h)) & 15;
        const float *src = (ctl & 2) ? b.f : a.f;
        for (int k = 0; k < 4; k++)
            r.f[4 * h + k] = (ctl & 8) ? 0.0f : src[4 * (ctl & 1) + k];
    }
    return r;
}
/* Cross-lane permute: lane i = a[idx[i] & 7]. */
static inline molt_m256 molt_mm256_permutevar8x32_ps(molt_m256 a, molt_m256i idx)
{
    molt_m256 r;
    for (int k = 0; k < 8; k++)
        r.f[k] = a.f[idx.i[k] & 7];
    return r;
}

static inline molt_m128 molt_mm256_castps256_ps128(molt_m256 a) { molt_m128 r; memcpy(r.f, a.f, sizeof r.f); return r; }
/* x86 leaves the upper half undefined; here it is zero. */
static inline molt_m256 molt_mm256_castps128_ps256(molt_m128 a) { molt_m256 r = {{0.0f}}; memcpy(r.f, a.f, sizeof a.f); return r; }
static inline molt_m128 molt_mm256_extractf128_ps(molt_m256 a, int imm) { molt_m128 r; memcpy(r.f, a.f + 4 * (imm & 1), sizeof r.f); return r; }
static inline molt_m256 molt_mm256_insertf128_ps(molt_m256 a, molt_m128 b, int imm) { memcpy(a.f + 4 * (imm & 1), b.f, sizeof b.f); return a; }

/* ------------------------------------------------------------------------ */
/* Casts and conversions                                                    */
/* ------------------------------------------------------------------------ */

static inline molt_m128i molt_mm_castps_si128(molt_m128 a) { molt_m128i r; memcpy(r.i, a.f, sizeof r.i); return r; }
static inline molt_m128 molt_mm_castsi128_ps(molt_m128i a) { molt_m128 r; memcpy(r.f, a.i, sizeof r.f); return r; }
static inline molt_m256i molt_mm256_castps_si256(molt_m256 a) { molt_m256i r; memcpy(r.i, a.f, sizeof r.i); return r; }
static inline molt_m256 molt_mm256_castsi256_ps(molt_m256i a) { molt_m256 r; memcpy(r.f, a.i, sizeof r.f); return r; }
static inline molt_m128i molt_mm256_castsi256_si128(molt_m256i a) { molt_m128i r; memcpy(r.i, a.i, sizeof r.i); return r; }
static inline molt_m128i molt_mm256_extracti128_si256(molt_m256i a, int imm) { molt_m128i r; memcpy(r.i, a.i + 4 * (imm & 1), sizeof r.i); return r; }

/* float -> int32: current rounding mode (nearest even by default) or
 * truncation; NaN and out-of-range give INT32_MIN (0x80000000) as on x86. */
static inline molt_m128i molt_mm_cvtps_epi32(molt_m128 a) { molt_m128i r; for (int k = 0; k < 4; k++) r.i[k] = molt__cvt_round(a.f[k]); return r; }
static inline molt_m128i molt_mm_cvttps_epi32(molt_m128 a) { molt_m128i r; for (int k = 0; k < 4; k++) r.i[k] = molt__cvt_trunc(a.f[k]); return r; }
static inline molt_m256i molt_mm256_cvtps_epi32(molt_m256 a) { molt_m256i r; for (int k = 0; k < 8; k++) r.i[k] = molt__cvt_round(a.f[k]); return r; }
static inline molt_m256i molt_mm256_cvttps_epi32(molt_m256 a) { molt_m256i r; for (int k = 0; k < 8; k++) r.i[k] = molt__cvt_trunc(a.f[k]); return r; }
static inline molt_m128 molt_mm_cvtepi32_ps(molt_m128i a) { molt_m128 r; for (int k = 0; k < 4; k++) r.f[k] = (float)a.i[k]; return r; }
static inline molt_m256 molt_mm256_cvtepi32_ps(molt_m256i a) { molt_m256 r; for (int k = 0; k < 8; k++) r.f[k] = (float)a.i[k]; return r; }

/* ------------------------------------------------------------------------ */
/* 32-bit integers                                                          */
/* ------------------------------------------------------------------------ */

MOLT__II_BOTH(molt_mm_add_epi32, molt_mm256_add_epi32, (uint32_t)x + (uint32_t)y)
MOLT__II_BOTH(molt_mm_sub_epi32, molt_mm256_sub_epi32, (uint32_t)x - (uint32_t)y)
/* low 32 bits of the product */
MOLT__II_BOTH(molt_mm_mullo_epi32, molt_mm256_mullo_epi32, (uint32_t)x * (uint32_t)y)
MOLT__II_BOTH(molt_mm_max_epi32, molt_mm256_max_epi32, x > y ? x : y)
MOLT__II_BOTH(molt_mm_min_epi32, molt_mm256_min_epi32, x < y ? x : y)
MOLT__II_BOTH(molt_mm_cmpeq_epi32, molt_mm256_cmpeq_epi32, x == y ? 0xffffffffu : 0u)
MOLT__II_BOTH(molt_mm_cmpgt_epi32, molt_mm256_cmpgt_epi32, x > y ? 0xffffffffu : 0u)
MOLT__II_BOTH(molt_mm_and_si128, molt_mm256_and_si256, (uint32_t)x & (uint32_t)y)
MOLT__II_BOTH(molt_mm_or_si128, molt_mm256_or_si256, (uint32_t)x | (uint32_t)y)
MOLT__II_BOTH(molt_mm_xor_si128, molt_mm256_xor_si256, (uint32_t)x ^ (uint32_t)y)
/* (~a) & b */
MOLT__II_BOTH(molt_mm_andnot_si128, molt_mm256_andnot_si256, ~(uint32_t)x & (uint32_t)y)

/* |a|, with |INT32_MIN| = INT32_MIN as on x86 */
static inline int32_t molt__abs32(int32_t x) { return (int32_t)(x < 0 ? 0u - (uint32_t)x : (uint32_t)x); }
static inline molt_m128i molt_mm_abs_epi32(molt_m128i a) { for (int k = 0; k < 4; k++) a.i[k] = molt__abs32(a.i[k]); return a; }
static inline molt_m256i molt_mm256_abs_epi32(molt_m256i a) { for (int k = 0; k < 8; k++) a.i[k] = molt__abs32(a.i[k]); return a; }

/* Shifts by an immediate count 0..255: above 31, logical shifts give 0 and
 * arithmetic shifts fill with the sign, as on x86. */
static inline int32_t molt__sll(int32_t x, int imm) { unsigned n = (unsigned)imm & 0xff; return n > 31 ? 0 : (int32_t)((uint32_t)x << n); }
static inline int32_t molt__srl(int32_t x, int imm) { unsigned n = (unsigned)imm & 0xff; return n > 31 ? 0 : (int32_t)((uint32_t)x >> n); }
static inline int32_t molt__sra(int32_t x, int imm)
{
    unsigned n = (unsigned)imm & 0xff;
    if (n > 31)
        n = 31;
    /* portable arithmetic shift: right shift of a negative value is
     * implementation-defined in C, so shift the complement instead */
    return x < 0 ? (int32_t)~(~(uint32_t)x >> n) : (int32_t)((uint32_t)x >> n);
}
static inline molt_m128i molt_mm_slli_epi32(molt_m128i a, int imm) { for (int k = 0; k < 4; k++) a.i[k] = molt__sll(a.i[k], imm); return a; }
static inline molt_m128i molt_mm_srli_epi32(molt_m128i a, int imm) { for (int k = 0; k < 4; k++) a.i[k] = molt__srl(a.i[k], imm); return a; }
static inline molt_m128i molt_mm_srai_epi32(molt_m128i a, int imm) { for (int k = 0; k < 4; k++) a.i[k] = molt__sra(a.i[k], imm); return a; }
static inline molt_m256i molt_mm256_slli_epi32(molt_m256i a, int imm) { for (int k = 0; k < 8; k++) a.i[k] = molt__sll(a.i[k], imm); return a; }
static inline molt_m256i molt_mm256_srli_epi32(molt_m256i a, int imm) { for (int k = 0; k < 8; k++) a.i[k] = molt__srl(a.i[k], imm); return a; }
static inline molt_m256i molt_mm256_srai_epi32(molt_m256i a, int imm) { for (int k = 0; k < 8; k++) a.i[k] = molt__sra(a.i[k], imm); return a; }

/* (a[imm[1:0]], a[imm[3:2]], a[imm[5:4]], a[imm[7:6]]) */
static inline molt_m128i molt_mm_shuffle_epi32(molt_m128i a, int imm)
{
    molt_m128i r = {{a.i[imm & 3], a.i[(imm >> 2) & 3], a.i[(imm >> 4) & 3], a.i[(imm >> 6) & 3]}};
    return r;
}

#endif /* MOLT_SIMD_SCALAR_H */
