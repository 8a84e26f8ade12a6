// Fused SimpleRNN / LSTM / GRU forward and backward (BPTT) for one batch slice, in WebAssembly
// SIMD (128-bit). Built by scripts/build-kernels.mjs twice, plain SIMD and relaxed SIMD (FMA in the
// matrix products, see MADD), into worker/kernels/rnn-wasm.gen.ts.
//
// One module instance = one engine = one layer on one thread. The host (engine-src.ts) calls
// rnn_setup() with the shapes, copies inputs to the pointers rnn_ptr() names, then calls
// rnn_forward() / rnn_backward(). Everything the backward pass needs (the tape) stays in this
// instance's memory between the two calls, so only inputs and results cross to JavaScript.
//
// Layouts: weights as tf.layers stores them (kernel [F,G*H], recurrent [H,G*H], bias [G*H]; LSTM
// gates i,f,c,o, GRU z,r,h with reset_after=false). Inside, activations are time-major
// ([T, B, ...]) so each step's batch slab is contiguous for the per-step matrix product.
//
// Per call: each step writes its rows of bias + x . W just before its product h . U (GRU: two,
// since the candidate gate needs r*h) reads them (with more than SMALL_F features, x . W is one
// product over all steps first), then does the fused element-wise gate math;
// the backward sweep does dZ_t . U^T per step; the weight gradients are one product over all T*B
// rows after the sweep ([Hprev | X | 1]^T . dZ = dU, dW, db: gemm_tn_ext).
//
// The same source builds the native engine (src/native/, scripts/build-kernels.mjs --native):
// native/isa-*.c define RNN_NATIVE, the 128-bit operations below in native instructions
// (native/simd128.h), and RNN_WIDE with the wider vectors of the matrix products
// (native/wide-*.h: 2 x 256 or 2 x 512 bits of columns per tile in place of 2 x 128). Per output
// element the products add the same terms in the same order with the same FMAs, so a native
// engine's results equal the relaxed-SIMD module's bit for bit (test/worker/kernels/native.test.ts).
#ifndef RNN_NATIVE
#include <wasm_simd128.h>
typedef v128_t vf;
#define EXPORT(name) __attribute__((export_name(#name)))
#define PW 8 // columns per packed panel of the recurrent matrices: the tile's width
#endif

typedef float f32;

#define INLINE static inline __attribute__((always_inline))

enum { CELL_SIMPLE = 0, CELL_LSTM = 1, CELL_GRU = 2 };
#define KC 128    // rows per K block of the weight-gradient product
// Rows per block of the products over all T*B rows (x.W, dZ.W^T): each block's rows of A stay in
// cache while every column panel passes over them, instead of A streaming once per panel.
#define ROW_BLOCK 64
static inline int min_i(int a, int b) { return a < b ? a : b; }
#define SMALL_F 8 // up to this many features, x.W and dW, dx run as fused row passes
enum { ACT_HARD = 0, ACT_SIGMOID = 1 };

// ---- optional profiling (scripts/build-kernels.mjs --profile): time per phase via an import ----
#ifdef RNN_PROFILE
#ifdef RNN_NATIVE
double now_ms(void); // from the program it is linked into (test/bench/native/phases.c)
#else
__attribute__((import_module("env"), import_name("now"))) double now_ms(void);
#endif
static double prof[8];
EXPORT(rnn_prof) double *rnn_prof(void) { return prof; }
#define PROF_START double _pt = now_ms()
#define PROF(i) do { double _n = now_ms(); prof[i] += _n - _pt; _pt = _n; } while (0)
#else
#define PROF_START
#define PROF(i)
#endif

// ---- arena ----------------------------------------------------------------------------------
extern unsigned char __heap_base;

// Accumulators of the slices' weight gradients (rnn_wgrad_to, rnn_acc_add): one per depth of the
// sum tree the host evaluates (16 slices: 5 levels).
#define ACC_DEPTH 6
enum {
  P_W, P_U, P_UT, P_BIAS, P_XIN, P_XT, P_GATES, P_HS, P_CS, P_TCS, P_RH, P_OUT, P_DY, P_DXOUT,
  P_DXT, P_DW, P_DU, P_DB, P_DH, P_DHN, P_DC, P_TMP, P_PACK, P_UP, P_UTP, P_SINK, P_ACC,
  P_WP, P_WT, P_WTP, // with more than SMALL_F features: W in panels, W^T, W^T in panels
  P_COUNT
};
#ifdef RNN_NATIVE
#include "native/state.h" // the same names, as fields of the calling thread's current engine
#else
static int g_cell, g_act, B, T, F, H, G, GH, RETSEQ;
static f32 *ptrs[P_COUNT];
#define ARENA_ALIGN 15

EXPORT(rnn_ptr) unsigned rnn_ptr(int which) { return (unsigned)(unsigned long)ptrs[which]; }
#endif

