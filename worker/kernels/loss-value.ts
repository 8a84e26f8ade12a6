// The batch's mean loss from its predictions, as TF.js reports it (the fused step computes the
// gradient in its step engine, src/step.c loss_grad; the value needs a logarithm and is taken here).
export type StepLoss = 'mse' | 'mae' | 'huber' | 'crossentropy';

/** Mean over the batch of p [rows, N] against the targets t; cross-entropy on p / sum(p) clipped to [1e-7, 1 - 1e-7]. */
export function meanLoss(loss: StepLoss, p: Float32Array, t: Float32Array, N: number): number {
  let s = 0;
  if (loss === 'crossentropy') {
    for (let i = 0; i < p.length; i += N) {
      let sum = 0;
      for (let j = 0; j < N; j++) sum += p[i + j]!;
      for (let j = 0; j < N; j++) s -= t[i + j]! * Math.log(Math.min(Math.max(p[i + j]! / sum, 1e-7), 1 - 1e-7));
    }
    return s / (p.length / N);
  }
  for (let i = 0; i < p.length; i++) {
    const e = Math.abs(p[i]! - t[i]!);
    s += loss === 'mse' ? e * e : loss === 'mae' ? e : e <= 1 ? 0.5 * e * e : e - 0.5;
  }
  return s / p.length;
}
