// Param-vs-metric scatter on Compare: one point per run (its own colour), the chosen parameter
// across, the chosen metric up. A numeric parameter gets a value axis; any other, or one that
// some run lacks, a category axis where the missing runs sit at "—" (never at 0).
import type { RunRow } from '../../../core/contract.js';
import { flattenSpec } from '../../../core/contract.js';
import { base, tooltipValue, valueY, type Option } from './common.js';
import { runColor } from './palette.js';
import { FADED, OUTSIDE } from './multiples.js';
import { metricValue, MISSING } from './parallel.js';

interface ScatterParam {
  seriesName?: string;
  value?: unknown;
}

/** Runs in `faded` (outside the brushed ranges on Compare) are drawn as faint points without tooltip. */
export function paramScatterOption(
  runs: readonly RunRow[],
  param: string,
  metric: string,
  faded: ReadonlySet<number> = new Set(),
): Option {
  const xs = runs.map((r) => {
    const v = flattenSpec(r.spec)[param];
    return v === undefined || v === '' ? MISSING : String(v);
  });
  const numeric = xs.length > 0 && xs.every((v) => v !== MISSING && Number.isFinite(Number(v)));
  const cats = numeric
    ? []
    : [...new Set(xs)].sort((a, b) => (a === MISSING ? 1 : b === MISSING ? -1 : a.localeCompare(b)));
  const series = runs.map((r, i) => {
    const y = metricValue(r, metric);
    return {
      name: `#${r.id} ${r.name}`,
      type: 'scatter' as const,
      symbolSize: 11,
      color: runColor(r.id),
      data: y === null || !Number.isFinite(y) ? [] : [[numeric ? Number(xs[i]) : xs[i]!, y]],
      ...(faded.has(r.id) ? { ...OUTSIDE, itemStyle: { opacity: FADED } } : { z: 2 }),
    };
  });
  return {
    ...base(),
    legend: { show: false },
    grid: { left: 56, right: 24, top: 24, bottom: 40, containLabel: true },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: ScatterParam) => {
        const [x, y] = Array.isArray(p.value) ? p.value : [];
        return `${p.seriesName ?? ''}<br/>${param}: ${typeof x === 'number' ? tooltipValue(x) : String(x)}<br/>${metric}: <b>${tooltipValue(y)}</b>`;
      },
    },
    xAxis: numeric
      ? { type: 'value', name: param, nameLocation: 'middle', nameGap: 26, scale: true, axisLine: { onZero: false } }
      : { type: 'category', name: param, nameLocation: 'middle', nameGap: 26, data: cats },
    yAxis: valueY(metric),
    series,
  } as Option;
}
