// The native engine for x64 with AVX-512F: rnn.c with 512-bit product tiles of 8 x 32 (32 zmm
// registers hold the 16 accumulators), element-wise math in 128-bit SSE/FMA as V8 runs the wasm.
// Built with -mavx512f -mavx512vl -mfma; used only where cpuid reports avx512f (engine.c).
#include "simd128.h"
#define VW __m512
#define VL 16
#define PW 32
#define MR 8
#define WLOAD(p) _mm512_loadu_ps(p)
#define WSTORE(p, x) _mm512_storeu_ps(p, x)
#define WFMA(acc, a, b) _mm512_fmadd_ps(a, b, acc)
#define WBCAST(p) _mm512_set1_ps(*(p))
#define RNN_NATIVE
#define RNN_WIDE
#define RNN_RELAXED
#define rnn_setup rnn_setup_avx512
#define rnn_ptr rnn_ptr_avx512
#define rnn_forward rnn_forward_avx512
#define rnn_backward rnn_backward_avx512
#define rnn_wgrad_to rnn_wgrad_to_avx512
#define rnn_acc_add rnn_acc_add_avx512
#include "../rnn.c"
