// AVX-512F: 512-bit vectors, tiles of MR x 32 (32 zmm registers hold MR = 8 without spilling).
// Built with -mavx512f -mfma; called only where cpuid reports avx512f (addon.c).
#include <immintrin.h>
#define VEC __m512
#define VL 16
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, x) _mm512_storeu_ps(p, x)
#define VFMA(acc, a, b) _mm512_fmadd_ps(a, b, acc)
#define VBCAST(p) _mm512_set1_ps(*(p))
#define NAME(x) x##_avx512
#include "products.h"
