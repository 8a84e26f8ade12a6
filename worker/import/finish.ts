// After the last row: settle each column's kind (integer years and YYYYMMDD numbers become dates,
// M/D vs D/M is decided), compute stats, pick the time column and, for long-format files, the
// series-id column, and check the time order. Problems the trainer must know about become warnings.
import type { ColumnStats } from '../../core/contract.js';
import { ColumnBuilder, K_DATE, K_EMPTY, K_NUM } from './column.js';
import { DAY_MS, FAM_SLASH, daysFromCivil, validDate } from './datetime.js';
import { describeFormat, resolveSlash } from './datetime-format.js';
import { CsvError, type ParsedColumn, type ParsedTable } from './types.js';

export interface FinishInput {
  path: string;
  file: string;
  sha256: string;
  delimiter: string;
  rows: number;
  cols: ColumnBuilder[];
  warnings: string[];
  lineOf: (row: number) => number;
}

const TIME_NAME = /^(date|time|timestamp|datetime|date_?time|ds|period|year|yr|years|month|day)$/i;
const YEAR_NAME = /^(year|yr|years|time|date|period)$|year/i;

export function finishTable(inp: FinishInput): ParsedTable {
  const { rows, warnings } = inp;
  const columns: ParsedColumn[] = [];
  const formats = new Map<ParsedColumn, string>();
  for (const c of inp.cols) {
    if (c.type === 'ignore') continue;
    const col = settle(c, inp, formats);
    columns.push(col);
  }

  // A column the user set to time is the time column, ahead of any other date column.
  const timeCol =
    columns.find((c) => c.kind === 'datetime' && inp.cols.find((b) => b.name === c.name)?.type === 'time') ??
    columns.find((c) => c.kind === 'datetime') ??
    null;
  if (!timeCol) {
    const empty = columns.find((c, i) => inp.cols[i]!.kind === K_EMPTY && TIME_NAME.test(c.name));
    if (empty) {
      throw new CsvError(
        `${inp.file}: column "${empty.name}" has no values (every cell is missing), so it cannot serve as the time column`,
        inp.path,
        undefined,
        empty.name,
      );
    }
  }
  let seriesCol: ParsedColumn | null = null;
  if (timeCol) seriesCol = checkTime(timeCol, columns, inp, formats.get(timeCol) ?? '');

  return {
    sourceName: inp.file,
    sha256: inp.sha256,
    delimiter: inp.delimiter,
    rowCount: rows,
    columns,
    timeColumn: timeCol?.name ?? null,
    seriesColumn: seriesCol?.name ?? null,
    header: inp.cols.map((c) => c.name),
    warnings,
    lineOf: inp.lineOf,
  };
}

/** A column the user typed whose cell is not of that type: the import fails, naming column, line and value. */
function wrongType(c: ColumnBuilder, inp: FinishInput, line: number, text: string, what: string): CsvError {
  return new CsvError(
    `${inp.file}: column "${c.name}" is set to ${c.type}, but line ${line} has "${text}", which is not ${what}; fix the cell or choose another type`,
    inp.path,
    line,
    c.name,
  );
}

