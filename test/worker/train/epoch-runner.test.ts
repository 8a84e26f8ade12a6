// The CPU epoch runner: a whole epoch reports every batch as done; a stop request seen between
// batches ends the epoch early and says so (a partial epoch), with the loss of the batches done.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../../core/contract.js';
import { prepare } from '../../../worker/data/prepare.js';
import type { SourceColumn } from '../../../core/spec-rules.js';
import { buildModel, layersRnn, lossFor, optimizerFor } from '../../../worker/model/build.js';
import { cpuEpochRunner } from '../../../worker/train/cpu-epochs.js';
import type { EpochHooks, StopReason } from '../../../worker/train/epoch-runner.js';

function setup() {
  const v: SourceColumn = {
    name: 'v',
    kind: 'numeric',
    values: Float64Array.from({ length: 120 }, (_, i) => Math.sin(i / 5)),
  };
  const spec = parseSpec({
    target: 'v',
    window: { lookback: 6, horizon: 1 },
    model: { layers: [{ units: 4 }] },
    train: { batchSize: 16, seed: 3 },
  });
  const p = prepare(
    spec,
    { name: 'd', rowCount: 120, timeColumn: null, seriesColumn: null, columns: [{ name: 'v', kind: 'numeric' }] },
    () => v,
  );
  const model = buildModel(
    spec,
    { lookback: p.lookback, features: p.features.length, outputs: p.outputs.length },
    layersRnn,
  );
  const optimizer = optimizerFor(spec);
  model.compile({ optimizer, loss: lossFor(spec) as never });
  const n = p.windows.train.length / 2;
  return {
    runner: cpuEpochRunner(model, optimizer, p),
    order: Int32Array.from({ length: n }, (_, i) => i),
    batches: Math.ceil(n / 16),
    model,
  };
}

function hooks(stopAfter: number | null) {
  const finals: number[] = [];
  let calls = 0;
  const h: EpochHooks = {
    progress: (p, final) => {
      if (final) finals.push(p.batch);
    },
    yieldPoint: async (): Promise<StopReason | null> => (++calls === stopAfter ? 'stop-requested' : null),
  };
  return { h, finals };
}

describe('CPU epoch runner', () => {
  it('runs every batch of a complete epoch', async () => {
    const { runner, order, batches, model } = setup();
    const { h, finals } = hooks(null);
    const r = await runner.run({ epoch: 1, order, batches, batchSize: 16 }, h);
    expect(r).toMatchObject({ steps: batches, seen: order.length, interrupted: null });
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(finals).toEqual([batches]);
    expect(await runner.optimizerState()).not.toBeNull();
    model.dispose();
    tf.disposeVariables();
  });

  it('ends a stopped epoch after the current batch and reports it as partial', async () => {
    const { runner, order, batches, model } = setup();
    expect(batches).toBeGreaterThan(2);
    const { h } = hooks(2);
    const r = await runner.run({ epoch: 1, order, batches, batchSize: 16 }, h);
    expect(r).toMatchObject({ steps: 2, seen: 32, interrupted: 'stop-requested' });
    model.dispose();
  });
});
