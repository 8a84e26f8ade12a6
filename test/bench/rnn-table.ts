// The rnn bench's table: one line per measured row with its GFLOP/s, % of peak and same-run ratios.
import { availableParallelism } from 'node:os';
import type { Cell } from '../../core/spec.js';
import type { CpuPeak } from './cpu-peak.js';

export interface Shape {
  units: number;
  batch: number;
  steps: number;
  features: number;
}
export interface Row extends Shape {
  suite: 'rnn';
  impl: string;
  backend: string;
  cell: Cell;
  samplesPerSec: number;
  /** Samples per CPU-second of this process (all its threads); absent for PyTorch (a child). */
  samplesPerCpuSec?: number;
  /** Achieved FP32 GFLOP/s: samplesPerSec × trainFlopsPerSample (matrix products, see cpu-peak.ts). */
  gflops?: number;
  /** gflops as a percentage of this machine's FP32 peak (cpu-peak.ts: cores × GHz × lanes × 2 × 2). */
  pctPeak?: number;
  reps?: number;
  threads?: number;
  note?: string;
  /** 1-minute load average when the row was measured: the machine is shared, and a load above
   * the core count slows every implementation (multi-threaded ones most). */
  load?: number;
}

export function printTable(
  rows: Row[],
  mem: Row & { peakRssMB: number },
  peak: CpuPeak,
  o: { shapes: Shape[]; cells: Cell[]; reps: number; fusedReps: number },
): void {
  const [SHAPES, CELLS, REPS, FUSED_REPS] = [o.shapes, o.cells, o.reps, o.fusedReps];
  const loads = rows.map((r) => r.load ?? 0);
  console.log(
    `samples/s of a full train step (median of ${REPS} reps, fused ${FUSED_REPS}, after warm-up); ` +
      `${availableParallelism()} cores, load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the run`,
  );
  console.log(
    `FP32 peak ${peak.gflops} GFLOP/s = ${peak.cores} cores × ${peak.ghz} GHz (${peak.clock}) × ${peak.lanes} lanes (${peak.isa})` +
      ` × ${peak.fma ? 2 : 1} (FMA) × 2 units; GFLOP/s count matrix products only (test/bench/cpu-peak.ts)`,
  );
  console.log(
    'cell       shape (H,B,T,F)  impl                       thr  samples/s  per CPU-s  GFLOP/s  % peak  ×tf.layers-wasm  ×torch  ×plain simd  ×relaxed',
  );
  for (const s of SHAPES) {
    for (const cell of CELLS) {
      const mine = rows.filter((r) => r.cell === cell && r.units === s.units && r.batch === s.batch);
      const w = mine.find((r) => r.impl === 'tf.layers' && r.backend === 'wasm')?.samplesPerSec;
      const t = mine.find((r) => r.impl.startsWith('pytorch'))?.samplesPerSec;
      const ratio = (a: number, b?: number) => (b ? `${(a / b).toFixed(1)}×` : '—');
      for (const r of mine) {
        const plain =
          r.note === 'fused-wasm-relaxed-simd'
            ? mine.find((q) => q.note === 'fused-wasm-simd' && q.threads === r.threads)?.samplesPerSec
            : undefined;
        // The native engine against the relaxed-SIMD build it equals bit for bit (layer, or whole step).
        const relaxedNote = r.note?.startsWith('fused-native-')
          ? 'fused-wasm-relaxed-simd'
          : r.note === 'fused-step-native'
            ? 'fused-step-relaxed-simd'
            : undefined;
        const relaxed = relaxedNote
          ? mine.find((q) => q.note === relaxedNote && q.threads === r.threads)?.samplesPerSec
          : undefined;
        const name = r.impl === 'fused' ? (r.note ?? 'fused') : `${r.impl} ${r.backend}`;
        const fused = r.impl === 'fused';
        console.log(
          `${cell.padEnd(10)} ${`${s.units},${s.batch},${s.steps},${s.features}`.padEnd(16)} ${name.padEnd(26)} ` +
            `${String(r.threads ?? '').padStart(3)} ${r.samplesPerSec.toFixed(0).padStart(10)} ${(r.samplesPerCpuSec?.toFixed(0) ?? '—').padStart(10)} ${r.gflops!.toFixed(1).padStart(8)} ` +
            `${r.pctPeak!.toFixed(1).padStart(7)} ${(fused ? ratio(r.samplesPerSec, w) : '').padStart(16)} ${(fused ? ratio(r.samplesPerSec, t) : '').padStart(7)} ${(plain ? ratio(r.samplesPerSec, plain) : '').padStart(12)} ${(relaxed ? ratio(r.samplesPerSec, relaxed) : '').padStart(9)}`,
        );
      }
    }
  }
  console.log(
    `peak RSS of fused LSTM(128) training, batch 256, 200 steps, 8 features: ${mem.peakRssMB} MB (${mem.samplesPerSec} samples/s)`,
  );
}
