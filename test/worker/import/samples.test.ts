// The shipped sample data imports cleanly and is exactly what samples/generate.mjs writes.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsvFile } from '../../../worker/import/parse.js';

const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), '../../../samples');

describe('samples', () => {
  it('city-energy.csv: hourly, 5 columns, a few gaps, no warnings, under 300 KB', async () => {
    const f = join(SAMPLES, 'city-energy.csv');
    expect(statSync(f).size).toBeLessThan(300 * 1024);
    const t = await parseCsvFile(f);
    expect(t.rowCount).toBe(2928);
    expect(t.timeColumn).toBe('time');
    expect(t.seriesColumn).toBeNull();
    expect(t.warnings).toEqual([]);
    expect(t.columns.map((c) => `${c.name}:${c.kind}`)).toEqual([
      'time:datetime',
      'temperature:numeric',
      'humidity:numeric',
      'load_mw:numeric',
      'is_holiday:numeric',
    ]);
    const time = t.columns[0]!.values!;
    expect(time[1]! - time[0]!).toBe(3_600_000);
    const missing = t.columns.reduce((n, c) => n + c.missing, 0);
    expect(missing).toBeGreaterThan(0);
    expect(missing).toBeLessThan(30);
  });

  it('stocks-long.csv: three series of 500 trading days', async () => {
    const t = await parseCsvFile(join(SAMPLES, 'stocks-long.csv'));
    expect(t.rowCount).toBe(1500);
    expect(t.timeColumn).toBe('date');
    expect(t.seriesColumn).toBe('symbol');
    expect(t.warnings).toEqual([]);
    expect(t.columns.find((c) => c.name === 'symbol')!.labels).toEqual(['ACME', 'GLOBEX', 'INITECH']);
  });

  it('generate.mjs reproduces the committed files byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'rw-samples-'));
    execFileSync(process.execPath, [join(SAMPLES, 'generate.mjs'), out]);
    for (const f of ['city-energy.csv', 'stocks-long.csv']) {
      expect(readFileSync(join(out, f)).equals(readFileSync(join(SAMPLES, f))), f).toBe(true);
    }
  });
});