// Lays the buffers out after __heap_base, growing memory when needed. Returns 0, or -1 when the
// memory cannot grow (the host reports it).
EXPORT(rnn_setup) int rnn_setup(int cell, int act, int b, int t, int f, int h, int retseq) {
  g_cell = cell; g_act = act; B = b; T = t; F = f; H = h; RETSEQ = retseq;
  G = cell == CELL_LSTM ? 4 : cell == CELL_GRU ? 3 : 1;
  GH = G * H;
  unsigned long sizes[P_COUNT] = {0};
  unsigned long BT = (unsigned long)B * T;
  sizes[P_W] = (unsigned long)F * GH;
  sizes[P_U] = (unsigned long)H * GH;
  sizes[P_UT] = (unsigned long)GH * H;
  sizes[P_BIAS] = GH;
  sizes[P_XIN] = BT * F;
  sizes[P_XT] = BT * F;
  sizes[P_GATES] = BT * GH;
  sizes[P_HS] = (BT + B) * H;
  sizes[P_CS] = cell == CELL_LSTM ? (BT + B) * H : 0;
  sizes[P_TCS] = cell == CELL_LSTM ? BT * H : 0;
  sizes[P_RH] = cell == CELL_GRU ? BT * H : 0;
  sizes[P_OUT] = (retseq ? BT : (unsigned long)B) * H;
  sizes[P_DY] = sizes[P_OUT];
  sizes[P_DXOUT] = BT * F;
  sizes[P_DXT] = BT * F;
  sizes[P_DW] = sizes[P_W];
  sizes[P_DU] = sizes[P_U];
  sizes[P_DB] = GH;
  sizes[P_DH] = sizes[P_DHN] = sizes[P_DC] = sizes[P_TMP] = (unsigned long)B * H;
  // gemm_tn_ext's panels: A extended by X and a column of ones, padded to 4 columns, and a strip of B.
  sizes[P_PACK] = (unsigned long)KC * (H + F + 4 + PW);
  sizes[P_SINK] = GH;
  sizes[P_UP] = sizes[P_UTP] = (unsigned long)H * GH;
  sizes[P_ACC] = ACC_DEPTH * ((unsigned long)F * GH + (unsigned long)H * GH + GH);
  sizes[P_WP] = sizes[P_WT] = sizes[P_WTP] = F > SMALL_F ? (unsigned long)F * GH : 0;
#ifdef RNN_NATIVE
  unsigned long off = 0; // offsets here; rnn_arena() allocates and adds the base
#else
  unsigned long off = ((unsigned long)&__heap_base + 15) & ~15ul;
#endif
  for (int i = 0; i < P_COUNT; i++) {
    ptrs[i] = (f32 *)off;
    off += (sizes[i] * 4 + ARENA_ALIGN) & ~(unsigned long)ARENA_ALIGN;
  }
  if (off > 0xFFFF0000ul) return -1;
#ifdef RNN_NATIVE
  return rnn_arena(off);
#else
  unsigned long have = __builtin_wasm_memory_size(0) * 65536ul;
  if (off > have) {
    unsigned long pages = (off - have + 65535) / 65536;
    if (__builtin_wasm_memory_grow(0, pages) == (unsigned long)-1) return -1;
  }
  return 0;
#endif
}

static void zero(f32 *p, unsigned long n) {
  unsigned long i = 0;
  vf z = wasm_f32x4_splat(0.f);
  for (; i + 4 <= n; i += 4) wasm_v128_store(p + i, z);
  for (; i < n; i++) p[i] = 0.f;
}

// ---- matrix products ------------------------------------------------------------------------
#define LD(p) wasm_v128_load(p)
#define ST(p, x) wasm_v128_store(p, x)
#if defined(RNN_NATIVE)
// native/simd128.h defines FMA4 and MADD (fused: the native engine requires FMA).
#elif defined(RNN_RELAXED)
// The relaxed-SIMD build (-mrelaxed-simd -DRNN_RELAXED): the products' multiply-adds as
// f32x4.relaxed_madd, one FMA instruction where the CPU has FMA (V8 emits vfmadd on x64, fmla on
// arm64). clang >= 16 has the standard builtin; clang 14/15 call it fma and emit the opcode of an
// earlier draft, which scripts/build-kernels.mjs rewrites to the standard one (0xfd 0x105).
typedef float f32x4_t __attribute__((__vector_size__(16), __aligned__(16)));
#if __has_builtin(__builtin_wasm_relaxed_madd_f32x4)
#define FMA4(a, b, c) (vf) __builtin_wasm_relaxed_madd_f32x4((f32x4_t)(a), (f32x4_t)(b), (f32x4_t)(c))
#else
#define FMA4(a, b, c) (vf) __builtin_wasm_fma_f32x4((f32x4_t)(a), (f32x4_t)(b), (f32x4_t)(c))
#endif
#define MADD(acc, a, b) acc = FMA4(a, b, acc) // a * b + acc
#else
#define MADD(acc, a, b) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))
#endif

// C[M,N] += A[M,K] . B[K,N]. Tiles of 4 rows x 8 columns held in registers (6 x 8 measured half as
// fast: V8 has 16 xmm registers and spills); columns outermost so a
// 8-column strip of B stays in L1 while all row tiles pass over it.
// Used by the native build's panel products for the columns past their last whole panel (the wasm
// build's gemm_nn_p handles those itself).
__attribute__((unused)) static void gemm_nn(int M, int N, int K, const f32 *A, int lda, const f32 *Bm, int ldb, f32 *C,
                                            int ldc) {
  int j = 0;
  for (; j + 8 <= N; j += 8) {
    int i = 0;
    for (; i + 4 <= M; i += 4) {
      const f32 *a0 = A + (long)i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
      f32 *c0 = C + (long)i * ldc + j, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
      vf s00 = LD(c0), s01 = LD(c0 + 4), s10 = LD(c1), s11 = LD(c1 + 4);
      vf s20 = LD(c2), s21 = LD(c2 + 4), s30 = LD(c3), s31 = LD(c3 + 4);
      const f32 *b = Bm + j;
      for (int k = 0; k < K; k++, b += ldb) {
        vf b0 = LD(b), b1 = LD(b + 4), x;
        x = wasm_v128_load32_splat(a0 + k); MADD(s00, x, b0); MADD(s01, x, b1);
        x = wasm_v128_load32_splat(a1 + k); MADD(s10, x, b0); MADD(s11, x, b1);
        x = wasm_v128_load32_splat(a2 + k); MADD(s20, x, b0); MADD(s21, x, b1);
        x = wasm_v128_load32_splat(a3 + k); MADD(s30, x, b0); MADD(s31, x, b1);
      }
      ST(c0, s00); ST(c0 + 4, s01); ST(c1, s10); ST(c1 + 4, s11);
      ST(c2, s20); ST(c2 + 4, s21); ST(c3, s30); ST(c3 + 4, s31);
    }
    for (; i < M; i++) {
      const f32 *a0 = A + (long)i * lda;
      f32 *c0 = C + (long)i * ldc + j;
      vf s00 = LD(c0), s01 = LD(c0 + 4);
      const f32 *b = Bm + j;
      for (int k = 0; k < K; k++, b += ldb) {
        vf x = wasm_v128_load32_splat(a0 + k);
        MADD(s00, x, LD(b)); MADD(s01, x, LD(b + 4));
      }
      ST(c0, s00); ST(c0 + 4, s01);
    }
  }
  for (; j + 4 <= N; j += 4) {
    for (int i = 0; i < M; i++) {
      const f32 *a0 = A + (long)i * lda;
      f32 *c0 = C + (long)i * ldc + j;
      vf s = LD(c0);
      const f32 *b = Bm + j;
      for (int k = 0; k < K; k++, b += ldb) MADD(s, wasm_v128_load32_splat(a0 + k), LD(b));
      ST(c0, s);
    }
  }
  for (; j < N; j++) {
    for (int i = 0; i < M; i++) {
      const f32 *a0 = A + (long)i * lda;
      f32 s = 0.f;
      for (int k = 0; k < K; k++) s += a0[k] * Bm[(long)k * ldb + j];
      C[(long)i * ldc + j] += s;
    }
  }
}



