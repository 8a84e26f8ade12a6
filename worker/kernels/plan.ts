// How one layer's call is shared out: the batch's slices in contiguous blocks, one per thread
// (slices.ts), what each thread's engine sums of its slices' weight gradients, and the tree above
// those sums that the main thread's engine adds up. Cached per batch size and thread count.
import type { KernelBuild } from './modules.js';
import { threadPool, type ThreadSlot } from './pool.js';
import {
  blockNodes,
  nodeExpr,
  sliceBounds,
  threadBlocks,
  topExpr,
  type GradExpr,
  type TopExpr,
  type TreeNode,
} from './slices.js';

export interface Part {
  /** The thread: null for the main thread. */
  slot: ThreadSlot | null;
  /** Its rows of the batch, [b0, b1): a run of whole slices. */
  b0: number;
  b1: number;
  /** The gradient-tree nodes its slices make up, and how its engine sums each (rows relative to b0). */
  nodes: TreeNode[];
  pieces: GradExpr[];
}

export interface Plan {
  /** One part per thread, in batch order (the main thread's first). */
  parts: Part[];
  slices: number;
  /** The gradient tree above the parts' pieces, and the depths of the main thread's (slices.ts topExpr). */
  top: TopExpr;
  depths: number[];
}

/** The plan of a batch of `batch` rows over the main thread and `slots` (worker threads). */
export function planBatch(batch: number, slots: ThreadSlot[]): Plan {
  const bounds = sliceBounds(batch);
  const n = bounds.length;
  const parts = threadBlocks(n, slots.length + 1).map(([lo, hi], j): Part => {
    const b0 = bounds[lo]![0];
    const nodes = blockNodes(n, lo, hi);
    const pieces = nodes.map((nd) => nodeExpr(n, nd, bounds, b0));
    return { slot: j === 0 ? null : slots[j - 1]!, b0, b1: bounds[hi - 1]![1], nodes, pieces };
  });
  return {
    parts,
    slices: n,
    ...topExpr(
      n,
      parts.map((p) => p.nodes),
    ),
  };
}

/**
 * The plan of `batch` rows over `want` threads of `build`'s pool, cached in `plans` (a layer's
 * kernel and the split step each keep theirs), made again when one of its threads has broken.
 */
export function cachedPlan(plans: Map<number, Plan>, build: KernelBuild, batch: number, want: number): Plan {
  const key = batch * 32 + want; // want ≤ 16
  let plan = plans.get(key);
  if (!plan || plan.parts.some((p) => p.slot?.broken)) {
    const slots =
      want > 1
        ? threadPool(build, want)
            .filter((s) => !s.broken)
            .slice(0, want - 1)
        : [];
    plan = planBatch(batch, slots);
    plans.set(key, plan);
  }
  return plan;
}
