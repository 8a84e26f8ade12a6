// The native engine for x64 with AVX-512F: rnn.c with 512-bit product tiles of 8 x 32 (32 zmm
// registers hold the 16 accumulators) and its gate math 16 lanes at a time; the rest in 128-bit
// SSE/FMA as V8 runs the wasm.
// Built with -mavx512f -mavx512vl -mfma; used only where cpuid reports avx512f (engine.c).
#include "simd128.h"
#define VW __m512
#define VL 16
#define PW 32
#define MR 8
#define WLOAD(p) _mm512_loadu_ps(p)
#define WSTORE(p, x) _mm512_storeu_ps(p, x)
#define WFMA(acc, a, b) _mm512_fmadd_ps(a, b, acc)
#define WZERO _mm512_setzero_ps()
#define WBCAST(p) _mm512_set1_ps(*(p))
// Element-wise math in 512-bit vectors (rnn.c's E_* operations), lanes past n masked off.
typedef __m512 ve;
#define EL 16
#define E_LD(p) _mm512_loadu_ps(p)
#define E_ST(p, x) _mm512_storeu_ps(p, x)
#define E_LDN(p, n) _mm512_maskz_loadu_ps((__mmask16)((1u << (n)) - 1), p)
#define E_STN(p, x, n) _mm512_mask_storeu_ps(p, (__mmask16)((1u << (n)) - 1), x)
#define E_SPLAT _mm512_set1_ps
#define E_ADD _mm512_add_ps
#define E_SUB _mm512_sub_ps
#define E_MUL _mm512_mul_ps
#define E_DIV _mm512_div_ps
#define E_SQRT _mm512_sqrt_ps
#define E_PMIN(a, b) _mm512_min_ps(b, a) // as simd128.h: wasm's pmin(a, b) = b < a ? b : a
#define E_PMAX(a, b) _mm512_max_ps(b, a)
#define E_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define E_INSIDE01(y, v)                                                                                       \
  _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_GT_OQ) &                               \
                          _mm512_cmp_ps_mask(y, _mm512_set1_ps(1.f), _CMP_LT_OQ),                              \
                      v)
#define RNN_NATIVE
#define RNN_WIDE
#define RNN_RELAXED
#define rnn_setup rnn_setup_avx512
#define rnn_ptr rnn_ptr_avx512
#define rnn_forward rnn_forward_avx512
#define rnn_backward rnn_backward_avx512
#define rnn_wgrad_to rnn_wgrad_to_avx512
#define rnn_acc_add rnn_acc_add_avx512
#define rnn_adam rnn_adam_avx512
#include "../rnn.c"
#include "optim.h"
