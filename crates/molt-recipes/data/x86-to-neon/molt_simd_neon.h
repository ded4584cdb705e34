/*
 * molt_simd_neon.h: x86 SSE..AVX2/FMA intrinsics as aarch64 NEON.
 *
 * Part of molt's x86-to-neon recipe. The recipe keeps each x86 function
 * under `#if defined(__x86_64__) || defined(__i386__)` and adds a copy,
 * compiled under `#elif defined(__aarch64__)`, in which
 *
 *   types       __m128 __m256 __m128i __m256i   ->  molt_m128 molt_m256 molt_m128i molt_m256i
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
 *   - floating-point exception flags are not modelled.
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
#include <stdint.h>

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
static inline molt_m128 molt_mm_load_ss(const float *p) { return vsetq_lane_f32(*p, vdupq_n_f32(0.0f), 0); }
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
static inline molt_m128 molt_mm_set_ss(float a) { return vsetq_lane_f32(a, vdupq_n_f32(0.0f), 0); }
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

#undef MOLT__U
#undef MOLT__F

#endif /* MOLT_SIMD_NEON_H */
