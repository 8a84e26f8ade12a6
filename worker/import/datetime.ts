// Datetime cells parsed straight from bytes into ms since the Unix epoch, UTC (a value without a
// zone is taken as UTC). Each column locks onto the first family that parsed one of its cells;
// a later cell of another family fails, and the column becomes categorical. Day numbers come from
// Howard Hinnant's days-from-civil formula, cached for the last date seen (consecutive rows of a
// time series mostly share or step one day), so no Date object is made per cell.

export const FAM_NONE = 0;
export const FAM_ISO = 1; // 2012-01-31, 2012/01/31, 2010-01-01T01:00:00.123+02:00, 2010-01-01 01:00
export const FAM_YM = 2; // 1949-01 (monthly data)
export const FAM_SLASH = 3; // 1/31/2012 or 31/1/2012 (also with '-'): order decided at the end
export const FAM_DOT = 4; // 31.01.2012 (day first)
export const FAM_MON = 5; // Jan 1 2000, January 1, 2000, 1 Jan 2000, 01-Jan-2000

// Flags: what the cells of a column contained, to report the format.
export const F_TIME = 1;
export const F_SEC = 2;
export const F_FRAC = 4;
export const F_ZULU = 8;
export const F_OFFSET = 16;
export const F_SPACE = 32;
export const F_DATEONLY = 64;
export const F_DAYFIRST = 128; // FAM_MON: "1 Jan 2000"
export const F_AMPM = 256;

export const DAY_MS = 86_400_000;

export interface DateState {
  fam: number;
  flags: number;
  /** FAM_ISO/FAM_SLASH: the date separator byte. */
  sep: number;
  /** FAM_SLASH: largest first and second number seen, to tell M/D/Y from D/M/Y. */
  aMax: number;
  bMax: number;
}

export function newDateState(): DateState {
  return { fam: FAM_NONE, flags: 0, sep: 0, aMax: 0, bMax: 0 };
}

let lastKey = -1;
let lastDays = 0;

export function daysFromCivil(y: number, m: number, d: number): number {
  const key = y * 10000 + m * 100 + d;
  if (key === lastKey) return lastDays;
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  lastKey = key;
  lastDays = era * 146097 + doe - 719468;
  return lastDays;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** True when y-m-d is a real calendar date. */
export function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

// Position after the last successful sub-parse (module scratch: avoids allocating result objects).
let pos = 0;

/** Reads 1..maxDigits digits at i; returns -1 when there is none. Sets `pos`. */
function readInt(b: Uint8Array, i: number, e: number, maxDigits: number): number {
  let v = 0;
  let n = 0;
  while (i < e && n < maxDigits) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    i++;
    n++;
  }
  pos = i;
  return n === 0 ? -1 : v;
}

/**
 * Time of day `HH:MM[:SS[.fff]]` then an optional zone (`Z`, `+02:00`, `+0200`, `-05`) starting
 * at i; returns ms since midnight minus the zone offset (UTC), or NaN. Consumes to e.
 */
function parseTime(b: Uint8Array, i: number, e: number, st: DateState): number {
  const hh = readInt(b, i, e, 2);
  if (hh < 0 || hh > 23 || pos >= e || b[pos] !== 58 /* : */) return NaN;
  const mm = readInt(b, pos + 1, e, 2);
  if (mm < 0 || mm > 59 || pos - i < 4) return NaN;
  let ms = hh * 3_600_000 + mm * 60_000;
  let flags = F_TIME;
  i = pos;
  if (i < e && b[i] === 58) {
    const ss = readInt(b, i + 1, e, 2);
    if (ss < 0 || ss > 59 || pos !== i + 3) return NaN;
    ms += ss * 1000;
    flags |= F_SEC;
    i = pos;
    if (i < e && (b[i] === 46 || b[i] === 44) /* . , */) {
      let f = 0;
      let scale = 1;
      let k = i + 1;
      while (k < e) {
        const d = b[k]! - 48;
        if (d < 0 || d > 9) break;
        if (scale < 1e9) {
          f = f * 10 + d;
          scale *= 10;
        }
        k++;
      }
      if (k === i + 1) return NaN;
      ms += (f * 1000) / scale;
      flags |= F_FRAC;
      i = k;
    }
  }
  // 12-hour clock: `1:00 PM`, `12:30am`.
  if (i < e) {
    let k = i;
    while (k < e && b[k] === 32) k++;
    const c = b[k]! | 0x20;
    if (k + 2 <= e && (c === 97 || c === 112) && (b[k + 1]! | 0x20) === 109) {
      if (hh < 1 || hh > 12) return NaN;
      ms += (hh === 12 ? -12 : 0) * 3_600_000 + (c === 112 ? 12 * 3_600_000 : 0);
      flags |= F_AMPM;
      i = k + 2;
    }
  }
  if (i < e) {
    // ` UTC` / ` GMT` spelled out.
    let k = i;
    while (k < e && b[k] === 32) k++;
    if (k > i && e - k === 3) {
      const w = String.fromCharCode(b[k]! | 0x20, b[k + 1]! | 0x20, b[k + 2]! | 0x20);
      if (w === 'utc' || w === 'gmt') {
        st.flags |= flags | F_ZULU;
        return ms;
      }
    }
  }
  if (i < e) {
    const c = b[i]!;
    if ((c === 90 || c === 122) && i + 1 === e) {
      flags |= F_ZULU;
      i++;
    } else if (c === 43 || c === 45) {
      const oh = readInt(b, i + 1, e, 2);
      if (oh < 0 || oh > 14 || pos !== i + 3) return NaN;
      let om = 0;
      let k = pos;
      if (k < e && b[k] === 58) k++;
      if (k < e) {
        om = readInt(b, k, e, 2);
        if (om < 0 || om > 59 || pos !== k + 2) return NaN;
        k = pos;
      }
      const off = (oh * 60 + om) * 60_000;
      ms -= c === 43 ? off : -off;
      flags |= F_OFFSET;
      i = k;
    }
  }
  if (i !== e) return NaN;
  st.flags |= flags;
  return ms;
}

