// runs.predict's rows as CSV (the CLI's --out, the Forecast panel's download): one line per
// series, forecast time and target. Pure (core/csv.ts), so the renderer can use it too.
import type { PredictResult } from './contract.js';
import { toCsv } from './csv.js';

export function predictCsv(r: PredictResult): string {
  const header = ['series', 'origin', 'time', 'step', 'target', 'value'];
  return toCsv(
    header,
    r.rows.map((x) => [x.series, x.origin, x.time, x.step, x.target, x.value]),
  );
}
