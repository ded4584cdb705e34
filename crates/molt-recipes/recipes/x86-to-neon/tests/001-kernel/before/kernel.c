/* kernels */
#include <stddef.h>
#include <immintrin.h>

#define LOAD(p) _mm256_loadu_ps(p)

void axpy(float *y, const float *x, float a, size_t n) {
    __m256 va = _mm256_set1_ps(a);
    for (size_t i = 0; i + 8 <= n; i += 8) {
        __m256 vy = _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        _mm256_storeu_ps(y + i, vy);
    }
}

float dot4(const float *a, const float *b) {
    __m128 p = _mm_range_ps(_mm_loadu_ps(a), _mm_loadu_ps(b), 0xff);
    return _mm_cvtss_f32(p);
}

#ifdef __AVX2__
void fast_path(void) {}
#endif

int plain(int x) { return x + 1; }
