// build/worker-bundle.mjs (issue 15 item 4): the worker entry bundled in place after tsc, with zod
// inlined and every other package left to node_modules; a module that finds its files from
// import.meta.url still finds them; a module that main.js imports and a lazy chunk imports too is
// one instance; the chunks of an earlier bundle are removed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

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
};

describe('build/worker-bundle.mjs', () => {
  it('bundles the worker entry in place; asset URLs, module identity and packages hold', () => {
    const dist = join(dir, 'dist');
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dist, f)), { recursive: true });
      writeFileSync(join(dist, f), text);
    }
    execFileSync(process.execPath, [join(root, 'build/worker-bundle.mjs'), dist], { cwd: root, stdio: 'pipe' });

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
});
