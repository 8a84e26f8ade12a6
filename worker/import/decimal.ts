// Decimal commas: the usual export of spreadsheets in European locales separates fields with `;`
// and writes `10,7` for 10.7. Decided once per file from the first rows, like the delimiter: a
// file whose fields are `;`, tab or `|` separated and whose numeric cells use a comma as the
// decimal mark more often than a point is read with a decimal comma, and the dataset says so.

/** A whole cell that is a decimal-comma number: `10,7`, `-2,5`. */
const COMMA_NUMBER = /^[+-]?\d+,\d+$/;
/** A whole cell that is a decimal-point number (`1.5`; `01.02.2024` has two points and is not). */
const POINT_NUMBER = /^[+-]?\d*\.\d+$/;
const SAMPLE = 64 * 1024;

/**
 * The first decimal-comma cell of the sample when the file uses decimal commas, else null.
 * `b[s..e)` starts at the header row; `delim` is the detected field delimiter.
 */
export function detectDecimalComma(b: Uint8Array, s: number, e: number, delim: number): string | null {
  if (delim === 44) return null; // a comma-delimited file cannot also use commas inside numbers
  const text = Buffer.from(b.buffer, b.byteOffset + s, Math.min(e, s + SAMPLE) - s).toString('latin1');
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 2) lines.pop(); // possibly cut by the sample's end
  const sep = String.fromCharCode(delim);
  let comma = 0;
  let point = 0;
  let example: string | null = null;
  for (const line of lines.slice(1)) {
    for (const raw of line.split(sep)) {
      let cell = raw.trim();
      if (cell.length > 1 && cell.startsWith('"') && cell.endsWith('"')) cell = cell.slice(1, -1).trim();
      if (COMMA_NUMBER.test(cell)) {
        comma++;
        example ??= cell;
      } else if (POINT_NUMBER.test(cell)) point++;
    }
  }
  return comma > point ? example : null;
}

/** The warning recorded with the dataset when decimal commas were detected. */
export function decimalCommaWarning(example: string, delim: number): string {
  const name = delim === 9 ? 'tab' : `"${String.fromCharCode(delim)}"`;
  return `numbers use a decimal comma (fields separated by ${name}): "${example}" was read as ${Number(example.replace(',', '.'))}`;
}
