/*
 * molt_simd_scalar.h: x86 SSE..SSE4.2, AVX, AVX2, FMA, F16C, POPCNT, LZCNT,
 * BMI1, BMI2, AES-NI and PCLMULQDQ intrinsics as portable C11.
 *
 * The fallback of molt's x86-to-neon recipe, for the `#else` branch (neither
 * x86 nor aarch64), and a readable statement of what every wrapper in
 * molt_simd_neon.h means. Same names, types and semantics as that header:
 *
 *   types       __m128 __m256 __m128i __m256i   ->  molt_m128 molt_m256 molt_m128i molt_m256i
 *               __m128d __m256d __m64            ->  molt_m128d molt_m256d molt_m64
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
 * Needs the C math library (-lm) for sqrtf, sqrt, fmaf and fma. Build with -ffp-contract=off (or -std=c11, which implies it with
 * GCC) so that separate mul and add calls are not fused.
 */
#ifndef MOLT_SIMD_SCALAR_H
#define MOLT_SIMD_SCALAR_H

#include <fenv.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
/* a sequentially consistent fence, for the _mm_*fence wrappers */
#if defined(__cplusplus)
#include <atomic>
#define MOLT__SEQ_CST_FENCE() std::atomic_thread_fence(std::memory_order_seq_cst)
#elif !defined(__STDC_NO_ATOMICS__)
#include <stdatomic.h>
#define MOLT__SEQ_CST_FENCE() atomic_thread_fence(memory_order_seq_cst)
#else
#define MOLT__SEQ_CST_FENCE() ((void)0)
#endif

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
typedef struct {
    double d[2];
} molt_m128d;
typedef struct {
    double d[4];
} molt_m256d;
typedef struct {
    int64_t q;
} molt_m64; /* only as the memory operand of loadl_pi and friends */

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

/* _mm_prefetch hints, MXCSR rounding modes and exception flags (x86's values) */
#define MOLT_MM_HINT_NTA 0
#define MOLT_MM_HINT_T2 1
#define MOLT_MM_HINT_T1 2
#define MOLT_MM_HINT_T0 3
#define MOLT_MM_HINT_ET1 6
#define MOLT_MM_HINT_ET0 7
#define MOLT_MM_ROUND_NEAREST 0x0000
#define MOLT_MM_ROUND_DOWN 0x2000
#define MOLT_MM_ROUND_UP 0x4000
#define MOLT_MM_ROUND_TOWARD_ZERO 0x6000
#define MOLT_MM_ROUND_MASK 0x6000
#define MOLT_MM_EXCEPT_INVALID 0x0001
#define MOLT_MM_EXCEPT_DENORM 0x0002
#define MOLT_MM_EXCEPT_DIV_ZERO 0x0004
#define MOLT_MM_EXCEPT_OVERFLOW 0x0008
#define MOLT_MM_EXCEPT_UNDERFLOW 0x0010
#define MOLT_MM_EXCEPT_INEXACT 0x0020
#define MOLT_MM_EXCEPT_MASK 0x003f

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

/* trunc, floor and ceil by bit manipulation: exact in every rounding mode
 * (C library versions may compute (x + 2^23) - 2^23, which gives -0.0
 * for small positive x when rounding down, where x86 gives +0.0) */
static inline float molt__truncf(float x)
{
    uint32_t u = molt__bits(x);
    int e = (int)((u >> 23) & 0xffu) - 127;
    if (e >= 23) /* integral, infinity or NaN */
        return x;
    if (e < 0)
        return molt__float(u & 0x80000000u);
    return molt__float(u & ~(0x7fffffu >> e));
}
static inline float molt__floorf(float x) { float t = molt__truncf(x); return x < t ? t - 1.0f : t; }
static inline float molt__ceilf(float x) { float t = molt__truncf(x); return x > t ? t + 1.0f : t; }
static inline double molt__trunc(double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    int e = (int)((u >> 52) & 0x7ffu) - 1023;
    if (e >= 52)
        return x;
    u = e < 0 ? u & 0x8000000000000000ull : u & ~(0x000fffffffffffffull >> e);
    memcpy(&x, &u, 8);
    return x;
}
static inline double molt__floor(double x) { double t = molt__trunc(x); return x < t ? t - 1.0 : t; }
static inline double molt__ceil(double x) { double t = molt__trunc(x); return x > t ? t + 1.0 : t; }

static inline float molt__mask(int cond) { return molt__float(cond ? 0xffffffffu : 0u); }

/* x86 maxps/minps: (a > b ? a : b), (a < b ? a : b); b on NaN or +-0. */
static inline float molt__max(float a, float b) { return a > b ? a : b; }
static inline float molt__min(float a, float b) { return a < b ? a : b; }


/* Round to nearest, ties to even, independent of the rounding mode. */
static inline float molt__round_even(float x)
{
    if (!(fabsf(x) < 8388608.0f)) /* NaN, infinity, or already integral */
        return x;
    float t = molt__truncf(x);
    float d = x - t; /* exact */
    if (fabsf(d) > 0.5f || (fabsf(d) == 0.5f && ((int32_t)t & 1) != 0))
        t += (x < 0.0f) ? -1.0f : 1.0f;
    return t;
}

/* Rounding to an integer in the current rounding mode. rintf itself is
 * not used: some C libraries compute it as (x + 2^23) - 2^23, which gives
 * -0.0 for small positive x when rounding down, where x86 gives +0.0. */
static inline float molt__rintf(float x)
{
#if defined(FE_DOWNWARD) && defined(FE_UPWARD) && defined(FE_TOWARDZERO)
    switch (fegetround()) {
    case FE_DOWNWARD: return molt__floorf(x);
    case FE_UPWARD: return molt__ceilf(x);
    case FE_TOWARDZERO: return molt__truncf(x);
    default: return molt__round_even(x);
    }
#else
    return rintf(x);
#endif
}

/* float -> int32, x86 rule: NaN and out-of-range give INT32_MIN. */
static inline int32_t molt__cvt_round(float x)
{
    if (!(x >= -2147483648.0f && x < 2147483648.0f))
        return INT32_MIN;
    return (int32_t)molt__rintf(x); /* current rounding mode, like MXCSR */
}
static inline int32_t molt__cvt_trunc(float x)
{
    if (!(x >= -2147483648.0f && x < 2147483648.0f))
        return INT32_MIN;
    return (int32_t)x;
}

