// `npm run bench -- --suite native [--json]`: the measurement behind worker/kernels/README.md's
// "Native addon: measured". The fused LSTM's three per-step products on one thread's batch slice,
// run by a native N-API addon (test/bench/native/: 128-bit FMA, AVX2 and, where cpuid has it,
// AVX-512) and by rnn.c's own wasm products (plain and relaxed SIMD), same inputs, same process,
// repetitions alternating between the implementations. CPU time of this process, best of REPS,
// as GFLOP/s per core and % of one core's FP32 peak (test/bench/cpu-peak.ts). Needs a C compiler,
// Node's headers and clang + wasm-ld; the addon is built into a temporary folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdFlag } from '../../core/jobs.js';
import { cpuPeak } from './cpu-peak.js';
import { buildAddon, buildWasmProducts, cannotBuild, compiler } from './native/build.js';
import {
  allRunners,
  wasmWholeLayer,
  loadAddon,
  makeInputs,
  PRODUCTS,
  productFlops,
  relError,
  type Slice,
} from './native/products.js';
import type { BenchOptions } from './run.js';
import { wholeStepMs } from './native-step.js';
import { nativePhases } from './native-phases.js';

// One thread's slice of the rnn suite's two shapes (batch 64 and 256 over 2 threads), as in --phases.
const SLICES: Slice[] = [
  { units: 64, batch: 32, steps: 50, features: 1 },
  { units: 128, batch: 128, steps: 50, features: 8 },
];
const REPS = 15;

