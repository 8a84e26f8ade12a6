// The weight gradients' sum over a batch's slices follows one fixed tree, so any split of the slices
// into contiguous blocks (one per thread) gives the same float32 bits.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  blockNodes,
  children,
  root,
  threadBlocks,
  topExpr,
  type TopExpr,
  type TreeNode,
} from '../../../worker/kernels/slices.js';

/** The engine's accumulators (src/rnn.c ACC_DEPTH): the deepest the sum tree may go. */
const ACC_DEPTH = Number(
  /#define ACC_DEPTH (\d+)/.exec(
    readFileSync(new URL('../../../worker/kernels/src/rnn.c', import.meta.url), 'utf8'),
  )![1],
);

/** Each slice's "gradient": one array of values of very different magnitudes (the order matters). */
function sliceGrads(n: number): Float32Array[] {
  let s = 11;
  return Array.from({ length: n }, () =>
    Float32Array.from({ length: 33 }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s / 2 ** 32 - 0.5) * 10 ** ((s % 9) - 4);
    }),
  );
}

/** A node's sum the way an engine computes it: leaves, then left + right up its subtree. */
function subtreeSum(n: number, t: TreeNode, g: Float32Array[]): Float32Array {
  if (t.hi - t.lo === 1) return g[t.lo]!.slice();
  const [l, r] = children(n, t).map((c) => subtreeSum(n, c, g));
  if (r) for (let i = 0; i < l!.length; i++) l![i]! += r[i]!;
  return l!;
}

describe('gradient tree', () => {
  it('a power-of-two thread count makes each thread block one node', () => {
    for (const n of [4, 6, 8, 13, 16])
      for (const t of [1, 2, 4, 8].filter((x) => x <= n))
        for (const [lo, hi] of threadBlocks(n, t))
          expect(blockNodes(n, lo, hi), `${n} slices, ${t} threads`).toHaveLength(1);
  });

  it('every split into contiguous blocks covers the slices exactly and sums to the same bits', () => {
    for (let n = 1; n <= 16; n++) {
      const g = sliceGrads(n);
      const want = subtreeSum(n, root(n), g);
      // Not a plain left-to-right sum: the order is the tree's (this is what could differ by thread).
      for (let t = 1; t <= n; t++) {
        const parts = threadBlocks(n, t).map(([lo, hi]) => blockNodes(n, lo, hi));
        const covered = parts.flat().flatMap((nd) => Array.from({ length: nd.hi - nd.lo }, (_, i) => nd.lo + i));
        expect(covered, `${n} slices, ${t} threads`).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(gather(n, parts, g), `${n} slices, ${t} threads`).toEqual(want);
      }
    }
  });

  it('a missing piece is an error, not a silent zero', () => {
    expect(() => topExpr(4, [[root(4)].map((r) => children(4, r)[0]!)])).toThrow(/no gradient for slice 2/);
  });
});

/**
 * The main thread's engine as engine-src.ts runs it: its own nodes summed into the accumulators
 * topExpr names (each also using the deeper ones as scratch, here filled with NaN), then the tree
 * above with the other threads' sums copied in, accumulator d += accumulator d + 1 in float32.
 */
function gather(n: number, parts: TreeNode[][], g: Float32Array[]): Float32Array {
  const { top, depths } = topExpr(n, parts);
  const acc: Float32Array[] = Array.from({ length: ACC_DEPTH }, () => new Float32Array(g[0]!.length).fill(NaN));
  parts[0]!.forEach((nd, k) => {
    for (let d = depths[k]! + 1; d < ACC_DEPTH; d++) acc[d]!.fill(NaN);
    acc[depths[k]!] = subtreeSum(n, nd, g);
  });
  const walk = (e: TopExpr, d: number): void => {
    expect(d).toBeLessThan(ACC_DEPTH);
    if ('own' in e) return;
    if ('ext' in e) {
      acc[d] = subtreeSum(n, parts[e.ext[0]]![e.ext[1]]!, g);
      return;
    }
    walk(e.l, d);
    walk(e.r, d + 1);
    const [a, b] = [acc[d]!, acc[d + 1]!];
    for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
  };
  walk(top, 0);
  return acc[0]!;
}
