/* Already ported: the x86 path is guarded and the other path is portable. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
void scale(float *p) { _mm256_storeu_ps(p, _mm256_setzero_ps()); }
#else
void scale(float *p) { for (int i = 0; i < 8; i++) p[i] = 0.0f; }
#endif
