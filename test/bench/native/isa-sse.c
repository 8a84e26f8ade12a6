// 128-bit FMA (SSE registers, VEX-encoded FMA3): rnn.c's own 4x8 tile in native code, to tell
// the compiler's code from V8's at the same vector width. Built with -mfma.
#include <immintrin.h>
#define VEC __m128
#define VL 4
#define VLOAD(p) _mm_loadu_ps(p)
#define VSTORE(p, x) _mm_storeu_ps(p, x)
#define VFMA(acc, a, b) _mm_fmadd_ps(a, b, acc)
#define VBCAST(p) _mm_broadcast_ss(p)
#define NAME(x) x##_sse
#include "products.h"
