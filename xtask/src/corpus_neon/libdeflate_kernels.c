/* cargo xtask corpus's check of libdeflate's ported kernels: the x86
 * template headers (lib/x86/adler32_template.h, crc32_pclmul_template.h) as
 * molt's rules ported them, instantiated as lib/x86/adler32_impl.h and
 * crc32_impl.h do (their sse2, avx2 and pclmulqdq instances), built for
 * aarch64 and compared under qemu with plain reference Adler-32 and CRC-32
 * written here. libdeflate itself compiles lib/x86 only on x86, so its own
 * aarch64 build does not reach these kernels. The last line says
 * "N passed, M failed". What the templates expect from lib/adler32.c and
 * lib/crc32.c (DIVISOR, MAX_CHUNK_LEN, ADLER32_CHUNK, crc32_slice1,
 * shift_tab) is defined here, to the same meaning. */
#include <stdio.h>
#include <string.h>
#include <arm_neon.h>
#include "lib_common.h"
#include "x86/molt_simd_neon.h"
#include "crc32_multipliers.h"
#include "crc32_tables.h"

#define DIVISOR 65521
#define MAX_CHUNK_LEN 5552
#define ADLER32_CHUNK(s1, s2, p, n) do { \
	for (size_t i_ = 0; i_ < (n); i_++) { (s1) += *(p)++; (s2) += (s1); } \
	(s1) %= DIVISOR; (s2) %= DIVISOR; } while (0)

static u32 crc32_slice1(u32 crc, const u8 *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		crc = (crc >> 8) ^ crc32_slice1_table[(u8)crc ^ p[i]];
	return crc;
}

#define SUFFIX _sse2
#define ATTRIBUTES
#define VL 16
#define USE_VNNI 0
#define USE_AVX512 0
#include "x86/adler32_template.h"
#define SUFFIX _avx2
#define ATTRIBUTES
#define VL 32
#define USE_VNNI 0
#define USE_AVX512 0
#include "x86/adler32_template.h"

static const u8 shift_tab[48] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};
#define SUFFIX _pclmulqdq
#define ATTRIBUTES
#define VL 16
#define USE_AVX512 0
#include "x86/crc32_pclmul_template.h"

static u32 ref_adler(const u8 *p, size_t n)
{
	u32 a = 1, b = 0;
	for (size_t i = 0; i < n; i++) { a = (a + p[i]) % 65521; b = (b + a) % 65521; }
	return (b << 16) | a;
}
static u32 ref_crc(const u8 *p, size_t n)
{
	u32 c = 0xFFFFFFFF;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
	}
	return ~c;
}

int main(void)
{
	static u8 buf[100000];
	u32 s = 1;
	int bad = 0, n = 0;
	for (size_t i = 0; i < sizeof(buf); i++) { s = s * 1103515245u + 12345u; buf[i] = (u8)(s >> 16); }
	size_t sizes[] = {0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 1000, 4095, 5552, 5553, 12345, 65536, 100000};
	for (size_t k = 0; k < sizeof(sizes)/sizeof(sizes[0]); k++) {
		for (size_t off = 0; off < 3; off++) {
			size_t len = sizes[k] > off ? sizes[k] - off : 0;
			const u8 *p = buf + off;
			u32 a = ref_adler(p, len), c = ref_crc(p, len);
			bad += adler32_x86_sse2(1, p, len) != a;
			bad += adler32_x86_avx2(1, p, len) != a;
			bad += ~crc32_x86_pclmulqdq(~0u, p, len) != c;
			n += 3;
		}
	}
	printf("%d passed, %d failed\n", n - bad, bad);
	return bad != 0;
}
