// The one place numbers, metrics, durations, sizes and dates are turned into text: tables, chart
// axes and tooltips, the live view and the designer all call these, so a value reads the same on
// every screen (no 16-digit floats, yearly data as years, MAPE with its %).

export function fmtNum(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

export function fmtInt(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : Math.round(v).toLocaleString('en-US');
}

/** Metrics stored in percent (worker/train/metrics.ts): MAPE and sMAPE. */
const PERCENT_METRIC = /(^|\.)s?mape(@\d+)?$/i;

/** A metric's value as text: percent metrics (MAPE, sMAPE) carry their %. */
export function fmtMetric(key: string, v: number | null | undefined): string {
  const text = fmtNum(v);
  return PERCENT_METRIC.test(key) && text !== '—' && v !== null && v !== undefined && Number.isFinite(v)
    ? `${text} %`
    : text;
}

/** A duration in seconds: "420 ms" under a second, "4.2 s", "42 s", "3m 05s", "2h 05m". */
export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const x = Math.max(0, seconds);
  if (x === 0) return '0 s';
  if (x < 0.9995) return `${Math.round(x * 1000)} ms`;
  if (x < 9.95) return `${x.toFixed(1)} s`;
  const s = Math.round(x);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

/** The finest part of a time stamp that a series uses: yearly data is shown as years. */
export type TimeUnit = 'year' | 'month' | 'day' | 'minute' | 'second' | 'ms';

const UNIT_RANK: Record<TimeUnit, number> = { year: 0, month: 1, day: 2, minute: 3, second: 4, ms: 5 };

function unitOf(ms: number): TimeUnit {
  const d = new Date(ms);
  if (d.getUTCMilliseconds() !== 0) return 'ms';
  if (d.getUTCSeconds() !== 0) return 'second';
  if (d.getUTCHours() !== 0 || d.getUTCMinutes() !== 0) return 'minute';
  if (d.getUTCDate() !== 1) return 'day';
  return d.getUTCMonth() !== 0 ? 'month' : 'year';
}

/** The unit of a series of time stamps (ms since epoch, UTC): the finest any of them needs. */
export function timeUnit(values: ArrayLike<number>): TimeUnit {
  let unit: TimeUnit = 'year';
  // A few thousand evenly spread samples decide it; a million rows need not all be looked at.
  const step = Math.max(1, Math.floor(values.length / 4096));
  for (let i = 0; i < values.length; i += step) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const u = unitOf(v);
    if (UNIT_RANK[u] > UNIT_RANK[unit]) unit = u;
    if (unit === 'ms') break;
  }
  return unit;
}

/** The unit an import format implies (`YYYY` → year, `YYYY-MM` → month, with `HH` → minute). */
export function unitOfFormat(format: string | null | undefined): TimeUnit | null {
  if (!format) return null;
  if (/s{1,2}(?![a-z])/.test(format.replace(/ms/g, ''))) return 'second';
  if (/[Hh]/.test(format)) return 'minute';
  if (/D/.test(format)) return 'day';
  if (/M/.test(format)) return 'month';
  return /Y/.test(format) ? 'year' : null;
}

/** A time stamp (ms since epoch, UTC) as text to its unit: "1749", "2024-03", "2024-03-05 14:00". */
export function fmtTime(ms: number | null | undefined, unit: TimeUnit = 'minute'): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const iso = new Date(ms).toISOString();
  // Years before 0 or after 9999 come as ±YYYYYY: keep them readable as they are.
  const [date, time] = iso.startsWith('+') || iso.startsWith('-') ? [iso.slice(0, 13), iso.slice(14)] : iso.split('T');
  switch (unit) {
    case 'year':
      return date!.slice(0, -6);
    case 'month':
      return date!.slice(0, -3);
    case 'day':
      return date!;
    case 'minute':
      return `${date} ${time!.slice(0, 5)}`;
    case 'second':
      return `${date} ${time!.slice(0, 8)}`;
    default:
      return `${date} ${time!.slice(0, 12)}`;
  }
}

/** Milliseconds of one unit: the least distance between two time-axis ticks (whole years for yearly data). */
export function unitMs(unit: TimeUnit): number {
  const DAY = 86_400_000;
  return { year: 365 * DAY, month: 28 * DAY, day: DAY, minute: 60_000, second: 1000, ms: 1 }[unit];
}

/**
 * Time axis values: ms since epoch, or row (window) indices. Indices are whole numbers from 0 up,
 * below a billion; time stamps before 1970 are negative and later ones beyond 1e9 (1970-01-12).
 */
export function isEpochMs(values: ArrayLike<number>): boolean {
  if (values.length === 0) return false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v > 1e9 || !Number.isInteger(v)) return true;
  }
  return false;
}
