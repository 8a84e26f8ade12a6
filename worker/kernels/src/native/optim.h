// The step module's Adam update (step.c adam_update) in the engine's vector width, for the fused
// step's optimizer (step.ts): the same operations in the same order per element, without FMA,
// so the same bits as the wasm build; 16 lanes at a time instead of V8's 4. Included by each
// isa-*.c after rnn.c, under that unit's name (rnn_adam_avx512, rnn_adam_avx2).

// One vector of weights from i, loaded and stored through LD and ST.
#define ADAM_LANES(LD, ST)                                                                                     \
  do {                                                                                                         \
    ve gi = LD(g + i);                                                                                         \
    ve mi = E_ADD(E_MUL(LD(m + i), vb1), E_MUL(gi, va1));                                                      \
    ve vi = E_ADD(E_MUL(LD(v + i), vb2), E_MUL(E_MUL(gi, gi), va2));                                           \
    ST(m + i, mi);                                                                                             \
    ST(v + i, vi);                                                                                             \
    ve step = E_DIV(E_DIV(mi, vc1), E_ADD(E_SQRT(E_DIV(vi, vc2)), ve_));                                       \
    ST(w + i, E_ADD(E_MUL(step, vlr), LD(w + i)));                                                             \
  } while (0)

void rnn_adam(float *w, const float *g, float *m, float *v, long n, float lr, float b1, float b2, float eps,
              float c1, float c2) {
  ve vb1 = E_SPLAT(b1), vb2 = E_SPLAT(b2), va1 = E_SPLAT(1.f - b1), va2 = E_SPLAT(1.f - b2);
  ve vc1 = E_SPLAT(c1), vc2 = E_SPLAT(c2), ve_ = E_SPLAT(eps), vlr = E_SPLAT(-lr);
  long i = 0;
  for (; i + EL <= n; i += EL) ADAM_LANES(E_LD, E_ST);
  // The rest through masked loads and stores: the same lane operations as step.c's scalar tail
  // (IEEE per lane), and no libm sqrtf, which test/bench/native/phases.c does not link.
  int r = (int)(n - i);
#define LD_R(p) E_LDN(p, r)
#define ST_R(p, x) E_STN(p, x, r)
  if (r > 0) ADAM_LANES(LD_R, ST_R);
#undef LD_R
#undef ST_R
}
#undef ADAM_LANES
