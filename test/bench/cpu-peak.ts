// This machine's FP32 peak, and the FLOPs of one RNN training sample, so every rnn bench row can say
// how far it is from the hardware (GFLOP/s and % of peak).
//
// peak GFLOP/s = cores × GHz × lanes × 2 (FMA: a multiply and an add per lane) × 2 (FMA units)
//   lanes: 16 with AVX-512 (avx512f in /proc/cpuinfo's flags), 8 with AVX/AVX2, else 4 (SSE, NEON);
//          the FMA factor drops to 1 when the CPU has no FMA (no `fma` flag on x86).
//   FMA units: 2 per core, what every x86 core since Haswell and the AVX-512 Xeons have (it cannot
//          be read from the flags; one-unit AVX-512 parts have half this peak).
//   GHz: the larger of /proc/cpuinfo's `cpu MHz` (often the nominal clock in a VM) and a measured
//          clock: the best of 20 runs of a loop of 8 dependent one-cycle integer ops per iteration
//          (catches turbo; a loaded machine can only make it lower, and the best run is taken).
//   cores: os.availableParallelism().
// WebAssembly SIMD is 128-bit (4 lanes) and has no FMA without relaxed SIMD, so on an AVX-512
// machine the fused kernels' own ceiling is 1/8 (plain SIMD) or 1/4 (relaxed madd) of this peak.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Cell } from '../../core/spec.js';

export interface CpuPeak {
  cores: number;
  ghz: number;
  /** Where ghz came from: 'cpuinfo' or 'measured'. */
  clock: 'cpuinfo' | 'measured';
  isa: 'avx512' | 'avx2' | 'avx' | 'sse/neon';
  lanes: number;
  fma: boolean;
  gflops: number;
}

function cpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

// Eight dependent single-cycle ops per iteration: time ≈ 8 cycles per iteration on any x86/ARM core.
function chain(n: number, a: number): number {
  let x = a | 0;
  for (let i = 0; i < n; i++) {
    x = (x + a) | 0;
    x = (x ^ i) | 0;
    x = (x + a) | 0;
    x = (x ^ i) | 0;
    x = (x + a) | 0;
    x = (x ^ i) | 0;
    x = (x + a) | 0;
    x = (x ^ i) | 0;
  }
  return x;
}

/** The clock in GHz from a dependent-op loop (best of 20 runs of 8 M ops, about 60 ms in all). */
export function measuredGhz(): number {
  const n = 1_000_000;
  let best = Infinity,
    sink = 0;
  for (let r = 0; r < 20; r++) {
    const t0 = performance.now();
    sink ^= chain(n, r + 3);
    best = Math.min(best, performance.now() - t0);
  }
  if (sink === 0.5) console.log(sink); // keeps the loop's result alive
  return (8 * n) / best / 1e6;
}

export function cpuPeak(): CpuPeak {
  const info = cpuinfo();
  const flags = new Set((/^(flags|Features)\s*:\s*(.*)$/m.exec(info)?.[2] ?? '').split(/\s+/));
  const isa: CpuPeak['isa'] = flags.has('avx512f')
    ? 'avx512'
    : flags.has('avx2')
      ? 'avx2'
      : flags.has('avx')
        ? 'avx'
        : 'sse/neon';
  const lanes = isa === 'avx512' ? 16 : isa === 'sse/neon' ? 4 : 8;
  // ARM cores (Features: ... asimd) always have FMA; x86 says so with the fma flag.
  const fma = flags.has('fma') || flags.has('asimd');
  const mhz = Math.max(0, ...[...info.matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)].map((m) => Number(m[1])));
  const measured = measuredGhz();
  const fromInfo = mhz / 1000;
  const ghz = Math.max(fromInfo, measured);
  const cores = availableParallelism();
  return {
    cores,
    ghz: Math.round(ghz * 100) / 100,
    clock: measured > fromInfo ? 'measured' : 'cpuinfo',
    isa,
    lanes,
    fma,
    gflops: Math.round(cores * ghz * lanes * (fma ? 2 : 1) * 2),
  };
}

const GATES: Record<Cell, number> = { simpleRNN: 1, lstm: 4, gru: 3 };

/**
 * FLOPs of one training sample (a multiply-add counts 2), matrix products only: the forward is,
 * per step, x·W and h·U over G·H gate columns (2·G·H·(F + H)), plus the head h·Wd (2·H·outputs);
 * the backward costs twice the forward (dZ·Uᵀ and dx = dZ·Wᵀ, then dU = Hᵀ·dZ and dW = Xᵀ·dZ).
 * Element-wise gate math and the optimizer are left out (a few % of the products at these shapes).
 */
export function trainFlopsPerSample(
  cell: Cell,
  s: { units: number; steps: number; features: number },
  outputs = 1,
): number {
  const G = GATES[cell];
  return 3 * (2 * s.steps * G * s.units * (s.features + s.units) + 2 * s.units * outputs);
}
