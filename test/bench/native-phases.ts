// `npm run bench -- --suite native --phases`: where the native engine's time goes for one thread's
// batch slice, per phase (test/bench/native/phases.c: the engine built with its PROF points, timed
// from inside, no Node around it). For each cell at the rnn suite's 64-unit shape (half of batch 64,
// the trainer's 8-row slices) and one larger shape: microseconds per call and phase, and the
// products' GFLOP/s against one core's FP32 peak. Needs clang and an x64 CPU with AVX2 or AVX-512.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuPeak } from './cpu-peak.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../..');

export interface PhaseShape {
  cell: 'simpleRNN' | 'lstm' | 'gru';
  units: number;
  batch: number;
  steps: number;
  features: number;
  /** The trainer's 8-row slices of this thread's part. */
  slices: number;
}
const CELL_CODE = { simpleRNN: 0, lstm: 1, gru: 2 } as const;
const GATES = { simpleRNN: 1, lstm: 4, gru: 3 } as const;
export const PHASE_SHAPES: PhaseShape[] = (['simpleRNN', 'gru', 'lstm'] as const).flatMap((cell) => [
  { cell, units: 64, batch: 32, steps: 50, features: 1, slices: 4 },
  { cell, units: 128, batch: 128, steps: 50, features: 8, slices: 16 },
]);

export type Phases = Record<
  | 'forward'
  | 'backward'
  | 'input'
  | 'fwdProducts'
  | 'fwdGates'
  | 'bwdGates'
  | 'bwdProducts'
  | 'weightGrads'
  | 'dxLayout',
  number
>;

/** Why the phases cannot be measured here, or null. */
export function phasesCannotRun(isa: string): string | null {
  if (arch() !== 'x64') return 'the native engine is built for x64 only';
  if (isa !== 'avx512' && isa !== 'avx2') return `this CPU has neither AVX-512 nor AVX2 (${isa})`;
  try {
    execFileSync(process.env.CLANG ?? 'clang', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'no clang';
  }
  return null;
}

/** Builds phases.c with the engine's unit for `isa` into `dir`; returns the program's path. */
export function buildPhases(dir: string, isa: 'avx512' | 'avx2'): string {
  const cc = process.env.CLANG ?? 'clang';
  const flags = isa === 'avx512' ? ['-mavx512f', '-mavx512vl', '-mfma'] : ['-mavx2', '-mfma'];
  const obj = join(dir, 'isa.o');
  const out = join(dir, 'phases');
  // As scripts/build-kernels.mjs builds the engine, plus the profiling points.
  const unit = join(repoRoot, `worker/kernels/src/native/isa-${isa}.c`);
  execFileSync(cc, ['-O3', '-ffp-contract=off', '-DRNN_PROFILE', ...flags, '-c', unit, '-o', obj], {
    stdio: 'inherit',
  });
  execFileSync(cc, ['-O3', `-DSUFFIX=${isa}`, join(here, 'native/phases.c'), obj, '-o', out], { stdio: 'inherit' });
  return out;
}

/** One run of the program: µs per call and phase, averaged over `reps` calls. */
export function runPhases(prog: string, s: PhaseShape, reps: number): Phases {
  const args = [CELL_CODE[s.cell], s.units, s.batch, s.steps, s.features, s.slices, reps].map(String);
  return JSON.parse(execFileSync(prog, args, { encoding: 'utf8' })) as Phases;
}

export function nativePhases(json: boolean, shapes: PhaseShape[] = PHASE_SHAPES): void {
  const peak = cpuPeak();
  const why = phasesCannotRun(peak.isa);
  if (why) {
    console.log(`native phases skipped: ${why}`);
    return;
  }
  const isa = peak.isa as 'avx512' | 'avx2';
  const corePeak = peak.gflops / peak.cores;
  const dir = mkdtempSync(join(tmpdir(), 'rnn-phases-'));
  try {
    const prog = buildPhases(dir, isa);
    if (!json)
      console.log(
        `native engine (${isa}), one thread's slice, µs per call (median of 3 runs); one core's FP32 peak ${corePeak.toFixed(0)} GFLOP/s`,
      );
    for (const s of shapes) {
      const { cell, units: H, batch: B, steps: T, features: F } = s;
      const G = GATES[cell];
      // About 0.3 s a run.
      const perCall = (6 * T * B * G * H * (F + H)) / 100e3;
      const reps = Math.max(20, Math.round(300e3 / perCall));
      const runs = [0, 1, 2].map(() => runPhases(prog, s, reps));
      runs.sort((a, b) => a.forward + a.backward - (b.forward + b.backward));
      const p = runs[1]!;
      // Matrix FLOPs per phase (cpu-peak.ts's count): the per-step products of each direction
      // (the forward's x.W runs in its own phase when F > 8), and the weight gradients.
      const rec = 2 * T * B * G * H * H;
      const inp = 2 * T * B * G * H * F;
      const total = 3 * (rec + inp);
      const gf = (flops: number, us: number) => (us > 0 ? flops / us / 1e3 : 0);
      const row = {
        shape: `${cell} ${H},${B},${T},${F}`,
        slices: s.slices,
        ...p,
        fwdProductsGflops: gf(F > 8 ? rec : rec + inp, p.fwdProducts),
        bwdProductsGflops: gf(rec, p.bwdProducts),
        weightGradsGflops: gf(rec + inp, p.weightGrads),
        wholeGflops: gf(total, p.forward + p.backward),
        wholePctPeak: (100 * gf(total, p.forward + p.backward)) / corePeak,
      };
      if (json) {
        console.log(JSON.stringify({ suite: 'native', phases: row }));
        continue;
      }
      const f1 = (x: number) => x.toFixed(1);
      console.log(
        `${row.shape.padEnd(22)} fwd ${f1(p.forward)} (x.W ${f1(p.input)}, h.U ${f1(p.fwdProducts)} = ${f1(row.fwdProductsGflops)} GF/s, gates ${f1(p.fwdGates)})` +
          `  bwd ${f1(p.backward)} (gates ${f1(p.bwdGates)}, dZ.Uᵀ ${f1(p.bwdProducts)} = ${f1(row.bwdProductsGflops)} GF/s,` +
          ` weight grads over ${s.slices} slices ${f1(p.weightGrads)} = ${f1(row.weightGradsGflops)} GF/s)` +
          `  whole ${f1(row.wholeGflops)} GF/s, ${f1(row.wholePctPeak)}% of a core`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
