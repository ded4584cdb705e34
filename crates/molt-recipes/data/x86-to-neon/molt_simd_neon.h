/*
 * molt_simd_neon.h: x86 SSE..SSE4.2, AVX, AVX2, FMA, F16C, POPCNT, LZCNT, BMI1,
 * BMI2, AES-NI and PCLMULQDQ intrinsics as aarch64 NEON.
 *
 * Part of molt's x86-to-neon recipe. The recipe keeps each x86 function
 * under `#if defined(__x86_64__) || defined(__i386__)` and adds a copy,
 * compiled under `#elif defined(__aarch64__)`, in which
 *
 *   types       __m128 __m256 __m128i __m256i   ->  molt_m128 molt_m256 molt_m128i molt_m256i
 *               __m128d __m256d __m64            ->  molt_m128d molt_m256d molt_m64
 *   intrinsics  _mm_xxx / _mm256_xxx            ->  molt_mm_xxx / molt_mm256_xxx
 *   constants   _CMP_xxx / _MM_FROUND_xxx       ->  MOLT_CMP_xxx / MOLT_MM_FROUND_xxx
 *
 * (that is: "__m" -> "molt_m", "_mm" -> "molt_mm", "_CMP_"/"_MM_" -> "MOLT_CMP_"/"MOLT_MM_").
 * _MM_SHUFFLE is defined here (when not already defined), as is MOLT_MM_SHUFFLE.
 *
 * Semantics are x86's, bit for bit, for every wrapper below except:
 *   - rcp/rsqrt: x86 returns a ~12-bit approximation; these return the
 *     precise 1/x and 1/sqrt(x) (documented at each).
 *   - NaN payloads and signs produced by arithmetic (add, mul, fma, sqrt,
 *     round...): x86 makes the "indefinite" NaN 0xFFC00000 where ARM makes
 *     0x7FC00000, and the operand a NaN propagates from may differ; the
 *     result is a NaN on both. Data movement, min/max, compares, blends
 *     and conversions are exact for NaNs too.
 *   - floating-point exception flags are not modelled, except that
 *     _mm_getcsr / _MM_GET_EXCEPTION_STATE read them from <fenv.h> (the
 *     wrappers may raise more of them than x86: the _ss forms compute all
 *     four lanes); MXCSR masks, DAZ and FTZ are not modelled.
 * CRC32C, AES and PCLMULQDQ use the ARMv8 instructions when the target has
 * them (__ARM_FEATURE_CRC32, __ARM_FEATURE_AES / __ARM_FEATURE_CRYPTO) and
 * portable C otherwise.
 * Denormals are handled like x86 with default MXCSR (no FTZ/DAZ), which
 * is the aarch64 Linux default (FPCR.FZ = 0).
 *
 * 256-bit types are pairs of 128-bit NEON registers (lo = lanes 0..3,
 * hi = lanes 4..7); every 256-bit operation is two 128-bit ones, which
 * is also what AVX does within its two 128-bit lanes.
 *
 * Immediate operands (shuffles, blends, compares, rounding, shifts) are
 * ordinary int parameters, so everything also works at -O0; at -O2 with
 * constant immediates the selection folds away.
 *
 * Note: like GCC's own x86 and NEON headers, separate mul and add calls may
 * be contracted into an FMA by the compiler under -ffp-contract=fast (GCC's
 * default in GNU modes); build with -std=c11 or -ffp-contract=off when
 * results must match x86 bit for bit.
 */
#ifndef MOLT_SIMD_NEON_H
#define MOLT_SIMD_NEON_H

#if !defined(__aarch64__)
#error "molt_simd_neon.h is for aarch64; use molt_simd_scalar.h elsewhere"
#endif

#include <arm_neon.h>
#if defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>
#endif
/* AES instructions (-march=armv8-a+aes or +crypto) and the 64-bit polynomial
 * multiply (GCC's vmull_p64 wants +crypto); otherwise portable C is used */
#if defined(__ARM_FEATURE_AES) || defined(__ARM_FEATURE_CRYPTO)
#define MOLT__NEON_AES 1
#endif
#if defined(__ARM_FEATURE_CRYPTO)
#define MOLT__NEON_PMULL 1
#endif
/* getauxval(AT_HWCAP): which of the crc and crypto extensions the CPU has */
#if defined(__linux__)
#include <sys/auxv.h>
#endif
#include <fenv.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Types                                                                    */
/* ------------------------------------------------------------------------ */

typedef float32x4_t molt_m128; /* __m128:  4 x f32 */
typedef int32x4_t molt_m128i;  /* __m128i: 128 integer bits, viewed as 4 x i32 */
typedef struct {
    float32x4_t lo, hi;
} molt_m256; /* __m256:  8 x f32 */
typedef struct {
    int32x4_t lo, hi;
} molt_m256i; /* __m256i: 256 integer bits, viewed as 8 x i32 */
typedef float64x2_t molt_m128d; /* __m128d: 2 x f64 */
typedef struct {
    float64x2_t lo, hi;
} molt_m256d; /* __m256d: 4 x f64 */
typedef int64x1_t molt_m64; /* __m64: 64 bits (only as the memory operand of loadl_pi and friends) */

/* ------------------------------------------------------------------------ */
/* Constants and macros                                                     */
/* ------------------------------------------------------------------------ */

#define MOLT_MM_SHUFFLE(z, y, x, w) (((z) << 6) | ((y) << 4) | ((x) << 2) | (w))
#ifndef _MM_SHUFFLE
#define _MM_SHUFFLE(z, y, x, w) MOLT_MM_SHUFFLE(z, y, x, w)
#endif

/* _mm_cmp_ps / _mm256_cmp_ps predicates (same values as x86's _CMP_*). */
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

/* _mm_round_ps / _mm256_round_ps modes (same values as x86's _MM_FROUND_*). */
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
/* Internal helpers                                                         */
/* ------------------------------------------------------------------------ */

/* Byte indices for vqtbl: 32-bit lane k (0..7) -> bytes 4k..4k+3. */
static inline uint8x16_t molt__lane_bytes(uint32_t i0, uint32_t i1, uint32_t i2, uint32_t i3)
{
    const uint32_t t[4] = {i0, i1, i2, i3};
    return vreinterpretq_u8_u32(vmlaq_n_u32(vdupq_n_u32(0x03020100u), vld1q_u32(t), 0x04040404u));
}

/* Lanes whose bit is set in the low 4 bits of imm -> all ones. */
static inline uint32x4_t molt__imm_mask4(int imm)
{
    const uint32_t bits[4] = {1, 2, 4, 8};
    return vtstq_u32(vdupq_n_u32((uint32_t)imm), vld1q_u32(bits));
}

/* Lanes whose sign bit is set -> all ones. */
static inline uint32x4_t molt__sign_mask(int32x4_t v)
{
    return vreinterpretq_u32_s32(vshrq_n_s32(v, 31));
}

/* x86 out-of-range rule for float -> int32: NaN and |x| >= 2^31 (except
 * exactly -2^31) give 0x80000000. r holds NEON's saturated conversion. */
static inline int32x4_t molt__cvt_fix(float32x4_t a, int32x4_t r)
{
    uint32x4_t in_range = vcltq_f32(a, vdupq_n_f32(2147483648.0f)); /* false for NaN */
    return vbslq_s32(in_range, r, vdupq_n_s32(INT32_MIN));
}

/* ------------------------------------------------------------------------ */
/* SSE: load, store, set                                                    */
/* ------------------------------------------------------------------------ */

static inline molt_m128 molt_mm_loadu_ps(const float *p) { return vld1q_f32(p); }
/* x86 faults on a pointer not 16-byte aligned; this does not check. */
static inline molt_m128 molt_mm_load_ps(const float *p) { return vld1q_f32(p); }
/* load_ss and set_ss build the low 64 bits and zero the high half: gcc
 * makes that a 32-bit load (or move), which zeroes the rest of the register
 * (gcc 12 adds an `fmov d, d` that is not needed), where a lane set into a
 * zero vector is a zeroing movi and an insert. */
static inline molt_m128 molt_mm_load_ss(const float *p)
{
    return vcombine_f32(vld1_lane_f32(p, vdup_n_f32(0.0f), 0), vdup_n_f32(0.0f));
}
static inline molt_m128 molt_mm_broadcast_ss(const float *p) { return vld1q_dup_f32(p); }
static inline void molt_mm_storeu_ps(float *p, molt_m128 a) { vst1q_f32(p, a); }
static inline void molt_mm_store_ps(float *p, molt_m128 a) { vst1q_f32(p, a); }
static inline void molt_mm_store_ss(float *p, molt_m128 a) { vst1q_lane_f32(p, a, 0); }

static inline molt_m128 molt_mm_setr_ps(float e0, float e1, float e2, float e3)
{
    const float t[4] = {e0, e1, e2, e3};
    return vld1q_f32(t);
}
static inline molt_m128 molt_mm_set_ps(float e3, float e2, float e1, float e0)
{
    return molt_mm_setr_ps(e0, e1, e2, e3);
}
static inline molt_m128 molt_mm_set1_ps(float a) { return vdupq_n_f32(a); }
static inline molt_m128 molt_mm_set_ss(float a) { return vcombine_f32(vset_lane_f32(a, vdup_n_f32(0.0f), 0), vdup_n_f32(0.0f)); }
static inline molt_m128 molt_mm_setzero_ps(void) { return vdupq_n_f32(0.0f); }
static inline float molt_mm_cvtss_f32(molt_m128 a) { return vgetq_lane_f32(a, 0); }

/* ------------------------------------------------------------------------ */
/* SSE: arithmetic                                                          */
/* ------------------------------------------------------------------------ */

static inline molt_m128 molt_mm_add_ps(molt_m128 a, molt_m128 b) { return vaddq_f32(a, b); }
static inline molt_m128 molt_mm_sub_ps(molt_m128 a, molt_m128 b) { return vsubq_f32(a, b); }
static inline molt_m128 molt_mm_mul_ps(molt_m128 a, molt_m128 b) { return vmulq_f32(a, b); }
static inline molt_m128 molt_mm_div_ps(molt_m128 a, molt_m128 b) { return vdivq_f32(a, b); }
static inline molt_m128 molt_mm_sqrt_ps(molt_m128 a) { return vsqrtq_f32(a); }

/* _ss forms: lane 0 computed, lanes 1..3 copied from a. */
static inline molt_m128 molt_mm_add_ss(molt_m128 a, molt_m128 b) { return vcopyq_laneq_f32(a, 0, vaddq_f32(a, b), 0); }
static inline molt_m128 molt_mm_sub_ss(molt_m128 a, molt_m128 b) { return vcopyq_laneq_f32(a, 0, vsubq_f32(a, b), 0); }
static inline molt_m128 molt_mm_mul_ss(molt_m128 a, molt_m128 b) { return vcopyq_laneq_f32(a, 0, vmulq_f32(a, b), 0); }
static inline molt_m128 molt_mm_div_ss(molt_m128 a, molt_m128 b) { return vcopyq_laneq_f32(a, 0, vdivq_f32(a, b), 0); }
static inline molt_m128 molt_mm_sqrt_ss(molt_m128 a) { return vcopyq_laneq_f32(a, 0, vsqrtq_f32(a), 0); }

/* x86 rcpps/rsqrtps are approximations (relative error <= 1.5 * 2^-12, and
 * they treat denormal inputs as zero). These are the PRECISE 1/x and
 * 1/sqrt(x) (correctly rounded division of a correctly rounded sqrt), which
 * is what code using rcp/rsqrt approximates, usually followed by a
 * Newton-Raphson step that then stays within its accuracy. */
static inline molt_m128 molt_mm_rcp_ps(molt_m128 a) { return vdivq_f32(vdupq_n_f32(1.0f), a); }
static inline molt_m128 molt_mm_rsqrt_ps(molt_m128 a) { return vdivq_f32(vdupq_n_f32(1.0f), vsqrtq_f32(a)); }

/* x86 max/min are (a > b ? a : b) / (a < b ? a : b): with a NaN in either
 * operand, or for +0 vs -0, they return b. NEON vmaxq/vminq return NaN and
 * order zeros, so compare and select instead. */
