// The fused RNN as a TF.js layer: the whole sequence forward and its BPTT are one tf.customGrad
// op each, computed by an RnnKernel (WebAssembly SIMD by default). Weights have tf.layers' names,
// order, shapes and initialisers, so model.getWeights()/setWeights() move them between a fused
// model and a tf.layers.lstm/gru/simpleRNN model (the exporter rebuilds a tf.layers model).
// Works under any TF.js backend: inputs are read with dataSync() and results wrapped with
// tf.tensor(), so a GPU backend would pay a download per call.
import type * as TF from '@tensorflow/tfjs';
import { tf } from '../tf.js';
import { orthogonal } from '../model/orthogonal.js';
import { gateCount, isCell, type Cell, type RecurrentActivation, type RnnKernel, type RnnShape } from './types.js';
import { WasmRnnKernel } from './wasm.js';

export interface FusedRnnConfig {
  cell: Cell;
  units: number;
  returnSequences: boolean;
  name?: string;
  inputShape?: [number, number];
  /** Gate activation of lstm/gru; default 'hardSigmoid', like tf.layers. */
  recurrentActivation?: RecurrentActivation;
  /** LSTM only: forget-gate bias initialised to 1 (tf.layers' unitForgetBias); default false like tf.layers. */
  unitForgetBias?: boolean;
  /**
   * Seeded initialisers exactly as the model builder's tf.layers factory (worker/model/build.ts)
   * makes them: glorotUniform({seed}) kernel, orthogonal({seed: seed + 1}) recurrent kernel, so a
   * fused and a tf.layers model built from one seed start from the same weights. Without a seed:
   * tf.layers' defaults (glorotNormal, orthogonal, unseeded).
   */
  seed?: number;
  /** Supplies the kernel; default a WasmRnnKernel per layer. */
  kernelFactory?: () => RnnKernel;
}

type Init = ReturnType<typeof tf.initializers.zeros>;

function initializers(seed: number | undefined): { kernel: Init; recurrent: Init; bias: Init } {
  const bias = tf.initializers.zeros();
  if (seed != null) {
    return {
      kernel: tf.initializers.glorotUniform({ seed }),
      recurrent: orthogonal({ seed: seed + 1 }),
      bias,
    };
  }
  // tf.layers' own defaults for recurrent cells.
  return { kernel: tf.initializers.glorotNormal({}), recurrent: orthogonal({ gain: 1 }), bias };
}

export class FusedRnn extends tf.layers.Layer {
  static className = 'FusedRnn';
  readonly cell: Cell;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly recurrentActivation: RecurrentActivation;
  private readonly cfg: FusedRnnConfig;
  private kernelW: TF.LayerVariable | null = null;
  private recurrentW: TF.LayerVariable | null = null;
  private biasW: TF.LayerVariable | null = null;
  private impl: RnnKernel | null = null;

  constructor(cfg: FusedRnnConfig) {
    super({ name: cfg.name, inputShape: cfg.inputShape, trainable: true });
    if (!Number.isInteger(cfg.units) || cfg.units < 1)
      throw new Error(`fusedRnnLayer: units must be a positive integer, got ${cfg.units}`);
    if (!isCell(cfg.cell))
      throw new Error(`fusedRnnLayer: cell must be simpleRNN, lstm or gru, got ${String(cfg.cell)}`);
    this.cfg = cfg;
    this.cell = cfg.cell;
    this.units = cfg.units;
    this.returnSequences = cfg.returnSequences;
    this.recurrentActivation = cfg.recurrentActivation ?? 'hardSigmoid';
  }

  override build(inputShape: TF.Shape | TF.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as TF.Shape;
    if (shape.length !== 3)
      throw new Error(`${this.name}: expects input [batch, steps, features], got [${shape.join(', ')}]`);
    const F = shape[2];
    if (F == null) throw new Error(`${this.name}: the feature count must be known`);
    const GH = gateCount(this.cell) * this.units;
    const init = initializers(this.cfg.seed);
    this.kernelW = this.addWeight('kernel', [F, GH], 'float32', init.kernel);
    this.recurrentW = this.addWeight('recurrent_kernel', [this.units, GH], 'float32', init.recurrent);
    this.biasW = this.addWeight('bias', [GH], 'float32', init.bias);
    if (this.cell === 'lstm' && this.cfg.unitForgetBias) {
      // tf.layers' unitForgetBias: the forget gate's bias block (i, f, c, o) starts at 1.
      const H = this.units;
      this.biasW.write(tf.tidy(() => tf.concat([tf.zeros([H]), tf.ones([H]), tf.zeros([2 * H])])));
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: TF.Shape | TF.Shape[]): TF.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as TF.Shape;
    return this.returnSequences ? [s[0]!, s[1]!, this.units] : [s[0]!, this.units];
  }

  /** The kernel computing this layer (created on first use); the fused train step calls it directly. */
  rnnKernel(): RnnKernel {
    this.impl ??= this.cfg.kernelFactory ? this.cfg.kernelFactory() : new WasmRnnKernel();
    return this.impl;
  }

  override call(inputs: TF.Tensor | TF.Tensor[]): TF.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const impl = this.rnnKernel();
    const cell = this.cell,
      units = this.units,
      returnSequences = this.returnSequences;
    const recurrentActivation = this.recurrentActivation;
    const op = tf.customGrad(((xt: TF.Tensor, k: TF.Tensor, rk: TF.Tensor, b: TF.Tensor) => {
      const [B, T, F] = xt.shape as [number, number, number];
      const shape: RnnShape = { cell, batch: B, steps: T, features: F, units, returnSequences, recurrentActivation };
      const res = impl.forward(
        shape,
        toF32(xt),
        { kernel: toF32(k), recurrentKernel: toF32(rk), bias: toF32(b) },
        true,
      );
      const value = tf.tensor(res.output, returnSequences ? [B, T, units] : [B, units], 'float32');
      const tape = res.tape!;
      const gradFunc = (dy: TF.Tensor) => {
        const g = impl.backward(tape, toF32(dy));
        return [
          tf.tensor(g.dx, xt.shape, 'float32'),
          tf.tensor(g.dKernel, k.shape, 'float32'),
          tf.tensor(g.dRecurrentKernel, rk.shape, 'float32'),
          tf.tensor(g.dBias, b.shape, 'float32'),
        ];
      };
      return { value, gradFunc };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(x, this.kernelW!.read(), this.recurrentW!.read(), this.biasW!.read()) as TF.Tensor;
  }

  override dispose(): ReturnType<TF.layers.Layer['dispose']> {
    this.impl?.dispose();
    this.impl = null;
    return super.dispose();
  }

  override getConfig(): TF.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      cell: this.cell,
      units: this.units,
      returnSequences: this.returnSequences,
      recurrentActivation: this.recurrentActivation,
      unitForgetBias: this.cfg.unitForgetBias ?? false,
    };
  }
}
tf.serialization.registerClass(FusedRnn);

function toF32(t: TF.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}