for (const f of relaxedSimdFlag()) setFlagsFromString(f);

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function run(opts: BenchOptions): Promise<void> {
  if (opts.args.includes('--phases')) {
    nativePhases(opts.json);
    return;
  }
  const why = cannotBuild();
  if (why) {
    console.log(`native suite skipped: ${why}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rnn-native-'));
  let addon, wasm;
  try {
    addon = loadAddon(buildAddon(dir));
    wasm = buildWasmProducts(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const peak = cpuPeak();
  const corePeak = peak.gflops / peak.cores;
  const ceiling128 = peak.ghz * 4 * 2 * 2;
  const load0 = loadavg();
  if (!opts.json)
    console.log(
      `CPU: ${peak.isa}${peak.fma ? '+fma' : ''}, ${peak.ghz} GHz (${peak.clock}); one core's FP32 peak ${corePeak.toFixed(0)} GFLOP/s, ` +
        `128-bit FMA ceiling ${ceiling128.toFixed(0)}; addon built with ${compiler()}; load average ${load0.map((l) => l.toFixed(2)).join(' ')}`,
    );
  for (const s of SLICES) {
    const inp = makeInputs(s);
    const runners = allRunners(addon, wasm, inp);
    const best = new Map<string, number>();
    for (const p of PRODUCTS) {
      // Warm-up (tiering, page faults), then enough calls per timing for about 200 MFLOP.
      for (const r of runners) r.run(p);
      const inner = Math.max(1, Math.ceil(2e8 / productFlops(s, p)));
      for (let rep = 0; rep < REPS; rep++)
        for (let k = 0; k < runners.length; k++) {
          const r = runners[(k + rep) % runners.length]!; // alternate which goes first
          r.reset(p);
          const t0 = cpuMs();
          for (let i = 0; i < inner; i++) r.run(p);
          const ms = (cpuMs() - t0) / inner;
          const key = `${p}|${r.name}`;
          best.set(key, Math.min(best.get(key) ?? Infinity, ms));
        }
    }
    // Equality: every runner against wasm relaxed (or plain) from the same reset state.
    const ref = runners.find((r) => r.name.startsWith('wasm relaxed')) ?? runners[0]!;
    const errs = new Map<string, number>();
    for (const p of PRODUCTS) {
      ref.reset(p);
      ref.run(p);
      const want = ref.output(p);
      for (const r of runners) {
        r.reset(p);
        r.run(p);
        errs.set(`${p}|${r.name}`, relError(r.output(p), want));
      }
    }
    report(
      opts.json,
      s,
      runners.map((r) => r.name),
      best,
      errs,
      ref.name,
      corePeak,
    );
    amdahl(
      opts.json,
      s,
      wasm,
      runners.map((r) => r.name),
      best,
      ref.name,
    );
  }
  const load1 = loadavg();
  if (!opts.json) console.log(`load average after: ${load1.map((l) => l.toFixed(2)).join(' ')}`);
}

/**
 * Amdahl, same run: the whole fused LSTM forward + backward of rnn.c (the build of refName) on the
 * slice and a whole training step on it (native-step.ts), the three products' share of each, and
 * their estimated gains when only those products run as each implementation measured them (gate
 * math, input projection, db/dW/dx, head, loss and optimizer keep their times).
 */
function amdahl(
  json: boolean,
  s: Slice,
  wasm: [Uint8Array, Uint8Array],
  names: string[],
  best: Map<string, number>,
  refName: string,
): void {
  const layer = wasmWholeLayer(refName.startsWith('wasm relaxed') ? wasm[1] : wasm[0], s);
  layer();
  let layerMs = Infinity;
  for (let rep = 0; rep < REPS; rep++) {
    const t0 = cpuMs();
    layer();
    layerMs = Math.min(layerMs, cpuMs() - t0);
  }
  const stepMs = wholeStepMs(s, REPS, cpuMs);
  const sum = (n: string) => PRODUCTS.reduce((a, p) => a + best.get(`${p}|${n}`)!, 0);
  const ref = sum(refName);
  if (!json)
    console.log(
      `  ${refName}: whole layer forward + backward ${layerMs.toFixed(2)} ms CPU, the three products ` +
        `${((100 * ref) / layerMs).toFixed(0)}% of it; whole training step (1 thread) ${stepMs.toFixed(2)} ms, ` +
        `the products ${((100 * ref) / stepMs).toFixed(0)}% of it`,
    );
  for (const n of names) {
    // Only the products change: everything else keeps its measured time.
    const layerGain = layerMs / (layerMs - ref + sum(n));
    const stepGain = stepMs / (stepMs - ref + sum(n));
    if (json)
      console.log(
        JSON.stringify({
          suite: 'native',
          product: 'Amdahl',
          impl: n,
          units: s.units,
          batch: s.batch,
          steps: s.steps,
          layerMs,
          stepMs,
          productsShareOfLayer: ref / layerMs,
          productsShareOfStep: ref / stepMs,
          estLayerGain: Math.round(layerGain * 100) / 100,
          estStepGain: Math.round(stepGain * 100) / 100,
        }),
      );
    else
      console.log(
        `    with ${n.padEnd(20)} products: est. ${layerGain.toFixed(2)}x the layer, ${stepGain.toFixed(2)}x the whole step`,
      );
  }
}

function report(
  json: boolean,
  s: Slice,
  names: string[],
  best: Map<string, number>,
  errs: Map<string, number>,
  refName: string,
  corePeak: number,
): void {
  if (!json) console.log(`\nfused LSTM products, one thread's slice: H ${s.units}, B ${s.batch}, T ${s.steps}`);
  for (const p of PRODUCTS) {
    const relaxedMs = best.get(`${p}|${refName}`)!;
    if (!json) console.log(`  ${p}: ${(productFlops(s, p) / 1e6).toFixed(1)} MFLOP per call`);
    for (const n of names) {
      const ms = best.get(`${p}|${n}`)!;
      const gflops = productFlops(s, p) / ms / 1e6;
      const row = {
        suite: 'native',
        product: p,
        impl: n,
        units: s.units,
        batch: s.batch,
        steps: s.steps,
        cpuMs: Math.round(ms * 1000) / 1000,
        gflops: Math.round(gflops * 10) / 10,
        pctPeak: Math.round((1000 * gflops) / corePeak) / 10,
        vsRelaxed: Math.round((100 * relaxedMs) / ms) / 100,
        relErr: errs.get(`${p}|${n}`)!,
      };
      if (json) console.log(JSON.stringify(row));
      else
        console.log(
          `    ${n.padEnd(20)} ${ms.toFixed(3).padStart(8)} ms  ${gflops.toFixed(1).padStart(6)} GFLOP/s  ` +
            `${row.pctPeak.toFixed(1).padStart(5)}% of peak  ${row.vsRelaxed.toFixed(2)}x ${refName.startsWith('wasm relaxed') ? 'relaxed' : 'simd'}  ` +
            `rel. diff ${row.relErr.toExponential(1)}`,
        );
    }
  }
}
