// The native engine (worker/kernels/src/native: rnn.c built for AVX2 and AVX-512, behind N-API):
// it computes what the relaxed-SIMD WebAssembly module computes, bit for bit, for every cell,
// shapes whose units and columns do not fill its wider tiles, on one thread and in worker
// threads; where it cannot run, the layers fall back to the wasm build and say why.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { relaxedSimdFlag } from '../../../core/jobs.js';
import { ENGINE_JS } from '../../../worker/kernels/engine-src.js';
import * as tf from '@tensorflow/tfjs';
import { fusedRnnLayer, shutdownKernelThreads, WasmRnnKernel } from '../../../worker/kernels/index.js';
import { FusedTrainStep } from '../../../worker/kernels/step.js';
import {
  defaultKernelBuild,
  describeBuild,
  nativeEngine,
  nativeEnginePath,
  nativeFallbackNote,
  probeNativeEngine,
  rnnWasmModule,
  type KernelBuild,
} from '../../../worker/kernels/modules.js';
import type { RnnShape } from '../../../worker/kernels/types.js';
import { inputs } from './inputs.js';

for (const f of relaxedSimdFlag()) setFlagsFromString(f);
afterAll(() => shutdownKernelThreads());

// What this CPU has, read from the kernel's own report (not from the engine under test).
const flags = (() => {
  try {
    const line = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return new Set(line?.[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return new Set<string>();
  }
})();
const shipped = process.platform === 'linux' && process.arch === 'x64';
const hasAvx2 = shipped && flags.has('avx2') && flags.has('fma');
const hasAvx512 = hasAvx2 && flags.has('avx512f');

function run(build: KernelBuild, threads: number, shape: RnnShape, between?: (k: WasmRnnKernel) => void) {
  const { x, w, dy } = inputs(shape);
  const k = new WasmRnnKernel(threads, build);
  try {
    if (between) {
      // A first batch, then whatever happens between batches.
      k.backward(k.forward(shape, x, w, true).tape!, dy);
      between(k);
    }
    const f = k.forward(shape, x, w, true);
    const g = k.backward(f.tape!, dy);
    return { name: k.name, output: f.output, dx: g.dx, dW: g.dKernel, dU: g.dRecurrentKernel, db: g.dBias };
  } finally {
    k.dispose();
  }
}

// Units 64 and 128 fill the tiles; 11, 37 and 50 leave columns (and rows of the weight-gradient
// product) to the narrower paths; 10 features take the input projection's matrix product, and 40
// the products over all steps' rows in row blocks with whole panels (x.W, dZ.W^T: 40 is one
// AVX-512 panel and two AVX2 ones, plus 8 columns each) over 80 rows (two blocks).
const SHAPES: RnnShape[] = [
  { cell: 'gru', batch: 20, steps: 4, features: 40, units: 24, returnSequences: false },
  { cell: 'lstm', batch: 32, steps: 20, features: 1, units: 64, returnSequences: false },
  { cell: 'lstm', batch: 24, steps: 6, features: 10, units: 37, returnSequences: true, recurrentActivation: 'sigmoid' },
  { cell: 'gru', batch: 40, steps: 9, features: 3, units: 50, returnSequences: true },
  { cell: 'gru', batch: 16, steps: 5, features: 2, units: 128, returnSequences: false, recurrentActivation: 'sigmoid' },
  { cell: 'simpleRNN', batch: 50, steps: 7, features: 3, units: 11, returnSequences: true },
  { cell: 'simpleRNN', batch: 8, steps: 12, features: 9, units: 96, returnSequences: false },
];
const label = (s: RnnShape) => `${s.cell} ${s.units} units, batch ${s.batch}, ${s.steps} steps, ${s.features} features`;

describe('native engine', () => {
  const isas: ['avx512' | 'avx2', boolean][] = [
    ['avx512', hasAvx512],
    ['avx2', hasAvx2],
  ];
  for (const [isa, can] of isas) {
    it.runIf(can).each(SHAPES.map((s) => [label(s), s] as const))(
      `${isa}: %s gives the relaxed-SIMD module's results bit for bit`,
      (_, shape) => {
        const want = run('relaxed-simd', 1, shape);
        for (const threads of [1, 2]) {
          const got = run(`native-${isa}`, threads, shape);
          expect(got.name).toBe(`fused-native-${isa}`);
          for (const k of ['output', 'dx', 'dW', 'dU', 'db'] as const)
            expect(got[k], `${threads} threads: ${k}`).toEqual(want[k]);
        }
      },
    );
  }

  it.runIf(hasAvx2)(
    'is the default build where it runs, with the best instruction set, and the device line says which',
    () => {
      const probe = nativeEngine();
      expect(probe).toMatchObject({ ok: true, isa: hasAvx512 ? 'avx512' : 'avx2' });
      expect(defaultKernelBuild()).toBe('native');
      expect(describeBuild('native')).toBe(`native ${hasAvx512 ? 'avx512' : 'avx2'} (fma)`);
      expect(new WasmRnnKernel(1).name).toBe(`fused-native-${hasAvx512 ? 'avx512' : 'avx2'}`);
      // RNN_KERNEL_SIMD picks a wasm build instead (benchmarks, or to rule the engine out).
      process.env.RNN_KERNEL_SIMD = 'relaxed-simd';
      try {
        expect(defaultKernelBuild()).toBe('relaxed-simd');
      } finally {
        delete process.env.RNN_KERNEL_SIMD;
      }
    },
  );

  it('says why it cannot run: no file for the platform, or a file that does not load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-native-'));
    try {
      expect(probeNativeEngine(join(dir, 'missing.node'))).toEqual({
        ok: false,
        why: `no native engine built for ${process.platform}-${process.arch}`,
      });
      const bad = join(dir, 'bad.node');
      writeFileSync(bad, 'not a shared object');
      const r = probeNativeEngine(bad);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.why).toMatch(/^the native engine did not load: .*bad\.node/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a run falls back to wasm with a run-log line saying why, unless RNN_KERNEL_SIMD asked for wasm', () => {
    const missing = { ok: false as const, why: 'no native engine built for darwin-arm64' };
    expect(nativeFallbackNote(missing, undefined)).toBe(
      'native RNN engine not used (no native engine built for darwin-arm64): the RNN layers run in WebAssembly',
    );
    expect(nativeFallbackNote(missing, 'native')).toMatch(/^native RNN engine not used/);
    expect(nativeFallbackNote(missing, 'relaxed-simd')).toBeNull();
    expect(nativeFallbackNote({ ok: true, path: '/x.node', isa: 'avx2' }, undefined)).toBeNull();
  });

  it('is found next to a packaged app archive, where electron-builder unpacks .node files', () => {
    expect(nativeEnginePath('/opt/app/resources/app.asar/dist/worker/kernels/modules.js')).toBe(
      '/opt/app/resources/app.asar.unpacked/dist/worker/kernels/prebuilds/' +
        `${process.platform}-${process.arch}/rnn-engine.node`,
    );
  });

  it.runIf(hasAvx2)(
    'frees its buffers at once when replaced or released (detached, not left to the GC), and asks for new ones',
    () => {
      const addon = createRequire(import.meta.url)(nativeEnginePath()) as {
        create(): object;
        setup(e: object, ...a: number[]): ArrayBuffer | number | null;
        attach(e: object, b: ArrayBuffer): void;
        release(e: object): void;
      };
      const e = addon.create();
      // Too small (nothing attached yet): setup says how many bytes to allocate and attach.
      const need = addon.setup(e, 1, 1, 4, 3, 2, 8, 0) as number;
      expect(typeof need).toBe('number');
      const small = new ArrayBuffer(need);
      addon.attach(e, small);
      expect(addon.setup(e, 1, 1, 4, 3, 2, 8, 0)).toBe(small);
      // A larger shape asks for more; attaching it frees the old buffer now.
      const needBig = addon.setup(e, 1, 1, 64, 50, 2, 32, 0) as number;
      expect(needBig).toBeGreaterThan(need);
      const big = new ArrayBuffer(needBig);
      addon.attach(e, big);
      expect(small.byteLength).toBe(0);
      expect(addon.setup(e, 1, 1, 64, 50, 2, 32, 0)).toBe(big);
      // The same or a smaller shape keeps it.
      expect(addon.setup(e, 1, 1, 4, 3, 2, 8, 0)).toBe(big);
      addon.release(e);
      expect(big.byteLength).toBe(0);
      expect(typeof addon.setup(e, 1, 1, 4, 3, 2, 8, 0)).toBe('number');
      // A layer whose thread count changes releases its engine (wasm.ts trim) and computes as before.
      const shape = SHAPES[0]!;
      const want = run('relaxed-simd', 1, shape);
      const once = run('native', 1, shape, (k) => (k as unknown as { trim(n: number): void }).trim(1));
      for (const key of ['output', 'dx', 'dW', 'dU', 'db'] as const) expect(once[key], key).toEqual(want[key]);
    },
  );

  for (const [isa, can] of isas)
    it.runIf(can)(`${isa}: the fused step's Adam update gives the step module's bits, and refuses bad offsets`, () => {
      type Step = { memory: { buffer: ArrayBuffer }; step_alloc(n: number): number; adam_update(...a: number[]): void };
      const Inst = (
        globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: unknown } } }
      ).WebAssembly.Instance;
      const wasm = () => new Inst(rnnWasmModule('relaxed-simd'), {}).exports as Step;
      const addon = createRequire(import.meta.url)(nativeEnginePath()) as {
        create(isa: string): unknown;
        adam(e: unknown, memory: ArrayBuffer, ...a: number[]): void;
      };
      const e = addon.create(isa);
      // 16·k + 7 weights: the vector loop and the scalar tail; weights, gradients and moments of
      // very different sizes, and a zero second moment.
      const n = 16 * 40 + 7;
      const [a, b] = [wasm(), wasm()];
      const at = (m: Step) => [0, 1, 2, 3].map(() => m.step_alloc(n));
      const [pa, pb] = [at(a), at(b)];
      let q = 5;
      for (let k = 0; k < 4; k++) {
        const v = Float32Array.from({ length: n }, () => {
          q = (Math.imul(q, 1664525) + 1013904223) >>> 0;
          const r = (q / 2 ** 32 - 0.5) * 10 ** ((q % 7) - 4);
          return k === 3 ? (q % 11 === 0 ? 0 : Math.abs(r)) : r;
        });
        new Float32Array(a.memory.buffer, pa[k]!, n).set(v);
        new Float32Array(b.memory.buffer, pb[k]!, n).set(v);
      }
      for (let t = 1; t <= 4; t++) {
        const args = [n, 0.01, 0.9, 0.999, 1e-7, 1 - 0.9 ** t, 1 - 0.999 ** t];
        a.adam_update(...pa, ...args);
        addon.adam(e, b.memory.buffer, ...pb, ...args);
      }
      for (const k of [0, 2, 3])
        expect(new Float32Array(b.memory.buffer, pb[k]!, n), `array ${k}`).toEqual(
          new Float32Array(a.memory.buffer, pa[k]!, n),
        );
      // An offset past the memory: refused, nothing written.
      const len = b.memory.buffer.byteLength;
      expect(() =>
        addon.adam(e, b.memory.buffer, len - 8, pb[1]!, pb[2]!, pb[3]!, n, 0.01, 0.9, 0.999, 1e-7, 1, 1),
      ).toThrow(/adam\(engine, ArrayBuffer/);
      expect(() =>
        addon.adam(e, b.memory.buffer, pb[0]! + 1, pb[1]!, pb[2]!, pb[3]!, n, 0.01, 0.9, 0.999, 1e-7, 1, 1),
      ).toThrow(/adam\(engine, ArrayBuffer/);
    });

  it.runIf(hasAvx2)(
    'the fused step runs Adam in the native engine only where its layers run native, with the same losses',
    async () => {
      await tf.setBackend('cpu');
      const losses = (build: KernelBuild) => {
        const model = tf.sequential({
          layers: [
            fusedRnnLayer({
              cell: 'gru',
              units: 24,
              returnSequences: false,
              inputShape: [9, 2],
              seed: 3,
              kernelFactory: () => new WasmRnnKernel(2, build),
            }),
            tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
          ],
        });
        model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
        const step = new FusedTrainStep(model, model.optimizer, 'mse');
        const { x } = inputs({ cell: 'gru', batch: 32, steps: 9, features: 2, units: 24, returnSequences: false });
        const y = Float32Array.from({ length: 32 }, (_, i) => Math.sin(i));
        const out = Array.from({ length: 20 }, () => step.trainBatch(x, y, 32));
        model.dispose();
        return { where: step.optimizerIn, out };
      };
      const native = losses('native');
      const wasm = losses('relaxed-simd');
      expect([native.where, wasm.where]).toEqual(['native', 'wasm']);
      expect(native.out).toEqual(wasm.out);
      expect(native.out[19]).toBeLessThan(native.out[0]!); // it trains
    },
  );

  it.runIf(hasAvx2)("refuses inputs of the wrong size with the wasm engine's message, and keeps working", () => {
    const k = new WasmRnnKernel(1, 'native');
    const shape: RnnShape = { cell: 'lstm', batch: 4, steps: 3, features: 2, units: 8, returnSequences: false };
    const w = { kernel: new Float32Array(64), recurrentKernel: new Float32Array(256), bias: new Float32Array(32) };
    expect(() => k.forward(shape, new Float32Array(5), w, true)).toThrow(/x has 5 values/);
    // Zero weights: every gate is 0.5, c = 0.5·c_prev + 0.5·tanh(0) = 0, so h = 0.
    const out = k.forward(shape, new Float32Array(24).fill(1), w, false).output;
    expect(out).toEqual(new Float32Array(32));
    k.dispose();
  });

  // Under an address-space limit, a tape larger than memory: V8's ArrayBuffer::New would end the
  // process (a fatal out-of-memory), so engine-src.ts allocates with `new ArrayBuffer` instead.
  // The real engine source and addon, in a plain node child (tsx's own wasm needs more address space).
  // Node itself must start under the limit (it does here with 2.5 GB; a Node that reserves more
  // address space at start could not run this check at all).
  const limited = (cmd: string) =>
    spawnSync('bash', ['-c', `ulimit -v 3000000 && exec "${process.execPath}" ${cmd}`], { encoding: 'utf8' });
  const nodeStartsLimited = hasAvx2 && limited('-e "new ArrayBuffer(1e8)"').status === 0;
  it.runIf(nodeStartsLimited)('refuses a batch too large for memory with its message, and the process lives on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-native-oom-'));
    try {
      const driver = join(dir, 'driver.cjs');
      writeFileSync(
        driver,
        `${ENGINE_JS}
const e = createEngine({ native: { path: ${JSON.stringify(nativeEnginePath())}, isa: 'avx2' } });
const args = (B, T, F, H) => ({ cell: 1, act: 0, B, T, F, H, retSeq: false, x: new Float32Array(B * T * F),
  W: new Float32Array(F * 4 * H), U: new Float32Array(H * 4 * H), bias: new Float32Array(4 * H) });
try { e.run('forward', args(1024, 400, 8, 256)); console.log('no error'); } catch (err) { console.log('ERR ' + err.message); }
console.log('OK ' + e.run('forward', args(4, 3, 2, 8)).length);
`,
      );
      const r = limited(`"${driver}"`);
      expect(r.stdout, r.stderr.slice(-600)).toContain(
        'ERR fused RNN kernel: cannot grow its memory to about 3238 MB (batch 1024, steps 400, units 256)',
      );
      expect(r.stdout).toContain('OK 32');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
