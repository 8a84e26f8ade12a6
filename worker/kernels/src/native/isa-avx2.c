// The native engine for x64 with AVX2 + FMA: rnn.c with 256-bit product tiles of 6 x 16 (16 ymm
// registers: 12 accumulators, 2 panel rows, 1 broadcast), element-wise math in 128-bit SSE/FMA as
// V8 runs the wasm. Built with -mavx2 -mfma (engine.c checks cpuid before use).
#include "simd128.h"
#define VW __m256
#define VL 8
#define PW 16
#define MR 6
#define WLOAD(p) _mm256_loadu_ps(p)
#define WSTORE(p, x) _mm256_storeu_ps(p, x)
#define WFMA(acc, a, b) _mm256_fmadd_ps(a, b, acc)
#define WBCAST(p) _mm256_broadcast_ss(p)
#define RNN_NATIVE
#define RNN_WIDE
#define RNN_RELAXED
#define rnn_setup rnn_setup_avx2
#define rnn_ptr rnn_ptr_avx2
#define rnn_forward rnn_forward_avx2
#define rnn_backward rnn_backward_avx2
#define rnn_wgrad_to rnn_wgrad_to_avx2
#define rnn_acc_add rnn_acc_add_avx2
#include "../rnn.c"
