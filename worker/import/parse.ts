// Streaming CSV parser: the file is read as Buffers and parsed byte by byte into typed columns
// (see column.ts), so memory grows with rows × columns × 8 bytes, never with the file's text.
// A row cut by a chunk boundary is carried over and parsed again with the next chunk. The sha256
// of the source is computed in the same pass. Bad input raises CsvError naming file and line.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { CsvError, type ImportProgressFn, type ParsedTable } from './types.js';
import { detectDelimiter, fixHeaderNames } from './header.js';
import { ColumnBuilder, cellText } from './column.js';
import { finishTable } from './finish.js';

const CHUNK = 1 << 20;
/** Bytes gathered before the delimiter is guessed (the first chunk is normally enough). */
const SNIFF = 64 * 1024;
/** A row longer than this is almost surely an unterminated quote; stop before memory runs out. */
const MAX_ROW_BYTES = 64 * 1024 * 1024;
const PROGRESS_MS = 100;

class Parser {
  delim = 44;
  names: string[] | null = null;
  ncol = 0;
  cols: ColumnBuilder[] = [];
  rows = 0;
  cap = 0;
  estimated = false;
  /** Line (1-based) where the next row starts. */
  line = 1;
  /** Newlines inside quoted fields of the row just tokenized. */
  qnl = 0;
  nf = 0;
  fs = new Int32Array(1024);
  fe = new Int32Array(1024);
  fl = new Uint8Array(1024);
  /** Row → line mapping: from rowAt[k] on, line = row + shiftOf[k] (blank lines and quoted newlines shift it). */
  rowAt: number[] = [];
  shiftOf: number[] = [];
  shift = -1;
  pending: Buffer | null = null;
  bytes = 0;
  warnings: string[] = [];
  private lastProgress = 0;

  constructor(
    readonly path: string,
    readonly file: string,
    readonly totalBytes: number,
    readonly onProgress?: ImportProgressFn,
  ) {}

  error(message: string, line?: number, column?: string): CsvError {
    const where = line !== undefined ? `line ${line}${column !== undefined ? `, column "${column}"` : ''}: ` : '';
    return new CsvError(`${this.file}: ${where}${message}`, this.path, line, column);
  }

  push(chunk: Buffer, final: boolean): void {
    this.bytes += chunk.length;
    const b = this.pending ? (chunk.length ? Buffer.concat([this.pending, chunk]) : this.pending) : chunk;
    this.pending = null;
    let p = 0;
    if (!this.names) {
      if (b.length < SNIFF && !final) {
        this.pending = b;
        return;
      }
      p = this.header(b, final);
      if (p < 0) {
        this.pending = b;
        return;
      }
    }
    const rowsBefore = this.rows;
    p = this.parseRows(b, p, final);
    if (!this.estimated && this.rows > rowsBefore && this.rows >= 64) this.estimateCapacity(p);
    if (p < b.length) {
      if (final) throw this.error('the file ends inside a row'); // not reached: final rows always complete
      if (b.length - p > MAX_ROW_BYTES) {
        throw this.error(`a row longer than ${MAX_ROW_BYTES >> 20} MB starts here; is a quote (") left unclosed?`, this.line);
      }
      this.pending = b.subarray(p);
    }
    const now = Date.now();
    if (this.onProgress && (final || now - this.lastProgress >= PROGRESS_MS)) {
      this.lastProgress = now;
      this.onProgress({ bytes: this.bytes - (this.pending?.length ?? 0), totalBytes: this.totalBytes, rows: this.rows });
    }
  }

