// `npm run bench -- --suite rnn --phases`: where the fused LSTM's time goes, per phase, from a
// profiling build of the kernel (needs clang).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Shape {
  units: number;
  batch: number;
  steps: number;
  features: number;
}
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * `--phases`: where the fused LSTM's time goes. Builds the kernel with -DRNN_PROFILE (needs clang)
 * and times each phase in CPU time of this thread (immune to other processes taking the cores),
 * minimum over repetitions, for one thread's slice (half the batch) of each shape.
 */
export function phases(json: boolean, shapes: Shape[], relaxed: boolean): void {
  phasesOf(json, shapes, 'simd');
  if (relaxed) phasesOf(json, shapes, 'relaxed-simd');
}

function phasesOf(json: boolean, shapes: Shape[], build: 'simd' | 'relaxed-simd'): void {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-prof-'));
  const file = join(dir, 'rnn-prof.wasm');
  const extra = build === 'relaxed-simd' ? ['--relaxed'] : [];
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build-kernels.mjs'), '--out', file, '--profile', ...extra], {
    stdio: 'inherit',
  });
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const WA = (
    globalThis as unknown as {
      WebAssembly: {
        Module: new (b: Uint8Array) => object;
        Instance: new (m: object, i: object) => { exports: Record<string, unknown> };
      };
    }
  ).WebAssembly;
  const ex = new WA.Instance(new WA.Module(readFileSync(file)), { env: { now: cpuMs } }).exports as {
    memory: { buffer: ArrayBuffer };
    rnn_setup(...a: number[]): number;
    rnn_ptr(i: number): number;
    rnn_forward(): void;
    rnn_backward(needDx: number): void;
    rnn_prof(): number;
  };
  rmSync(dir, { recursive: true, force: true });
  const names = [
    'input projection (more than 8 features; with fewer it runs per step, next row)',
    'forward bias + x.W (up to 8 features) and h.U per step',
    'forward gate math',
    'backward gate math',
    'backward dZ.U^T per step',
    'weight gradients (dU, dW, db, dx)',
    'dx layout',
  ];
  for (const s of shapes) {
    const [B, T, F, H] = [s.batch / 2, s.steps, s.features, s.units];
    const GH = 4 * H;
    if (ex.rnn_setup(1, 0, B, T, F, H, 0) !== 0) throw new Error('rnn_setup failed');
    const view = (p: number, n: number) => new Float32Array(ex.memory.buffer, ex.rnn_ptr(p), n);
    const fill = (p: number, n: number, sc: number) =>
      view(p, n).set(Float32Array.from({ length: n }, () => (Math.random() - 0.5) * sc));
    fill(4, B * T * F, 2);
    fill(0, F * GH, 0.6);
    fill(1, H * GH, 0.3);
    fill(12, B * H, 1);
    const prof = new Float64Array(ex.memory.buffer, ex.rnn_prof(), 8);
    const best = new Array<number>(8).fill(Infinity);
    for (let r = 0; r < 12; r++) {
      prof.fill(0);
      ex.rnn_forward();
      ex.rnn_backward(0);
      prof.forEach((v, i) => {
        best[i] = Math.min(best[i]!, v);
      });
    }
    const flops = [0, 2 * B * H * GH * T, 0, 0, 2 * B * H * GH * (T - 1), 2 * B * T * GH * (H + 2 * F), 0];
    const total = best.slice(0, 7).reduce((a, b) => a + b, 0);
    if (!json)
      console.log(
        `fused LSTM phases (${build}), one thread's slice (H ${H}, B ${B}, T ${T}, F ${F}): ${total.toFixed(2)} ms CPU per forward+backward`,
      );
    names.forEach((n, i) => {
      const gflops = flops[i] ? flops[i]! / best[i]! / 1e6 : null;
      if (json)
        console.log(
          JSON.stringify({
            suite: 'rnn',
            impl: 'fused-phases',
            build,
            cell: 'lstm',
            units: H,
            batch: B,
            steps: T,
            features: F,
            phase: n,
            cpuMs: round(best[i]!),
            gflops: gflops && round(gflops),
          }),
        );
      else
        console.log(
          `  ${n.padEnd(36)} ${best[i]!.toFixed(2).padStart(7)} ms ${((100 * best[i]!) / total).toFixed(0).padStart(3)}%${gflops ? `  ${gflops.toFixed(1)} GFLOP/s` : ''}`,
        );
    });
  }
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
