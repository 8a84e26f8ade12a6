// Decimal numbers parsed straight from the file's bytes, so a million-row import never creates a
// JS string per cell. Exact (correctly rounded) for up to 15 significant digits and a decimal
// exponent within ±22: the mantissa and the power of ten are then both exact doubles, and one
// multiplication or division rounds once. Anything longer falls back to Number() on the text.

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Where the last scanNumber stopped (the first byte that is not part of the number). */
export const scanned = new Int32Array(1);

/**
 * Reads the longest number at `b[s..]` (before e): `12`, `-3.5`, `+.5`, `1e-3`. Returns NaN when
 * no number starts at s (or an exponent has no digits); `scanned[0]` is where it stopped.
 * `dec` is the decimal mark's byte: 46 `.`, or 44 `,` for a decimal-comma file (see decimal.ts).
 */
export function scanNumber(b: Uint8Array, s: number, e: number, dec = 46): number {
  let i = s;
  let neg = false;
  let c = b[i];
  if (c === 45 /* - */) {
    neg = true;
    i++;
  } else if (c === 43 /* + */) i++;
  let m = 0;
  let sig = 0; // significant digits accumulated into m
  let exp = 0;
  let digits = 0;
  while (i < e) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) break;
    if (m !== 0 || d !== 0) sig++;
    m = m * 10 + d;
    digits++;
    i++;
  }
  if (i < e && b[i] === dec) {
    i++;
    while (i < e) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      if (m !== 0 || d !== 0) sig++;
      m = m * 10 + d;
      exp--;
      digits++;
      i++;
    }
  }
  scanned[0] = i;
  if (digits === 0) return NaN;
  if (i < e) {
    c = b[i]!;
    if (c === 101 || c === 69 /* e E */) {
      i++;
      let eneg = false;
      if (i < e && (b[i] === 45 || b[i] === 43)) {
        eneg = b[i] === 45;
        i++;
      }
      let x = 0;
      let n = 0;
      while (i < e) {
        const d = b[i]! - 48;
        if (d < 0 || d > 9) break;
        if (x < 100000) x = x * 10 + d;
        n++;
        i++;
      }
      scanned[0] = i;
      if (n === 0) return NaN;
      exp += eneg ? -x : x;
    }
  }
  if (sig <= 15 && exp >= -22 && exp <= 22) {
    const v = exp >= 0 ? m * POW10[exp]! : m / POW10[-exp]!;
    return neg ? -v : v;
  }
  // Too many digits for the exact fast path: the syntax is checked, let V8 round the text.
  const text = Buffer.from(b.buffer, b.byteOffset + s, i - s).toString('latin1');
  return Number(dec === 46 ? text : text.replace(',', '.'));
}

/**
 * Parses all of `b[s..e)` as a decimal number (also `inf`, `Infinity` with a sign). Returns NaN
 * when the bytes are not a number; callers treat the NaN spelling as a missing-value token.
 */
export function parseNumber(b: Uint8Array, s: number, e: number, dec = 46): number {
  if (s >= e) return NaN;
  const v = scanNumber(b, s, e, dec);
  if (scanned[0] === e) return v;
  return v === v ? NaN : parseSpecial(b, s, e);
}

/** `inf`, `Infinity` with an optional sign; anything else is not a number. */
function parseSpecial(b: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (b[i] === 45 || b[i] === 43) {
    neg = b[i] === 45;
    i++;
  }
  const n = e - i;
  if (n !== 3 && n !== 8) return NaN;
  let word = '';
  for (let k = i; k < e; k++) word += String.fromCharCode(b[k]! | 0x20);
  if (word !== 'inf' && word !== 'infinity') return NaN;
  return neg ? -Infinity : Infinity;
}