#ifndef RNN_WIDE
// The recurrent matrices, used by every step, are copied once per call into 8-column panels
// (panel p = columns 8p..8p+7, row k at 8k): with G*H = 512 columns their rows are 2 KB apart and
// a column strip would land in two L1 sets. gemm_nn_p reads the panels (pstride floats apart) for
// the whole 8-column strips and B itself for the remaining columns.
static void pack_panels(int K, int N, const f32 *Bm, int ldb, f32 *dst) {
  for (int j = 0; j + 8 <= N; j += 8)
    for (int k = 0; k < K; k++, dst += 8) {
      const f32 *src = Bm + (long)k * ldb + j;
      ST(dst, LD(src)); ST(dst + 4, LD(src + 4));
    }
}

static void gemm_nn_p(int M, int N, int K, const f32 *A, int lda, const f32 *Bp, int pstride, const f32 *Bm, int ldb, f32 *C, int ldc) {
  int j = 0;
  for (; j + 8 <= N; j += 8) {
    int i = 0;
    for (; i + 4 <= M; i += 4) {
      const f32 *a0 = A + (long)i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
      f32 *c0 = C + (long)i * ldc + j, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
      vf s00 = LD(c0), s01 = LD(c0 + 4), s10 = LD(c1), s11 = LD(c1 + 4);
      vf s20 = LD(c2), s21 = LD(c2 + 4), s30 = LD(c3), s31 = LD(c3 + 4);
      const f32 *b = Bp + (long)(j / 8) * pstride;
      for (int k = 0; k < K; k++, b += 8) {
        vf b0 = LD(b), b1 = LD(b + 4), x;
        x = wasm_v128_load32_splat(a0 + k); MADD(s00, x, b0); MADD(s01, x, b1);
        x = wasm_v128_load32_splat(a1 + k); MADD(s10, x, b0); MADD(s11, x, b1);
        x = wasm_v128_load32_splat(a2 + k); MADD(s20, x, b0); MADD(s21, x, b1);
        x = wasm_v128_load32_splat(a3 + k); MADD(s30, x, b0); MADD(s31, x, b1);
      }
      ST(c0, s00); ST(c0 + 4, s01); ST(c1, s10); ST(c1 + 4, s11);
      ST(c2, s20); ST(c2 + 4, s21); ST(c3, s30); ST(c3 + 4, s31);
    }
    for (; i < M; i++) {
      const f32 *a0 = A + (long)i * lda;
      f32 *c0 = C + (long)i * ldc + j;
      vf s00 = LD(c0), s01 = LD(c0 + 4);
      const f32 *b = Bp + (long)(j / 8) * pstride;
      for (int k = 0; k < K; k++, b += 8) {
        vf x = wasm_v128_load32_splat(a0 + k);
        MADD(s00, x, LD(b)); MADD(s01, x, LD(b + 4));
      }
      ST(c0, s00); ST(c0 + 4, s01);
    }
  }
  for (; j + 4 <= N; j += 4) {
    for (int i = 0; i < M; i++) {
      const f32 *a0 = A + (long)i * lda;
      f32 *c0 = C + (long)i * ldc + j;
      vf s = LD(c0);
      const f32 *b = Bm + j;
      for (int k = 0; k < K; k++, b += ldb) MADD(s, wasm_v128_load32_splat(a0 + k), LD(b));
      ST(c0, s);
    }
  }
  for (; j < N; j++) {
    for (int i = 0; i < M; i++) {
      const f32 *a0 = A + (long)i * lda;
      f32 s = 0.f;
      for (int k = 0; k < K; k++) s += a0[k] * Bm[(long)k * ldb + j];
      C[(long)i * ldc + j] += s;
    }
  }
}

// C = A . B, C's old values ignored (the native build's tiles start from zero instead).
static void gemm_nn_p_set(int M, int N, int K, const f32 *A, int lda, const f32 *Bp, int pstride, const f32 *Bm,
                          int ldb, f32 *C, int ldc) {
  for (int i = 0; i < M; i++) zero(C + (long)i * ldc, N);
  gemm_nn_p(M, N, K, A, lda, Bp, pstride, Bm, ldb, C, ldc);
}
#else
#include "native/wide-nn.h"
#endif

// C[M,N] += A^T . B with A stored [K,M] (lda) and B [K,N] (ldb): the weight gradients, K = T*B
// rows. K is cut into blocks of KC rows, and each block's A (as 4-column panels) and each 8-column
// strip of B are first copied to a contiguous buffer: with N = 512 the rows of B are 2 KB apart,
// so an unpacked strip lands in two L1 sets and misses on every row (measured: 28 GFLOP/s
// unpacked against 45 for the same product shape in gemm_nn).
//
// A may go on with more columns: the f columns of X (ldx), then a column of ones, then zeros up
// to a multiple of 4; their rows of the result go to CX (f rows, ldc) and C1 (one row). So one
// pass over dZ gives dU = H_prev^T.dZ, dW = X^T.dZ and db = 1^T.dZ together. dZ (T*B*G*H floats,
// 1.6 MB at LSTM 64, batch 32, 50 steps) comes from L3 at every pass over it; a second pass for
// dW and db (row by row, dW loaded and stored per row) cost a quarter of the weight-gradient time
// at F = 1 and almost half at F = 8 (test/bench/rnn-phases.ts).
//
// The rows may be one batch slice's (bs > 0): row k is then (k / bs) * bstride + b0 + k % bs, the
// rows b0 .. b0 + bs - 1 of each time step, so that a slice's weight gradients are computed on
// their own (rnn_wgrad_to). bs = 0: all K rows in order.
typedef struct {
  int M, N, K;
  const f32 *A; int lda;
  const f32 *X; int ldx, f; int ones;
  const f32 *Zm; int ldb; // dZ
  f32 *C, *CX, *C1; int ldc;
  int bs, b0, bstride;
} tn_args;

