// Each layer's thread count is chosen by timing the run's own first batches: every candidate in
// turn, the first cycle dropped, the fastest kept (or a smaller count within 3%); the choice changes
// no result, since the kernel's output does not depend on its threads.
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdFlag } from '../../../core/jobs.js';
import { shutdownKernelThreads, WasmRnnKernel, type RnnShape } from '../../../worker/kernels/index.js';
import {
  bestThreads,
  describeThreadChoice,
  threadCandidates,
  ThreadChoice,
  WARMUP_CALLS,
  type ThreadReport,
} from '../../../worker/kernels/thread-choice.js';

for (const f of relaxedSimdFlag()) setFlagsFromString(f);
afterAll(() => shutdownKernelThreads());

/** A clock the tests move: every driven call takes 100 ms of it. */
const clock = { t: 0 };
const now = () => clock.t;

/** Runs `rounds` training calls with the given cost per thread count; returns the picks in order. */
function drive(c: ThreadChoice, allowed: number, cost: (t: number) => number, rounds: number): number[] {
  const picks: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const p = c.pick(64, allowed, true);
    picks.push(p.threads);
    clock.t += 100;
    if (p.timed) c.record(p.threads, cost(p.threads));
  }
  return picks;
}

describe('ThreadChoice', () => {
  it('tries 1, 2, 4, 8 and then the cores allowed', () => {
    expect(threadCandidates(1)).toEqual([1]);
    expect(threadCandidates(2)).toEqual([1, 2]);
    expect(threadCandidates(6)).toEqual([1, 2, 4, 6]);
    expect(threadCandidates(16)).toEqual([1, 2, 4, 8, 16]);
  });

  it('keeps the fastest count, or a smaller one within 3% of it', () => {
    expect(
      bestThreads([
        { threads: 1, ms: 10 },
        { threads: 2, ms: 6 },
        { threads: 4, ms: 4 },
      ]),
    ).toBe(4);
    expect(
      bestThreads([
        { threads: 1, ms: 10 },
        { threads: 2, ms: 4.1 },
        { threads: 4, ms: 4 },
      ]),
    ).toBe(2);
    expect(
      bestThreads([
        { threads: 1, ms: 3 },
        { threads: 2, ms: 4 },
      ]),
    ).toBe(1);
  });

  it('warms up at the most threads (12 calls and a second), measures each candidate over four cycles, drops the first, and keeps its choice', () => {
    const reports: ThreadReport[] = [];
    const c = new ThreadChoice(null, (r) => reports.push(r), now);
    // The warm-up calls (V8 tiering up, the host still starting) and the first cycle (engines
    // created) are slow, and slowest for the most threads: they must not decide.
    let calls = 0;
    const cost = (t: number) => (calls++ < WARMUP_CALLS + 5 ? 100 * t : { 1: 9, 2: 5, 4: 3, 8: 4, 16: 6 }[t]!);
    expect(drive(c, 16, cost, WARMUP_CALLS)).toEqual(new Array(WARMUP_CALLS).fill(16));
    expect(drive(c, 16, cost, 20)).toEqual([1, 2, 4, 8, 16, 1, 2, 4, 8, 16, 1, 2, 4, 8, 16, 1, 2, 4, 8, 16]);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ threads: 4, allowed: 16, batch: 64 });
    expect(reports[0]!.timings.map((t) => t.ms)).toEqual([9, 5, 3, 4, 6]);
    expect(drive(c, 16, cost, 3)).toEqual([4, 4, 4]);
    // Other batch sizes and predictions use the choice, capped by what is allowed now.
    expect(c.pick(17, 16, true).threads).toBe(4);
    expect(c.pick(512, 2, false)).toEqual({ threads: 2, timed: false });
    expect(describeThreadChoice({ ...reports[0]!, layer: 'lstm 64 units, 1 input' })).toBe(
      'kernel threads for lstm 64 units, 1 input: 4 of 16 allowed, measured on batches of 64 ' +
        '(fastest forward + backward per thread count: 1 → 9.00 ms, 2 → 5.00 ms, 4 → 3.00 ms, 8 → 4.00 ms, 16 → 6.00 ms)',
    );
  });

  it('a short warm-up in calls still lasts a second', () => {
    const c = new ThreadChoice(null, () => {}, now);
    clock.t = 0;
    for (let i = 0; i < 30; i++) {
      const p = c.pick(64, 2, true);
      clock.t += 20; // fast calls: 30 of them are 600 ms
      expect(p.threads, `call ${i}`).toBe(2);
      c.record(p.threads, 1);
    }
    clock.t += 400;
    expect(c.pick(64, 2, true).threads).toBe(1); // measuring now
  });

  it('measures again a minute later without a warm-up, and tells only a change', () => {
    const reports: ThreadReport[] = [];
    const c = new ThreadChoice(null, (r) => reports.push(r), now);
    drive(c, 2, (t) => 10 / t, WARMUP_CALLS + 8);
    expect(c.report()?.threads).toBe(2);
    clock.t += 30_000;
    expect(drive(c, 2, (t) => 10 / t, 2)).toEqual([2, 2]);
    clock.t += 30_000;
    // The machine got busy: the second thread now waits for a core.
    expect(drive(c, 2, (t) => (t === 2 ? 20 : 10), 8)).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    expect(c.report()).toMatchObject({ threads: 1 });
    clock.t += 61_000;
    drive(c, 2, (t) => (t === 2 ? 21 : 10), 8); // the same choice again: not told
    expect(reports.map((r) => r.threads)).toEqual([2, 1]);
  });

  it('measures again when more cores become allowed and the most it measured was the fastest', () => {
    const c = new ThreadChoice(null, () => {}, now);
    drive(c, 2, (t) => 10 / t, WARMUP_CALLS + 8);
    expect(c.report()?.threads).toBe(2);
    // Another trainer ended: 4 cores now. 4 threads are tried (no second warm-up), and kept.
    expect(drive(c, 4, (t) => 10 / t, 12)).toEqual([1, 2, 4, 1, 2, 4, 1, 2, 4, 1, 2, 4]);
    expect(c.report()).toMatchObject({ threads: 4, allowed: 4 });
    // Fewer cores again: the choice is capped, not measured again.
    expect(c.pick(64, 2, true)).toEqual({ threads: 2, timed: false });
  });

  it('a fixed count (the caller, RNN_KERNEL_THREADS) is used as is, within what is allowed, without measuring', () => {
    const c = new ThreadChoice(3);
    expect(c.pick(64, 8, true)).toEqual({ threads: 3, timed: false });
    expect(c.pick(64, 2, true)).toEqual({ threads: 2, timed: false });
    expect(c.report()).toBeNull();
  });

  it("adopts a choice measured elsewhere (the split step's) for its other calls, without telling it again", () => {
    const reports: ThreadReport[] = [];
    const c = new ThreadChoice(null, (r) => reports.push(r), now);
    // Before: a prediction uses all the threads allowed.
    expect(c.pick(512, 4, false)).toEqual({ threads: 4, timed: false });
    const r: ThreadReport = { threads: 2, allowed: 4, batch: 64, timings: [{ threads: 2, ms: 1 }] };
    c.adopt(r);
    expect(c.pick(512, 4, false)).toEqual({ threads: 2, timed: false });
    expect(c.pick(512, 1, false)).toEqual({ threads: 1, timed: false });
    expect(c.report()).toBe(r);
    expect(reports).toEqual([]);
    // A fixed count stays fixed.
    const fixed = new ThreadChoice(3);
    fixed.adopt(r);
    expect(fixed.pick(512, 4, false)).toEqual({ threads: 3, timed: false });
  });
});