  /** Reads the header row; returns where the data starts, or -1 when more bytes are needed. */
  private header(b: Buffer, final: boolean): number {
    let p = 0;
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) p = 3;
    let line = 1;
    for (;;) {
      while (p < b.length && (b[p] === 32 || b[p] === 9)) p++;
      if (b[p] === 13 || b[p] === 10) {
        p += b[p] === 13 && b[p + 1] === 10 ? 2 : 1;
        line++;
      } else break;
    }
    if (p >= b.length) {
      if (final) throw this.error('the file is empty (no header row, no data)');
      return -1;
    }
    this.delim = detectDelimiter(b, p, b.length, final);
    this.line = line;
    let next = this.tokenize(b, p, b.length, final);
    if (next < 0) return -1;
    if (this.nf > this.fs.length) {
      this.fs = new Int32Array(this.nf + 1);
      this.fe = new Int32Array(this.nf + 1);
      this.fl = new Uint8Array(this.nf + 1);
      next = this.tokenize(b, p, b.length, final);
    }
    const raw: string[] = [];
    for (let j = 0; j < this.nf; j++) raw.push(cellText(b, this.fs[j]!, this.fe[j]!, this.fl[j]!));
    this.names = fixHeaderNames(raw, this.warnings);
    this.ncol = this.names.length;
    this.fs = new Int32Array(this.ncol + 1);
    this.fe = new Int32Array(this.ncol + 1);
    this.fl = new Uint8Array(this.ncol + 1);
    this.cap = 4096;
    this.cols = this.names.map((n) => new ColumnBuilder(n, this.cap));
    this.line += 1 + this.qnl;
    return next;
  }

  /** After the first rows, size the columns for the whole file from the bytes per row so far. */
  private estimateCapacity(consumed: number): void {
    this.estimated = true;
    const perRow = consumed / this.rows;
    const est = Math.ceil((this.totalBytes / perRow) * 1.02) + 256;
    if (est > this.cap) this.growTo(est);
  }

  private growTo(cap: number): void {
    this.cap = cap;
    for (const c of this.cols) c.grow(cap);
  }

  /**
   * Finds the fields of the row at p: offsets into fs/fe, flags into fl (0 plain, 1 quoted,
   * 2 quoted with escapes or stray quotes), their number into nf. Returns the position after
   * the row's line end, or -1 when the buffer ends inside the row and more bytes will come.
   */
  private tokenize(b: Buffer, p: number, end: number, final: boolean): number {
    const delim = this.delim;
    const fs = this.fs;
    const fe = this.fe;
    const fl = this.fl;
    const max = fs.length;
    let nf = 0;
    this.qnl = 0;
    const rowStart = p;
    for (;;) {
      const start = p;
      let flag = 0;
      if (p < end && b[p] === 34) {
        flag = 1;
        p++;
        for (;;) {
          const q = b.indexOf(34, p);
          if (q < 0 || q >= end) {
            if (!final) return -1;
            let nl = 0;
            for (let k = rowStart; k < start; k++) if (b[k] === 10) nl++;
            throw this.error(`a quoted field starting here is never closed (unterminated ")`, this.line + nl, this.names?.[nf]);
          }
          for (let k = p; k < q; k++) if (b[k] === 10) this.qnl++;
          if (q + 1 >= end && !final) return -1;
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
      } else {
        while (p < end) {
          const c = b[p]!;
          if (c === delim || c === 10 || c === 13) break;
          p++;
        }
      }
      if (nf < max) {
        fs[nf] = start;
        fe[nf] = p;
        fl[nf] = flag;
      }
      nf++;
      if (p >= end) {
        if (!final) return -1;
        this.nf = nf;
        return p;
      }
      const c = b[p]!;
      if (c === delim) {
        p++;
        continue;
      }
      p++;
      if (c === 13) {
        if (p >= end) {
          if (!final) return -1;
        } else if (b[p] === 10) p++;
      }
      this.nf = nf;
      return p;
    }
  }

  /** Parses whole rows from p; returns where the first incomplete row starts (or the end). */
  private parseRows(b: Buffer, p: number, final: boolean): number {
    const end = b.length;
    const ncol = this.ncol;
    const cols = this.cols;
    const fs = this.fs;
    const fe = this.fe;
    const fl = this.fl;
    const trimTab = this.delim !== 9;
    while (p < end) {
      const c0 = b[p];
      if (c0 === 10) {
        p++;
        this.line++;
        continue;
      }
      if (c0 === 13) {
        if (p + 1 >= end && !final) break;
        p += b[p + 1] === 10 ? 2 : 1;
        this.line++;
        continue;
      }
      const next = this.tokenize(b, p, end, final);
      if (next < 0) break;
      const line = this.line;
      if (this.nf !== ncol) {
        if (this.nf === 1 && isBlank(b, fs[0]!, fe[0]!)) {
          // A line of spaces only: skipped like an empty line.
          this.line += 1;
          p = next;
          continue;
        }
        const msg = `line ${line} has ${this.nf} field${this.nf === 1 ? '' : 's'}, the header has ${ncol}`;
        throw new CsvError(`${this.file}: ${msg}`, this.path, line);
      }
      const row = this.rows;
      if (row === this.cap) this.growTo(Math.ceil(this.cap * 1.5));
      if (line - row !== this.shift) {
        this.shift = line - row;
        this.rowAt.push(row);
        this.shiftOf.push(this.shift);
      }
      for (let j = 0; j < ncol; j++) {
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
      p = next;
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

function isBlank(b: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] !== 32 && b[i] !== 9) return false;
  return true;
}

/**
 * Parses a CSV file into typed columns with inferred kinds, a time column and, for long-format
 * files, a series-id column. Throws CsvError for input the user must fix.
 */
export async function parseCsvFile(path: string, onProgress?: ImportProgressFn): Promise<ParsedTable> {
  const file = basename(path);
  let totalBytes: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a regular file');
    totalBytes = st.size;
  } catch (e) {
    throw new CsvError(`${file}: cannot read ${path} (${(e as Error).message})`, path);
  }
  const parser = new Parser(path, file, totalBytes, onProgress);
  const hash = createHash('sha256');
  const stream = createReadStream(path, { highWaterMark: CHUNK });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      parser.push(chunk, false);
    }
  } finally {
    stream.destroy();
  }
  parser.push(Buffer.alloc(0), true);
  if (!parser.names) throw parser.error('the file is empty (no header row, no data)');
  if (parser.rows === 0) {
    throw parser.error(`the file has a header row (${parser.names.length} column${parser.names.length === 1 ? '' : 's'}) but no data rows`);
  }
  return finishTable({
    path,
    file,
    sha256: hash.digest('hex'),
    delimiter: String.fromCharCode(parser.delim),
    rows: parser.rows,
    cols: parser.cols,
    warnings: parser.warnings,
    lineOf: (r) => parser.lineOf(r),
  });
}
