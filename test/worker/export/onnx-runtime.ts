// How to run an ONNX export from JavaScript with onnxruntime-node: the snippet docs/export.md
// translates to Python (onnxruntime.InferenceSession). Keep the two in step.
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `windows[i]`: lookback rows of raw values, columns in preprocessing.json's `onnx.input.columns` order. */
export async function runOnnxExport(dir: string, windows: number[][][]): Promise<number[][]> {
  const prep = JSON.parse(readFileSync(join(dir, 'preprocessing.json'), 'utf8'));
  const session = await ort.InferenceSession.create(join(dir, prep.onnx.file));
  const [lookback, features] = prep.onnx.input.shape.slice(1);
  const x = new ort.Tensor('float32', Float32Array.from(windows.flat(2)), [windows.length, lookback, features]);
  const result = await session.run({ [prep.onnx.input.name]: x });
  const y = result[prep.onnx.output.name]!;
  const width = y.dims[1]!;
  const data = y.data as Float32Array;
  return windows.map((_, i) => Array.from(data.subarray(i * width, (i + 1) * width)));
}
