// The raw WebAssembly kernel: splitting a batch over worker threads gives the single-thread
// results, inputs of the wrong size are refused with a message naming the array, and a tape
// cannot be replayed on another kernel.
import { afterAll, describe, expect, it } from 'vitest';
import { fusedSupported, shutdownKernelThreads, WasmRnnKernel } from '../../../worker/kernels/index.js';
import { gateCount, type Cell, type RnnShape } from '../../../worker/kernels/types.js';

afterAll(() => {
  shutdownKernelThreads();
});

function rand(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

function inputs(shape: RnnShape) {
  const GH = gateCount(shape.cell) * shape.units;
  return {
    x: rand(shape.batch * shape.steps * shape.features, 1),
    w: {
      kernel: rand(shape.features * GH, 2, 0.5),
      recurrentKernel: rand(shape.units * GH, 3, 0.3),
      bias: rand(GH, 4, 0.1),
    },
    dy: rand(shape.batch * (shape.returnSequences ? shape.steps : 1) * shape.units, 5),
  };
}

describe('WasmRnnKernel', () => {
  it.each(['simpleRNN', 'lstm', 'gru'] as Cell[])('%s: 3 threads give the 1-thread results', (cell) => {
    const shape: RnnShape = { cell, batch: 50, steps: 7, features: 3, units: 11, returnSequences: true };
    const { x, w, dy } = inputs(shape);
    const one = new WasmRnnKernel(1),
      three = new WasmRnnKernel(3);
    const a = one.forward(shape, x, w, true),
      b = three.forward(shape, x, w, true);
    expect(b.output).toEqual(a.output);
    const ga = one.backward(a.tape!, dy),
      gb = three.backward(b.tape!, dy);
    expect(gb.dx).toEqual(ga.dx);
    // Weight gradients are sums over the batch: per-thread partial sums reorder the additions.
    for (const k of ['dKernel', 'dRecurrentKernel', 'dBias'] as const) {
      const d = ga[k].reduce((m, v, i) => Math.max(m, Math.abs(v - gb[k][i]!)), 0);
      const n = ga[k].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(d / n, k).toBeLessThan(1e-5);
    }
    one.dispose();
    three.dispose();
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

  it('fusedSupported: every cell, never bidirectional', () => {
    expect(fusedSupported({ cell: 'lstm', bidirectional: false })).toBe(true);
    expect(fusedSupported({ cell: 'gru', bidirectional: true })).toBe(false);
  });
});
