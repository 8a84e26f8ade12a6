// Seed repeats on Compare (issue 12 item 5): runs grouped by every parameter but the seed
// (lib/runGroups.ts) are drawn as one mean line with a ±1 std band instead of one line per run.
// Each run is smoothed first (the same EMA as the single lines), then averaged per epoch.
import type { MetricPoint, RunRow } from '../../../core/contract.js';
import { flattenSpec } from '../../../core/contract.js';
import { defaultGroupBy, groupRuns } from '../lib/runGroups.js';
import { axisTooltip, base, valueX, valueY, type Option } from './common.js';
import type { CompareCurveSettings } from './curves.js';
import { runLine } from './multiples.js';
import { runColor } from './palette.js';

export interface BandGroup {
  label: string;
  runIds: readonly number[];
  color: string;
}

/** A run's parameter at `path`: its flattened spec, or its own seed. */
function param(run: RunRow, path: string): unknown {
  return path === 'seed' ? run.seed : flattenSpec(run.spec)[path];
}

/** The parameters a seed group can be defined by: those that differ between the runs, seed aside. */
export function groupableParams(runs: readonly RunRow[]): string[] {
  const paths = [...new Set(runs.flatMap((r) => Object.keys(flattenSpec(r.spec)))), 'seed'];
  return defaultGroupBy(runs, paths, param);
}

/**
 * The runs grouped by `by` (default: every parameter that differs but the seed), each group
 * labelled by its values ("units=8 · n=3") and coloured as its first run. The user may pick fewer
 * parameters (e.g. group by the cell only, pooling every units setting) on Compare.
 */
export function seedGroups(runs: readonly RunRow[], by: readonly string[] = groupableParams(runs)): BandGroup[] {
  return groupRuns(runs, by, param, [], () => null).map((g) => {
    const vals = Object.entries(g.values).map(([p, v]) => `${p.split('.').pop()}=${v ?? '—'}`);
    return {
      label: `${vals.length ? vals.join(', ') : 'all runs'} · n=${g.runs.length}`,
      runIds: g.runs.map((r) => r.id),
      color: runColor(g.runs[0]!.id),
    };
  });
}

export interface BandPoint {
  x: number;
  mean: number;
  std: number;
  n: number;
}

type LineSettings = Omit<CompareCurveSettings, 'key'>;

/**
 * Mean and sample std over the group's runs at each epoch (x: the epoch, or the runs' mean wall
 * time at that epoch), from each run's smoothed line.
 */
export function meanStd(
  points: readonly MetricPoint[],
  runIds: readonly number[],
  key: string,
  s: LineSettings,
): BandPoint[] {
  const byEpoch = new Map<number, { xs: number[]; vs: number[] }>();
  for (const id of runIds) {
    const { smooth } = runLine(points, id, key, { ...s, x: 'epoch' });
    const walls = runLine(points, id, key, { ...s, x: 'wall' }).smooth;
    smooth.forEach(([epoch, v], j) => {
      const e = byEpoch.get(epoch) ?? { xs: [], vs: [] };
      e.xs.push(s.x === 'epoch' ? epoch : (walls[j]?.[0] ?? epoch));
      e.vs.push(v);
      byEpoch.set(epoch, e);
    });
  }
  return [...byEpoch.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, { xs, vs }]) => {
      const n = vs.length;
      const mean = vs.reduce((a, b) => a + b, 0) / n;
      const std = n > 1 ? Math.sqrt(vs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
      return { x: xs.reduce((a, b) => a + b, 0) / xs.length, mean, std, n };
    });
}

/** One small chart of `key`: per group a band (mean − std stacked with 2·std, filled) under the mean line. */
export function bandOption(
  groups: readonly BandGroup[],
  points: readonly MetricPoint[],
  key: string,
  s: LineSettings,
): Option {
  const series = groups.flatMap((g, i) => {
    const pts = meanStd(points, g.runIds, key, s);
    const stack = `band-${i}`;
    const hidden = { showSymbol: false, silent: true, tooltip: { show: false }, lineStyle: { opacity: 0 } };
    return [
      {
        name: `${g.label} − std`,
        type: 'line' as const,
        stack,
        ...hidden,
        data: pts.map((p) => [p.x, p.mean - p.std]),
      },
      {
        name: `${g.label} ± std`,
        type: 'line' as const,
        stack,
        ...hidden,
        areaStyle: { color: g.color, opacity: 0.18 },
        data: pts.map((p) => [p.x, 2 * p.std]),
      },
      {
        name: g.label,
        type: 'line' as const,
        color: g.color,
        showSymbol: pts.length < 30,
        symbolSize: 4,
        z: 3,
        data: pts.map((p) => [p.x, p.mean]),
      },
    ];
  });
  return {
    ...base(),
    legend: { show: false },
    grid: { left: 8, right: 12, top: 12, bottom: 28, containLabel: true },
    tooltip: axisTooltip({ label: s.x === 'epoch' ? 'epoch' : 'second' }),
    xAxis: valueX(s.x === 'epoch' ? 'epoch' : 'wall time (s)', {
      minInterval: s.x === 'epoch' ? 1 : 0,
      scale: true,
      nameGap: 20,
    }),
    // A band can dip below zero: a log axis would drop it, so the grouped view stays linear.
    yAxis: valueY(''),
    series,
  } as Option;
}
