// TF.js's Orthogonal initializer, fast. tf.initializers.orthogonal factors its random matrix with
// tf.linalg.qr, a loop of small tensor ops: 1.1–2 s for one LSTM(32) recurrent kernel on the cpu
// backend (and it grows with units), the largest single step of a trainer's start-up (issue 15
// item 4). This computes the same matrix: the same seeded normal draw, its QR with R's diagonal made
// positive (the unique factor tf's sign fix also yields), here by Gram-Schmidt in float64 (twice,
// for orthogonality to rounding), transposed when rows < columns, times the gain. The values agree
// with tf's to float32 rounding; the initializer keeps tf's class and config, so saved topologies
// and checkpoints are unchanged.
import type * as TF from '@tensorflow/tfjs';
import { tf } from '../tf.js';

/** Q (m×n, row-major) of A = QR with diag(R) > 0, for m ≥ n. */
export function orthonormalColumns(a: ArrayLike<number>, m: number, n: number): Float64Array {
  // Column-major working copy: column j is q[j*m .. j*m+m).
  const q = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[j * m + i] = a[i * n + j]!;
  for (let j = 0; j < n; j++) {
    const cj = j * m;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const ck = k * m;
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[ck + i]! * q[cj + i]!;
        for (let i = 0; i < m; i++) q[cj + i]! -= dot * q[ck + i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[cj + i]! * q[cj + i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) q[cj + i] = norm > 0 ? q[cj + i]! / norm : 0;
  }
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = q[j * m + i]!;
  return out;
}

type Initializer = ReturnType<typeof tf.initializers.orthogonal>;

/** Drop-in for tf.initializers.orthogonal({ seed, gain }). */
export function orthogonal(args: { seed?: number; gain?: number }): Initializer {
  const init = tf.initializers.orthogonal(args);
  const gain = args.gain ?? 1;
  init.apply = (anyShape: TF.Shape, dtype?: TF.DataType): TF.Tensor => {
    if (anyShape.length < 2 || anyShape.some((d) => d === null))
      throw new Error('Shape must be at least 2D and known.');
    const shape = anyShape as number[];
    const numRows = shape.slice(0, -1).reduce((x, y) => x * y, 1);
    const numCols = shape[shape.length - 1]!;
    const m = Math.max(numRows, numCols);
    const n = Math.min(numRows, numCols);
    // The draw tf's Orthogonal makes (K.randomNormal(flatShape, 0, 1, dtype, seed)).
    const draw = tf.tidy(() => tf.randomNormal([m, n], 0, 1, (dtype ?? 'float32') as 'float32', args.seed).dataSync());
    const q = orthonormalColumns(draw, m, n);
    const out = new Float32Array(m * n);
    if (numRows < numCols) {
      // tf transposes Q (m×n) to n×m = numRows×numCols.
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = gain * q[i * n + j]!;
    } else for (let k = 0; k < m * n; k++) out[k] = gain * q[k]!;
    return tf.tensor(out, shape, dtype ?? 'float32');
  };
  return init;
}
