// Native build of rnn.c: the weight-gradient product (gemm_tn_ext: dU, dW and db in one pass over
// dZ) with MR x PW tiles. Same blocks of KC rows and the same order of terms per element as
// rnn.c's version; A's block is packed in groups of MR columns (element (k, i + r) at
// Ap[i*kn + k*m + r], m the group's width) with no padding rows, and the columns past the last
// whole PW strip are done 4 at a time, then one at a time, as rnn.c does past its 8-column strips.
static void gemm_tn_ext(const tn_args *g) {
  int N = g->N, K = g->K, ldb = g->ldb;
  int Me = g->M + g->f + g->ones, Nw = N - N % PW;
  f32 *Ap = ptrs[P_PACK], *Bp = Ap + (long)KC * ((Me + 3) & ~3);
  long rows[KC];
  for (int k0 = 0; k0 < K; k0 += KC) {
    int kn = K - k0 < KC ? K - k0 : KC;
    for (int k = 0; k < kn; k++) rows[k] = tn_rowidx(g, k0 + k);
    for (int i = 0; i < Me; i += MR) {
      int m = Me - i < MR ? Me - i : MR;
      f32 *dst = Ap + (long)i * kn;
      if (m == MR && i + MR <= g->M) {
        const f32 *src = g->A + i;
        for (int k = 0; k < kn; k++) __builtin_memcpy(dst + k * MR, src + rows[k] * g->lda, MR * sizeof(f32));
      } else {
        for (int k = 0; k < kn; k++)
          for (int r = 0; r < m; r++) dst[k * m + r] = tn_at(g, rows[k], i + r);
      }
    }
    for (int j = 0; j < Nw; j += PW) {
      for (int k = 0; k < kn; k++) {
        const f32 *src = g->Zm + rows[k] * ldb + j;
        WSTORE(Bp + (long)k * PW, WLOAD(src));
        WSTORE(Bp + (long)k * PW + VL, WLOAD(src + VL));
      }
      for (int i = 0; i < Me; i += MR) {
        int m = Me - i < MR ? Me - i : MR;
        f32 *c[MR];
        for (int r = 0; r < m; r++) c[r] = tn_row(g, i + r, j);
        wtile_n(m, kn, Ap + (long)i * kn, 1, m, Bp, c);
      }
    }
    int j = Nw;
    for (; j + 4 <= N; j += 4) {
      for (int i = 0; i < Me; i++) {
        int gi = i - i % MR, m = Me - gi < MR ? Me - gi : MR;
        const f32 *a = Ap + (long)gi * kn + (i - gi);
        f32 *c0 = tn_row(g, i, j);
        vf s = LD(c0);
        for (int k = 0; k < kn; k++, a += m) MADD(s, wasm_v128_load32_splat(a), LD(g->Zm + rows[k] * ldb + j));
        ST(c0, s);
      }
    }
    for (; j < N; j++) {
      for (int i = 0; i < Me; i++) {
        int gi = i - i % MR, m = Me - gi < MR ? Me - gi : MR;
        const f32 *a = Ap + (long)gi * kn + (i - gi);
        f32 s = 0.f;
        for (int k = 0; k < kn; k++, a += m) s += *a * g->Zm[rows[k] * ldb + j];
        *tn_row(g, i, j) += s;
      }
    }
  }
}
