// Native build of rnn.c (included by it where RNN_NATIVE is defined): the wasm module's globals,
// one set per module instance there, become the fields of one struct per engine here. Several
// engines (one per layer) share a thread and several threads run engines at once, so the names
// rnn.c uses resolve through the calling thread's current engine, which engine.c sets before
// every call into the kernels.
#include "state-struct.h"

#if P_COUNT > RNN_MAX_PTRS
#error "rnn.c has more buffers than state-struct.h holds"
#endif

extern __thread struct rnn_state *rnn_cur __attribute__((tls_model("initial-exec")));

#define g_cell (rnn_cur->cell)
#define g_act (rnn_cur->act)
#define B (rnn_cur->b)
#define T (rnn_cur->t)
#define F (rnn_cur->f)
#define H (rnn_cur->h)
#define G (rnn_cur->g)
#define GH (rnn_cur->gh)
#define RETSEQ (rnn_cur->retseq)
#define ptrs (rnn_cur->p)

// Buffers start on 64-byte lines (one AVX-512 vector).
#define ARENA_ALIGN 63

// Allocates the engine's buffers (an ArrayBuffer the host views, made by engine.c) and turns
// rnn_setup's offsets into pointers. 0, or -1 when the memory cannot be had.
static int rnn_arena(unsigned long bytes) {
  unsigned char *base = rnn_native_alloc(rnn_cur, bytes);
  if (!base) return -1;
  for (int i = 0; i < P_COUNT; i++) ptrs[i] = (f32 *)(base + (unsigned long)ptrs[i]);
  return 0;
}

// Byte offset of a buffer in the ArrayBuffer (the wasm build returns its address in linear memory).
EXPORT(rnn_ptr) unsigned rnn_ptr(int which) {
  return (unsigned)((unsigned char *)ptrs[which] - rnn_cur->buf);
}
