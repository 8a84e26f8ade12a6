// Pure helpers of the Studies page: the best-so-far curve, the axes of the trials' parallel
// coordinates and the brushing filter over them, the study a run belongs to, value formatting.
import type { RunRow, StudyRow, TrialRow } from '../../../core/contract.js';

type Direction = 'min' | 'max';

/** Trials that ended with a value, in trial order, with the best value reached so far. */
export function bestSoFar(
  trials: readonly Pick<TrialRow, 'trial' | 'value' | 'status'>[],
  direction: Direction,
): { trial: number; value: number; best: number }[] {
  const out: { trial: number; value: number; best: number }[] = [];
  let best: number | null = null;
  for (const t of [...trials].sort((a, b) => a.trial - b.trial)) {
    if (t.value === null || !Number.isFinite(t.value)) continue;
    // Pruned trials are drawn (they were evaluated) but never count as the best (as the host's `best`).
    if (t.status !== 'pruned' && (best === null || (direction === 'min' ? t.value < best : t.value > best))) {
      best = t.value;
    }
    out.push({ trial: t.trial, value: t.value, best: best ?? NaN });
  }
  return out;
}

export interface TrialAxis {
  param: string;
  kind: 'value' | 'category';
  /** Category axes: the values' JSON texts, sorted; a trial's coordinate is its index here. */
  categories: string[];
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** One axis per space path (numeric when every sampled value is a number). */
export function trialAxes(trials: readonly Pick<TrialRow, 'params'>[], params: readonly string[]): TrialAxis[] {
  return params.map((param) => {
    const values = trials.map((t) => t.params[param]);
    if (values.every(isNum)) return { param, kind: 'value', categories: [] };
    return { param, kind: 'category', categories: [...new Set(values.map((v) => JSON.stringify(v)))].sort() };
  });
}

/** A trial's coordinates: one per axis, then the objective (NaN when it has none). */
export function trialCoords(t: Pick<TrialRow, 'params' | 'value'>, axes: readonly TrialAxis[]): number[] {
  return [
    ...axes.map((a) => {
      const v = t.params[a.param];
      return a.kind === 'value' ? Number(v) : a.categories.indexOf(JSON.stringify(v));
    }),
    t.value ?? NaN,
  ];
}

/** Brushed intervals per axis index (the objective axis is the last); empty lists select all. */
export type Brush = Record<number, [number, number][]>;

/** Whether coordinates fall inside every brushed axis (any of its intervals). */
export function inBrush(coords: readonly number[], brush: Brush): boolean {
  for (const [dim, intervals] of Object.entries(brush)) {
    if (!intervals.length) continue;
    const v = coords[Number(dim)];
    if (v === undefined || !Number.isFinite(v)) return false;
    if (!intervals.some(([lo, hi]) => v >= Math.min(lo, hi) && v <= Math.max(lo, hi))) return false;
  }
  return true;
}

export const brushActive = (brush: Brush): boolean => Object.values(brush).some((i) => i.length > 0);

/** The study a run was a trial of (the runner tags trial runs `study:<id>`), or null. */
export function studyIdOfRun(run: Pick<RunRow, 'tags'> | null | undefined): number | null {
  for (const tag of run?.tags ?? []) {
    const m = /^study:(\d+)$/.exec(tag);
    if (m) return Number(m[1]);
  }
  return null;
}

/** A parameter value for a table cell: numbers to 4 significant digits, lists and objects as JSON. */
export function formatParam(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** "12 / 40" trials ended of planned (time budget only: just the count). */
export function progressText(s: Pick<StudyRow, 'counts' | 'plannedTrials'>): string {
  const ended = (s.counts.completed ?? 0) + (s.counts.pruned ?? 0) + (s.counts.failed ?? 0);
  return s.plannedTrials === null ? `${ended}` : `${ended} / ${s.plannedTrials}`;
}

/** The fraction of planned trials ended, for a progress bar (null: no plan). */
export function progressFraction(s: Pick<StudyRow, 'counts' | 'plannedTrials'>): number | null {
  if (!s.plannedTrials) return null;
  const ended = (s.counts.completed ?? 0) + (s.counts.pruned ?? 0) + (s.counts.failed ?? 0);
  return Math.min(1, ended / s.plannedTrials);
}