INLINE long tn_rowidx(const tn_args *g, long k) {
  return g->bs ? (k / g->bs) * g->bstride + g->b0 + k % g->bs : k;
}

// Element (row, col) of the extended A.
INLINE f32 tn_at(const tn_args *g, long row, int col) {
  if (col < g->M) return g->A[row * g->lda + col];
  col -= g->M;
  if (col < g->f) return g->X[row * g->ldx + col];
  return col == g->f && g->ones ? 1.f : 0.f;
}

// Row i of the result, from column j: C's rows, then CX's, then C1; padding rows go to a sink.
INLINE f32 *tn_row(const tn_args *g, int i, int j) {
  if (i < g->M) return g->C + (long)i * g->ldc + j;
  i -= g->M;
  if (i < g->f) return g->CX + (long)i * g->ldc + j;
  return i == g->f && g->ones ? g->C1 + j : ptrs[P_SINK] + j;
}

#ifndef RNN_WIDE
static void gemm_tn_ext(const tn_args *g) {
  int N = g->N, K = g->K, ldb = g->ldb;
  int Me = (g->M + g->f + g->ones + 3) & ~3, N8 = N & ~7;
  f32 *Ap = ptrs[P_PACK], *Bp = Ap + (long)KC * Me;
  long rows[KC];
  zero(ptrs[P_SINK], N);
  for (int k0 = 0; k0 < K; k0 += KC) {
    int kn = K - k0 < KC ? K - k0 : KC;
    for (int k = 0; k < kn; k++) rows[k] = tn_rowidx(g, k0 + k);
    // A's block as 4-column panels: element (k, i + r) at Ap[i * kn + 4 k + r].
    for (int i = 0; i < Me; i += 4) {
      f32 *dst = Ap + (long)i * kn;
      if (i + 4 <= g->M) {
        const f32 *src = g->A + i;
        for (int k = 0; k < kn; k++) ST(dst + 4 * k, LD(src + rows[k] * g->lda));
      } else if (i >= g->M && i + 4 <= g->M + g->f) {
        const f32 *src = g->X + (i - g->M);
        for (int k = 0; k < kn; k++) ST(dst + 4 * k, LD(src + rows[k] * g->ldx));
      } else {
        for (int k = 0; k < kn; k++)
          for (int r = 0; r < 4; r++) dst[4 * k + r] = tn_at(g, rows[k], i + r);
      }
    }
    for (int j = 0; j < N8; j += 8) {
      for (int k = 0; k < kn; k++) {
        const f32 *src = g->Zm + rows[k] * ldb + j;
        ST(Bp + 8 * k, LD(src)); ST(Bp + 8 * k + 4, LD(src + 4));
      }
      for (int i = 0; i < Me; i += 4) {
        f32 *c0 = tn_row(g, i, j), *c1 = tn_row(g, i + 1, j), *c2 = tn_row(g, i + 2, j), *c3 = tn_row(g, i + 3, j);
        vf s00 = LD(c0), s01 = LD(c0 + 4), s10 = LD(c1), s11 = LD(c1 + 4);
        vf s20 = LD(c2), s21 = LD(c2 + 4), s30 = LD(c3), s31 = LD(c3 + 4);
        const f32 *a = Ap + (long)i * kn, *b = Bp;
        for (int k = 0; k < kn; k++, a += 4, b += 8) {
          vf b0 = LD(b), b1 = LD(b + 4), x;
          x = wasm_v128_load32_splat(a); MADD(s00, x, b0); MADD(s01, x, b1);
          x = wasm_v128_load32_splat(a + 1); MADD(s10, x, b0); MADD(s11, x, b1);
          x = wasm_v128_load32_splat(a + 2); MADD(s20, x, b0); MADD(s21, x, b1);
          x = wasm_v128_load32_splat(a + 3); MADD(s30, x, b0); MADD(s31, x, b1);
        }
        ST(c0, s00); ST(c0 + 4, s01); ST(c1, s10); ST(c1 + 4, s11);
        ST(c2, s20); ST(c2 + 4, s21); ST(c3, s30); ST(c3 + 4, s31);
      }
    }
    int j = N8;
    for (; j + 4 <= N; j += 4) {
      for (int i = 0; i < Me; i++) {
        f32 *c0 = tn_row(g, i, j);
        vf s = LD(c0);
        const f32 *a = Ap + (long)(i & ~3) * kn + (i & 3), *b = g->Zm + j;
        for (int k = 0; k < kn; k++, a += 4) MADD(s, wasm_v128_load32_splat(a), LD(b + rows[k] * ldb));
        ST(c0, s);
      }
    }
    for (; j < N; j++) {
      for (int i = 0; i < Me; i++) {
        f32 s = 0.f;
        const f32 *a = Ap + (long)(i & ~3) * kn + (i & 3);
        for (int k = 0; k < kn; k++) s += a[4 * k] * g->Zm[rows[k] * ldb + j];
        *tn_row(g, i, j) += s;
      }
    }
  }
}
#else
#include "native/wide-tn.h"
#endif

INLINE f32 hsum(vf x) {
  return wasm_f32x4_extract_lane(x, 0) + wasm_f32x4_extract_lane(x, 1) +
         wasm_f32x4_extract_lane(x, 2) + wasm_f32x4_extract_lane(x, 3);
}

// ---- element-wise math ----------------------------------------------------------------------
// In vectors of EL lanes (ve): the 128-bit ones here; the native units define wider ones
// (native/isa-*.c). Every operation is lane by lane, so the width changes no result.
#ifndef EL
typedef vf ve;
#define EL 4
#define E_LD LD
#define E_ST ST
#define E_SPLAT wasm_f32x4_splat
#define E_ADD wasm_f32x4_add
#define E_SUB wasm_f32x4_sub
#define E_MUL wasm_f32x4_mul
#define E_DIV wasm_f32x4_div
#define E_PMIN wasm_f32x4_pmin
#define E_PMAX wasm_f32x4_pmax
#define E_FMA FMA4
// v where 0 < y < 1, else 0.
#define E_INSIDE01(y, v) \
  wasm_v128_and(wasm_v128_and(wasm_f32x4_gt(y, wasm_f32x4_splat(0.f)), wasm_f32x4_lt(y, wasm_f32x4_splat(1.f))), v)
