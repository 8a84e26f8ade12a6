// The byte-level number parser must agree with Number() bit for bit: exact on the fast path,
// Number() itself on the slow one.
import { describe, expect, it } from 'vitest';
import { parseNumber } from '../../../worker/import/number.js';

const parse = (s: string): number => {
  const b = Buffer.from(s, 'latin1');
  return parseNumber(b, 0, b.length);
};

describe('parseNumber', () => {
  it('agrees with Number() on random decimals of 1 to 17 significant digits', () => {
    let seed = 1;
    const rnd = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 200_000; i++) {
      const digits = 1 + Math.floor(rnd() * 17);
      let m = '';
      for (let k = 0; k < digits; k++) m += Math.floor(rnd() * 10);
      const dot = Math.floor(rnd() * (digits + 1));
      let s = m.slice(0, dot) + '.' + m.slice(dot);
      if (rnd() < 0.3) s += 'e' + (Math.floor(rnd() * 60) - 30);
      if (rnd() < 0.5) s = '-' + s;
      const want = Number(s);
      const got = parse(s);
      if (!Object.is(got, want)) throw new Error(`${s}: got ${got}, Number() gives ${want}`);
    }
  });

  it('reads the usual spellings', () => {
    expect(parse('42')).toBe(42);
    expect(parse('+0.5')).toBe(0.5);
    expect(parse('.5')).toBe(0.5);
    expect(parse('3.')).toBe(3);
    expect(parse('1E3')).toBe(1000);
    expect(parse('-1.5e-2')).toBe(-0.015);
    expect(parse('0.1')).toBe(0.1);
    expect(parse('123456789012345678901234567890')).toBe(1.2345678901234568e29);
    expect(parse('-inf')).toBe(-Infinity);
    expect(parse('Infinity')).toBe(Infinity);
  });

  it('rejects what is not a number', () => {
    for (const s of ['', '-', '+', '.', 'e5', '1e', '1e+', '1.2.3', '12a', 'abc', '1,5', '0x10', '2012-01-01', 'NaN']) {
      expect(parse(s), s).toBeNaN();
    }
  });
});
