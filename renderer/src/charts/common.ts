// Shared pieces of chart options. Builders are pure functions from data to an ECharts option so
// they can be unit-tested without a canvas; Chart.svelte only applies them.
import type { EChartsOption } from 'echarts';
import { fmtInt, fmtNum, fmtTime, unitMs, type TimeUnit } from '../lib/format.js';

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
    tooltip: { trigger: 'axis', confine: true, valueFormatter: tooltipValue },
    legend: { type: 'scroll', top: 0 },
  };
}

/** Tooltip values through the one number format (never 473385600000.00 or 16 digits). */
export function tooltipValue(v: unknown): string {
  const x = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof x === 'number' ? fmtNum(x) : x === null || x === undefined ? '—' : String(x);
}

/**
 * Axes stay at the plot's edges: by default ECharts draws an axis through the other axis' zero,
 * which puts the y axis mid-plot when the x values (ms before 1970, say) cross 0.
 */
const EDGE = { axisLine: { onZero: false } };

/** A value x axis whose name sits under the axis (a name at the end gets clipped). */
export function valueX(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'value', name, nameLocation: 'middle', nameGap: 26, ...EDGE, ...extra };
}

/** A value y axis at the left edge, labels in the shared number format. */
export function valueY(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'value', name, scale: true, ...EDGE, axisLabel: { formatter: (v: number) => fmtNum(v) }, ...extra };
}

/** A time x axis labelled to the data's unit: yearly data shows years, ticks no closer than one unit. */
export function timeX(
  unit: TimeUnit,
  extra: Record<string, unknown> = {},
  span: readonly [number, number] | null = null,
): Record<string, unknown> {
  // ECharts steps years by round(span / splitNumber) (1700, 1751, 1802): yearly data gets its own
  // ticks on round years instead (1700, 1750, 1800).
  const years = unit === 'year' && span ? yearTicks(span[0], span[1]) : null;
  return {
    type: 'time',
    ...EDGE,
    minInterval: unit === 'year' || unit === 'month' || unit === 'day' ? unitMs(unit) : undefined,
    axisLabel: {
      formatter: (v: number) => fmtTime(v, tickUnit(v, unit)),
      hideOverlap: true,
      ...(years ? { customValues: years } : {}),
    },
    ...(years ? { axisTick: { customValues: years } } : {}),
    ...extra,
  };
}

/** An axis tick at midnight of hourly data is labelled with its date alone ("2024-04-15", not "… 00:00"). */
function tickUnit(v: number, unit: TimeUnit): TimeUnit {
  const fine = unit === 'minute' || unit === 'second' || unit === 'ms';
  return fine && v % 86_400_000 === 0 ? 'day' : unit;
}

const YEAR_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];

/** 1 Jan of round years (a step of 1, 2, 5, 10, 20, 25, 50, ... years) from `from` to `to`, about `count` of them. */
export function yearTicks(from: number, to: number, count = 8): number[] {
  const [a, b] = [new Date(from).getUTCFullYear(), new Date(to).getUTCFullYear()];
  const step = YEAR_STEPS.find((s) => (b - a) / s <= count) ?? Math.ceil((b - a) / count);
  const out: number[] = [];
  for (let y = Math.ceil(a / step) * step; y <= b; y += step) out.push(Date.UTC(y, 0, 1));
  return out;
}

interface TooltipParam {
  axisValue?: number | string;
  marker?: string;
  seriesName?: string;
  value?: unknown;
}

/** An axis tooltip headed by the x value in the chart's format (a date to its unit, or "window 12"). */
export function axisTooltip(x: { unit: TimeUnit } | { label: string }): Record<string, unknown> {
  const head = (v: number | string | undefined) =>
    typeof v !== 'number' ? String(v ?? '') : 'unit' in x ? fmtTime(v, x.unit) : `${x.label} ${fmtInt(v)}`;
  return {
    trigger: 'axis',
    confine: true,
    valueFormatter: tooltipValue,
    formatter: (params: TooltipParam | TooltipParam[]) => {
      const list = Array.isArray(params) ? params : [params];
      const rows = list.map(
        (p) => `${p.marker ?? ''}${escapeHtml(p.seriesName ?? '')} <b>${tooltipValue(p.value)}</b>`,
      );
      return [escapeHtml(head(list[0]?.axisValue)), ...rows].join('<br/>');
    },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/**
 * Zoom with the slider under the chart; drag inside the plot to pan. The wheel is left to the page:
 * ECharts stops every wheel event over a plot whose inside zoom can zoom, whatever modifier its
 * `zoomOnMouseWheel` asks for (RoamController), so a chart would trap the reader scrolling past it.
 * `zoomLock` makes the inside zoom pan-only, which takes no wheel listener at all.
 */
export function zoom(): Option['dataZoom'] {
  return [
    {
      type: 'inside',
      xAxisIndex: 0,
      filterMode: 'none',
      zoomLock: true,
      zoomOnMouseWheel: false,
      moveOnMouseWheel: false,
    },
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
