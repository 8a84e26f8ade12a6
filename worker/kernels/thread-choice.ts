// How many threads one layer's kernel uses, chosen by measurement on the run's own first batches.
//
// More threads are not always faster: every call hands work to the threads and waits for the
// slowest, so a small layer (few units, short batches) can lose more to the hand-offs than it
// gains, and on a 16-core machine the best count for batch 64 is rarely 16. The kernel's results do
// not depend on its thread count (slices.ts: fixed slices, their weight gradients summed up a fixed
// tree), so the count can be tried on real training batches: each candidate
// (1, 2, 4, 8, 16 up to the cores allowed) runs in turn for ROUNDS cycles, the first cycle is
// dropped (it creates the engines and grows their memory), and the count whose best call was
// fastest wins, or a smaller one within TIE of it, which leaves the cores to other work.
//
// Calls with another batch size (the epoch's last, short batch; validation and test predictions)
// use the chosen count, or the most threads allowed before one is chosen.

/** Cycles through the candidates; the first is a warm-up. */
const ROUNDS = 3;
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
  private chosen: number | null = null;
  private report_: ThreadReport | null = null;

  /** `fixed`: a count set by the caller or RNN_KERNEL_THREADS, used as is (no measurement). */
  constructor(
    private readonly fixed: number | null,
    private readonly onChoice: (r: ThreadReport) => void = () => {},
  ) {}

  /** Threads for a call of `batch` rows when at most `allowed` may run; `timed`: record() follows. */
  pick(batch: number, allowed: number, training: boolean): { threads: number; timed: boolean } {
    if (this.fixed !== null) return { threads: Math.min(this.fixed, allowed), timed: false };
    if (allowed <= 1) return { threads: 1, timed: false };
    if (this.chosen !== null && !(allowed > this.measuredUpTo() && this.chosen === this.measuredUpTo()))
      return { threads: Math.min(this.chosen, allowed), timed: false };
    if (!training || (this.batch !== null && batch !== this.batch))
      return { threads: Math.min(this.chosen ?? allowed, allowed), timed: false };
    if (this.batch === null || this.chosen !== null) this.start(batch, allowed);
    const want = this.candidates[this.round % this.candidates.length]!;
    // Fewer cores than when the measurement started (another trainer came): measure what is left.
    if (want > allowed) this.start(batch, allowed);
    return { threads: this.candidates[this.round % this.candidates.length]!, timed: true };
  }

  /** The wall time of a timed call: its forward and its backward, in milliseconds. */
  record(threads: number, ms: number): void {
    if (this.chosen !== null || !this.candidates.includes(threads)) return;
    if (this.round >= this.candidates.length) {
      const s = this.samples.get(threads) ?? [];
      s.push(ms);
      this.samples.set(threads, s);
    }
    this.round++;
    if (this.round < ROUNDS * this.candidates.length) return;
    const timings = this.candidates.map((t) => ({ threads: t, ms: Math.min(...(this.samples.get(t) ?? [Infinity])) }));
    this.chosen = bestThreads(timings);
    this.report_ = { threads: this.chosen, allowed: this.measuredUpTo(), batch: this.batch!, timings };
    this.onChoice(this.report_);
  }

  /** The last choice and its measurements; null while measuring or when the count is fixed. */
  report(): ThreadReport | null {
    return this.report_;
  }

  private measuredUpTo(): number {
    return this.candidates[this.candidates.length - 1] ?? 1;
  }

  private start(batch: number, allowed: number): void {
    this.batch = batch;
    this.candidates = threadCandidates(allowed);
    this.samples.clear();
    this.round = 0;
    this.chosen = null;
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
