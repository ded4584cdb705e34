/*
 * molt_simd_derived.h: the x86 intrinsics that molt_simd_neon.h and
 * molt_simd_scalar.h both write on their other wrappers, so the text is
 * the same for every target. Each of the two headers includes it at its end;
 * molt writes it into each header when it copies them beside a ported file,
 * so a ported project gets two self-contained headers.
 */

/* ------------------------------------------------------------------------ */
/* More SSE..SSE4.1: scalar-lane forms, scalar conversions, dot products,   */
/* minpos, mpsadbw, insert/extract_ps, streaming stores, tests              */
/* (written on the wrappers above, so the same in both headers)             */
/* ------------------------------------------------------------------------ */

/* (a0-a1, a2-a3, b0-b1, b2-b3); 256 bits per 128-bit half */
static inline molt_m128 molt_mm_hsub_ps(molt_m128 a, molt_m128 b)
{
    return molt_mm_sub_ps(molt_mm_shuffle_ps(a, b, 0x88), molt_mm_shuffle_ps(a, b, 0xdd));
}
static inline molt_m128d molt_mm_hsub_pd(molt_m128d a, molt_m128d b)
{
    return molt_mm_sub_pd(molt_mm_unpacklo_pd(a, b), molt_mm_unpackhi_pd(a, b));
}
static inline molt_m256 molt_mm256_hsub_ps(molt_m256 a, molt_m256 b)
{
    return molt_mm256_set_m128(molt_mm_hsub_ps(molt_mm256_extractf128_ps(a, 1), molt_mm256_extractf128_ps(b, 1)),
                               molt_mm_hsub_ps(molt_mm256_extractf128_ps(a, 0), molt_mm256_extractf128_ps(b, 0)));
}
MOLT__SPLITD2(molt_mm256_hsub_pd, molt_mm_hsub_pd)

/* the low lane computed, the other lane(s) from a */
static inline molt_m128d molt__sd(molt_m128d a, molt_m128d r) { return molt_mm_shuffle_pd(r, a, 2); }
static inline molt_m128d molt_mm_add_sd(molt_m128d a, molt_m128d b) { return molt__sd(a, molt_mm_add_pd(a, b)); }
static inline molt_m128d molt_mm_sub_sd(molt_m128d a, molt_m128d b) { return molt__sd(a, molt_mm_sub_pd(a, b)); }
static inline molt_m128d molt_mm_mul_sd(molt_m128d a, molt_m128d b) { return molt__sd(a, molt_mm_mul_pd(a, b)); }
static inline molt_m128d molt_mm_div_sd(molt_m128d a, molt_m128d b) { return molt__sd(a, molt_mm_div_pd(a, b)); }
static inline molt_m128d molt_mm_min_sd(molt_m128d a, molt_m128d b) { return molt__sd(a, molt_mm_min_pd(a, b)); }
static inline molt_m128d molt_mm_max_sd(molt_m128d a, molt_m128d b) { return molt__sd(a, molt_mm_max_pd(a, b)); }
/* (sqrt(b0), a1) */
static inline molt_m128d molt_mm_sqrt_sd(molt_m128d a, molt_m128d b) { return molt__sd(a, molt_mm_sqrt_pd(b)); }
/* (b0, a1, a2, a3) and (b0, a1) */
static inline molt_m128 molt_mm_move_ss(molt_m128 a, molt_m128 b) { return molt_mm_blend_ps(a, b, 1); }
static inline molt_m128d molt_mm_move_sd(molt_m128d a, molt_m128d b) { return molt_mm_blend_pd(a, b, 1); }
/* low 64 bits kept, high 64 bits zero */
static inline molt_m128i molt_mm_move_epi64(molt_m128i a) { return molt_mm_unpacklo_epi64(a, molt_mm_setzero_si128()); }
/* (a0, a0) */
static inline molt_m128d molt_mm_movedup_pd(molt_m128d a) { return molt_mm_unpacklo_pd(a, a); }
static inline molt_m128d molt_mm_loaddup_pd(const double *p) { return molt_mm_load1_pd(p); }
static inline molt_m128i molt_mm_lddqu_si128(const molt_m128i *p) { return molt_mm_loadu_si128(p); }
/* x86 leaves the contents undefined; here they are zero */
static inline molt_m128 molt_mm_undefined_ps(void) { return molt_mm_setzero_ps(); }
static inline molt_m128d molt_mm_undefined_pd(void) { return molt_mm_setzero_pd(); }
static inline molt_m128i molt_mm_undefined_si128(void) { return molt_mm_setzero_si128(); }
static inline molt_m256 molt_mm256_undefined_ps(void) { return molt_mm256_setzero_ps(); }
static inline molt_m256d molt_mm256_undefined_pd(void) { return molt_mm256_setzero_pd(); }
static inline molt_m256i molt_mm256_undefined_si256(void) { return molt_mm256_setzero_si256(); }

/* Non-temporal (streaming) stores and loads: ordinary ones here (aligned
 * pointers on x86; not checked) */
static inline void molt_mm_stream_ps(float *p, molt_m128 a) { molt_mm_storeu_ps(p, a); }
static inline void molt_mm_stream_pd(double *p, molt_m128d a) { molt_mm_storeu_pd(p, a); }
static inline void molt_mm_stream_si128(molt_m128i *p, molt_m128i a) { molt_mm_storeu_si128(p, a); }
static inline void molt_mm_stream_si32(int *p, int a) { *p = a; }
static inline void molt_mm_stream_si64(long long *p, long long a) { *p = a; }
static inline molt_m128i molt_mm_stream_load_si128(const molt_m128i *p) { return molt_mm_loadu_si128(p); }
static inline void molt_mm256_stream_ps(float *p, molt_m256 a) { molt_mm256_storeu_ps(p, a); }
static inline void molt_mm256_stream_pd(double *p, molt_m256d a) { molt_mm256_storeu_pd(p, a); }
static inline void molt_mm256_stream_si256(molt_m256i *p, molt_m256i a) { molt_mm256_storeu_si256(p, a); }
static inline molt_m256i molt_mm256_stream_load_si256(const molt_m256i *p) { return molt_mm256_loadu_si256(p); }

/* SSE4.1 tests */
static inline int molt_mm_test_all_zeros(molt_m128i a, molt_m128i mask) { return molt_mm_testz_si128(a, mask); }
static inline int molt_mm_test_all_ones(molt_m128i a) { return molt_mm_testc_si128(a, molt_mm_set1_epi32(-1)); }
static inline int molt_mm_test_mix_ones_zeros(molt_m128i a, molt_m128i mask) { return molt_mm_testnzc_si128(a, mask); }

/* Scalar conversions. float/double -> int: NaN and out-of-range give
 * INT32_MIN (INT64_MIN for 64 bits) as on x86; the rounding ones use the
 * current mode. */
