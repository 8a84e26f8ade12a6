// What a datetime column's cells say once they are all read: the day/month order of slash dates
// (decided from the whole column), the format as a readable pattern, whether cells had a time.
import {
  F_TIME,
  F_SEC,
  F_FRAC,
  F_ZULU,
  F_OFFSET,
  F_SPACE,
  F_DAYFIRST,
  F_AMPM,
  FAM_ISO,
  FAM_YM,
  FAM_SLASH,
  FAM_DOT,
  FAM_MON,
  DAY_MS,
  validDate,
  daysFromCivil,
  type DateState,
} from './datetime.js';

/**
 * Turns the packed `a/b/YYYY` values of a FAM_SLASH column into ms, in place. The order is taken
 * from the data: a first number above 12 means day first, a second above 12 means month first.
 * Returns null when that is decided, else the reason the column cannot be read as dates.
 */
export function resolveSlash(values: Float64Array, n: number, st: DateState): string | null {
  const dayFirst = st.aMax > 12;
  const monthFirst = st.bMax > 12;
  if (dayFirst === monthFirst) {
    return dayFirst
      ? 'mixes day-first and month-first dates'
      : 'has dates such as 1/2/2012 that read as both M/D/YYYY and D/M/YYYY (no day above 12); write them as YYYY-MM-DD';
  }
  for (let r = 0; r < n; r++) {
    const v = values[r]!;
    if (v !== v) continue;
    const packed = Math.floor(v / DAY_MS);
    const t = v - packed * DAY_MS;
    const y = Math.floor(packed / 10000);
    const a = Math.floor(packed / 100) % 100;
    const bb = packed % 100;
    const m = dayFirst ? bb : a;
    const d = dayFirst ? a : bb;
    if (!validDate(y, m, d)) return `has ${a}/${bb}/${y}, which is no date in ${dayFirst ? 'D/M/YYYY' : 'M/D/YYYY'}`;
    values[r] = daysFromCivil(y, m, d) * DAY_MS + t;
  }
  st.flags |= dayFirst ? F_DAYFIRST : 0;
  return null;
}

/** The packed `a/b/YYYY` value written back as text (for a column that turned categorical). */
export function slashText(v: number, sep: number): string {
  const packed = Math.floor(v / DAY_MS);
  const t = v - packed * DAY_MS;
  const s = String.fromCharCode(sep);
  const text = `${Math.floor(packed / 100) % 100}${s}${packed % 100}${s}${Math.floor(packed / 10000)}`;
  return t > 0 ? `${text} ${new Date(t).toISOString().slice(11, 19)}` : text;
}

/** A readable format for the column, e.g. `YYYY-MM-DDTHH:mm:ss`, `M/D/YYYY`, `MMM D YYYY`. */
export function describeFormat(st: DateState): string {
  const f = st.flags;
  let time = '';
  if (f & F_TIME) {
    time = (f & F_SPACE || st.fam !== FAM_ISO ? ' ' : 'T') + 'HH:mm';
    if (f & F_SEC) time += ':ss';
    if (f & F_FRAC) time += '.SSS';
    if (f & F_AMPM) time = time.replace('HH', 'h') + ' A';
    if (f & F_ZULU) time += 'Z';
    else if (f & F_OFFSET) time += '±HH:mm';
  }
  const sep = st.sep ? String.fromCharCode(st.sep) : '-';
  switch (st.fam) {
    case FAM_ISO:
      return `YYYY${sep}MM${sep}DD${time}`;
    case FAM_YM:
      return 'YYYY-MM';
    case FAM_SLASH:
      return (f & F_DAYFIRST ? `D${sep}M${sep}YYYY` : `M${sep}D${sep}YYYY`) + time;
    case FAM_DOT:
      return 'D.M.YYYY' + time;
    case FAM_MON:
      return (f & F_DAYFIRST ? 'D MMM YYYY' : 'MMM D YYYY') + time;
  }
  return '';
}