function settle(c: ColumnBuilder, inp: FinishInput, formats: Map<ParsedColumn, string>): ParsedColumn {
  const { rows, warnings } = inp;
  if (c.violation) {
    const what = c.type === 'number' ? 'a number' : 'a date or time like the cells above it';
    throw wrongType(c, inp, c.violation.line, c.violation.text, what);
  }
  if (c.kind === K_EMPTY) {
    warnings.push(
      `column "${c.name}" has no values (every cell is missing); it is kept but cannot be a target or feature`,
    );
    const values = c.values!.subarray(0, rows);
    return { name: c.name, kind: 'numeric', values, missing: c.missing, stats: numericStats(values) };
  }
  if (c.kind === K_NUM) {
    const values = c.values!.subarray(0, rows);
    // Set to number: a year or YYYYMMDD-like code stays a number. Set to time: integers are years
    // or YYYYMMDD dates whatever the column's name, and anything else fails.
    const fmt = c.type === 'number' ? null : integerDates(values, c.type === 'time' ? 'year' : c.name);
    if (!fmt && c.type === 'time') {
      const bad = values.findIndex((v) => v === v && !(Number.isInteger(v) && v >= 1000 && v <= 2999));
      throw wrongType(
        c,
        inp,
        inp.lineOf(Math.max(bad, 0)),
        String(values[Math.max(bad, 0)]),
        'a year or a YYYYMMDD date',
      );
    }
    if (fmt) {
      const col: ParsedColumn = {
        name: c.name,
        kind: 'datetime',
        values,
        missing: c.missing,
        stats: { ...numericStats(values), format: fmt },
      };
      formats.set(col, fmt);
      return col;
    }
    return { name: c.name, kind: 'numeric', values, missing: c.missing, stats: numericStats(values) };
  }
  if (c.kind === K_DATE) {
    const values = c.values!.subarray(0, rows);
    const problem = c.date.fam === FAM_SLASH ? resolveSlash(values, rows, c.date) : null;
    if (problem && c.type === 'time') {
      throw new CsvError(
        `${inp.file}: column "${c.name}" is set to time, but it ${problem}`,
        inp.path,
        undefined,
        c.name,
      );
    }
    if (problem) {
      c.toCategorical(rows);
      warnings.push(`column "${c.name}" ${problem}; it is kept as text (categorical)`);
    } else {
      const fmt = describeFormat(c.date);
      const col: ParsedColumn = {
        name: c.name,
        kind: 'datetime',
        values,
        missing: c.missing,
        stats: { ...numericStats(values), format: fmt },
      };
      formats.set(col, fmt);
      return col;
    }
  }
  // Categorical.
  if (c.demotion) {
    const d = c.demotion;
    warnings.push(
      `column "${c.name}" is categorical (text): line ${d.line} has "${d.text}", which is not ${d.from === 'numeric' ? 'a number' : 'a date like the cells above it'}`,
    );
  }
  const codes = c.codes!.subarray(0, rows);
  return { name: c.name, kind: 'categorical', codes, labels: c.labels, missing: c.missing, stats: categoricalStats(c) };
}

/**
 * A numeric column of integers that are dates: `19580329` (every value a real YYYYMMDD date), or
 * a year (1000..2999) in a column named like year/yr/time. Converted to ms in place.
 */
function integerDates(values: Float64Array, name: string): string | null {
  let n = 0;
  let allYears = true;
  let allYmd = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    n++;
    if (!Number.isInteger(v)) return null;
    if (v < 1000 || v > 2999) allYears = false;
    if (v < 10000101 || v > 29991231 || !validDate(Math.floor(v / 10000), Math.floor(v / 100) % 100, v % 100))
      allYmd = false;
    if (!allYears && !allYmd) return null;
  }
  if (n === 0) return null;
  if (allYmd) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v === v) values[i] = daysFromCivil(Math.floor(v / 10000), Math.floor(v / 100) % 100, v % 100) * DAY_MS;
    }
    return 'YYYYMMDD';
  }
  if (allYears && YEAR_NAME.test(name)) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v === v) values[i] = daysFromCivil(v, 1, 1) * DAY_MS;
    }
    return 'YYYY';
  }
  return null;
}

export function numericStats(values: Float64Array): ColumnStats {
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    n++;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  if (n === 0) return { min: null, max: null, mean: null, std: null, distinct: null };
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) ss += (v - mean) * (v - mean);
  }
  // Sample standard deviation (n - 1), as pandas reports it; infinities make it NaN → null.
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  return {
    min,
    max,
    mean: Number.isFinite(mean) ? mean : null,
    std: Number.isFinite(std) ? std : null,
    distinct: null,
  };
}

function categoricalStats(c: ColumnBuilder): ColumnStats {
  const order = c.labels.map((_, i) => i).sort((a, b) => c.counts[b]! - c.counts[a]! || a - b);
  return {
    min: null,
    max: null,
    mean: null,
    std: null,
    distinct: c.labels.length,
    top: order.slice(0, 20).map((i) => ({ value: c.labels[i]!, count: c.counts[i]! })),
  };
}