static inline int molt_mm_cvtss_si32(molt_m128 a) { return molt_mm_cvtsi128_si32(molt_mm_cvtps_epi32(a)); }
static inline int molt_mm_cvttss_si32(molt_m128 a) { return molt_mm_cvtsi128_si32(molt_mm_cvttps_epi32(a)); }
static inline int molt_mm_cvt_ss2si(molt_m128 a) { return molt_mm_cvtss_si32(a); }
static inline int molt_mm_cvtt_ss2si(molt_m128 a) { return molt_mm_cvttss_si32(a); }
static inline int molt_mm_cvtsd_si32(molt_m128d a) { return molt_mm_cvtsi128_si32(molt_mm_cvtpd_epi32(a)); }
static inline int molt_mm_cvttsd_si32(molt_m128d a) { return molt_mm_cvtsi128_si32(molt_mm_cvttpd_epi32(a)); }
static inline long long molt__cvt64(double r)
{
    return (r >= -9223372036854775808.0 && r < 9223372036854775808.0) ? (long long)r : (long long)(-9223372036854775807LL - 1);
}
static inline long long molt_mm_cvtsd_si64(molt_m128d a) { return molt__cvt64(molt_mm_cvtsd_f64(molt_mm_round_pd(a, 4))); }
static inline long long molt_mm_cvttsd_si64(molt_m128d a) { return molt__cvt64(molt_mm_cvtsd_f64(molt_mm_round_pd(a, 3))); }
static inline long long molt_mm_cvtss_si64(molt_m128 a) { return molt__cvt64((double)molt_mm_cvtss_f32(molt_mm_round_ps(a, 4))); }
static inline long long molt_mm_cvttss_si64(molt_m128 a) { return molt__cvt64((double)molt_mm_cvtss_f32(molt_mm_round_ps(a, 3))); }
static inline long long molt_mm_cvtsd_si64x(molt_m128d a) { return molt_mm_cvtsd_si64(a); }
static inline long long molt_mm_cvttsd_si64x(molt_m128d a) { return molt_mm_cvttsd_si64(a); }
/* (int -> lane 0, the other lanes from a); the conversion rounds in the current mode */
static inline molt_m128 molt_mm_cvtsi32_ss(molt_m128 a, int b) { return molt_mm_move_ss(a, molt_mm_cvtepi32_ps(molt_mm_cvtsi32_si128(b))); }
static inline molt_m128d molt_mm_cvtsi32_sd(molt_m128d a, int b) { return molt_mm_move_sd(a, molt_mm_cvtepi32_pd(molt_mm_cvtsi32_si128(b))); }
static inline molt_m128 molt_mm_cvtsi64_ss(molt_m128 a, long long b) { return molt_mm_move_ss(a, molt_mm_set_ss((float)b)); }
static inline molt_m128d molt_mm_cvtsi64_sd(molt_m128d a, long long b) { return molt_mm_move_sd(a, molt_mm_set_sd((double)b)); }
static inline molt_m128 molt_mm_cvt_si2ss(molt_m128 a, int b) { return molt_mm_cvtsi32_ss(a, b); }
/* (double)b0 into lane 0 of a / (float)b0 into lane 0 of a */
static inline molt_m128d molt_mm_cvtss_sd(molt_m128d a, molt_m128 b) { return molt_mm_move_sd(a, molt_mm_cvtps_pd(b)); }
static inline molt_m128 molt_mm_cvtsd_ss(molt_m128 a, molt_m128d b) { return molt_mm_move_ss(a, molt_mm_cvtpd_ps(b)); }

/* int bits of lane imm & 3 */
static inline int molt_mm_extract_ps(molt_m128 a, int imm) { return molt_mm_extract_epi32(molt_mm_castps_si128(a), imm & 3); }
/* lane imm[5:4] of a = lane imm[7:6] of b, then lanes set in imm[3:0] zeroed */
static inline molt_m128 molt_mm_insert_ps(molt_m128 a, molt_m128 b, int imm)
{
    molt_m128i v = molt_mm_insert_epi32(molt_mm_castps_si128(a), molt_mm_extract_ps(b, (imm >> 6) & 3), (imm >> 4) & 3);
    return molt_mm_blend_ps(molt_mm_castsi128_ps(v), molt_mm_setzero_ps(), imm & 15);
}
/* Dot products: products of the lanes in imm[7:4] (others +0.0), summed
 * as x86 does ((p0 + p1) + (p2 + p3)), into the lanes in imm[3:0]. */
static inline molt_m128 molt_mm_dp_ps(molt_m128 a, molt_m128 b, int imm)
{
    molt_m128 p = molt_mm_blend_ps(molt_mm_setzero_ps(), molt_mm_mul_ps(a, b), (imm >> 4) & 15);
    molt_m128 s = molt_mm_hadd_ps(p, p); /* (p0+p1, p2+p3, ...) */
    molt_m128 t = molt_mm_add_ps(s, molt_mm_shuffle_ps(s, s, 0x55));
    return molt_mm_blend_ps(molt_mm_setzero_ps(), molt_mm_shuffle_ps(t, t, 0), imm & 15);
}
static inline molt_m128d molt_mm_dp_pd(molt_m128d a, molt_m128d b, int imm)
{
    molt_m128d p = molt_mm_blend_pd(molt_mm_setzero_pd(), molt_mm_mul_pd(a, b), (imm >> 4) & 3);
    molt_m128d s = molt_mm_hadd_pd(p, p);
    return molt_mm_blend_pd(molt_mm_setzero_pd(), s, imm & 3);
}
static inline molt_m256 molt_mm256_dp_ps(molt_m256 a, molt_m256 b, int imm)
{
    return molt_mm256_set_m128(molt_mm_dp_ps(molt_mm256_extractf128_ps(a, 1), molt_mm256_extractf128_ps(b, 1), imm),
                               molt_mm_dp_ps(molt_mm256_extractf128_ps(a, 0), molt_mm256_extractf128_ps(b, 0), imm));
}
/* the smallest unsigned 16-bit lane in bits 0..15, its (first) index in
 * bits 16..18, the rest 0 */
static inline molt_m128i molt_mm_minpos_epu16(molt_m128i a)
{
    int best = 0, v = molt_mm_extract_epi16(a, 0);
    for (int k = 1; k < 8; k++) {
        int x = molt_mm_extract_epi16(a, k);
        if (x < v)
            v = x, best = k;
    }
    return molt_mm_cvtsi32_si128(v | best << 16);
}
/* eight sums of |a[ao+i+j] - b[bo+j]| (j = 0..3) with ao = 4 * imm[2],
 * bo = 4 * imm[1:0] */
