// N-API glue of the measurement-only products addon (products.h): which instruction sets this
// CPU runs (cpuid), and the three products on Float32Arrays. Not loaded by training; built by
// build.mjs with a plain `cc -shared` against Node's headers (N-API is ABI-stable: one binary per
// platform and architecture would serve every Node and Electron version).
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

typedef float f32;
typedef void (*pack_fn)(int, int, const f32 *, long, f32 *);
typedef void (*steps_fn)(int, int, int, int, int, const f32 *, long, const f32 *, f32 *, long, int);
typedef void (*tn_fn)(int, int, int, int, const f32 *, long, const f32 *, long, f32 *, long, f32 *);

#define DECLARE(s)                                                                                            \
  void pack_##s(int, int, const f32 *, long, f32 *);                                                         \
  void steps_##s(int, int, int, int, int, const f32 *, long, const f32 *, f32 *, long, int);                 \
  void gemm_tn_##s(int, int, int, int, const f32 *, long, const f32 *, long, f32 *, long, f32 *);

struct isa {
  const char *name;
  int nr; // panel width in floats (2 vectors)
  int (*usable)(void);
  pack_fn pack;
  steps_fn steps;
  tn_fn tn;
};

#if defined(__x86_64__) || defined(__i386__)
DECLARE(sse)
DECLARE(avx2)
DECLARE(avx512)
// __builtin_cpu_supports also checks that the OS saves the wider registers (xgetbv).
static int has_fma(void) { return __builtin_cpu_supports("fma"); }
static int has_avx2(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
static int has_avx512(void) { return __builtin_cpu_supports("avx512f"); }
static const struct isa ISAS[] = {
    {"sse-fma", 8, has_fma, pack_sse, steps_sse, gemm_tn_sse},
    {"avx2", 16, has_avx2, pack_avx2, steps_avx2, gemm_tn_avx2},
    {"avx512", 32, has_avx512, pack_avx512, steps_avx512, gemm_tn_avx512},
};
#elif defined(__aarch64__)
DECLARE(neon)
static int always(void) { return 1; }
static const struct isa ISAS[] = {{"neon", 8, always, pack_neon, steps_neon, gemm_tn_neon}};
#else
#error "products addon: x86-64 or arm64 only"
#endif
#define NISA (int)(sizeof ISAS / sizeof ISAS[0])

#define CHECK(call)                                                                                           \
  do {                                                                                                        \
    if ((call) != napi_ok) {                                                                                  \
      napi_throw_error(env, NULL, "products addon: bad arguments (" #call ")");                              \
      return NULL;                                                                                            \
    }                                                                                                         \
  } while (0)

static int args(napi_env env, napi_callback_info info, napi_value *argv, size_t want) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != want) return 0;
  return 1;
}

static int int_at(napi_env env, napi_value v, long *out) {
  int64_t x;
  if (napi_get_value_int64(env, v, &x) != napi_ok) return 0;
  *out = (long)x;
  return 1;
}

static f32 *floats_at(napi_env env, napi_value v) {
  napi_typedarray_type type;
  size_t len;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, NULL, NULL) != napi_ok || type != napi_float32_array)
    return NULL;
  return (f32 *)data;
}

static const struct isa *isa_at(napi_env env, napi_value v) {
  char name[32];
  size_t n;
  if (napi_get_value_string_utf8(env, v, name, sizeof name, &n) != napi_ok) return NULL;
  for (int i = 0; i < NISA; i++)
    if (!strcmp(ISAS[i].name, name) && ISAS[i].usable()) return &ISAS[i];
  return NULL;
}

// isas(): [{ name, panel }] for the instruction sets this CPU runs.
static napi_value isas(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value arr, obj, v;
  CHECK(napi_create_array(env, &arr));
  uint32_t n = 0;
  for (int i = 0; i < NISA; i++) {
    if (!ISAS[i].usable()) continue;
    CHECK(napi_create_object(env, &obj));
    CHECK(napi_create_string_utf8(env, ISAS[i].name, NAPI_AUTO_LENGTH, &v));
    CHECK(napi_set_named_property(env, obj, "name", v));
    CHECK(napi_create_int32(env, ISAS[i].nr, &v));
    CHECK(napi_set_named_property(env, obj, "panel", v));
    CHECK(napi_set_element(env, arr, n++, obj));
  }
  return arr;
}

