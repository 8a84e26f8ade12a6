// How a batch is cut for the kernel's threads, and the fixed order in which the slices' weight
// gradients are summed, so that the results are the same bits whatever the number of threads.
//
// Slices: at least 8 rows each, at most 16, by the batch size alone (sliceBounds). Thread j of t
// runs the contiguous block [⌊n·j/t⌋, ⌊n·(j+1)/t⌋) of the n slices (threadBlocks; 0 is the main
// thread).
//
// The sum: a fixed binary tree over the slices. Node (k, a) of a batch of n slices covers slices
// [⌊n·a/2^k⌋, ⌊n·(a+1)/2^k⌋); its children are (k+1, 2a) and (k+1, 2a+1), and a one-slice node is
// a leaf. A thread's block is one node when t is a power of two and a few otherwise: the thread
// sums each node of its block in its own engine, in the tree's order (rnn_wgrad_to, rnn_acc_add),
// and sends only those sums; the main thread's engine adds them up the same tree (topExpr), in its
// accumulators: vector adds, where a sum in JavaScript cost 1 ns a float (37 µs a batch at GRU 64).

/** Rows per slice below which a worker round-trip costs more than it saves. */
const MIN_ROWS_PER_SLICE = 8;
/** Slices per batch at most: the most threads one layer can use. */
export const MAX_SLICES = 16;

/** How many slices a batch of `batch` rows is cut into (sliceBounds' length). */
export function sliceCount(batch: number): number {
  return Math.max(1, Math.min(MAX_SLICES, Math.floor(batch / MIN_ROWS_PER_SLICE)));
}

/**
 * How a batch of `batch` rows is cut: into slices of at least 8 rows, at most 16, by the batch
 * size alone, so that the results never depend on how many threads run the slices.
 */
export function sliceBounds(batch: number): [number, number][] {
  const n = sliceCount(batch);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push([Math.floor((batch * i) / n), Math.floor((batch * (i + 1)) / n)]);
  return out;
}

/**
 * The slices each of `threads` threads runs: thread j the block [⌊n·j/t⌋, ⌊n·(j+1)/t⌋) of the n
 * slices (0 is the main thread): one node of the gradient tree when t is a power of two.
 */
export function threadBlocks(slices: number, threads: number): [number, number][] {
  return Array.from({ length: threads }, (_, j) => [
    Math.floor((slices * j) / threads),
    Math.floor((slices * (j + 1)) / threads),
  ]);
}

export interface TreeNode {
  k: number;
  a: number;
  lo: number;
  hi: number;
}

/** What an engine evaluates for one node: a slice's rows (relative to the engine's first row), or the sum of two. */
export type GradExpr = { b0: number; b1: number } | { l: GradExpr; r: GradExpr };

export function node(n: number, k: number, a: number): TreeNode {
  return { k, a, lo: Math.floor((n * a) / 2 ** k), hi: Math.floor((n * (a + 1)) / 2 ** k) };
}

export const root = (n: number): TreeNode => node(n, 0, 0);
export const nodeKey = (t: TreeNode): string => `${t.k}:${t.a}`;

/** The non-empty children of a node of two slices or more. */
export function children(n: number, t: TreeNode): TreeNode[] {
  return [node(n, t.k + 1, 2 * t.a), node(n, t.k + 1, 2 * t.a + 1)].filter((c) => c.hi > c.lo);
}

/** The largest nodes that together cover the slices [lo, hi) exactly. */
export function blockNodes(n: number, lo: number, hi: number, t: TreeNode = root(n)): TreeNode[] {
  if (t.hi <= lo || t.lo >= hi || t.hi <= t.lo) return [];
  if (t.lo >= lo && t.hi <= hi) return [t];
  return children(n, t).flatMap((c) => blockNodes(n, lo, hi, c));
}

/** A node's sum as an engine computes it: `bounds` the slices' rows, `rowBase` the engine's first row. */
export function nodeExpr(n: number, t: TreeNode, bounds: [number, number][], rowBase: number): GradExpr {
  if (t.hi - t.lo === 1) {
    const [b0, b1] = bounds[t.lo]!;
    return { b0: b0 - rowBase, b1: b1 - rowBase };
  }
  const [l, r] = children(n, t).map((c) => nodeExpr(n, c, bounds, rowBase));
  return r ? { l: l!, r } : l!;
}

/**
 * The sum above the threads' nodes, as the main thread's engine evaluates it (engine-src.ts
 * 'gather'): accumulator d += accumulator d + 1 at every node, left child at the node's depth,
 * right child one deeper, as an engine sums below its nodes. The main thread's own nodes (part 0)
 * are already in their accumulators, at the depths `depths` gives (its backward puts them there);
 * the other parts' sums are copied in (`ext`: part j's piece k).
 *
 * The main thread's nodes are the tree's left-most, so everything evaluated before one of them is
 * its own: nothing overwrites an own node's accumulator before the node's parent adds it up.
 */
export type TopExpr = { own: number } | { ext: [number, number] } | { l: TopExpr; r: TopExpr };

export function topExpr(n: number, partNodes: TreeNode[][]): { top: TopExpr; depths: number[] } {
  const where = new Map<string, [number, number]>();
  partNodes.forEach((nodes, j) => nodes.forEach((nd, k) => where.set(nodeKey(nd), [j, k])));
  const depths: number[] = [];
  const walk = (t: TreeNode, d: number): TopExpr => {
    const at = where.get(nodeKey(t));
    if (at?.[0] === 0) {
      depths[at[1]] = d;
      return { own: at[1] };
    }
    if (at) return { ext: at };
    const parts = children(n, t);
    if (!parts.length) throw new Error(`fused RNN kernel: no gradient for slice ${t.lo}`);
    const [l, r] = parts.map((c, i) => walk(c, d + i));
    return r ? { l: l!, r } : l!;
  };
  const top = walk(root(n), 0);
  if (depths.length !== (partNodes[0]?.length ?? 0) || depths.some((d) => d === undefined))
    throw new Error("fused RNN kernel: the main thread's gradient pieces are not all in the tree");
  return { top, depths };
}