function parseIso(b: Uint8Array, s: number, e: number, st: DateState): number {
  if (e - s < 8) return NaN;
  const y = readInt(b, s, e, 4);
  if (pos !== s + 4) return NaN;
  const sep = b[pos]!;
  if (sep !== 45 && sep !== 47) return NaN;
  const m = readInt(b, pos + 1, e, 2);
  if (m < 0 || pos >= e || b[pos] !== sep) return NaN;
  const d = readInt(b, pos + 1, e, 2);
  if (d < 0 || !validDate(y, m, d)) return NaN;
  let i = pos;
  const day = daysFromCivil(y, m, d) * DAY_MS;
  if (i === e) {
    st.flags |= F_DATEONLY;
    st.sep = sep;
    return day;
  }
  const c = b[i]!;
  if (c === 32) {
    i++;
    while (i < e && b[i] === 32) i++;
    st.flags |= F_SPACE;
  } else if (c === 84 || c === 116 /* T t */) i++;
  else return NaN;
  const t = parseTime(b, i, e, st);
  if (t !== t) return NaN;
  st.sep = sep;
  return day + t;
}

function parseYm(b: Uint8Array, s: number, e: number): number {
  if (e - s !== 7 || b[s + 4] !== 45) return NaN;
  const y = readInt(b, s, s + 4, 4);
  if (pos !== s + 4) return NaN;
  const m = readInt(b, s + 5, e, 2);
  if (pos !== e || m < 1 || m > 12) return NaN;
  return daysFromCivil(y, m, 1) * DAY_MS;
}

