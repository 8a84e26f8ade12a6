// Plain-text tables and run summaries for the CLI's human output (`--json` prints the contract's
// records instead).
import type { DatasetSummary, RunRow } from '../contract.js';

export const fmt = (v: number | undefined | null, digits = 4): string =>
  v === undefined || v === null || !Number.isFinite(v) ? '-' : Number(v.toPrecision(digits)).toString();

export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export const best = (r: RunRow, key: string) => r.summary.find((s) => s.key === key)?.best;

export function runLine(r: RunRow): (string | number)[] {
  const layers = r.spec.model.layers.map((l) => l.units).join('x');
  const test = r.spec.task === 'classify' ? `acc ${fmt(r.test['test.accuracy'])}` : `rmse ${fmt(r.test['test.rmse'])} mase ${fmt(r.test['test.mase'])}`;
  return [r.id, r.name, r.datasetName ?? '(deleted)', r.status, `${r.spec.model.cell} ${layers}`, r.spec.window.lookback, r.epochsDone, fmt(best(r, 'val_loss')), test];
}

export function printDataset(ds: DatasetSummary): void {
  console.log(`dataset ${ds.id} "${ds.name}": ${ds.rowCount} rows, time column ${ds.timeColumn ?? '(none)'}${ds.seriesColumn ? `, series ${ds.seriesColumn}` : ''}`);
  const day = (v: number | null) => (v === null ? '-' : new Date(v).toISOString().replace('T00:00:00.000Z', '').replace('.000Z', 'Z'));
  console.log(table(['column', 'kind', 'missing', 'min', 'max', 'mean'], ds.columns.map((c) =>
    c.kind === 'datetime' ? [c.name, c.kind, c.missing, day(c.stats.min), day(c.stats.max), ''] : [c.name, c.kind, c.missing, fmt(c.stats.min), fmt(c.stats.max), fmt(c.stats.mean)])));
  for (const w of ds.warnings) console.log(`warning: ${w}`);
}

export function printRun(r: RunRow): void {
  console.log(`run ${r.id} "${r.name}" on ${r.datasetName ?? '(deleted dataset)'}: ${r.status}${r.error ? ` — ${r.error}` : ''}${r.waitReason ? ` — ${r.waitReason}` : ''}`);
  console.log(`  ${r.spec.task} ${r.spec.target.join(', ')} with ${r.spec.model.cell} ${r.spec.model.layers.map((l) => l.units).join('x')}, lookback ${r.spec.window.lookback}, horizon ${r.spec.window.horizon}`);
  const bt = r.tags.find((t) => t.startsWith('backtest:'))?.slice(9);
  if (r.spec.cutoff !== undefined) console.log(`  backtest fold: every series cut ${r.spec.cutoff} rows short${bt ? ` (all folds: rnn-workbench backtests ${bt})` : ''}`);
  console.log(`  backend ${r.backend ?? '-'} (${r.device ?? '-'}), ${r.impl ?? '-'}, ${r.paramCount ?? '-'} parameters, ${r.epochsDone} epochs`);
  if (r.summary.length) console.log(table(['metric', 'last', 'best', 'best epoch', 'min', 'max'], r.summary.map((s) => [s.key, fmt(s.last), fmt(s.best), s.bestEpoch, fmt(s.min), fmt(s.max)])).replace(/^/gm, '  '));
  printTestSplit(r);
}

/** The test-split metrics as a table of metric × model (`test`, `naive`, `seasonal`...). */
function printTestSplit(r: RunRow): void {
  const test = Object.entries(r.test).filter(([k]) => !k.includes('confusion'));
  if (!test.length) return;
  const groups = new Map<string, Map<string, number>>();
  for (const [k, v] of test) {
    const [who, ...rest] = k.split('.');
    if (!rest.length) continue;
    const g = groups.get(rest.join('.')) ?? new Map<string, number>();
    g.set(who!, v);
    groups.set(rest.join('.'), g);
  }
  const cols = [...new Set(test.map(([k]) => k.split('.')[0]!).filter((k) => k !== 'season_length'))];
  console.log(`  test split (best checkpoint${r.test.season_length ? `, season length ${r.test.season_length}` : ''}):`);
  console.log(table(['metric', ...cols], [...groups].filter(([m]) => m !== 'windows').map(([m, g]) => [m, ...cols.map((c) => fmt(g.get(c)))])).replace(/^/gm, '    '));
}
