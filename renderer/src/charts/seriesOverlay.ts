// Long-format datasets: one column of every series overlaid on one chart, and per-series stats
// (rows, missing, min, max, mean, std), so a reader sees which series differ before training.
import { timeUnit } from '../lib/format.js';
import { axisTooltip, base, PALETTE, timeX, valueX, valueY, zoom, type Option } from './common.js';

export interface SeriesPart {
  /** The series id (a value of the dataset's series column). */
  id: string;
  time: number[] | null;
  values: (number | null)[];
}

export interface SeriesStats {
  id: string;
  rows: number;
  missing: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
}

export function seriesStats(p: SeriesPart): SeriesStats {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of p.values) {
    if (v === null || !Number.isFinite(v)) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n > 0 ? sum / n : null;
  let sq = 0;
  if (mean !== null) for (const v of p.values) if (v !== null && Number.isFinite(v)) sq += (v - mean) ** 2;
  return {
    id: p.id,
    rows: p.values.length,
    missing: p.values.length - n,
    min: n > 0 ? min : null,
    max: n > 0 ? max : null,
    mean,
    std: n > 1 ? Math.sqrt(sq / (n - 1)) : null,
  };
}

export function seriesOverlayOption(parts: readonly SeriesPart[], column: string): Option {
  const times = parts.flatMap((p) => p.time ?? []);
  const unit = times.length > 0 ? timeUnit(times) : null;
  const x = (p: SeriesPart, k: number) => (p.time ? p.time[k]! : k);
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of parts)
    for (let k = 0; k < p.values.length; k++) {
      lo = Math.min(lo, x(p, k));
      hi = Math.max(hi, x(p, k));
    }
  const span: [number, number] | null = Number.isFinite(lo) ? [lo, hi] : null;
  return {
    ...base(),
    tooltip: axisTooltip(unit ? { unit } : { label: 'row' }),
    xAxis: unit ? timeX(unit, {}, span) : valueX('row in series'),
    yAxis: valueY(column),
    dataZoom: zoom(),
    series: parts.map((p, i) => ({
      name: p.id,
      type: 'line' as const,
      showSymbol: false,
      sampling: 'lttb' as const,
      lineStyle: { width: 1 },
      color: PALETTE[i % PALETTE.length],
      data: p.values.map((v, k) => [x(p, k), v]),
    })),
  } as Option;
}
