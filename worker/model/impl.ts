// Chooses the implementation of the RNN layers: the fused kernels by default where the spec
// allows them (no bidirectional wrapper), tf.layers otherwise or when the kernels fail to load.
import type { RunSpec } from '../../core/contract.js';
import { layersRnn, type RnnFactory } from './build.js';

export interface ImplChoice {
  name: string;
  factory: RnnFactory;
  /** True when the fused kernels run the recurrent layers. */
  fused: boolean;
  /** Where the fused kernels run, e.g. `wasm relaxed simd (fma), up to 2 threads`. */
  device?: string;
  /** Sends each fused layer's thread-count choice (made on the first batches) to the run log. */
  logThreads?: (log: (msg: string) => void) => void;
  note?: string;
}

export async function chooseImpl(spec: RunSpec): Promise<ImplChoice> {
  const want = spec.model.impl;
  if (want === 'layers') return { name: 'tf.layers', factory: layersRnn, fused: false };
  if (spec.model.bidirectional) {
    return {
      name: 'tf.layers',
      factory: layersRnn,
      fused: false,
      note: 'fused kernels do not cover bidirectional layers: using tf.layers',
    };
  }
  try {
    const k = (await import('../kernels/index.js')) as {
      fusedRnnLayer: (cfg: {
        cell: RunSpec['model']['cell'];
        units: number;
        returnSequences: boolean;
        name?: string;
        seed?: number;
      }) => ReturnType<RnnFactory>;
      fusedImplName: () => string;
      fusedSupported: (o: { cell: RunSpec['model']['cell']; bidirectional: boolean }) => boolean;
      fusedDevice: () => string;
      fusedNote: () => string | null;
      logThreadChoices: (log: (msg: string) => void) => void;
    };
    if (!k.fusedSupported({ cell: spec.model.cell, bidirectional: spec.model.bidirectional })) {
      return {
        name: 'tf.layers',
        factory: layersRnn,
        fused: false,
        note: `fused kernels do not support this ${spec.model.cell} configuration: using tf.layers`,
      };
    }
    return {
      name: k.fusedImplName(),
      factory: (cfg) => k.fusedRnnLayer(cfg),
      fused: true,
      device: k.fusedDevice(),
      logThreads: k.logThreadChoices,
      ...(k.fusedNote() ? { note: k.fusedNote()! } : {}),
    };
  } catch (e) {
    if (want === 'fused') throw e;
    return {
      name: 'tf.layers',
      factory: layersRnn,
      fused: false,
      note: `fused kernels unavailable (${(e as Error).message.split('\n')[0]}): using tf.layers`,
    };
  }
}
