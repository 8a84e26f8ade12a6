// Native build of rnn.c: the WebAssembly SIMD128 operations it uses, as the x86 SSE/FMA
// instructions V8 emits for them, so the element-wise math rounds exactly as in the relaxed-SIMD
// module (V8: f32x4.pmin(a, b) = minps with the operands swapped, relaxed_madd = vfmadd).
#include <immintrin.h>

typedef __m128 vf;
#define EXPORT(name)
#define SINLINE static inline __attribute__((always_inline))

SINLINE vf wasm_v128_load(const void *p) { return _mm_loadu_ps((const float *)p); }
SINLINE void wasm_v128_store(void *p, vf x) { _mm_storeu_ps((float *)p, x); }
SINLINE vf wasm_f32x4_splat(float x) { return _mm_set1_ps(x); }
SINLINE vf wasm_v128_load32_splat(const void *p) { return _mm_set1_ps(*(const float *)p); }
SINLINE vf wasm_f32x4_add(vf a, vf b) { return _mm_add_ps(a, b); }
SINLINE vf wasm_f32x4_sub(vf a, vf b) { return _mm_sub_ps(a, b); }
SINLINE vf wasm_f32x4_mul(vf a, vf b) { return _mm_mul_ps(a, b); }
SINLINE vf wasm_f32x4_div(vf a, vf b) { return _mm_div_ps(a, b); }
// pmin(a, b) = b < a ? b : a; minps(x, y) = x < y ? x : y. Likewise pmax(a, b) = a < b ? b : a.
SINLINE vf wasm_f32x4_pmin(vf a, vf b) { return _mm_min_ps(b, a); }
SINLINE vf wasm_f32x4_pmax(vf a, vf b) { return _mm_max_ps(b, a); }
SINLINE vf wasm_v128_and(vf a, vf b) { return _mm_and_ps(a, b); }
SINLINE vf wasm_f32x4_gt(vf a, vf b) { return _mm_cmpgt_ps(a, b); }
SINLINE vf wasm_f32x4_lt(vf a, vf b) { return _mm_cmplt_ps(a, b); }
#define wasm_f32x4_extract_lane(x, i) ((x)[i])

// Always fused: the native engine loads only where the CPU has FMA (engine.c).
#define FMA4(a, b, c) _mm_fmadd_ps(a, b, c)
#define MADD(acc, a, b) acc = FMA4(a, b, acc)
