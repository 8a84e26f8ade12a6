// One column being filled while the file streams by. Its type is inferred on the fly: it starts
// empty (all missing so far), takes the type of its first value (number, date, else text), and a
// numeric or date column that meets a cell of another kind is demoted to categorical once, with
// the values so far turned back into labels. Only categorical columns create strings per cell.
// A column the user typed (import option `columnTypes`) is not inferred: `text` starts categorical
// (so "007" keeps its zeros), and in a `number` or `time` column a cell of another kind is never a
// reason to demote: the first one is kept as the violation that fails the import, naming it.
import { parseNumber } from './number.js';
import { parseDate, newDateState, FAM_SLASH, type DateState } from './datetime.js';
import { slashText } from './datetime-format.js';
import type { ColumnType } from './types.js';

export const K_EMPTY = 0;
export const K_NUM = 1;
export const K_DATE = 2;
export const K_CAT = 3;

/** The cell that turned a numeric or date column categorical, for the warning. */
export interface Demotion {
  from: 'numeric' | 'datetime';
  line: number;
  text: string;
}

const decoder = new TextDecoder('utf-8');
const LAST_MAX = 64;

/** Cell text: `flag` 0 = plain bytes, 1 = inside simple quotes, 2 = needs quote unescaping. */
export function cellText(b: Uint8Array, s: number, e: number, flag: number): string {
  if (flag === 1) return decoder.decode(b.subarray(s + 1, e - 1));
  if (flag === 0) return decoder.decode(b.subarray(s, e));
  // RFC 4180: quotes toggle quoting, a doubled quote inside quotes is one quote.
  const out = new Uint8Array(e - s);
  let n = 0;
  let inQuote = false;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c === 34) {
      if (inQuote && i + 1 < e && b[i + 1] === 34) {
        out[n++] = 34;
        i++;
      } else inQuote = !inQuote;
    } else out[n++] = c;
  }
  return decoder.decode(out.subarray(0, n));
}

/** Empty, `NA`, `N/A`, `NaN`, `null`, `-`, `?` (any case). */
export function isMissing(b: Uint8Array, s: number, e: number): boolean {
  const n = e - s;
  if (n === 0) return true;
  if (n > 4) return false;
  const c0 = b[s]!;
  if (n === 1) return c0 === 45 || c0 === 63;
  const c = c0 | 0x20;
  if (c === 110 /* n */) {
    const c1 = b[s + 1]! | 0x20;
    if (n === 2) return c1 === 97; // na
    if (n === 3) return (c1 === 47 && (b[s + 2]! | 0x20) === 97) || (c1 === 97 && (b[s + 2]! | 0x20) === 110); // n/a nan
    return c1 === 117 && (b[s + 2]! | 0x20) === 108 && (b[s + 3]! | 0x20) === 108; // null
  }
  return false;
}

export class ColumnBuilder {
  kind = K_EMPTY;
  values: Float64Array | null;
  codes: Int32Array | null = null;
  labels: string[] = [];
  map: Map<string, number> | null = null;
  counts: number[] = [];
  missing = 0;
  date: DateState = newDateState();
  demotion: Demotion | null = null;
  /** The first cell not of the type the user set (number, time): the import fails on it. */
  violation: { line: number; text: string } | null = null;
  /** Set to `number` or `time` by the user: cells of another kind are violations, not demotions. */
  private readonly strict: boolean;

  constructor(
    readonly name: string,
    capacity: number,
    /** The decimal mark's byte (46 `.`, 44 `,` in a decimal-comma file). */
    readonly dec = 46,
    /** The type the user set for this column, if any. */
    readonly type?: ColumnType,
  ) {
    this.values = new Float64Array(capacity);
    this.strict = type === 'number' || type === 'time';
    if (type === 'text') this.toCategorical(0);
  }

  grow(capacity: number): void {
    if (this.values) {
      const v = new Float64Array(capacity);
      v.set(this.values.subarray(0, Math.min(this.values.length, capacity)));
      this.values = v;
    }
    if (this.codes) {
      const c = new Int32Array(capacity);
      c.set(this.codes.subarray(0, Math.min(this.codes.length, capacity)));
      this.codes = c;
    }
  }

