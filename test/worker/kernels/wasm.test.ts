// The raw WebAssembly kernel: splitting a batch over worker threads gives the single-thread
// results bit for bit, the relaxed-SIMD (FMA) build gives the plain build's, inputs of the wrong size are
// refused with a message naming the array, and a tape cannot be replayed on another kernel.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { relaxedSimdFlag } from '../../../core/jobs.js';
import {
  fusedDevice,
  fusedSupported,
  kernelThreadCount,
  kernelThreadPoolSize,
  prestartKernelThreads,
  effectiveSpin,
  kernelSpinMicros,
  relaxedSimdSupported,
  setKernelSpinMicros,
  shutdownKernelThreads,
  sliceBounds,
  WasmRnnKernel,
} from '../../../worker/kernels/index.js';
import { threadBlocks } from '../../../worker/kernels/wasm.js';
import { RNN_WASM_RELAXED_BASE64 } from '../../../worker/kernels/rnn-wasm.gen.js';
import type { Cell, RnnShape } from '../../../worker/kernels/types.js';
import { inputs, rand } from './inputs.js';

// What the trainer's launch flag does on Node 20 (V8 11.3); a no-op where relaxed SIMD ships.
for (const f of relaxedSimdFlag()) setFlagsFromString(f);

afterAll(() => {
  shutdownKernelThreads();
});