describe('WasmRnnKernel thread choice', () => {
  it('measures on its training calls, reports once, and computes the same bits during and after', () => {
    // The whole machine, whatever other test files run kernels now (core-share.test.ts covers the share).
    process.env.RNN_KERNEL_SHARE = '0';
    const shape: RnnShape = { cell: 'gru', batch: 32, steps: 10, features: 2, units: 16, returnSequences: false };
    let s = 7;
    const rand = (n: number) =>
      Float32Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
    const x = rand(32 * 10 * 2),
      w = { kernel: rand(2 * 48), recurrentKernel: rand(16 * 48), bias: rand(48) },
      dy = rand(32 * 16);
    const ref = new WasmRnnKernel(1);
    const want = ref.backward(ref.forward(shape, x, w, true).tape!, dy);
    process.env.RNN_KERNEL_WARMUP_MS = '0'; // the 12 calls only: these are a few ms in all
    const k = new WasmRnnKernel(); // measured: RNN_KERNEL_THREADS is not set here
    delete process.env.RNN_KERNEL_WARMUP_MS;
    for (let i = 0; i < WARMUP_CALLS + 4 * 3; i++) {
      const g = k.backward(k.forward(shape, x, w, true).tape!, dy);
      expect(g.dRecurrentKernel, `call ${i}`).toEqual(want.dRecurrentKernel);
    }
    const r = k.threadReport();
    if (availableParallelism() === 1)
      expect(r).toBeNull(); // nothing to choose
    else {
      // 32 rows are 4 slices: 1, 2 and 4 threads (at most the cores) were tried.
      const allowed = Math.min(4, availableParallelism());
      expect(r).toMatchObject({ batch: 32, allowed });
      expect(r!.timings.map((t) => t.threads)).toEqual(threadCandidates(allowed));
      expect(r!.timings.every((t) => Number.isFinite(t.ms) && t.ms > 0)).toBe(true);
      expect(threadCandidates(allowed)).toContain(r!.threads);
    }
    ref.dispose();
    k.dispose();
    delete process.env.RNN_KERNEL_SHARE;
  });
});