  /**
   * Adds the cell `b[s..e)` (already trimmed) as row `row`. `flag`: 0 plain, 1 inside simple
   * quotes, 2 needs unescaping (see cellText), 3 already unescaped text.
   */
  add(b: Buffer, s: number, e: number, flag: number, row: number, line: number): void {
    if (flag === 2) {
      // Escaped quotes: a number or date never contains a quote, so the text decides.
      const text = cellText(b, s, e, flag);
      const bytes = Buffer.from(text, 'utf8');
      this.add(bytes, 0, bytes.length, 3, row, line);
      return;
    }
    if (flag === 1) {
      s++;
      e--;
    }
    switch (this.kind) {
      case K_NUM:
      case K_DATE: {
        const v = this.kind === K_NUM ? parseNumber(b, s, e, this.dec) : parseDate(b, s, e, this.date);
        if (v === v) {
          this.values![row] = v;
          return;
        }
        if (isMissing(b, s, e)) {
          this.values![row] = NaN;
          this.missing++;
          return;
        }
        if (this.strict) this.reject(row, line, b, s, e);
        else this.demote(row, line, b, s, e);
        return;
      }
      case K_CAT:
        this.addLabel(b, s, e, row);
        return;
      default: {
        if (isMissing(b, s, e)) {
          this.values![row] = NaN;
          this.missing++;
          return;
        }
        // A time column tries dates first (integer years and YYYYMMDD are settled in finish.ts);
        // a number column never becomes a date.
        const timeFirst = this.type === 'time';
        let v = timeFirst ? parseDate(b, s, e, this.date) : parseNumber(b, s, e, this.dec);
        if (v === v) {
          this.kind = timeFirst ? K_DATE : K_NUM;
          this.values![row] = v;
          return;
        }
        v = timeFirst ? parseNumber(b, s, e, this.dec) : this.type === 'number' ? NaN : parseDate(b, s, e, this.date);
        if (v === v) {
          this.kind = timeFirst ? K_NUM : K_DATE;
          this.values![row] = v;
          return;
        }
        if (this.strict) {
          this.reject(row, line, b, s, e);
          return;
        }
        this.toCategorical(row);
        this.addLabel(b, s, e, row);
      }
    }
  }

  // The last label's bytes: long-format files repeat one id for many rows in a row, and
  // comparing a few bytes is much cheaper than making a string and looking it up.
  private last = new Uint8Array(LAST_MAX);
  private lastLen = -1;
  private lastCode = -1;

  private addLabel(b: Buffer, s: number, e: number, row: number): void {
    const n = e - s;
    if (n === this.lastLen) {
      const last = this.last;
      let k = 0;
      while (k < n && b[s + k] === last[k]) k++;
      if (k === n) {
        this.codes![row] = this.lastCode;
        this.counts[this.lastCode]!++;
        return;
      }
    }
    if (isMissing(b, s, e)) {
      this.codes![row] = -1;
      this.missing++;
      return;
    }
    const code = this.intern(b.toString('utf8', s, e));
    this.codes![row] = code;
    if (n <= LAST_MAX) {
      this.last.set(b.subarray(s, e));
      this.lastLen = n;
      this.lastCode = code;
    }
  }

  intern(label: string): number {
    let code = this.map!.get(label);
    if (code === undefined) {
      code = this.labels.length;
      this.labels.push(label);
      this.counts.push(0);
      this.map!.set(label, code);
    }
    this.counts[code]!++;
    return code;
  }

  /** A cell that is not of the user's type: kept as missing, the first one remembered for the error. */
  private reject(row: number, line: number, b: Buffer, s: number, e: number): void {
    this.values![row] = NaN;
    this.violation ??= { line, text: b.toString('utf8', s, e) };
  }

  private demote(row: number, line: number, b: Buffer, s: number, e: number): void {
    this.demotion = { from: this.kind === K_NUM ? 'numeric' : 'datetime', line, text: b.toString('utf8', s, e) };
    this.toCategorical(row);
    this.addLabel(b, s, e, row);
  }

  /**
   * Turns rows [0, row) into category codes. Numbers and dates were not kept as text, so their
   * labels are written back from the values (`1.50` becomes `1.5`).
   */
  toCategorical(row: number): void {
    const values = this.values!;
    this.codes = new Int32Array(values.length);
    this.map = new Map();
    const wasDate = this.kind === K_DATE;
    for (let r = 0; r < row; r++) {
      const v = values[r]!;
      if (v !== v) this.codes[r] = -1;
      else this.codes[r] = this.intern(wasDate ? dateText(v, this.date) : String(v));
    }
    this.kind = K_CAT;
    this.values = null;
  }
}

function dateText(v: number, st: DateState): string {
  if (st.fam === FAM_SLASH) return slashText(v, st.sep);
  const iso = new Date(v).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19);
}
