// Scalers fitted on the training rows only, stored in checkpoints and exports as plain numbers.
export interface Scaler {
  kind: 'standard' | 'minmax' | 'none';
  /** x' = (x - offset) / scale */
  offset: number;
  scale: number;
}

export function fitScaler(kind: Scaler['kind'], values: ArrayLike<number>[]): Scaler {
  if (kind === 'none') return { kind, offset: 0, scale: 1 };
  let n = 0;
  let sum = 0;
  let sq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const arr of values) {
    for (let i = 0; i < arr.length; i++) {
      const x = arr[i]!;
      if (Number.isNaN(x)) continue;
      n++;
      sum += x;
      sq += x * x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  if (n === 0) return { kind, offset: 0, scale: 1 };
  if (kind === 'minmax') return { kind, offset: min, scale: max > min ? max - min : 1 };
  const mean = sum / n;
  const std = Math.sqrt(Math.max(sq / n - mean * mean, 0));
  return { kind, offset: mean, scale: std > 1e-12 ? std : 1 };
}

export const scale = (s: Scaler, x: number): number => (x - s.offset) / s.scale;
export const unscale = (s: Scaler, x: number): number => x * s.scale + s.offset;
