// The byte-level CSV state machine behind parseCsvFile (parse.ts): fields, quotes, rows cut by a read
// boundary, typed column builders (with the user's column types), progress. One Parser, one file.
import { CsvError, type ColumnTypes, type ImportProgressFn } from './types.js';
import { detectDelimiter, fixHeaderNames, isBlank } from './header.js';
import { ColumnBuilder, K_DATE, K_NUM, cellText } from './column.js';
import { FAM_ISO, fastEnd, fastIso } from './datetime.js';
import { scanNumber, scanned } from './number.js';
import { decimalCommaWarning, detectDecimalComma } from './decimal.js';

/** Bytes gathered before the delimiter is guessed (the first chunk is normally enough). */
const SNIFF = 64 * 1024;
/** A row longer than this is almost surely an unterminated quote; stop before memory runs out. */
const MAX_ROW_BYTES = 64 * 1024 * 1024;
const PROGRESS_MS = 100;

export class Parser {
  delim = 44;
  /** Decimal mark: 46 `.`, or 44 `,` when the file uses decimal commas (decimal.ts). */
  dec = 46;
  names: string[] | null = null;
  ncol = 0;
  cols: ColumnBuilder[] = [];
  rows = 0;
  cap = 0;
  estimated = false;
  /** Line (1-based) where the next row starts. */
  line = 1;
  /** Newlines inside quoted fields of the row being read. */
  qnl = 0;
  /** Flag of the field scanField just read: 0 plain, 1 quoted, 2 quoted with escapes or stray quotes. */
  flag = 0;
  nf = 0;
  fs = new Int32Array(1024);
  fe = new Int32Array(1024);
  fl = new Uint8Array(1024);
  /** Per field of the current row: 1 when it still has to go through ColumnBuilder.add. */
  gen = new Uint8Array(1024);
  /** Row → line mapping: from rowAt[k] on, line = row + shiftOf[k] (blank lines and quoted newlines shift it). */
  rowAt: number[] = [];
  shiftOf: number[] = [];
  shift = -1;
  consumed = 0; // bytes of the file parsed so far (for progress and the capacity estimate)
  warnings: string[] = [];
  private lastProgress = 0;

  constructor(
    readonly path: string,
    readonly file: string,
    readonly totalBytes: number,
    readonly onProgress?: ImportProgressFn,
    readonly types: ColumnTypes = {},
  ) {}

  error(message: string, line?: number, column?: string): CsvError {
    const where = line !== undefined ? `line ${line}${column !== undefined ? `, column "${column}"` : ''}: ` : '';
    return new CsvError(`${this.file}: ${where}${message}`, this.path, line, column);
  }

  /**
   * Parses the whole rows in b[0..end); returns how many bytes were used. The caller keeps the
   * rest and hands it back in front of the next bytes.
   */
  consume(b: Buffer, end: number, final: boolean): number {
    let p = 0;
    if (!this.names) {
      if (end < SNIFF && !final) return 0;
      p = this.header(b, end, final);
      if (p < 0) return 0;
    }
    const rowsBefore = this.rows;
    p = this.parseRows(b, p, end, final);
    this.consumed += p;
    if (!this.estimated && this.rows > rowsBefore && this.rows >= 64) this.estimateCapacity();
    if (!final && end - p > MAX_ROW_BYTES) {
      throw this.error(
        `a row longer than ${MAX_ROW_BYTES >> 20} MB starts here; is a quote (") left unclosed?`,
        this.line,
      );
    }
    const now = Date.now();
    if (this.onProgress && (final || now - this.lastProgress >= PROGRESS_MS)) {
      this.lastProgress = now;
      this.onProgress({ bytes: this.consumed, totalBytes: this.totalBytes, rows: this.rows });
    }
    return p;
  }

