// `npm run bench -- --suite renderer [--json]`: how long the renderer's pure data paths take on
// big inputs. Figures only, never a failure: wall-clock limits in unit tests fail on a busy
// machine without telling anything about the code.
// - dataset chart: the ECharts option for the host's decimated overview merged with a zoomed
//   window (what the Datasets screen draws), and for 1,000,000 raw points as the worst case;
// - runs table: filter + sort + visible window over 1,000 runs (RunsTable.svelte's derived rows),
//   a query filter and the default grouping (runQuery.ts, runGroups.ts).
import { RunSpecSchema, type RunRow } from '../../core/contract.js';
import { datasetLineOption, mergeSeriesData, type SeriesData } from '../../renderer/src/charts/dataset.js';
import { defaultGroupBy, groupRuns } from '../../renderer/src/lib/runGroups.js';
import {
  filterRuns,
  flatParams,
  metricValue,
  queryRuns,
  sortRuns,
  visibleRange,
} from '../../renderer/src/lib/runsTable.js';
import type { BenchOptions } from './run.js';

const REPS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median milliseconds of `REPS` runs after one warm-up. */
function time(fn: () => unknown): number {
  fn();
  const ms: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

function series(n: number, from = 0, step = 1): SeriesData {
  const index = Array.from({ length: n }, (_, i) => from + i * step);
  return {
    time: index.map((i) => 1.7e12 + i * 3.6e6),
    series: [{ name: 'x', values: index.map((i) => Math.sin(i / 100)) }],
    total: 1_000_000,
    index,
  };
}

function makeRun(id: number): RunRow {
  const valLoss = ((id * 7919) % 1000) / 100 + 0.01;
  return {
    id,
    name: `run-${id}`,
    datasetId: 1,
    datasetName: 'city-energy',
    status: 'completed',
    waitReason: null,
    spec: RunSpecSchema.parse({ target: 'load_mw' }),
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
    tags: [],
    paramCount: 100 + id,
    epochsDone: 3,
    summary: [{ key: 'val_loss', last: valLoss, best: valLoss, bestEpoch: 3, min: valLoss, max: valLoss * 2 }],
    test: { 'test.rmse': 10 + id },
  };
}

interface Row {
  case: string;
  points: number;
  ms: number;
}

export async function run(opts: BenchOptions): Promise<void> {
  const overview = series(6000, 0, 166);
  const detail = series(6000, 500_000, 1);
  const raw = series(1_000_000);
  const range: [number, number] = [detail.time![0]!, detail.time!.at(-1)!];
  const runs = Array.from({ length: 1000 }, (_, i) => makeRun(i + 1));
  const now = Date.parse('2026-01-02T00:00:00Z');
  const rows: Row[] = [
    {
      case: 'dataset chart: overview + zoomed window',
      points: 12_000,
      ms: time(() => datasetLineOption(mergeSeriesData(overview, detail), { range })),
    },
    { case: 'dataset chart: 1,000,000 raw points', points: 1_000_000, ms: time(() => datasetLineOption(raw)) },
    {
      case: 'runs table: filter + sort + window, 1,000 runs',
      points: 1000,
      ms: time(() => {
        const rows = sortRuns(filterRuns(runs, 'run-9', ''), 'valLoss', 'asc', now);
        const { start, end } = visibleRange(0, 480, 32, rows.length);
        return rows.slice(start, end);
      }),
    },
    {
      case: 'runs table: query filter, 1,000 runs',
      points: 1000,
      ms: time(() => queryRuns(runs, 'units > 32 and cell = gru and test.rmse < 500 or val_loss < 1', '', now)),
    },
    {
      case: 'runs table: groups (all params but seed), 1,000',
      points: 1000,
      ms: time(() => {
        const param = (r: RunRow, p: string) => flatParams(r)[p];
        const by = defaultGroupBy(runs, Object.keys(flatParams(runs[0]!)), param);
        return groupRuns(runs, by, param, ['val_loss', 'test.rmse'], metricValue);
      }),
    },
  ];
  if (opts.json) {
    for (const r of rows) console.log(JSON.stringify({ suite: 'renderer', ...r, ms: Math.round(r.ms * 100) / 100 }));
    return;
  }
  console.log(`milliseconds, median of ${REPS} reps after a warm-up`);
  for (const r of rows)
    console.log(
      `${r.case.padEnd(48)} ${r.points.toLocaleString('en').padStart(10)} points ${r.ms.toFixed(1).padStart(9)} ms`,
    );
}