#define ISA_ARG(i)                                                                                            \
  const struct isa *isa = isa_at(env, argv[i]);                                                               \
  if (!isa) {                                                                                                 \
    napi_throw_error(env, NULL, "products addon: unknown or unsupported instruction set");                    \
    return NULL;                                                                                              \
  }
#define INTS(from, n)                                                                                         \
  long iv[16];                                                                                                \
  for (int q = 0; q < (n); q++)                                                                               \
    if (!int_at(env, argv[(from) + q], &iv[q])) {                                                             \
      napi_throw_error(env, NULL, "products addon: expected an integer");                                     \
      return NULL;                                                                                            \
    }
#define FLOATS(name, i)                                                                                       \
  f32 *name = floats_at(env, argv[i]);                                                                        \
  if (!name) {                                                                                                \
    napi_throw_error(env, NULL, "products addon: expected a Float32Array");                                   \
    return NULL;                                                                                              \
  }

// pack(isa, K, N, B, ldb, dst)
static napi_value pack(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  CHECK(args(env, info, argv, 6) ? napi_ok : napi_invalid_arg);
  ISA_ARG(0)
  INTS(1, 2)
  FLOATS(B, 3)
  long ldb;
  CHECK(int_at(env, argv[4], &ldb) ? napi_ok : napi_invalid_arg);
  FLOATS(dst, 5)
  if (iv[1] % isa->nr) {
    napi_throw_error(env, NULL, "products addon: N must be a multiple of the panel width");
    return NULL;
  }
  isa->pack((int)iv[0], (int)iv[1], B, ldb, dst);
  return NULL;
}

// steps(isa, mr, T, M, N, K, A, astep, Bp, C, cstep, backward)
static napi_value steps(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  CHECK(args(env, info, argv, 12) ? napi_ok : napi_invalid_arg);
  ISA_ARG(0)
  INTS(1, 5)
  FLOATS(A, 6)
  long astep, cstep, backward;
  CHECK(int_at(env, argv[7], &astep) ? napi_ok : napi_invalid_arg);
  FLOATS(Bp, 8)
  FLOATS(C, 9)
  CHECK(int_at(env, argv[10], &cstep) ? napi_ok : napi_invalid_arg);
  CHECK(int_at(env, argv[11], &backward) ? napi_ok : napi_invalid_arg);
  if (iv[0] < 1 || iv[0] > 8 || iv[3] % isa->nr) {
    napi_throw_error(env, NULL, "products addon: mr in 1..8 and N a multiple of the panel width");
    return NULL;
  }
  isa->steps((int)iv[0], (int)iv[1], (int)iv[2], (int)iv[3], (int)iv[4], A, astep, Bp, C, cstep, (int)backward);
  return NULL;
}

// gemmTn(isa, mr, M, N, K, A, lda, B, ldb, C, ldc, work)
static napi_value gemm_tn(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  CHECK(args(env, info, argv, 12) ? napi_ok : napi_invalid_arg);
  ISA_ARG(0)
  INTS(1, 4)
  FLOATS(A, 5)
  long lda, ldb, ldc;
  CHECK(int_at(env, argv[6], &lda) ? napi_ok : napi_invalid_arg);
  FLOATS(B, 7)
  CHECK(int_at(env, argv[8], &ldb) ? napi_ok : napi_invalid_arg);
  FLOATS(C, 9)
  CHECK(int_at(env, argv[10], &ldc) ? napi_ok : napi_invalid_arg);
  FLOATS(work, 11)
  if (iv[0] < 1 || iv[0] > 8 || iv[2] % isa->nr) {
    napi_throw_error(env, NULL, "products addon: mr in 1..8 and N a multiple of the panel width");
    return NULL;
  }
  isa->tn((int)iv[0], (int)iv[1], (int)iv[2], (int)iv[3], A, lda, B, ldb, C, ldc, work);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"isas", NULL, isas, NULL, NULL, NULL, napi_default, NULL},
      {"pack", NULL, pack, NULL, NULL, NULL, napi_default, NULL},
      {"steps", NULL, steps, NULL, NULL, NULL, napi_default, NULL},
      {"gemmTn", NULL, gemm_tn, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
