/*
 * KPFX.c: feature kernel KNUM of the batch scorer.
 *
 * Each kernel owns a small slice of the scoring pipeline: it keeps running
 * statistics of the values it sees, normalises a batch in place, buckets it
 * into a histogram, and gathers the per-feature weights from the shared
 * lookup table with an AVX2 gather. Only the gather is vectorised; the rest
 * is plain C that the compiler auto-vectorises well enough.
 *
 * The functions are prefixed with the kernel's name so that the whole
 * scorer can be built as one translation unit (see tests/test_all.c).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"

/* Running mean and variance (Welford), plus the extremes. */
struct KPFX_stats {
    uint64_t count;
    double mean;
    double m2;
    float min;
    float max;
};

void KPFX_stats_reset(struct KPFX_stats *s)
{
    s->count = 0;
    s->mean = 0.0;
    s->m2 = 0.0;
    s->min = INFINITY;
    s->max = -INFINITY;
}

void KPFX_stats_push(struct KPFX_stats *s, float x)
{
    double delta;

    s->count++;
    delta = (double)x - s->mean;
    s->mean += delta / (double)s->count;
    s->m2 += delta * ((double)x - s->mean);
    if (x < s->min)
        s->min = x;
    if (x > s->max)
        s->max = x;
}

double KPFX_stats_variance(const struct KPFX_stats *s)
{
    if (s->count < 2)
        return 0.0;
    return s->m2 / (double)(s->count - 1);
}

double KPFX_stats_stddev(const struct KPFX_stats *s)
{
    return sqrt(KPFX_stats_variance(s));
}

/* Clamps x into [lo, hi]; NaN stays NaN so that bad inputs stay visible. */
float KPFX_clampf(float x, float lo, float hi)
{
    if (x != x)
        return x;
    if (x < lo)
        return lo;
    if (x > hi)
        return hi;
    return x;
}

/* Normalises a batch in place to zero mean and unit variance. */
void KPFX_normalize(float *v, size_t n)
{
    struct KPFX_stats s;
    double sd;

    KPFX_stats_reset(&s);
    for (size_t i = 0; i < n; i++)
        KPFX_stats_push(&s, v[i]);
    sd = KPFX_stats_stddev(&s);
    if (sd == 0.0)
        sd = 1.0;
    for (size_t i = 0; i < n; i++)
        v[i] = (float)(((double)v[i] - s.mean) / sd);
}

/* Softmax with the usual max subtraction, for numerical stability. */
void KPFX_softmax(float *v, size_t n)
{
    float hi = -INFINITY;
    double sum = 0.0;

    for (size_t i = 0; i < n; i++)
        if (v[i] > hi)
            hi = v[i];
    for (size_t i = 0; i < n; i++) {
        v[i] = expf(v[i] - hi);
        sum += v[i];
    }
    if (sum == 0.0)
        return;
    for (size_t i = 0; i < n; i++)
        v[i] = (float)(v[i] / sum);
}

/* Index of the largest value; the first one wins ties. */
size_t KPFX_argmax(const float *v, size_t n)
{
    size_t best = 0;

    for (size_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

/* Counts values into `bins` equal buckets over [lo, hi). */
void KPFX_histogram(const float *v, size_t n, float lo, float hi, uint32_t *counts, size_t bins)
{
    float width;

    memset(counts, 0, bins * sizeof *counts);
    if (bins == 0 || !(hi > lo))
        return;
    width = (hi - lo) / (float)bins;
    for (size_t i = 0; i < n; i++) {
        float x = KPFX_clampf(v[i], lo, hi);
        size_t b;

        if (x != x)
            continue;
        b = (size_t)((x - lo) / width);
        if (b >= bins)
            b = bins - 1;
        counts[b]++;
    }
}

/* Insertion sort: the batches are short and usually nearly sorted. */
void KPFX_sort(float *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        float x = v[i];
        size_t j = i;

        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* The median of a sorted batch. */
float KPFX_median_sorted(const float *v, size_t n)
{
    if (n == 0)
        return NAN;
    if (n % 2 == 1)
        return v[n / 2];
    return 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

/* Parses up to `max` comma-separated integers; returns how many it read. */
size_t KPFX_parse_indices(const char *text, int *out, size_t max)
{
    size_t n = 0;
    const char *p = text;

    while (*p != '\0' && n < max) {
        char *end;
        long value = strtol(p, &end, 10);

        if (end == p)
            break;
        out[n++] = (int)value;
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return n;
}

/* FNV-1a over the batch's bytes: a cheap fingerprint for the cache. */
uint32_t KPFX_fingerprint(const float *v, size_t n)
{
    const unsigned char *bytes = (const unsigned char *)v;
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n * sizeof *v; i++) {
        h ^= bytes[i];
        h *= 16777619u;
    }
    return h;
}

/* A fixed-size ring of the last scores, for the moving average. */
struct KPFX_ring {
    float values[32];
    size_t head;
    size_t len;
};

void KPFX_ring_push(struct KPFX_ring *r, float x)
{
    r->values[r->head] = x;
    r->head = (r->head + 1) % 32;
    if (r->len < 32)
        r->len++;
}

float KPFX_ring_mean(const struct KPFX_ring *r)
{
    float sum = 0.0f;

    if (r->len == 0)
        return 0.0f;
    for (size_t i = 0; i < r->len; i++)
        sum += r->values[i];
    return sum / (float)r->len;
}

/* Dot product in double precision, for the reference path. */
double KPFX_dot(const float *a, const float *b, size_t n)
{
    double sum = 0.0;

    for (size_t i = 0; i < n; i++)
        sum += (double)a[i] * (double)b[i];
    return sum;
}

/* Checks that every index lies inside a table of `len` entries. */
int KPFX_indices_valid(const int *idx, size_t n, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (idx[i] < 0 || (size_t)idx[i] >= len)
            return 0;
    return 1;
}

/* The factor this kernel's weights are scaled by. */
const float KPFX_scale = KSCALE.0f;

/* Gathers eight weights from the lookup table and scales them by this
 * kernel's factor. The indices must be valid (KPFX_indices_valid). */
void KPFX_gather(const float *table, const int *idx, float *out)
{
    __m256i vi = _mm256_loadu_si256((const __m256i *)idx);
    __m256 v = (__m256)__builtin_ia32_gathersiv8sf(_mm256_setzero_ps(), table, (__v8si)vi, _mm256_castsi256_ps(_mm256_set1_epi32(-1)), 4);
    v = _mm256_mul_ps(v, _mm256_set1_ps(KPFX_scale));
    _mm256_storeu_ps(out, v);
}

/* Scores one batch: gathers the weights, then mixes them with the inputs. */
float KPFX_score(const float *table, size_t table_len, const int *idx, const float *x)
{
    float w[8];

    if (!KPFX_indices_valid(idx, 8, table_len))
        return NAN;
    KPFX_gather(table, idx, w);
    return (float)KPFX_dot(w, x, 8);
}
