// N-API glue of the native engine: rnn.c built per instruction set (isa-*.c), one engine per
// layer and thread as with the wasm module, and the same calls (engine-src.ts drives both).
// The engine's buffers live in an ArrayBuffer that JavaScript allocates and attaches (V8's own
// allocation: Electron's memory cage refuses external buffers), which JavaScript views as it
// views the wasm module's memory; V8 never moves a backing store, so the pointers stay valid
// while the engine holds its reference. N-API version 1 calls, plus napi_detach_arraybuffer
// (version 7: Node >= 14.17, every Electron this app supports), which frees a buffer at once
// instead of at V8's next garbage collection; context-aware, so one binary per platform serves
// Node and Electron alike and loads in every worker thread.
#include <node_api.h>
#include <stdlib.h>
#include "state-struct.h"

__thread struct rnn_state *rnn_cur __attribute__((tls_model("initial-exec")));

#define DECLARE(s)                                                                                            \
  int rnn_setup_##s(int, int, int, int, int, int, int);                                                      \
  unsigned rnn_ptr_##s(int);                                                                                  \
  void rnn_forward_##s(void);                                                                                 \
  void rnn_backward_##s(int, int);                                                                            \
  int rnn_wgrad_to_##s(int, int, int);                                                                        \
  int rnn_acc_add_##s(int);                                                                                   \
  void rnn_adam_##s(float *, const float *, float *, float *, long, float, float, float, float, float, float);
DECLARE(avx2)
DECLARE(avx512)

