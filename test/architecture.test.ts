// The arrows of the house (../shared/ARCHITECTURE.md), checked on the sources: which folder may
// import which, and no import cycles. A new import that runs back up fails here, not in review.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const FOLDERS = ['core', 'db', 'worker', 'electron', 'renderer/src'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|svelte)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Relative imports of a file, resolved to repo paths (`.js` specifiers name `.ts` sources).
 * `runtimeOnly` leaves out `import type` (erased at build time, so it cannot make a load cycle).
 */
function importsOf(file: string, runtimeOnly = false): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(
    /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g,
  )) {
    const spec = m[1] ?? m[2];
    if (!spec || (runtimeOnly && /^(import|export) type\s/.test(m[0]))) continue;
    out.push(relative(root, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
  }
  return out;
}

const files = FOLDERS.flatMap((f) => sources(join(root, f))).map((f) => relative(root, f));
const graph = new Map(files.map((f) => [f, importsOf(join(root, f))]));
const runtimeGraph = new Map(files.map((f) => [f, importsOf(join(root, f), true)]));
const folderOf = (f: string) => (f.startsWith('renderer/') ? 'renderer' : f.split('/')[0]!);

describe('the house', () => {
  it('db/ imports nothing of ours above it', () => {
    const bad = [...graph].flatMap(([f, deps]) =>
      folderOf(f) === 'db' ? deps.filter((d) => folderOf(d) !== 'db').map((d) => `${f} → ${d}`) : [],
    );
    expect(bad).toEqual([]);
  });

  it('core/ imports only core/ and db/ (the worker entry is a path, never an import)', () => {
    const bad = [...graph].flatMap(([f, deps]) =>
      folderOf(f) === 'core' ? deps.filter((d) => !['core', 'db'].includes(folderOf(d))).map((d) => `${f} → ${d}`) : [],
    );
    expect(bad).toEqual([]);
  });

  it('worker/ never imports the hosts or Electron', () => {
    const hosts = /^core\/(cli|server|service|handlers|jobs-registry)/;
    const bad = [...graph].flatMap(([f, deps]) =>
      folderOf(f) === 'worker'
        ? deps.filter((d) => folderOf(d) === 'electron' || hosts.test(d)).map((d) => `${f} → ${d}`)
        : [],
    );
    expect(bad).toEqual([]);
  });

  it('the renderer imports only itself and pure core/ modules (types, schemas, formats)', () => {
    // Pure modules only: types, schemas, metric names, and the predictions CSV writer (no db/, no Node).
    const allowed = /^core\/(contract|spec|bridge|metric-keys|predict-csv)\.ts$/;
    const bad = [...graph].flatMap(([f, deps]) =>
      folderOf(f) === 'renderer'
        ? deps.filter((d) => folderOf(d) !== 'renderer' && !allowed.test(d)).map((d) => `${f} → ${d}`)
        : [],
    );
    expect(bad).toEqual([]);
  });

  it('has no import cycles at run time', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const d of runtimeGraph.get(f) ?? []) if (runtimeGraph.has(d)) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
