// Native build of rnn.c: the register tile of the wide matrix products (wide-nn.h, wide-tn.h),
// after test/bench/native/products.h, where these tiles were measured: MR rows x PW = 2 vectors
// of columns (AVX2 6 x 16, AVX-512 8 x 32). The ISA unit (isa-*.c) defines VW (the vector),
// VL (floats per vector), MR, PW = 2 * VL, WLOAD, WSTORE, WFMA(acc, a, b) = acc + a*b (fused),
// WBCAST(p) (broadcast *p).

// C rows c[0..mr) (columns c[r][0..PW)) += A[mr, K] . P[K, PW]: A's element (r, k) at
// A + r*lda + k*ak, P a packed panel (row k at k*PW). Each output element adds its K terms in
// order with one FMA each, from the value already in C: what rnn.c's 4 x 8 tile does.
INLINE void wtile(const int mr, int K, const f32 *A, long lda, long ak, const f32 *P, f32 *const *c, int fresh) {
  VW c0[MR], c1[MR];
  for (int r = 0; r < mr; r++) {
    c0[r] = fresh ? WZERO : WLOAD(c[r]);
    c1[r] = fresh ? WZERO : WLOAD(c[r] + VL);
  }
  for (int k = 0; k < K; k++, P += PW, A += ak) {
    VW b0 = WLOAD(P), b1 = WLOAD(P + VL);
    for (int r = 0; r < mr; r++) {
      VW x = WBCAST(A + r * lda);
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
static void wtile_n(int mr, int K, const f32 *A, long lda, long ak, const f32 *P, f32 *const *c, int fresh) {
  switch (mr) {
  case 1: wtile(1, K, A, lda, ak, P, c, fresh); break;
  case 2: wtile(2, K, A, lda, ak, P, c, fresh); break;
  case 3: wtile(3, K, A, lda, ak, P, c, fresh); break;
  case 4: wtile(4, K, A, lda, ak, P, c, fresh); break;
#if MR > 4
  case 5: wtile(5, K, A, lda, ak, P, c, fresh); break;
  case 6: wtile(6, K, A, lda, ak, P, c, fresh); break;
#endif
#if MR > 6
  case 7: wtile(7, K, A, lda, ak, P, c, fresh); break;
  case 8: wtile(8, K, A, lda, ak, P, c, fresh); break;
#endif
  default: break;
  }
}
