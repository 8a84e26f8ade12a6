// Shared test fixtures: temp folders with real SQLite files and generated CSV files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRow } from '../core/contract.js';
import type { Service } from '../core/service.js';
import type { DatasetInfo, SourceColumn } from '../core/spec-rules.js';

export function tempDir(prefix = 'rnnwb-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic noise for generated data. */
export function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5) * 2;
  };
}

/** A dataset of one numeric column `v` without time or series columns, for prepare() tests. */
export function oneColumn(values: Float64Array): { info: DatasetInfo; load: (n: string) => SourceColumn } {
  const info: DatasetInfo = {
    name: 'd',
    rowCount: values.length,
    timeColumn: null,
    seriesColumn: null,
    columns: [{ name: 'v', kind: 'numeric' }],
  };
  return { info, load: () => ({ name: 'v', kind: 'numeric', values }) };
}

/** Hourly sine with a daily season and noise: `time,value,temp`. */
export function sineCsv(dir: string, rows = 1200, name = 'sine.csv', amp = 0.3): string {
  const rnd = noise(7);
  const start = Date.UTC(2021, 0, 1);
  const lines = ['time,value,temp'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(start + i * 3_600_000).toISOString().slice(0, 19);
    const v = 10 + 5 * Math.sin((2 * Math.PI * i) / 24) + amp * rnd();
    const temp = 20 + 3 * Math.sin((2 * Math.PI * i) / 24 + 1) + 0.2 * rnd();
    lines.push(`${t},${v.toFixed(4)},${temp.toFixed(3)}`);
  }
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export function writeFile(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A tiny, fast training spec for tests. */
export function tinySpec(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    target: 'value',
    window: { lookback: 12, horizon: 1, stride: 1 },
    model: { cell: 'lstm', layers: [{ units: 8 }] },
    train: { epochs: 3, batchSize: 64, learningRate: 0.01, patience: 0 },
    ...over,
  };
}

/** The value of a service call, or its error's message thrown (tests that expect success). */
export async function ok<T>(
  p: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>,
): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Trains a run of `spec` through the service to its end; its run-log lines are pushed to `lines`. */
export async function trainToEnd(
  svc: Service,
  datasetId: number,
  spec: Record<string, unknown>,
  lines: string[] = [],
): Promise<RunRow> {
  const run = await ok(svc.call('runs.create', { datasetId, spec }));
  const off = svc.on('run:log', (l) => {
    if (l.runId === run.id) lines.push(l.message);
  });
  await svc.waitForRun(run.id);
  off();
  return ok(svc.call('runs.get', { id: run.id }));
}