#endif

// One Horner step p * x2 + c: a single FMA in the relaxed build (about a fifth of the LSTM forward's
// gate math, two tanh per unit, is these steps).
#ifdef RNN_RELAXED
#define HORNER(p, x2, c) E_FMA(p, x2, E_SPLAT(c))
#else
#define HORNER(p, x2, c) E_ADD(E_MUL(p, x2), E_SPLAT(c))
#endif
// acc += a * b as the products' MADD does it: fused in the relaxed and native builds.
#ifdef RNN_RELAXED
#define E_MADD(acc, a, b) acc = E_FMA(a, b, acc)
#else
#define E_MADD(acc, a, b) acc = E_ADD(acc, E_MUL(a, b))
#endif

// tanh as Eigen's rational approximation (odd degree-13 / even degree-6, inputs clamped to +-9):
// a few ulp over the whole range, no exp needed.
INLINE ve vtanh(ve x) {
  x = E_PMAX(E_PMIN(x, E_SPLAT(9.f)), E_SPLAT(-9.f));
  ve x2 = E_MUL(x, x);
  ve p = E_SPLAT(-2.76076847742355e-16f);
  p = HORNER(p, x2, 2.00018790482477e-13f);
  p = HORNER(p, x2, -8.60467152213735e-11f);
  p = HORNER(p, x2, 5.12229709037114e-08f);
  p = HORNER(p, x2, 1.48572235717979e-05f);
  p = HORNER(p, x2, 6.37261928875436e-04f);
  p = HORNER(p, x2, 4.89352455891786e-03f);
  p = E_MUL(p, x);
  ve q = E_SPLAT(1.19825839466702e-06f);
  q = HORNER(q, x2, 1.18534705686654e-04f);
  q = HORNER(q, x2, 2.26843463243900e-03f);
  q = HORNER(q, x2, 4.89352518554385e-03f);
  return E_DIV(p, q);
}

// Gate activation: hardSigmoid clip(0.2x+0.5, 0, 1) (tf.layers' default) or the logistic
// function, written as 0.5 + 0.5 tanh(x/2).
INLINE ve vrec(ve x) {
  ve half = E_SPLAT(0.5f);
  if (g_act == ACT_HARD) {
    ve y = E_ADD(E_MUL(x, E_SPLAT(0.2f)), half);
    return E_PMIN(E_PMAX(y, E_SPLAT(0.f)), E_SPLAT(1.f));
  }
  return E_ADD(half, E_MUL(half, vtanh(E_MUL(x, half))));
}

// Derivative of the gate activation from its output y.
INLINE ve vrec_d(ve y) {
  if (g_act == ACT_HARD) return E_INSIDE01(y, E_SPLAT(0.2f));
  return E_MUL(y, E_SUB(E_SPLAT(1.f), y));
}

INLINE ve one_minus_sq(ve y) { return E_SUB(E_SPLAT(1.f), E_MUL(y, y)); }

// Loads/stores of n <= EL lanes, so units that are not a multiple of EL share the vector code
// (the native units mask the lanes instead: E_LDN, E_STN).
#ifdef E_LDN
INLINE ve ldn(const f32 *p, int n) { return E_LDN(p, n); }
INLINE void stn(f32 *p, ve x, int n) { E_STN(p, x, n); }
#else
INLINE ve ldn(const f32 *p, int n) {
  if (n == EL) return E_LD(p);
  f32 t[EL] = {0.f};
  for (int i = 0; i < n; i++) t[i] = p[i];
  return E_LD(t);
}
INLINE void stn(f32 *p, ve x, int n) {
  if (n == EL) { E_ST(p, x); return; }
  f32 t[EL];
  E_ST(t, x);
  for (int i = 0; i < n; i++) p[i] = t[i];
}
#endif

#define MUL E_MUL
#define ADD E_ADD
#define SUB E_SUB

// ---- forward --------------------------------------------------------------------------------
INLINE void lstm_fwd_elems(f32 *z, const f32 *cp, f32 *c, f32 *tc, f32 *h, int n) {
  ve i = vrec(ldn(z, n)), f = vrec(ldn(z + H, n)), g = vtanh(ldn(z + 2 * H, n)), o = vrec(ldn(z + 3 * H, n));
  ve cn = ADD(MUL(f, ldn(cp, n)), MUL(i, g));
  ve t = vtanh(cn);
  stn(z, i, n); stn(z + H, f, n); stn(z + 2 * H, g, n); stn(z + 3 * H, o, n);
  stn(c, cn, n); stn(tc, t, n); stn(h, MUL(o, t), n);
}

INLINE void gru_fwd_zr(f32 *z, const f32 *hp, f32 *rh, int n) {
  ve zz = vrec(ldn(z, n)), r = vrec(ldn(z + H, n));
  stn(z, zz, n); stn(z + H, r, n);
  stn(rh, MUL(r, ldn(hp, n)), n);
}

INLINE void gru_fwd_h(f32 *z, const f32 *hp, f32 *h, int n) {
  ve zz = ldn(z, n), hh = vtanh(ldn(z + 2 * H, n));
  stn(z + 2 * H, hh, n);
  ve hpv = ldn(hp, n);
  stn(h, ADD(hpv, MUL(SUB(E_SPLAT(1.f), zz), SUB(hh, hpv))), n);
}

