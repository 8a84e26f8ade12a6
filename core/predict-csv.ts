// runs.predict's rows as CSV (the CLI's --out, the Forecast view's download): one line per
// series, forecast time and target.
import type { PredictResult } from './contract.js';
import { toCsv } from './run-view.js';

export function predictCsv(r: PredictResult): string {
  return toCsv(['series', 'origin', 'time', 'step', 'target', 'value'], r.rows.map((x) => [x.series, x.origin, x.time, x.step, x.target, x.value]));
}
