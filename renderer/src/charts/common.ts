// Shared pieces of chart options. Builders are pure functions from data to an ECharts option so
// they can be unit-tested without a canvas; Chart.svelte only applies them.
import type { EChartsOption } from 'echarts';

export type Option = EChartsOption;

/** Colour-blind-safe palette (Okabe–Ito), readable on light and dark backgrounds. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#7f7f7f'];

/** The baselines' line colours, the same in every chart (predictions, per-step errors). */
export const BASELINE_COLORS = { naive: '#999999', seasonal: '#b5a000', ets: '#2a9d8f' } as const;

export function base(): Option {
  return {
    backgroundColor: 'transparent',
    color: PALETTE,
    animation: false,
    grid: { left: 56, right: 24, top: 36, bottom: 56, containLabel: true },
    tooltip: { trigger: 'axis', confine: true },
    legend: { type: 'scroll', top: 0 },
  };
}

/** A value x axis whose name sits under the axis (a name at the end gets clipped). */
export function valueX(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'value', name, nameLocation: 'middle', nameGap: 26, ...extra };
}

export function zoom(): Option['dataZoom'] {
  return [
    { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
    { type: 'slider', xAxisIndex: 0, height: 18, bottom: 8, filterMode: 'none' },
  ];
}

/**
 * Exponential moving average as TensorBoard draws it: weight w in [0, 1), debiased so the first
 * points are not pulled towards zero. Non-finite values pass through unchanged.
 */
export function ema(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values];
  const out: number[] = [];
  let last = 0;
  let count = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(v);
      continue;
    }
    last = last * weight + (1 - weight) * v;
    count++;
    out.push(last / (1 - weight ** count));
  }
  return out;
}
