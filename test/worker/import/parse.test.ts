// The CSV parser against real files: every delimiter, quoting, encoding and datetime format in
// test/fixtures, the bad inputs with their messages, and rows cut by the stream's chunk edges.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsvFile } from '../../../worker/import/parse.js';
import { CsvError, type ParsedColumn, type ParsedTable } from '../../../worker/import/types.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const fx = (name: string): string => join(FIX, name);

function col(t: ParsedTable, name: string): ParsedColumn {
  const c = t.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name} in ${t.columns.map((x) => x.name).join(',')}`);
  return c;
}
const iso = (c: ParsedColumn): string[] =>
  Array.from(c.values!, (v) => (Number.isNaN(v) ? 'NaN' : new Date(v).toISOString()));
const labels = (c: ParsedColumn): (string | null)[] => Array.from(c.codes!, (k) => (k < 0 ? null : c.labels![k]!));

async function csvError(path: string): Promise<CsvError> {
  try {
    await parseCsvFile(path);
  } catch (e) {
    expect(e).toBeInstanceOf(CsvError);
    return e as CsvError;
  }
  throw new Error(`${path} parsed without error`);
}

describe('delimiters and encodings', () => {
  for (const [file, delim] of [
    ['semicolon.csv', ';'],
    ['tab.tsv', '\t'],
    ['pipe.csv', '|'],
    ['crlf.csv', ','],
    ['bom.csv', ','],
  ] as const) {
    it(`reads ${file}`, async () => {
      const t = await parseCsvFile(fx(file));
      expect(t.delimiter).toBe(delim);
      expect(t.columns.map((c) => c.name)).toEqual(['date', 'price', 'volume']);
      expect(t.rowCount).toBe(10);
      expect(col(t, 'date').kind).toBe('datetime');
      expect(iso(col(t, 'date'))[9]).toBe('2012-01-10T00:00:00.000Z');
      expect(Array.from(col(t, 'price').values!.slice(0, 3))).toEqual([10, 10.5, 11]);
      expect(col(t, 'volume').values![9]).toBe(109);
      expect(t.timeColumn).toBe('date');
      expect(t.warnings).toEqual([]);
      expect(t.sha256).toMatch(/^[0-9a-f]{64}$/);
    });
  }

  it('gives the same sha256 as hashing the file', async () => {
    const { createHash } = await import('node:crypto');
    const { readFileSync } = await import('node:fs');
    const t = await parseCsvFile(fx('bom.csv'));
    expect(t.sha256).toBe(
      createHash('sha256')
        .update(readFileSync(fx('bom.csv')))
        .digest('hex'),
    );
  });

  it('handles quoted delimiters, doubled quotes, newlines inside quotes and quoted numbers', async () => {
    const t = await parseCsvFile(fx('quoted.csv'));
    expect(t.columns.map((c) => c.name)).toEqual(['date', 'price, usd', 'comment', 'qty']);
    expect(col(t, 'price, usd').kind).toBe('numeric');
    expect(Array.from(col(t, 'price, usd').values!)).toEqual([1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
    expect(labels(col(t, 'comment'))).toEqual(['plain', 'has, comma', 'she said "hi"', 'two\nlines', null, 'plain']);
    expect(Array.from(col(t, 'qty').values!)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('names the right line in a warning after blank lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-parse-'));
    const f = join(dir, 'gaps.csv');
    writeFileSync(f, 'date,price\n\n2012-01-02,1\n\n\n2012-01-01,2\n');
    const t = await parseCsvFile(f);
    expect(t.warnings).toEqual([
      'time column "date" is not in increasing order: line 6 (2012-01-01) comes after 2012-01-02',
    ]);
  });

  it('reads old-Mac CR line ends and a last row without a line end', async () => {
    const t = await parseCsvFile(fx('cr-only-no-final-newline.csv'));
    expect(t.rowCount).toBe(2);
    expect(labels(col(t, 'note'))).toEqual(['a', 'b']);
    expect(Array.from(col(t, 'price').values!)).toEqual([1, 2]);
  });

  it('skips blank lines and keeps line numbers right after them', async () => {
    const t = await parseCsvFile(fx('blank-lines.csv'));
    expect(t.rowCount).toBe(3);
    expect(Array.from(col(t, 'price').values!)).toEqual([1, 2, 3]);
  });

  it("gives each row's source line: quoted newlines and blank lines counted, CRLF too", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csv-lines-'));
    for (const eol of ['\n', '\r\n']) {
      const text = ['note,price', 'a,1', '"two', 'lines",2', '', 'c,3', '"x', '', 'y",4', 'e,5'].join(eol) + eol;
      const path = join(dir, 'lines.csv');
      writeFileSync(path, text);
      const t = await parseCsvFile(path);
      expect(t.rowCount).toBe(5);
      expect(Array.from({ length: 5 }, (_, r) => t.lineOf(r))).toEqual([2, 3, 6, 7, 10]);
    }
  });
});

describe('type inference', () => {
  it('parses ints, floats, exponents and signs', async () => {
    const t = await parseCsvFile(fx('numbers.csv'));
    expect(t.columns.every((c) => c.kind === 'numeric')).toBe(true);
    expect(Array.from(col(t, 'b').values!)).toEqual([-2.5, 0.5, 3]);
    expect(Array.from(col(t, 'c').values!)).toEqual([1000, -0.015, 200]);
    expect(Array.from(col(t, 'd').values!)).toEqual([0.5, 7, 0.1]);
    expect(t.timeColumn).toBeNull();
  });

  it('counts every missing-value spelling and keeps categorical codes at -1', async () => {
    const t = await parseCsvFile(fx('missing-tokens.csv'));
    const x = col(t, 'x');
    expect(x.kind).toBe('numeric');
    expect(x.missing).toBe(7);
    expect(x.stats.min).toBe(1);
    expect(x.stats.max).toBe(9);
    expect(x.stats.mean).toBe(5);
    const l = col(t, 'label');
    expect(l.kind).toBe('categorical');
    expect(l.missing).toBe(4);
    expect(labels(l)).toEqual(['a', null, 'b', null, 'a', null, 'b', 'a', null]);
  });

  it('demotes a numeric column to categorical and names the line of the offending cell', async () => {
    const t = await parseCsvFile(fx('mixed.csv'));
    const p = col(t, 'price');
    expect(p.kind).toBe('categorical');
    expect(labels(p)).toEqual(['1.5', '2.5', '3.5', 'abc', '5.5']);
    expect(t.warnings.join('\n')).toMatch(/column "price" is categorical.*line 5 has "abc", which is not a number/);
  });

  it('demotes a date column meeting a non-date cell, keeping the earlier dates as text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-parse-'));
    const f = join(dir, 'when.csv');
    writeFileSync(f, 'when,x\n2012-01-01,1\n2012-01-02,2\nsoon,3\n');
    const t = await parseCsvFile(f);
    expect(labels(col(t, 'when'))).toEqual(['2012-01-01', '2012-01-02', 'soon']);
    expect(t.timeColumn).toBeNull();
    expect(t.warnings).toEqual([
      'column "when" is categorical (text): line 4 has "soon", which is not a date like the cells above it',
    ]);
  });

  it('computes categorical stats: distinct and top counts', async () => {
    const t = await parseCsvFile(fx('categorical.csv'));
    const w = col(t, 'weather');
    expect(w.stats.distinct).toBe(3);
    expect(w.stats.top![0]).toEqual({ value: 'sunny', count: 3 });
    expect(labels(w)[3]).toBe('snow, heavy');
    expect(col(t, 'temp').stats.std).toBeCloseTo(6.1073725, 6); // sample std of 10, 8, 12, -3, 11
  });
});

describe('datetime formats', () => {
  const cases: [string, string, string, string[]][] = [
    [
      'dates-iso.csv',
      'date',
      'YYYY-MM-DD',
      ['2012-01-31T00:00:00.000Z', '2012-02-01T00:00:00.000Z', '2012-02-29T00:00:00.000Z'],
    ],
    ['datetime-iso.csv', 'time', 'YYYY-MM-DDTHH:mm:ss', ['2010-01-01T01:00:00.000Z', '2010-01-01T02:00:00.000Z']],
    [
      'datetime-frac-zone.csv',
      'time',
      'YYYY-MM-DDTHH:mm:ss.SSSZ',
      ['2010-01-01T01:00:00.250Z', '2010-01-01T01:00:00.500Z', '2010-01-01T02:30:00.000Z'],
    ],
    ['datetime-space.csv', 'time', 'YYYY-MM-DD HH:mm', ['2010-01-01T01:00:00.000Z', '2010-01-01T02:00:00.000Z']],
    [
      'datetime-ampm.csv',
      'time',
      'M/D/YYYY h:mm A',
      ['2012-01-31T00:30:00.000Z', '2012-01-31T13:00:00.000Z', '2012-02-01T12:00:00.000Z'],
    ],
    ['datetime-utc.csv', 'time', 'YYYY-MM-DD HH:mm:ssZ', ['2016-01-01T00:00:00.000Z', '2016-01-01T01:00:00.000Z']],
    [
      'dates-compact.csv',
      'date',
      'YYYYMMDD',
      ['1958-03-29T00:00:00.000Z', '1958-03-30T00:00:00.000Z', '1958-03-31T00:00:00.000Z', '1958-04-01T00:00:00.000Z'],
    ],
    [
      'dates-monthname.csv',
      'date',
      'MMM D YYYY',
      ['2000-01-01T00:00:00.000Z', '2000-01-02T00:00:00.000Z', '2000-02-03T00:00:00.000Z', '2000-09-04T00:00:00.000Z'],
    ],
    [
      'dates-daymonthname.csv',
      'date',
      'D MMM YYYY',
      ['2000-01-01T00:00:00.000Z', '2000-01-02T00:00:00.000Z', '2000-03-03T00:00:00.000Z'],
    ],
    [
      'dates-us.csv',
      'date',
      'M/D/YYYY',
      ['2012-01-30T00:00:00.000Z', '2012-01-31T00:00:00.000Z', '2012-02-01T00:00:00.000Z', '2012-02-13T00:00:00.000Z'],
    ],
    [
      'dates-dayfirst.csv',
      'date',
      'D/M/YYYY',
      ['2012-01-30T00:00:00.000Z', '2012-01-31T00:00:00.000Z', '2012-02-01T00:00:00.000Z', '2012-02-13T00:00:00.000Z'],
    ],
    ['dates-dot.csv', 'date', 'D.M.YYYY', ['2012-01-31T00:00:00.000Z', '2012-02-01T00:00:00.000Z']],
    ['years.csv', 'year', 'YYYY', ['1990-01-01T00:00:00.000Z', '1991-01-01T00:00:00.000Z']],
    ['monthly.csv', 'month', 'YYYY-MM', ['1949-01-01T00:00:00.000Z', '1949-02-01T00:00:00.000Z']],
  ];
  for (const [file, name, format, expected] of cases) {
    it(`reads ${file} as ${format}`, async () => {
      const t = await parseCsvFile(fx(file));
      const c = col(t, name);
      expect(c.kind).toBe('datetime');
      expect(c.stats.format).toBe(format);
      expect(iso(c).slice(0, expected.length)).toEqual(expected);
      expect(t.timeColumn).toBe(name);
      expect(c.stats.min).toBe(Date.parse(expected[0]!));
    });
  }

  it('keeps dates that read both as M/D and D/M as text, with a warning', async () => {
    const t = await parseCsvFile(fx('dates-ambiguous.csv'));
    expect(col(t, 'date').kind).toBe('categorical');
    expect(labels(col(t, 'date'))).toEqual(['1/2/2012', '1/3/2012', '2/4/2012']);
    expect(t.timeColumn).toBeNull();
    expect(t.warnings.join('\n')).toMatch(/column "date" has dates such as 1\/2\/2012 .*YYYY-MM-DD/);
  });

  it('does not take 4-digit numbers for years unless the column is named like one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-parse-'));
    const f = join(dir, 'counts.csv');
    writeFileSync(f, 'count,x\n1990,1\n1991,2\n');
    const t = await parseCsvFile(f);
    expect(col(t, 'count').kind).toBe('numeric');
    expect(t.timeColumn).toBeNull();
  });
});

describe('time column, duplicates and long format', () => {
  it('finds the series column of a long-format file', async () => {
    const t = await parseCsvFile(fx('long-format.csv'));
    expect(t.timeColumn).toBe('date');
    expect(t.seriesColumn).toBe('symbol');
    expect(t.warnings).toEqual([]);
    expect(col(t, 'symbol').labels).toEqual(['AAA', 'BBB', 'CCC']);
  });

  it('finds the series column when rows are interleaved by date', async () => {
    const t = await parseCsvFile(fx('long-interleaved.csv'));
    expect(t.seriesColumn).toBe('symbol');
    expect(t.warnings).toEqual([]);
  });

  it('finds the series column when one series is out of order, and says where', async () => {
    const t = await parseCsvFile(fx('long-unsorted.csv'));
    expect(t.seriesColumn).toBe('symbol');
    expect(t.warnings).toEqual([
      'time column "date" is not in increasing order within series "symbol": line 4 (AAA, 2012-01-02) comes after 2012-01-03',
    ]);
  });

  it('reports duplicate timestamps with their line', async () => {
    const t = await parseCsvFile(fx('duplicates.csv'));
    expect(t.seriesColumn).toBeNull();
    expect(t.warnings).toEqual([
      expect.stringMatching(/time column "date" has 1 duplicate timestamp \(first: 2012-01-02 at line 4\)/),
    ]);
  });

  it('reports an unsorted time column with the line that goes back', async () => {
    const t = await parseCsvFile(fx('unsorted.csv'));
    expect(t.warnings).toEqual([
      'time column "date" is not in increasing order: line 5 (2012-01-03) comes after 2012-01-05',
    ]);
  });

  it('repairs blank and repeated header names and says so', async () => {
    const t = await parseCsvFile(fx('bad-header.csv'));
    expect(t.columns.map((c) => c.name)).toEqual(['date', 'price', 'column_3', 'price_2', 'value']);
    expect(t.warnings).toEqual([
      'column 3 has no name in the header; it is called "column_3"',
      'column 4 repeats the header name "price"; it is called "price_2"',
    ]);
  });

  it('keeps a column with every value missing and warns', async () => {
    const t = await parseCsvFile(fx('all-missing.csv'));
    const c = col(t, 'empty');
    expect(c.missing).toBe(3);
    expect(c.stats.mean).toBeNull();
    expect(t.warnings.join('\n')).toMatch(/column "empty" has no values/);
  });
});

describe('bad input', () => {
  it('empty file', async () => {
    const e = await csvError(fx('empty.csv'));
    expect(e.message).toBe('empty.csv: the file is empty (no header row, no data)');
    expect(e.file).toBe(fx('empty.csv'));
  });

  it('blank lines only', async () => {
    expect((await csvError(fx('blank-lines-only.csv'))).message).toMatch(/^blank-lines-only\.csv: the file is empty/);
  });

  it('header only', async () => {
    const e = await csvError(fx('header-only.csv'));
    expect(e.message).toBe('header-only.csv: the file has a header row (3 columns) but no data rows');
  });

  it('ragged row names the line and both field counts', async () => {
    const e = await csvError(fx('ragged.csv'));
    expect(e.message).toBe('ragged.csv: line 17 has 4 fields, the header has 5');
    expect(e.line).toBe(17);
  });

  it('unterminated quote names the line where it starts and the column', async () => {
    const e = await csvError(fx('unterminated.csv'));
    expect(e.message).toMatch(/^unterminated\.csv: line 4, column "comment": .*never closed/);
    expect(e.line).toBe(4);
    expect(e.column).toBe('comment');
  });

  it('a time column with every value missing', async () => {
    const e = await csvError(fx('all-missing-time.csv'));
    expect(e.message).toMatch(/^all-missing-time\.csv: column "date" has no values .*time column/);
    expect(e.column).toBe('date');
  });

  it('UTF-16 text', async () => {
    expect((await csvError(fx('utf16.csv'))).message).toBe(
      'utf16.csv: the file is UTF-16 text; save it as UTF-8 (CSV UTF-8) and import it again',
    );
  });

  it('a binary file such as a spreadsheet', async () => {
    expect((await csvError(fx('binary.xlsx'))).message).toMatch(
      /^binary\.xlsx: the file is not CSV text .*export it as CSV/,
    );
  });

  it('a file that does not exist', async () => {
    const e = await csvError(fx('no-such-file.csv'));
    expect(e.message).toMatch(/^no-such-file\.csv: cannot read/);
  });

  it('ragged row after a multi-line quoted field counts physical lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-parse-'));
    const f = join(dir, 'multi.csv');
    writeFileSync(f, 'a,b\n1,"x\ny"\n2,z\n3\n');
    const e = await csvError(f);
    expect(e.message).toBe('multi.csv: line 5 has 1 field, the header has 2');
  });
});

/** A plain RFC 4180 reader over the whole text, as the reference for the streaming parser. */
function referenceParse(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else q = false;
      } else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

describe('streaming across chunk boundaries', () => {
  it('matches a whole-text reference on a 3 MB file with quotes, newlines in quotes and CRLF', async () => {
    let s = 7;
    const rnd = (): number => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const words = ['alpha', 'b,c', 'say "hi"', 'two\r\nlines', 'ünïcødé', 'x'];
    let text = 'time,value,label,n\r\n';
    const t0 = Date.UTC(2015, 0, 1);
    for (let i = 0; i < 60_000; i++) {
      const w = words[Math.floor(rnd() * words.length)]!;
      const quoted = /[",\r\n]/.test(w) || rnd() < 0.3 ? `"${w.replace(/"/g, '""')}"` : w;
      text += `${new Date(t0 + i * 60_000).toISOString().slice(0, 19)},${(rnd() * 1000 - 500).toFixed(6)},${quoted},${i}\r\n`;
    }
    const dir = mkdtempSync(join(tmpdir(), 'rw-parse-'));
    const f = join(dir, 'stream.csv');
    writeFileSync(f, text);
    const ref = referenceParse(text).slice(1);
    const progress: { bytes: number; rows: number }[] = [];
    const t = await parseCsvFile(f, (p) => progress.push(p));
    expect(t.rowCount).toBe(ref.length);
    const value = col(t, 'value').values!;
    const label = labels(col(t, 'label'));
    const n = col(t, 'n').values!;
    const time = col(t, 'time').values!;
    for (let r = 0; r < ref.length; r++) {
      const [ts, v, l, k] = ref[r]!;
      if (value[r] !== Number(v) || label[r] !== l || n[r] !== Number(k) || time[r] !== Date.parse(ts + 'Z')) {
        throw new Error(`row ${r} differs: ${JSON.stringify(ref[r])} vs ${value[r]},${label[r]},${n[r]},${time[r]}`);
      }
    }
    expect(t.warnings).toEqual([]);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.rows).toBe(ref.length);
    expect(progress.at(-1)!.bytes).toBe(Buffer.byteLength(text));
  });
});
