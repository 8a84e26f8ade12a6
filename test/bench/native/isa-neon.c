// NEON (AArch64): 128-bit vectors, tiles of MR x 8 (32 v registers). fmla is a fused multiply-add.
// Only built on arm64 (build.mjs); this x64 machine cannot run it.
#include <arm_neon.h>
#define VEC float32x4_t
#define VL 4
#define VLOAD(p) vld1q_f32(p)
#define VSTORE(p, x) vst1q_f32(p, x)
#define VFMA(acc, a, b) vfmaq_f32(acc, a, b)
#define VBCAST(p) vld1q_dup_f32(p)
#define NAME(x) x##_neon
#include "products.h"
