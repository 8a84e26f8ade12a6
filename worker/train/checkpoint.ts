// Model weights and optimizer state to and from checkpoint BLOBs. Weights keep the tf.layers
// order and shapes, so a checkpoint of a fused model loads into a tf.layers model (export).
import type * as TF from '@tensorflow/tfjs';
import { tf } from '../tf.js';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export function packWeights(tensors: { name: string; tensor: TF.Tensor }[]): { specs: WeightSpec[]; data: Buffer } {
  const total = tensors.reduce((s, t) => s + t.tensor.size, 0);
  const out = new Float32Array(total);
  let off = 0;
  const specs: WeightSpec[] = [];
  for (const { name, tensor } of tensors) {
    out.set(tensor.dataSync() as Float32Array, off);
    off += tensor.size;
    specs.push({ name, shape: tensor.shape, dtype: 'float32' });
  }
  return { specs, data: Buffer.from(out.buffer, out.byteOffset, out.byteLength) };
}

export function unpackWeights(specs: WeightSpec[], data: Buffer): { name: string; tensor: TF.Tensor }[] {
  const all = new Float32Array(Uint8Array.prototype.slice.call(data).buffer);
  let off = 0;
  return specs.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const tensor = tf.tensor(all.subarray(off, off + size), s.shape, 'float32');
    off += size;
    return { name: s.name, tensor };
  });
}

export function modelWeights(model: TF.LayersModel): { specs: WeightSpec[]; data: Buffer } {
  const ws = model.weights;
  const values = model.getWeights();
  return packWeights(ws.map((w, i) => ({ name: w.originalName, tensor: values[i]! })));
}

export function setModelWeights(model: TF.LayersModel, specs: WeightSpec[], data: Buffer): void {
  const ts = unpackWeights(specs, data);
  if (ts.length !== model.weights.length) {
    throw new Error(`checkpoint has ${ts.length} weight tensors, the model has ${model.weights.length}`);
  }
  model.setWeights(ts.map((t) => t.tensor));
  tf.dispose(ts.map((t) => t.tensor));
}

export async function optimizerState(opt: TF.Optimizer): Promise<{ specs: WeightSpec[]; data: Buffer }> {
  const named = await opt.getWeights();
  const packed = packWeights(named.map((n) => ({ name: n.name, tensor: n.tensor })));
  return packed;
}

export async function restoreOptimizer(opt: TF.Optimizer, specs: WeightSpec[], data: Buffer): Promise<void> {
  const ts = unpackWeights(specs, data);
  // Adam/RMSProp map their slots to variables by position, so names from another process are fine.
  await opt.setWeights(ts.map((t) => ({ name: t.name, tensor: t.tensor })));
}
