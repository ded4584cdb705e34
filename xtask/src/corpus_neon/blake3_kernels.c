/* cargo xtask corpus: blake3's x86 kernels, as the x86-to-neon rules ported
 * them, against blake3's own portable implementation, built for aarch64 and
 * run under qemu. Every batch size from 1 to 16 inputs, several block
 * counts, with and without the counter incremented; the hashes must be
 * equal byte for byte. Prints "N passed, M failed". */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stdbool.h>
#include "blake3_impl.h"
typedef void (*hash_many_fn)(const uint8_t *const *, size_t, size_t, const uint32_t[8], uint64_t, bool, uint8_t, uint8_t, uint8_t, uint8_t *);
void blake3_hash_many_sse2(const uint8_t *const *, size_t, size_t, const uint32_t[8], uint64_t, bool, uint8_t, uint8_t, uint8_t, uint8_t *);
void blake3_hash_many_sse41(const uint8_t *const *, size_t, size_t, const uint32_t[8], uint64_t, bool, uint8_t, uint8_t, uint8_t, uint8_t *);
void blake3_hash_many_avx2(const uint8_t *const *, size_t, size_t, const uint32_t[8], uint64_t, bool, uint8_t, uint8_t, uint8_t, uint8_t *);
static uint64_t s = 88172645463325252ull;
static uint8_t rnd(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return (uint8_t)s; }
int main(void) {
    static uint8_t data[16][16 * 64];
    const uint8_t *inputs[16];
    for (int i = 0; i < 16; i++) { for (int j = 0; j < 16 * 64; j++) data[i][j] = rnd(); inputs[i] = data[i]; }
    uint32_t key[8]; for (int i = 0; i < 8; i++) key[i] = 0x6a09e667u * (i + 1);
    struct { const char *name; hash_many_fn f; } k[] = {{"sse2", blake3_hash_many_sse2}, {"sse41", blake3_hash_many_sse41}, {"avx2", blake3_hash_many_avx2}};
    int failed = 0, passed = 0;
    for (int n = 1; n <= 16; n++) for (int blocks = 1; blocks <= 16; blocks += 5) for (int inc = 0; inc < 2; inc++) {
        uint8_t want[16 * 32], got[16 * 32];
        blake3_hash_many_portable(inputs, n, blocks, key, 0x100000001ull * n, inc, 0, 1, 2, want);
        for (unsigned i = 0; i < 3; i++) {
            memset(got, 0, sizeof got);
            k[i].f(inputs, n, blocks, key, 0x100000001ull * n, inc, 0, 1, 2, got);
            if (memcmp(want, got, n * 32)) { failed++; printf("%s differs: n=%d blocks=%d inc=%d\n", k[i].name, n, blocks, inc); } else passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
