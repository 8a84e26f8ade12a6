// Datetime cells from bytes against Date.parse: the general parser and the fixed-offset fast
// path must give the same ms for every valid date, and refuse impossible ones.
import { describe, expect, it } from 'vitest';
import { fastEnd, fastIso, newDateState, parseDate } from '../../../worker/import/datetime.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const general = (s: string): number => parseDate(bytes(s), 0, s.length, newDateState());
const fast = (s: string): number => {
  const b = bytes(s);
  const v = fastIso(b, 0, b.length, newDateState());
  return fastEnd[0] === b.length ? v : NaN;
};

describe('datetime parsing', () => {
  it('agrees with Date.parse on random ISO datetimes from 1700 to 2300, both paths', () => {
    let seed = 3;
    const rnd = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const lo = Date.UTC(1700, 0, 1);
    const hi = Date.UTC(2300, 0, 1);
    for (let i = 0; i < 50_000; i++) {
      const ms = Math.floor((lo + rnd() * (hi - lo)) / 1000) * 1000;
      const iso = new Date(ms).toISOString().slice(0, 19);
      for (const s of [iso, iso.replace('T', ' '), iso.slice(0, 10)]) {
        const want = Date.parse(s.length === 10 ? s : s.replace(' ', 'T') + 'Z');
        if (general(s) !== want || fast(s) !== want)
          throw new Error(`${s}: general ${general(s)}, fast ${fast(s)}, Date.parse ${want}`);
      }
    }
  });

  it('refuses impossible dates and times', () => {
    for (const s of [
      '2012-02-30',
      '2013-02-29',
      '2012-13-01',
      '2012-00-10',
      '2012-01-01T24:00:00',
      '2012-01-01T10:60:00',
      '2012-01-01T10:00:61',
      '2012-1x-01',
    ]) {
      expect(general(s), s).toBeNaN();
      expect(fast(s), s).toBeNaN();
    }
    expect(general('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
    expect(general('1900-02-29')).toBeNaN();
  });

  it('applies zones and offsets', () => {
    expect(general('2010-01-01T12:00:00+02:00')).toBe(Date.UTC(2010, 0, 1, 10));
    expect(general('2010-01-01T12:00:00-0530')).toBe(Date.UTC(2010, 0, 1, 17, 30));
    expect(general('2010-01-01T12:00:00Z')).toBe(Date.UTC(2010, 0, 1, 12));
    expect(general('2010-01-01 12:00:00.125')).toBe(Date.UTC(2010, 0, 1, 12, 0, 0, 125));
  });
});
