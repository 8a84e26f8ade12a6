// A study's charts: the best-so-far curve over trials, and its trials as parallel coordinates
// (the compare page's parallel chart, one line per trial, brushable on every axis).
import type { TrialRow } from '../../../core/contract.js';
import { formatParam, trialCoords, type TrialAxis } from '../lib/studyView.js';
import { base, PALETTE, valueX, type Option } from './common.js';

export function bestSoFarOption(
  points: readonly { trial: number; value: number; best: number }[],
  metric: string,
): Option {
  return {
    ...base(),
    grid: { left: 56, right: 24, top: 36, bottom: 40, containLabel: true },
    xAxis: valueX('trial', { minInterval: 1 }),
    yAxis: { type: 'value', name: metric, scale: true },
    series: [
      {
        name: 'trial',
        type: 'line',
        data: points.map((p) => [p.trial + 1, p.value]),
        lineStyle: { width: 0 },
        symbol: 'circle',
        symbolSize: 7,
        itemStyle: { color: PALETTE[4] },
      },
      {
        name: 'best so far',
        type: 'line',
        step: 'end',
        data: points.filter((p) => Number.isFinite(p.best)).map((p) => [p.trial + 1, p.best]),
        showSymbol: false,
        lineStyle: { width: 2.5, color: PALETTE[0] },
        itemStyle: { color: PALETTE[0] },
      },
    ],
  } as Option;
}

/** Axes of the trials' parallel coordinates (params, then the objective), ids `axis-<dim>` (the brush event names them); `notMerge` only when these change. */
export function trialsAxesOption(axes: readonly TrialAxis[], metric: string): Option {
  return {
    ...base(),
    legend: { show: false },
    tooltip: { trigger: 'item', confine: true },
    parallel: { left: 60, right: 90, top: 48, bottom: 30 },
    parallelAxis: [
      ...axes.map((a, i) =>
        a.kind === 'value'
          ? { id: `axis-${i}`, dim: i, name: a.param, type: 'value' as const, scale: true }
          : {
              id: `axis-${i}`,
              dim: i,
              name: a.param,
              type: 'category' as const,
              data: a.categories.map((c) => formatParam(JSON.parse(c))),
            },
      ),
      { id: `axis-${axes.length}`, dim: axes.length, name: metric, type: 'value' as const, scale: true },
    ],
  } as Option;
}

/** One series, one line per trial (its index is the table's row index); pruned grey, the best wide. */
export function trialsSeriesOption(
  trials: readonly TrialRow[],
  axes: readonly TrialAxis[],
  bestRunId: number | null,
): Option {
  return {
    series: [
      {
        name: 'trials',
        type: 'parallel',
        inactiveOpacity: 0.06,
        activeOpacity: 1,
        data: trials.map((t) => ({
          name: `trial ${t.trial + 1} (run #${t.runId}, ${t.status})`,
          value: trialCoords(t, axes),
          lineStyle:
            t.runId === bestRunId
              ? { width: 4, color: PALETTE[1], opacity: 1 }
              : { width: 1.5, color: t.status === 'pruned' ? '#9a9a9a' : PALETTE[0], opacity: 0.75 },
        })),
      },
    ],
  } as Option;
}