struct isa {
  const char *name;
  int (*usable)(void);
  int (*setup)(int, int, int, int, int, int, int);
  unsigned (*ptr)(int);
  void (*forward)(void);
  void (*backward)(int, int);
  int (*wgrad_to)(int, int, int);
  int (*acc_add)(int);
  void (*adam)(float *, const float *, float *, float *, long, float, float, float, float, float, float);
};
// __builtin_cpu_supports also checks that the OS saves the wider registers (xgetbv).
static int has_avx2(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
static int has_avx512(void) { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma"); }
#define ISA(s, u)                                                                                             \
  {#s, u, rnn_setup_##s, rnn_ptr_##s, rnn_forward_##s, rnn_backward_##s, rnn_wgrad_to_##s, rnn_acc_add_##s, rnn_adam_##s}
// Best first.
static const struct isa ISAS[] = {ISA(avx512, has_avx512), ISA(avx2, has_avx2)};
#define NISA (int)(sizeof ISAS / sizeof ISAS[0])

struct engine {
  struct rnn_state st;
  const struct isa *isa;
  napi_env env;
  napi_ref buf; // the ArrayBuffer holding st's buffers (NULL before the first attach)
  unsigned long cap;  // bytes usable from its first 64-byte line
  unsigned long need; // bytes the last setup asked for and did not have (0: it did not fail for memory)
};

// Drops the engine's buffer now: detached, its memory is freed at once (a larger batch would
// otherwise hold the old and the new tape until V8 collects the old one). JavaScript never keeps a
// view of it across calls (engine-src.ts views it afresh after every setup).
static void release_buffer(napi_env env, struct engine *e) {
  if (!e->buf) return;
  napi_value old;
  if (napi_get_reference_value(env, e->buf, &old) == napi_ok && old) napi_detach_arraybuffer(env, old);
  napi_delete_reference(env, e->buf);
  e->buf = NULL;
  e->cap = 0;
  e->st.buf = NULL;
}

// The buffers live in an ArrayBuffer that JavaScript allocates (engine-src.ts): `new ArrayBuffer`
// throws a RangeError it can catch when memory runs out, where napi_create_arraybuffer (V8's
// ArrayBuffer::New) would end the process. So when the engine's buffer is too small, setup fails
// here, recording how many bytes it needs; JavaScript allocates them, attaches them (attach()) and
// calls setup again.
unsigned char *rnn_native_alloc(struct rnn_state *st, unsigned long bytes) {
  struct engine *e = st->host;
  if (!e->buf || e->cap < bytes) {
    e->need = bytes + 64; // room to start on a 64-byte line
    return NULL;
  }
  return (unsigned char *)(((unsigned long)st->buf + 63) & ~63ul);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  struct engine *e = data;
  if (e->buf) napi_delete_reference(env, e->buf);
  free(e);
}

#define MAXARGS 8
// Reads the call's arguments: the engine (an external), then ints. 0 on a bad call (thrown).
static struct engine *args(napi_env env, napi_callback_info info, int *iv, size_t nint) {
  napi_value argv[MAXARGS];
  size_t argc = MAXARGS;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != nint + 1 ||
      napi_get_value_external(env, argv[0], &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "native RNN engine: bad arguments");
    return NULL;
  }
  for (size_t i = 0; i < nint; i++)
    if (napi_get_value_int32(env, argv[i + 1], &iv[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "native RNN engine: arguments must be integers");
      return NULL;
    }
  struct engine *e = data;
  e->env = env;
  rnn_cur = &e->st;
  return e;
}

static napi_value int_value(napi_env env, long v) {
  napi_value r;
  napi_create_int64(env, v, &r);
  return r;
}

static const struct isa *best_isa(void) {
  for (int i = 0; i < NISA; i++)
    if (ISAS[i].usable()) return &ISAS[i];
  return NULL;
}

// isa() -> the instruction set engines use here ('avx512', 'avx2'), or null where the CPU has
// neither AVX2 with FMA nor AVX-512.
static napi_value js_isa(napi_env env, napi_callback_info info) {
  (void)info;
  const struct isa *isa = best_isa();
  napi_value r;
  if (isa) napi_create_string_utf8(env, isa->name, NAPI_AUTO_LENGTH, &r);
  else napi_get_null(env, &r);
  return r;
}

// create(isaName?) -> engine (an external); the named instruction set where the CPU has it
// (tests compare them), else the best one.
static napi_value js_create(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  const struct isa *isa = best_isa();
  if (argc == 1) {
    char name[16] = {0};
    size_t len;
    napi_valuetype t;
    napi_typeof(env, argv[0], &t);
    if (t == napi_string && napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) == napi_ok) {
      isa = NULL;
      for (int i = 0; i < NISA; i++) {
        const char *a = ISAS[i].name, *b = name;
        while (*a && *a == *b) a++, b++;
        if (!*a && !*b && ISAS[i].usable()) isa = &ISAS[i];
      }
    }
  }
  if (!isa) {
    napi_throw_error(env, NULL, "native RNN engine: this CPU lacks the instruction set (AVX2 with FMA, or AVX-512)");
    return NULL;
  }
  struct engine *e = calloc(1, sizeof *e);
  if (!e) {
    napi_throw_error(env, NULL, "native RNN engine: out of memory");
    return NULL;
  }
  e->isa = isa;
  e->st.host = e;
  napi_value r;
  if (napi_create_external(env, e, finalize, NULL, &r) != napi_ok) {
    free(e);
    napi_throw_error(env, NULL, "native RNN engine: cannot create the engine");
    return NULL;
  }
  return r;
}

// setup(e, cell, act, B, T, F, H, retSeq) -> the ArrayBuffer holding the buffers; or the number
// of bytes to allocate and attach() first; or null when the shape needs more than 4 GB (the wasm
// engine's limit too).
static napi_value js_setup(napi_env env, napi_callback_info info) {
  int v[7];
  struct engine *e = args(env, info, v, 7);
  if (!e) return NULL;
  napi_value r;
  e->need = 0;
  if (e->isa->setup(v[0], v[1], v[2], v[3], v[4], v[5], v[6]) == 0) {
    if (napi_get_reference_value(env, e->buf, &r) == napi_ok) return r;
  } else if (e->need) {
    napi_create_double(env, (double)e->need, &r);
    return r;
  }
  napi_get_null(env, &r);
  return r;
}

// attach(e, arrayBuffer): the engine's buffers from now on (the previous ones are freed at once).
static napi_value js_attach(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  void *data = NULL, *ext = NULL;
  size_t len = 0;
  bool isab = false;
  napi_ref ref;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 ||
      napi_get_value_external(env, argv[0], &ext) != napi_ok || !ext ||
      napi_is_arraybuffer(env, argv[1], &isab) != napi_ok || !isab ||
      napi_get_arraybuffer_info(env, argv[1], &data, &len) != napi_ok || len < 64 ||
      napi_create_reference(env, argv[1], 1, &ref) != napi_ok) {
    napi_throw_type_error(env, NULL, "native RNN engine: attach(engine, ArrayBuffer of at least 64 bytes)");
    return NULL;
  }
  struct engine *e = ext;
  release_buffer(env, e);
  e->buf = ref;
  e->st.buf = data;
  e->cap = len - ((((unsigned long)data + 63) & ~63ul) - (unsigned long)data);
  return NULL;
}

static napi_value js_ptr(napi_env env, napi_callback_info info) {
  int v[1];
  struct engine *e = args(env, info, v, 1);
  return e ? int_value(env, e->isa->ptr(v[0])) : NULL;
}

static napi_value js_forward(napi_env env, napi_callback_info info) {
  struct engine *e = args(env, info, NULL, 0);
  if (e) e->isa->forward();
  return NULL;
}

static napi_value js_backward(napi_env env, napi_callback_info info) {
  int v[2];
  struct engine *e = args(env, info, v, 2);
  if (e) e->isa->backward(v[0], v[1]);
  return NULL;
}

static napi_value js_wgrad_to(napi_env env, napi_callback_info info) {
  int v[3];
  struct engine *e = args(env, info, v, 3);
  return e ? int_value(env, e->isa->wgrad_to(v[0], v[1], v[2])) : NULL;
}

// release(e): frees the engine's buffers now (a layer disposed, or its thread count chosen);
// a later setup() allocates again.
static napi_value js_release(napi_env env, napi_callback_info info) {
  struct engine *e = args(env, info, NULL, 0);
  if (e) release_buffer(env, e);
  return NULL;
}

static napi_value js_acc_add(napi_env env, napi_callback_info info) {
  int v[1];
  struct engine *e = args(env, info, v, 1);
  return e ? int_value(env, e->isa->acc_add(v[0])) : NULL;
}

// adam(e, memory, w, g, m, v, n, lr, b1, b2, eps, c1, c2): the fused step's Adam update (step.c
// adam_update, the same bits) over the step module's wasm memory at these byte offsets, in the
// engine's instruction set (an engine with no buffers of its own: the step's weights live in its
// wasm memory). adam_update's arguments, as the wasm call takes them.
static napi_value js_adam(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  size_t argc = 13;
  void *ext = NULL, *data = NULL;
  size_t len = 0;
  bool isab = false;
  double a[11];
  int ok = napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == 13 &&
           napi_get_value_external(env, argv[0], &ext) == napi_ok && ext &&
           napi_is_arraybuffer(env, argv[1], &isab) == napi_ok && isab &&
           napi_get_arraybuffer_info(env, argv[1], &data, &len) == napi_ok;
  for (int i = 0; ok && i < 11; i++) ok = napi_get_value_double(env, argv[i + 2], &a[i]) == napi_ok;
  double n = ok ? a[4] : -1;
  ok = ok && n >= 0 && n == (double)(long)n;
  // Each array: 4-byte aligned, its n floats inside the buffer.
  for (int i = 0; ok && i < 4; i++)
    ok = a[i] >= 0 && a[i] == (double)(long)a[i] && ((long)a[i] & 3) == 0 && a[i] + 4 * n <= (double)len;
  if (!ok) {
    napi_throw_type_error(env, NULL, "native RNN engine: adam(engine, ArrayBuffer, 4 byte offsets, n, 6 numbers)");
    return NULL;
  }
  const struct isa *isa = ((struct engine *)ext)->isa;
  char *b = data;
  isa->adam((float *)(b + (long)a[0]), (const float *)(b + (long)a[1]), (float *)(b + (long)a[2]),
            (float *)(b + (long)a[3]), (long)n, (float)a[5], (float)a[6], (float)a[7], (float)a[8], (float)a[9],
            (float)a[10]);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"isa", NULL, js_isa, NULL, NULL, NULL, napi_enumerable, NULL},
      {"create", NULL, js_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setup", NULL, js_setup, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ptr", NULL, js_ptr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"forward", NULL, js_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"backward", NULL, js_backward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"wgradTo", NULL, js_wgrad_to, NULL, NULL, NULL, napi_enumerable, NULL},
      {"accAdd", NULL, js_acc_add, NULL, NULL, NULL, napi_enumerable, NULL},
      {"release", NULL, js_release, NULL, NULL, NULL, napi_enumerable, NULL},
      {"attach", NULL, js_attach, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adam", NULL, js_adam, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
