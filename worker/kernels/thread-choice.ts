// How many threads one layer's kernel uses, chosen by measurement on the run's own first batches.
//
// More threads are not always faster: every call hands work to the threads and waits for the
// slowest, so a small layer (few units, short batches) can lose more to the hand-offs than it
// gains, and on a 16-core machine the best count for batch 64 is rarely 16. The kernel's results do
// not depend on its thread count (slices.ts: fixed slices, their weight gradients summed up a fixed
// tree), so the count can be tried on real training batches: each candidate
// (1, 2, 4, 8, 16 up to the cores allowed) runs in turn for ROUNDS cycles after a warm-up at the
// most threads (WARMUP_CALLS, warmupMs), the first cycle is dropped (it creates engines on threads
// that had none and grows their memory), and the count whose best call was fastest wins, or a
// smaller one within TIE of it, which leaves the cores to other work. The measurement is repeated
// every REMEASURE_MS, as other work on the machine comes and goes.
//
// Calls with another batch size (the epoch's last, short batch; validation and test predictions)
// use the chosen count, or the most threads allowed before one is chosen.

/**
 * The measurement starts after this many calls and this much time at the most threads allowed: a
 * run's first calls are slower by 2–50× while V8 tiers the WebAssembly code up and the engines grow
 * their memory (seen here: 60, 151, 2.2, 6.8, 14.7, 25.7 ms, then 1.6–2.5 ms for the same GRU 64
 * call), and in its first second the host that started the run (the CLI, the app) is still busy
 * on the other cores: measured then, 2 threads took 4–16 ms against 1.6 for one, where a fixed
 * 2 threads trained the run 1.5× faster.
 */
export const WARMUP_CALLS = 12;
/** RNN_KERNEL_WARMUP_MS overrides it (tests whose runs are shorter than a second). */
export function warmupMs(): number {
  const env = Number(process.env.RNN_KERNEL_WARMUP_MS);
  return Number.isFinite(env) && env >= 0 ? env : 1000;
}
/** The choice is measured again after this long (the machine's load changes), and logged when it changes. */
export const REMEASURE_MS = 60_000;
/** Cycles through the candidates after the warm-up; the first is dropped as well. */
const ROUNDS = 4;
/** A smaller count within this fraction of the fastest is preferred. */
const TIE = 0.03;

export interface ThreadTiming {
  threads: number;
  /** The fastest measured call (forward and its backward), in milliseconds. */
  ms: number;
}

export interface ThreadReport {
  threads: number;
  /** The most threads this process could use when the choice was made (cores shared with other trainers). */
  allowed: number;
  batch: number;
  timings: ThreadTiming[];
}

/** 1, 2, 4, 8, 16 below `allowed`, then `allowed` itself. */
export function threadCandidates(allowed: number): number[] {
  const out: number[] = [];
  for (let t = 1; t < allowed; t *= 2) out.push(t);
  out.push(allowed);
  return out;
}

/** The candidate to keep: the fastest, or the smallest within TIE of it. */
export function bestThreads(timings: ThreadTiming[]): number {
  const fastest = Math.min(...timings.map((t) => t.ms));
  const ok = timings.filter((t) => t.ms <= fastest * (1 + TIE)).sort((a, b) => a.threads - b.threads);
  return ok[0]!.threads;
}

export class ThreadChoice {
  private batch: number | null = null;
  private candidates: number[] = [];
  private samples = new Map<number, number[]>();
  private round = 0;
  private measuring = false;
  /** Warm-up calls made, and the time of the first: once done, a later measurement needs none. */
  private warm = 0;
  private firstAt: number | null = null;
  /** What the call between pick() and record() was for. */
  private pending: 'warm' | 'measure' | null = null;
  /** The count in effect (the last choice) and when it was made. */
  private current: number | null = null;
  private decidedAt = 0;
  private report_: ThreadReport | null = null;
  private readonly warmupMs = warmupMs();