function timeText(ms: number, format: string): string {
  const iso = new Date(ms).toISOString();
  if (format === 'YYYY') return iso.slice(0, 4);
  if (format === 'YYYY-MM') return iso.slice(0, 7);
  if (!format.includes('HH')) return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

/**
 * Checks the time column's order and duplicates. When time alone repeats, looks for a
 * categorical column that makes (series, time) unique: a long-format file, one series per id.
 * Returns that column or null; describes problems in warnings.
 */
function checkTime(time: ParsedColumn, columns: ParsedColumn[], inp: FinishInput, format: string): ParsedColumn | null {
  const t = time.values!;
  const n = inp.rows;
  const { warnings, lineOf } = inp;
  const fmt = (v: number): string => timeText(v, format);
  if (time.missing > 0) {
    let first = 0;
    while (first < n && t[first] === t[first]) first++;
    warnings.push(
      `time column "${time.name}" has ${time.missing} missing value${time.missing === 1 ? '' : 's'} (first at line ${lineOf(first)})`,
    );
  }
  // Order in file and duplicates.
  let backRow = -1;
  let prev = -Infinity;
  let backPrev = 0;
  let sortedDups = 0;
  let firstDupRow = -1;
  for (let r = 0; r < n; r++) {
    const v = t[r]!;
    if (v !== v) continue;
    if (v < prev && backRow < 0) {
      backRow = r;
      backPrev = prev;
    } else if (v === prev) {
      sortedDups++;
      if (firstDupRow < 0) firstDupRow = r;
    }
    prev = v;
  }
  let dups = sortedDups;
  if (backRow >= 0) {
    const sorted = Float64Array.from(t.subarray(0, n)).sort(); // NaN sorts last
    dups = 0;
    let dupValue = NaN;
    for (let i = 1; i < sorted.length; i++) {
      const v = sorted[i]!;
      if (v !== v) break;
      if (v === sorted[i - 1]) {
        if (dups === 0) dupValue = v;
        dups++;
      }
    }
    if (dups > 0) {
      let seen = false;
      for (let r = 0; r < n; r++) {
        if (t[r] === dupValue) {
          if (seen) {
            firstDupRow = r;
            break;
          }
          seen = true;
        }
      }
    }
  }
  if (dups > 0) {
    const series = findSeries(time, columns, inp, fmt);
    if (series) return series;
    warnings.push(
      `time column "${time.name}" has ${dups} duplicate timestamp${dups === 1 ? '' : 's'} (first: ${fmt(t[firstDupRow]!)} at line ${lineOf(firstDupRow)}) and no column tells the series apart`,
    );
  }
  if (backRow >= 0) {
    warnings.push(
      `time column "${time.name}" is not in increasing order: line ${lineOf(backRow)} (${fmt(t[backRow]!)}) comes after ${fmt(backPrev)}`,
    );
  }
  return null;
}

function findSeries(
  time: ParsedColumn,
  columns: ParsedColumn[],
  inp: FinishInput,
  fmt: (v: number) => string,
): ParsedColumn | null {
  const t = time.values!;
  const n = inp.rows;
  for (const col of columns) {
    if (col.kind !== 'categorical' || col.missing > 0) continue;
    const k = col.labels!.length;
    if (k < 2 || k > n / 2) continue;
    const codes = col.codes!;
    // Fast check: strictly increasing time within each series, in file order.
    const last = new Float64Array(k).fill(-Infinity);
    let backRow = -1;
    let backPrev = 0;
    for (let r = 0; r < n; r++) {
      const v = t[r]!;
      if (v !== v) continue;
      const s = codes[r]!;
      if (v <= last[s]! && backRow < 0) {
        backRow = r;
        backPrev = last[s]!;
      }
      if (v > last[s]!) last[s] = v;
    }
    if (backRow >= 0) {
      // Not sorted within a series: (series, time) must still be unique.
      const idx = new Uint32Array(n);
      for (let i = 0; i < n; i++) idx[i] = i;
      idx.sort((a, b) => codes[a]! - codes[b]! || t[a]! - t[b]!);
      let unique = true;
      for (let i = 1; i < n && unique; i++) {
        const a = idx[i - 1]!;
        const b = idx[i]!;
        if (codes[a] === codes[b] && t[a] === t[b] && t[a] === t[a]) unique = false;
      }
      if (!unique) continue;
      inp.warnings.push(
        `time column "${time.name}" is not in increasing order within series "${col.name}": line ${inp.lineOf(backRow)} (${col.labels![codes[backRow]!]}, ${fmt(t[backRow]!)}) comes after ${fmt(backPrev)}`,
      );
    }
    return col;
  }
  return null;
}
