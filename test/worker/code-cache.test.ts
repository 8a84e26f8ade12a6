// worker/code-cache.ts (issue 15 item 4): TF.js required through V8's code cache on a Node without
// its own (Node 20): the first trainer writes the cache, the next compiles from it, data that V8
// rejects (here: bytes of garbage) is compiled anew and rewritten, and TF.js works the same each
// time (in fresh Node processes, as a trainer loads it); a file rewritten with as many characters
// never runs the old file's code.
import { spawnSync } from 'node:child_process';
import * as nodeModule from 'node:module';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { codeCacheDir, withCodeCache, type CodeCacheStats } from '../../worker/code-cache.js';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'wb-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const nodeHasOwn = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';

/** One trainer-like load of TF.js: the cache's counts once its writes are done, and a sum TF.js made. */
function load(): { stats: CodeCacheStats; sum: number[] } {
  const mod = pathToFileURL(join(root, 'worker/code-cache.ts')).href;
  const script = `
    import { createRequire } from 'node:module';
    const { withCodeCache } = await import(${JSON.stringify(mod)});
    const require = createRequire(${JSON.stringify(join(root, 'worker/tf.ts'))});
    const stats = { hits: 0, misses: 0, rejected: 0, written: 0 };
    const tf = withCodeCache(() => require('@tensorflow/tfjs'), stats);
    await tf.setBackend('cpu');
    const sum = Array.from(tf.tensor([1, 2]).add(tf.scalar(1)).dataSync());
    setTimeout(() => process.stdout.write(JSON.stringify({ stats, sum })), 50);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, RNN_WORKBENCH_CODE_CACHE_DIR: dir, RNN_WORKBENCH_CODE_CACHE: '1' },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { stats: CodeCacheStats; sum: number[] };
}

describe('withCodeCache', () => {
  it.skipIf(nodeHasOwn)(
    'writes the cache once, compiles from it after, and survives rejected data',
    () => {
      const first = load();
      expect(first.sum).toEqual([2, 3]);
      expect(first.stats.hits).toBe(0);
      expect(first.stats.misses).toBeGreaterThanOrEqual(7); // tfjs and its six packages, at least
      expect(first.stats.written).toBe(first.stats.misses);
      expect(readdirSync(dir)).toHaveLength(first.stats.misses);

      const second = load();
      expect(second.sum).toEqual([2, 3]);
      expect(second.stats).toEqual({ hits: first.stats.misses, misses: 0, rejected: 0, written: 0 });

      const victim = readdirSync(dir)[0]!;
      writeFileSync(join(dir, victim), Buffer.from('not V8 code cache data'));
      const third = load();
      expect(third.sum).toEqual([2, 3]);
      expect(third.stats).toMatchObject({ hits: first.stats.misses - 1, rejected: 1, written: 1 });
    },
    60_000,
  );

  it('leaves the backends working: wasm (its package through the cache too), then cpu', () => {
    const backend = pathToFileURL(join(root, 'worker/backend.ts')).href;
    const script = `
      const { chooseBackend } = await import(${JSON.stringify(backend)});
      const wasm = await chooseBackend('wasm');
      const cpu = await chooseBackend('cpu');
      process.stdout.write(JSON.stringify([wasm.backend, cpu.backend]));`;
    for (let i = 0; i < 2; i++) {
      // Twice: the second process loads the wasm backend from the cache the first one wrote.
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, RNN_WORKBENCH_CODE_CACHE_DIR: join(dir, 'backends'), RNN_WORKBENCH_CODE_CACHE: '1' },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(['wasm', 'cpu']);
    }
  }, 60_000);

  it.skipIf(nodeHasOwn)('never gives a file the data of another content of the same length', async () => {
    // V8 checks a source's length only: a package file rewritten in place (an upgrade, a patch)
    // with as many characters must be compiled from its new source, never from the old data.
    const pkg = join(dir, 'same-length', 'node_modules', 'fake');
    mkdirSync(pkg, { recursive: true });
    const file = join(pkg, 'index.js');
    const req = createRequire(join(dir, 'same-length', 'index.js'));
    const env = { dir: process.env.RNN_WORKBENCH_CODE_CACHE_DIR, on: process.env.RNN_WORKBENCH_CODE_CACHE };
    process.env.RNN_WORKBENCH_CODE_CACHE_DIR = join(dir, 'same-length-cache');
    process.env.RNN_WORKBENCH_CODE_CACHE = '1';
    try {
      const load = (): { value: unknown; stats: CodeCacheStats } => {
        delete req.cache[file];
        const stats = { hits: 0, misses: 0, rejected: 0, written: 0 };
        return { value: withCodeCache(() => req('fake'), stats), stats };
      };
      const settle = () => new Promise((r) => setTimeout(r, 20)); // the cache is written after the load
      const mtime = new Date(Date.UTC(2026, 0, 1)); // both versions get it: only the content tells
      writeFileSync(file, "module.exports = 'aaa';");
      utimesSync(file, mtime, mtime);
      expect(load()).toMatchObject({ value: 'aaa', stats: { misses: 1 } });
      await settle();
      expect(load()).toMatchObject({ value: 'aaa', stats: { hits: 1, misses: 0 } });
      writeFileSync(file, "module.exports = 'bbb';");
      utimesSync(file, mtime, mtime);

      expect(load()).toMatchObject({ value: 'bbb', stats: { hits: 0, misses: 1 } });
    } finally {
      if (env.dir === undefined) delete process.env.RNN_WORKBENCH_CODE_CACHE_DIR;
      else process.env.RNN_WORKBENCH_CODE_CACHE_DIR = env.dir;
      if (env.on === undefined) delete process.env.RNN_WORKBENCH_CODE_CACHE;
      else process.env.RNN_WORKBENCH_CODE_CACHE = env.on;
    }
  });

  it('is off when asked, and on a Node that caches by itself', () => {
    expect(codeCacheDir({ RNN_WORKBENCH_CODE_CACHE: '0' })).toBeNull();
    expect(codeCacheDir({ NODE_DISABLE_COMPILE_CACHE: '1' })).toBeNull();
    const dflt = codeCacheDir({ XDG_CACHE_HOME: '/x/cache' });
    expect(dflt).toBe(nodeHasOwn ? null : join('/x/cache', 'rnn-workbench', 'v8'));
  });
});
