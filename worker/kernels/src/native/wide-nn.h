// Native build of rnn.c: the per-step products (h.U forward, dZ.U^T backward) with PW-wide
// panels and MR x PW tiles, in place of rnn.c's 8-wide panels and 4 x 8 tiles. The columns past
// the last whole panel go through rnn.c's gemm_nn on the unpacked matrix, which treats them as
// rnn.c's gemm_nn_p does (8-column tiles, then 4, then one at a time: PW is a multiple of 8), so
// every element's sum is the wasm module's.
#include "wide-tile.h"

// Bm[K, N] (ldb) into PW-wide panels (panel p = columns PW*p.., row k at PW*k), whole panels only.
static void pack_panels(int K, int N, const f32 *Bm, int ldb, f32 *dst) {
  for (int j = 0; j + PW <= N; j += PW)
    for (int k = 0; k < K; k++, dst += PW) {
      const f32 *src = Bm + (long)k * ldb + j;
      WSTORE(dst, WLOAD(src));
      WSTORE(dst + VL, WLOAD(src + VL));
    }
}

static void gemm_nn_pf(int M, int N, int K, const f32 *A, int lda, const f32 *Bp, int pstride, const f32 *Bm, int ldb,
                       f32 *C, int ldc, int fresh) {
  int Nw = N - N % PW;
  for (int j = 0; j < Nw; j += PW) {
    const f32 *P = Bp + (long)(j / PW) * pstride;
    for (int i = 0; i < M; i += MR) {
      int m = M - i < MR ? M - i : MR;
      f32 *c[MR];
      for (int r = 0; r < m; r++) c[r] = C + (long)(i + r) * ldc + j;
      wtile_n(m, K, A + (long)i * lda, lda, 1, P, c, fresh);
    }
  }
  if (Nw < N) {
    if (fresh)
      for (int i = 0; i < M; i++) zero(C + (long)i * ldc + Nw, N - Nw);
    gemm_nn(M, N - Nw, K, A, lda, Bm + Nw, ldb, C + Nw, ldc);
  }
}

static void gemm_nn_p(int M, int N, int K, const f32 *A, int lda, const f32 *Bp, int pstride, const f32 *Bm, int ldb,
                      f32 *C, int ldc) {
  gemm_nn_pf(M, N, K, A, lda, Bp, pstride, Bm, ldb, C, ldc, 0);
}

// C = A . B, C's old values ignored: the tiles start from zero instead of loading C, the same bits
// as zeroing C first (each element's first FMA adds to +0 either way).
static void gemm_nn_p_set(int M, int N, int K, const f32 *A, int lda, const f32 *Bp, int pstride, const f32 *Bm,
                          int ldb, f32 *C, int ldc) {
  gemm_nn_pf(M, N, K, A, lda, Bp, pstride, Bm, ldb, C, ldc, 1);
}
