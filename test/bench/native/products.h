// The fused LSTM step's matrix products in native SIMD, one copy per instruction set: isa-*.c
// define the vector type and its operations, then include this file. Measurement only (the
// `native` bench suite and its test), never loaded by training: it answers whether an N-API
// addon would beat the WebAssembly kernels (worker/kernels/src/rnn.c) by enough to ship one.
//
// The structure is rnn.c's so the comparison is of the instructions, not of the algorithm:
// register tiles of MR rows x NR = 2 vectors of columns, column panels outermost, the right-hand
// matrix packed into NR-wide panels once per call (per step products), and the weight-gradient
// product cut into KC-row blocks whose A and B strips are packed first. With 128-bit vectors and
// MR = 4 the tile is exactly rnn.c's 4x8; AVX2 and AVX-512 widen the columns to 16 and 32.
//
// Expects: VEC, VL (floats per vector), VLOAD(p), VSTORE(p, x), VFMA(acc, a, b) = acc + a*b,
// VBCAST(p) (broadcast *p), and NAME(x) (adds the ISA's suffix).
// memcpy/memset as builtins: no libc header, so the NEON unit also compiles for arm64 on an x64
// machine (`clang --target=aarch64-linux-gnu -ffreestanding -c`, the only check possible here).

#define NR (2 * VL)
#define KC 128
#define MR_MAX 8
#define AINLINE static inline __attribute__((always_inline))

typedef float f32;

// C[mr, NR] += A[mr, K] . P[K, NR]: A's element (r, k) at A + r*lda + k*ak (ak = 1 for row-major
// rows, = mr for a packed block), P a packed panel (row k at k*NR).
AINLINE void NAME(tile)(const int mr, int K, const f32 *A, long lda, long ak, const f32 *P, f32 *C, long ldc) {
  VEC c0[MR_MAX], c1[MR_MAX];
  for (int r = 0; r < mr; r++) {
    c0[r] = VLOAD(C + r * ldc);
    c1[r] = VLOAD(C + r * ldc + VL);
  }
  for (int k = 0; k < K; k++, P += NR, A += ak) {
    VEC b0 = VLOAD(P), b1 = VLOAD(P + VL);
    for (int r = 0; r < mr; r++) {
      VEC x = VBCAST(A + r * lda);
      c0[r] = VFMA(c0[r], x, b0);
      c1[r] = VFMA(c1[r], x, b1);
    }
  }
  for (int r = 0; r < mr; r++) {
    VSTORE(C + r * ldc, c0[r]);
    VSTORE(C + r * ldc + VL, c1[r]);
  }
}

// One call per tile height, so each is compiled with mr constant (accumulators in registers).
static void NAME(tile_n)(int mr, int K, const f32 *A, long lda, long ak, const f32 *P, f32 *C, long ldc) {
  switch (mr) {
  case 1: NAME(tile)(1, K, A, lda, ak, P, C, ldc); break;
  case 2: NAME(tile)(2, K, A, lda, ak, P, C, ldc); break;
  case 3: NAME(tile)(3, K, A, lda, ak, P, C, ldc); break;
  case 4: NAME(tile)(4, K, A, lda, ak, P, C, ldc); break;
  case 5: NAME(tile)(5, K, A, lda, ak, P, C, ldc); break;
  case 6: NAME(tile)(6, K, A, lda, ak, P, C, ldc); break;
  case 7: NAME(tile)(7, K, A, lda, ak, P, C, ldc); break;
  default: NAME(tile)(8, K, A, lda, ak, P, C, ldc); break;
  }
}

// B[K, N] (ldb) into NR-wide panels: panel p (columns p*NR..) at dst + p*K*NR. N % NR == 0.
void NAME(pack)(int K, int N, const f32 *B, long ldb, f32 *dst) {
  for (int j = 0; j < N; j += NR)
    for (int k = 0; k < K; k++, dst += NR) __builtin_memcpy(dst, B + k * ldb + j, NR * sizeof(f32));
}

// C[M, N] += A[M, K] . B with B packed by pack(); tiles of mr rows (the last one shorter).
static void NAME(gemm_p)(int mr, int M, int N, int K, const f32 *A, long lda, const f32 *Bp, f32 *C, long ldc) {
  for (int j = 0; j < N; j += NR) {
    const f32 *P = Bp + (long)(j / NR) * K * NR;
    for (int i = 0; i < M; i += mr) {
      int m = M - i < mr ? M - i : mr;
      NAME(tile_n)(m, K, A + i * lda, lda, 1, P, C + i * ldc + j, ldc);
    }
  }
}

// The per-step products of T steps: C_t[M, N] (+)= A_t[M, K] . B for t in order (forward h.U,
// zero = 0) or from T-1 down to 1 (backward dZ.U^T, zero = 1: each step's dh starts at 0, as in
// rnn.c, where step 0's product is not needed).
void NAME(steps)(int mr, int T, int M, int N, int K, const f32 *A, long astep, const f32 *Bp, f32 *C, long cstep,
                 int backward) {
  for (int s = 0; s < T; s++) {
    int t = backward ? T - 1 - s : s;
    if (backward && t == 0) break;
    f32 *Ct = C + t * cstep;
    if (backward) __builtin_memset(Ct, 0, (unsigned long)M * N * sizeof(f32));
    NAME(gemm_p)(mr, M, N, K, A + t * astep, K, Bp, Ct, N);
  }
}

// C[M, N] += A^T . B, A stored [K, M] (lda), B [K, N] (ldb): dU = Hprev^T . dZ over all T*B rows.
// Per KC-row block: A as mr-column groups (k-major), each NR-wide strip of B contiguous.
// work: KC * (M + NR) floats.
void NAME(gemm_tn)(int mr, int M, int N, int K, const f32 *A, long lda, const f32 *B, long ldb, f32 *C, long ldc,
                   f32 *work) {
  f32 *Ap = work, *Bp = work + (long)KC * M;
  for (int k0 = 0; k0 < K; k0 += KC) {
    int kn = K - k0 < KC ? K - k0 : KC;
    const f32 *Ak = A + k0 * lda, *Bk = B + k0 * ldb;
    for (int i = 0; i < M; i += mr) {
      int m = M - i < mr ? M - i : mr;
      f32 *dst = Ap + (long)i * kn;
      for (int k = 0; k < kn; k++)
        for (int r = 0; r < m; r++) dst[k * m + r] = Ak[k * lda + i + r];
    }
    for (int j = 0; j < N; j += NR) {
      for (int k = 0; k < kn; k++) __builtin_memcpy(Bp + k * NR, Bk + k * ldb + j, NR * sizeof(f32));
      for (int i = 0; i < M; i += mr) {
        int m = M - i < mr ? M - i : mr;
        NAME(tile_n)(m, kn, Ap + (long)i * kn, 1, m, Bp, C + i * ldc + j, ldc);
      }
    }
  }
}
