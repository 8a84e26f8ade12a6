// AVX2 + FMA: 256-bit vectors, tiles of MR x 16. Built with -mavx2 -mfma.
#include <immintrin.h>
#define VEC __m256
#define VL 8
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, x) _mm256_storeu_ps(p, x)
#define VFMA(acc, a, b) _mm256_fmadd_ps(a, b, acc)
#define VBCAST(p) _mm256_broadcast_ss(p)
#define NAME(x) x##_avx2
#include "products.h"
