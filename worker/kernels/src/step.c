// The rest of a CPU training step around the fused RNN layers, in the same module as rnn.c: the
// dense layers after the RNN stack (head and output, with their activation), the loss and its
// gradient, and the optimizer updates (Adam, RMSProp, SGD) with TF.js's formulas, so one step
// needs no TF.js op. Used by ../step.ts through a module instance of its own (a "step engine":
// step_alloc hands out memory from __heap_base, so an instance is either an RNN engine or a step
// engine, never both).
#include <wasm_simd128.h>

typedef float f32;
typedef v128_t vf;
#define EXPORT(name) __attribute__((export_name(#name)))

extern unsigned char __heap_base;
static unsigned long brk_end;

// n floats, 16-byte aligned, zeroed; 0 when memory cannot grow.
EXPORT(step_alloc) f32 *step_alloc(unsigned long n) {
  if (!brk_end) brk_end = ((unsigned long)&__heap_base + 15) & ~15ul;
  unsigned long p = brk_end, end = p + ((n * 4 + 15) & ~15ul);
  unsigned long have = __builtin_wasm_memory_size(0) * 65536ul;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (unsigned long)-1) return 0;
  brk_end = end;
  f32 *q = (f32 *)p;
  for (unsigned long i = 0; i < n; i++) q[i] = 0.f;
  return q;
}

// expf without libm: 2^n · e^r with |r| <= ln2/2, degree-6 polynomial (about 1 ulp).
static f32 s_exp(f32 x) {
  if (x > 88.f) x = 88.f;
  if (x < -87.f) return 0.f;
  f32 n = __builtin_floorf(x * 1.44269504f + 0.5f);
  f32 r = x - n * 0.693145752f - n * 1.42860677e-6f;
  f32 p = 1.f + r * (1.f + r * (0.5f + r * (0.166666667f + r * (0.0416666667f + r * (0.00833333333f + r * 0.00138888889f)))));
  union { f32 f; int i; } u = {p};
  u.i += (int)n << 23;
  return u.f;
}

static f32 s_tanh(f32 x) {
  if (x > 9.f) x = 9.f;
  if (x < -9.f) x = -9.f;
  f32 e = s_exp(2.f * x);
  return (e - 1.f) / (e + 1.f);
}

enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_TANH = 2, ACT_SOFTMAX = 3 };

// y[B,N] = act(x[B,K] . W[K,N] + b[N]).
EXPORT(dense_forward) void dense_forward(const f32 *x, const f32 *W, const f32 *b, f32 *y, int B, int K, int N, int act) {
  for (int i = 0; i < B; i++) {
    const f32 *xr = x + (long)i * K;
    f32 *yr = y + (long)i * N;
    int j = 0;
    for (; j + 4 <= N; j += 4) {
      vf acc = wasm_v128_load(b + j);
      for (int k = 0; k < K; k++)
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_splat(xr[k]), wasm_v128_load(W + (long)k * N + j)));
      wasm_v128_store(yr + j, acc);
    }
    for (; j < N; j++) {
      f32 acc = b[j];
      for (int k = 0; k < K; k++) acc += xr[k] * W[(long)k * N + j];
      yr[j] = acc;
    }
    if (act == ACT_RELU) for (j = 0; j < N; j++) yr[j] = yr[j] > 0.f ? yr[j] : 0.f;
    else if (act == ACT_TANH) for (j = 0; j < N; j++) yr[j] = s_tanh(yr[j]);
    else if (act == ACT_SOFTMAX) {
      f32 m = yr[0], s = 0.f;
      for (j = 1; j < N; j++) m = yr[j] > m ? yr[j] : m;
      for (j = 0; j < N; j++) s += (yr[j] = s_exp(yr[j] - m));
      for (j = 0; j < N; j++) yr[j] /= s;
    }
  }
}

// Given y = act(z) and dy: dz (written over dy), dW = x^T.dz, db = sum dz (both overwritten), and
// dx = dz.W^T when dx is not null.
EXPORT(dense_backward) void dense_backward(const f32 *x, const f32 *W, const f32 *y, f32 *dy, f32 *dx, f32 *dW, f32 *db, int B, int K, int N, int act) {
  for (int i = 0; i < B; i++) {
    const f32 *yr = y + (long)i * N;
    f32 *d = dy + (long)i * N;
    if (act == ACT_RELU) for (int j = 0; j < N; j++) d[j] = yr[j] > 0.f ? d[j] : 0.f;
    else if (act == ACT_TANH) for (int j = 0; j < N; j++) d[j] *= 1.f - yr[j] * yr[j];
    else if (act == ACT_SOFTMAX) {
      f32 s = 0.f;
      for (int j = 0; j < N; j++) s += d[j] * yr[j];
      for (int j = 0; j < N; j++) d[j] = yr[j] * (d[j] - s);
    }
  }
  for (long q = 0; q < (long)K * N; q++) dW[q] = 0.f;
  for (int j = 0; j < N; j++) db[j] = 0.f;
  for (int i = 0; i < B; i++) {
    const f32 *xr = x + (long)i * K, *d = dy + (long)i * N;
    for (int j = 0; j < N; j++) db[j] += d[j];
    if (N == 1) {
      // One output (a one-step forecast): the loops below would run K scalar iterations of an
      // inner loop of one; these are the same operations 4 at a time (same sums, same order).
      vf dv = wasm_f32x4_splat(d[0]), zero = wasm_f32x4_splat(0.f);
      int k = 0;
      for (; k + 4 <= K; k += 4)
        wasm_v128_store(dW + k, wasm_f32x4_add(wasm_v128_load(dW + k), wasm_f32x4_mul(wasm_v128_load(xr + k), dv)));
      for (; k < K; k++) dW[k] += xr[k] * d[0];
      if (!dx) continue;
      f32 *o = dx + (long)i * K;
      for (k = 0; k + 4 <= K; k += 4)
        wasm_v128_store(o + k, wasm_f32x4_add(zero, wasm_f32x4_mul(dv, wasm_v128_load(W + k))));
      for (; k < K; k++) o[k] = 0.f + d[0] * W[k];
      continue;
    }
    for (int k = 0; k < K; k++) {
      f32 xv = xr[k], *w = dW + (long)k * N;
      for (int j = 0; j < N; j++) w[j] += xv * d[j];
    }
    if (dx) {
      f32 *o = dx + (long)i * K;
      for (int k = 0; k < K; k++) {
        const f32 *w = W + (long)k * N;
        f32 s = 0.f;
        for (int j = 0; j < N; j++) s += d[j] * w[j];
        o[k] = s;
      }
    }
  }
}

