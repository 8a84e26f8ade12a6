// The same three products as the native addon, from rnn.c's own code (included, so its static
// gemm_nn_p / gemm_tn_ext / pack_panels are the ones training runs), exported one by one for the
// `native` bench suite. Built by build.mjs with scripts/build-kernels.mjs's flags, plain SIMD and
// relaxed SIMD. Call rnn_setup() first (gemm_tn_ext packs into its arena), then bench_alloc().
#include "../../../worker/kernels/src/rnn.c"

static unsigned long bump;

// floats after everything rnn_setup laid out; 0 when memory cannot grow.
EXPORT(bench_alloc) unsigned bench_alloc(unsigned floats) {
  if (!bump) bump = __builtin_wasm_memory_size(0) * 65536ul;
  unsigned long p = bump, end = p + (((unsigned long)floats * 4 + 63) & ~63ul);
  unsigned long have = __builtin_wasm_memory_size(0) * 65536ul;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (unsigned long)-1) return 0;
  bump = end;
  return (unsigned)p;
}

EXPORT(bench_pack) void bench_pack(int K, int N, const f32 *Bm, int ldb, f32 *dst) { pack_panels(K, N, Bm, ldb, dst); }

// As the addon's steps(): forward C_t += A_t . B for t = 0..T-1, or backward C_t = A_t . B for
// t = T-1..1 (rnn.c's h.U and dZ.U^T loops, with every step's result kept for the comparison).
EXPORT(bench_steps)
void bench_steps(int T_, int M, int N, int K, const f32 *A, int astep, const f32 *Bp, const f32 *Bm, int ldb, f32 *C,
                 int cstep, int backward) {
  for (int s = 0; s < T_; s++) {
    int t = backward ? T_ - 1 - s : s;
    if (backward && t == 0) break;
    f32 *Ct = C + (long)t * cstep;
    if (backward) zero(Ct, (unsigned long)M * N);
    gemm_nn_p(M, N, K, A + (long)t * astep, K, Bp, K * 8, Bm, ldb, Ct, N);
  }
}

EXPORT(bench_tn)
void bench_tn(int M, int N, int K, const f32 *A, int lda, const f32 *Bm, int ldb, f32 *C, int ldc) {
  // The plain product: no X columns, no column of ones (rnn.c's gemm_tn_ext as dU alone).
  tn_args g = {.M = M, .N = N, .K = K, .A = A, .lda = lda, .Zm = Bm, .ldb = ldb, .C = C, .ldc = ldc};
  gemm_tn_ext(&g);
}
