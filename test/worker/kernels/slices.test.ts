// The weight gradients' sum over a batch's slices follows one fixed tree, so any split of the slices
// into contiguous blocks (one per thread) gives the same float32 bits.
import { describe, expect, it } from 'vitest';
import {
  blockNodes,
  children,
  root,
  sumTree,
  nodeKey,
  threadBlocks,
  type TreeNode,
} from '../../../worker/kernels/slices.js';

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
        const got = new Map<string, Float32Array[]>();
        const covered: number[] = [];
        for (const [lo, hi] of threadBlocks(n, t))
          for (const nd of blockNodes(n, lo, hi)) {
            for (let i = nd.lo; i < nd.hi; i++) covered.push(i);
            got.set(nodeKey(nd), [subtreeSum(n, nd, g)]);
          }
        expect(covered, `${n} slices, ${t} threads`).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(sumTree(n, got)[0], `${n} slices, ${t} threads`).toEqual(want);
      }
    }
  });

  it('a missing piece is an error, not a silent zero', () => {
    expect(() => sumTree(4, new Map())).toThrow(/no gradient for slice/);
  });
});