// Z rows r0 .. r1 - 1 (time-major) = bias + x.W, called per step just before the step's product
// reads them (from L1; written for all T*B rows up front they went out to L3 and came back). With
// more than SMALL_F features, the bias only: rnn_forward adds x.W as one product.
static void z_in(long r0, long r1) {
  const f32 *W = ptrs[P_W], *bias = ptrs[P_BIAS], *xt = ptrs[P_XT];
  f32 *Z = ptrs[P_GATES];
  for (long r = r0; r < r1; r++) {
    f32 *zr = Z + r * GH;
    const f32 *xr = xt + r * F;
    int j = 0;
    if (F > SMALL_F) {
      for (; j + EL <= GH; j += EL) E_ST(zr + j, E_LD(bias + j));
      if (j < GH) stn(zr + j, ldn(bias + j, GH - j), GH - j);
      continue;
    }
    // 4 vectors of columns at a time: four independent multiply-add chains. One chain of F
    // dependent FMAs per vector waited on the FMA latency (relaxed build: 15.4 ms at LSTM 128, B
    // 128, F 8, three times the plain build's separate multiply and add). Same order per element.
    for (; j + 4 * EL <= GH; j += 4 * EL) {
      ve a0 = E_LD(bias + j), a1 = E_LD(bias + j + EL), a2 = E_LD(bias + j + 2 * EL), a3 = E_LD(bias + j + 3 * EL);
      for (int f = 0; f < F; f++) {
        const f32 *w = W + (long)f * GH + j;
        ve xv = E_SPLAT(xr[f]);
        E_MADD(a0, xv, E_LD(w));
        E_MADD(a1, xv, E_LD(w + EL));
        E_MADD(a2, xv, E_LD(w + 2 * EL));
        E_MADD(a3, xv, E_LD(w + 3 * EL));
      }
      E_ST(zr + j, a0); E_ST(zr + j + EL, a1); E_ST(zr + j + 2 * EL, a2); E_ST(zr + j + 3 * EL, a3);
    }
    for (; j < GH; j += EL) {
      int n = GH - j < EL ? GH - j : EL;
      ve acc = ldn(bias + j, n);
      for (int f = 0; f < F; f++) E_MADD(acc, E_SPLAT(xr[f]), ldn(W + (long)f * GH + j, n));
      stn(zr + j, acc, n);
    }
  }
}

EXPORT(rnn_forward) void rnn_forward(void) {
  f32 *W = ptrs[P_W], *U = ptrs[P_U], *xin = ptrs[P_XIN], *xt = ptrs[P_XT];
  f32 *Z = ptrs[P_GATES], *hs = ptrs[P_HS], *cs = ptrs[P_CS], *tcs = ptrs[P_TCS], *rh = ptrs[P_RH];
  long BH = (long)B * H, BGH = (long)B * GH;
  PROF_START;
  // x to time-major, then Z = bias + X . W for all T*B rows in one product. With few features
  // (the common case: F <= 8) the product is done row by row in the same pass as the bias, so Z
  // is written once instead of written, read and written again.
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      for (int f = 0; f < F; f++) xt[((long)t * B + b) * F + f] = xin[((long)b * T + t) * F + f];
  if (F > SMALL_F) {
    // W in panels, as U: unpacked, its 8-column strips are rows G*H floats apart and the product
    // ran at 44 GFLOP/s (LSTM 64, 64 features: 3.3 ms of a 4.2 ms forward, AVX-512).
    z_in(0, (long)T * B);
    pack_panels(F, GH, W, GH, ptrs[P_WP]);
    for (int i = 0; i < T * B; i += ROW_BLOCK)
      gemm_nn_p(min_i(ROW_BLOCK, T * B - i), GH, F, xt + (long)i * F, F, ptrs[P_WP], F * PW, W, GH, Z + (long)i * GH, GH);
  }
  PROF(0);
  zero(hs, BH);
  if (g_cell == CELL_LSTM) zero(cs, BH);
  f32 *UP = ptrs[P_UP], *UP2 = UP + (long)H * ((2 * H) & ~(PW - 1));
  if (g_cell == CELL_GRU) { pack_panels(H, 2 * H, U, GH, UP); pack_panels(H, H, U + 2 * H, GH, UP2); }
  else pack_panels(H, GH, U, GH, UP);
  for (int t = 0; t < T; t++) {
    f32 *Zt = Z + t * BGH, *hp = hs + t * BH, *hn = hs + (t + 1) * BH;
    if (F <= SMALL_F) z_in((long)t * B, (long)(t + 1) * B);
    if (g_cell == CELL_SIMPLE) {
      gemm_nn_p(B, H, H, hp, H, UP, H * PW, U, H, Zt, H);
      PROF(1);
      for (int b = 0; b < B; b++) {
        f32 *z = Zt + (long)b * H, *h = hn + (long)b * H;
        int j = 0;
        for (; j + EL <= H; j += EL) E_ST(h + j, vtanh(E_LD(z + j)));
        if (j < H) stn(h + j, vtanh(ldn(z + j, H - j)), H - j);
      }
      PROF(2);
    } else if (g_cell == CELL_LSTM) {
      gemm_nn_p(B, GH, H, hp, H, UP, H * PW, U, GH, Zt, GH);
      PROF(1);
      f32 *cp = cs + t * BH, *cn = cs + (t + 1) * BH, *tc = tcs + t * BH;
      for (int b = 0; b < B; b++) {
        long o = (long)b * H;
        f32 *z = Zt + (long)b * GH;
        int j = 0;
        for (; j + EL <= H; j += EL) lstm_fwd_elems(z + j, cp + o + j, cn + o + j, tc + o + j, hn + o + j, EL);
        if (j < H) lstm_fwd_elems(z + j, cp + o + j, cn + o + j, tc + o + j, hn + o + j, H - j);
      }
      PROF(2);
    } else {
      f32 *rht = rh + t * BH;
      gemm_nn_p(B, 2 * H, H, hp, H, UP, H * PW, U, GH, Zt, GH);
      PROF(1);
      for (int b = 0; b < B; b++) {
        long o = (long)b * H;
        f32 *z = Zt + (long)b * GH;
        int j = 0;
        for (; j + EL <= H; j += EL) gru_fwd_zr(z + j, hp + o + j, rht + o + j, EL);
        if (j < H) gru_fwd_zr(z + j, hp + o + j, rht + o + j, H - j);
      }
      PROF(2);
      gemm_nn_p(B, H, H, rht, H, UP2, H * PW, U + 2 * H, GH, Zt + 2 * H, GH);
      PROF(1);
      for (int b = 0; b < B; b++) {
        long o = (long)b * H;
        f32 *z = Zt + (long)b * GH;
        int j = 0;
        for (; j + EL <= H; j += EL) gru_fwd_h(z + j, hp + o + j, hn + o + j, EL);
        if (j < H) gru_fwd_h(z + j, hp + o + j, hn + o + j, H - j);
      }
      PROF(2);
    }
  }
  f32 *out = ptrs[P_OUT];
  if (RETSEQ) {
    for (int b = 0; b < B; b++)
      for (int t = 0; t < T; t++) {
        const f32 *src = hs + (t + 1) * BH + (long)b * H;
        f32 *dst = out + ((long)b * T + t) * H;
        for (int j = 0; j < H; j++) dst[j] = src[j];
      }
  } else {
    const f32 *src = hs + (long)T * BH;
    for (long j = 0; j < BH; j++) out[j] = src[j];
  }
}

