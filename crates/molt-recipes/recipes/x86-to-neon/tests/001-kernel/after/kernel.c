/* kernels */
#include <stddef.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#include "molt_simd_neon.h" /* x86 intrinsics as NEON, with x86 semantics */
#else
#include "molt_simd_scalar.h" /* the same wrappers in portable C */
#endif

#define LOAD(p) _mm256_loadu_ps(p)

#if defined(__x86_64__) || defined(__i386__)
void axpy(float *y, const float *x, float a, size_t n) {
    __m256 va = _mm256_set1_ps(a);
    for (size_t i = 0; i + 8 <= n; i += 8) {
        __m256 vy = _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        _mm256_storeu_ps(y + i, vy);
    }
}
#else /* aarch64: NEON via molt_simd_neon.h; other targets: portable C via molt_simd_scalar.h */
void axpy(float *y, const float *x, float a, size_t n) {
    molt_m256 va = molt_mm256_set1_ps(a);
    for (size_t i = 0; i + 8 <= n; i += 8) {
        molt_m256 vy = molt_mm256_fmadd_ps(va, molt_mm256_loadu_ps(x + i), molt_mm256_loadu_ps(y + i));
        molt_mm256_storeu_ps(y + i, vy);
    }
}
#endif

float dot4(const float *a, const float *b) {
    __m128 p = _mm_range_ps(_mm_loadu_ps(a), _mm_loadu_ps(b), 0xff);
    return _mm_cvtss_f32(p);
}

#ifdef __AVX2__
void fast_path(void) {}
#endif

int plain(int x) { return x + 1; }
