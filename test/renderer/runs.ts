// Builds RunRow values shaped like the service's, for table and chart tests.
import { RunSpecSchema, type RunRow } from '../../core/contract.js';

export function makeRun(
  id: number,
  over: Partial<RunRow> & { units?: number; valLoss?: number | null; rmse?: number } = {},
): RunRow {
  const { units = 16, valLoss = 1 / id, rmse, ...rest } = over;
  return {
    id,
    name: `run-${id}`,
    datasetId: 1,
    datasetName: 'city-energy',
    status: 'completed',
    waitReason: null,
    spec: RunSpecSchema.parse({ target: 'load_mw', model: { cell: 'gru', layers: [{ units }] } }),
    seed: 42,
    backend: 'wasm',
    device: 'cpu',
    impl: 'fused-wasm',
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: `2026-01-01T00:00:${String(id % 60).padStart(2, '0')}.000Z`,
    error: null,
    parentId: null,
    notes: '',
    tags: id % 2 ? ['odd'] : ['even'],
    paramCount: 100 + id,
    epochsDone: 3,
    summary:
      valLoss === null
        ? []
        : [{ key: 'val_loss', last: valLoss, best: valLoss, bestEpoch: 3, min: valLoss, max: valLoss * 2 }],
    test:
      rmse === undefined
        ? { 'test.rmse': 10 + id, 'test.mase': 1 + id / 1000, 'naive.rmse': 50 }
        : { 'test.rmse': rmse },
    ...rest,
  };
}