  /** Reads the header row; returns where the data starts, or -1 when more bytes are needed. */
  private header(b: Buffer, end: number, final: boolean): number {
    let p = 0;
    if (end >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) {
      throw this.error('the file is UTF-16 text; save it as UTF-8 (CSV UTF-8) and import it again');
    }
    // Text files have no NUL bytes; spreadsheets (.xlsx is a zip), images and the like do.
    if (b.subarray(0, Math.min(end, SNIFF)).indexOf(0) >= 0) {
      throw this.error(
        'the file is not CSV text (it contains binary data); if it is a spreadsheet, export it as CSV first',
      );
    }
    if (end >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) p = 3;
    let line = 1;
    for (;;) {
      while (p < end && (b[p] === 32 || b[p] === 9)) p++;
      if (p < end && (b[p] === 13 || b[p] === 10)) {
        p += b[p] === 13 && p + 1 < end && b[p + 1] === 10 ? 2 : 1;
        line++;
      } else break;
    }
    if (p >= end) {
      if (final) throw this.error('the file is empty (no header row, no data)');
      return -1;
    }
    this.delim = detectDelimiter(b, p, end, final);
    const comma = detectDecimalComma(b, p, end, this.delim);
    if (comma !== null) {
      this.dec = 44;
      this.warnings.push(decimalCommaWarning(comma, this.delim));
    }
    this.line = line;
    let next = this.tokenize(b, p, end, final);
    if (next < 0) return -1;
    if (this.nf > this.fs.length) {
      this.fs = new Int32Array(this.nf + 1);
      this.fe = new Int32Array(this.nf + 1);
      this.fl = new Uint8Array(this.nf + 1);
      next = this.tokenize(b, p, end, final);
    }
    const raw: string[] = [];
    for (let j = 0; j < this.nf; j++) raw.push(cellText(b, this.fs[j]!, this.fe[j]!, this.fl[j]!));
    this.names = fixHeaderNames(raw, this.warnings);
    this.ncol = this.names.length;
    this.fs = new Int32Array(this.ncol + 1);
    this.fe = new Int32Array(this.ncol + 1);
    this.fl = new Uint8Array(this.ncol + 1);
    this.gen = new Uint8Array(this.ncol + 1);
    this.cap = 4096;
    this.cols = this.names.map((n) => new ColumnBuilder(n, this.cap, this.dec, this.types[n]));
    this.line += 1 + this.qnl;
    return next;
  }

  /** After the first rows, size the columns for the whole file from the bytes per row so far. */
  private estimateCapacity(): void {
    this.estimated = true;
    const perRow = this.consumed / this.rows;
    const est = Math.ceil((this.totalBytes / perRow) * 1.02) + 256;
    if (est > this.cap) this.growTo(est);
  }

  private growTo(cap: number): void {
    this.cap = cap;
    for (const c of this.cols) c.grow(cap);
  }

  /**
   * Reads one field starting at p (quoted or not); returns the position of the byte after it
   * (a delimiter, a line end, or end), or -1 when the buffer ends inside it and more will come.
   * Sets `flag`, and counts newlines inside quotes into `qnl`.
   */
  private scanField(b: Buffer, p: number, end: number, final: boolean, rowStart: number, field: number): number {
    const delim = this.delim;
    if (p < end && b[p] === 34) {
      const start = p;
      let flag = 1;
      p++;
      for (;;) {
        const q = b.indexOf(34, p);
        if (q < 0 || q >= end) {
          if (!final) return -1;
          let nl = 0;
          for (let k = rowStart; k < start; k++) if (b[k] === 10) nl++;
          throw this.error(
            `a quoted field starting here is never closed (unterminated ")`,
            this.line + nl,
            this.names?.[field],
          );
        }
        for (let k = p; k < q; k++) if (b[k] === 10) this.qnl++;
        if (q + 1 >= end) {
          if (!final) return -1;
          p = q + 1;
          break;
        }
        if (b[q + 1] === 34) {
          flag = 2;
          p = q + 2;
          continue;
        }
        p = q + 1;
        break;
      }
      if (p < end) {
        let c = b[p]!;
        if (c !== delim && c !== 10 && c !== 13) {
          // Text after the closing quote: kept, unescaped by cellText.
          flag = 2;
          while (p < end) {
            c = b[p]!;
            if (c === delim || c === 10 || c === 13) break;
            p++;
          }
        }
      }
      this.flag = flag;
      return p;
    }
    while (p < end) {
      const c = b[p]!;
      if (c === delim || c === 10 || c === 13) break;
      p++;
    }
    this.flag = 0;
    return p;
  }

  /**
   * Finds the fields of the row at p into fs/fe/fl and their number into nf. Returns the
   * position after the row's line end, or -1 when more bytes are needed. (Header row.)
   */
  private tokenize(b: Buffer, p: number, end: number, final: boolean): number {
    const max = this.fs.length;
    const rowStart = p;
    let nf = 0;
    this.qnl = 0;
    for (;;) {
      const start = p;
      p = this.scanField(b, p, end, final, rowStart, nf);
      if (p < 0) return -1;
      if (nf < max) {
        this.fs[nf] = start;
        this.fe[nf] = p;
        this.fl[nf] = this.flag;
      }
      nf++;
      p = this.fieldEnd(b, p, end, final);
      if (p === -1) return -1;
      if (p >= 0 && this.atDelim) continue;
      this.nf = nf;
      return p;
    }
  }

  /** Set by fieldEnd: the field ended at a delimiter (another field follows). */
  private atDelim = false;