static inline float molt__round(float x, int imm)
{
    if (imm & 4)
        return molt__rintf(x);
    switch (imm & 3) {
    case 0: return molt__round_even(x);
    case 1: return molt__floorf(x);
    case 2: return molt__ceilf(x);
    default: return molt__truncf(x);
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
MOLT__F1_BOTH(molt_mm_floor_ps, molt_mm256_floor_ps, molt__floorf(x))
MOLT__F1_BOTH(molt_mm_ceil_ps, molt_mm256_ceil_ps, molt__ceilf(x))

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

/* ------------------------------------------------------------------------ */
/* SSE2..SSE4.2 integers: 8-, 16- and 64-bit lanes, byte shuffles, packs    */
/* ------------------------------------------------------------------------ */

/* Lane-wise on a 128-bit integer vector seen as lanes of type T (read with
 * memcpy, so signed types are two's complement); the int-valued result is
 * stored through the unsigned type U of the same width (modular, so no
 * implementation-defined conversion). x = a's lane k, y = b's lane k. */
#define MOLT__L2(name, T, U, expr)                          \
    static inline molt_m128i name(molt_m128i a, molt_m128i b) \
    {                                                       \
        T xs[16 / sizeof(T)], ys[16 / sizeof(T)];           \
        U rs[16 / sizeof(T)];                               \
        memcpy(xs, a.i, 16);                                \
        memcpy(ys, b.i, 16);                                \
        for (int k = 0; k < (int)(16 / sizeof(T)); k++) {   \
            T x = xs[k], y = ys[k];                         \
            rs[k] = (U)(expr);                              \
        }                                                   \
        memcpy(a.i, rs, 16);                                \
        return a;                                           \
    }
#define MOLT__L1(name, T, U, expr)                          \
    static inline molt_m128i name(molt_m128i a)             \
    {                                                       \
        T xs[16 / sizeof(T)];                               \
        U rs[16 / sizeof(T)];                               \
        memcpy(xs, a.i, 16);                                \
        for (int k = 0; k < (int)(16 / sizeof(T)); k++) {   \
            T x = xs[k];                                    \
            rs[k] = (U)(expr);                              \
        }                                                   \
        memcpy(a.i, rs, 16);                                \
        return a;                                           \
    }

/* a uint32 as the int32 with the same bits, portably */
static inline int64_t molt__s32(uint32_t u) { return u < 0x80000000u ? (int64_t)u : (int64_t)u - 4294967296; }
static inline int64_t molt__clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }
/* arithmetic right shift, portably (>> of a negative value is
 * implementation-defined in C) */
static inline int64_t molt__asr(int64_t v, unsigned n) { return v < 0 ? ~(int64_t)((uint64_t)~v >> n) : (int64_t)((uint64_t)v >> n); }

static inline molt_m128i molt_mm_setr_epi8(char e0, char e1, char e2, char e3, char e4, char e5, char e6, char e7,
                                           char e8, char e9, char e10, char e11, char e12, char e13, char e14,
                                           char e15)
{
    const char t[16] = {e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15};
    molt_m128i r;
    memcpy(r.i, t, 16);
    return r;
}
static inline molt_m128i molt_mm_set_epi8(char e15, char e14, char e13, char e12, char e11, char e10, char e9,
                                          char e8, char e7, char e6, char e5, char e4, char e3, char e2, char e1,
                                          char e0)
{
    return molt_mm_setr_epi8(e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15);
}
static inline molt_m128i molt_mm_setr_epi16(short e0, short e1, short e2, short e3, short e4, short e5, short e6,
                                            short e7)
{
    const int16_t t[8] = {e0, e1, e2, e3, e4, e5, e6, e7};
    molt_m128i r;
    memcpy(r.i, t, 16);
    return r;
}
static inline molt_m128i molt_mm_set_epi16(short e7, short e6, short e5, short e4, short e3, short e2, short e1,
                                           short e0)
{
    return molt_mm_setr_epi16(e0, e1, e2, e3, e4, e5, e6, e7);
}
static inline molt_m128i molt_mm_set1_epi8(char a) { return molt_mm_setr_epi8(a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a); }
static inline molt_m128i molt_mm_set1_epi16(short a) { return molt_mm_setr_epi16(a, a, a, a, a, a, a, a); }
static inline molt_m128i molt_mm_set_epi64x(long long e1, long long e0)
{
    const int64_t t[2] = {(int64_t)e0, (int64_t)e1};
    molt_m128i r;
    memcpy(r.i, t, 16);
    return r;
}
static inline molt_m128i molt_mm_set1_epi64x(long long a) { return molt_mm_set_epi64x(a, a); }

static inline molt_m128i molt_mm_cvtsi32_si128(int a) { molt_m128i r = {{a, 0, 0, 0}}; return r; }
static inline molt_m128i molt_mm_cvtsi64_si128(long long a) { return molt_mm_set_epi64x(0, a); }
static inline molt_m128i molt_mm_cvtsi64x_si128(long long a) { return molt_mm_set_epi64x(0, a); }
static inline long long molt_mm_cvtsi128_si64(molt_m128i a) { int64_t v; memcpy(&v, a.i, 8); return (long long)v; }
static inline long long molt_mm_cvtsi128_si64x(molt_m128i a) { return molt_mm_cvtsi128_si64(a); }

static inline molt_m128i molt_mm_loadl_epi64(const molt_m128i *p) { molt_m128i r = {{0}}; memcpy(r.i, p, 8); return r; }
static inline void molt_mm_storel_epi64(molt_m128i *p, molt_m128i a) { memcpy(p, a.i, 8); }
static inline molt_m128i molt_mm_loadu_si64(const void *p) { molt_m128i r = {{0}}; memcpy(r.i, p, 8); return r; }
static inline void molt_mm_storeu_si64(void *p, molt_m128i a) { memcpy(p, a.i, 8); }
static inline molt_m128 molt_mm_loadl_pi(molt_m128 a, const molt_m64 *p) { memcpy(a.f, p, 8); return a; }
static inline molt_m128 molt_mm_loadh_pi(molt_m128 a, const molt_m64 *p) { memcpy(a.f + 2, p, 8); return a; }
static inline void molt_mm_storel_pi(molt_m64 *p, molt_m128 a) { memcpy(p, a.f, 8); }
static inline void molt_mm_storeh_pi(molt_m64 *p, molt_m128 a) { memcpy(p, a.f + 2, 8); }

MOLT__L2(molt_mm_add_epi8, uint8_t, uint8_t, x + y)
MOLT__L2(molt_mm_add_epi16, uint16_t, uint16_t, x + y)
MOLT__L2(molt_mm_add_epi64, uint64_t, uint64_t, x + y)
MOLT__L2(molt_mm_sub_epi8, uint8_t, uint8_t, x - y)
MOLT__L2(molt_mm_sub_epi16, uint16_t, uint16_t, x - y)
MOLT__L2(molt_mm_sub_epi64, uint64_t, uint64_t, x - y)
MOLT__L2(molt_mm_adds_epi8, int8_t, uint8_t, molt__clamp(x + y, -128, 127))
MOLT__L2(molt_mm_adds_epi16, int16_t, uint16_t, molt__clamp(x + y, -32768, 32767))
MOLT__L2(molt_mm_adds_epu8, uint8_t, uint8_t, molt__clamp(x + y, 0, 255))
MOLT__L2(molt_mm_adds_epu16, uint16_t, uint16_t, molt__clamp(x + y, 0, 65535))
MOLT__L2(molt_mm_subs_epi8, int8_t, uint8_t, molt__clamp(x - y, -128, 127))
MOLT__L2(molt_mm_subs_epi16, int16_t, uint16_t, molt__clamp(x - y, -32768, 32767))
MOLT__L2(molt_mm_subs_epu8, uint8_t, uint8_t, molt__clamp(x - y, 0, 255))
MOLT__L2(molt_mm_subs_epu16, uint16_t, uint16_t, molt__clamp(x - y, 0, 65535))
MOLT__L2(molt_mm_mullo_epi16, uint16_t, uint16_t, (uint32_t)x * y)
MOLT__L2(molt_mm_avg_epu8, uint8_t, uint8_t, (x + y + 1) >> 1)
MOLT__L2(molt_mm_avg_epu16, uint16_t, uint16_t, ((uint32_t)x + y + 1) >> 1)
MOLT__L2(molt_mm_min_epi8, int8_t, uint8_t, x < y ? x : y)
MOLT__L2(molt_mm_max_epi8, int8_t, uint8_t, x > y ? x : y)
MOLT__L2(molt_mm_min_epu8, uint8_t, uint8_t, x < y ? x : y)
MOLT__L2(molt_mm_max_epu8, uint8_t, uint8_t, x > y ? x : y)
MOLT__L2(molt_mm_min_epi16, int16_t, uint16_t, x < y ? x : y)
MOLT__L2(molt_mm_max_epi16, int16_t, uint16_t, x > y ? x : y)
MOLT__L2(molt_mm_min_epu16, uint16_t, uint16_t, x < y ? x : y)
MOLT__L2(molt_mm_max_epu16, uint16_t, uint16_t, x > y ? x : y)
MOLT__L2(molt_mm_min_epu32, uint32_t, uint32_t, x < y ? x : y)
MOLT__L2(molt_mm_max_epu32, uint32_t, uint32_t, x > y ? x : y)
/* |a|, with |-128| = 0x80 and |-32768| = 0x8000 as on x86 */
MOLT__L1(molt_mm_abs_epi8, int8_t, uint8_t, x < 0 ? -(int32_t)x : x)
MOLT__L1(molt_mm_abs_epi16, int16_t, uint16_t, x < 0 ? -(int32_t)x : x)
MOLT__L2(molt_mm_cmpeq_epi8, uint8_t, uint8_t, x == y ? 0xff : 0)
MOLT__L2(molt_mm_cmpeq_epi16, uint16_t, uint16_t, x == y ? 0xffff : 0)
MOLT__L2(molt_mm_cmpeq_epi64, uint64_t, uint64_t, x == y ? ~(uint64_t)0 : 0)
MOLT__L2(molt_mm_cmpgt_epi8, int8_t, uint8_t, x > y ? 0xff : 0)
MOLT__L2(molt_mm_cmpgt_epi16, int16_t, uint16_t, x > y ? 0xffff : 0)
MOLT__L2(molt_mm_cmpgt_epi64, int64_t, uint64_t, x > y ? ~(uint64_t)0 : 0)
MOLT__L2(molt_mm_cmplt_epi8, int8_t, uint8_t, x < y ? 0xff : 0)
MOLT__L2(molt_mm_cmplt_epi16, int16_t, uint16_t, x < y ? 0xffff : 0)
MOLT__L2(molt_mm_cmplt_epi32, int32_t, uint32_t, x < y ? 0xffffffffu : 0)
/* b < 0: -a; b == 0: 0; b > 0: a (wrapping negation) */
MOLT__L2(molt_mm_sign_epi8, int8_t, uint8_t, y < 0 ? 0u - (uint32_t)x : y == 0 ? 0u : (uint32_t)x)
MOLT__L2(molt_mm_sign_epi16, int16_t, uint16_t, y < 0 ? 0u - (uint32_t)x : y == 0 ? 0u : (uint32_t)x)
MOLT__L2(molt_mm_sign_epi32, int32_t, uint32_t, y < 0 ? 0u - (uint32_t)x : y == 0 ? 0u : (uint32_t)x)
/* high 16 bits of the 32-bit products */
MOLT__L2(molt_mm_mulhi_epi16, int16_t, uint16_t, molt__asr((int32_t)x * y, 16))
MOLT__L2(molt_mm_mulhi_epu16, uint16_t, uint16_t, ((uint32_t)x * y) >> 16)
/* (a*b + 0x4000) >> 15, low 16 bits */
MOLT__L2(molt_mm_mulhrs_epi16, int16_t, uint16_t, molt__asr((int32_t)x * y + 0x4000, 15))
/* 32 x 32 -> 64 of the even 32-bit lanes */
MOLT__L2(molt_mm_mul_epu32, uint64_t, uint64_t, (x & 0xffffffffu) * (y & 0xffffffffu))
MOLT__L2(molt_mm_mul_epi32, uint64_t, uint64_t, (uint64_t)(molt__s32((uint32_t)x) * molt__s32((uint32_t)y)))

/* Lanes of a (as type T) into an array of N int64_t, and back. */
#define MOLT__GET(T, N, v, out)                          \
    do {                                                 \
        T t_[N];                                         \
        memcpy(t_, (v).i, 16);                           \
        for (int k_ = 0; k_ < N; k_++)                   \
            (out)[k_] = t_[k_];                          \
    } while (0)
#define MOLT__PUT(U, N, in, v)                           \
    do {                                                 \
        U t_[N];                                         \
        for (int k_ = 0; k_ < N; k_++)                   \
            t_[k_] = (U)(in)[k_];                        \
        memcpy((v).i, t_, 16);                           \
    } while (0)

/* int16 products, adjacent pairs summed, wrapping to 32 bits */
static inline molt_m128i molt_mm_madd_epi16(molt_m128i a, molt_m128i b)
{
    int64_t x[8], y[8], r[4];
    MOLT__GET(int16_t, 8, a, x);
    MOLT__GET(int16_t, 8, b, y);
    for (int k = 0; k < 4; k++)
        r[k] = x[2 * k] * y[2 * k] + x[2 * k + 1] * y[2 * k + 1];
    MOLT__PUT(uint32_t, 4, r, a);
    return a;
}
static inline molt_m128i molt_mm_maddubs_epi16(molt_m128i a, molt_m128i b)
{
    int64_t x[16], y[16], r[8];
    MOLT__GET(uint8_t, 16, a, x);
    MOLT__GET(int8_t, 16, b, y);
    for (int k = 0; k < 8; k++)
        r[k] = molt__clamp(x[2 * k] * y[2 * k] + x[2 * k + 1] * y[2 * k + 1], -32768, 32767);
    MOLT__PUT(uint16_t, 8, r, a);
    return a;
}
static inline molt_m128i molt_mm_sad_epu8(molt_m128i a, molt_m128i b)
{
    int64_t x[16], y[16], r[2] = {0, 0};
    MOLT__GET(uint8_t, 16, a, x);
    MOLT__GET(uint8_t, 16, b, y);
    for (int k = 0; k < 16; k++)
        r[k / 8] += x[k] > y[k] ? x[k] - y[k] : y[k] - x[k];
    MOLT__PUT(uint64_t, 2, r, a);
    return a;
}
/* pairs: (a0 op a1, a2 op a3, ..., b0 op b1, ...) */
#define MOLT__HPAIR(name, T, U, N, expr)                       \
    static inline molt_m128i name(molt_m128i a, molt_m128i b)  \
    {                                                          \
        int64_t s[2 * N], r[N];                                \
        MOLT__GET(T, N, a, s);                                 \
        MOLT__GET(T, N, b, s + N);                             \
        for (int k = 0; k < N; k++) {                          \
            int64_t x = s[2 * k], y = s[2 * k + 1];            \
            r[k] = (expr);                                     \
        }                                                      \
        MOLT__PUT(U, N, r, a);                                 \
        return a;                                              \
    }
MOLT__HPAIR(molt_mm_hadd_epi16, int16_t, uint16_t, 8, x + y)
MOLT__HPAIR(molt_mm_hadd_epi32, int32_t, uint32_t, 4, x + y)
MOLT__HPAIR(molt_mm_hsub_epi16, int16_t, uint16_t, 8, x - y)
MOLT__HPAIR(molt_mm_hsub_epi32, int32_t, uint32_t, 4, x - y)
MOLT__HPAIR(molt_mm_hadds_epi16, int16_t, uint16_t, 8, molt__clamp(x + y, -32768, 32767))
MOLT__HPAIR(molt_mm_hsubs_epi16, int16_t, uint16_t, 8, molt__clamp(x - y, -32768, 32767))
/* saturating narrowing: a's lanes, then b's */
#define MOLT__PACK(name, T, U, N, lo, hi)                      \
    static inline molt_m128i name(molt_m128i a, molt_m128i b)  \
    {                                                          \
        int64_t s[2 * N];                                      \
        MOLT__GET(T, N, a, s);                                 \
        MOLT__GET(T, N, b, s + N);                             \
        U t[2 * N];                                            \
        for (int k = 0; k < 2 * N; k++)                        \
            t[k] = (U)molt__clamp(s[k], lo, hi);               \
        memcpy(a.i, t, 16);                                    \
        return a;                                              \
    }
MOLT__PACK(molt_mm_packs_epi16, int16_t, uint8_t, 8, -128, 127)
MOLT__PACK(molt_mm_packs_epi32, int32_t, uint16_t, 4, -32768, 32767)
MOLT__PACK(molt_mm_packus_epi16, int16_t, uint8_t, 8, 0, 255)
MOLT__PACK(molt_mm_packus_epi32, int32_t, uint16_t, 4, 0, 65535)
/* (a0, b0, a1, b1, ...) from the low halves, or from the high halves */
#define MOLT__UNPACK(name, T, N, half)                         \
    static inline molt_m128i name(molt_m128i a, molt_m128i b)  \
    {                                                          \
        T x[N], y[N], r[N];                                    \
        memcpy(x, a.i, 16);                                    \
        memcpy(y, b.i, 16);                                    \
        for (int k = 0; k < N / 2; k++) {                      \
            r[2 * k] = x[k + (half) * N / 2];                  \
            r[2 * k + 1] = y[k + (half) * N / 2];              \
        }                                                      \
        memcpy(a.i, r, 16);                                    \
        return a;                                              \
    }
MOLT__UNPACK(molt_mm_unpacklo_epi8, uint8_t, 16, 0)
MOLT__UNPACK(molt_mm_unpackhi_epi8, uint8_t, 16, 1)
MOLT__UNPACK(molt_mm_unpacklo_epi16, uint16_t, 8, 0)
MOLT__UNPACK(molt_mm_unpackhi_epi16, uint16_t, 8, 1)
MOLT__UNPACK(molt_mm_unpacklo_epi32, uint32_t, 4, 0)
MOLT__UNPACK(molt_mm_unpackhi_epi32, uint32_t, 4, 1)
MOLT__UNPACK(molt_mm_unpacklo_epi64, uint64_t, 2, 0)
MOLT__UNPACK(molt_mm_unpackhi_epi64, uint64_t, 2, 1)

/* Shifts by an immediate count (0..255) or by the low 64 bits of a vector:
 * above the lane width minus 1, logical shifts give 0 and arithmetic ones
 * fill with the sign, as on x86. */
#define MOLT__SHIFT(name, T, U, W, expr)                        \
    static inline molt_m128i name(molt_m128i a, int imm)        \
    {                                                           \
        unsigned n = (unsigned)imm & 0xff;                      \
        T xs[16 / sizeof(T)];                                   \
        U rs[16 / sizeof(T)];                                   \
        memcpy(xs, a.i, 16);                                    \
        for (int k = 0; k < (int)(16 / sizeof(T)); k++) {       \
            T x = xs[k];                                        \
            rs[k] = (U)(expr);                                  \
        }                                                       \
        memcpy(a.i, rs, 16);                                    \
        return a;                                               \
    }
MOLT__SHIFT(molt_mm_slli_epi16, uint16_t, uint16_t, 16, n > 15 ? 0u : (uint32_t)x << n)
MOLT__SHIFT(molt_mm_srli_epi16, uint16_t, uint16_t, 16, n > 15 ? 0u : (uint32_t)x >> n)
MOLT__SHIFT(molt_mm_srai_epi16, int16_t, uint16_t, 16, molt__asr(x, n > 15 ? 15 : n))
MOLT__SHIFT(molt_mm_slli_epi64, uint64_t, uint64_t, 64, n > 63 ? 0u : x << n)
MOLT__SHIFT(molt_mm_srli_epi64, uint64_t, uint64_t, 64, n > 63 ? 0u : x >> n)
static inline int molt__count(molt_m128i count)
{
    uint64_t c;
    memcpy(&c, count.i, 8);
    return c > 255 ? 255 : (int)c;
}
static inline molt_m128i molt_mm_sll_epi16(molt_m128i a, molt_m128i count) { return molt_mm_slli_epi16(a, molt__count(count)); }
static inline molt_m128i molt_mm_srl_epi16(molt_m128i a, molt_m128i count) { return molt_mm_srli_epi16(a, molt__count(count)); }
static inline molt_m128i molt_mm_sra_epi16(molt_m128i a, molt_m128i count) { return molt_mm_srai_epi16(a, molt__count(count)); }
static inline molt_m128i molt_mm_sll_epi32(molt_m128i a, molt_m128i count) { return molt_mm_slli_epi32(a, molt__count(count)); }
static inline molt_m128i molt_mm_srl_epi32(molt_m128i a, molt_m128i count) { return molt_mm_srli_epi32(a, molt__count(count)); }
static inline molt_m128i molt_mm_sra_epi32(molt_m128i a, molt_m128i count) { return molt_mm_srai_epi32(a, molt__count(count)); }
static inline molt_m128i molt_mm_sll_epi64(molt_m128i a, molt_m128i count) { return molt_mm_slli_epi64(a, molt__count(count)); }
static inline molt_m128i molt_mm_srl_epi64(molt_m128i a, molt_m128i count) { return molt_mm_srli_epi64(a, molt__count(count)); }

/* byte shifts of the whole register; counts above 15 give 0 */
static inline molt_m128i molt_mm_slli_si128(molt_m128i a, int imm)
{
    unsigned n = (unsigned)imm & 0xff;
    uint8_t x[16], r[16];
    memcpy(x, a.i, 16);
    for (unsigned k = 0; k < 16; k++)
        r[k] = k >= n ? x[k - n] : 0;
    memcpy(a.i, r, 16);
    return a;
}
static inline molt_m128i molt_mm_srli_si128(molt_m128i a, int imm)
{
    unsigned n = (unsigned)imm & 0xff;
    uint8_t x[16], r[16];
    memcpy(x, a.i, 16);
    for (unsigned k = 0; k < 16; k++)
        r[k] = k + n < 16 ? x[k + n] : 0;
    memcpy(a.i, r, 16);
    return a;
}
static inline molt_m128i molt_mm_bslli_si128(molt_m128i a, int imm) { return molt_mm_slli_si128(a, imm); }
static inline molt_m128i molt_mm_bsrli_si128(molt_m128i a, int imm) { return molt_mm_srli_si128(a, imm); }
/* bytes imm..imm+15 of the 32-byte a:b (b low), zero past the end */
static inline molt_m128i molt_mm_alignr_epi8(molt_m128i a, molt_m128i b, int imm)
{
    unsigned n = (unsigned)imm & 0xff;
    uint8_t t[32], r[16];
    memcpy(t, b.i, 16);
    memcpy(t + 16, a.i, 16);
    for (unsigned k = 0; k < 16; k++)
        r[k] = k + n < 32 ? t[k + n] : 0;
    memcpy(a.i, r, 16);
    return a;
}
/* byte i = b[i] & 0x80 ? 0 : a[b[i] & 15] */
static inline molt_m128i molt_mm_shuffle_epi8(molt_m128i a, molt_m128i b)
{
    uint8_t x[16], y[16], r[16];
    memcpy(x, a.i, 16);
    memcpy(y, b.i, 16);
    for (int k = 0; k < 16; k++)
        r[k] = (y[k] & 0x80) ? 0 : x[y[k] & 15];
    memcpy(a.i, r, 16);
    return a;
}
static inline molt_m128i molt_mm_shufflelo_epi16(molt_m128i a, int imm)
{
    uint16_t x[8], r[8];
    memcpy(x, a.i, 16);
    memcpy(r, x, 16);
    for (int k = 0; k < 4; k++)
        r[k] = x[(imm >> (2 * k)) & 3];
    memcpy(a.i, r, 16);
    return a;
}
static inline molt_m128i molt_mm_shufflehi_epi16(molt_m128i a, int imm)
{
    uint16_t x[8], r[8];
    memcpy(x, a.i, 16);
    memcpy(r, x, 16);
    for (int k = 0; k < 4; k++)
        r[4 + k] = x[4 + ((imm >> (2 * k)) & 3)];
    memcpy(a.i, r, 16);
    return a;
}
static inline int molt_mm_movemask_epi8(molt_m128i a)
{
    uint8_t x[16];
    memcpy(x, a.i, 16);
    int m = 0;
    for (int k = 0; k < 16; k++)
        m |= (x[k] >> 7) << k;
    return m;
}

static inline int molt_mm_extract_epi8(molt_m128i a, int imm) { uint8_t x[16]; memcpy(x, a.i, 16); return x[imm & 15]; }
static inline int molt_mm_extract_epi16(molt_m128i a, int imm) { uint16_t x[8]; memcpy(x, a.i, 16); return x[imm & 7]; }
static inline int molt_mm_extract_epi32(molt_m128i a, int imm) { return a.i[imm & 3]; }
static inline long long molt_mm_extract_epi64(molt_m128i a, int imm) { int64_t x[2]; memcpy(x, a.i, 16); return (long long)x[imm & 1]; }
static inline molt_m128i molt_mm_insert_epi8(molt_m128i a, int i, int imm) { uint8_t v = (uint8_t)i; memcpy((char *)a.i + (imm & 15), &v, 1); return a; }
static inline molt_m128i molt_mm_insert_epi16(molt_m128i a, int i, int imm) { uint16_t v = (uint16_t)i; memcpy((char *)a.i + 2 * (imm & 7), &v, 2); return a; }
static inline molt_m128i molt_mm_insert_epi32(molt_m128i a, int i, int imm) { a.i[imm & 3] = i; return a; }
static inline molt_m128i molt_mm_insert_epi64(molt_m128i a, long long i, int imm) { int64_t v = (int64_t)i; memcpy((char *)a.i + 8 * (imm & 1), &v, 8); return a; }

static inline molt_m128i molt_mm_blend_epi16(molt_m128i a, molt_m128i b, int imm)
{
    for (int k = 0; k < 8; k++)
        if ((imm >> k) & 1)
            memcpy((char *)a.i + 2 * k, (char *)b.i + 2 * k, 2);
    return a;
}
/* byte i from b where the top bit of mask byte i is set */
static inline molt_m128i molt_mm_blendv_epi8(molt_m128i a, molt_m128i b, molt_m128i mask)
{
    uint8_t x[16], y[16], m[16];
    memcpy(x, a.i, 16);
    memcpy(y, b.i, 16);
    memcpy(m, mask.i, 16);
    for (int k = 0; k < 16; k++)
        if (m[k] & 0x80)
            x[k] = y[k];
    memcpy(a.i, x, 16);
    return a;
}
/* ZF = ((a & b) == 0), CF = ((~a & b) == 0) */
static inline int molt_mm_testz_si128(molt_m128i a, molt_m128i b)
{
    uint32_t m = 0;
    for (int k = 0; k < 4; k++)
        m |= (uint32_t)a.i[k] & (uint32_t)b.i[k];
    return m == 0;
}
static inline int molt_mm_testc_si128(molt_m128i a, molt_m128i b)
{
    uint32_t m = 0;
    for (int k = 0; k < 4; k++)
        m |= ~(uint32_t)a.i[k] & (uint32_t)b.i[k];
    return m == 0;
}
static inline int molt_mm_testnzc_si128(molt_m128i a, molt_m128i b)
{
    return !molt_mm_testz_si128(a, b) && !molt_mm_testc_si128(a, b);
}

/* widening conversions of the low lanes, sign- (epi) or zero- (epu) extended */
#define MOLT__WIDEN(name, T, N, U)                   \
    static inline molt_m128i name(molt_m128i a)      \
    {                                                \
        int64_t s[16 / sizeof(T)];                   \
        MOLT__GET(T, (int)(16 / sizeof(T)), a, s);   \
        MOLT__PUT(U, N, s, a);                       \
        return a;                                    \
    }
MOLT__WIDEN(molt_mm_cvtepi8_epi16, int8_t, 8, uint16_t)
MOLT__WIDEN(molt_mm_cvtepi8_epi32, int8_t, 4, uint32_t)
MOLT__WIDEN(molt_mm_cvtepi8_epi64, int8_t, 2, uint64_t)
MOLT__WIDEN(molt_mm_cvtepi16_epi32, int16_t, 4, uint32_t)
MOLT__WIDEN(molt_mm_cvtepi16_epi64, int16_t, 2, uint64_t)
MOLT__WIDEN(molt_mm_cvtepi32_epi64, int32_t, 2, uint64_t)
MOLT__WIDEN(molt_mm_cvtepu8_epi16, uint8_t, 8, uint16_t)
MOLT__WIDEN(molt_mm_cvtepu8_epi32, uint8_t, 4, uint32_t)
MOLT__WIDEN(molt_mm_cvtepu8_epi64, uint8_t, 2, uint64_t)
MOLT__WIDEN(molt_mm_cvtepu16_epi32, uint16_t, 4, uint32_t)
MOLT__WIDEN(molt_mm_cvtepu16_epi64, uint16_t, 2, uint64_t)
MOLT__WIDEN(molt_mm_cvtepu32_epi64, uint32_t, 2, uint64_t)

/* ------------------------------------------------------------------------ */
/* SSE2 doubles                                                             */
/* ------------------------------------------------------------------------ */

static inline uint64_t molt__dbits(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static inline double molt__double(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }
static inline double molt__dmask(int cond) { return molt__double(cond ? ~(uint64_t)0 : 0u); }

static inline molt_m128d molt_mm_loadu_pd(const double *p) { molt_m128d r; memcpy(r.d, p, 16); return r; }
/* x86 faults on a pointer not 16-byte aligned; this does not check. */
static inline molt_m128d molt_mm_load_pd(const double *p) { return molt_mm_loadu_pd(p); }
static inline molt_m128d molt_mm_load_sd(const double *p) { molt_m128d r = {{0.0, 0.0}}; memcpy(r.d, p, 8); return r; }
static inline molt_m128d molt_mm_load1_pd(const double *p) { molt_m128d r; memcpy(r.d, p, 8); memcpy(r.d + 1, p, 8); return r; }
static inline void molt_mm_storeu_pd(double *p, molt_m128d a) { memcpy(p, a.d, 16); }
static inline void molt_mm_store_pd(double *p, molt_m128d a) { memcpy(p, a.d, 16); }
static inline void molt_mm_store_sd(double *p, molt_m128d a) { memcpy(p, a.d, 8); }
static inline molt_m128d molt_mm_setr_pd(double e0, double e1) { molt_m128d r = {{e0, e1}}; return r; }
static inline molt_m128d molt_mm_set_pd(double e1, double e0) { molt_m128d r = {{e0, e1}}; return r; }
static inline molt_m128d molt_mm_set1_pd(double a) { molt_m128d r = {{a, a}}; return r; }
static inline molt_m128d molt_mm_set_sd(double a) { molt_m128d r = {{a, 0.0}}; return r; }
static inline molt_m128d molt_mm_setzero_pd(void) { molt_m128d r = {{0.0, 0.0}}; return r; }
static inline double molt_mm_cvtsd_f64(molt_m128d a) { return a.d[0]; }

#define MOLT__DD(name, expr)                                      \
    static inline molt_m128d name(molt_m128d a, molt_m128d b)     \
    {                                                             \
        for (int k = 0; k < 2; k++) {                             \
            double x = a.d[k], y = b.d[k];                        \
            a.d[k] = (expr);                                      \
        }                                                         \
        return a;                                                 \
    }
#define MOLT__DBITS(name, expr)                                   \
    static inline molt_m128d name(molt_m128d a, molt_m128d b)     \
    {                                                             \
        for (int k = 0; k < 2; k++) {                             \
            uint64_t x = molt__dbits(a.d[k]), y = molt__dbits(b.d[k]); \
            a.d[k] = molt__double(expr);                          \
        }                                                         \
        return a;                                                 \
    }
MOLT__DD(molt_mm_add_pd, x + y)
MOLT__DD(molt_mm_sub_pd, x - y)
MOLT__DD(molt_mm_mul_pd, x * y)
MOLT__DD(molt_mm_div_pd, x / y)
/* x86 rule: b when either is NaN or both are zero */
MOLT__DD(molt_mm_max_pd, x > y ? x : y)
MOLT__DD(molt_mm_min_pd, x < y ? x : y)
MOLT__DBITS(molt_mm_and_pd, x & y)
MOLT__DBITS(molt_mm_or_pd, x | y)
MOLT__DBITS(molt_mm_xor_pd, x ^ y)
/* (~a) & b */
MOLT__DBITS(molt_mm_andnot_pd, y & ~x)
MOLT__DD(molt_mm_cmpeq_pd, molt__dmask(x == y))
MOLT__DD(molt_mm_cmplt_pd, molt__dmask(x < y))
MOLT__DD(molt_mm_cmple_pd, molt__dmask(x <= y))
MOLT__DD(molt_mm_cmpgt_pd, molt__dmask(x > y))
MOLT__DD(molt_mm_cmpge_pd, molt__dmask(x >= y))
MOLT__DD(molt_mm_cmpneq_pd, molt__dmask(!(x == y)))
MOLT__DD(molt_mm_cmpord_pd, molt__dmask(x == x && y == y))
MOLT__DD(molt_mm_cmpunord_pd, molt__dmask(x != x || y != y))
static inline molt_m128d molt_mm_sqrt_pd(molt_m128d a) { a.d[0] = sqrt(a.d[0]); a.d[1] = sqrt(a.d[1]); return a; }
static inline molt_m128d molt_mm_hadd_pd(molt_m128d a, molt_m128d b) { molt_m128d r = {{a.d[0] + a.d[1], b.d[0] + b.d[1]}}; return r; }
static inline molt_m128d molt_mm_addsub_pd(molt_m128d a, molt_m128d b) { molt_m128d r = {{a.d[0] - b.d[0], a.d[1] + b.d[1]}}; return r; }

/* the relation of an x86 compare predicate, as molt__cmp */
static inline int molt__cmpd(double a, double b, int pred)
{
    int unord = a != a || b != b;
    switch (pred & 15) {
    case 0x0: return a == b;
    case 0x1: return a < b;
    case 0x2: return a <= b;
    case 0x3: return unord;
    case 0x4: return !(a == b);
    case 0x5: return !(a < b);
    case 0x6: return !(a <= b);
    case 0x7: return !unord;
    case 0x8: return a == b || unord;
    case 0x9: return !(a >= b);
    case 0xa: return !(a > b);
    case 0xb: return 0;
    case 0xc: return !(a == b) && !unord;
    case 0xd: return a >= b;
    case 0xe: return a > b;
    default: return 1;
    }
}
static inline molt_m128d molt_mm_cmp_pd(molt_m128d a, molt_m128d b, int pred)
{
    for (int k = 0; k < 2; k++)
        a.d[k] = molt__dmask(molt__cmpd(a.d[k], b.d[k], pred));
    return a;
}
static inline int molt_mm_movemask_pd(molt_m128d a)
{
    return (int)(molt__dbits(a.d[0]) >> 63) | (int)(molt__dbits(a.d[1]) >> 63) << 1;
}
static inline molt_m128d molt_mm_unpacklo_pd(molt_m128d a, molt_m128d b) { molt_m128d r = {{a.d[0], b.d[0]}}; return r; }
static inline molt_m128d molt_mm_unpackhi_pd(molt_m128d a, molt_m128d b) { molt_m128d r = {{a.d[1], b.d[1]}}; return r; }
static inline molt_m128d molt_mm_shuffle_pd(molt_m128d a, molt_m128d b, int imm) { molt_m128d r = {{a.d[imm & 1], b.d[(imm >> 1) & 1]}}; return r; }
static inline molt_m128d molt_mm_blend_pd(molt_m128d a, molt_m128d b, int imm)
{
    molt_m128d r = {{(imm & 1) ? b.d[0] : a.d[0], (imm & 2) ? b.d[1] : a.d[1]}};
    return r;
}
static inline molt_m128d molt_mm_blendv_pd(molt_m128d a, molt_m128d b, molt_m128d mask)
{
    for (int k = 0; k < 2; k++)
        if (molt__dbits(mask.d[k]) >> 63)
            a.d[k] = b.d[k];
    return a;
}
/* round to nearest, ties to even, independent of the rounding mode */
static inline double molt__round_even_d(double x)
{
    if (!(fabs(x) < 4503599627370496.0)) /* NaN, infinity, or already integral */
        return x;
    double t = molt__trunc(x);
    double d = x - t; /* exact */
    if (fabs(d) > 0.5 || (fabs(d) == 0.5 && fmod(t, 2.0) != 0.0))
        t += (x < 0.0) ? -1.0 : 1.0;
    return t;
}
static inline double molt__rint_d(double x)
{
#if defined(FE_DOWNWARD) && defined(FE_UPWARD) && defined(FE_TOWARDZERO)
    switch (fegetround()) {
    case FE_DOWNWARD: return molt__floor(x);
    case FE_UPWARD: return molt__ceil(x);
    case FE_TOWARDZERO: return molt__trunc(x);
    default: return molt__round_even_d(x);
    }
#else
    return rint(x);
#endif
}
static inline double molt__round_d(double x, int imm)
{
    if (imm & 4)
        return molt__rint_d(x);
    switch (imm & 3) {
    case 0: return molt__round_even_d(x);
    case 1: return molt__floor(x);
    case 2: return molt__ceil(x);
    default: return molt__trunc(x);
    }
}
static inline molt_m128d molt_mm_round_pd(molt_m128d a, int imm)
{
    a.d[0] = molt__round_d(a.d[0], imm);
    a.d[1] = molt__round_d(a.d[1], imm);
    return a;
}
static inline molt_m128d molt_mm_floor_pd(molt_m128d a) { a.d[0] = molt__floor(a.d[0]); a.d[1] = molt__floor(a.d[1]); return a; }
static inline molt_m128d molt_mm_ceil_pd(molt_m128d a) { a.d[0] = molt__ceil(a.d[0]); a.d[1] = molt__ceil(a.d[1]); return a; }

static inline molt_m128d molt_mm_castps_pd(molt_m128 a) { molt_m128d r; memcpy(r.d, a.f, 16); return r; }
static inline molt_m128 molt_mm_castpd_ps(molt_m128d a) { molt_m128 r; memcpy(r.f, a.d, 16); return r; }
static inline molt_m128i molt_mm_castpd_si128(molt_m128d a) { molt_m128i r; memcpy(r.i, a.d, 16); return r; }
static inline molt_m128d molt_mm_castsi128_pd(molt_m128i a) { molt_m128d r; memcpy(r.d, a.i, 16); return r; }

static inline molt_m128d molt_mm_cvtps_pd(molt_m128 a) { molt_m128d r = {{(double)a.f[0], (double)a.f[1]}}; return r; }
static inline molt_m128 molt_mm_cvtpd_ps(molt_m128d a) { molt_m128 r = {{(float)a.d[0], (float)a.d[1], 0.0f, 0.0f}}; return r; }
static inline molt_m128d molt_mm_cvtepi32_pd(molt_m128i a) { molt_m128d r = {{(double)a.i[0], (double)a.i[1]}}; return r; }
/* NaN and out-of-range give INT32_MIN as on x86; upper two lanes 0 */
static inline int32_t molt__cvt_d(double r)
{
    return (r >= -2147483648.0 && r < 2147483648.0) ? (int32_t)r : INT32_MIN;
}
static inline molt_m128i molt_mm_cvtpd_epi32(molt_m128d a) { molt_m128i r = {{molt__cvt_d(molt__rint_d(a.d[0])), molt__cvt_d(molt__rint_d(a.d[1])), 0, 0}}; return r; }
static inline molt_m128i molt_mm_cvttpd_epi32(molt_m128d a) { molt_m128i r = {{molt__cvt_d(molt__trunc(a.d[0])), molt__cvt_d(molt__trunc(a.d[1])), 0, 0}}; return r; }

/* ------------------------------------------------------------------------ */
/* AVX2 integers: the 128-bit operations on each half (which is also what   */
/* AVX2 does: packs, unpacks, byte shuffles, alignr and the byte shifts act */
/* within each 128-bit lane), plus the cross-lane ones                      */
/* ------------------------------------------------------------------------ */

static inline molt_m128i molt__half(molt_m256i a, int h) { molt_m128i r; memcpy(r.i, a.i + 4 * h, 16); return r; }
static inline molt_m256i molt__join(molt_m128i lo, molt_m128i hi)
{
    molt_m256i r;
    memcpy(r.i, lo.i, 16);
    memcpy(r.i + 4, hi.i, 16);
    return r;
}
#define MOLT__SPLIT1(n256, n128) \
    static inline molt_m256i n256(molt_m256i a) { return molt__join(n128(molt__half(a, 0)), n128(molt__half(a, 1))); }
#define MOLT__SPLIT2(n256, n128)                                                          \
    static inline molt_m256i n256(molt_m256i a, molt_m256i b)                             \
    {                                                                                     \
        return molt__join(n128(molt__half(a, 0), molt__half(b, 0)), n128(molt__half(a, 1), molt__half(b, 1))); \
    }
#define MOLT__SPLIT3(n256, n128)                                                          \
    static inline molt_m256i n256(molt_m256i a, molt_m256i b, molt_m256i c)               \
    {                                                                                     \
        return molt__join(n128(molt__half(a, 0), molt__half(b, 0), molt__half(c, 0)),     \
                          n128(molt__half(a, 1), molt__half(b, 1), molt__half(c, 1)));    \
    }
/* the same immediate for both halves */
#define MOLT__SPLIT1I(n256, n128) \
    static inline molt_m256i n256(molt_m256i a, int imm) { return molt__join(n128(molt__half(a, 0), imm), n128(molt__half(a, 1), imm)); }
#define MOLT__SPLIT2I(n256, n128)                                                         \
    static inline molt_m256i n256(molt_m256i a, molt_m256i b, int imm)                    \
    {                                                                                     \
        return molt__join(n128(molt__half(a, 0), molt__half(b, 0), imm), n128(molt__half(a, 1), molt__half(b, 1), imm)); \
    }
/* shifts by the low 64 bits of a 128-bit count */
#define MOLT__SPLITC(n256, n128)                                                          \
    static inline molt_m256i n256(molt_m256i a, molt_m128i count)                         \
    {                                                                                     \
        return molt__join(n128(molt__half(a, 0), count), n128(molt__half(a, 1), count));  \
    }

MOLT__SPLIT2(molt_mm256_add_epi8, molt_mm_add_epi8)
MOLT__SPLIT2(molt_mm256_add_epi16, molt_mm_add_epi16)
MOLT__SPLIT2(molt_mm256_add_epi64, molt_mm_add_epi64)
MOLT__SPLIT2(molt_mm256_sub_epi8, molt_mm_sub_epi8)
MOLT__SPLIT2(molt_mm256_sub_epi16, molt_mm_sub_epi16)
MOLT__SPLIT2(molt_mm256_sub_epi64, molt_mm_sub_epi64)
MOLT__SPLIT2(molt_mm256_adds_epi8, molt_mm_adds_epi8)
MOLT__SPLIT2(molt_mm256_adds_epi16, molt_mm_adds_epi16)
MOLT__SPLIT2(molt_mm256_adds_epu8, molt_mm_adds_epu8)
MOLT__SPLIT2(molt_mm256_adds_epu16, molt_mm_adds_epu16)
MOLT__SPLIT2(molt_mm256_subs_epi8, molt_mm_subs_epi8)
MOLT__SPLIT2(molt_mm256_subs_epi16, molt_mm_subs_epi16)
MOLT__SPLIT2(molt_mm256_subs_epu8, molt_mm_subs_epu8)
MOLT__SPLIT2(molt_mm256_subs_epu16, molt_mm_subs_epu16)
MOLT__SPLIT2(molt_mm256_mullo_epi16, molt_mm_mullo_epi16)
MOLT__SPLIT2(molt_mm256_mulhi_epi16, molt_mm_mulhi_epi16)
MOLT__SPLIT2(molt_mm256_mulhi_epu16, molt_mm_mulhi_epu16)
MOLT__SPLIT2(molt_mm256_mulhrs_epi16, molt_mm_mulhrs_epi16)
MOLT__SPLIT2(molt_mm256_mul_epu32, molt_mm_mul_epu32)
MOLT__SPLIT2(molt_mm256_mul_epi32, molt_mm_mul_epi32)
MOLT__SPLIT2(molt_mm256_madd_epi16, molt_mm_madd_epi16)
MOLT__SPLIT2(molt_mm256_maddubs_epi16, molt_mm_maddubs_epi16)
MOLT__SPLIT2(molt_mm256_sad_epu8, molt_mm_sad_epu8)
MOLT__SPLIT2(molt_mm256_avg_epu8, molt_mm_avg_epu8)
MOLT__SPLIT2(molt_mm256_avg_epu16, molt_mm_avg_epu16)
MOLT__SPLIT2(molt_mm256_min_epi8, molt_mm_min_epi8)
MOLT__SPLIT2(molt_mm256_max_epi8, molt_mm_max_epi8)
MOLT__SPLIT2(molt_mm256_min_epu8, molt_mm_min_epu8)
MOLT__SPLIT2(molt_mm256_max_epu8, molt_mm_max_epu8)
MOLT__SPLIT2(molt_mm256_min_epi16, molt_mm_min_epi16)
MOLT__SPLIT2(molt_mm256_max_epi16, molt_mm_max_epi16)
MOLT__SPLIT2(molt_mm256_min_epu16, molt_mm_min_epu16)
MOLT__SPLIT2(molt_mm256_max_epu16, molt_mm_max_epu16)
MOLT__SPLIT2(molt_mm256_min_epu32, molt_mm_min_epu32)
MOLT__SPLIT2(molt_mm256_max_epu32, molt_mm_max_epu32)
MOLT__SPLIT1(molt_mm256_abs_epi8, molt_mm_abs_epi8)
MOLT__SPLIT1(molt_mm256_abs_epi16, molt_mm_abs_epi16)
MOLT__SPLIT2(molt_mm256_sign_epi8, molt_mm_sign_epi8)
MOLT__SPLIT2(molt_mm256_sign_epi16, molt_mm_sign_epi16)
MOLT__SPLIT2(molt_mm256_sign_epi32, molt_mm_sign_epi32)
MOLT__SPLIT2(molt_mm256_hadd_epi16, molt_mm_hadd_epi16)
MOLT__SPLIT2(molt_mm256_hadd_epi32, molt_mm_hadd_epi32)
MOLT__SPLIT2(molt_mm256_hsub_epi16, molt_mm_hsub_epi16)
MOLT__SPLIT2(molt_mm256_hsub_epi32, molt_mm_hsub_epi32)
MOLT__SPLIT2(molt_mm256_hadds_epi16, molt_mm_hadds_epi16)
MOLT__SPLIT2(molt_mm256_hsubs_epi16, molt_mm_hsubs_epi16)
MOLT__SPLIT2(molt_mm256_cmpeq_epi8, molt_mm_cmpeq_epi8)
MOLT__SPLIT2(molt_mm256_cmpeq_epi16, molt_mm_cmpeq_epi16)
MOLT__SPLIT2(molt_mm256_cmpeq_epi64, molt_mm_cmpeq_epi64)
MOLT__SPLIT2(molt_mm256_cmpgt_epi8, molt_mm_cmpgt_epi8)
MOLT__SPLIT2(molt_mm256_cmpgt_epi16, molt_mm_cmpgt_epi16)
MOLT__SPLIT2(molt_mm256_cmpgt_epi64, molt_mm_cmpgt_epi64)
MOLT__SPLIT2(molt_mm256_unpacklo_epi8, molt_mm_unpacklo_epi8)
MOLT__SPLIT2(molt_mm256_unpackhi_epi8, molt_mm_unpackhi_epi8)
MOLT__SPLIT2(molt_mm256_unpacklo_epi16, molt_mm_unpacklo_epi16)
MOLT__SPLIT2(molt_mm256_unpackhi_epi16, molt_mm_unpackhi_epi16)
MOLT__SPLIT2(molt_mm256_unpacklo_epi32, molt_mm_unpacklo_epi32)
MOLT__SPLIT2(molt_mm256_unpackhi_epi32, molt_mm_unpackhi_epi32)
MOLT__SPLIT2(molt_mm256_unpacklo_epi64, molt_mm_unpacklo_epi64)
MOLT__SPLIT2(molt_mm256_unpackhi_epi64, molt_mm_unpackhi_epi64)
MOLT__SPLIT2(molt_mm256_packs_epi16, molt_mm_packs_epi16)
MOLT__SPLIT2(molt_mm256_packs_epi32, molt_mm_packs_epi32)
MOLT__SPLIT2(molt_mm256_packus_epi16, molt_mm_packus_epi16)
MOLT__SPLIT2(molt_mm256_packus_epi32, molt_mm_packus_epi32)
MOLT__SPLIT2(molt_mm256_shuffle_epi8, molt_mm_shuffle_epi8)
MOLT__SPLIT3(molt_mm256_blendv_epi8, molt_mm_blendv_epi8)
MOLT__SPLIT2I(molt_mm256_alignr_epi8, molt_mm_alignr_epi8)
MOLT__SPLIT2I(molt_mm256_blend_epi16, molt_mm_blend_epi16)
MOLT__SPLIT1I(molt_mm256_shuffle_epi32, molt_mm_shuffle_epi32)
MOLT__SPLIT1I(molt_mm256_shufflelo_epi16, molt_mm_shufflelo_epi16)
MOLT__SPLIT1I(molt_mm256_shufflehi_epi16, molt_mm_shufflehi_epi16)
MOLT__SPLIT1I(molt_mm256_slli_si256, molt_mm_slli_si128)
MOLT__SPLIT1I(molt_mm256_srli_si256, molt_mm_srli_si128)
MOLT__SPLIT1I(molt_mm256_bslli_epi128, molt_mm_slli_si128)
MOLT__SPLIT1I(molt_mm256_bsrli_epi128, molt_mm_srli_si128)
MOLT__SPLIT1I(molt_mm256_slli_epi16, molt_mm_slli_epi16)
MOLT__SPLIT1I(molt_mm256_srli_epi16, molt_mm_srli_epi16)
MOLT__SPLIT1I(molt_mm256_srai_epi16, molt_mm_srai_epi16)
MOLT__SPLIT1I(molt_mm256_slli_epi64, molt_mm_slli_epi64)
MOLT__SPLIT1I(molt_mm256_srli_epi64, molt_mm_srli_epi64)
MOLT__SPLITC(molt_mm256_sll_epi16, molt_mm_sll_epi16)
MOLT__SPLITC(molt_mm256_srl_epi16, molt_mm_srl_epi16)
MOLT__SPLITC(molt_mm256_sra_epi16, molt_mm_sra_epi16)
MOLT__SPLITC(molt_mm256_sll_epi32, molt_mm_sll_epi32)
MOLT__SPLITC(molt_mm256_srl_epi32, molt_mm_srl_epi32)
MOLT__SPLITC(molt_mm256_sra_epi32, molt_mm_sra_epi32)
MOLT__SPLITC(molt_mm256_sll_epi64, molt_mm_sll_epi64)
MOLT__SPLITC(molt_mm256_srl_epi64, molt_mm_srl_epi64)

/* Per-lane variable shifts (AVX2): counts above the width give 0, or the
 * sign for srav. */
static inline molt_m128i molt__varshift32(molt_m128i a, molt_m128i count, int kind)
{
    int32_t x[4], c[4];
    molt_mm_storeu_si128((molt_m128i *)(void *)x, a);
    molt_mm_storeu_si128((molt_m128i *)(void *)c, count);
    for (int k = 0; k < 4; k++) {
        uint32_t n = (uint32_t)c[k], u = (uint32_t)x[k];
        if (kind == 0)
            x[k] = n > 31 ? 0 : (int32_t)(u << n);
        else if (kind == 1)
            x[k] = n > 31 ? 0 : (int32_t)(u >> n);
        else
            x[k] = (int32_t)(x[k] < 0 ? ~(~u >> (n > 31 ? 31 : n)) : u >> (n > 31 ? 31 : n));
    }
    return molt_mm_loadu_si128((const molt_m128i *)(const void *)x);
}
static inline molt_m128i molt_mm_sllv_epi32(molt_m128i a, molt_m128i count) { return molt__varshift32(a, count, 0); }
static inline molt_m128i molt_mm_srlv_epi32(molt_m128i a, molt_m128i count) { return molt__varshift32(a, count, 1); }
static inline molt_m128i molt_mm_srav_epi32(molt_m128i a, molt_m128i count) { return molt__varshift32(a, count, 2); }
MOLT__SPLIT2(molt_mm256_sllv_epi32, molt_mm_sllv_epi32)
MOLT__SPLIT2(molt_mm256_srlv_epi32, molt_mm_srlv_epi32)
MOLT__SPLIT2(molt_mm256_srav_epi32, molt_mm_srav_epi32)

static inline int molt_mm256_movemask_epi8(molt_m256i a)
{
    return (int)((unsigned)molt_mm_movemask_epi8(molt__half(a, 0)) | ((unsigned)molt_mm_movemask_epi8(molt__half(a, 1)) << 16));
}
static inline int molt_mm256_testz_si256(molt_m256i a, molt_m256i b)
{
    return molt_mm_testz_si128(molt__half(a, 0), molt__half(b, 0)) && molt_mm_testz_si128(molt__half(a, 1), molt__half(b, 1));
}
static inline int molt_mm256_testc_si256(molt_m256i a, molt_m256i b)
{
    return molt_mm_testc_si128(molt__half(a, 0), molt__half(b, 0)) && molt_mm_testc_si128(molt__half(a, 1), molt__half(b, 1));
}
static inline int molt_mm256_testnzc_si256(molt_m256i a, molt_m256i b)
{
    return !molt_mm256_testz_si256(a, b) && !molt_mm256_testc_si256(a, b);
}

/* Widening conversions from a 128-bit source fill both halves. */
#define MOLT__WIDEN256(n256, n128, bytes)                                                \
    static inline molt_m256i n256(molt_m128i a)                                         \
    {                                                                                   \
        return molt__join(n128(a), n128(molt_mm_srli_si128(a, bytes)));                 \
    }
MOLT__WIDEN256(molt_mm256_cvtepi8_epi16, molt_mm_cvtepi8_epi16, 8)
MOLT__WIDEN256(molt_mm256_cvtepi8_epi32, molt_mm_cvtepi8_epi32, 4)
MOLT__WIDEN256(molt_mm256_cvtepi8_epi64, molt_mm_cvtepi8_epi64, 2)
MOLT__WIDEN256(molt_mm256_cvtepi16_epi32, molt_mm_cvtepi16_epi32, 8)
MOLT__WIDEN256(molt_mm256_cvtepi16_epi64, molt_mm_cvtepi16_epi64, 4)
MOLT__WIDEN256(molt_mm256_cvtepi32_epi64, molt_mm_cvtepi32_epi64, 8)
MOLT__WIDEN256(molt_mm256_cvtepu8_epi16, molt_mm_cvtepu8_epi16, 8)
MOLT__WIDEN256(molt_mm256_cvtepu8_epi32, molt_mm_cvtepu8_epi32, 4)
MOLT__WIDEN256(molt_mm256_cvtepu8_epi64, molt_mm_cvtepu8_epi64, 2)
MOLT__WIDEN256(molt_mm256_cvtepu16_epi32, molt_mm_cvtepu16_epi32, 8)
MOLT__WIDEN256(molt_mm256_cvtepu16_epi64, molt_mm_cvtepu16_epi64, 4)
MOLT__WIDEN256(molt_mm256_cvtepu32_epi64, molt_mm_cvtepu32_epi64, 8)

/* set, broadcast, 128-bit halves */
static inline molt_m256i molt_mm256_set1_epi8(char a) { return molt__join(molt_mm_set1_epi8(a), molt_mm_set1_epi8(a)); }
static inline molt_m256i molt_mm256_set1_epi16(short a) { return molt__join(molt_mm_set1_epi16(a), molt_mm_set1_epi16(a)); }
static inline molt_m256i molt_mm256_set1_epi64x(long long a) { return molt__join(molt_mm_set1_epi64x(a), molt_mm_set1_epi64x(a)); }
static inline molt_m256i molt_mm256_set_epi64x(long long e3, long long e2, long long e1, long long e0)
{
    return molt__join(molt_mm_set_epi64x(e1, e0), molt_mm_set_epi64x(e3, e2));
}
static inline molt_m256i molt_mm256_setr_epi64x(long long e0, long long e1, long long e2, long long e3)
{
    return molt__join(molt_mm_set_epi64x(e1, e0), molt_mm_set_epi64x(e3, e2));
}
static inline molt_m256i molt_mm256_setr_epi16(short e0, short e1, short e2, short e3, short e4, short e5, short e6,
                                               short e7, short e8, short e9, short e10, short e11, short e12,
                                               short e13, short e14, short e15)
{
    return molt__join(molt_mm_setr_epi16(e0, e1, e2, e3, e4, e5, e6, e7), molt_mm_setr_epi16(e8, e9, e10, e11, e12, e13, e14, e15));
}
static inline molt_m256i molt_mm256_set_epi16(short e15, short e14, short e13, short e12, short e11, short e10,
                                              short e9, short e8, short e7, short e6, short e5, short e4, short e3,
                                              short e2, short e1, short e0)
{
    return molt__join(molt_mm_setr_epi16(e0, e1, e2, e3, e4, e5, e6, e7), molt_mm_setr_epi16(e8, e9, e10, e11, e12, e13, e14, e15));
}
static inline molt_m256i molt_mm256_setr_epi8(char e0, char e1, char e2, char e3, char e4, char e5, char e6, char e7,
                                              char e8, char e9, char e10, char e11, char e12, char e13, char e14,
                                              char e15, char e16, char e17, char e18, char e19, char e20, char e21,
                                              char e22, char e23, char e24, char e25, char e26, char e27, char e28,
                                              char e29, char e30, char e31)
{
    return molt__join(molt_mm_setr_epi8(e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15),
                      molt_mm_setr_epi8(e16, e17, e18, e19, e20, e21, e22, e23, e24, e25, e26, e27, e28, e29, e30, e31));
}
static inline molt_m256i molt_mm256_set_epi8(char e31, char e30, char e29, char e28, char e27, char e26, char e25,
                                             char e24, char e23, char e22, char e21, char e20, char e19, char e18,
                                             char e17, char e16, char e15, char e14, char e13, char e12, char e11,
                                             char e10, char e9, char e8, char e7, char e6, char e5, char e4, char e3,
                                             char e2, char e1, char e0)
{
    return molt__join(molt_mm_setr_epi8(e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15),
                      molt_mm_setr_epi8(e16, e17, e18, e19, e20, e21, e22, e23, e24, e25, e26, e27, e28, e29, e30, e31));
}
static inline molt_m256i molt_mm256_set_m128i(molt_m128i hi, molt_m128i lo) { return molt__join(lo, hi); }
static inline molt_m256i molt_mm256_setr_m128i(molt_m128i lo, molt_m128i hi) { return molt__join(lo, hi); }
/* x86 leaves the upper half undefined; here it is zero. */
static inline molt_m256i molt_mm256_castsi128_si256(molt_m128i a) { return molt__join(a, molt_mm_setzero_si128()); }
static inline molt_m256i molt_mm256_zextsi128_si256(molt_m128i a) { return molt__join(a, molt_mm_setzero_si128()); }
static inline molt_m256i molt_mm256_inserti128_si256(molt_m256i a, molt_m128i b, int imm)
{
    return (imm & 1) ? molt__join(molt__half(a, 0), b) : molt__join(b, molt__half(a, 1));
}
static inline molt_m256i molt_mm256_loadu2_m128i(const molt_m128i *hi, const molt_m128i *lo)
{
    return molt__join(molt_mm_loadu_si128(lo), molt_mm_loadu_si128(hi));
}
static inline void molt_mm256_storeu2_m128i(molt_m128i *hi, molt_m128i *lo, molt_m256i a)
{
    molt_mm_storeu_si128(lo, molt__half(a, 0));
    molt_mm_storeu_si128(hi, molt__half(a, 1));
}
static inline molt_m128i molt_mm_broadcastb_epi8(molt_m128i a) { return molt_mm_set1_epi8((char)molt_mm_extract_epi8(a, 0)); }
static inline molt_m128i molt_mm_broadcastw_epi16(molt_m128i a) { return molt_mm_set1_epi16((short)molt_mm_extract_epi16(a, 0)); }
static inline molt_m128i molt_mm_broadcastd_epi32(molt_m128i a) { return molt_mm_set1_epi32(molt_mm_cvtsi128_si32(a)); }
static inline molt_m128i molt_mm_broadcastq_epi64(molt_m128i a) { return molt_mm_set1_epi64x(molt_mm_cvtsi128_si64(a)); }
static inline molt_m256i molt_mm256_broadcastb_epi8(molt_m128i a) { molt_m128i v = molt_mm_broadcastb_epi8(a); return molt__join(v, v); }
static inline molt_m256i molt_mm256_broadcastw_epi16(molt_m128i a) { molt_m128i v = molt_mm_broadcastw_epi16(a); return molt__join(v, v); }
static inline molt_m256i molt_mm256_broadcastd_epi32(molt_m128i a) { molt_m128i v = molt_mm_broadcastd_epi32(a); return molt__join(v, v); }
static inline molt_m256i molt_mm256_broadcastq_epi64(molt_m128i a) { molt_m128i v = molt_mm_broadcastq_epi64(a); return molt__join(v, v); }
static inline molt_m256i molt_mm256_broadcastsi128_si256(molt_m128i a) { return molt__join(a, a); }

/* 256-bit lane access (imm masked to the lane count) */
static inline int molt_mm256_extract_epi8(molt_m256i a, int imm) { return molt_mm_extract_epi8(molt__half(a, (imm >> 4) & 1), imm & 15); }
static inline int molt_mm256_extract_epi16(molt_m256i a, int imm) { return molt_mm_extract_epi16(molt__half(a, (imm >> 3) & 1), imm & 7); }
static inline int molt_mm256_extract_epi32(molt_m256i a, int imm) { return molt_mm_extract_epi32(molt__half(a, (imm >> 2) & 1), imm & 3); }
static inline long long molt_mm256_extract_epi64(molt_m256i a, int imm) { return molt_mm_extract_epi64(molt__half(a, (imm >> 1) & 1), imm & 1); }
static inline molt_m256i molt_mm256_insert_epi8(molt_m256i a, int i, int imm)
{
    int h = (imm >> 4) & 1;
    molt_m128i v = molt_mm_insert_epi8(molt__half(a, h), i, imm & 15);
    return h ? molt__join(molt__half(a, 0), v) : molt__join(v, molt__half(a, 1));
}
static inline molt_m256i molt_mm256_insert_epi16(molt_m256i a, int i, int imm)
{
    int h = (imm >> 3) & 1;
    molt_m128i v = molt_mm_insert_epi16(molt__half(a, h), i, imm & 7);
    return h ? molt__join(molt__half(a, 0), v) : molt__join(v, molt__half(a, 1));
}
static inline molt_m256i molt_mm256_insert_epi32(molt_m256i a, int i, int imm)
{
    int h = (imm >> 2) & 1;
    molt_m128i v = molt_mm_insert_epi32(molt__half(a, h), i, imm & 3);
    return h ? molt__join(molt__half(a, 0), v) : molt__join(v, molt__half(a, 1));
}
static inline molt_m256i molt_mm256_insert_epi64(molt_m256i a, long long i, int imm)
{
    int h = (imm >> 1) & 1;
    molt_m128i v = molt_mm_insert_epi64(molt__half(a, h), i, imm & 1);
    return h ? molt__join(molt__half(a, 0), v) : molt__join(v, molt__half(a, 1));
}

/* Cross-lane permutes. Each takes lanes through a small array, so the
 * selectors need not be constants. */
/* 128-bit halves: a.lo, a.hi, b.lo, b.hi (imm bits 0..1 and 4..5) or zero (bits 3, 7) */
static inline molt_m128i molt__select128i(molt_m256i a, molt_m256i b, int ctl)
{
    if (ctl & 8)
        return molt_mm_setzero_si128();
    return molt__half((ctl & 2) ? b : a, ctl & 1);
}
static inline molt_m256i molt_mm256_permute2x128_si256(molt_m256i a, molt_m256i b, int imm)
{
    return molt__join(molt__select128i(a, b, imm & 15), molt__select128i(a, b, (imm >> 4) & 15));
}
/* 64-bit lane i = a[imm bits 2i..2i+1] */
static inline molt_m256i molt_mm256_permute4x64_epi64(molt_m256i a, int imm)
{
    int64_t x[4], r[4];
    molt_mm256_storeu_si256((molt_m256i *)(void *)x, a);
    for (int k = 0; k < 4; k++)
        r[k] = x[(imm >> (2 * k)) & 3];
    return molt_mm256_loadu_si256((const molt_m256i *)(const void *)r);
}
/* 32-bit lane i = a[idx[i] & 7] */
static inline molt_m256i molt_mm256_permutevar8x32_epi32(molt_m256i a, molt_m256i idx)
{
    return molt_mm256_castps_si256(molt_mm256_permutevar8x32_ps(molt_mm256_castsi256_ps(a), idx));
}
/* 32-bit lane i from b where bit i of imm is set */
static inline molt_m256i molt_mm256_blend_epi32(molt_m256i a, molt_m256i b, int imm)
{
    return molt_mm256_castps_si256(molt_mm256_blend_ps(molt_mm256_castsi256_ps(a), molt_mm256_castsi256_ps(b), imm));
}
static inline molt_m128i molt_mm_blend_epi32(molt_m128i a, molt_m128i b, int imm)
{
    return molt_mm_castps_si128(molt_mm_blend_ps(molt_mm_castsi128_ps(a), molt_mm_castsi128_ps(b), imm & 15));
}

/* Masked loads and stores of 32-bit lanes (sign bit of the mask lane);
 * lanes not selected are not touched in memory and load 0. */
static inline molt_m128i molt_mm_maskload_epi32(const int *p, molt_m128i mask)
{
    int32_t m[4], r[4];
    molt_mm_storeu_si128((molt_m128i *)(void *)m, mask);
    for (int k = 0; k < 4; k++)
        r[k] = m[k] < 0 ? p[k] : 0;
    return molt_mm_loadu_si128((const molt_m128i *)(const void *)r);
}
static inline void molt_mm_maskstore_epi32(int *p, molt_m128i mask, molt_m128i a)
{
    int32_t m[4], v[4];
    molt_mm_storeu_si128((molt_m128i *)(void *)m, mask);
    molt_mm_storeu_si128((molt_m128i *)(void *)v, a);
    for (int k = 0; k < 4; k++)
        if (m[k] < 0)
            p[k] = v[k];
}
static inline molt_m256i molt_mm256_maskload_epi32(const int *p, molt_m256i mask)
{
    return molt__join(molt_mm_maskload_epi32(p, molt__half(mask, 0)), molt_mm_maskload_epi32(p + 4, molt__half(mask, 1)));
}
static inline void molt_mm256_maskstore_epi32(int *p, molt_m256i mask, molt_m256i a)
{
    molt_mm_maskstore_epi32(p, molt__half(mask, 0), molt__half(a, 0));
    molt_mm_maskstore_epi32(p + 4, molt__half(mask, 1), molt__half(a, 1));
}
static inline molt_m128 molt_mm_maskload_ps(const float *p, molt_m128i mask)
{
    return molt_mm_castsi128_ps(molt_mm_maskload_epi32((const int *)(const void *)p, mask));
}
static inline void molt_mm_maskstore_ps(float *p, molt_m128i mask, molt_m128 a)
{
    int32_t m[4];
    float v[4];
    molt_mm_storeu_si128((molt_m128i *)(void *)m, mask);
    molt_mm_storeu_ps(v, a);
    for (int k = 0; k < 4; k++)
        if (m[k] < 0)
            p[k] = v[k];
}

/* Gathers: lane i = *(base + idx[i] * scale bytes); scale is 1, 2, 4 or 8. */
static inline molt_m128i molt_mm_i32gather_epi32(const int *base, molt_m128i idx, int scale)
{
    int32_t ix[4], r[4];
    molt_mm_storeu_si128((molt_m128i *)(void *)ix, idx);
    for (int k = 0; k < 4; k++)
        memcpy(&r[k], (const char *)base + (ptrdiff_t)ix[k] * scale, 4);
    return molt_mm_loadu_si128((const molt_m128i *)(const void *)r);
}
static inline molt_m256i molt_mm256_i32gather_epi32(const int *base, molt_m256i idx, int scale)
{
    return molt__join(molt_mm_i32gather_epi32(base, molt__half(idx, 0), scale), molt_mm_i32gather_epi32(base, molt__half(idx, 1), scale));
}
static inline molt_m128 molt_mm_i32gather_ps(const float *base, molt_m128i idx, int scale)
{
    return molt_mm_castsi128_ps(molt_mm_i32gather_epi32((const int *)(const void *)base, idx, scale));
}
static inline molt_m256 molt_mm256_i32gather_ps(const float *base, molt_m256i idx, int scale)
{
    return molt_mm256_castsi256_ps(molt_mm256_i32gather_epi32((const int *)(const void *)base, idx, scale));
}

/* float broadcasts and 128-bit float halves */
static inline molt_m128 molt_mm_broadcastss_ps(molt_m128 a) { return molt_mm_set1_ps(molt_mm_cvtss_f32(a)); }
static inline molt_m256 molt_mm256_broadcastss_ps(molt_m128 a) { return molt_mm256_set1_ps(molt_mm_cvtss_f32(a)); }
static inline molt_m256 molt_mm256_broadcast_ps(const molt_m128 *p)
{
    molt_m128 v = molt_mm_loadu_ps((const float *)(const void *)p);
    return molt_mm256_set_m128(v, v);
}
static inline molt_m256 molt_mm256_setr_m128(molt_m128 lo, molt_m128 hi) { return molt_mm256_set_m128(hi, lo); }
static inline molt_m256 molt_mm256_loadu2_m128(const float *hi, const float *lo)
{
    return molt_mm256_set_m128(molt_mm_loadu_ps(hi), molt_mm_loadu_ps(lo));
}
static inline void molt_mm256_storeu2_m128(float *hi, float *lo, molt_m256 a)
{
    molt_mm_storeu_ps(lo, molt_mm256_castps256_ps128(a));
    molt_mm_storeu_ps(hi, molt_mm256_extractf128_ps(a, 1));
}
static inline molt_m256i molt_mm256_permute2f128_si256(molt_m256i a, molt_m256i b, int imm)
{
    return molt_mm256_permute2x128_si256(a, b, imm);
}
static inline molt_m128i molt_mm256_extractf128_si256(molt_m256i a, int imm) { return molt__half(a, imm & 1); }
static inline molt_m256i molt_mm256_insertf128_si256(molt_m256i a, molt_m128i b, int imm) { return molt_mm256_inserti128_si256(a, b, imm); }

/* 256-bit doubles; FMA on doubles */
static inline molt_m128d molt__halfd(molt_m256d a, int h) { molt_m128d r; memcpy(r.d, a.d + 2 * h, 16); return r; }
static inline molt_m256d molt__joind(molt_m128d lo, molt_m128d hi)
{
    molt_m256d r;
    memcpy(r.d, lo.d, 16);
    memcpy(r.d + 2, hi.d, 16);
    return r;
}
static inline molt_m256i molt_mm256_castpd_si256(molt_m256d a) { molt_m256i r; memcpy(r.i, a.d, 32); return r; }
static inline molt_m256d molt_mm256_castsi256_pd(molt_m256i a) { molt_m256d r; memcpy(r.d, a.i, 32); return r; }
/* fused, one rounding: a*b+c, a*b-c, -(a*b)+c, -(a*b)-c */
static inline molt_m128d molt_mm_fmadd_pd(molt_m128d a, molt_m128d b, molt_m128d c) { a.d[0] = fma(a.d[0], b.d[0], c.d[0]); a.d[1] = fma(a.d[1], b.d[1], c.d[1]); return a; }
static inline molt_m128d molt_mm_fmsub_pd(molt_m128d a, molt_m128d b, molt_m128d c) { a.d[0] = fma(a.d[0], b.d[0], -c.d[0]); a.d[1] = fma(a.d[1], b.d[1], -c.d[1]); return a; }
static inline molt_m128d molt_mm_fnmadd_pd(molt_m128d a, molt_m128d b, molt_m128d c) { a.d[0] = fma(-a.d[0], b.d[0], c.d[0]); a.d[1] = fma(-a.d[1], b.d[1], c.d[1]); return a; }
static inline molt_m128d molt_mm_fnmsub_pd(molt_m128d a, molt_m128d b, molt_m128d c) { a.d[0] = fma(-a.d[0], b.d[0], -c.d[0]); a.d[1] = fma(-a.d[1], b.d[1], -c.d[1]); return a; }

/* ------------------------------------------------------------------------ */
/* AVX doubles: the 128-bit operations on each half                         */
/* ------------------------------------------------------------------------ */

#define MOLT__SPLITD1(n256, n128) \
    static inline molt_m256d n256(molt_m256d a) { return molt__joind(n128(molt__halfd(a, 0)), n128(molt__halfd(a, 1))); }
#define MOLT__SPLITD2(n256, n128)                                                          \
    static inline molt_m256d n256(molt_m256d a, molt_m256d b)                              \
    {                                                                                      \
        return molt__joind(n128(molt__halfd(a, 0), molt__halfd(b, 0)), n128(molt__halfd(a, 1), molt__halfd(b, 1))); \
    }
#define MOLT__SPLITD3(n256, n128)                                                          \
    static inline molt_m256d n256(molt_m256d a, molt_m256d b, molt_m256d c)                \
    {                                                                                      \
        return molt__joind(n128(molt__halfd(a, 0), molt__halfd(b, 0), molt__halfd(c, 0)),  \
                           n128(molt__halfd(a, 1), molt__halfd(b, 1), molt__halfd(c, 1))); \
    }

static inline molt_m256d molt_mm256_loadu_pd(const double *p) { return molt__joind(molt_mm_loadu_pd(p), molt_mm_loadu_pd(p + 2)); }
/* x86 faults on a pointer not 32-byte aligned; this does not check. */
static inline molt_m256d molt_mm256_load_pd(const double *p) { return molt_mm256_loadu_pd(p); }
static inline void molt_mm256_storeu_pd(double *p, molt_m256d a)
{
    molt_mm_storeu_pd(p, molt__halfd(a, 0));
    molt_mm_storeu_pd(p + 2, molt__halfd(a, 1));
}
static inline void molt_mm256_store_pd(double *p, molt_m256d a) { molt_mm256_storeu_pd(p, a); }
static inline molt_m256d molt_mm256_setr_pd(double e0, double e1, double e2, double e3)
{
    return molt__joind(molt_mm_setr_pd(e0, e1), molt_mm_setr_pd(e2, e3));
}
static inline molt_m256d molt_mm256_set_pd(double e3, double e2, double e1, double e0)
{
    return molt__joind(molt_mm_setr_pd(e0, e1), molt_mm_setr_pd(e2, e3));
}
static inline molt_m256d molt_mm256_set1_pd(double a) { return molt__joind(molt_mm_set1_pd(a), molt_mm_set1_pd(a)); }
static inline molt_m256d molt_mm256_setzero_pd(void) { return molt__joind(molt_mm_setzero_pd(), molt_mm_setzero_pd()); }
static inline molt_m256d molt_mm256_broadcast_sd(const double *p) { return molt__joind(molt_mm_load1_pd(p), molt_mm_load1_pd(p)); }
static inline double molt_mm256_cvtsd_f64(molt_m256d a) { return molt_mm_cvtsd_f64(molt__halfd(a, 0)); }

MOLT__SPLITD2(molt_mm256_add_pd, molt_mm_add_pd)
MOLT__SPLITD2(molt_mm256_sub_pd, molt_mm_sub_pd)
MOLT__SPLITD2(molt_mm256_mul_pd, molt_mm_mul_pd)
MOLT__SPLITD2(molt_mm256_div_pd, molt_mm_div_pd)
MOLT__SPLITD1(molt_mm256_sqrt_pd, molt_mm_sqrt_pd)
MOLT__SPLITD2(molt_mm256_max_pd, molt_mm_max_pd)
MOLT__SPLITD2(molt_mm256_min_pd, molt_mm_min_pd)
MOLT__SPLITD2(molt_mm256_hadd_pd, molt_mm_hadd_pd)
MOLT__SPLITD2(molt_mm256_addsub_pd, molt_mm_addsub_pd)
MOLT__SPLITD2(molt_mm256_and_pd, molt_mm_and_pd)
MOLT__SPLITD2(molt_mm256_or_pd, molt_mm_or_pd)
MOLT__SPLITD2(molt_mm256_xor_pd, molt_mm_xor_pd)
MOLT__SPLITD2(molt_mm256_andnot_pd, molt_mm_andnot_pd)
MOLT__SPLITD2(molt_mm256_unpacklo_pd, molt_mm_unpacklo_pd)
MOLT__SPLITD2(molt_mm256_unpackhi_pd, molt_mm_unpackhi_pd)
MOLT__SPLITD3(molt_mm256_blendv_pd, molt_mm_blendv_pd)
MOLT__SPLITD1(molt_mm256_floor_pd, molt_mm_floor_pd)
MOLT__SPLITD1(molt_mm256_ceil_pd, molt_mm_ceil_pd)
MOLT__SPLITD3(molt_mm256_fmadd_pd, molt_mm_fmadd_pd)
MOLT__SPLITD3(molt_mm256_fmsub_pd, molt_mm_fmsub_pd)
MOLT__SPLITD3(molt_mm256_fnmadd_pd, molt_mm_fnmadd_pd)
MOLT__SPLITD3(molt_mm256_fnmsub_pd, molt_mm_fnmsub_pd)

static inline molt_m256d molt_mm256_cmp_pd(molt_m256d a, molt_m256d b, int pred)
{
    return molt__joind(molt_mm_cmp_pd(molt__halfd(a, 0), molt__halfd(b, 0), pred), molt_mm_cmp_pd(molt__halfd(a, 1), molt__halfd(b, 1), pred));
}
static inline molt_m256d molt_mm256_round_pd(molt_m256d a, int imm)
{
    return molt__joind(molt_mm_round_pd(molt__halfd(a, 0), imm), molt_mm_round_pd(molt__halfd(a, 1), imm));
}
/* imm bits 0..1 for the low half, 2..3 for the high half */
static inline molt_m256d molt_mm256_shuffle_pd(molt_m256d a, molt_m256d b, int imm)
{
    return molt__joind(molt_mm_shuffle_pd(molt__halfd(a, 0), molt__halfd(b, 0), imm & 3),
                       molt_mm_shuffle_pd(molt__halfd(a, 1), molt__halfd(b, 1), (imm >> 2) & 3));
}
static inline molt_m256d molt_mm256_blend_pd(molt_m256d a, molt_m256d b, int imm)
{
    return molt__joind(molt_mm_blend_pd(molt__halfd(a, 0), molt__halfd(b, 0), imm & 3),
                       molt_mm_blend_pd(molt__halfd(a, 1), molt__halfd(b, 1), (imm >> 2) & 3));
}
static inline int molt_mm256_movemask_pd(molt_m256d a)
{
    return molt_mm_movemask_pd(molt__halfd(a, 0)) | (molt_mm_movemask_pd(molt__halfd(a, 1)) << 2);
}
static inline molt_m128d molt_mm256_extractf128_pd(molt_m256d a, int imm) { return molt__halfd(a, imm & 1); }
static inline molt_m256d molt_mm256_insertf128_pd(molt_m256d a, molt_m128d b, int imm)
{
    return (imm & 1) ? molt__joind(molt__halfd(a, 0), b) : molt__joind(b, molt__halfd(a, 1));
}
static inline molt_m256d molt_mm256_permute2f128_pd(molt_m256d a, molt_m256d b, int imm)
{
    return molt_mm256_castsi256_pd(molt_mm256_permute2x128_si256(molt_mm256_castpd_si256(a), molt_mm256_castpd_si256(b), imm));
}
static inline molt_m256d molt_mm256_permute4x64_pd(molt_m256d a, int imm)
{
    return molt_mm256_castsi256_pd(molt_mm256_permute4x64_epi64(molt_mm256_castpd_si256(a), imm));
}
static inline molt_m128d molt_mm256_castpd256_pd128(molt_m256d a) { return molt__halfd(a, 0); }
/* x86 leaves the upper half undefined; here it is zero. */
static inline molt_m256d molt_mm256_castpd128_pd256(molt_m128d a) { return molt__joind(a, molt_mm_setzero_pd()); }
static inline molt_m256 molt_mm256_castpd_ps(molt_m256d a)
{
    return molt_mm256_set_m128(molt_mm_castpd_ps(molt__halfd(a, 1)), molt_mm_castpd_ps(molt__halfd(a, 0)));
}
static inline molt_m256d molt_mm256_castps_pd(molt_m256 a)
{
    return molt__joind(molt_mm_castps_pd(molt_mm256_extractf128_ps(a, 0)), molt_mm_castps_pd(molt_mm256_extractf128_ps(a, 1)));
}
/* exact */
static inline molt_m256d molt_mm256_cvtps_pd(molt_m128 a)
{
    return molt__joind(molt_mm_cvtps_pd(a), molt_mm_cvtps_pd(molt_mm_movehl_ps(a, a)));
}
/* rounded in the current mode */
static inline molt_m128 molt_mm256_cvtpd_ps(molt_m256d a)
{
    return molt_mm_movelh_ps(molt_mm_cvtpd_ps(molt__halfd(a, 0)), molt_mm_cvtpd_ps(molt__halfd(a, 1)));
}
static inline molt_m256d molt_mm256_cvtepi32_pd(molt_m128i a)
{
    return molt__joind(molt_mm_cvtepi32_pd(a), molt_mm_cvtepi32_pd(molt_mm_srli_si128(a, 8)));
}
/* NaN and out-of-range give 0x80000000 as on x86 */
static inline molt_m128i molt_mm256_cvtpd_epi32(molt_m256d a)
{
    return molt_mm_unpacklo_epi64(molt_mm_cvtpd_epi32(molt__halfd(a, 0)), molt_mm_cvtpd_epi32(molt__halfd(a, 1)));
}
static inline molt_m128i molt_mm256_cvttpd_epi32(molt_m256d a)
{
    return molt_mm_unpacklo_epi64(molt_mm_cvttpd_epi32(molt__halfd(a, 0)), molt_mm_cvttpd_epi32(molt__halfd(a, 1)));
}

/* ------------------------------------------------------------------------ */
/* Scalar extensions: BMI1, BMI2, LZCNT, POPCNT (portable C: the compiler   */
/* picks the instructions); CRC32C; aligned allocation; F16C helpers        */
/* ------------------------------------------------------------------------ */

static inline unsigned int molt_andn_u32(unsigned int a, unsigned int b) { return ~a & b; }
static inline unsigned long long molt_andn_u64(unsigned long long a, unsigned long long b) { return ~a & b; }
/* lowest set bit cleared / isolated / mask up to and including it */
static inline unsigned int molt_blsr_u32(unsigned int a) { return a & (a - 1u); }
static inline unsigned long long molt_blsr_u64(unsigned long long a) { return a & (a - 1u); }
static inline unsigned int molt_blsi_u32(unsigned int a) { return a & (0u - a); }
static inline unsigned long long molt_blsi_u64(unsigned long long a) { return a & (0u - a); }
static inline unsigned int molt_blsmsk_u32(unsigned int a) { return a ^ (a - 1u); }
static inline unsigned long long molt_blsmsk_u64(unsigned long long a) { return a ^ (a - 1u); }
/* bits start..start+len-1 of a (start, len: the low 8 bits of each); bits
 * past the top read as 0 */
static inline unsigned long long molt__bextr(unsigned long long a, unsigned start, unsigned len, unsigned width)
{
    start &= 0xff;
    len &= 0xff;
    if (start >= width)
        return 0;
    a >>= start;
    return len >= 64 ? a : a & ((1ull << len) - 1u);
}
static inline unsigned int molt_bextr_u32(unsigned int a, unsigned int start, unsigned int len)
{
    return (unsigned int)molt__bextr(a, start, len, 32);
}
static inline unsigned long long molt_bextr_u64(unsigned long long a, unsigned int start, unsigned int len)
{
    return molt__bextr(a, start, len, 64);
}
/* bits at and above index (its low 8 bits) cleared */
static inline unsigned int molt_bzhi_u32(unsigned int a, unsigned int index)
{
    unsigned n = index & 0xff;
    return n >= 32 ? a : a & ((1u << n) - 1u);
}
static inline unsigned long long molt_bzhi_u64(unsigned long long a, unsigned int index)
{
    unsigned n = index & 0xff;
    return n >= 64 ? a : a & ((1ull << n) - 1u);
}
/* deposit the low bits of a at the set bits of mask / gather the bits of a
 * at the set bits of mask into the low bits */
static inline unsigned long long molt__pdep(unsigned long long a, unsigned long long mask)
{
    unsigned long long r = 0, bit = 1;
    for (; mask; mask &= mask - 1u, bit <<= 1)
        if (a & bit)
            r |= mask & (0u - mask);
    return r;
}
static inline unsigned long long molt__pext(unsigned long long a, unsigned long long mask)
{
    unsigned long long r = 0, bit = 1;
    for (; mask; mask &= mask - 1u, bit <<= 1)
        if (a & mask & (0u - mask))
            r |= bit;
    return r;
}
static inline unsigned int molt_pdep_u32(unsigned int a, unsigned int mask) { return (unsigned int)molt__pdep(a, mask); }
static inline unsigned long long molt_pdep_u64(unsigned long long a, unsigned long long mask) { return molt__pdep(a, mask); }
static inline unsigned int molt_pext_u32(unsigned int a, unsigned int mask) { return (unsigned int)molt__pext(a, mask); }
static inline unsigned long long molt_pext_u64(unsigned long long a, unsigned long long mask) { return molt__pext(a, mask); }
/* full products: low half returned, high half stored */
static inline unsigned long long molt_mulx_u64(unsigned long long a, unsigned long long b, unsigned long long *hi)
{
    unsigned long long al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
    unsigned long long ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    unsigned long long mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return (mid << 32) | (ll & 0xffffffffu);
}

/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as the SSE4.2
 * crc32 instruction: no inversion on entry or exit. */
static inline uint32_t molt__crc32c(uint32_t crc, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) {
        crc ^= (uint32_t)(v >> (8 * i)) & 0xffu;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return crc;
}

/* Aligned allocation (align a power of two; otherwise NULL, as x86's
 * posix_memalign-based _mm_malloc). Free with molt_mm_free only. */
static inline void *molt_mm_malloc(size_t size, size_t align)
{
    if (align == 0 || (align & (align - 1)) != 0)
        return NULL;
    if (align < sizeof(void *))
        align = sizeof(void *);
    if (size > (size_t)-1 - align - sizeof(void *))
        return NULL;
    void *raw = malloc(size + align + sizeof(void *));
    if (!raw)
        return NULL;
    uintptr_t p = ((uintptr_t)raw + sizeof(void *) + align - 1) & ~(uintptr_t)(align - 1);
    memcpy((void *)(p - sizeof(void *)), &raw, sizeof raw);
    return (void *)p;
}
static inline void molt_mm_free(void *p)
{
    if (p) {
        void *raw;
        memcpy(&raw, (char *)p - sizeof raw, sizeof raw);
        free(raw);
    }
}

/* float bits -> half bits, rounding: 0 nearest even, 1 down, 2 up, 3 toward
 * zero. NaNs keep the top payload bits and are made quiet. */
static inline uint16_t molt__f2h(uint32_t x, int mode)
{
    uint32_t sign = (x >> 16) & 0x8000u, e = (x >> 23) & 0xffu, m = x & 0x7fffffu;
    if (e == 0xff)
        return (uint16_t)(sign | 0x7c00u | (m ? 0x200u | (m >> 13) : 0u));
    uint32_t full = e ? (m | 0x800000u) : m;
    int exp2 = (e ? (int)e : 1) - 150;          /* value = full * 2^exp2 */
    int E = (e ? (int)e : 1) - 127;             /* unbiased exponent (normal floats) */
    int ulp = (E < -14 ? -14 : E) - 10;         /* exponent of the half ulp */
    int shift = ulp - exp2;
    if (shift > 26)
        shift = 26;
    uint32_t q = full >> shift, rem = full & ((1u << shift) - 1u), halfway = 1u << (shift - 1);
    int up;
    switch (mode & 3) {
    case 0: up = rem > halfway || (rem == halfway && (q & 1u)); break;
    case 1: up = rem != 0 && sign; break;
    case 2: up = rem != 0 && !sign; break;
    default: up = 0; break;
    }
    q += (uint32_t)up;
    uint32_t bits = E < -14 ? q : ((uint32_t)(E + 14) << 10) + q;
    if (bits >= 0x7c00u) {
        int to_inf = (mode & 3) == 0 || ((mode & 3) == 2 && !sign) || ((mode & 3) == 1 && sign);
        bits = to_inf ? 0x7c00u : 0x7bffu;
    }
    return (uint16_t)(sign | bits);
}
/* half bits -> float: exact; NaNs made quiet */
static inline float molt__h2f(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu, bits;
    if (e == 0x1f)
        bits = sign | 0x7f800000u | (m ? 0x400000u | (m << 13) : 0u);
    else if (e == 0) {
        float v = (float)m * 5.9604644775390625e-8f; /* m * 2^-24, exact */
        uint32_t vb;
        memcpy(&vb, &v, 4);
        bits = sign | vb;
    } else
        bits = sign | ((e + 112u) << 23) | (m << 13);
    float f;
    memcpy(&f, &bits, 4);
    return f;
}
/* rounding control of the F16C immediate: bit 2 set = the current mode */
static inline int molt__f16c_mode(int imm)
{
    if (!(imm & 4))
        return imm & 3;
#if defined(FE_DOWNWARD) && defined(FE_UPWARD) && defined(FE_TOWARDZERO)
    switch (fegetround()) {
    case FE_DOWNWARD: return 1;
    case FE_UPWARD: return 2;
    case FE_TOWARDZERO: return 3;
    default: return 0;
    }
#else
    return 0;
#endif
}
static inline float molt_cvtsh_ss(unsigned short a) { return molt__h2f(a); }
static inline unsigned short molt_cvtss_sh(float a, int imm)
{
    uint32_t x;
    memcpy(&x, &a, 4);
    return molt__f2h(x, molt__f16c_mode(imm));
}
/* 4 (8) floats -> halves in the low 64 (all 128) bits, the rest 0 */
static inline molt_m128i molt_mm_cvtps_ph(molt_m128 a, int imm)
{
    float f[4];
    uint16_t h[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    molt_mm_storeu_ps(f, a);
    int mode = molt__f16c_mode(imm);
    for (int k = 0; k < 4; k++) {
        uint32_t x;
        memcpy(&x, &f[k], 4);
        h[k] = molt__f2h(x, mode);
    }
    return molt_mm_loadu_si128((const molt_m128i *)(const void *)h);
}
static inline molt_m128i molt_mm256_cvtps_ph(molt_m256 a, int imm)
{
    molt_m128i lo = molt_mm_cvtps_ph(molt_mm256_extractf128_ps(a, 0), imm);
    molt_m128i hi = molt_mm_cvtps_ph(molt_mm256_extractf128_ps(a, 1), imm);
    return molt_mm_unpacklo_epi64(lo, hi);
}

/* MXCSR, as far as the C floating-point environment models it: rounding
 * (bits 13..14) and the exception flags (bits 0, 2..5) are real; the
 * exception masks read as all set (0x1F80, x86's default) and writes to
 * them, to the denormal flag (bit 1), DAZ (bit 6) and FTZ (bit 15) are
 * ignored. */
static inline unsigned int molt_MM_GET_ROUNDING_MODE(void)
{
#if defined(FE_DOWNWARD) && defined(FE_UPWARD) && defined(FE_TOWARDZERO)
    switch (fegetround()) {
    case FE_DOWNWARD: return 0x2000u;
    case FE_UPWARD: return 0x4000u;
    case FE_TOWARDZERO: return 0x6000u;
    default: return 0x0000u;
    }
#else
    return 0x0000u;
#endif
}
static inline void molt_MM_SET_ROUNDING_MODE(unsigned int mode)
{
#if defined(FE_DOWNWARD) && defined(FE_UPWARD) && defined(FE_TOWARDZERO)
    switch (mode & 0x6000u) {
    case 0x2000u: fesetround(FE_DOWNWARD); break;
    case 0x4000u: fesetround(FE_UPWARD); break;
    case 0x6000u: fesetround(FE_TOWARDZERO); break;
    default: fesetround(FE_TONEAREST); break;
    }
#else
    (void)mode;
#endif
}
static inline unsigned int molt_MM_GET_EXCEPTION_STATE(void)
{
    unsigned int r = 0;
#if defined(FE_INVALID)
    r |= fetestexcept(FE_INVALID) ? 0x01u : 0u;
#endif
#if defined(FE_DIVBYZERO)
    r |= fetestexcept(FE_DIVBYZERO) ? 0x04u : 0u;
#endif
#if defined(FE_OVERFLOW)
    r |= fetestexcept(FE_OVERFLOW) ? 0x08u : 0u;
#endif
#if defined(FE_UNDERFLOW)
    r |= fetestexcept(FE_UNDERFLOW) ? 0x10u : 0u;
#endif
#if defined(FE_INEXACT)
    r |= fetestexcept(FE_INEXACT) ? 0x20u : 0u;
#endif
    return r;
}
static inline void molt_MM_SET_EXCEPTION_STATE(unsigned int flags)
{
#if defined(FE_ALL_EXCEPT)
    feclearexcept(FE_ALL_EXCEPT);
#endif
#if defined(FE_INVALID)
    if (flags & 0x01u)
        feraiseexcept(FE_INVALID);
#endif
#if defined(FE_DIVBYZERO)
    if (flags & 0x04u)
        feraiseexcept(FE_DIVBYZERO);
#endif
#if defined(FE_OVERFLOW)
    if (flags & 0x08u)
        feraiseexcept(FE_OVERFLOW);
#endif
#if defined(FE_UNDERFLOW)
    if (flags & 0x10u)
        feraiseexcept(FE_UNDERFLOW);
#endif
#if defined(FE_INEXACT)
    if (flags & 0x20u)
        feraiseexcept(FE_INEXACT);
#endif
    (void)flags;
}
static inline unsigned int molt_mm_getcsr(void) { return 0x1f80u | molt_MM_GET_ROUNDING_MODE() | molt_MM_GET_EXCEPTION_STATE(); }
static inline void molt_mm_setcsr(unsigned int csr)
{
    molt_MM_SET_ROUNDING_MODE(csr);
    molt_MM_SET_EXCEPTION_STATE(csr & 0x3fu);
}

/* ------------------------------------------------------------------------ */
/* POPCNT, LZCNT, TZCNT, CRC32, hints and fences                            */
/* ------------------------------------------------------------------------ */

static inline int molt_mm_popcnt_u32(unsigned int a)
{
    int n = 0;
    for (; a; a &= a - 1u)
        n++;
    return n;
}
static inline long long molt_mm_popcnt_u64(unsigned long long a)
{
    long long n = 0;
    for (; a; a &= a - 1u)
        n++;
    return n;
}
/* leading / trailing zero counts, the width for 0 */
static inline unsigned int molt_lzcnt_u32(unsigned int a)
{
    unsigned int n = 0;
    for (unsigned int bit = 0x80000000u; bit && !(a & bit); bit >>= 1)
        n++;
    return n;
}
static inline unsigned long long molt_lzcnt_u64(unsigned long long a)
{
    unsigned long long n = 0;
    for (unsigned long long bit = 1ull << 63; bit && !(a & bit); bit >>= 1)
        n++;
    return n;
}
static inline unsigned int molt_tzcnt_u32(unsigned int a)
{
    unsigned int n = 0;
    for (unsigned int bit = 1; bit && !(a & bit); bit <<= 1)
        n++;
    return n;
}
static inline unsigned long long molt_tzcnt_u64(unsigned long long a)
{
    unsigned long long n = 0;
    for (unsigned long long bit = 1; bit && !(a & bit); bit <<= 1)
        n++;
    return n;
}

/* CRC-32C */
static inline unsigned int molt_mm_crc32_u8(unsigned int crc, unsigned char v) { return molt__crc32c(crc, v, 1); }
static inline unsigned int molt_mm_crc32_u16(unsigned int crc, unsigned short v) { return molt__crc32c(crc, v, 2); }
static inline unsigned int molt_mm_crc32_u32(unsigned int crc, unsigned int v) { return molt__crc32c(crc, v, 4); }
static inline unsigned long long molt_mm_crc32_u64(unsigned long long crc, unsigned long long v)
{
    return molt__crc32c((uint32_t)crc, v, 8);
}

/* hints: nothing to do in portable C */
static inline void molt_mm_prefetch(const void *p, int hint) { (void)p; (void)hint; }
static inline void molt_mm_pause(void) {}
/* fences: a sequentially consistent fence where C11 atomics exist */
static inline void molt__fence(void) { MOLT__SEQ_CST_FENCE(); }
static inline void molt_mm_sfence(void) { molt__fence(); }
static inline void molt_mm_lfence(void) { molt__fence(); }
static inline void molt_mm_mfence(void) { molt__fence(); }

/* 4 (8) halves -> floats: exact; NaNs made quiet */
static inline molt_m128 molt_mm_cvtph_ps(molt_m128i a)
{
    uint16_t h[8];
    memcpy(h, a.i, 16);
    molt_m128 r = {{molt__h2f(h[0]), molt__h2f(h[1]), molt__h2f(h[2]), molt__h2f(h[3])}};
    return r;
}
static inline molt_m256 molt_mm256_cvtph_ps(molt_m128i a)
{
    uint16_t h[8];
    memcpy(h, a.i, 16);
    molt_m256 r;
    for (int k = 0; k < 8; k++)
        r.f[k] = molt__h2f(h[k]);
    return r;
}

#include "molt_simd_derived.h" /* the wrappers written on the ones above: the same for every target */

#endif /* MOLT_SIMD_SCALAR_H */
