// build/bundle-entries.mjs (issue 15 item 4): the worker entry and the CLI bundled in place after
// tsc, with zod inlined and every other package left to node_modules; a module that finds its
// files from import.meta.url still finds them; a module that the entry imports and a lazy chunk
// imports too is one instance; the chunks of an earlier bundle are removed; a kept module (the
// CLI's early trainer, which bin/ loads first) stays one instance shared with its caller.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
// Inside the checkout (.tmp is git-ignored), so that zod and better-sqlite3 resolve from node_modules.
mkdirSync(join(root, '.tmp'), { recursive: true });
const dir = mkdtempSync(join(root, '.tmp', 'worker-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files: Record<string, string> = {
  'worker/main.js': [
    "import { readFileSync } from 'node:fs';",
    "import { z } from 'zod';",
    "import { dataFile } from '../db/files.js';",
    "import { shared } from './shared.js';",
    'shared.count++;',
    "const lazy = await import('./lazy.js');",
    "process.stdout.write(JSON.stringify({ data: readFileSync(dataFile, 'utf8'), seen: lazy.seen(), zod: z.string().parse('ok'), sqlite: lazy.sqlite }));",
  ].join('\n'),
  'worker/shared.js': 'export const shared = { count: 0 };',
  'worker/lazy.js': [
    "import Database from 'better-sqlite3';",
    "import { shared } from './shared.js';",
    'export const seen = () => shared.count;',
    'export const sqlite = typeof Database;',
  ].join('\n'),
  'db/files.js': [
    "import { fileURLToPath } from 'node:url';",
    "export const dataFile = fileURLToPath(new URL('data.txt', import.meta.url));",
  ].join('\n'),
  'db/data.txt': 'beside db/files.js',
  'worker/chunk-old-AAAAAAAA.js': 'throw new Error("a stale chunk");',
  'core/cli.js': [
    "import { taken } from './cli/early-trainer.js';",
    "import { shared } from './cli/shared.js';",
    'export const main = () => `${taken()} ${shared.n}`;',
  ].join('\n'),
  'core/cli/early-trainer.js': [
    "import { shared } from './shared.js';",
    'let early = null;',
    'export const fork = () => { early = "forked"; shared.n++; };',
    'export const taken = () => early;',
  ].join('\n'),
  'core/cli/shared.js': 'export const shared = { n: 0 };',
  'bin.mjs': [
    "(await import('./core/cli/early-trainer.js')).fork();",
    "process.stdout.write((await import('./core/cli.js')).main());",
  ].join('\n'),
};

describe('build/worker-bundle.mjs', () => {
  const dist = join(dir, 'dist');
  beforeAll(() => {
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dist, f)), { recursive: true });
      writeFileSync(join(dist, f), text);
    }
    execFileSync(process.execPath, [join(root, 'build/bundle-entries.mjs'), dist], { cwd: root, stdio: 'pipe' });
  });

  it('bundles the worker entry in place; asset URLs, module identity and packages hold', () => {
    const main = readFileSync(join(dist, 'worker/main.js'), 'utf8');
    expect(main).not.toMatch(/from ["']\.\/shared\.js["']/); // inlined
    expect(main).not.toMatch(/from ["']zod["']/); // zod inlined too
    const chunks = readdirSync(join(dist, 'worker')).filter((f) => /^chunk-.*\.js$/.test(f));
    expect(chunks).not.toContain('chunk-old-AAAAAAAA.js');
    expect(chunks.some((f) => readFileSync(join(dist, 'worker', f), 'utf8').includes('from "better-sqlite3"'))).toBe(
      true,
    );

    // Run from elsewhere: nothing depends on the working directory.
    const out = execFileSync(process.execPath, [join(dist, 'worker/main.js')], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ data: 'beside db/files.js', seen: 1, zod: 'ok', sqlite: 'function' });
    expect(existsSync(join(dist, 'worker/main.js.map'))).toBe(true);
  });

  it("keeps the CLI's early trainer a module of its own, shared with bin/", () => {
    const cli = readFileSync(join(dist, 'core/cli.js'), 'utf8');
    expect(cli).toMatch(/from ["']\.\/cli\/early-trainer\.js["']/);
    // The early trainer's state set by the bin is the one the bundled CLI reads.
    const out = execFileSync(process.execPath, [join(dist, 'bin.mjs')], { cwd: dir, encoding: 'utf8' });
    expect(out).toBe('forked 1'); // and so is what it imports (cli/shared.js: one instance)
  });
});
