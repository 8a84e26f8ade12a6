// `npm run bench -- --suite native --phases`: where the native engine's time goes, per phase, for
// one thread's batch slice. Linked with one ISA unit of the engine (worker/kernels/src/native/
// isa-*.c, built with -DRNN_PROFILE, so rnn.c's PROF points add up time per phase through now_ms
// below) instead of engine.c's N-API glue: no Node, no threads, no JavaScript around the calls.
// A wall clock, so run it on a quiet machine; `perf` sampling slowed this VM's calls about 2x and
// moved time between phases (2026-12-03), which is why the engine is timed from inside.
//
// Usage: phases CELL UNITS BATCH STEPS FEATURES SLICES REPS; CELL 0 SimpleRNN, 1 LSTM, 2 GRU.
// SLICES > 0 computes the weight gradients per slice of the batch and adds them up the fixed tree
// (rnn_wgrad_to, rnn_acc_add), as the trainer does; 0 in one product over the whole batch.
// Prints one JSON line: microseconds per call, per phase.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../../../worker/kernels/src/native/state-struct.h"

__thread struct rnn_state *rnn_cur;
static unsigned char *arena;
static unsigned long arena_cap;
unsigned char *rnn_native_alloc(struct rnn_state *st, unsigned long bytes) {
  if (bytes > arena_cap) {
    free(arena);
    arena = aligned_alloc(64, (bytes + 63) & ~63UL);
    if (!arena) return NULL;
    memset(arena, 0, bytes);
    arena_cap = bytes;
  }
  st->buf = arena;
  return arena;
}
double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// The ISA unit's names (isa-*.c renames rnn.c's exports with its suffix: -DSUFFIX=avx512).
#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define FN(n) CAT(n, SUFFIX)
int FN(rnn_setup)(int, int, int, int, int, int, int);
unsigned FN(rnn_ptr)(int);
void FN(rnn_forward)(void);
void FN(rnn_backward)(int, int);
int FN(rnn_wgrad_to)(int, int, int);
int FN(rnn_acc_add)(int);
double *rnn_prof(void);

enum { P_W = 0, P_U = 1, P_XIN = 4, P_DY = 12 }; // rnn.c's buffer indices the inputs go to

static int slices;
// The fixed tree over slices [lo, hi) into accumulator d (slices.ts: halves, left first).
static void tree(int lo, int hi, int d, int batch) {
  if (hi - lo == 1) {
    FN(rnn_wgrad_to)(batch * lo / slices, batch * (lo + 1) / slices, d);
    return;
  }
  int mid = lo + (hi - lo) / 2;
  tree(lo, mid, d, batch);
  tree(mid, hi, d + 1, batch);
  FN(rnn_acc_add)(d);
}

static float *buf(int which) { return (float *)(rnn_cur->buf + FN(rnn_ptr)(which)); }

int main(int argc, char **argv) {
  if (argc < 8) {
    fprintf(stderr, "usage: phases CELL UNITS BATCH STEPS FEATURES SLICES REPS\n");
    return 2;
  }
  int cell = atoi(argv[1]), H = atoi(argv[2]), B = atoi(argv[3]), T = atoi(argv[4]), F = atoi(argv[5]);
  int reps = atoi(argv[7]);
  slices = atoi(argv[6]);
  struct rnn_state st = {0};
  rnn_cur = &st;
  if (FN(rnn_setup)(cell, 0, B, T, F, H, 0)) return 1;
  int G = cell == 1 ? 4 : cell == 2 ? 3 : 1;
  // Deterministic inputs of the sizes training sees (weights ~ glorot, inputs in [0, 1)).
  unsigned q = 1;
#define RND() ((q = q * 1103515245u + 12345u) >> 8) / 16777216.f
  for (long i = 0; i < (long)F * G * H; i++) buf(P_W)[i] = (RND() - .5f) * 2.f / (F + G * H);
  for (long i = 0; i < (long)H * G * H; i++) buf(P_U)[i] = (RND() - .5f) * 2.f / H;
  for (long i = 0; i < (long)B * T * F; i++) buf(P_XIN)[i] = RND();
  for (long i = 0; i < (long)B * H; i++) buf(P_DY)[i] = (RND() - .5f) * .01f;
  double *prof = rnn_prof(), wg = 0, tf = 0, tb = 0;
  for (int r = -reps / 10 - 1; r < reps; r++) { // the first tenth warms up
    if (r == 0) {
      memset(prof, 0, 8 * sizeof(double));
      wg = tf = tb = 0;
    }
    double t0 = now_ms();
    FN(rnn_forward)();
    double t1 = now_ms();
    FN(rnn_backward)(0, slices > 0);
    double t2 = now_ms();
    if (slices > 0) tree(0, slices, 0, B);
    double t3 = now_ms();
    tf += t1 - t0;
    tb += t3 - t1;
    wg += t3 - t2;
  }
  const char *names[] = {"input", "fwdProducts", "fwdGates", "bwdGates", "bwdProducts", "weightGrads", "dxLayout"};
  printf("{\"forward\":%.2f,\"backward\":%.2f", tf / reps * 1e3, tb / reps * 1e3);
  for (int i = 0; i < 7; i++) printf(",\"%s\":%.2f", names[i], (i == 5 ? prof[i] + wg : prof[i]) / reps * 1e3);
  printf("}\n");
  return 0;
}