// ---- backward -------------------------------------------------------------------------------
// dh at step t gains the output gradient of that step.
static void add_dy(f32 *dh, int t) {
  const f32 *dy = ptrs[P_DY];
  if (RETSEQ) {
    for (int b = 0; b < B; b++) {
      const f32 *src = dy + ((long)b * T + t) * H;
      f32 *d = dh + (long)b * H;
      for (int j = 0; j < H; j++) d[j] += src[j];
    }
  } else if (t == T - 1) {
    for (long j = 0; j < (long)B * H; j++) dh[j] += dy[j];
  }
}

INLINE void lstm_bwd_elems(f32 *z, const f32 *cp, const f32 *tc, const f32 *dh, f32 *dc, int n) {
  ve i = ldn(z, n), f = ldn(z + H, n), g = ldn(z + 2 * H, n), o = ldn(z + 3 * H, n);
  ve t = ldn(tc, n), d = ldn(dh, n);
  ve dcc = ADD(ldn(dc, n), MUL(MUL(d, o), one_minus_sq(t)));
  stn(z, MUL(MUL(dcc, g), vrec_d(i)), n);
  stn(z + H, MUL(MUL(dcc, ldn(cp, n)), vrec_d(f)), n);
  stn(z + 2 * H, MUL(MUL(dcc, i), one_minus_sq(g)), n);
  stn(z + 3 * H, MUL(MUL(d, t), vrec_d(o)), n);
  stn(dc, MUL(dcc, f), n);
}

// GRU, first pass: dZz, dZh from dh; dhn = dh * z (the direct path to h_{t-1}).
INLINE void gru_bwd_a(f32 *z, const f32 *hp, const f32 *dh, f32 *dhn, int n) {
  ve zz = ldn(z, n), hh = ldn(z + 2 * H, n), d = ldn(dh, n);
  stn(z, MUL(MUL(d, SUB(ldn(hp, n), hh)), vrec_d(zz)), n);
  stn(z + 2 * H, MUL(MUL(d, SUB(E_SPLAT(1.f), zz)), one_minus_sq(hh)), n);
  stn(dhn, MUL(d, zz), n);
}

// GRU, second pass, given drh = dZh . Uh^T: dZr, and dhn += drh * r.
INLINE void gru_bwd_b(f32 *z, const f32 *hp, const f32 *drh, f32 *dhn, int n) {
  ve r = ldn(z + H, n), d = ldn(drh, n);
  stn(z + H, MUL(MUL(d, ldn(hp, n)), vrec_d(r)), n);
  stn(dhn, ADD(ldn(dhn, n), MUL(d, r)), n);
}

// The weight gradients over the rows b0 .. b1 - 1 of every step (one batch slice), from zero,
// into accumulator d ([dW | dU | db]), after rnn_backward(need_dx, 1) left dZ in place. The host
// adds the slices in a fixed tree (rnn_acc_add: accumulator d += accumulator d + 1), so the sum
// does not depend on which engine (thread) computed which slice.
static void wgrad(int b0, int b1, f32 *dW, f32 *dU, f32 *db);
INLINE f32 *acc_at(int d) { return ptrs[P_ACC] + (long)d * ((long)F * GH + (long)H * GH + GH); }
EXPORT(rnn_wgrad_to) int rnn_wgrad_to(int b0, int b1, int d) {
  if (d < 0 || d >= ACC_DEPTH || b0 < 0 || b1 > B || b0 >= b1) return -1;
  f32 *a = acc_at(d);
  wgrad(b0, b1, a, a + (long)F * GH, a + (long)F * GH + (long)H * GH);
  return 0;
}
EXPORT(rnn_acc_add) int rnn_acc_add(int d) {
  if (d < 0 || d + 1 >= ACC_DEPTH) return -1;
  f32 *a = acc_at(d), *b = acc_at(d + 1);
  long n = (long)F * GH + (long)H * GH + GH, i = 0;
  for (; i + 4 <= n; i += 4) ST(a + i, wasm_f32x4_add(LD(a + i), LD(b + i)));
  for (; i < n; i++) a[i] += b[i];
  return 0;
}

