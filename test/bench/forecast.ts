// `npm run bench -- --suite forecast [--only a,b] [--set key=value ...] [--generated|--real] [--json] [--logs] [--keep-db FILE] [--table FILE]`
// --table FILE prints the table of a saved --json run. --keep-db keeps the bench's SQLite file (runs, logs, test predictions) for test/bench/forecast-combine.ts.
// The forecast battery: every series is imported through the real service (temp SQLite file,
// import worker) and trained with the DEFAULT spec (`{ target }`, plus each --set), and its test
// metrics are set beside the naive, seasonal-naive and ETS baselines the run itself recorded.
// The totals are issue 11's measures: beats naive, beats seasonal naive, and relative MAE
// (model / naive) at most 1.1 x ETS's, counted over the real series (and the generated ones apart).
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './run.js';
import { createService } from '../../core/service.js';
import { setSpecPath } from '../../core/spec.js';
import { tempDir } from '../helpers.js';
import { generatedSeries, type BenchSeries } from './forecast-series.js';
import { realSeries } from './forecast-real.js';

export interface ForecastRow {
  suite: 'forecast';
  series: string;
  source: BenchSeries['source'];
  freq: string;
  rows: number;
  status: string;
  season: number | null;
  model: number | null;
  naive: number | null;
  seasonal: number | null;
  ets: number | null;
  /** model MAE / naive MAE */
  ratio: number | null;
  beatsNaive: boolean;
  beatsSeasonal: boolean;
  /** relative MAE within 1.1 x ETS's (model MAE <= 1.1 x ETS MAE); null without an ETS metric */
  nearEts: boolean | null;
  seconds: number;
  error?: string;
}

function flagValues(args: string[], name: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === name && args[i + 1] !== undefined) out.push(args[i + 1]!);
  });
  return out;
}

function chooseSeries(args: string[]): BenchSeries[] {
  const { series: real, missing } = realSeries();
  for (const m of missing) console.error(`forecast bench: ${m}`);
  let all = [...generatedSeries(), ...real];
  if (args.includes('--generated')) all = all.filter((s) => s.source === 'generated');
  if (args.includes('--real')) all = all.filter((s) => s.source !== 'generated');
  const only = flagValues(args, '--only').flatMap((o) => o.split(','));
  if (only.length) all = all.filter((s) => only.some((o) => s.name === o || s.name.includes(o)));
  return all;
}

const mae = (test: Record<string, number>, who: string) =>
  Number.isFinite(test[`${who}.mae`]) ? test[`${who}.mae`]! : null;

async function runOne(
  svc: ReturnType<typeof createService>,
  dir: string,
  s: BenchSeries,
  sets: string[],
): Promise<ForecastRow> {
  const file = join(dir, `${s.name}.csv`);
  writeFileSync(file, s.csv());
  const base: ForecastRow = {
    suite: 'forecast',
    series: s.name,
    source: s.source,
    freq: s.freq,
    rows: 0,
    status: 'failed',
    season: null,
    model: null,
    naive: null,
    seasonal: null,
    ets: null,
    ratio: null,
    beatsNaive: false,
    beatsSeasonal: false,
    nearEts: null,
    seconds: 0,
  };
  const ds = await svc.call('datasets.import', { path: file, name: s.name });
  if (!ds.ok) return { ...base, error: `import: ${ds.error.message}` };
  base.rows = ds.value.rowCount;
  const spec: Record<string, unknown> = { target: s.target };
  for (const a of sets) setSpecPath(spec, a);
  const t0 = performance.now();
  const r = await svc.call('runs.create', { datasetId: ds.value.id, spec, name: s.name });
  if (!r.ok) return { ...base, error: `spec: ${r.error.message}` };
  await svc.waitForRun(r.value.id);
  const seconds = (performance.now() - t0) / 1000;
  const got = await svc.call('runs.get', { id: r.value.id });
  if (!got.ok) return { ...base, seconds, error: got.error.message };
  const test = got.value.test;
  const row: ForecastRow = {
    ...base,
    seconds,
    status: got.value.status,
    season: Number.isFinite(test.season_length) ? test.season_length! : null,
    model: mae(test, 'test'),
    naive: mae(test, 'naive'),
    seasonal: mae(test, 'seasonal'),
    ets: mae(test, 'ets'),
  };
  if (got.value.status !== 'completed' || row.model === null)
    return { ...row, error: got.value.error ?? 'no test metrics' };
  row.ratio = row.naive ? row.model / row.naive : null;
  row.beatsNaive = row.naive !== null && row.model < row.naive;
  row.beatsSeasonal = row.seasonal !== null && row.model < row.seasonal;
  row.nearEts = row.ets === null ? null : row.model <= 1.1 * row.ets;
  return row;
}

