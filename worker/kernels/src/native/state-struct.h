// One native engine's state (state.h, engine.c): what the wasm build keeps in its globals.
#ifndef RNN_STATE_STRUCT_H
#define RNN_STATE_STRUCT_H
#define RNN_MAX_PTRS 32
struct rnn_state {
  int cell, act, b, t, f, h, g, gh, retseq;
  float *p[RNN_MAX_PTRS];
  unsigned char *buf; // start of the host's ArrayBuffer (offsets count from here)
  void *host;         // engine.c's own record of the engine
};
// engine.c: an ArrayBuffer of at least `bytes` (kept when large enough), returning its first
// 64-byte-aligned address and setting st->buf; NULL when it cannot be allocated.
unsigned char *rnn_native_alloc(struct rnn_state *st, unsigned long bytes);
#endif