/** `a/b/YYYY[ time]`: kept packed as (YYYY*10000 + a*100 + b) days plus the time of day, resolved later. */
function parseSlash(b: Uint8Array, s: number, e: number, st: DateState, dot: boolean): number {
  const a = readInt(b, s, e, 2);
  if (a < 1 || pos >= e) return NaN;
  const sep = b[pos]!;
  if (dot ? sep !== 46 : sep !== 47 && sep !== 45) return NaN;
  if (st.fam !== FAM_NONE && sep !== st.sep) return NaN;
  const bb = readInt(b, pos + 1, e, 2);
  if (bb < 1 || pos >= e || b[pos] !== sep) return NaN;
  const start = pos + 1;
  const y = readInt(b, start, e, 4);
  if (pos !== start + 4) return NaN;
  let i = pos;
  let t = 0;
  if (i < e) {
    if (b[i] !== 32 && b[i] !== 84) return NaN;
    i++;
    while (i < e && b[i] === 32) i++;
    t = parseTime(b, i, e, st);
    if (t !== t || t < 0 || t >= DAY_MS) return NaN;
  } else st.flags |= F_DATEONLY;
  st.sep = sep;
  if (dot) {
    if (!validDate(y, bb, a)) return NaN;
    return daysFromCivil(y, bb, a) * DAY_MS + t;
  }
  if (a > 31 || bb > 31 || (a > 12 && bb > 12)) return NaN;
  if (a > st.aMax) st.aMax = a;
  if (bb > st.bMax) st.bMax = bb;
  return (y * 10000 + a * 100 + bb) * DAY_MS + t;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** Reads a month name at i (`Jan`, `January`, `Sept`); returns 1..12 or -1. Sets `pos`. */
function readMonth(b: Uint8Array, i: number, e: number): number {
  let k = i;
  let w = '';
  while (k < e && k - i < 10) {
    const c = b[k]! | 0x20;
    if (c < 97 || c > 122) break;
    w += String.fromCharCode(c);
    k++;
  }
  pos = k;
  if (w.length < 3) return -1;
  const m = MONTHS.indexOf(w.slice(0, 3));
  if (m < 0) return -1;
  if (w.length === 3 || w === MONTH_NAMES[m] || (m === 8 && w === 'sept')) return m + 1;
  return -1;
}

function skipSep(b: Uint8Array, i: number, e: number): number {
  while (i < e && (b[i] === 32 || b[i] === 45 || b[i] === 44)) i++;
  return i;
}

function parseMonthName(b: Uint8Array, s: number, e: number, st: DateState): number {
  let y: number;
  let m: number;
  let d: number;
  let flags = 0;
  const c0 = b[s]! - 48;
  if (c0 >= 0 && c0 <= 9) {
    d = readInt(b, s, e, 2);
    const i = skipSep(b, pos, e);
    if (i === pos) return NaN;
    m = readMonth(b, i, e);
    if (m < 0) return NaN;
    const j = skipSep(b, pos, e);
    if (j === pos) return NaN;
    y = readInt(b, j, e, 4);
    if (pos !== j + 4) return NaN;
    flags = F_DAYFIRST;
  } else {
    m = readMonth(b, s, e);
    if (m < 0) return NaN;
    let i = skipSep(b, pos, e);
    if (i === pos) return NaN;
    d = readInt(b, i, e, 2);
    if (d < 0) return NaN;
    i = skipSep(b, pos, e);
    if (i === pos) return NaN;
    y = readInt(b, i, e, 4);
    if (pos !== i + 4) return NaN;
  }
  if (!validDate(y, m, d)) return NaN;
  let i = pos;
  let t = 0;
  if (i < e) {
    if (b[i] !== 32) return NaN;
    while (i < e && b[i] === 32) i++;
    t = parseTime(b, i, e, st);
    if (t !== t) return NaN;
  } else st.flags |= F_DATEONLY;
  st.flags |= flags;
  return daysFromCivil(y, m, d) * DAY_MS + t;
}

function parseFamily(fam: number, b: Uint8Array, s: number, e: number, st: DateState): number {
  switch (fam) {
    case FAM_ISO:
      return parseIso(b, s, e, st);
    case FAM_YM:
      return parseYm(b, s, e);
    case FAM_SLASH:
      return parseSlash(b, s, e, st, false);
    case FAM_DOT:
      return parseSlash(b, s, e, st, true);
    case FAM_MON:
      return parseMonthName(b, s, e, st);
  }
  return NaN;
}

const ORDER = [FAM_ISO, FAM_YM, FAM_SLASH, FAM_DOT, FAM_MON];

/**
 * Parses a datetime cell in the column's family (or finds the family on its first cell).
 * Returns ms UTC (packed date for FAM_SLASH, see resolveSlash) or NaN when the cell is no date.
 */
export function parseDate(b: Uint8Array, s: number, e: number, st: DateState): number {
  if (st.fam !== FAM_NONE) return parseFamily(st.fam, b, s, e, st);
  // A first cell must start with a digit or a letter; anything else is not a date.
  for (const fam of ORDER) {
    const saved = st.flags;
    const v = parseFamily(fam, b, s, e, st);
    if (v === v) {
      st.fam = fam;
      return v;
    }
    st.flags = saved;
  }
  return NaN;
}

/** Where the last fastIso stopped. */
export const fastEnd = new Int32Array(1);

function digit(b: Uint8Array, i: number): number {
  const d = b[i]! - 48;
  return d >= 0 && d <= 9 ? d : -1000;
}

/**
 * The common layouts `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM:SS` (or a space for T) read with fixed
 * offsets, for an ISO column in the row loop. Returns ms or NaN (then the general parser runs);
 * `fastEnd[0]` is the byte after the date, which the caller checks is a delimiter or line end.
 */
export function fastIso(b: Uint8Array, p: number, end: number, st: DateState): number {
  if (p + 10 > end || b[p + 4] !== 45 || b[p + 7] !== 45) return NaN;
  const y = digit(b, p) * 1000 + digit(b, p + 1) * 100 + digit(b, p + 2) * 10 + digit(b, p + 3);
  const m = digit(b, p + 5) * 10 + digit(b, p + 6);
  const d = digit(b, p + 8) * 10 + digit(b, p + 9);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31 || (d > 28 && d > daysInMonth(y, m))) return NaN;
  const day = daysFromCivil(y, m, d) * DAY_MS;
  const q = p + 10;
  const c = b[q];
  if (q + 9 <= end && (c === 84 || c === 32) && b[q + 3] === 58 && b[q + 6] === 58) {
    const hh = digit(b, q + 1) * 10 + digit(b, q + 2);
    const mm = digit(b, q + 4) * 10 + digit(b, q + 5);
    const ss = digit(b, q + 7) * 10 + digit(b, q + 8);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59) return NaN;
    st.flags |= c === 32 ? F_TIME | F_SEC | F_SPACE : F_TIME | F_SEC;
    fastEnd[0] = q + 9;
    return day + hh * 3_600_000 + mm * 60_000 + ss * 1000;
  }
  st.flags |= F_DATEONLY;
  fastEnd[0] = q;
  return day;
}