const num = (v: number | null, d = 3) =>
  v === null
    ? '–'
    : Number(v.toPrecision(4)).toString().length > 9
      ? v.toExponential(2)
      : Number(v.toFixed(d)).toString();
const mark = (b: boolean | null) => (b === null ? '–' : b ? 'yes' : 'no');

function tally(rows: ForecastRow[], label: string): string {
  const n = rows.length;
  const withEts = rows.filter((r) => r.nearEts !== null);
  const failed = rows.filter((r) => r.status !== 'completed').length;
  const ets = withEts.length ? `${withEts.filter((r) => r.nearEts).length}/${withEts.length}` : 'no ETS metric';
  const ratios = rows
    .filter((r) => r.ratio !== null)
    .map((r) => r.ratio!)
    .sort((a, b) => a - b);
  const med = ratios.length ? ratios[Math.floor(ratios.length / 2)]!.toFixed(3) : '–';
  return `| **${label}** (${n}) | beats naive ${rows.filter((r) => r.beatsNaive).length}/${n} | beats seasonal naive ${rows.filter((r) => r.beatsSeasonal).length}/${n} | ≤ 1.1× ETS ${ets} | median model/naive ${med} | failed ${failed} |`;
}

export function printTable(rows: ForecastRow[], sets: string[]): void {
  console.log(
    `default spec${sets.length ? ` with ${sets.map((s) => `--set ${s}`).join(' ')}` : ''}; test-split MAE (original units)\n`,
  );
  console.log(
    '| series | source | freq | rows | season | model MAE | naive MAE | seasonal MAE | ETS MAE | model/naive | < naive | < seasonal | ≤1.1×ETS | s |',
  );
  console.log('|---|---|---|--:|--:|--:|--:|--:|--:|--:|:-:|:-:|:-:|--:|');
  for (const r of rows) {
    const model = r.status === 'completed' ? num(r.model) : `${r.status}${r.error ? `: ${r.error.slice(0, 60)}` : ''}`;
    console.log(
      `| ${r.series} | ${r.source} | ${r.freq} | ${r.rows} | ${r.season ?? '–'} | ${model} | ${num(r.naive)} | ${num(r.seasonal)} | ${num(r.ets)} | ${num(r.ratio)} | ${mark(r.beatsNaive)} | ${mark(r.beatsSeasonal)} | ${mark(r.nearEts)} | ${r.seconds.toFixed(1)} |`,
    );
  }
  console.log('');
  const real = rows.filter((r) => r.source !== 'generated');
  const gen = rows.filter((r) => r.source === 'generated');
  if (real.length) console.log(tally(real, 'real'));
  if (gen.length) console.log(tally(gen, 'generated'));
  console.log(tally(rows, 'all'));
  const timing = rows.find((r) => r.series === 'gen-monthly-1000');
  if (timing)
    console.log(
      `\ngen-monthly-1000 (1,000 monthly rows): ${timing.seconds.toFixed(1)} s for the whole default run (worker start, training, evaluation, baselines)`,
    );
}

export async function run(opts: BenchOptions): Promise<void> {
  const sets = flagValues(opts.args, '--set');
  // --table FILE: the Markdown table of an earlier `--json` run's lines, without training again.
  const saved = flagValues(opts.args, '--table')[0];
  if (saved) {
    const lines = readFileSync(saved, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'));
    printTable(
      lines.map((l) => JSON.parse(l) as ForecastRow),
      sets,
    );
    return;
  }
  const chosen = chooseSeries(opts.args);
  const t = tempDir('rnnwb-forecast-');
  const svc = createService({ dbPath: join(t.dir, 'bench.db'), host: 'bench' });
  const rows: ForecastRow[] = [];
  // --logs: the run log's lines on the data preparation (lookback, transforms, shrinkage) to stderr.
  const off = opts.args.includes('--logs')
    ? svc.on('run:log', (l) => {
        if (/^(lookback|target|shrink|season)/.test(l.message)) console.error(`  run ${l.runId}: ${l.message}`);
      })
    : () => {};
  try {
    for (const s of chosen) {
      const row = await runOne(svc, t.dir, s, sets);
      rows.push(row);
      if (opts.json) console.log(JSON.stringify(row));
      else
        console.error(
          `${s.name}: ${row.status} model ${num(row.model)} naive ${num(row.naive)} seasonal ${num(row.seasonal)} ets ${num(row.ets)} (${row.seconds.toFixed(1)} s)${row.error ? ` ${row.error}` : ''}`,
        );
    }
  } finally {
    off();
    await svc.close();
    const keep = flagValues(opts.args, '--keep-db')[0];
    if (keep) copyFileSync(join(t.dir, 'bench.db'), keep);
    t.cleanup();
  }
  if (!opts.json) printTable(rows, sets);
}
