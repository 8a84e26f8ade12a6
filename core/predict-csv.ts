// runs.predict's rows as CSV (the CLI's --out, the Forecast panel's download): one line per
// series, forecast time and target. Self-contained (not run-view.ts's toCsv, which pulls in the
// database modules) so the renderer can use it too.
import type { PredictResult } from './contract.js';

const cell = (v: unknown): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function predictCsv(r: PredictResult): string {
  const header = ['series', 'origin', 'time', 'step', 'target', 'value'];
  return (
    [header, ...r.rows.map((x) => [x.series, x.origin, x.time, x.step, x.target, x.value])]
      .map((row) => row.map(cell).join(','))
      .join('\n') + '\n'
  );
}
