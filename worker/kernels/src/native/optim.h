// The step module's Adam update (step.c adam_update) in the engine's vector width, for the fused
// step's optimizer (step.ts): the same operations in the same order per element, without FMA,
// so the same bits as the wasm build; 16 lanes at a time instead of V8's 4. Included by each
// isa-*.c after rnn.c, under that unit's name (rnn_adam_avx512, rnn_adam_avx2).
void rnn_adam(float *w, const float *g, float *m, float *v, long n, float lr, float b1, float b2, float eps,
              float c1, float c2) {
  ve vb1 = E_SPLAT(b1), vb2 = E_SPLAT(b2), va1 = E_SPLAT(1.f - b1), va2 = E_SPLAT(1.f - b2);
  ve vc1 = E_SPLAT(c1), vc2 = E_SPLAT(c2), ve_ = E_SPLAT(eps), vlr = E_SPLAT(-lr);
  long i = 0;
  for (; i + EL <= n; i += EL) {
    ve gi = E_LD(g + i);
    ve mi = E_ADD(E_MUL(E_LD(m + i), vb1), E_MUL(gi, va1));
    ve vi = E_ADD(E_MUL(E_LD(v + i), vb2), E_MUL(E_MUL(gi, gi), va2));
    E_ST(m + i, mi);
    E_ST(v + i, vi);
    ve step = E_DIV(E_DIV(mi, vc1), E_ADD(E_SQRT(E_DIV(vi, vc2)), ve_));
    E_ST(w + i, E_ADD(E_MUL(step, vlr), E_LD(w + i)));
  }
  for (; i < n; i++) {
    m[i] = m[i] * b1 + g[i] * (1.f - b1);
    v[i] = v[i] * b2 + g[i] * g[i] * (1.f - b2);
    w[i] = (m[i] / c1) / (__builtin_sqrtf(v[i] / c2) + eps) * -lr + w[i];
  }
}
