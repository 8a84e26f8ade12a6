// Plain-text tables and run summaries for the CLI's human output (`--json` prints the contract's
// records instead).
import type { DatasetSummary, RunRow } from '../contract.js';
import {
  baselineVerdicts,
  describeSeason,
  FORECAST_METRICS,
  FORECASTERS,
  stepCount,
  stepKey,
  stepScores,
  TEST_WINDOWS_KEY,
} from '../metric-keys.js';

export const fmt = (v: number | undefined | null, digits = 4): string =>
  v === undefined || v === null || !Number.isFinite(v) ? '-' : Number(v.toPrecision(digits)).toString();

export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const best = (r: RunRow, key: string) => r.summary.find((s) => s.key === key)?.best;

export function runLine(r: RunRow): (string | number)[] {
  const layers = r.spec.model.layers.map((l) => l.units).join('x');
  const test =
    r.spec.task === 'classify'
      ? `acc ${fmt(r.test['test.accuracy'])}`
      : `rmse ${fmt(r.test['test.rmse'])} mase ${fmt(r.test['test.mase'])}`;
  return [
    r.id,
    r.name,
    r.datasetName ?? '(deleted)',
    r.status,
    `${r.spec.model.cell} ${layers}`,
    r.spec.window.lookback,
    r.epochsDone,
    fmt(best(r, 'val_loss')),
    test,
  ];
}

export function printDataset(ds: DatasetSummary): void {
  console.log(
    `dataset ${ds.id} "${ds.name}": ${ds.rowCount} rows, time column ${ds.timeColumn ?? '(none)'}${ds.seriesColumn ? `, series ${ds.seriesColumn}` : ''}`,
  );
  const day = (v: number | null) =>
    v === null ? '-' : new Date(v).toISOString().replace('T00:00:00.000Z', '').replace('.000Z', 'Z');
  console.log(
    table(
      ['column', 'kind', 'missing', 'min', 'max', 'mean'],
      ds.columns.map((c) =>
        c.kind === 'datetime'
          ? [c.name, c.kind, c.missing, day(c.stats.min), day(c.stats.max), '']
          : [c.name, c.kind, c.missing, fmt(c.stats.min), fmt(c.stats.max), fmt(c.stats.mean)],
      ),
    ),
  );
  for (const w of ds.warnings) console.log(`warning: ${w}`);
}

export function printRun(r: RunRow): void {
  console.log(
    `run ${r.id} "${r.name}" on ${r.datasetName ?? '(deleted dataset)'}: ${r.status}${r.error ? ` — ${r.error}` : ''}${r.waitReason ? ` — ${r.waitReason}` : ''}`,
  );
  console.log(
    `  ${r.spec.task} ${r.spec.target.join(', ')} with ${r.spec.model.cell} ${r.spec.model.layers.map((l) => l.units).join('x')}, lookback ${r.spec.window.lookback}, horizon ${r.spec.window.horizon}`,
  );
  const bt = r.tags.find((t) => t.startsWith('backtest:'))?.slice(9);
  if (r.spec.cutoff !== undefined)
    console.log(
      `  backtest fold: every series cut ${r.spec.cutoff} rows short${bt ? ` (all folds: rnn-workbench backtests ${bt})` : ''}`,
    );
  console.log(
    `  backend ${r.backend ?? '-'} (${r.device ?? '-'}), ${r.impl ?? '-'}, ${r.paramCount ?? '-'} parameters, ${r.epochsDone} epochs`,
  );
  if (r.summary.length)
    console.log(
      table(
        ['metric', 'last', 'best', 'best epoch', 'min', 'max'],
        r.summary.map((s) => [s.key, fmt(s.last), fmt(s.best), s.bestEpoch, fmt(s.min), fmt(s.max)]),
      ).replace(/^/gm, '  '),
    );
  printTestSplit(r);
}

const COLUMN_ORDER: readonly string[] = [...FORECASTERS, 'majority'];
const ROW_ORDER: readonly string[] = [...FORECAST_METRICS, 'accuracy'];
const rank = (order: readonly string[], x: string) => (order.includes(x) ? order.indexOf(x) : order.length);

/**
 * The test-split evaluation: the season and how it was found, a table of metric × forecaster
 * (`test` = the model, `naive`, `seasonal`, `ets`; or `majority` for classifiers), the model
 * against each baseline, the error per step ahead (horizon > 1) and the evaluation's notes.
 */
function printTestSplit(r: RunRow): void {
  const test = Object.entries(r.test).filter(([k]) => !k.includes('confusion') && k.includes('.'));
  if (!test.length) return;
  const groups = new Map<string, Map<string, number>>();
  for (const [k, v] of test) {
    const [who, ...rest] = k.split('.');
    const metric = rest.join('.');
    if (metric === 'windows' || metric.includes('@')) continue;
    const g = groups.get(metric) ?? new Map<string, number>();
    g.set(who!, v);
    groups.set(metric, g);
  }
  const cols = [...new Set(test.map(([k]) => k.split('.')[0]!))].sort(
    (a, b) => rank(COLUMN_ORDER, a) - rank(COLUMN_ORDER, b),
  );
  const rows = [...groups].sort(([a], [b]) => rank(ROW_ORDER, a) - rank(ROW_ORDER, b) || a.localeCompare(b));
  const windows = r.test[TEST_WINDOWS_KEY];
  console.log(`  test split (best checkpoint${windows !== undefined ? `, ${windows} windows` : ''}):`);
  const season = describeSeason(r.test, r.seasonHow);
  if (season) console.log(`    ${season}`);
  console.log(
    table(
      ['metric', ...cols],
      rows.map(([m, g]) => [m, ...cols.map((c) => fmt(g.get(c)))]),
    ).replace(/^/gm, '    '),
  );
  const verdicts = baselineVerdicts(r.test, 'mae').sort(
    (a, b) => Number(b.outcome === 'loses') - Number(a.outcome === 'loses'),
  );
  if (verdicts.length) console.log(`    the model ${verdicts.map((v) => v.text).join('; ')}`);
  printSteps(r.test);
  for (const note of r.testNotes ?? []) console.log(`    ${note}`);
}

/** Per step ahead (horizon > 1): MAE of the model and of each baseline. */
function printSteps(test: Record<string, number>): void {
  const H = stepCount(test);
  if (H < 2) return;
  const who = FORECASTERS.filter((w) => stepScores(test, w, 'mae').some((v) => v !== null));
  console.log('    MAE per step ahead:');
  const rows = Array.from({ length: H }, (_, i) => [i + 1, ...who.map((w) => fmt(test[stepKey(w, 'mae', i + 1)]))]);
  console.log(table(['step', ...who], rows).replace(/^/gm, '      '));
}
