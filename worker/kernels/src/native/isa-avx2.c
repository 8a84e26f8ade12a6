// The native engine for x64 with AVX2 + FMA: rnn.c with 256-bit product tiles of 6 x 16 (16 ymm
// registers: 12 accumulators, 2 panel rows, 1 broadcast) and its gate math 8 lanes at a time; the
// rest in 128-bit SSE/FMA as V8 runs the wasm. Built with -mavx2 -mfma (engine.c checks cpuid before use).
#include "simd128.h"
#define VW __m256
#define VL 8
#define PW 16
#define MR 6
#define WLOAD(p) _mm256_loadu_ps(p)
#define WSTORE(p, x) _mm256_storeu_ps(p, x)
#define WFMA(acc, a, b) _mm256_fmadd_ps(a, b, acc)
#define WZERO _mm256_setzero_ps()
#define WBCAST(p) _mm256_broadcast_ss(p)
// Element-wise math in 256-bit vectors (rnn.c's E_* operations), lanes past n masked off.
typedef __m256 ve;
#define EL 8
static const int lane_mask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
#define E_MASK(n) _mm256_loadu_si256((const __m256i *)(lane_mask + 8 - (n)))
#define E_LD(p) _mm256_loadu_ps(p)
#define E_ST(p, x) _mm256_storeu_ps(p, x)
#define E_LDN(p, n) _mm256_maskload_ps(p, E_MASK(n))
#define E_STN(p, x, n) _mm256_maskstore_ps(p, E_MASK(n), x)
#define E_SPLAT _mm256_set1_ps
#define E_ADD _mm256_add_ps
#define E_SUB _mm256_sub_ps
#define E_MUL _mm256_mul_ps
#define E_DIV _mm256_div_ps
#define E_SQRT _mm256_sqrt_ps
#define E_PMIN(a, b) _mm256_min_ps(b, a) // as simd128.h: wasm's pmin(a, b) = b < a ? b : a
#define E_PMAX(a, b) _mm256_max_ps(b, a)
#define E_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define E_INSIDE01(y, v)                                                                                       \
  _mm256_and_ps(_mm256_and_ps(_mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_GT_OQ),                              \
                              _mm256_cmp_ps(y, _mm256_set1_ps(1.f), _CMP_LT_OQ)),                              \
                v)
#define RNN_NATIVE
#define RNN_WIDE
#define RNN_RELAXED
#define rnn_setup rnn_setup_avx2
#define rnn_ptr rnn_ptr_avx2
#define rnn_forward rnn_forward_avx2
#define rnn_backward rnn_backward_avx2
#define rnn_wgrad_to rnn_wgrad_to_avx2
#define rnn_acc_add rnn_acc_add_avx2
#define rnn_adam rnn_adam_avx2
#include "../rnn.c"
#include "optim.h"