// need_dx: 0 where nobody reads dx (the first layer's input is data): its pass over dZ is skipped.
// slices: 0 computes the weight gradients over all rows (dW, dU, db); 1 leaves them to rnn_wgrad_to.
EXPORT(rnn_backward) void rnn_backward(int need_dx, int slices) {
  f32 *W = ptrs[P_W], *U = ptrs[P_U], *UT = ptrs[P_UT];
  f32 *Z = ptrs[P_GATES], *hs = ptrs[P_HS], *cs = ptrs[P_CS], *tcs = ptrs[P_TCS];
  f32 *dh = ptrs[P_DH], *dhn = ptrs[P_DHN], *dc = ptrs[P_DC], *tmp = ptrs[P_TMP];
  long BH = (long)B * H, BGH = (long)B * GH;
  for (int k = 0; k < H; k++)
    for (int j = 0; j < GH; j++) UT[(long)j * H + k] = U[(long)k * GH + j];
  f32 *UTP = ptrs[P_UTP];
  pack_panels(GH, H, UT, H, UTP);
  zero(dh, BH);
  zero(dc, BH);
  PROF_START;
  for (int t = T - 1; t >= 0; t--) {
    f32 *Zt = Z + t * BGH, *hp = hs + t * BH;
    add_dy(dh, t);
    if (g_cell == CELL_SIMPLE) {
      const f32 *hn = hs + (t + 1) * BH;
      for (long j = 0; j < BH; j++) Zt[j] = dh[j] * (1.f - hn[j] * hn[j]);
      PROF(3);
      if (t > 0) gemm_nn_p_set(B, H, H, Zt, H, UTP, GH * PW, UT, H, dh, H);
      PROF(4);
    } else if (g_cell == CELL_LSTM) {
      f32 *cp = cs + t * BH, *tc = tcs + t * BH;
      for (int b = 0; b < B; b++) {
        long o = (long)b * H;
        f32 *z = Zt + (long)b * GH;
        int j = 0;
        for (; j + EL <= H; j += EL) lstm_bwd_elems(z + j, cp + o + j, tc + o + j, dh + o + j, dc + o + j, EL);
        if (j < H) lstm_bwd_elems(z + j, cp + o + j, tc + o + j, dh + o + j, dc + o + j, H - j);
      }
      PROF(3);
      if (t > 0) gemm_nn_p_set(B, H, GH, Zt, GH, UTP, GH * PW, UT, H, dh, H);
      PROF(4);
    } else {
      for (int b = 0; b < B; b++) {
        long o = (long)b * H;
        f32 *z = Zt + (long)b * GH;
        int j = 0;
        for (; j + EL <= H; j += EL) gru_bwd_a(z + j, hp + o + j, dh + o + j, dhn + o + j, EL);
        if (j < H) gru_bwd_a(z + j, hp + o + j, dh + o + j, dhn + o + j, H - j);
      }
      PROF(3);
      gemm_nn_p_set(B, H, H, Zt + 2 * H, GH, UTP + 2L * H * PW, GH * PW, UT + 2L * H * H, H, tmp, H);
      PROF(4);
      for (int b = 0; b < B; b++) {
        long o = (long)b * H;
        f32 *z = Zt + (long)b * GH;
        int j = 0;
        for (; j + EL <= H; j += EL) gru_bwd_b(z + j, hp + o + j, tmp + o + j, dhn + o + j, EL);
        if (j < H) gru_bwd_b(z + j, hp + o + j, tmp + o + j, dhn + o + j, H - j);
      }
      PROF(3);
      if (t > 0) {
        gemm_nn_p(B, H, 2 * H, Zt, GH, UTP, GH * PW, UT, H, dhn, H);
        f32 *s = dh; dh = dhn; dhn = s;
      }
      PROF(4);
    }
  }
  // Weight gradients: large products over all T*B rows (Z now holds dZ).
  int TB = T * B;
  f32 *dxt = ptrs[P_DXT];
  if (!slices) wgrad(0, B, ptrs[P_DW], ptrs[P_DU], ptrs[P_DB]);
  if (!need_dx) { PROF(5); return; }
  if (F <= SMALL_F) {
    // Few features: dx = dZ . W^T as F dot products per row (a column-tiled product would run scalar).
    for (long r = 0; r < TB; r++) {
      const f32 *zr = Z + r * GH;
      f32 *dxr = dxt + r * F;
      vf dot[SMALL_F];
      for (int f = 0; f < F; f++) dot[f] = wasm_f32x4_splat(0.f);
      int j = 0;
      for (; j + 4 <= GH; j += 4) {
        vf z = LD(zr + j);
        for (int f = 0; f < F; f++) MADD(dot[f], z, LD(W + (long)f * GH + j));
      }
      for (int f = 0; f < F; f++) dxr[f] = hsum(dot[f]);
      for (; j < GH; j++)
        for (int f = 0; f < F; f++) dxr[f] += zr[j] * W[(long)f * GH + j];
    }
  } else {
    // dx = dZ . W^T as a product with W^T in panels, as dh = dZ . U^T: dot products along W's rows
    // (gemm_nt) loaded a W vector per multiply-add and ran at 22 GFLOP/s (LSTM 64, 64 features).
    f32 *WT = ptrs[P_WT];
    for (int f = 0; f < F; f++)
      for (int j = 0; j < GH; j++) WT[(long)j * F + f] = W[(long)f * GH + j];
    pack_panels(GH, F, WT, F, ptrs[P_WTP]);
    for (int i = 0; i < TB; i += ROW_BLOCK)
      gemm_nn_p_set(min_i(ROW_BLOCK, TB - i), F, GH, Z + (long)i * GH, GH, ptrs[P_WTP], GH * PW, WT, F, dxt + (long)i * F, F);
  }
  PROF(5);
  f32 *dx = ptrs[P_DXOUT];
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      for (int f = 0; f < F; f++) dx[((long)b * T + t) * F + f] = dxt[((long)t * B + b) * F + f];
  PROF(6);
}

static void wgrad(int b0, int b1, f32 *dW, f32 *dU, f32 *db) {
  zero(dW, (long)F * GH);
  zero(dU, (long)H * GH);
  zero(db, GH);
  // dU, dW and db in one product over dZ (gemm_tn_ext); GRU's candidate columns take r*h_prev
  // in place of h_prev. The whole batch (b0 = 0, b1 = B) reads the rows in order.
  int bs = b1 - b0;
  tn_args g = {.M = H, .N = g_cell == CELL_GRU ? 2 * H : GH, .K = T * bs, .A = ptrs[P_HS], .lda = H,
               .X = ptrs[P_XT], .ldx = F, .f = F, .ones = 1, .Zm = ptrs[P_GATES], .ldb = GH,
               .C = dU, .CX = dW, .C1 = db, .ldc = GH,
               .bs = bs == B ? 0 : bs, .b0 = b0, .bstride = B};
  gemm_tn_ext(&g);
  if (g_cell == CELL_GRU) {
    // The candidate's columns: the same product from r*h_prev, column 2H on.
    // Written out, not copied from g: a struct copy of this size is a memcpy call, and there is no libc.
    tn_args c = {.M = H, .N = H, .K = g.K, .A = ptrs[P_RH], .lda = H,
                 .X = g.X, .ldx = F, .f = F, .ones = 1, .Zm = ptrs[P_GATES] + 2 * H, .ldb = GH,
                 .C = dU + 2 * H, .CX = dW + 2 * H, .C1 = db + 2 * H, .ldc = GH,
                 .bs = g.bs, .b0 = b0, .bstride = B};
    gemm_tn_ext(&c);
  }
}