  /** Steps over what ends a field at p: a delimiter or a line end. -1: need more bytes. */
  private fieldEnd(b: Buffer, p: number, end: number, final: boolean): number {
    if (p >= end) {
      this.atDelim = false;
      return final ? p : -1;
    }
    const c = b[p]!;
    if (c === this.delim) {
      this.atDelim = true;
      return p + 1;
    }
    this.atDelim = false;
    p++;
    if (c === 13) {
      if (p >= end) return final ? p : -1;
      if (b[p] === 10) p++;
    }
    return p;
  }

  /**
   * Parses whole rows from p; returns where the first incomplete row starts (or end). Cells of
   * numeric columns are parsed in the same pass that finds the field's end; other cells go
   * through ColumnBuilder.add once the row is known to be complete.
   */
  private parseRows(b: Buffer, p: number, end: number, final: boolean): number {
    const ncol = this.ncol;
    const cols = this.cols;
    const fs = this.fs;
    const fe = this.fe;
    const fl = this.fl;
    const gen = this.gen;
    const delim = this.delim;
    const dec = this.dec;
    const trimTab = delim !== 9;
    rows: while (p < end) {
      const c0 = b[p];
      if (c0 === 10 || c0 === 13) {
        // An empty line.
        if (c0 === 13) {
          if (p + 1 >= end && !final) break;
          p += p + 1 < end && b[p + 1] === 10 ? 2 : 1;
        } else p++;
        this.line++;
        continue;
      }
      if (this.rows === this.cap) this.growTo(Math.ceil(this.cap * 1.5));
      const row = this.rows;
      const rowStart = p;
      let nf = 0;
      this.qnl = 0;
      for (;;) {
        let done = false;
        if (nf < ncol) {
          const col = cols[nf]!;
          const num = col.kind === K_NUM;
          if (num || (col.kind === K_DATE && col.date.fam === FAM_ISO)) {
            const v = num ? scanNumber(b, p, end, dec) : fastIso(b, p, end, col.date);
            const q = num ? scanned[0]! : fastEnd[0]!;
            if (v === v && q < end) {
              const c = b[q];
              if (c === delim || c === 10 || c === 13) {
                col.values![row] = v;
                gen[nf] = 0;
                p = q;
                done = true;
              }
            }
          }
        }
        if (!done) {
          const start = p;
          p = this.scanField(b, p, end, final, rowStart, nf);
          if (p < 0) {
            p = rowStart;
            break rows;
          }
          if (nf <= ncol) {
            fs[nf] = start;
            fe[nf] = p;
            fl[nf] = this.flag;
            gen[nf] = 1;
          }
        }
        nf++;
        if (p >= end) {
          if (!final) {
            p = rowStart;
            break rows;
          }
          break;
        }
        const c = b[p];
        if (c === delim) {
          p++;
          continue;
        }
        p++;
        if (c === 13 && p < end) {
          if (b[p] === 10) p++;
        } else if (c === 13 && !final) {
          p = rowStart;
          break rows;
        }
        break;
      }
      const line = this.line;
      if (nf !== ncol) {
        if (nf === 1 && gen[0] === 1 && isBlank(b, fs[0]!, fe[0]!)) {
          // A line of spaces only: skipped like an empty line.
          this.line += 1;
          continue;
        }
        const msg = `line ${line} has ${nf} field${nf === 1 ? '' : 's'}, the header has ${ncol}`;
        throw new CsvError(`${this.file}: ${msg}`, this.path, line);
      }
      if (line - row !== this.shift) {
        this.shift = line - row;
        this.rowAt.push(row);
        this.shiftOf.push(this.shift);
      }
      for (let j = 0; j < ncol; j++) {
        if (gen[j] === 0) continue;
        let s = fs[j]!;
        let e = fe[j]!;
        const flag = fl[j]!;
        if (flag === 0 && s < e) {
          while (s < e && (b[s] === 32 || (trimTab && b[s] === 9))) s++;
          while (e > s && (b[e - 1] === 32 || (trimTab && b[e - 1] === 9))) e--;
        }
        cols[j]!.add(b, s, e, flag, row, line);
      }
      this.rows = row + 1;
      this.line += 1 + this.qnl;
    }
    return p;
  }

  /** 1-based line of a data row (0-based row index). */
  lineOf(row: number): number {
    let lo = 0;
    let hi = this.rowAt.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.rowAt[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return row + (this.shiftOf[lo] ?? 2);
  }
}

/**
 * Parses a CSV file into typed columns with inferred kinds, a time column and, for long-format
 * files, a series-id column. Throws CsvError for input the user must fix.
 */