enum { LOSS_MSE = 0, LOSS_MAE = 1, LOSS_HUBER = 2, LOSS_CE = 3 };

// The gradient of the mean loss over a batch of Bt rows of N predictions (TF.js: mean over outputs,
// then over the batch) into dy, for B of its rows (a thread's share: rows-src.ts). Huber uses delta 1
// (tf.losses.huberLoss as lossFor passes it). Cross-entropy is TF.js's categoricalCrossentropy on
// probabilities: p / sum(p) clipped to [1e-7, 1 - 1e-7]; its loss value needs a logarithm and is
// computed by the host from p.
EXPORT(loss_grad) void loss_grad(int kind, const f32 *p, const f32 *t, f32 *dy, int B, int N, int Bt) {
  f32 inv = 1.f / (f32)((long)Bt * N);
  for (long q = 0; q < (long)B * N; q++) {
    f32 e = p[q] - t[q];
    if (kind == LOSS_MSE) dy[q] = 2.f * e * inv;
    else if (kind == LOSS_MAE) dy[q] = (e > 0.f ? 1.f : e < 0.f ? -1.f : 0.f) * inv;
    else if (kind == LOSS_HUBER) dy[q] = (e > 1.f ? 1.f : e < -1.f ? -1.f : e) * inv;
  }
  if (kind != LOSS_CE) return;
  f32 invB = 1.f / (f32)Bt, eps = 1e-7f;
  for (int i = 0; i < B; i++) {
    const f32 *pr = p + (long)i * N, *tr = t + (long)i * N;
    f32 *d = dy + (long)i * N;
    f32 s = 0.f, dot = 0.f;
    for (int j = 0; j < N; j++) s += pr[j];
    // dL/dq_j for q = clip(p / s): -t_j / q_j inside the clip range, 0 where clipped.
    for (int j = 0; j < N; j++) {
      f32 q = pr[j] / s;
      d[j] = q > eps && q < 1.f - eps ? -tr[j] / q * invB : 0.f;
      dot += d[j] * pr[j];
    }
    // Through q = p / s: dp_j = (dq_j - sum_k dq_k p_k / s) / s.
    for (int j = 0; j < N; j++) d[j] = (d[j] - dot / s) / s;
  }
}

// TF.js Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr (m/c1) / (sqrt(v/c2) + eps), with
// c1 = 1 - b1^t, c2 = 1 - b2^t (the host keeps b^t as TF.js does, a float32 product).
EXPORT(adam_update) void adam_update(f32 *w, const f32 *g, f32 *m, f32 *v, long n, f32 lr, f32 b1, f32 b2, f32 eps, f32 c1, f32 c2) {
  vf vb1 = wasm_f32x4_splat(b1), vb2 = wasm_f32x4_splat(b2), va1 = wasm_f32x4_splat(1.f - b1), va2 = wasm_f32x4_splat(1.f - b2);
  vf vc1 = wasm_f32x4_splat(c1), vc2 = wasm_f32x4_splat(c2), ve = wasm_f32x4_splat(eps), vlr = wasm_f32x4_splat(-lr);
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    vf gi = wasm_v128_load(g + i);
    vf mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), vb1), wasm_f32x4_mul(gi, va1));
    vf vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), vb2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), va2));
    wasm_v128_store(m + i, mi);
    wasm_v128_store(v + i, vi);
    vf step = wasm_f32x4_div(wasm_f32x4_div(mi, vc1), wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vi, vc2)), ve));
    wasm_v128_store(w + i, wasm_f32x4_add(wasm_f32x4_mul(step, vlr), wasm_v128_load(w + i)));
  }
  for (; i < n; i++) {
    m[i] = m[i] * b1 + g[i] * (1.f - b1);
    v[i] = v[i] * b2 + g[i] * g[i] * (1.f - b2);
    w[i] = (m[i] / c1) / (__builtin_sqrtf(v[i] / c2) + eps) * -lr + w[i];
  }
}

// TF.js RMSProp (not centered): ms = d ms + (1-d) g^2; mom = mu mom + lr g / sqrt(ms + eps); w -= mom.
EXPORT(rmsprop_update) void rmsprop_update(f32 *w, const f32 *g, f32 *ms, f32 *mom, long n, f32 lr, f32 decay, f32 mu, f32 eps) {
  for (long i = 0; i < n; i++) {
    ms[i] = ms[i] * decay + g[i] * g[i] * (1.f - decay);
    mom[i] = mom[i] * mu + g[i] * lr / __builtin_sqrtf(ms[i] + eps);
    w[i] -= mom[i];
  }
}

// TF.js SGD: w -= lr g.
EXPORT(sgd_update) void sgd_update(f32 *w, const f32 *g, long n, f32 lr) {
  for (long i = 0; i < n; i++) w[i] -= lr * g[i];
}
