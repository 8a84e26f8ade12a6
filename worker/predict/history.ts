// The rows a forecast starts from, per series in time order, features in the model's order: the
// run's dataset (read from SQLite, grouped and sorted as worker/data/prepare.ts does, with the
// spec's missing-value policy), or a new CSV that must have the dataset's columns, every used
// cell numeric and none missing (errors name the file, the row's real source line and the column).
import { basename } from 'node:path';
import { ServiceError, type RunSpec } from '../../core/contract.js';
import type { SourceColumn } from '../../core/spec-rules.js';
import { fillMissing } from '../data/fill.js';
import { CsvError, type ParsedTable } from '../import/types.js';

export interface History {
  key: string;
  /** Time per row (ms for datetime, the value for numeric time, the row index without a time column). */
  time: Float64Array;
  /** [row][feature] in original units. */
  rows: number[][];
}

export interface Columns {
  features: string[];
  time: string | null;
  series: string | null;
}

/** Row indices per series key, each sorted by time (stable), as prepare() orders them. */
function groupRows(n: number, time: SourceColumn | null, series: SourceColumn | null): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = !series
      ? ''
      : series.kind === 'categorical'
        ? (series.labels![series.codes![i]!] ?? '')
        : String(series.values![i]);
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(i);
  }
  const tv = time?.values;
  if (tv) for (const rows of groups.values()) rows.sort((a, b) => tv[a]! - tv[b]! || a - b);
  return groups;
}

/** The run's dataset as histories, the spec's missing-value policy applied to the features. */
export function datasetHistory(
  n: number,
  load: (name: string) => SourceColumn,
  cols: Columns,
  missing: RunSpec['missing'],
): History[] {
  const time = cols.time ? load(cols.time) : null;
  const feats = cols.features.map((f) => load(f).values!);
  const out: History[] = [];
  for (const [key, all] of groupRows(n, time, cols.series ? load(cols.series) : null)) {
    let rows = all;
    if (missing === 'drop' || missing === 'error') {
      const bad = rows.find((r) => feats.some((v) => Number.isNaN(v[r]!)));
      if (bad !== undefined && missing === 'error') {
        const col = cols.features[feats.findIndex((v) => Number.isNaN(v[bad]!))]!;
        throw new ServiceError(
          'bad_input',
          `missing value in column "${col}" at data row ${bad + 1} (line ${bad + 2}); the run's spec says "missing": "error"`,
          'id',
        );
      }
      rows = rows.filter((r) => !feats.some((v) => Number.isNaN(v[r]!)));
    }
    const colVals = feats.map((v) => {
      const c = Float64Array.from(rows, (r) => v[r]!);
      if (missing === 'ffill' || missing === 'interpolate') fillMissing(c, missing);
      return c;
    });
    out.push({
      key,
      time: Float64Array.from(rows, (r, i) => (time ? time.values![r]! : i)),
      rows: rows.map((_, i) => colVals.map((c) => c[i]!)),
    });
  }
  return out;
}

/** A new CSV checked against the dataset's columns, then grouped like the dataset. */
export function csvHistory(
  table: ParsedTable,
  path: string,
  datasetColumns: { name: string; kind: string }[],
  cols: Columns,
): History[] {
  const file = basename(path);
  const have = new Map(table.columns.map((c) => [c.name, c]));
  const want = new Set(datasetColumns.map((c) => c.name));
  const missingCols = datasetColumns.filter((c) => !have.has(c.name)).map((c) => c.name);
  if (missingCols.length)
    throw new CsvError(
      `${file}: missing column${missingCols.length > 1 ? 's' : ''} ${missingCols.map((c) => `"${c}"`).join(', ')} (the run's dataset has ${[...want].join(', ')})`,
      file,
      1,
      missingCols[0],
    );
  const extra = table.columns.filter((c) => !want.has(c.name)).map((c) => c.name);
  if (extra.length)
    throw new CsvError(
      `${file}: extra column${extra.length > 1 ? 's' : ''} ${extra.map((c) => `"${c}"`).join(', ')} not in the run's dataset (${[...want].join(', ')})`,
      file,
      1,
      extra[0],
    );
  for (const f of cols.features) {
    const c = have.get(f)!;
    if (c.kind !== 'numeric') {
      const found = c.codes ? c.codes.findIndex((k) => k >= 0 && !Number.isFinite(Number(c.labels![k]))) : 0;
      const row = Math.max(found, 0);
      const cell = c.codes ? ` "${c.labels![c.codes[row]!]}"` : '';
      const line = table.lineOf(row);
      throw new CsvError(
        `${file}: line ${line}, column "${f}": non-numeric cell${cell}; the model needs numbers`,
        file,
        line,
        f,
      );
    }
    const gap = c.values!.findIndex((v) => Number.isNaN(v));
    if (gap >= 0)
      throw new CsvError(
        `${file}: line ${table.lineOf(gap)}, column "${f}": missing value; fill the gap before predicting`,
        file,
        table.lineOf(gap),
        f,
      );
  }
  if (cols.time) {
    const c = have.get(cols.time)!;
    const gap = c.values ? c.values.findIndex((v) => Number.isNaN(v)) : 0;
    if (gap >= 0)
      throw new CsvError(
        `${file}: line ${table.lineOf(gap)}, column "${cols.time}": missing or unreadable time`,
        file,
        table.lineOf(gap),
        cols.time,
      );
  }
  return datasetHistory(table.rowCount, (name) => have.get(name)!, cols, 'error');
}