static inline molt_m128 molt_mm_max_ps(molt_m128 a, molt_m128 b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static inline molt_m128 molt_mm_min_ps(molt_m128 a, molt_m128 b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
static inline molt_m128 molt_mm_max_ss(molt_m128 a, molt_m128 b) { return vcopyq_laneq_f32(a, 0, molt_mm_max_ps(a, b), 0); }
static inline molt_m128 molt_mm_min_ss(molt_m128 a, molt_m128 b) { return vcopyq_laneq_f32(a, 0, molt_mm_min_ps(a, b), 0); }

/* ------------------------------------------------------------------------ */
/* SSE: bitwise and compare                                                 */
/* ------------------------------------------------------------------------ */

#define MOLT__U(x) vreinterpretq_u32_f32(x)
#define MOLT__F(x) vreinterpretq_f32_u32(x)

static inline molt_m128 molt_mm_and_ps(molt_m128 a, molt_m128 b) { return MOLT__F(vandq_u32(MOLT__U(a), MOLT__U(b))); }
static inline molt_m128 molt_mm_or_ps(molt_m128 a, molt_m128 b) { return MOLT__F(vorrq_u32(MOLT__U(a), MOLT__U(b))); }
static inline molt_m128 molt_mm_xor_ps(molt_m128 a, molt_m128 b) { return MOLT__F(veorq_u32(MOLT__U(a), MOLT__U(b))); }
/* (~a) & b: note the operand order. */
static inline molt_m128 molt_mm_andnot_ps(molt_m128 a, molt_m128 b) { return MOLT__F(vbicq_u32(MOLT__U(b), MOLT__U(a))); }

static inline uint32x4_t molt__ordered(float32x4_t a, float32x4_t b)
{
    return vandq_u32(vceqq_f32(a, a), vceqq_f32(b, b));
}

/* Compare masks for all 32 predicates. Bits 0..3 select the relation;
 * bit 4 only swaps signalling and quiet behaviour on NaN, which affects
 * exception flags only (not modelled). */
static inline uint32x4_t molt__cmp_mask(float32x4_t a, float32x4_t b, int pred)
{
    switch (pred & 15) {
    case 0x0: return vceqq_f32(a, b);                                        /* EQ_OQ   */
    case 0x1: return vcltq_f32(a, b);                                        /* LT_OS   */
    case 0x2: return vcleq_f32(a, b);                                        /* LE_OS   */
    case 0x3: return vmvnq_u32(molt__ordered(a, b));                         /* UNORD_Q */
    case 0x4: return vmvnq_u32(vceqq_f32(a, b));                             /* NEQ_UQ  */
    case 0x5: return vmvnq_u32(vcltq_f32(a, b));                             /* NLT_US  */
    case 0x6: return vmvnq_u32(vcleq_f32(a, b));                             /* NLE_US  */
    case 0x7: return molt__ordered(a, b);                                    /* ORD_Q   */
    case 0x8: return vorrq_u32(vceqq_f32(a, b), vmvnq_u32(molt__ordered(a, b))); /* EQ_UQ */
    case 0x9: return vmvnq_u32(vcgeq_f32(a, b));                             /* NGE_US  */
    case 0xa: return vmvnq_u32(vcgtq_f32(a, b));                             /* NGT_US  */
    case 0xb: return vdupq_n_u32(0);                                         /* FALSE_OQ */
    case 0xc: return vandq_u32(vmvnq_u32(vceqq_f32(a, b)), molt__ordered(a, b)); /* NEQ_OQ */
    case 0xd: return vcgeq_f32(a, b);                                        /* GE_OS   */
    case 0xe: return vcgtq_f32(a, b);                                        /* GT_OS   */
    default:  return vdupq_n_u32(0xffffffffu);                               /* TRUE_UQ */
    }
}

static inline molt_m128 molt_mm_cmp_ps(molt_m128 a, molt_m128 b, int pred) { return MOLT__F(molt__cmp_mask(a, b, pred)); }
static inline molt_m128 molt_mm_cmpeq_ps(molt_m128 a, molt_m128 b) { return MOLT__F(vceqq_f32(a, b)); }
static inline molt_m128 molt_mm_cmplt_ps(molt_m128 a, molt_m128 b) { return MOLT__F(vcltq_f32(a, b)); }
static inline molt_m128 molt_mm_cmple_ps(molt_m128 a, molt_m128 b) { return MOLT__F(vcleq_f32(a, b)); }
static inline molt_m128 molt_mm_cmpgt_ps(molt_m128 a, molt_m128 b) { return MOLT__F(vcgtq_f32(a, b)); }
static inline molt_m128 molt_mm_cmpge_ps(molt_m128 a, molt_m128 b) { return MOLT__F(vcgeq_f32(a, b)); }
/* true when either operand is NaN */
static inline molt_m128 molt_mm_cmpneq_ps(molt_m128 a, molt_m128 b) { return MOLT__F(vmvnq_u32(vceqq_f32(a, b))); }
static inline molt_m128 molt_mm_cmpord_ps(molt_m128 a, molt_m128 b) { return MOLT__F(molt__ordered(a, b)); }
static inline molt_m128 molt_mm_cmpunord_ps(molt_m128 a, molt_m128 b) { return MOLT__F(vmvnq_u32(molt__ordered(a, b))); }

/* Bit i of the result = sign bit of lane i. */
static inline int molt_mm_movemask_ps(molt_m128 a)
{
    const int32_t shifts[4] = {0, 1, 2, 3};
    uint32x4_t signs = vshrq_n_u32(MOLT__U(a), 31);
    return (int)vaddvq_u32(vshlq_u32(signs, vld1q_s32(shifts)));
}

/* ------------------------------------------------------------------------ */
/* SSE: shuffles                                                            */
/* ------------------------------------------------------------------------ */

/* (a[imm[1:0]], a[imm[3:2]], b[imm[5:4]], b[imm[7:6]]) */
static inline molt_m128 molt_mm_shuffle_ps(molt_m128 a, molt_m128 b, int imm)
{
    uint8x16x2_t t = {{vreinterpretq_u8_f32(a), vreinterpretq_u8_f32(b)}};
    uint8x16_t idx = molt__lane_bytes((uint32_t)imm & 3, ((uint32_t)imm >> 2) & 3,
                                      4 + (((uint32_t)imm >> 4) & 3), 4 + (((uint32_t)imm >> 6) & 3));
    return vreinterpretq_f32_u8(vqtbl2q_u8(t, idx));
}

/* (b2, b3, a2, a3) */
static inline molt_m128 molt_mm_movehl_ps(molt_m128 a, molt_m128 b) { return vcombine_f32(vget_high_f32(b), vget_high_f32(a)); }
/* (a0, a1, b0, b1) */
static inline molt_m128 molt_mm_movelh_ps(molt_m128 a, molt_m128 b) { return vcombine_f32(vget_low_f32(a), vget_low_f32(b)); }
/* (a0, b0, a1, b1) and (a2, b2, a3, b3) */
static inline molt_m128 molt_mm_unpacklo_ps(molt_m128 a, molt_m128 b) { return vzip1q_f32(a, b); }
static inline molt_m128 molt_mm_unpackhi_ps(molt_m128 a, molt_m128 b) { return vzip2q_f32(a, b); }

/* ------------------------------------------------------------------------ */
/* SSE2: integers, conversions, casts                                       */
/* ------------------------------------------------------------------------ */

static inline molt_m128i molt_mm_loadu_si128(const molt_m128i *p) { return vreinterpretq_s32_u8(vld1q_u8((const uint8_t *)p)); }
static inline molt_m128i molt_mm_load_si128(const molt_m128i *p) { return vreinterpretq_s32_u8(vld1q_u8((const uint8_t *)p)); }
static inline void molt_mm_storeu_si128(molt_m128i *p, molt_m128i a) { vst1q_u8((uint8_t *)p, vreinterpretq_u8_s32(a)); }
static inline void molt_mm_store_si128(molt_m128i *p, molt_m128i a) { vst1q_u8((uint8_t *)p, vreinterpretq_u8_s32(a)); }

static inline molt_m128i molt_mm_setr_epi32(int e0, int e1, int e2, int e3)
{
    const int32_t t[4] = {e0, e1, e2, e3};
    return vld1q_s32(t);
}
static inline molt_m128i molt_mm_set_epi32(int e3, int e2, int e1, int e0) { return molt_mm_setr_epi32(e0, e1, e2, e3); }
static inline molt_m128i molt_mm_set1_epi32(int a) { return vdupq_n_s32(a); }
static inline molt_m128i molt_mm_setzero_si128(void) { return vdupq_n_s32(0); }
static inline int molt_mm_cvtsi128_si32(molt_m128i a) { return vgetq_lane_s32(a, 0); }

static inline molt_m128i molt_mm_add_epi32(molt_m128i a, molt_m128i b) { return vaddq_s32(a, b); }
static inline molt_m128i molt_mm_sub_epi32(molt_m128i a, molt_m128i b) { return vsubq_s32(a, b); }
static inline molt_m128i molt_mm_cmpeq_epi32(molt_m128i a, molt_m128i b) { return vreinterpretq_s32_u32(vceqq_s32(a, b)); }
static inline molt_m128i molt_mm_cmpgt_epi32(molt_m128i a, molt_m128i b) { return vreinterpretq_s32_u32(vcgtq_s32(a, b)); }

static inline molt_m128i molt_mm_and_si128(molt_m128i a, molt_m128i b) { return vandq_s32(a, b); }
static inline molt_m128i molt_mm_or_si128(molt_m128i a, molt_m128i b) { return vorrq_s32(a, b); }
static inline molt_m128i molt_mm_xor_si128(molt_m128i a, molt_m128i b) { return veorq_s32(a, b); }
/* (~a) & b */
static inline molt_m128i molt_mm_andnot_si128(molt_m128i a, molt_m128i b) { return vbicq_s32(b, a); }

/* Shifts by an immediate count 0..255: counts above 31 give 0 (logical)
 * or the sign in every bit (arithmetic), as on x86. */
static inline molt_m128i molt_mm_slli_epi32(molt_m128i a, int imm)
{
    unsigned n = (unsigned)imm & 0xff;
    return n > 31 ? vdupq_n_s32(0) : vshlq_s32(a, vdupq_n_s32((int32_t)n));
}
static inline molt_m128i molt_mm_srli_epi32(molt_m128i a, int imm)
{
    unsigned n = (unsigned)imm & 0xff;
    return n > 31 ? vdupq_n_s32(0)
                  : vreinterpretq_s32_u32(vshlq_u32(vreinterpretq_u32_s32(a), vdupq_n_s32(-(int32_t)n)));
}
static inline molt_m128i molt_mm_srai_epi32(molt_m128i a, int imm)
{
    unsigned n = (unsigned)imm & 0xff;
    return vshlq_s32(a, vdupq_n_s32(-(int32_t)(n > 31 ? 31 : n)));
}

/* (a[imm[1:0]], a[imm[3:2]], a[imm[5:4]], a[imm[7:6]]) */
static inline molt_m128i molt_mm_shuffle_epi32(molt_m128i a, int imm)
{
    uint8x16_t idx = molt__lane_bytes((uint32_t)imm & 3, ((uint32_t)imm >> 2) & 3,
                                      ((uint32_t)imm >> 4) & 3, ((uint32_t)imm >> 6) & 3);
    return vreinterpretq_s32_u8(vqtbl1q_u8(vreinterpretq_u8_s32(a), idx));
}

/* float -> int32 in the current rounding mode (round to nearest even by
 * default, like MXCSR). NaN and out-of-range give 0x80000000 as on x86,
 * where NEON would saturate (and give 0 for NaN). */
static inline molt_m128i molt_mm_cvtps_epi32(molt_m128 a) { return molt__cvt_fix(a, vcvtq_s32_f32(vrndiq_f32(a))); }
/* float -> int32 truncating, with the same out-of-range rule. */
static inline molt_m128i molt_mm_cvttps_epi32(molt_m128 a) { return molt__cvt_fix(a, vcvtq_s32_f32(a)); }
static inline molt_m128 molt_mm_cvtepi32_ps(molt_m128i a) { return vcvtq_f32_s32(a); }

static inline molt_m128i molt_mm_castps_si128(molt_m128 a) { return vreinterpretq_s32_f32(a); }
static inline molt_m128 molt_mm_castsi128_ps(molt_m128i a) { return vreinterpretq_f32_s32(a); }

/* ------------------------------------------------------------------------ */
/* SSE3, SSSE3, SSE4.1                                                      */
/* ------------------------------------------------------------------------ */

/* (a0+a1, a2+a3, b0+b1, b2+b3) */
static inline molt_m128 molt_mm_hadd_ps(molt_m128 a, molt_m128 b) { return vpaddq_f32(a, b); }
/* (a0-b0, a1+b1, a2-b2, a3+b3) */
static inline molt_m128 molt_mm_addsub_ps(molt_m128 a, molt_m128 b)
{
    const uint32_t even[4] = {0xffffffffu, 0, 0xffffffffu, 0};
    return vbslq_f32(vld1q_u32(even), vsubq_f32(a, b), vaddq_f32(a, b));
}
/* (a1, a1, a3, a3) and (a0, a0, a2, a2) */
static inline molt_m128 molt_mm_movehdup_ps(molt_m128 a) { return vtrn2q_f32(a, a); }
static inline molt_m128 molt_mm_moveldup_ps(molt_m128 a) { return vtrn1q_f32(a, a); }

/* |a|, with |INT32_MIN| = INT32_MIN as on x86 */
static inline molt_m128i molt_mm_abs_epi32(molt_m128i a) { return vabsq_s32(a); }

static inline molt_m128i molt_mm_mullo_epi32(molt_m128i a, molt_m128i b) { return vmulq_s32(a, b); }
static inline molt_m128i molt_mm_max_epi32(molt_m128i a, molt_m128i b) { return vmaxq_s32(a, b); }
static inline molt_m128i molt_mm_min_epi32(molt_m128i a, molt_m128i b) { return vminq_s32(a, b); }

/* lane i from b where bit i of imm is set, else from a */
static inline molt_m128 molt_mm_blend_ps(molt_m128 a, molt_m128 b, int imm) { return vbslq_f32(molt__imm_mask4(imm), b, a); }
/* lane i from b where the sign bit of mask lane i is set, else from a */
static inline molt_m128 molt_mm_blendv_ps(molt_m128 a, molt_m128 b, molt_m128 mask)
{
    return vbslq_f32(molt__sign_mask(vreinterpretq_s32_f32(mask)), b, a);
}

/* Rounding to an integral float. imm bit 2 (_MM_FROUND_CUR_DIRECTION) uses
 * the current rounding mode; otherwise bits 0..1 choose nearest-even,
 * floor, ceil or truncate. Bit 3 (_MM_FROUND_NO_EXC) only affects flags. */
static inline molt_m128 molt_mm_round_ps(molt_m128 a, int imm)
{
    if (imm & 4)
        return vrndiq_f32(a);
    switch (imm & 3) {
    case 0: return vrndnq_f32(a);
    case 1: return vrndmq_f32(a);
    case 2: return vrndpq_f32(a);
    default: return vrndq_f32(a);
    }
}
static inline molt_m128 molt_mm_floor_ps(molt_m128 a) { return vrndmq_f32(a); }
static inline molt_m128 molt_mm_ceil_ps(molt_m128 a) { return vrndpq_f32(a); }

/* ------------------------------------------------------------------------ */
/* AVX (and 128-bit AVX forms)                                              */
/* ------------------------------------------------------------------------ */

static inline molt_m256 molt__m256(float32x4_t lo, float32x4_t hi)
{
    molt_m256 r;
    r.lo = lo;
    r.hi = hi;
    return r;
}
static inline molt_m256i molt__m256i(int32x4_t lo, int32x4_t hi)
{
    molt_m256i r;
    r.lo = lo;
    r.hi = hi;
    return r;
}

/* 256-bit operations made of two 128-bit ones. */
#define MOLT__PS256_1(name, op) \
    static inline molt_m256 name(molt_m256 a) { return molt__m256(op(a.lo), op(a.hi)); }
#define MOLT__PS256_2(name, op) \
    static inline molt_m256 name(molt_m256 a, molt_m256 b) { return molt__m256(op(a.lo, b.lo), op(a.hi, b.hi)); }
#define MOLT__PS256_3(name, op)                                    \
    static inline molt_m256 name(molt_m256 a, molt_m256 b, molt_m256 c) \
    {                                                              \
        return molt__m256(op(a.lo, b.lo, c.lo), op(a.hi, b.hi, c.hi)); \
    }
#define MOLT__SI256_2(name, op) \
    static inline molt_m256i name(molt_m256i a, molt_m256i b) { return molt__m256i(op(a.lo, b.lo), op(a.hi, b.hi)); }

static inline molt_m256 molt_mm256_loadu_ps(const float *p) { return molt__m256(vld1q_f32(p), vld1q_f32(p + 4)); }
/* x86 faults on a pointer not 32-byte aligned; this does not check. */
static inline molt_m256 molt_mm256_load_ps(const float *p) { return molt__m256(vld1q_f32(p), vld1q_f32(p + 4)); }
static inline void molt_mm256_storeu_ps(float *p, molt_m256 a) { vst1q_f32(p, a.lo); vst1q_f32(p + 4, a.hi); }
static inline void molt_mm256_store_ps(float *p, molt_m256 a) { vst1q_f32(p, a.lo); vst1q_f32(p + 4, a.hi); }
static inline molt_m256 molt_mm256_broadcast_ss(const float *p) { float32x4_t v = vld1q_dup_f32(p); return molt__m256(v, v); }

/* Masked load/store: lanes whose mask sign bit is set; the others are not
 * touched in memory (so they may lie past the end of a buffer) and load 0. */
static inline molt_m256 molt_mm256_maskload_ps(const float *p, molt_m256i mask)
{
    int32_t m[8];
    float r[8];
    vst1q_s32(m, mask.lo);
    vst1q_s32(m + 4, mask.hi);
    for (int i = 0; i < 8; i++)
        r[i] = m[i] < 0 ? p[i] : 0.0f;
    return molt__m256(vld1q_f32(r), vld1q_f32(r + 4));
}
static inline void molt_mm256_maskstore_ps(float *p, molt_m256i mask, molt_m256 a)
{
    int32_t m[8];
    float v[8];
    vst1q_s32(m, mask.lo);
    vst1q_s32(m + 4, mask.hi);
    vst1q_f32(v, a.lo);
    vst1q_f32(v + 4, a.hi);
    for (int i = 0; i < 8; i++)
        if (m[i] < 0)
            p[i] = v[i];
}

static inline molt_m256 molt_mm256_setr_ps(float e0, float e1, float e2, float e3, float e4, float e5,
                                          float e6, float e7)
{
    return molt__m256(molt_mm_setr_ps(e0, e1, e2, e3), molt_mm_setr_ps(e4, e5, e6, e7));
}
static inline molt_m256 molt_mm256_set_ps(float e7, float e6, float e5, float e4, float e3, float e2,
                                         float e1, float e0)
{
    return molt_mm256_setr_ps(e0, e1, e2, e3, e4, e5, e6, e7);
}
static inline molt_m256 molt_mm256_set1_ps(float a) { return molt__m256(vdupq_n_f32(a), vdupq_n_f32(a)); }
static inline molt_m256 molt_mm256_setzero_ps(void) { return molt__m256(vdupq_n_f32(0.0f), vdupq_n_f32(0.0f)); }
static inline molt_m256 molt_mm256_set_m128(molt_m128 hi, molt_m128 lo) { return molt__m256(lo, hi); }
static inline float molt_mm256_cvtss_f32(molt_m256 a) { return vgetq_lane_f32(a.lo, 0); }
/* x86 code calls this before SSE code to avoid AVX-SSE transition stalls;
 * there is nothing to do on aarch64. */
static inline void molt_mm256_zeroupper(void) {}

MOLT__PS256_2(molt_mm256_add_ps, vaddq_f32)
MOLT__PS256_2(molt_mm256_sub_ps, vsubq_f32)
MOLT__PS256_2(molt_mm256_mul_ps, vmulq_f32)
MOLT__PS256_2(molt_mm256_div_ps, vdivq_f32)
MOLT__PS256_1(molt_mm256_sqrt_ps, vsqrtq_f32)
/* precise, where x86 approximates: see molt_mm_rcp_ps */
MOLT__PS256_1(molt_mm256_rcp_ps, molt_mm_rcp_ps)
MOLT__PS256_1(molt_mm256_rsqrt_ps, molt_mm_rsqrt_ps)
/* x86 NaN and signed-zero rule: see molt_mm_max_ps */
MOLT__PS256_2(molt_mm256_max_ps, molt_mm_max_ps)
MOLT__PS256_2(molt_mm256_min_ps, molt_mm_min_ps)
MOLT__PS256_2(molt_mm256_and_ps, molt_mm_and_ps)
MOLT__PS256_2(molt_mm256_or_ps, molt_mm_or_ps)
MOLT__PS256_2(molt_mm256_xor_ps, molt_mm_xor_ps)
MOLT__PS256_2(molt_mm256_andnot_ps, molt_mm_andnot_ps)
/* (a0+a1, a2+a3, b0+b1, b2+b3, a4+a5, a6+a7, b4+b5, b6+b7) */
MOLT__PS256_2(molt_mm256_hadd_ps, vpaddq_f32)
MOLT__PS256_2(molt_mm256_addsub_ps, molt_mm_addsub_ps)
MOLT__PS256_2(molt_mm256_unpacklo_ps, vzip1q_f32)
MOLT__PS256_2(molt_mm256_unpackhi_ps, vzip2q_f32)
MOLT__PS256_3(molt_mm256_blendv_ps, molt_mm_blendv_ps)
MOLT__PS256_1(molt_mm256_floor_ps, vrndmq_f32)
MOLT__PS256_1(molt_mm256_ceil_ps, vrndpq_f32)

static inline molt_m256 molt_mm256_cmp_ps(molt_m256 a, molt_m256 b, int pred)
{
    return molt__m256(molt_mm_cmp_ps(a.lo, b.lo, pred), molt_mm_cmp_ps(a.hi, b.hi, pred));
}
static inline molt_m256 molt_mm256_round_ps(molt_m256 a, int imm)
{
    return molt__m256(molt_mm_round_ps(a.lo, imm), molt_mm_round_ps(a.hi, imm));
}
/* bits 0..3 of imm for lanes 0..3, bits 4..7 for lanes 4..7 */
static inline molt_m256 molt_mm256_blend_ps(molt_m256 a, molt_m256 b, int imm)
{
    return molt__m256(molt_mm_blend_ps(a.lo, b.lo, imm & 15), molt_mm_blend_ps(a.hi, b.hi, (imm >> 4) & 15));
}
static inline int molt_mm256_movemask_ps(molt_m256 a)
{
    return molt_mm_movemask_ps(a.lo) | (molt_mm_movemask_ps(a.hi) << 4);
}

/* In-lane shuffles: the same 8-bit selector applied to each 128-bit half. */
static inline molt_m128 molt_mm_permute_ps(molt_m128 a, int imm) { return molt_mm_shuffle_ps(a, a, imm); }
static inline molt_m256 molt_mm256_permute_ps(molt_m256 a, int imm)
{
    return molt__m256(molt_mm_shuffle_ps(a.lo, a.lo, imm), molt_mm_shuffle_ps(a.hi, a.hi, imm));
}
static inline molt_m256 molt_mm256_shuffle_ps(molt_m256 a, molt_m256 b, int imm)
{
    return molt__m256(molt_mm_shuffle_ps(a.lo, b.lo, imm), molt_mm_shuffle_ps(a.hi, b.hi, imm));
}

/* Selects each 128-bit half of the result from a.lo, a.hi, b.lo, b.hi
 * (imm bits 0..1 and 4..5), or zero (bits 3 and 7). */
static inline float32x4_t molt__select128(molt_m256 a, molt_m256 b, int ctl)
{
    if (ctl & 8)
        return vdupq_n_f32(0.0f);
    switch (ctl & 3) {
    case 0: return a.lo;
    case 1: return a.hi;
    case 2: return b.lo;
    default: return b.hi;
    }
}
static inline molt_m256 molt_mm256_permute2f128_ps(molt_m256 a, molt_m256 b, int imm)
{
    return molt__m256(molt__select128(a, b, imm & 15), molt__select128(a, b, (imm >> 4) & 15));
}

static inline molt_m128 molt_mm256_castps256_ps128(molt_m256 a) { return a.lo; }
/* x86 leaves the upper half undefined; here it is zero. */
static inline molt_m256 molt_mm256_castps128_ps256(molt_m128 a) { return molt__m256(a, vdupq_n_f32(0.0f)); }
static inline molt_m128 molt_mm256_extractf128_ps(molt_m256 a, int imm) { return (imm & 1) ? a.hi : a.lo; }
static inline molt_m256 molt_mm256_insertf128_ps(molt_m256 a, molt_m128 b, int imm)
{
    return (imm & 1) ? molt__m256(a.lo, b) : molt__m256(b, a.hi);
}
static inline molt_m256i molt_mm256_castps_si256(molt_m256 a)
{
    return molt__m256i(vreinterpretq_s32_f32(a.lo), vreinterpretq_s32_f32(a.hi));
}
static inline molt_m256 molt_mm256_castsi256_ps(molt_m256i a)
{
    return molt__m256(vreinterpretq_f32_s32(a.lo), vreinterpretq_f32_s32(a.hi));
}
static inline molt_m128i molt_mm256_castsi256_si128(molt_m256i a) { return a.lo; }

static inline molt_m256i molt_mm256_cvtps_epi32(molt_m256 a)
{
    return molt__m256i(molt_mm_cvtps_epi32(a.lo), molt_mm_cvtps_epi32(a.hi));
}
static inline molt_m256i molt_mm256_cvttps_epi32(molt_m256 a)
{
    return molt__m256i(molt_mm_cvttps_epi32(a.lo), molt_mm_cvttps_epi32(a.hi));
}
static inline molt_m256 molt_mm256_cvtepi32_ps(molt_m256i a) { return molt__m256(vcvtq_f32_s32(a.lo), vcvtq_f32_s32(a.hi)); }

static inline molt_m256i molt_mm256_loadu_si256(const molt_m256i *p)
{
    const uint8_t *b = (const uint8_t *)p;
    return molt__m256i(vreinterpretq_s32_u8(vld1q_u8(b)), vreinterpretq_s32_u8(vld1q_u8(b + 16)));
}
static inline molt_m256i molt_mm256_load_si256(const molt_m256i *p) { return molt_mm256_loadu_si256(p); }
static inline void molt_mm256_storeu_si256(molt_m256i *p, molt_m256i a)
{
    uint8_t *b = (uint8_t *)p;
    vst1q_u8(b, vreinterpretq_u8_s32(a.lo));
    vst1q_u8(b + 16, vreinterpretq_u8_s32(a.hi));
}
static inline void molt_mm256_store_si256(molt_m256i *p, molt_m256i a) { molt_mm256_storeu_si256(p, a); }

static inline molt_m256i molt_mm256_setr_epi32(int e0, int e1, int e2, int e3, int e4, int e5, int e6, int e7)
{
    return molt__m256i(molt_mm_setr_epi32(e0, e1, e2, e3), molt_mm_setr_epi32(e4, e5, e6, e7));
}
static inline molt_m256i molt_mm256_set_epi32(int e7, int e6, int e5, int e4, int e3, int e2, int e1, int e0)
{
    return molt_mm256_setr_epi32(e0, e1, e2, e3, e4, e5, e6, e7);
}
static inline molt_m256i molt_mm256_set1_epi32(int a) { return molt__m256i(vdupq_n_s32(a), vdupq_n_s32(a)); }
static inline molt_m256i molt_mm256_setzero_si256(void) { return molt__m256i(vdupq_n_s32(0), vdupq_n_s32(0)); }

/* ------------------------------------------------------------------------ */
/* AVX2                                                                     */
/* ------------------------------------------------------------------------ */

MOLT__SI256_2(molt_mm256_add_epi32, vaddq_s32)
MOLT__SI256_2(molt_mm256_sub_epi32, vsubq_s32)
MOLT__SI256_2(molt_mm256_mullo_epi32, vmulq_s32)
MOLT__SI256_2(molt_mm256_max_epi32, vmaxq_s32)
MOLT__SI256_2(molt_mm256_min_epi32, vminq_s32)
MOLT__SI256_2(molt_mm256_cmpeq_epi32, molt_mm_cmpeq_epi32)
MOLT__SI256_2(molt_mm256_cmpgt_epi32, molt_mm_cmpgt_epi32)
MOLT__SI256_2(molt_mm256_and_si256, vandq_s32)
MOLT__SI256_2(molt_mm256_or_si256, vorrq_s32)
MOLT__SI256_2(molt_mm256_xor_si256, veorq_s32)
MOLT__SI256_2(molt_mm256_andnot_si256, molt_mm_andnot_si128)

static inline molt_m256i molt_mm256_abs_epi32(molt_m256i a) { return molt__m256i(vabsq_s32(a.lo), vabsq_s32(a.hi)); }
static inline molt_m256i molt_mm256_slli_epi32(molt_m256i a, int imm)
{
    return molt__m256i(molt_mm_slli_epi32(a.lo, imm), molt_mm_slli_epi32(a.hi, imm));
}
static inline molt_m256i molt_mm256_srli_epi32(molt_m256i a, int imm)
{
    return molt__m256i(molt_mm_srli_epi32(a.lo, imm), molt_mm_srli_epi32(a.hi, imm));
}
static inline molt_m256i molt_mm256_srai_epi32(molt_m256i a, int imm)
{
    return molt__m256i(molt_mm_srai_epi32(a.lo, imm), molt_mm_srai_epi32(a.hi, imm));
}
static inline molt_m128i molt_mm256_extracti128_si256(molt_m256i a, int imm) { return (imm & 1) ? a.hi : a.lo; }

/* Cross-lane permute: lane i = a[idx[i] & 7]. */
static inline molt_m256 molt_mm256_permutevar8x32_ps(molt_m256 a, molt_m256i idx)
{
    uint8x16x2_t t = {{vreinterpretq_u8_f32(a.lo), vreinterpretq_u8_f32(a.hi)}};
    uint32x4_t lo = vandq_u32(vreinterpretq_u32_s32(idx.lo), vdupq_n_u32(7));
    uint32x4_t hi = vandq_u32(vreinterpretq_u32_s32(idx.hi), vdupq_n_u32(7));
    uint8x16_t blo = vreinterpretq_u8_u32(vmlaq_n_u32(vdupq_n_u32(0x03020100u), lo, 0x04040404u));
    uint8x16_t bhi = vreinterpretq_u8_u32(vmlaq_n_u32(vdupq_n_u32(0x03020100u), hi, 0x04040404u));
    return molt__m256(vreinterpretq_f32_u8(vqtbl2q_u8(t, blo)), vreinterpretq_f32_u8(vqtbl2q_u8(t, bhi)));
}

/* ------------------------------------------------------------------------ */
/* FMA: fused, one rounding, as vfmaq/vfmsq                                  */
/* ------------------------------------------------------------------------ */

/* a*b + c */
static inline molt_m128 molt_mm_fmadd_ps(molt_m128 a, molt_m128 b, molt_m128 c) { return vfmaq_f32(c, a, b); }
/* a*b - c */
static inline molt_m128 molt_mm_fmsub_ps(molt_m128 a, molt_m128 b, molt_m128 c) { return vfmaq_f32(vnegq_f32(c), a, b); }
/* -(a*b) + c */
static inline molt_m128 molt_mm_fnmadd_ps(molt_m128 a, molt_m128 b, molt_m128 c) { return vfmsq_f32(c, a, b); }
/* -(a*b) - c */
static inline molt_m128 molt_mm_fnmsub_ps(molt_m128 a, molt_m128 b, molt_m128 c) { return vfmsq_f32(vnegq_f32(c), a, b); }

MOLT__PS256_3(molt_mm256_fmadd_ps, molt_mm_fmadd_ps)
MOLT__PS256_3(molt_mm256_fmsub_ps, molt_mm_fmsub_ps)
MOLT__PS256_3(molt_mm256_fnmadd_ps, molt_mm_fnmadd_ps)
MOLT__PS256_3(molt_mm256_fnmsub_ps, molt_mm_fnmsub_ps)

/* ------------------------------------------------------------------------ */
/* SSE2..SSE4.2 integers: 8-, 16- and 64-bit lanes, byte shuffles, packs    */
/* ------------------------------------------------------------------------ */

#define MOLT__S8(a) vreinterpretq_s8_s32(a)
#define MOLT__U8(a) vreinterpretq_u8_s32(a)
#define MOLT__S16(a) vreinterpretq_s16_s32(a)
#define MOLT__U16(a) vreinterpretq_u16_s32(a)
#define MOLT__U32(a) vreinterpretq_u32_s32(a)
#define MOLT__S64(a) vreinterpretq_s64_s32(a)
#define MOLT__U64(a) vreinterpretq_u64_s32(a)
#define MOLT__FS8(v) vreinterpretq_s32_s8(v)
#define MOLT__FU8(v) vreinterpretq_s32_u8(v)
#define MOLT__FS16(v) vreinterpretq_s32_s16(v)
#define MOLT__FU16(v) vreinterpretq_s32_u16(v)
#define MOLT__FU32(v) vreinterpretq_s32_u32(v)
#define MOLT__FS64(v) vreinterpretq_s32_s64(v)
#define MOLT__FU64(v) vreinterpretq_s32_u64(v)
#define MOLT__S32(a) (a)

/* 0, 1, ..., 15 */
static inline uint8x16_t molt__iota8(void)
{
    const uint8_t t[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    return vld1q_u8(t);
}

/* One lane-wise NEON operation, as a function on molt_m128i. */
#define MOLT__NEON2(name, op, from, to) \
    static inline molt_m128i name(molt_m128i a, molt_m128i b) { return from(op(to(a), to(b))); }
#define MOLT__NEON1(name, op, from, to) \
    static inline molt_m128i name(molt_m128i a) { return from(op(to(a))); }

static inline molt_m128i molt_mm_setr_epi8(char e0, char e1, char e2, char e3, char e4, char e5, char e6, char e7,
                                           char e8, char e9, char e10, char e11, char e12, char e13, char e14,
                                           char e15)
{
    const int8_t t[16] = {(int8_t)e0, (int8_t)e1, (int8_t)e2, (int8_t)e3, (int8_t)e4, (int8_t)e5,
                          (int8_t)e6, (int8_t)e7, (int8_t)e8, (int8_t)e9, (int8_t)e10, (int8_t)e11,
                          (int8_t)e12, (int8_t)e13, (int8_t)e14, (int8_t)e15};
    return MOLT__FS8(vld1q_s8(t));
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
    return MOLT__FS16(vld1q_s16(t));
}
static inline molt_m128i molt_mm_set_epi16(short e7, short e6, short e5, short e4, short e3, short e2, short e1,
                                           short e0)
{
    return molt_mm_setr_epi16(e0, e1, e2, e3, e4, e5, e6, e7);
}
static inline molt_m128i molt_mm_set1_epi8(char a) { return MOLT__FS8(vdupq_n_s8((int8_t)a)); }
static inline molt_m128i molt_mm_set1_epi16(short a) { return MOLT__FS16(vdupq_n_s16(a)); }
static inline molt_m128i molt_mm_set_epi64x(long long e1, long long e0)
{
    return MOLT__FS64(vcombine_s64(vdup_n_s64((int64_t)e0), vdup_n_s64((int64_t)e1)));
}
static inline molt_m128i molt_mm_set1_epi64x(long long a) { return MOLT__FS64(vdupq_n_s64((int64_t)a)); }

/* lane 0 = a, the others 0. Set as the zero-extended 64-bit lane 0, which
 * gcc makes a move from the general register (fmov writes the whole vector
 * register; gcc 12 adds an `fmov d, d` where it cannot see that a's upper 32
 * bits are zero), where a 32-bit lane set into a zero vector is a zeroing
 * movi and an insert, both on the vector pipes. */
static inline molt_m128i molt_mm_cvtsi32_si128(int a)
{
    return vreinterpretq_s32_s64(vsetq_lane_s64((int64_t)(uint32_t)a, vdupq_n_s64(0), 0));
}
static inline molt_m128i molt_mm_cvtsi64_si128(long long a) { return MOLT__FS64(vsetq_lane_s64((int64_t)a, vdupq_n_s64(0), 0)); }
static inline molt_m128i molt_mm_cvtsi64x_si128(long long a) { return molt_mm_cvtsi64_si128(a); }
static inline long long molt_mm_cvtsi128_si64(molt_m128i a) { return (long long)vgetq_lane_s64(MOLT__S64(a), 0); }
static inline long long molt_mm_cvtsi128_si64x(molt_m128i a) { return molt_mm_cvtsi128_si64(a); }

/* 64-bit loads and stores (any alignment): the low half; loads zero the
 * high half (epi64) or keep the other half of a (pi). */
static inline molt_m128i molt_mm_loadl_epi64(const molt_m128i *p)
{
    return MOLT__FU8(vcombine_u8(vld1_u8((const uint8_t *)p), vdup_n_u8(0)));
}
static inline void molt_mm_storel_epi64(molt_m128i *p, molt_m128i a) { vst1_u8((uint8_t *)p, vget_low_u8(MOLT__U8(a))); }
static inline molt_m128i molt_mm_loadu_si64(const void *p) { return molt_mm_loadl_epi64((const molt_m128i *)p); }
static inline void molt_mm_storeu_si64(void *p, molt_m128i a) { vst1_u8((uint8_t *)p, vget_low_u8(MOLT__U8(a))); }
static inline molt_m128 molt_mm_loadl_pi(molt_m128 a, const molt_m64 *p)
{
    return vcombine_f32(vreinterpret_f32_u8(vld1_u8((const uint8_t *)p)), vget_high_f32(a));
}
static inline molt_m128 molt_mm_loadh_pi(molt_m128 a, const molt_m64 *p)
{
    return vcombine_f32(vget_low_f32(a), vreinterpret_f32_u8(vld1_u8((const uint8_t *)p)));
}
static inline void molt_mm_storel_pi(molt_m64 *p, molt_m128 a) { vst1_u8((uint8_t *)p, vreinterpret_u8_f32(vget_low_f32(a))); }
static inline void molt_mm_storeh_pi(molt_m64 *p, molt_m128 a) { vst1_u8((uint8_t *)p, vreinterpret_u8_f32(vget_high_f32(a))); }

/* wrapping add/sub; saturating adds/subs */
MOLT__NEON2(molt_mm_add_epi8, vaddq_s8, MOLT__FS8, MOLT__S8)
MOLT__NEON2(molt_mm_add_epi16, vaddq_s16, MOLT__FS16, MOLT__S16)
MOLT__NEON2(molt_mm_add_epi64, vaddq_s64, MOLT__FS64, MOLT__S64)
MOLT__NEON2(molt_mm_sub_epi8, vsubq_s8, MOLT__FS8, MOLT__S8)
MOLT__NEON2(molt_mm_sub_epi16, vsubq_s16, MOLT__FS16, MOLT__S16)
MOLT__NEON2(molt_mm_sub_epi64, vsubq_s64, MOLT__FS64, MOLT__S64)
MOLT__NEON2(molt_mm_adds_epi8, vqaddq_s8, MOLT__FS8, MOLT__S8)
MOLT__NEON2(molt_mm_adds_epi16, vqaddq_s16, MOLT__FS16, MOLT__S16)
MOLT__NEON2(molt_mm_adds_epu8, vqaddq_u8, MOLT__FU8, MOLT__U8)
MOLT__NEON2(molt_mm_adds_epu16, vqaddq_u16, MOLT__FU16, MOLT__U16)
MOLT__NEON2(molt_mm_subs_epi8, vqsubq_s8, MOLT__FS8, MOLT__S8)
MOLT__NEON2(molt_mm_subs_epi16, vqsubq_s16, MOLT__FS16, MOLT__S16)
MOLT__NEON2(molt_mm_subs_epu8, vqsubq_u8, MOLT__FU8, MOLT__U8)
MOLT__NEON2(molt_mm_subs_epu16, vqsubq_u16, MOLT__FU16, MOLT__U16)
/* low 16 bits of the product */
MOLT__NEON2(molt_mm_mullo_epi16, vmulq_s16, MOLT__FS16, MOLT__S16)
/* (a + b + 1) >> 1, unsigned */
MOLT__NEON2(molt_mm_avg_epu8, vrhaddq_u8, MOLT__FU8, MOLT__U8)
MOLT__NEON2(molt_mm_avg_epu16, vrhaddq_u16, MOLT__FU16, MOLT__U16)
MOLT__NEON2(molt_mm_min_epi8, vminq_s8, MOLT__FS8, MOLT__S8)
MOLT__NEON2(molt_mm_max_epi8, vmaxq_s8, MOLT__FS8, MOLT__S8)
MOLT__NEON2(molt_mm_min_epu8, vminq_u8, MOLT__FU8, MOLT__U8)
MOLT__NEON2(molt_mm_max_epu8, vmaxq_u8, MOLT__FU8, MOLT__U8)
MOLT__NEON2(molt_mm_min_epi16, vminq_s16, MOLT__FS16, MOLT__S16)
MOLT__NEON2(molt_mm_max_epi16, vmaxq_s16, MOLT__FS16, MOLT__S16)
MOLT__NEON2(molt_mm_min_epu16, vminq_u16, MOLT__FU16, MOLT__U16)
MOLT__NEON2(molt_mm_max_epu16, vmaxq_u16, MOLT__FU16, MOLT__U16)
MOLT__NEON2(molt_mm_min_epu32, vminq_u32, MOLT__FU32, MOLT__U32)
MOLT__NEON2(molt_mm_max_epu32, vmaxq_u32, MOLT__FU32, MOLT__U32)
/* |a|, with |-128| = 0x80 and |-32768| = 0x8000 as on x86 */
MOLT__NEON1(molt_mm_abs_epi8, vabsq_s8, MOLT__FS8, MOLT__S8)
MOLT__NEON1(molt_mm_abs_epi16, vabsq_s16, MOLT__FS16, MOLT__S16)
/* all-ones lanes where the relation holds */
MOLT__NEON2(molt_mm_cmpeq_epi8, vceqq_s8, MOLT__FU8, MOLT__S8)
MOLT__NEON2(molt_mm_cmpeq_epi16, vceqq_s16, MOLT__FU16, MOLT__S16)
MOLT__NEON2(molt_mm_cmpeq_epi64, vceqq_s64, MOLT__FU64, MOLT__S64)
MOLT__NEON2(molt_mm_cmpgt_epi8, vcgtq_s8, MOLT__FU8, MOLT__S8)
MOLT__NEON2(molt_mm_cmpgt_epi16, vcgtq_s16, MOLT__FU16, MOLT__S16)
MOLT__NEON2(molt_mm_cmpgt_epi64, vcgtq_s64, MOLT__FU64, MOLT__S64)
MOLT__NEON2(molt_mm_cmplt_epi8, vcltq_s8, MOLT__FU8, MOLT__S8)
MOLT__NEON2(molt_mm_cmplt_epi16, vcltq_s16, MOLT__FU16, MOLT__S16)
MOLT__NEON2(molt_mm_cmplt_epi32, vcltq_s32, MOLT__FU32, MOLT__S32)
/* (a0, b0, a1, b1, ...) from the low halves; (.., a_n-1, b_n-1) from the high */
MOLT__NEON2(molt_mm_unpacklo_epi8, vzip1q_s8, MOLT__FS8, MOLT__S8)
MOLT__NEON2(molt_mm_unpackhi_epi8, vzip2q_s8, MOLT__FS8, MOLT__S8)
MOLT__NEON2(molt_mm_unpacklo_epi16, vzip1q_s16, MOLT__FS16, MOLT__S16)
MOLT__NEON2(molt_mm_unpackhi_epi16, vzip2q_s16, MOLT__FS16, MOLT__S16)
MOLT__NEON2(molt_mm_unpacklo_epi32, vzip1q_s32, MOLT__S32, MOLT__S32)
MOLT__NEON2(molt_mm_unpackhi_epi32, vzip2q_s32, MOLT__S32, MOLT__S32)
MOLT__NEON2(molt_mm_unpacklo_epi64, vzip1q_s64, MOLT__FS64, MOLT__S64)
MOLT__NEON2(molt_mm_unpackhi_epi64, vzip2q_s64, MOLT__FS64, MOLT__S64)
/* horizontal pairs: (a0+a1, a2+a3, ..., b0+b1, ...); hsub a0-a1; s = saturating */
MOLT__NEON2(molt_mm_hadd_epi16, vpaddq_s16, MOLT__FS16, MOLT__S16)
MOLT__NEON2(molt_mm_hadd_epi32, vpaddq_s32, MOLT__S32, MOLT__S32)
static inline molt_m128i molt_mm_hsub_epi16(molt_m128i a, molt_m128i b)
{
    return MOLT__FS16(vsubq_s16(vuzp1q_s16(MOLT__S16(a), MOLT__S16(b)), vuzp2q_s16(MOLT__S16(a), MOLT__S16(b))));
}
static inline molt_m128i molt_mm_hsub_epi32(molt_m128i a, molt_m128i b) { return vsubq_s32(vuzp1q_s32(a, b), vuzp2q_s32(a, b)); }
static inline molt_m128i molt_mm_hadds_epi16(molt_m128i a, molt_m128i b)
{
    return MOLT__FS16(vqaddq_s16(vuzp1q_s16(MOLT__S16(a), MOLT__S16(b)), vuzp2q_s16(MOLT__S16(a), MOLT__S16(b))));
}
static inline molt_m128i molt_mm_hsubs_epi16(molt_m128i a, molt_m128i b)
{
    return MOLT__FS16(vqsubq_s16(vuzp1q_s16(MOLT__S16(a), MOLT__S16(b)), vuzp2q_s16(MOLT__S16(a), MOLT__S16(b))));
}

/* high 16 bits of the 32-bit products */
static inline molt_m128i molt_mm_mulhi_epi16(molt_m128i a, molt_m128i b)
{
    int32x4_t lo = vmull_s16(vget_low_s16(MOLT__S16(a)), vget_low_s16(MOLT__S16(b)));
    int32x4_t hi = vmull_high_s16(MOLT__S16(a), MOLT__S16(b));
    return MOLT__FS16(vuzp2q_s16(vreinterpretq_s16_s32(lo), vreinterpretq_s16_s32(hi)));
}
static inline molt_m128i molt_mm_mulhi_epu16(molt_m128i a, molt_m128i b)
{
    uint32x4_t lo = vmull_u16(vget_low_u16(MOLT__U16(a)), vget_low_u16(MOLT__U16(b)));
    uint32x4_t hi = vmull_high_u16(MOLT__U16(a), MOLT__U16(b));
    return MOLT__FU16(vuzp2q_u16(vreinterpretq_u16_u32(lo), vreinterpretq_u16_u32(hi)));
}
/* (a*b + 0x4000) >> 15, low 16 bits (so -32768 * -32768 gives 0x8000, where
 * NEON's vqrdmulh would saturate) */
static inline molt_m128i molt_mm_mulhrs_epi16(molt_m128i a, molt_m128i b)
{
    int32x4_t lo = vmull_s16(vget_low_s16(MOLT__S16(a)), vget_low_s16(MOLT__S16(b)));
    int32x4_t hi = vmull_high_s16(MOLT__S16(a), MOLT__S16(b));
    lo = vaddq_s32(lo, vdupq_n_s32(0x4000));
    hi = vaddq_s32(hi, vdupq_n_s32(0x4000));
    return MOLT__FS16(vcombine_s16(vshrn_n_s32(lo, 15), vshrn_n_s32(hi, 15)));
}
/* unsigned/signed 32 x 32 -> 64 of the even 32-bit lanes */
static inline molt_m128i molt_mm_mul_epu32(molt_m128i a, molt_m128i b)
{
    return MOLT__FU64(vmull_u32(vmovn_u64(MOLT__U64(a)), vmovn_u64(MOLT__U64(b))));
}
static inline molt_m128i molt_mm_mul_epi32(molt_m128i a, molt_m128i b)
{
    return MOLT__FS64(vmull_s32(vmovn_s64(MOLT__S64(a)), vmovn_s64(MOLT__S64(b))));
}
/* int16 products, adjacent pairs summed to int32 (wrapping: only
 * -32768*-32768 twice overflows, to 0x80000000 as on x86) */
static inline molt_m128i molt_mm_madd_epi16(molt_m128i a, molt_m128i b)
{
    int32x4_t lo = vmull_s16(vget_low_s16(MOLT__S16(a)), vget_low_s16(MOLT__S16(b)));
    int32x4_t hi = vmull_high_s16(MOLT__S16(a), MOLT__S16(b));
    return vpaddq_s32(lo, hi);
}
/* unsigned bytes of a times signed bytes of b, adjacent pairs summed with
 * signed 16-bit saturation */
static inline molt_m128i molt_mm_maddubs_epi16(molt_m128i a, molt_m128i b)
{
    int16x8_t lo = vmulq_s16(vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(MOLT__U8(a)))), vmovl_s8(vget_low_s8(MOLT__S8(b))));
    int16x8_t hi = vmulq_s16(vreinterpretq_s16_u16(vmovl_high_u8(MOLT__U8(a))), vmovl_high_s8(MOLT__S8(b)));
    return MOLT__FS16(vqaddq_s16(vuzp1q_s16(lo, hi), vuzp2q_s16(lo, hi)));
}
/* sums of |a - b| over each 8 bytes, in the low 16 bits of each 64-bit lane */
static inline molt_m128i molt_mm_sad_epu8(molt_m128i a, molt_m128i b)
{
    uint8x16_t d = vabdq_u8(MOLT__U8(a), MOLT__U8(b));
    return MOLT__FU64(vpaddlq_u32(vpaddlq_u16(vpaddlq_u8(d))));
}
/* b < 0: -a; b == 0: 0; b > 0: a (wrapping negation) */
static inline molt_m128i molt_mm_sign_epi8(molt_m128i a, molt_m128i b)
{
    int8x16_t x = MOLT__S8(a), y = MOLT__S8(b);
    int8x16_t r = vbslq_s8(vcltzq_s8(y), vnegq_s8(x), x);
    return MOLT__FS8(vbicq_s8(r, vreinterpretq_s8_u8(vceqzq_s8(y))));
}
static inline molt_m128i molt_mm_sign_epi16(molt_m128i a, molt_m128i b)
{
    int16x8_t x = MOLT__S16(a), y = MOLT__S16(b);
    int16x8_t r = vbslq_s16(vcltzq_s16(y), vnegq_s16(x), x);
    return MOLT__FS16(vbicq_s16(r, vreinterpretq_s16_u16(vceqzq_s16(y))));
}
static inline molt_m128i molt_mm_sign_epi32(molt_m128i a, molt_m128i b)
{
    int32x4_t r = vbslq_s32(vcltzq_s32(b), vnegq_s32(a), a);
    return vbicq_s32(r, vreinterpretq_s32_u32(vceqzq_s32(b)));
}

/* Saturating narrowing: a's lanes, then b's. */
static inline molt_m128i molt_mm_packs_epi16(molt_m128i a, molt_m128i b)
{
    return MOLT__FS8(vcombine_s8(vqmovn_s16(MOLT__S16(a)), vqmovn_s16(MOLT__S16(b))));
}
static inline molt_m128i molt_mm_packs_epi32(molt_m128i a, molt_m128i b)
{
    return MOLT__FS16(vcombine_s16(vqmovn_s32(a), vqmovn_s32(b)));
}
static inline molt_m128i molt_mm_packus_epi16(molt_m128i a, molt_m128i b)
{
    return MOLT__FU8(vcombine_u8(vqmovun_s16(MOLT__S16(a)), vqmovun_s16(MOLT__S16(b))));
}
static inline molt_m128i molt_mm_packus_epi32(molt_m128i a, molt_m128i b)
{
    return MOLT__FU16(vcombine_u16(vqmovun_s32(a), vqmovun_s32(b)));
}

/* Shifts by an immediate count (0..255) or by the low 64 bits of a vector:
 * a count above the lane width minus 1 gives 0 (logical) or the sign in
 * every bit (arithmetic), as on x86. */
static inline molt_m128i molt_mm_slli_epi16(molt_m128i a, int imm)
{
    unsigned n = (unsigned)imm & 0xff;
    return n > 15 ? vdupq_n_s32(0) : MOLT__FS16(vshlq_s16(MOLT__S16(a), vdupq_n_s16((int16_t)n)));
}
static inline molt_m128i molt_mm_srli_epi16(molt_m128i a, int imm)
{
    unsigned n = (unsigned)imm & 0xff;
    return n > 15 ? vdupq_n_s32(0) : MOLT__FU16(vshlq_u16(MOLT__U16(a), vdupq_n_s16((int16_t)-(int)n)));
}
static inline molt_m128i molt_mm_srai_epi16(molt_m128i a, int imm)
{
    unsigned n = (unsigned)imm & 0xff;
    return MOLT__FS16(vshlq_s16(MOLT__S16(a), vdupq_n_s16((int16_t)-(int)(n > 15 ? 15 : n))));
}
static inline molt_m128i molt_mm_slli_epi64(molt_m128i a, int imm)
{
    unsigned n = (unsigned)imm & 0xff;
    return n > 63 ? vdupq_n_s32(0) : MOLT__FS64(vshlq_s64(MOLT__S64(a), vdupq_n_s64((int64_t)n)));
}
static inline molt_m128i molt_mm_srli_epi64(molt_m128i a, int imm)
{
    unsigned n = (unsigned)imm & 0xff;
    return n > 63 ? vdupq_n_s32(0) : MOLT__FU64(vshlq_u64(MOLT__U64(a), vdupq_n_s64(-(int64_t)n)));
}
/* the count as an immediate 0..255 (anything larger behaves like 255) */
static inline int molt__count(molt_m128i count)
{
    uint64_t c = vgetq_lane_u64(MOLT__U64(count), 0);
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

/* Byte shifts of the whole register (counts above 15 give 0). NEON's EXT
 * wants its byte count as a constant, so each count is a case of a switch:
 * with a constant imm (as x86 requires) an inlined call folds to one EXT at
 * -O1 and above, and every case still compiles at -O0. */
#define MOLT__FOR_1_15(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define MOLT__SLLI_CASE(n) case n: return MOLT__FU8(vextq_u8(z, v, 16 - (n)));
#define MOLT__SRLI_CASE(n) case n: return MOLT__FU8(vextq_u8(v, z, (n)));
static inline molt_m128i molt_mm_slli_si128(molt_m128i a, int imm)
{
    uint8x16_t v = MOLT__U8(a), z = vdupq_n_u8(0);
    switch ((unsigned)imm & 0xff) {
    case 0: return a;
    MOLT__FOR_1_15(MOLT__SLLI_CASE)
    default: return MOLT__FU8(z);
    }
}
static inline molt_m128i molt_mm_srli_si128(molt_m128i a, int imm)
{
    uint8x16_t v = MOLT__U8(a), z = vdupq_n_u8(0);
    switch ((unsigned)imm & 0xff) {
    case 0: return a;
    MOLT__FOR_1_15(MOLT__SRLI_CASE)
    default: return MOLT__FU8(z);
    }
}
static inline molt_m128i molt_mm_bslli_si128(molt_m128i a, int imm) { return molt_mm_slli_si128(a, imm); }
static inline molt_m128i molt_mm_bsrli_si128(molt_m128i a, int imm) { return molt_mm_srli_si128(a, imm); }
/* bytes imm..imm+15 of the 32-byte a:b (b low), zero past the end */
#define MOLT__ALIGNR_LO(n) case n: return MOLT__FU8(vextq_u8(lo, hi, (n)));
#define MOLT__ALIGNR_HI(n) case 16 + (n): return MOLT__FU8(vextq_u8(hi, z, (n)));
static inline molt_m128i molt_mm_alignr_epi8(molt_m128i a, molt_m128i b, int imm)
{
    uint8x16_t lo = MOLT__U8(b), hi = MOLT__U8(a), z = vdupq_n_u8(0);
    switch ((unsigned)imm & 0xff) {
    case 0: return b;
    MOLT__FOR_1_15(MOLT__ALIGNR_LO)
    case 16: return a;
    MOLT__FOR_1_15(MOLT__ALIGNR_HI)
    default: return MOLT__FU8(z);
    }
}
#undef MOLT__SLLI_CASE
#undef MOLT__SRLI_CASE
#undef MOLT__ALIGNR_LO
#undef MOLT__ALIGNR_HI
/* byte i = b[i] & 0x80 ? 0 : a[b[i] & 15] */
static inline molt_m128i molt_mm_shuffle_epi8(molt_m128i a, molt_m128i b)
{
    return MOLT__FU8(vqtbl1q_u8(MOLT__U8(a), vandq_u8(MOLT__U8(b), vdupq_n_u8(0x8f))));
}
/* 16-bit lanes: lane i = a[sel[i]], through byte indices 2*sel, 2*sel+1 */
static inline molt_m128i molt__shuffle16(molt_m128i a, const uint16_t sel[8])
{
    uint16x8_t idx = vmlaq_n_u16(vdupq_n_u16(0x0100), vld1q_u16(sel), 0x0202);
    return MOLT__FU8(vqtbl1q_u8(MOLT__U8(a), vreinterpretq_u8_u16(idx)));
}
/* low four 16-bit lanes shuffled by imm as _mm_shuffle_epi32 does, high four kept */
static inline molt_m128i molt_mm_shufflelo_epi16(molt_m128i a, int imm)
{
    const uint16_t sel[8] = {(uint16_t)(imm & 3), (uint16_t)((imm >> 2) & 3), (uint16_t)((imm >> 4) & 3),
                             (uint16_t)((imm >> 6) & 3), 4, 5, 6, 7};
    return molt__shuffle16(a, sel);
}
static inline molt_m128i molt_mm_shufflehi_epi16(molt_m128i a, int imm)
{
    const uint16_t sel[8] = {0, 1, 2, 3, (uint16_t)(4 + (imm & 3)), (uint16_t)(4 + ((imm >> 2) & 3)),
                             (uint16_t)(4 + ((imm >> 4) & 3)), (uint16_t)(4 + ((imm >> 6) & 3))};
    return molt__shuffle16(a, sel);
}

/* bit i = top bit of byte i */
static inline int molt_mm_movemask_epi8(molt_m128i a)
{
    const int8_t shifts[16] = {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7};
    uint8x16_t bits = vshlq_u8(vshrq_n_u8(MOLT__U8(a), 7), vld1q_s8(shifts));
    return (int)vaddv_u8(vget_low_u8(bits)) | ((int)vaddv_u8(vget_high_u8(bits)) << 8);
}

/* Lane access (imm is masked to the lane count, as x86 uses only its low
 * bits); extract zero-extends 8- and 16-bit lanes. The lane is a case of a
 * switch, since NEON's lane operands must be constants: a constant imm folds
 * to one lane move, and every case compiles at -O0. */
#define MOLT__LANES2(X) X(0) X(1)
#define MOLT__LANES4(X) X(0) X(1) X(2) X(3)
#define MOLT__LANES8(X) MOLT__LANES4(X) X(4) X(5) X(6) X(7)
#define MOLT__LANES16(X) MOLT__LANES8(X) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define MOLT__GET8(k) case k: return (int)vgetq_lane_u8(v, k);
#define MOLT__GET16(k) case k: return (int)vgetq_lane_u16(v, k);
#define MOLT__GET32(k) case k: return (int)vgetq_lane_s32(v, k);
#define MOLT__GET64(k) case k: return (long long)vgetq_lane_s64(v, k);
#define MOLT__SET8(k) case k: return MOLT__FU8(vsetq_lane_u8((uint8_t)i, v, k));
#define MOLT__SET16(k) case k: return MOLT__FU16(vsetq_lane_u16((uint16_t)i, v, k));
#define MOLT__SET32(k) case k: return vsetq_lane_s32(i, v, k);
#define MOLT__SET64(k) case k: return MOLT__FS64(vsetq_lane_s64((int64_t)i, v, k));
static inline int molt_mm_extract_epi8(molt_m128i a, int imm)
{
    uint8x16_t v = MOLT__U8(a);
    switch (imm & 15) { MOLT__LANES16(MOLT__GET8) }
    return 0;
}
static inline int molt_mm_extract_epi16(molt_m128i a, int imm)
{
    uint16x8_t v = MOLT__U16(a);
    switch (imm & 7) { MOLT__LANES8(MOLT__GET16) }
    return 0;
}
static inline int molt_mm_extract_epi32(molt_m128i a, int imm)
{
    int32x4_t v = a;
    switch (imm & 3) { MOLT__LANES4(MOLT__GET32) }
    return 0;
}
static inline long long molt_mm_extract_epi64(molt_m128i a, int imm)
{
    int64x2_t v = MOLT__S64(a);
    switch (imm & 1) { MOLT__LANES2(MOLT__GET64) }
    return 0;
}
static inline molt_m128i molt_mm_insert_epi8(molt_m128i a, int i, int imm)
{
    uint8x16_t v = MOLT__U8(a);
    switch (imm & 15) { MOLT__LANES16(MOLT__SET8) }
    return a;
}
static inline molt_m128i molt_mm_insert_epi16(molt_m128i a, int i, int imm)
{
    uint16x8_t v = MOLT__U16(a);
    switch (imm & 7) { MOLT__LANES8(MOLT__SET16) }
    return a;
}
static inline molt_m128i molt_mm_insert_epi32(molt_m128i a, int i, int imm)
{
    int32x4_t v = a;
    switch (imm & 3) { MOLT__LANES4(MOLT__SET32) }
    return a;
}
static inline molt_m128i molt_mm_insert_epi64(molt_m128i a, long long i, int imm)
{
    int64x2_t v = MOLT__S64(a);
    switch (imm & 1) { MOLT__LANES2(MOLT__SET64) }
    return a;
}
#undef MOLT__GET8
#undef MOLT__GET16
#undef MOLT__GET32
#undef MOLT__GET64
#undef MOLT__SET8
#undef MOLT__SET16
#undef MOLT__SET32
#undef MOLT__SET64

/* 16-bit lane i from b where bit i of imm is set */
static inline molt_m128i molt_mm_blend_epi16(molt_m128i a, molt_m128i b, int imm)
{
    const uint16_t bits[8] = {1, 2, 4, 8, 16, 32, 64, 128};
    uint16x8_t m = vtstq_u16(vdupq_n_u16((uint16_t)imm), vld1q_u16(bits));
    return MOLT__FU16(vbslq_u16(m, MOLT__U16(b), MOLT__U16(a)));
}
/* byte i from b where the top bit of mask byte i is set */
static inline molt_m128i molt_mm_blendv_epi8(molt_m128i a, molt_m128i b, molt_m128i mask)
{
    return MOLT__FS8(vbslq_s8(vcltzq_s8(MOLT__S8(mask)), MOLT__S8(b), MOLT__S8(a)));
}

/* ZF = ((a & b) == 0), CF = ((~a & b) == 0) */
static inline int molt_mm_testz_si128(molt_m128i a, molt_m128i b) { return vmaxvq_u32(MOLT__U32(vandq_s32(a, b))) == 0; }
static inline int molt_mm_testc_si128(molt_m128i a, molt_m128i b) { return vmaxvq_u32(MOLT__U32(vbicq_s32(b, a))) == 0; }
static inline int molt_mm_testnzc_si128(molt_m128i a, molt_m128i b)
{
    return !molt_mm_testz_si128(a, b) && !molt_mm_testc_si128(a, b);
}

/* Widening conversions of the low lanes: sign- (epi) or zero- (epu) extended. */
static inline molt_m128i molt_mm_cvtepi8_epi16(molt_m128i a) { return MOLT__FS16(vmovl_s8(vget_low_s8(MOLT__S8(a)))); }
static inline molt_m128i molt_mm_cvtepi8_epi32(molt_m128i a) { return vmovl_s16(vget_low_s16(vmovl_s8(vget_low_s8(MOLT__S8(a))))); }
static inline molt_m128i molt_mm_cvtepi8_epi64(molt_m128i a) { return MOLT__FS64(vmovl_s32(vget_low_s32(molt_mm_cvtepi8_epi32(a)))); }
static inline molt_m128i molt_mm_cvtepi16_epi32(molt_m128i a) { return vmovl_s16(vget_low_s16(MOLT__S16(a))); }
static inline molt_m128i molt_mm_cvtepi16_epi64(molt_m128i a) { return MOLT__FS64(vmovl_s32(vget_low_s32(molt_mm_cvtepi16_epi32(a)))); }
static inline molt_m128i molt_mm_cvtepi32_epi64(molt_m128i a) { return MOLT__FS64(vmovl_s32(vget_low_s32(a))); }
static inline molt_m128i molt_mm_cvtepu8_epi16(molt_m128i a) { return MOLT__FU16(vmovl_u8(vget_low_u8(MOLT__U8(a)))); }
static inline molt_m128i molt_mm_cvtepu8_epi32(molt_m128i a) { return MOLT__FU32(vmovl_u16(vget_low_u16(vmovl_u8(vget_low_u8(MOLT__U8(a)))))); }
static inline molt_m128i molt_mm_cvtepu8_epi64(molt_m128i a) { return MOLT__FU64(vmovl_u32(vget_low_u32(MOLT__U32(molt_mm_cvtepu8_epi32(a))))); }
static inline molt_m128i molt_mm_cvtepu16_epi32(molt_m128i a) { return MOLT__FU32(vmovl_u16(vget_low_u16(MOLT__U16(a)))); }
static inline molt_m128i molt_mm_cvtepu16_epi64(molt_m128i a) { return MOLT__FU64(vmovl_u32(vget_low_u32(MOLT__U32(molt_mm_cvtepu16_epi32(a))))); }
static inline molt_m128i molt_mm_cvtepu32_epi64(molt_m128i a) { return MOLT__FU64(vmovl_u32(vget_low_u32(MOLT__U32(a)))); }

/* ------------------------------------------------------------------------ */
/* SSE2 doubles                                                             */
/* ------------------------------------------------------------------------ */

#define MOLT__UD(x) vreinterpretq_u64_f64(x)
#define MOLT__FD(x) vreinterpretq_f64_u64(x)

static inline molt_m128d molt_mm_loadu_pd(const double *p) { return vld1q_f64(p); }
/* x86 faults on a pointer not 16-byte aligned; this does not check. */
static inline molt_m128d molt_mm_load_pd(const double *p) { return vld1q_f64(p); }
static inline molt_m128d molt_mm_load_sd(const double *p) { return vsetq_lane_f64(*p, vdupq_n_f64(0.0), 0); }
static inline molt_m128d molt_mm_load1_pd(const double *p) { return vld1q_dup_f64(p); }
static inline void molt_mm_storeu_pd(double *p, molt_m128d a) { vst1q_f64(p, a); }
static inline void molt_mm_store_pd(double *p, molt_m128d a) { vst1q_f64(p, a); }
static inline void molt_mm_store_sd(double *p, molt_m128d a) { vst1q_lane_f64(p, a, 0); }
static inline molt_m128d molt_mm_setr_pd(double e0, double e1) { return vcombine_f64(vdup_n_f64(e0), vdup_n_f64(e1)); }
static inline molt_m128d molt_mm_set_pd(double e1, double e0) { return molt_mm_setr_pd(e0, e1); }
static inline molt_m128d molt_mm_set1_pd(double a) { return vdupq_n_f64(a); }
static inline molt_m128d molt_mm_set_sd(double a) { return vsetq_lane_f64(a, vdupq_n_f64(0.0), 0); }
static inline molt_m128d molt_mm_setzero_pd(void) { return vdupq_n_f64(0.0); }
static inline double molt_mm_cvtsd_f64(molt_m128d a) { return vgetq_lane_f64(a, 0); }

static inline molt_m128d molt_mm_add_pd(molt_m128d a, molt_m128d b) { return vaddq_f64(a, b); }
static inline molt_m128d molt_mm_sub_pd(molt_m128d a, molt_m128d b) { return vsubq_f64(a, b); }
static inline molt_m128d molt_mm_mul_pd(molt_m128d a, molt_m128d b) { return vmulq_f64(a, b); }
static inline molt_m128d molt_mm_div_pd(molt_m128d a, molt_m128d b) { return vdivq_f64(a, b); }
static inline molt_m128d molt_mm_sqrt_pd(molt_m128d a) { return vsqrtq_f64(a); }
/* x86 rule: b when either is NaN or both are zero (see molt_mm_max_ps) */
static inline molt_m128d molt_mm_max_pd(molt_m128d a, molt_m128d b) { return vbslq_f64(vcgtq_f64(a, b), a, b); }
static inline molt_m128d molt_mm_min_pd(molt_m128d a, molt_m128d b) { return vbslq_f64(vcltq_f64(a, b), a, b); }
/* (a0+a1, b0+b1) and (a0-b0, a1+b1) */
static inline molt_m128d molt_mm_hadd_pd(molt_m128d a, molt_m128d b) { return vpaddq_f64(a, b); }
static inline molt_m128d molt_mm_addsub_pd(molt_m128d a, molt_m128d b)
{
    return vcombine_f64(vget_low_f64(vsubq_f64(a, b)), vget_high_f64(vaddq_f64(a, b)));
}
static inline molt_m128d molt_mm_and_pd(molt_m128d a, molt_m128d b) { return MOLT__FD(vandq_u64(MOLT__UD(a), MOLT__UD(b))); }
static inline molt_m128d molt_mm_or_pd(molt_m128d a, molt_m128d b) { return MOLT__FD(vorrq_u64(MOLT__UD(a), MOLT__UD(b))); }
static inline molt_m128d molt_mm_xor_pd(molt_m128d a, molt_m128d b) { return MOLT__FD(veorq_u64(MOLT__UD(a), MOLT__UD(b))); }
/* (~a) & b */
static inline molt_m128d molt_mm_andnot_pd(molt_m128d a, molt_m128d b) { return MOLT__FD(vbicq_u64(MOLT__UD(b), MOLT__UD(a))); }

static inline uint64x2_t molt__ordered_pd(float64x2_t a, float64x2_t b)
{
    return vandq_u64(vceqq_f64(a, a), vceqq_f64(b, b));
}
static inline uint64x2_t molt__not64(uint64x2_t m) { return veorq_u64(m, vdupq_n_u64(~(uint64_t)0)); }
/* the 32 predicates, as for molt_mm_cmp_ps */
static inline uint64x2_t molt__cmp_mask_pd(float64x2_t a, float64x2_t b, int pred)
{
    switch (pred & 15) {
    case 0x0: return vceqq_f64(a, b);
    case 0x1: return vcltq_f64(a, b);
    case 0x2: return vcleq_f64(a, b);
    case 0x3: return molt__not64(molt__ordered_pd(a, b));
    case 0x4: return molt__not64(vceqq_f64(a, b));
    case 0x5: return molt__not64(vcltq_f64(a, b));
    case 0x6: return molt__not64(vcleq_f64(a, b));
    case 0x7: return molt__ordered_pd(a, b);
    case 0x8: return vorrq_u64(vceqq_f64(a, b), molt__not64(molt__ordered_pd(a, b)));
    case 0x9: return molt__not64(vcgeq_f64(a, b));
    case 0xa: return molt__not64(vcgtq_f64(a, b));
    case 0xb: return vdupq_n_u64(0);
    case 0xc: return vandq_u64(molt__not64(vceqq_f64(a, b)), molt__ordered_pd(a, b));
    case 0xd: return vcgeq_f64(a, b);
    case 0xe: return vcgtq_f64(a, b);
    default: return vdupq_n_u64(~(uint64_t)0);
    }
}
static inline molt_m128d molt_mm_cmp_pd(molt_m128d a, molt_m128d b, int pred) { return MOLT__FD(molt__cmp_mask_pd(a, b, pred)); }
static inline molt_m128d molt_mm_cmpeq_pd(molt_m128d a, molt_m128d b) { return MOLT__FD(vceqq_f64(a, b)); }
static inline molt_m128d molt_mm_cmplt_pd(molt_m128d a, molt_m128d b) { return MOLT__FD(vcltq_f64(a, b)); }
static inline molt_m128d molt_mm_cmple_pd(molt_m128d a, molt_m128d b) { return MOLT__FD(vcleq_f64(a, b)); }
static inline molt_m128d molt_mm_cmpgt_pd(molt_m128d a, molt_m128d b) { return MOLT__FD(vcgtq_f64(a, b)); }
static inline molt_m128d molt_mm_cmpge_pd(molt_m128d a, molt_m128d b) { return MOLT__FD(vcgeq_f64(a, b)); }
static inline molt_m128d molt_mm_cmpneq_pd(molt_m128d a, molt_m128d b) { return MOLT__FD(molt__not64(vceqq_f64(a, b))); }
static inline molt_m128d molt_mm_cmpord_pd(molt_m128d a, molt_m128d b) { return MOLT__FD(molt__ordered_pd(a, b)); }
static inline molt_m128d molt_mm_cmpunord_pd(molt_m128d a, molt_m128d b) { return MOLT__FD(molt__not64(molt__ordered_pd(a, b))); }

static inline int molt_mm_movemask_pd(molt_m128d a)
{
    uint64x2_t s = vshrq_n_u64(MOLT__UD(a), 63);
    return (int)(vgetq_lane_u64(s, 0) | (vgetq_lane_u64(s, 1) << 1));
}
/* (a0, b0) and (a1, b1) */
static inline molt_m128d molt_mm_unpacklo_pd(molt_m128d a, molt_m128d b) { return vzip1q_f64(a, b); }
static inline molt_m128d molt_mm_unpackhi_pd(molt_m128d a, molt_m128d b) { return vzip2q_f64(a, b); }
/* (a[imm bit 0], b[imm bit 1]) */
static inline molt_m128d molt_mm_shuffle_pd(molt_m128d a, molt_m128d b, int imm)
{
    return vcombine_f64((imm & 1) ? vget_high_f64(a) : vget_low_f64(a), (imm & 2) ? vget_high_f64(b) : vget_low_f64(b));
}
static inline molt_m128d molt_mm_blend_pd(molt_m128d a, molt_m128d b, int imm)
{
    return vcombine_f64((imm & 1) ? vget_low_f64(b) : vget_low_f64(a), (imm & 2) ? vget_high_f64(b) : vget_high_f64(a));
}
static inline molt_m128d molt_mm_blendv_pd(molt_m128d a, molt_m128d b, molt_m128d mask)
{
    return vbslq_f64(vreinterpretq_u64_s64(vshrq_n_s64(vreinterpretq_s64_f64(mask), 63)), b, a);
}
static inline molt_m128d molt_mm_round_pd(molt_m128d a, int imm)
{
    if (imm & 4)
        return vrndiq_f64(a);
    switch (imm & 3) {
    case 0: return vrndnq_f64(a);
    case 1: return vrndmq_f64(a);
    case 2: return vrndpq_f64(a);
    default: return vrndq_f64(a);
    }
}
static inline molt_m128d molt_mm_floor_pd(molt_m128d a) { return vrndmq_f64(a); }
static inline molt_m128d molt_mm_ceil_pd(molt_m128d a) { return vrndpq_f64(a); }

static inline molt_m128d molt_mm_castps_pd(molt_m128 a) { return vreinterpretq_f64_f32(a); }
static inline molt_m128 molt_mm_castpd_ps(molt_m128d a) { return vreinterpretq_f32_f64(a); }
static inline molt_m128i molt_mm_castpd_si128(molt_m128d a) { return vreinterpretq_s32_f64(a); }
static inline molt_m128d molt_mm_castsi128_pd(molt_m128i a) { return vreinterpretq_f64_s32(a); }

/* (double)a0, (double)a1: exact */
static inline molt_m128d molt_mm_cvtps_pd(molt_m128 a) { return vcvt_f64_f32(vget_low_f32(a)); }
/* rounded in the current mode; upper two lanes 0 */
static inline molt_m128 molt_mm_cvtpd_ps(molt_m128d a) { return vcombine_f32(vcvt_f32_f64(a), vdup_n_f32(0.0f)); }
static inline molt_m128d molt_mm_cvtepi32_pd(molt_m128i a) { return vcvtq_f64_s64(vmovl_s32(vget_low_s32(a))); }
/* double -> int32 of an already integral value r; NaN and out-of-range give
 * 0x80000000 as on x86; upper two lanes 0 */
static inline molt_m128i molt__cvt_pd_fix(float64x2_t r)
{
    uint64x2_t ok = vandq_u64(vcgeq_f64(r, vdupq_n_f64(-2147483648.0)), vcltq_f64(r, vdupq_n_f64(2147483648.0)));
    int64x2_t v = vbslq_s64(ok, vcvtq_s64_f64(r), vdupq_n_s64(INT32_MIN));
    return vcombine_s32(vmovn_s64(v), vdup_n_s32(0));
}
static inline molt_m128i molt_mm_cvtpd_epi32(molt_m128d a) { return molt__cvt_pd_fix(vrndiq_f64(a)); }
static inline molt_m128i molt_mm_cvttpd_epi32(molt_m128d a) { return molt__cvt_pd_fix(vrndq_f64(a)); }

/* ------------------------------------------------------------------------ */
/* AVX2 integers: the 128-bit operations on each half (which is also what   */
/* AVX2 does: packs, unpacks, byte shuffles, alignr and the byte shifts act */
/* within each 128-bit lane), plus the cross-lane ones                      */
/* ------------------------------------------------------------------------ */

static inline molt_m128i molt__half(molt_m256i a, int h) { return h ? a.hi : a.lo; }
static inline molt_m256i molt__join(molt_m128i lo, molt_m128i hi) { return molt__m256i(lo, hi); }

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

/* 256-bit doubles as two float64x2_t; FMA on doubles */
static inline molt_m128d molt__halfd(molt_m256d a, int h) { return h ? a.hi : a.lo; }
static inline molt_m256d molt__joind(molt_m128d lo, molt_m128d hi)
{
    molt_m256d r;
    r.lo = lo;
    r.hi = hi;
    return r;
}
static inline molt_m256i molt_mm256_castpd_si256(molt_m256d a) { return molt__m256i(vreinterpretq_s32_f64(a.lo), vreinterpretq_s32_f64(a.hi)); }
static inline molt_m256d molt_mm256_castsi256_pd(molt_m256i a) { return molt__joind(vreinterpretq_f64_s32(a.lo), vreinterpretq_f64_s32(a.hi)); }
/* fused, one rounding: a*b+c, a*b-c, -(a*b)+c, -(a*b)-c */
static inline molt_m128d molt_mm_fmadd_pd(molt_m128d a, molt_m128d b, molt_m128d c) { return vfmaq_f64(c, a, b); }
static inline molt_m128d molt_mm_fmsub_pd(molt_m128d a, molt_m128d b, molt_m128d c) { return vfmaq_f64(vnegq_f64(c), a, b); }
static inline molt_m128d molt_mm_fnmadd_pd(molt_m128d a, molt_m128d b, molt_m128d c) { return vfmsq_f64(c, a, b); }
static inline molt_m128d molt_mm_fnmsub_pd(molt_m128d a, molt_m128d b, molt_m128d c) { return vfmsq_f64(vnegq_f64(c), a, b); }

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
/* POPCNT, LZCNT, TZCNT, CRC32, hints and fences (aarch64)                  */
/* ------------------------------------------------------------------------ */

static inline int molt_mm_popcnt_u32(unsigned int a) { return (int)vaddv_u8(vcnt_u8(vcreate_u8(a))); }
static inline long long molt_mm_popcnt_u64(unsigned long long a) { return (long long)vaddv_u8(vcnt_u8(vcreate_u8(a))); }
/* leading / trailing zero counts, the width for 0 (like LZCNT and TZCNT,
 * unlike BSR/BSF) */
static inline unsigned int molt_lzcnt_u32(unsigned int a) { return a ? (unsigned int)__builtin_clz(a) : 32u; }
static inline unsigned long long molt_lzcnt_u64(unsigned long long a) { return a ? (unsigned long long)__builtin_clzll(a) : 64u; }
static inline unsigned int molt_tzcnt_u32(unsigned int a) { return a ? (unsigned int)__builtin_ctz(a) : 32u; }
static inline unsigned long long molt_tzcnt_u64(unsigned long long a) { return a ? (unsigned long long)__builtin_ctzll(a) : 64u; }

/* CRC-32C: the ARMv8 CRC32C instructions when the target has them
 * (-march=armv8-a+crc, or any ARMv8.1-A and later), else a bitwise loop. */
#if defined(__ARM_FEATURE_CRC32)
static inline unsigned int molt_mm_crc32_u8(unsigned int crc, unsigned char v) { return __crc32cb(crc, v); }
static inline unsigned int molt_mm_crc32_u16(unsigned int crc, unsigned short v) { return __crc32ch(crc, v); }
static inline unsigned int molt_mm_crc32_u32(unsigned int crc, unsigned int v) { return __crc32cw(crc, v); }
static inline unsigned long long molt_mm_crc32_u64(unsigned long long crc, unsigned long long v)
{
    return __crc32cd((uint32_t)crc, v);
}
#else
static inline unsigned int molt_mm_crc32_u8(unsigned int crc, unsigned char v) { return molt__crc32c(crc, v, 1); }
static inline unsigned int molt_mm_crc32_u16(unsigned int crc, unsigned short v) { return molt__crc32c(crc, v, 2); }
static inline unsigned int molt_mm_crc32_u32(unsigned int crc, unsigned int v) { return molt__crc32c(crc, v, 4); }
static inline unsigned long long molt_mm_crc32_u64(unsigned long long crc, unsigned long long v)
{
    return molt__crc32c((uint32_t)crc, v, 8);
}
#endif

/* Prefetch hints: T0/T1/T2 = locality 3/2/1, NTA = 0, ET0/ET1 = for writing. */
static inline void molt_mm_prefetch(const void *p, int hint)
{
    switch (hint) {
    case 7: __builtin_prefetch(p, 1, 3); break;
    case 6: __builtin_prefetch(p, 1, 2); break;
    case 3: __builtin_prefetch(p, 0, 3); break;
    case 2: __builtin_prefetch(p, 0, 2); break;
    case 1: __builtin_prefetch(p, 0, 1); break;
    default: __builtin_prefetch(p, 0, 0); break;
    }
}
/* spin-wait hint */
static inline void molt_mm_pause(void) { __asm__ __volatile__("yield" ::: "memory"); }
/* x86 sfence orders stores, lfence loads, mfence both */
static inline void molt_mm_sfence(void) { __asm__ __volatile__("dmb ishst" ::: "memory"); }
static inline void molt_mm_lfence(void) { __asm__ __volatile__("dmb ishld" ::: "memory"); }
static inline void molt_mm_mfence(void) { __asm__ __volatile__("dmb ish" ::: "memory"); }

/* 4 (8) halves -> floats: exact (vcvt_f32_f16; NaNs made quiet) */
static inline molt_m128 molt_mm_cvtph_ps(molt_m128i a) { return vcvt_f32_f16(vreinterpret_f16_s32(vget_low_s32(a))); }
static inline molt_m256 molt_mm256_cvtph_ps(molt_m128i a)
{
    return molt__m256(vcvt_f32_f16(vreinterpret_f16_s32(vget_low_s32(a))), vcvt_f32_f16(vreinterpret_f16_s32(vget_high_s32(a))));
}

#include "molt_simd_derived.h" /* the wrappers written on the ones above: the same for every target */

#undef MOLT__U
#undef MOLT__F

#endif /* MOLT_SIMD_NEON_H */
