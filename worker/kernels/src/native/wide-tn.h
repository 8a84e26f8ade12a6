// Native build of rnn.c: the weight-gradient product (gemm_tn_ext: dU, dW and db in one pass over
// dZ) with MR x PW tiles. Same blocks of KC rows and the same order of terms per element as
// rnn.c's version: each element adds its terms k in order, one FMA each, from the value in C.
//
// The tiles read their operands through one pointer per row k of the block (ttile), not from
// packed copies: copying A's block cost as much as an eighth of the product at 64 units, where
// a row k feeds only 64 x (64 + 2) multiply-adds (2026-12-03, AVX-512, batch slice of 32: SimpleRNN
// 64's weight gradients 86.9 -> 74.4 µs, GRU 64's 244.7 -> 229.9, LSTM 128's 5248 -> 5137;
// test/bench/native-phases.ts, worker/kernels/README.md).
// - A: the columns of H_prev in whole MR groups are read in place; the rest (a partial group, X's
//   columns, the ones) is copied row by row to Ap with width w = Me - Mw, element (k, Mw + c)
//   at Ap[k*w + c].
// - B (dZ): read in place where its rows are at most TN_B_INPLACE floats apart. Farther apart
//   (LSTM 128: 2 KB), a PW-wide strip's rows fall in a few L1 sets and miss on every row, so the
//   strip is copied to Bp first, as rnn.c explains; in place was 2-5% slower there.
#define TN_B_INPLACE 256

// C rows c[0..mr) (columns c[r][0..PW)) += sum over k of A_k[r] * B_k[0..PW), where
// A_k = arows[k] + aoff and B_k = brows[k] + boff.
INLINE void ttile(const int mr, int K, const f32 *const *arows, long aoff, const f32 *const *brows, long boff,
                  f32 *const *c) {
  VW c0[MR], c1[MR];
  for (int r = 0; r < mr; r++) {
    c0[r] = WLOAD(c[r]);
    c1[r] = WLOAD(c[r] + VL);
  }
  for (int k = 0; k < K; k++) {
    const f32 *a = arows[k] + aoff, *b = brows[k] + boff;
    VW b0 = WLOAD(b), b1 = WLOAD(b + VL);
    for (int r = 0; r < mr; r++) {
      VW x = WBCAST(a + r);
      c0[r] = WFMA(c0[r], x, b0);
      c1[r] = WFMA(c1[r], x, b1);
    }
  }
  for (int r = 0; r < mr; r++) {
    WSTORE(c[r], c0[r]);
    WSTORE(c[r] + VL, c1[r]);
  }
}

// One instance per tile height, so that each has mr constant (its accumulators in registers).
static void ttile_n(int mr, int K, const f32 *const *arows, long aoff, const f32 *const *brows, long boff,
                    f32 *const *c) {
  switch (mr) {
  case 1: ttile(1, K, arows, aoff, brows, boff, c); break;
  case 2: ttile(2, K, arows, aoff, brows, boff, c); break;
  case 3: ttile(3, K, arows, aoff, brows, boff, c); break;
  case 4: ttile(4, K, arows, aoff, brows, boff, c); break;
#if MR > 4
  case 5: ttile(5, K, arows, aoff, brows, boff, c); break;
  case 6: ttile(6, K, arows, aoff, brows, boff, c); break;
#endif
#if MR > 6
  case 7: ttile(7, K, arows, aoff, brows, boff, c); break;
  case 8: ttile(8, K, arows, aoff, brows, boff, c); break;
#endif
  default: break;
  }
}

static void gemm_tn_ext(const tn_args *g) {
  int N = g->N, K = g->K, ldb = g->ldb;
  int Me = g->M + g->f + g->ones, Mw = g->M - g->M % MR, w = Me - Mw, Nw = N - N % PW;
  int bin = ldb <= TN_B_INPLACE;
  f32 *Ap = ptrs[P_PACK], *Bp = Ap + (long)KC * ((Me + 3) & ~3);
  long rows[KC];
  const f32 *arows[KC], *prows[KC], *zrows[KC], *bprows[KC];
  for (int k = 0; k < KC; k++) prows[k] = Ap + (long)k * w, bprows[k] = Bp + (long)k * PW;
  for (int k0 = 0; k0 < K; k0 += KC) {
    int kn = K - k0 < KC ? K - k0 : KC;
    for (int k = 0; k < kn; k++) {
      rows[k] = tn_rowidx(g, k0 + k);
      arows[k] = g->A + rows[k] * g->lda;
      zrows[k] = g->Zm + rows[k] * ldb;
    }
    for (int k = 0; k < kn; k++)
      for (int c = 0; c < w; c++) Ap[(long)k * w + c] = tn_at(g, rows[k], Mw + c);
    for (int j = 0; j < Nw; j += PW) {
      if (!bin)
        for (int k = 0; k < kn; k++) {
          WSTORE(Bp + (long)k * PW, WLOAD(zrows[k] + j));
          WSTORE(Bp + (long)k * PW + VL, WLOAD(zrows[k] + j + VL));
        }
      // Mw is a multiple of MR: each group of MR columns is all in place or all copied.
      for (int i = 0; i < Me; i += MR) {
        int m = Me - i < MR ? Me - i : MR;
        f32 *c[MR];
        for (int r = 0; r < m; r++) c[r] = tn_row(g, i + r, j);
        ttile_n(m, kn, i < Mw ? arows : prows, i < Mw ? i : i - Mw, bin ? zrows : bprows, bin ? j : 0, c);
      }
    }
    int j = Nw;
    for (; j + 4 <= N; j += 4) {
      for (int i = 0; i < Me; i++) {
        f32 *c0 = tn_row(g, i, j);
        vf s = LD(c0);
        for (int k = 0; k < kn; k++) {
          const f32 *a = i < Mw ? arows[k] + i : prows[k] + (i - Mw);
          MADD(s, wasm_v128_load32_splat(a), LD(zrows[k] + j));
        }
        ST(c0, s);
      }
    }
    for (; j < N; j++) {
      for (int i = 0; i < Me; i++) {
        f32 s = 0.f;
        for (int k = 0; k < kn; k++) s += (i < Mw ? arows[k][i] : prows[k][i - Mw]) * zrows[k][j];
        *tn_row(g, i, j) += s;
      }
    }
  }
}