  /**
   * `fixed`: a count set by the caller or RNN_KERNEL_THREADS, used as is (no measurement);
   * `onChoice`: called when the count in effect changes.
   */
  constructor(
    private readonly fixed: number | null,
    private readonly onChoice: (r: ThreadReport) => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Threads for a call of `batch` rows when at most `allowed` may run; `timed`: record() follows. */
  pick(batch: number, allowed: number, training: boolean): { threads: number; timed: boolean } {
    if (this.fixed !== null) return { threads: Math.min(this.fixed, allowed), timed: false };
    if (allowed <= 1) return { threads: 1, timed: false };
    const inEffect = { threads: Math.min(this.current ?? allowed, allowed), timed: false };
    if (!training || (this.batch !== null && batch !== this.batch)) return inEffect;
    this.batch = batch;
    const t = this.now();
    if (!this.measuring) {
      const top = this.candidates[this.candidates.length - 1];
      // More cores than the last measurement had, and it chose all it had: try the new ones.
      const grown = this.current === top && allowed > top;
      if (this.current !== null && !grown && t - this.decidedAt < REMEASURE_MS) return inEffect;
      this.start(allowed);
    }
    this.firstAt ??= t;
    if (this.warm < WARMUP_CALLS || t - this.firstAt < this.warmupMs) {
      this.pending = 'warm';
      return { threads: allowed, timed: true };
    }
    // Fewer cores than when the measurement started (another trainer came): measure what is left.
    if (this.candidates[this.round % this.candidates.length]! > allowed) this.start(allowed);
    this.pending = 'measure';
    return { threads: this.candidates[this.round % this.candidates.length]!, timed: true };
  }

  /** The wall time of a timed call: its forward and its backward, in milliseconds. */
  record(threads: number, ms: number): void {
    const what = this.pending;
    this.pending = null;
    if (what === 'warm') this.warm++;
    if (what !== 'measure' || !this.measuring || !this.candidates.includes(threads)) return;
    if (this.round >= this.candidates.length) {
      const s = this.samples.get(threads) ?? [];
      s.push(ms);
      this.samples.set(threads, s);
    }
    this.round++;
    if (this.round < ROUNDS * this.candidates.length) return;
    const timings = this.candidates.map((t) => ({ threads: t, ms: Math.min(...(this.samples.get(t) ?? [Infinity])) }));
    const chosen = bestThreads(timings);
    const changed = chosen !== this.current;
    this.measuring = false;
    this.current = chosen;
    this.decidedAt = this.now();
    this.report_ = {
      threads: chosen,
      allowed: this.candidates[this.candidates.length - 1]!,
      batch: this.batch!,
      timings,
    };
    if (changed) this.onChoice(this.report_);
  }

  /**
   * Takes a choice measured elsewhere (split-step.ts: on whole training steps, for all the layers),
   * without calling onChoice: the calls this would measure (training ones) no longer come here,
   * and the others (predictions) use it.
   */
  adopt(r: ThreadReport): void {
    if (this.fixed !== null) return;
    this.measuring = false;
    this.pending = null;
    this.current = r.threads;
    this.decidedAt = this.now();
    this.report_ = r;
  }

  /** The last measurement and its choice; null before the first, or when the count is fixed. */
  report(): ThreadReport | null {
    return this.report_;
  }

  private start(allowed: number): void {
    this.candidates = threadCandidates(allowed);
    this.samples.clear();
    this.round = 0;
    this.measuring = true;
  }
}

/** The run-log line of a layer's choice, e.g. "kernel threads for lstm 64 units, 1 input: 2 of 2 ...". */
export function describeThreadChoice(r: ThreadReport & { layer: string }): string {
  const calls = r.timings.map((t) => `${t.threads} → ${t.ms.toFixed(2)} ms`).join(', ');
  return (
    `kernel threads for ${r.layer}: ${r.threads} of ${r.allowed} allowed, measured on batches of ${r.batch} ` +
    `(fastest forward + backward per thread count: ${calls})`
  );
}