static inline molt_m128i molt_mm_mpsadbw_epu8(molt_m128i a, molt_m128i b, int imm)
{
    int ao = ((imm >> 2) & 1) * 4, bo = (imm & 3) * 4;
    int x[16], y[16];
    for (int k = 0; k < 16; k++) {
        x[k] = molt_mm_extract_epi8(a, k);
        y[k] = molt_mm_extract_epi8(b, k);
    }
    short r[8];
    for (int i = 0; i < 8; i++) {
        int s = 0;
        for (int j = 0; j < 4; j++) {
            int d = x[ao + i + j] - y[bo + j];
            s += d < 0 ? -d : d;
        }
        r[i] = (short)s;
    }
    return molt_mm_setr_epi16(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

/* PCLMULQDQ: carry-less product of a 64-bit half of a (imm bit 0) and of b
 * (imm bit 4) */
static inline molt_m128i molt__clmul(uint64_t x, uint64_t y)
{
    uint64_t lo = 0, hi = 0;
    for (int i = 0; i < 64; i++)
        if ((y >> i) & 1) {
            lo ^= x << i;
            hi ^= i ? x >> (64 - i) : 0;
        }
    return molt_mm_set_epi64x((long long)hi, (long long)lo);
}
#if defined(MOLT__NEON_PMULL)
static inline molt_m128i molt_mm_clmulepi64_si128(molt_m128i a, molt_m128i b, int imm)
{
    uint64x2_t va = vreinterpretq_u64_s32(a), vb = vreinterpretq_u64_s32(b);
    poly64_t x = (poly64_t)((imm & 1) ? vgetq_lane_u64(va, 1) : vgetq_lane_u64(va, 0));
    poly64_t y = (poly64_t)((imm & 0x10) ? vgetq_lane_u64(vb, 1) : vgetq_lane_u64(vb, 0));
    return vreinterpretq_s32_p128(vmull_p64(x, y));
}
#else
static inline molt_m128i molt_mm_clmulepi64_si128(molt_m128i a, molt_m128i b, int imm)
{
    return molt__clmul((uint64_t)molt_mm_extract_epi64(a, imm & 1), (uint64_t)molt_mm_extract_epi64(b, (imm >> 4) & 1));
}
#endif

/* AES-NI. State byte i is row i % 4 of column i / 4, as in FIPS-197. */
static inline uint8_t molt__gmul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;
    while (b) {
        if (b & 1)
            p ^= a;
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return p;
}
static inline uint8_t molt__rotl8(uint8_t b, int n) { return (uint8_t)((b << n) | (b >> (8 - n))); }
/* x^254, the inverse in GF(2^8) (0 for 0) */
static inline uint8_t molt__ginv(uint8_t x)
{
    uint8_t r = x;
    for (int i = 0; i < 6; i++)
        r = molt__gmul(molt__gmul(r, r), x);
    return molt__gmul(r, r);
}
static inline uint8_t molt__sbox(uint8_t x)
{
    uint8_t b = molt__ginv(x);
    return (uint8_t)(b ^ molt__rotl8(b, 1) ^ molt__rotl8(b, 2) ^ molt__rotl8(b, 3) ^ molt__rotl8(b, 4) ^ 0x63);
}
static inline uint8_t molt__inv_sbox(uint8_t y)
{
    return molt__ginv((uint8_t)(molt__rotl8(y, 1) ^ molt__rotl8(y, 3) ^ molt__rotl8(y, 6) ^ 0x05));
}
/* one AES (inverse) round on s: shift rows and substitute, then mix columns if mix */
static inline void molt__aes_round(uint8_t s[16], int inverse, int mix)
{
    uint8_t t[16];
    for (int c = 0; c < 4; c++)
        for (int r = 0; r < 4; r++) {
            int from = inverse ? (c - r + 4) % 4 : (c + r) % 4;
            t[r + 4 * c] = inverse ? molt__inv_sbox(s[r + 4 * from]) : molt__sbox(s[r + 4 * from]);
        }
    for (int c = 0; c < 4; c++) {
        const uint8_t *a = t + 4 * c;
        for (int r = 0; r < 4; r++) {
            if (!mix)
                s[r + 4 * c] = a[r];
            else if (!inverse)
                s[r + 4 * c] = (uint8_t)(molt__gmul(a[r], 2) ^ molt__gmul(a[(r + 1) % 4], 3) ^ a[(r + 2) % 4] ^ a[(r + 3) % 4]);
            else
                s[r + 4 * c] = (uint8_t)(molt__gmul(a[r], 14) ^ molt__gmul(a[(r + 1) % 4], 11) ^
                                         molt__gmul(a[(r + 2) % 4], 13) ^ molt__gmul(a[(r + 3) % 4], 9));
        }
    }
}
static inline molt_m128i molt__aes_soft(molt_m128i a, molt_m128i key, int inverse, int mix)
{
    uint8_t s[16];
    molt_mm_storeu_si128((molt_m128i *)(void *)s, a);
    molt__aes_round(s, inverse, mix);
    return molt_mm_xor_si128(molt_mm_loadu_si128((const molt_m128i *)(const void *)s), key);
}
#if defined(MOLT__NEON_AES)
/* AESE/AESD xor the key first; with a zero key they are (Inv)SubBytes +
 * (Inv)ShiftRows, then (Inv)MixColumns and the key as x86 orders them */
static inline molt_m128i molt_mm_aesenc_si128(molt_m128i a, molt_m128i key)
{
    return veorq_s32(vreinterpretq_s32_u8(vaesmcq_u8(vaeseq_u8(vreinterpretq_u8_s32(a), vdupq_n_u8(0)))), key);
}
static inline molt_m128i molt_mm_aesenclast_si128(molt_m128i a, molt_m128i key)
{
    return veorq_s32(vreinterpretq_s32_u8(vaeseq_u8(vreinterpretq_u8_s32(a), vdupq_n_u8(0))), key);
}
static inline molt_m128i molt_mm_aesdec_si128(molt_m128i a, molt_m128i key)
{
    return veorq_s32(vreinterpretq_s32_u8(vaesimcq_u8(vaesdq_u8(vreinterpretq_u8_s32(a), vdupq_n_u8(0)))), key);
}
static inline molt_m128i molt_mm_aesdeclast_si128(molt_m128i a, molt_m128i key)
{
    return veorq_s32(vreinterpretq_s32_u8(vaesdq_u8(vreinterpretq_u8_s32(a), vdupq_n_u8(0))), key);
}
static inline molt_m128i molt_mm_aesimc_si128(molt_m128i a) { return vreinterpretq_s32_u8(vaesimcq_u8(vreinterpretq_u8_s32(a))); }
#else
static inline molt_m128i molt_mm_aesenc_si128(molt_m128i a, molt_m128i key) { return molt__aes_soft(a, key, 0, 1); }
static inline molt_m128i molt_mm_aesenclast_si128(molt_m128i a, molt_m128i key) { return molt__aes_soft(a, key, 0, 0); }
static inline molt_m128i molt_mm_aesdec_si128(molt_m128i a, molt_m128i key) { return molt__aes_soft(a, key, 1, 1); }
static inline molt_m128i molt_mm_aesdeclast_si128(molt_m128i a, molt_m128i key) { return molt__aes_soft(a, key, 1, 0); }
static inline molt_m128i molt_mm_aesimc_si128(molt_m128i a)
{
    uint8_t s[16], t[16];
    molt_mm_storeu_si128((molt_m128i *)(void *)s, a);
    for (int c = 0; c < 4; c++)
        for (int r = 0; r < 4; r++) {
            const uint8_t *x = s + 4 * c;
            t[r + 4 * c] = (uint8_t)(molt__gmul(x[r], 14) ^ molt__gmul(x[(r + 1) % 4], 11) ^ molt__gmul(x[(r + 2) % 4], 13) ^
                                     molt__gmul(x[(r + 3) % 4], 9));
        }
    return molt_mm_loadu_si128((const molt_m128i *)(const void *)t);
}
#endif
/* (SubWord(X1), RotWord(SubWord(X1)) ^ rcon, SubWord(X3), RotWord(SubWord(X3)) ^ rcon),
 * X1 and X3 the 32-bit lanes 1 and 3 of a */
static inline molt_m128i molt_mm_aeskeygenassist_si128(molt_m128i a, int rcon)
{
    uint32_t w[2] = {(uint32_t)molt_mm_extract_epi32(a, 1), (uint32_t)molt_mm_extract_epi32(a, 3)}, r[4];
    for (int i = 0; i < 2; i++) {
        uint32_t s = 0;
        for (int b = 0; b < 4; b++)
            s |= (uint32_t)molt__sbox((uint8_t)(w[i] >> (8 * b))) << (8 * b);
        r[2 * i] = s;
        r[2 * i + 1] = ((s >> 8) | (s << 24)) ^ (uint32_t)(rcon & 0xff);
    }
    return molt_mm_setr_epi32((int)r[0], (int)r[1], (int)r[2], (int)r[3]);
}

/* ------------------------------------------------------------------------ */
/* SSE4.2 string compares (PCMPxSTRx), in portable C                        */
/* ------------------------------------------------------------------------ */

/* imm bits 0..1: unsigned bytes, unsigned words, signed bytes, signed words;
 * 2..3: equal any, ranges, equal each, equal ordered; 4..5: polarity
 * (negate, or negate only the valid elements of b); 6: most significant
 * index / expanded mask. la, lb: the valid lengths. Returns IntRes2. */
static inline unsigned molt__strcmp_mask(molt_m128i a, molt_m128i b, int la, int lb, int imm)
{
    int words = imm & 1, sgn = (imm >> 1) & 1, n = words ? 8 : 16;
    int x[16], y[16];
    for (int i = 0; i < n; i++) {
        int u = words ? molt_mm_extract_epi16(a, i) : molt_mm_extract_epi8(a, i);
        int v = words ? molt_mm_extract_epi16(b, i) : molt_mm_extract_epi8(b, i);
        if (sgn) {
            u = words ? (u ^ 0x8000) - 0x8000 : (u ^ 0x80) - 0x80;
            v = words ? (v ^ 0x8000) - 0x8000 : (v ^ 0x80) - 0x80;
        }
        x[i] = u;
        y[i] = v;
    }
    unsigned r = 0;
    for (int j = 0; j < n; j++) {
        int bit = 0;
        switch ((imm >> 2) & 3) {
        case 0: /* equal any: b[j] is one of a's valid elements */
            for (int i = 0; i < la && j < lb; i++)
                bit |= x[i] == y[j];
            break;
        case 1: /* ranges: a[i] <= b[j] <= a[i+1] for an even i */
            for (int i = 0; i + 1 < n && j < lb; i += 2) {
                int ge = i < la && y[j] >= x[i], le = i + 1 < la && y[j] <= x[i + 1];
                bit |= ge && le;
            }
            break;
        case 2: /* equal each: both invalid is a match, one invalid is not */
            bit = (j >= la && j >= lb) || (j < la && j < lb && x[j] == y[j]);
            break;
        default: /* equal ordered: a (its valid part) occurs at b[j] */
            bit = 1;
            for (int k = 0; k + j < n && k < la; k++)
                if (!(k + j < lb && x[k] == y[k + j])) {
                    bit = 0;
                    break;
                }
            break;
        }
        r |= (unsigned)bit << j;
    }
    unsigned all = (1u << n) - 1u, valid_b = lb >= n ? all : (1u << lb) - 1u;
    switch ((imm >> 4) & 3) {
    case 1: r ^= all; break;
    case 3: r ^= valid_b; break;
    default: break;
    }
    return r;
}
/* implicit length: up to the first zero element */
static inline int molt__strlen(molt_m128i a, int imm)
{
    int n = (imm & 1) ? 8 : 16;
    for (int i = 0; i < n; i++)
        if (((imm & 1) ? molt_mm_extract_epi16(a, i) : molt_mm_extract_epi8(a, i)) == 0)
            return i;
    return n;
}
/* explicit length: |l| saturated to the element count */
static inline int molt__strlen_e(int l, int imm)
{
    int n = (imm & 1) ? 8 : 16;
    long long m = l < 0 ? -(long long)l : (long long)l;
    return m > n ? n : (int)m;
}
static inline int molt__str_index(unsigned r, int imm)
{
    int n = (imm & 1) ? 8 : 16;
    if (!r)
        return n;
    int i = 0;
    if (imm & 0x40)
        for (i = n - 1; !((r >> i) & 1); i--) {
        }
    else
        for (; !((r >> i) & 1); i++) {
        }
    return i;
}
static inline molt_m128i molt__str_mask(unsigned r, int imm)
{
    if (!(imm & 0x40))
        return molt_mm_cvtsi32_si128((int)r);
    if (imm & 1) {
        short w[8];
        for (int i = 0; i < 8; i++)
            w[i] = (short)((r >> i) & 1 ? -1 : 0);
        return molt_mm_setr_epi16(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
    }
    char c[16];
    for (int i = 0; i < 16; i++)
        c[i] = (char)((r >> i) & 1 ? -1 : 0);
    return molt_mm_setr_epi8(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15]);
}
#define MOLT__ISTR(a, b, imm) molt__strcmp_mask(a, b, molt__strlen(a, imm), molt__strlen(b, imm), imm)
#define MOLT__ESTR(a, la, b, lb, imm) molt__strcmp_mask(a, b, molt__strlen_e(la, imm), molt__strlen_e(lb, imm), imm)
static inline int molt_mm_cmpistri(molt_m128i a, molt_m128i b, int imm) { return molt__str_index(MOLT__ISTR(a, b, imm), imm); }
static inline molt_m128i molt_mm_cmpistrm(molt_m128i a, molt_m128i b, int imm) { return molt__str_mask(MOLT__ISTR(a, b, imm), imm); }
/* flags: c = any match, z = b shorter than the register, s = a shorter, o = bit 0, a = !c && !z */
static inline int molt_mm_cmpistrc(molt_m128i a, molt_m128i b, int imm) { return MOLT__ISTR(a, b, imm) != 0; }
static inline int molt_mm_cmpistrz(molt_m128i a, molt_m128i b, int imm) { (void)a; return molt__strlen(b, imm) < ((imm & 1) ? 8 : 16); }
static inline int molt_mm_cmpistrs(molt_m128i a, molt_m128i b, int imm) { (void)b; return molt__strlen(a, imm) < ((imm & 1) ? 8 : 16); }
static inline int molt_mm_cmpistro(molt_m128i a, molt_m128i b, int imm) { return (int)(MOLT__ISTR(a, b, imm) & 1u); }
static inline int molt_mm_cmpistra(molt_m128i a, molt_m128i b, int imm)
{
    return MOLT__ISTR(a, b, imm) == 0 && !molt_mm_cmpistrz(a, b, imm);
}
static inline int molt_mm_cmpestri(molt_m128i a, int la, molt_m128i b, int lb, int imm)
{
    return molt__str_index(MOLT__ESTR(a, la, b, lb, imm), imm);
}
static inline molt_m128i molt_mm_cmpestrm(molt_m128i a, int la, molt_m128i b, int lb, int imm)
{
    return molt__str_mask(MOLT__ESTR(a, la, b, lb, imm), imm);
}
static inline int molt_mm_cmpestrc(molt_m128i a, int la, molt_m128i b, int lb, int imm) { return MOLT__ESTR(a, la, b, lb, imm) != 0; }
static inline int molt_mm_cmpestrz(molt_m128i a, int la, molt_m128i b, int lb, int imm)
{
    (void)a, (void)la, (void)b;
    return molt__strlen_e(lb, imm) < ((imm & 1) ? 8 : 16);
}
static inline int molt_mm_cmpestrs(molt_m128i a, int la, molt_m128i b, int lb, int imm)
{
    (void)a, (void)b, (void)lb;
    return molt__strlen_e(la, imm) < ((imm & 1) ? 8 : 16);
}
static inline int molt_mm_cmpestro(molt_m128i a, int la, molt_m128i b, int lb, int imm) { return (int)(MOLT__ESTR(a, la, b, lb, imm) & 1u); }
static inline int molt_mm_cmpestra(molt_m128i a, int la, molt_m128i b, int lb, int imm)
{
    return MOLT__ESTR(a, la, b, lb, imm) == 0 && !molt_mm_cmpestrz(a, la, b, lb, imm);
}

/* ------------------------------------------------------------------------ */
/* Scalar-lane compares, comi/ucomi, in-lane variable permutes, 64-bit      */
/* variable shifts, more 256-bit moves and masked loads                     */
/* ------------------------------------------------------------------------ */

/* lane 0: all ones if the relation holds (NaN: as the _ps forms), lanes 1.. from a */
#define MOLT__CMPSS(name, pred)                                                         \
    static inline molt_m128 name(molt_m128 a, molt_m128 b) { return molt_mm_move_ss(a, molt_mm_cmp_ps(a, b, pred)); }
#define MOLT__CMPSD(name, pred)                                                         \
    static inline molt_m128d name(molt_m128d a, molt_m128d b) { return molt_mm_move_sd(a, molt_mm_cmp_pd(a, b, pred)); }
MOLT__CMPSS(molt_mm_cmpeq_ss, 0x0)
MOLT__CMPSS(molt_mm_cmplt_ss, 0x1)
MOLT__CMPSS(molt_mm_cmple_ss, 0x2)
MOLT__CMPSS(molt_mm_cmpunord_ss, 0x3)
MOLT__CMPSS(molt_mm_cmpneq_ss, 0x4)
MOLT__CMPSS(molt_mm_cmpord_ss, 0x7)
MOLT__CMPSD(molt_mm_cmpeq_sd, 0x0)
MOLT__CMPSD(molt_mm_cmplt_sd, 0x1)
MOLT__CMPSD(molt_mm_cmple_sd, 0x2)
MOLT__CMPSD(molt_mm_cmpunord_sd, 0x3)
MOLT__CMPSD(molt_mm_cmpneq_sd, 0x4)
MOLT__CMPSD(molt_mm_cmpord_sd, 0x7)
/* gt/ge: b < a, b <= a in lane 0 */
static inline molt_m128 molt_mm_cmpgt_ss(molt_m128 a, molt_m128 b) { return molt_mm_move_ss(a, molt_mm_cmp_ps(b, a, 0x1)); }
static inline molt_m128 molt_mm_cmpge_ss(molt_m128 a, molt_m128 b) { return molt_mm_move_ss(a, molt_mm_cmp_ps(b, a, 0x2)); }
static inline molt_m128d molt_mm_cmpgt_sd(molt_m128d a, molt_m128d b) { return molt_mm_move_sd(a, molt_mm_cmp_pd(b, a, 0x1)); }
static inline molt_m128d molt_mm_cmpge_sd(molt_m128d a, molt_m128d b) { return molt_mm_move_sd(a, molt_mm_cmp_pd(b, a, 0x2)); }
static inline molt_m128 molt_mm_cmp_ss(molt_m128 a, molt_m128 b, int pred) { return molt_mm_move_ss(a, molt_mm_cmp_ps(a, b, pred)); }
static inline molt_m128d molt_mm_cmp_sd(molt_m128d a, molt_m128d b, int pred) { return molt_mm_move_sd(a, molt_mm_cmp_pd(a, b, pred)); }

/* comi/ucomi: 0 or 1 from lane 0 (comi and ucomi differ only in exception
 * flags). With a NaN operand these follow GCC's x86 intrinsics, which read
 * the raw COMISS flags (ZF = PF = CF = 1): eq, lt and le give 1, gt, ge and
 * neq give 0. (Intel's guide and clang give 0 for eq/lt/le/gt/ge, 1 for neq.) */
static inline int molt__comi(float a, float b, int rel)
{
    if (a != a || b != b)
        return rel <= 2;
    switch (rel) {
    case 0: return a == b;
    case 1: return a < b;
    case 2: return a <= b;
    case 3: return a > b;
    case 4: return a >= b;
    default: return !(a == b);
    }
}
static inline int molt__comid(double a, double b, int rel)
{
    if (a != a || b != b)
        return rel <= 2;
    switch (rel) {
    case 0: return a == b;
    case 1: return a < b;
    case 2: return a <= b;
    case 3: return a > b;
    case 4: return a >= b;
    default: return !(a == b);
    }
}
#define MOLT__COMI(name, rel) \
    static inline int name(molt_m128 a, molt_m128 b) { return molt__comi(molt_mm_cvtss_f32(a), molt_mm_cvtss_f32(b), rel); }
#define MOLT__COMID(name, rel) \
    static inline int name(molt_m128d a, molt_m128d b) { return molt__comid(molt_mm_cvtsd_f64(a), molt_mm_cvtsd_f64(b), rel); }
MOLT__COMI(molt_mm_comieq_ss, 0)
MOLT__COMI(molt_mm_comilt_ss, 1)
MOLT__COMI(molt_mm_comile_ss, 2)
MOLT__COMI(molt_mm_comigt_ss, 3)
MOLT__COMI(molt_mm_comige_ss, 4)
MOLT__COMI(molt_mm_comineq_ss, 5)
MOLT__COMI(molt_mm_ucomieq_ss, 0)
MOLT__COMI(molt_mm_ucomilt_ss, 1)
MOLT__COMI(molt_mm_ucomile_ss, 2)
MOLT__COMI(molt_mm_ucomigt_ss, 3)
MOLT__COMI(molt_mm_ucomige_ss, 4)
MOLT__COMI(molt_mm_ucomineq_ss, 5)
MOLT__COMID(molt_mm_comieq_sd, 0)
MOLT__COMID(molt_mm_comilt_sd, 1)
MOLT__COMID(molt_mm_comile_sd, 2)
MOLT__COMID(molt_mm_comigt_sd, 3)
MOLT__COMID(molt_mm_comige_sd, 4)
MOLT__COMID(molt_mm_comineq_sd, 5)
MOLT__COMID(molt_mm_ucomieq_sd, 0)
MOLT__COMID(molt_mm_ucomilt_sd, 1)
MOLT__COMID(molt_mm_ucomile_sd, 2)
MOLT__COMID(molt_mm_ucomigt_sd, 3)
MOLT__COMID(molt_mm_ucomige_sd, 4)
MOLT__COMID(molt_mm_ucomineq_sd, 5)

/* in-lane permutes by a vector: lane i = a[idx[i] & 3] (ps), a[(idx[i] >> 1) & 1] (pd) */
static inline molt_m128 molt_mm_permutevar_ps(molt_m128 a, molt_m128i idx)
{
    int32_t x[4], r[4];
    molt_mm_storeu_si128((molt_m128i *)(void *)x, molt_mm_castps_si128(a));
    for (int k = 0; k < 4; k++)
        r[k] = x[molt_mm_extract_epi32(idx, k) & 3];
    return molt_mm_castsi128_ps(molt_mm_loadu_si128((const molt_m128i *)(const void *)r));
}
static inline molt_m256 molt_mm256_permutevar_ps(molt_m256 a, molt_m256i idx)
{
    return molt_mm256_set_m128(molt_mm_permutevar_ps(molt_mm256_extractf128_ps(a, 1), molt_mm256_extracti128_si256(idx, 1)),
                               molt_mm_permutevar_ps(molt_mm256_extractf128_ps(a, 0), molt_mm256_extracti128_si256(idx, 0)));
}
/* lane i = a[imm bit i] (pd; 256 bits: bits 0..1 low half, 2..3 high half) */
static inline molt_m128d molt_mm_permute_pd(molt_m128d a, int imm) { return molt_mm_shuffle_pd(a, a, imm & 3); }
static inline molt_m256d molt_mm256_permute_pd(molt_m256d a, int imm) { return molt_mm256_shuffle_pd(a, a, imm & 15); }

/* per-lane 64-bit shifts: counts above 63 give 0 */
static inline molt_m128i molt__varshift64(molt_m128i a, molt_m128i count, int right)
{
    uint64_t x[2], c[2];
    molt_mm_storeu_si128((molt_m128i *)(void *)x, a);
    molt_mm_storeu_si128((molt_m128i *)(void *)c, count);
    for (int k = 0; k < 2; k++)
        x[k] = c[k] > 63 ? 0 : right ? x[k] >> c[k] : x[k] << c[k];
    return molt_mm_loadu_si128((const molt_m128i *)(const void *)x);
}
static inline molt_m128i molt_mm_sllv_epi64(molt_m128i a, molt_m128i count) { return molt__varshift64(a, count, 0); }
static inline molt_m128i molt_mm_srlv_epi64(molt_m128i a, molt_m128i count) { return molt__varshift64(a, count, 1); }
MOLT__SPLIT2(molt_mm256_sllv_epi64, molt_mm_sllv_epi64)
MOLT__SPLIT2(molt_mm256_srlv_epi64, molt_mm_srlv_epi64)

/* 256-bit duplicating moves and double broadcast */
static inline molt_m256 molt_mm256_movehdup_ps(molt_m256 a)
{
    return molt_mm256_set_m128(molt_mm_movehdup_ps(molt_mm256_extractf128_ps(a, 1)), molt_mm_movehdup_ps(molt_mm256_extractf128_ps(a, 0)));
}
static inline molt_m256 molt_mm256_moveldup_ps(molt_m256 a)
{
    return molt_mm256_set_m128(molt_mm_moveldup_ps(molt_mm256_extractf128_ps(a, 1)), molt_mm_moveldup_ps(molt_mm256_extractf128_ps(a, 0)));
}
MOLT__SPLITD1(molt_mm256_movedup_pd, molt_mm_movedup_pd)
static inline molt_m256d molt_mm256_broadcastsd_pd(molt_m128d a) { return molt__joind(molt_mm_movedup_pd(a), molt_mm_movedup_pd(a)); }
static inline molt_m128d molt_mm_broadcastsd_pd(molt_m128d a) { return molt_mm_movedup_pd(a); }

/* masked loads/stores of 64-bit lanes (sign bit of the mask lane) */
static inline molt_m128i molt_mm_maskload_epi64(const long long *p, molt_m128i mask)
{
    int64_t r[2] = {0, 0};
    for (int k = 0; k < 2; k++)
        if (molt_mm_extract_epi64(mask, k) < 0)
            memcpy(&r[k], p + k, 8);
    return molt_mm_loadu_si128((const molt_m128i *)(const void *)r);
}
static inline void molt_mm_maskstore_epi64(long long *p, molt_m128i mask, molt_m128i a)
{
    for (int k = 0; k < 2; k++)
        if (molt_mm_extract_epi64(mask, k) < 0) {
            long long v = molt_mm_extract_epi64(a, k);
            memcpy(p + k, &v, 8);
        }
}
static inline molt_m256i molt_mm256_maskload_epi64(const long long *p, molt_m256i mask)
{
    return molt__join(molt_mm_maskload_epi64(p, molt__half(mask, 0)), molt_mm_maskload_epi64(p + 2, molt__half(mask, 1)));
}
static inline void molt_mm256_maskstore_epi64(long long *p, molt_m256i mask, molt_m256i a)
{
    molt_mm_maskstore_epi64(p, molt__half(mask, 0), molt__half(a, 0));
    molt_mm_maskstore_epi64(p + 2, molt__half(mask, 1), molt__half(a, 1));
}
static inline molt_m128d molt_mm_maskload_pd(const double *p, molt_m128i mask)
{
    return molt_mm_castsi128_pd(molt_mm_maskload_epi64((const long long *)(const void *)p, mask));
}
static inline void molt_mm_maskstore_pd(double *p, molt_m128i mask, molt_m128d a)
{
    molt_mm_maskstore_epi64((long long *)(void *)p, mask, molt_mm_castpd_si128(a));
}
static inline molt_m256d molt_mm256_maskload_pd(const double *p, molt_m256i mask)
{
    return molt_mm256_castsi256_pd(molt_mm256_maskload_epi64((const long long *)(const void *)p, mask));
}
static inline void molt_mm256_maskstore_pd(double *p, molt_m256i mask, molt_m256d a)
{
    molt_mm256_maskstore_epi64((long long *)(void *)p, mask, molt_mm256_castpd_si256(a));
}

/* ------------------------------------------------------------------------ */
/* More loads, stores and sets; scalar-lane rounding and estimates; more    */
/* gathers                                                                  */
/* ------------------------------------------------------------------------ */

static inline molt_m128 molt_mm_set_ps1(float a) { return molt_mm_set1_ps(a); }
static inline molt_m128 molt_mm_load1_ps(const float *p) { return molt_mm_set1_ps(*p); }
static inline molt_m128 molt_mm_load_ps1(const float *p) { return molt_mm_set1_ps(*p); }
/* (p[3], p[2], p[1], p[0]) */
static inline molt_m128 molt_mm_loadr_ps(const float *p) { return molt_mm_shuffle_ps(molt_mm_loadu_ps(p), molt_mm_loadu_ps(p), 0x1b); }
static inline void molt_mm_store1_ps(float *p, molt_m128 a) { molt_mm_storeu_ps(p, molt_mm_shuffle_ps(a, a, 0)); }
static inline void molt_mm_store_ps1(float *p, molt_m128 a) { molt_mm_store1_ps(p, a); }
static inline void molt_mm_storer_ps(float *p, molt_m128 a) { molt_mm_storeu_ps(p, molt_mm_shuffle_ps(a, a, 0x1b)); }
static inline molt_m128d molt_mm_set_pd1(double a) { return molt_mm_set1_pd(a); }
static inline molt_m128d molt_mm_load_pd1(const double *p) { return molt_mm_load1_pd(p); }
static inline molt_m128d molt_mm_loadr_pd(const double *p) { molt_m128d v = molt_mm_loadu_pd(p); return molt_mm_shuffle_pd(v, v, 1); }
/* (p[0], a1) and (a0, p[0]) */
static inline molt_m128d molt_mm_loadl_pd(molt_m128d a, const double *p) { return molt_mm_move_sd(a, molt_mm_load_sd(p)); }
static inline molt_m128d molt_mm_loadh_pd(molt_m128d a, const double *p) { return molt_mm_unpacklo_pd(a, molt_mm_load_sd(p)); }
static inline void molt_mm_storel_pd(double *p, molt_m128d a) { molt_mm_store_sd(p, a); }
static inline void molt_mm_storeh_pd(double *p, molt_m128d a) { molt_mm_store_sd(p, molt_mm_unpackhi_pd(a, a)); }
static inline void molt_mm_store1_pd(double *p, molt_m128d a) { molt_mm_storeu_pd(p, molt_mm_unpacklo_pd(a, a)); }
static inline void molt_mm_store_pd1(double *p, molt_m128d a) { molt_mm_store1_pd(p, a); }
static inline void molt_mm_storer_pd(double *p, molt_m128d a) { molt_mm_storeu_pd(p, molt_mm_shuffle_pd(a, a, 1)); }
static inline molt_m256d molt_mm256_set_m128d(molt_m128d hi, molt_m128d lo) { return molt__joind(lo, hi); }
static inline molt_m256d molt_mm256_setr_m128d(molt_m128d lo, molt_m128d hi) { return molt__joind(lo, hi); }
static inline molt_m256d molt_mm256_loadu2_m128d(const double *hi, const double *lo)
{
    return molt__joind(molt_mm_loadu_pd(lo), molt_mm_loadu_pd(hi));
}
static inline void molt_mm256_storeu2_m128d(double *hi, double *lo, molt_m256d a)
{
    molt_mm_storeu_pd(lo, molt__halfd(a, 0));
    molt_mm_storeu_pd(hi, molt__halfd(a, 1));
}

/* lane 0 from b rounded / estimated, the other lanes from a */
static inline molt_m128 molt_mm_round_ss(molt_m128 a, molt_m128 b, int imm) { return molt_mm_move_ss(a, molt_mm_round_ps(b, imm)); }
static inline molt_m128d molt_mm_round_sd(molt_m128d a, molt_m128d b, int imm) { return molt_mm_move_sd(a, molt_mm_round_pd(b, imm)); }
static inline molt_m128 molt_mm_floor_ss(molt_m128 a, molt_m128 b) { return molt_mm_move_ss(a, molt_mm_floor_ps(b)); }
static inline molt_m128d molt_mm_floor_sd(molt_m128d a, molt_m128d b) { return molt_mm_move_sd(a, molt_mm_floor_pd(b)); }
static inline molt_m128 molt_mm_ceil_ss(molt_m128 a, molt_m128 b) { return molt_mm_move_ss(a, molt_mm_ceil_ps(b)); }
static inline molt_m128d molt_mm_ceil_sd(molt_m128d a, molt_m128d b) { return molt_mm_move_sd(a, molt_mm_ceil_pd(b)); }
/* precise where x86 approximates (see molt_mm_rcp_ps); lanes 1..3 from a */
static inline molt_m128 molt_mm_rcp_ss(molt_m128 a) { return molt_mm_move_ss(a, molt_mm_rcp_ps(a)); }
static inline molt_m128 molt_mm_rsqrt_ss(molt_m128 a) { return molt_mm_move_ss(a, molt_mm_rsqrt_ps(a)); }

/* Gathers of 32- or 64-bit elements by 32- or 64-bit indices: element i =
 * the bytes at base + idx[i] * scale (scale 1, 2, 4 or 8). Masked forms
 * load where the mask element's sign bit is set and keep src elsewhere. */
static inline void molt__gather(void *dst, const void *base, const int64_t *idx, int n, int width, int scale)
{
    for (int i = 0; i < n; i++)
        memcpy((char *)dst + i * width, (const char *)base + idx[i] * scale, (size_t)width);
}
static inline void molt__idx32(int64_t *out, molt_m128i v, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = molt_mm_extract_epi32(v, i);
}
static inline void molt__idx64(int64_t *out, molt_m128i v, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = molt_mm_extract_epi64(v, i);
}
static inline molt_m128d molt_mm_i32gather_pd(const double *base, molt_m128i idx, int scale)
{
    int64_t ix[2];
    double r[2];
    molt__idx32(ix, idx, 2);
    molt__gather(r, base, ix, 2, 8, scale);
    return molt_mm_loadu_pd(r);
}
static inline molt_m256d molt_mm256_i32gather_pd(const double *base, molt_m128i idx, int scale)
{
    return molt__joind(molt_mm_i32gather_pd(base, idx, scale), molt_mm_i32gather_pd(base, molt_mm_srli_si128(idx, 8), scale));
}
static inline molt_m128d molt_mm_i64gather_pd(const double *base, molt_m128i idx, int scale)
{
    int64_t ix[2];
    double r[2];
    molt__idx64(ix, idx, 2);
    molt__gather(r, base, ix, 2, 8, scale);
    return molt_mm_loadu_pd(r);
}
static inline molt_m256d molt_mm256_i64gather_pd(const double *base, molt_m256i idx, int scale)
{
    return molt__joind(molt_mm_i64gather_pd(base, molt__half(idx, 0), scale), molt_mm_i64gather_pd(base, molt__half(idx, 1), scale));
}
static inline molt_m128i molt_mm_i32gather_epi64(const long long *base, molt_m128i idx, int scale)
{
    return molt_mm_castpd_si128(molt_mm_i32gather_pd((const double *)(const void *)base, idx, scale));
}
static inline molt_m256i molt_mm256_i32gather_epi64(const long long *base, molt_m128i idx, int scale)
{
    return molt_mm256_castpd_si256(molt_mm256_i32gather_pd((const double *)(const void *)base, idx, scale));
}
static inline molt_m128i molt_mm_i64gather_epi64(const long long *base, molt_m128i idx, int scale)
{
    return molt_mm_castpd_si128(molt_mm_i64gather_pd((const double *)(const void *)base, idx, scale));
}
static inline molt_m256i molt_mm256_i64gather_epi64(const long long *base, molt_m256i idx, int scale)
{
    return molt_mm256_castpd_si256(molt_mm256_i64gather_pd((const double *)(const void *)base, idx, scale));
}
/* 64-bit indices, 32-bit elements: the results fill the low lanes, the rest 0 */
static inline molt_m128i molt_mm_i64gather_epi32(const int *base, molt_m128i idx, int scale)
{
    int64_t ix[2];
    int32_t r[4] = {0, 0, 0, 0};
    molt__idx64(ix, idx, 2);
    molt__gather(r, base, ix, 2, 4, scale);
    return molt_mm_loadu_si128((const molt_m128i *)(const void *)r);
}
static inline molt_m128i molt_mm256_i64gather_epi32(const int *base, molt_m256i idx, int scale)
{
    return molt_mm_unpacklo_epi64(molt_mm_i64gather_epi32(base, molt__half(idx, 0), scale), molt_mm_i64gather_epi32(base, molt__half(idx, 1), scale));
}
static inline molt_m128 molt_mm_i64gather_ps(const float *base, molt_m128i idx, int scale)
{
    return molt_mm_castsi128_ps(molt_mm_i64gather_epi32((const int *)(const void *)base, idx, scale));
}
static inline molt_m128 molt_mm256_i64gather_ps(const float *base, molt_m256i idx, int scale)
{
    return molt_mm_castsi128_ps(molt_mm256_i64gather_epi32((const int *)(const void *)base, idx, scale));
}
static inline molt_m128i molt_mm_mask_i32gather_epi32(molt_m128i src, const int *base, molt_m128i idx, molt_m128i mask, int scale)
{
    int32_t r[4];
    molt_mm_storeu_si128((molt_m128i *)(void *)r, src);
    for (int i = 0; i < 4; i++)
        if (molt_mm_extract_epi32(mask, i) < 0)
            memcpy(&r[i], (const char *)base + (int64_t)molt_mm_extract_epi32(idx, i) * scale, 4);
    return molt_mm_loadu_si128((const molt_m128i *)(const void *)r);
}
static inline molt_m256i molt_mm256_mask_i32gather_epi32(molt_m256i src, const int *base, molt_m256i idx, molt_m256i mask, int scale)
{
    return molt__join(molt_mm_mask_i32gather_epi32(molt__half(src, 0), base, molt__half(idx, 0), molt__half(mask, 0), scale),
                      molt_mm_mask_i32gather_epi32(molt__half(src, 1), base, molt__half(idx, 1), molt__half(mask, 1), scale));
}
static inline molt_m128 molt_mm_mask_i32gather_ps(molt_m128 src, const float *base, molt_m128i idx, molt_m128 mask, int scale)
{
    return molt_mm_castsi128_ps(molt_mm_mask_i32gather_epi32(molt_mm_castps_si128(src), (const int *)(const void *)base, idx,
                                                             molt_mm_castps_si128(mask), scale));
}
static inline molt_m256 molt_mm256_mask_i32gather_ps(molt_m256 src, const float *base, molt_m256i idx, molt_m256 mask, int scale)
{
    return molt_mm256_castsi256_ps(molt_mm256_mask_i32gather_epi32(molt_mm256_castps_si256(src), (const int *)(const void *)base, idx,
                                                                   molt_mm256_castps_si256(mask), scale));
}

/* (p[0], p[1], p[0], p[1]) from a 128-bit double vector in memory */
static inline molt_m256d molt_mm256_broadcast_pd(const molt_m128d *p)
{
    molt_m128d v = molt_mm_loadu_pd((const double *)(const void *)p);
    return molt__joind(v, v);
}
/* x86 zeroes all YMM registers; no register state to clear here */
static inline void molt_mm256_zeroall(void) {}

/* ------------------------------------------------------------------------ */
/* CPU feature queries: cpuid, xgetbv, <cpuid.h>, MSVC's __cpuid and GCC's  */
/* __builtin_cpu_supports, answered for the x86 features this header        */
/* implements. On aarch64 (molt_simd_neon.h) that is SSE..SSE4.2, AVX, AVX2, */
/* FMA, F16C, POPCNT, LZCNT, BMI1 and BMI2 always (NEON is baseline), and   */
/* AES-NI, PCLMULQDQ and SSE4.2 (whose CRC32C needs the crc extension) by   */
/* getauxval(AT_HWCAP) where this header was built to use the crypto or crc */
/* instructions (otherwise their portable C runs anywhere). AVX-512, SHA,   */
/* MMX and the rest: absent. In portable C (molt_simd_scalar.h) nothing is  */
/* reported present, so a dispatcher keeps the project's own portable code. */
/* ------------------------------------------------------------------------ */

#define MOLT_X86_FEATURE_SSE (1u << 0)
#define MOLT_X86_FEATURE_SSE2 (1u << 1)
#define MOLT_X86_FEATURE_SSE3 (1u << 2)
#define MOLT_X86_FEATURE_SSSE3 (1u << 3)
#define MOLT_X86_FEATURE_SSE4_1 (1u << 4)
#define MOLT_X86_FEATURE_SSE4_2 (1u << 5)
#define MOLT_X86_FEATURE_AVX (1u << 6)
#define MOLT_X86_FEATURE_AVX2 (1u << 7)
#define MOLT_X86_FEATURE_FMA (1u << 8)
#define MOLT_X86_FEATURE_F16C (1u << 9)
#define MOLT_X86_FEATURE_POPCNT (1u << 10)
#define MOLT_X86_FEATURE_LZCNT (1u << 11)
#define MOLT_X86_FEATURE_BMI1 (1u << 12)
#define MOLT_X86_FEATURE_BMI2 (1u << 13)
#define MOLT_X86_FEATURE_AES (1u << 14)
#define MOLT_X86_FEATURE_PCLMUL (1u << 15)

/* aarch64 Linux AT_HWCAP bits (<asm/hwcap.h>) */
#define MOLT__HWCAP_AES (1ul << 3)
#define MOLT__HWCAP_PMULL (1ul << 4)
#define MOLT__HWCAP_CRC32 (1ul << 7)

/* The x86 features this header implements on a CPU whose AT_HWCAP is `hwcap`. */
static inline unsigned molt__x86_features_for(unsigned long hwcap)
{
#if defined(MOLT_SIMD_NEON_H)
    (void)hwcap; /* unused when built without the crc and crypto instructions */
    unsigned f = MOLT_X86_FEATURE_SSE | MOLT_X86_FEATURE_SSE2 | MOLT_X86_FEATURE_SSE3 | MOLT_X86_FEATURE_SSSE3 |
                 MOLT_X86_FEATURE_SSE4_1 | MOLT_X86_FEATURE_AVX | MOLT_X86_FEATURE_AVX2 | MOLT_X86_FEATURE_FMA |
                 MOLT_X86_FEATURE_F16C | MOLT_X86_FEATURE_POPCNT | MOLT_X86_FEATURE_LZCNT | MOLT_X86_FEATURE_BMI1 |
                 MOLT_X86_FEATURE_BMI2;
#if defined(__ARM_FEATURE_CRC32)
    if (hwcap & MOLT__HWCAP_CRC32)
        f |= MOLT_X86_FEATURE_SSE4_2;
#else
    f |= MOLT_X86_FEATURE_SSE4_2;
#endif
#if defined(MOLT__NEON_AES)
    if (hwcap & MOLT__HWCAP_AES)
        f |= MOLT_X86_FEATURE_AES;
#else
    f |= MOLT_X86_FEATURE_AES;
#endif
#if defined(MOLT__NEON_PMULL)
    if (hwcap & MOLT__HWCAP_PMULL)
        f |= MOLT_X86_FEATURE_PCLMUL;
#else
    f |= MOLT_X86_FEATURE_PCLMUL;
#endif
    return f;
#else
    (void)hwcap;
    return 0;
#endif
}

static inline unsigned long molt__hwcap(void)
{
#if defined(MOLT_SIMD_NEON_H) && defined(__linux__)
    return getauxval(AT_HWCAP);
#elif defined(MOLT_SIMD_NEON_H) && defined(__APPLE__)
    return ~0ul; /* every Apple aarch64 CPU has the crc and crypto extensions */
#else
    return 0;
#endif
}

/* The features of the CPU this runs on (MOLT_X86_FEATURE_* bits). */
static inline unsigned molt__x86_features(void) { return molt__x86_features_for(molt__hwcap()); }

/* CPUID leaf `leaf`, subleaf `sub`, for the feature set `f`: {eax, ebx, ecx, edx}. */
static inline void molt__cpuid_for(unsigned f, unsigned leaf, unsigned sub, unsigned r[4])
{
    r[0] = r[1] = r[2] = r[3] = 0;
#define MOLT__BIT(feature, bit) ((f & MOLT_X86_FEATURE_##feature) ? (1u << (bit)) : 0u)
    switch (leaf) {
    case 0: /* the highest basic leaf, and the vendor "MoltNEONPort" in ebx, edx, ecx */
        r[0] = 7;
        r[1] = 0x746c6f4du; /* "Molt" */
        r[3] = 0x4e4f454eu; /* "NEON" */
        r[2] = 0x74726f50u; /* "Port" */
        break;
    case 1:
        r[2] = MOLT__BIT(SSE3, 0) | MOLT__BIT(PCLMUL, 1) | MOLT__BIT(SSSE3, 9) | MOLT__BIT(FMA, 12) |
               MOLT__BIT(SSE4_1, 19) | MOLT__BIT(SSE4_2, 20) | MOLT__BIT(POPCNT, 23) | MOLT__BIT(AES, 25) |
               MOLT__BIT(AVX, 26) /* XSAVE */ | MOLT__BIT(AVX, 27) /* OSXSAVE */ | MOLT__BIT(AVX, 28) |
               MOLT__BIT(F16C, 29);
        r[3] = MOLT__BIT(SSE, 25) | MOLT__BIT(SSE2, 26);
        break;
    case 7:
        if (sub == 0)
            r[1] = MOLT__BIT(BMI1, 3) | MOLT__BIT(AVX2, 5) | MOLT__BIT(BMI2, 8);
        break;
    case 0x80000000u: /* the highest extended leaf */
        r[0] = 0x80000001u;
        break;
    case 0x80000001u:
        r[2] = MOLT__BIT(LZCNT, 5); /* ABM: lzcnt */
        break;
    default:
        break;
    }
#undef MOLT__BIT
}

/* XCR0 (_xgetbv(0)) for the feature set `f`: x87 and SSE state, and AVX's
 * YMM state when AVX is present; never the AVX-512 states. */
static inline unsigned long long molt__xgetbv_for(unsigned f, unsigned xcr)
{
    if (xcr != 0)
        return 0;
    return 1u | ((f & MOLT_X86_FEATURE_SSE) ? 2u : 0u) | ((f & MOLT_X86_FEATURE_AVX) ? 4u : 0u);
}

/* One register of CPUID(leaf, sub): 0 eax, 1 ebx, 2 ecx, 3 edx (the port of
 * inline-assembly `cpuid`). */
static inline unsigned molt_cpuid_reg(unsigned leaf, unsigned sub, int reg)
{
    unsigned r[4];
    molt__cpuid_for(molt__x86_features(), leaf, sub, r);
    return r[reg & 3];
}

/* _xgetbv(xcr), and inline-assembly `xgetbv` */
static inline unsigned long long molt_xgetbv(unsigned xcr) { return molt__xgetbv_for(molt__x86_features(), xcr); }

/* MSVC <intrin.h>: __cpuid(int info[4], int leaf), __cpuidex(info, leaf, sub) */
static inline void molt_cpuidex(int info[4], int leaf, int sub)
{
    unsigned r[4];
    molt__cpuid_for(molt__x86_features(), (unsigned)leaf, (unsigned)sub, r);
    for (int i = 0; i < 4; i++)
        info[i] = (int)r[i];
}

/* GCC <cpuid.h>: __get_cpuid_max, __get_cpuid, __get_cpuid_count (0 for a leaf
 * above the highest of its range, as GCC's) */
static inline unsigned molt_get_cpuid_max(unsigned ext, unsigned *sig)
{
    unsigned r[4];
    molt__cpuid_for(molt__x86_features(), ext & 0x80000000u, 0, r);
    if (sig)
        *sig = r[1];
    return r[0];
}
static inline int molt_get_cpuid_count(unsigned leaf, unsigned sub, unsigned *a, unsigned *b, unsigned *c, unsigned *d)
{
    unsigned r[4];
    if (molt_get_cpuid_max(leaf & 0x80000000u, 0) < leaf)
        return 0;
    molt__cpuid_for(molt__x86_features(), leaf, sub, r);
    *a = r[0];
    *b = r[1];
    *c = r[2];
    *d = r[3];
    return 1;
}
static inline int molt_get_cpuid(unsigned leaf, unsigned *a, unsigned *b, unsigned *c, unsigned *d)
{
    return molt_get_cpuid_count(leaf, 0, a, b, c, d);
}

/* GCC <cpuid.h>'s macros __cpuid(leaf, a, b, c, d) and __cpuid_count(leaf,
 * sub, a, b, c, d) assign their register operands; MSVC's __cpuid(info, leaf)
 * is a function: molt_cpuid takes either form, by its number of arguments. */
#define molt_cpuid_count(leaf, sub, a, b, c, d)                                                                        \
    do {                                                                                                               \
        unsigned molt__r_[4];                                                                                          \
        molt__cpuid_for(molt__x86_features(), (unsigned)(leaf), (unsigned)(sub), molt__r_);                             \
        (a) = molt__r_[0];                                                                                             \
        (b) = molt__r_[1];                                                                                             \
        (c) = molt__r_[2];                                                                                             \
        (d) = molt__r_[3];                                                                                             \
    } while (0)
#define molt__cpuid_gcc(leaf, a, b, c, d) molt_cpuid_count(leaf, 0, a, b, c, d)
#define molt__cpuid_msvc(info, leaf) molt_cpuidex(info, leaf, 0)
#define molt__cpuid_pick(_1, _2, _3, _4, _5, name, ...) name
#define molt_cpuid(...)                                                                                                \
    molt__cpuid_pick(__VA_ARGS__, molt__cpuid_gcc, molt__cpuid_takes_2_or_5_arguments,                                 \
                     molt__cpuid_takes_2_or_5_arguments, molt__cpuid_msvc, molt__cpuid_takes_2_or_5_arguments)(__VA_ARGS__)

/* GCC's __builtin_cpu_supports("avx2"), __builtin_cpu_init(), __builtin_cpu_is("intel") */
static inline int molt_cpu_supports(const char *name)
{
    static const struct {
        const char *name;
        unsigned features;
    } known[] = {
        {"sse", MOLT_X86_FEATURE_SSE},
        {"sse2", MOLT_X86_FEATURE_SSE2},
        {"sse3", MOLT_X86_FEATURE_SSE3},
        {"ssse3", MOLT_X86_FEATURE_SSSE3},
        {"sse4.1", MOLT_X86_FEATURE_SSE4_1},
        {"sse4.2", MOLT_X86_FEATURE_SSE4_2},
        {"avx", MOLT_X86_FEATURE_AVX},
        {"avx2", MOLT_X86_FEATURE_AVX2},
        {"fma", MOLT_X86_FEATURE_FMA},
        {"f16c", MOLT_X86_FEATURE_F16C},
        {"popcnt", MOLT_X86_FEATURE_POPCNT},
        {"lzcnt", MOLT_X86_FEATURE_LZCNT},
        {"abm", MOLT_X86_FEATURE_LZCNT | MOLT_X86_FEATURE_POPCNT},
        {"bmi", MOLT_X86_FEATURE_BMI1},
        {"bmi2", MOLT_X86_FEATURE_BMI2},
        {"aes", MOLT_X86_FEATURE_AES},
        {"pclmul", MOLT_X86_FEATURE_PCLMUL},
        {"x86-64", MOLT_X86_FEATURE_SSE | MOLT_X86_FEATURE_SSE2},
        {"x86-64-v2", MOLT_X86_FEATURE_SSE | MOLT_X86_FEATURE_SSE2 | MOLT_X86_FEATURE_SSE3 | MOLT_X86_FEATURE_SSSE3 |
                          MOLT_X86_FEATURE_SSE4_1 | MOLT_X86_FEATURE_SSE4_2 | MOLT_X86_FEATURE_POPCNT},
        {"x86-64-v3", MOLT_X86_FEATURE_SSE | MOLT_X86_FEATURE_SSE2 | MOLT_X86_FEATURE_SSE3 | MOLT_X86_FEATURE_SSSE3 |
                          MOLT_X86_FEATURE_SSE4_1 | MOLT_X86_FEATURE_SSE4_2 | MOLT_X86_FEATURE_POPCNT |
                          MOLT_X86_FEATURE_AVX | MOLT_X86_FEATURE_AVX2 | MOLT_X86_FEATURE_BMI1 |
                          MOLT_X86_FEATURE_BMI2 | MOLT_X86_FEATURE_F16C | MOLT_X86_FEATURE_FMA |
                          MOLT_X86_FEATURE_LZCNT},
    };
    unsigned f = molt__x86_features();
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i].name) == 0)
            return (f & known[i].features) == known[i].features;
    return 0; /* avx512*, sha, mmx, cmov, ...: not implemented by this header */
}
static inline void molt_cpu_init(void) {}
static inline int molt_cpu_is(const char *name)
{
    (void)name;
    return 0; /* no x86 vendor or model */
}