describe('WasmRnnKernel', () => {
  it.each(['simpleRNN', 'lstm', 'gru'] as Cell[])(
    '%s: any thread count gives the 1-thread results bit for bit, weight gradients included',
    (cell) => {
      // Batch 50 is 6 slices of 8–9 rows whatever the threads; their weight gradients are summed in
      // slice order, so 2, 3 or 6 threads add the same numbers in the same order as one.
      const shape: RnnShape = { cell, batch: 50, steps: 7, features: 3, units: 11, returnSequences: true };
      const { x, w, dy } = inputs(shape);
      const one = new WasmRnnKernel(1);
      const a = one.forward(shape, x, w, true);
      const ga = one.backward(a.tape!, dy);
      for (const n of [2, 3, 6]) {
        const k = new WasmRnnKernel(n);
        const b = k.forward(shape, x, w, true);
        expect(b.output, `${n} threads`).toEqual(a.output);
        const gb = k.backward(b.tape!, dy);
        for (const g of ['dx', 'dKernel', 'dRecurrentKernel', 'dBias'] as const)
          expect(gb[g], `${n}: ${g}`).toEqual(ga[g]);
        k.dispose();
      }
      one.dispose();
    },
  );

  it('cuts a batch by its size alone: slices of at least 8 rows, at most 16, contiguous blocks per thread', () => {
    expect(sliceBounds(7)).toEqual([[0, 7]]);
    expect(sliceBounds(50)).toHaveLength(6);
    expect(sliceBounds(64)).toEqual(Array.from({ length: 8 }, (_, i) => [8 * i, 8 * i + 8]));
    expect(sliceBounds(1000)).toHaveLength(16);
    expect(sliceBounds(1000).at(-1)![1]).toBe(1000);
    expect(threadBlocks(8, 3)).toEqual([
      [0, 2],
      [2, 5],
      [5, 8],
    ]);
    expect(threadBlocks(6, 1)).toEqual([[0, 6]]);
  });

  it.each(['simpleRNN', 'lstm', 'gru'] as Cell[])(
    '%s: backward without dx gives the same weight gradients and an empty dx',
    (cell) => {
      for (const features of [3, 10]) {
        const shape: RnnShape = { cell, batch: 20, steps: 5, features, units: 7, returnSequences: false };
        const { x, w, dy } = inputs(shape);
        const k = new WasmRnnKernel(2);
        const withDx = k.backward(k.forward(shape, x, w, true).tape!, dy);
        const without = k.backward(k.forward(shape, x, w, true).tape!, dy, { dx: false });
        expect(withDx.dx).toHaveLength(20 * 5 * features);
        expect(without.dx).toHaveLength(0);
        for (const g of ['dKernel', 'dRecurrentKernel', 'dBias'] as const) expect(without[g], g).toEqual(withDx[g]);
        k.dispose();
      }
    },
  );

  it('threads that sleep at once (spin 0) give the same results, and an idle pool stops spinning', async () => {
    const shape: RnnShape = { cell: 'lstm', batch: 48, steps: 6, features: 2, units: 9, returnSequences: false };
    const { x, w, dy } = inputs(shape);
    const spun = kernelSpinMicros();
    expect(spun).toBe(2000); // the default: RNN_KERNEL_SPIN_US is not set here
    const three = new WasmRnnKernel(3);
    const a = three.forward(shape, x, w, true);
    const ga = three.backward(a.tape!, dy);
    try {
      setKernelSpinMicros(0);
      const b = three.forward(shape, x, w, true);
      expect(b.output).toEqual(a.output);
      expect(three.backward(b.tape!, dy).dRecurrentKernel).toEqual(ga.dRecurrentKernel);
    } finally {
      setKernelSpinMicros(spun);
    }
    // Spinning is bounded: over 300 ms after the last call the two worker threads sleep (spinning
    // on, they would use about 600 ms of CPU in that time).
    three.forward(shape, x, w, false);
    const c0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 300));
    const c = process.cpuUsage(c0);
    expect((c.user + c.system) / 1000).toBeLessThan(150);
    three.dispose();
  });

  it('spins only while the load average is within the cores', () => {
    expect(effectiveSpin(2000, 1.9, 2)).toBe(2000); // one trainer's two threads
    expect(effectiveSpin(2000, 2.5, 2)).toBe(2000);
    expect(effectiveSpin(2000, 3.8, 2)).toBe(0); // a second trainer, a build
    expect(effectiveSpin(0, 0.1, 16)).toBe(0);
  });

  it('prestartKernelThreads starts the pool the first kernel call then uses, instead of starting it at the first batch', () => {
    const before = process.env.RNN_KERNEL_THREADS;
    process.env.RNN_KERNEL_THREADS = '3';
    try {
      shutdownKernelThreads();
      expect(kernelThreadPoolSize()).toBe(0);
      prestartKernelThreads();
      expect(kernelThreadPoolSize()).toBe(kernelThreadCount() - 1);
      const shape: RnnShape = { cell: 'gru', batch: 40, steps: 5, features: 2, units: 6, returnSequences: false };
      const { x, w } = inputs(shape);
      const k = new WasmRnnKernel(kernelThreadCount());
      const single = new WasmRnnKernel(1);
      expect(k.forward(shape, x, w, false).output).toEqual(single.forward(shape, x, w, false).output);
      expect(kernelThreadPoolSize()).toBe(2); // the same two threads, none started at the call
      k.dispose();
      single.dispose();
    } finally {
      if (before === undefined) delete process.env.RNN_KERNEL_THREADS;
      else process.env.RNN_KERNEL_THREADS = before;
      shutdownKernelThreads();
    }
  });

  it('keeps one tape per kernel, so two layers do not overwrite each other', () => {
    const shape: RnnShape = { cell: 'lstm', batch: 4, steps: 3, features: 2, units: 5, returnSequences: false };
    const { x, w, dy } = inputs(shape);
    const k1 = new WasmRnnKernel(1),
      k2 = new WasmRnnKernel(1);
    const r1 = k1.forward(shape, x, w, true);
    const g1 = k1.backward(r1.tape!, dy);
    const again = k1.forward(shape, x, w, true);
    k2.forward(shape, rand(x.length, 9), w, true); // another layer's forward in between
    expect(k1.backward(again.tape!, dy).dRecurrentKernel).toEqual(g1.dRecurrentKernel);
    expect(() => k2.backward(again.tape!, dy)).toThrow(/tape from another kernel/);
    k1.dispose();
    k2.dispose();
  });

  it('refuses inputs of the wrong size, naming the array', () => {
    const shape: RnnShape = { cell: 'gru', batch: 2, steps: 3, features: 2, units: 4, returnSequences: false };
    const { x, w } = inputs(shape);
    const k = new WasmRnnKernel(1);
    expect(() => k.forward(shape, x.subarray(1), w, false)).toThrow(/x has 11 values, expected 12/);
    expect(() => k.forward(shape, x, { ...w, bias: new Float32Array(3) }, false)).toThrow(
      /bias has 3 values, expected 12/,
    );
    const r = k.forward(shape, x, w, true);
    expect(() => k.backward(r.tape!, new Float32Array(3))).toThrow(/dy has 3 values, expected 8/);
    k.dispose();
    expect(() => k.forward(shape, x, w, false)).toThrow(/after dispose/);
  });

  it.each(['simpleRNN', 'lstm', 'gru'] as Cell[])(
    '%s: the relaxed SIMD (FMA) build gives the plain results',
    (cell) => {
      expect(relaxedSimdSupported()).toBe(true);
      const shape: RnnShape = { cell, batch: 9, steps: 6, features: 10, units: 13, returnSequences: true };
      const { x, w, dy } = inputs(shape);
      const plain = new WasmRnnKernel(1, 'simd'),
        fma = new WasmRnnKernel(1, 'relaxed-simd');
      expect(fma.name).toBe('fused-wasm-relaxed-simd');
      const a = plain.forward(shape, x, w, true),
        b = fma.forward(shape, x, w, true);
      const ga = plain.backward(a.tape!, dy),
        gb = fma.backward(b.tape!, dy);
      // FMA rounds once where mul + add rounded twice: equal to float precision, not bit for bit.
      const rel = (p: Float32Array, q: Float32Array) => {
        let d = 0,
          n = 0;
        for (let i = 0; i < p.length; i++) {
          d += (p[i]! - q[i]!) ** 2;
          n += q[i]! ** 2;
        }
        return Math.sqrt(d / n);
      };
      expect(rel(b.output, a.output)).toBeLessThan(1e-5);
      for (const k of ['dx', 'dKernel', 'dRecurrentKernel', 'dBias'] as const)
        expect(rel(gb[k], ga[k]), k).toBeLessThan(1e-5);
      plain.dispose();
      fma.dispose();
    },
  );

  it('the device line names the build, and the threads: measured up to the cores, or as RNN_KERNEL_THREADS sets them', () => {
    const cores = Math.min(16, availableParallelism());
    // The native engine where it runs (native.test.ts checks which), else the relaxed wasm build.
    expect(fusedDevice()).toMatch(
      new RegExp(
        `^(native avx512|native avx2|wasm relaxed simd) \\(fma\\), ${cores > 1 ? 'up to ' : ''}${cores} thread${cores > 1 ? 's' : ''}$`,
      ),
    );
    process.env.RNN_KERNEL_SIMD = 'simd';
    process.env.RNN_KERNEL_THREADS = '3';
    try {
      expect(fusedDevice()).toBe('wasm simd, 3 threads');
    } finally {
      delete process.env.RNN_KERNEL_SIMD;
      delete process.env.RNN_KERNEL_THREADS;
    }
  });

  it('the launch flag is given to V8 11.0–11.3 only (Node 20), and enables the relaxed build there', () => {
    expect(relaxedSimdFlag('11.3.244.8-node.33')).toEqual(['--experimental-wasm-relaxed-simd']);
    expect(relaxedSimdFlag('12.4.254.21-node.33')).toEqual([]);
    expect(relaxedSimdFlag('14.4.100')).toEqual([]);
    const probe = `process.stdout.write(String(WebAssembly.validate(Buffer.from('${RNN_WASM_RELAXED_BASE64}', 'base64'))))`;
    const r = spawnSync(process.execPath, [...relaxedSimdFlag(), '-e', probe], { encoding: 'utf8' });
    expect(r.stdout, r.stderr).toBe('true');
  });

  it('fusedSupported: every cell, never bidirectional', () => {
    expect(fusedSupported({ cell: 'lstm', bidirectional: false })).toBe(true);
    expect(fusedSupported({ cell: 'gru', bidirectional: true })).toBe(false);
  });
});
