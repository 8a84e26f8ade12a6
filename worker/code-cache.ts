// V8's code cache for the CommonJS packages a trainer requires (TF.js: about 6.5 MB of JavaScript)
// on a Node without module.enableCompileCache (Node 20; worker/compile-cache.ts turns Node's own
// cache on where it exists, and this one then stands aside). Compiling TF.js is about half of its
// require (issue 15 item 4): ~210 → ~115 ms of CPU with the cache, at every trainer start after
// the first. The technique is v8-compile-cache's, for the span of one require only: Module's
// _compile runs each package file as a vm.Script with the cached data of its last run, and the
// data is written after a run that had none (or had it rejected), functions compiled while the
// package's top level ran included. Keys: the file's path and content, V8's version and this
// process's flags; V8 rejects data that does not fit its own build and flags, which then only
// costs the compile it would have saved. RNN_WORKBENCH_CODE_CACHE=0 or NODE_DISABLE_COMPILE_CACHE
// turns it off; RNN_WORKBENCH_CODE_CACHE_DIR moves it (default: ~/.cache/rnn-workbench/v8, per
// user, so that no other account can plant code in it).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import vm from 'node:vm';

export interface CodeCacheStats {
  /** Files compiled from cached data, compiled without (no data yet, or rejected), data written. */
  hits: number;
  misses: number;
  rejected: number;
  written: number;
}

interface CjsModule {
  exports: unknown;
}
interface ModuleStatics {
  prototype: { _compile(this: CjsModule, content: string, filename: string): unknown };
  wrap(script: string): string;
}

/** Where the cache lives, or null when it is off (or Node has its own). */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.RNN_WORKBENCH_CODE_CACHE === '0' || env.NODE_DISABLE_COMPILE_CACHE) return null;
  if (typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function') return null;
  if (env.RNN_WORKBENCH_CODE_CACHE_DIR) return env.RNN_WORKBENCH_CODE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rnn-workbench', 'v8');
}

/**
 * The cache file's name: the file's path and content (V8 checks only a source's length against its
 * data, so a changed file of the same length must not find the old data), V8's version and flags.
 * Hashing TF.js's 6.5 MB costs about 13 ms of the ~100 saved.
 */
const keyOf = (filename: string, content: string): string =>
  createHash('sha1')
    .update([process.versions.v8, process.arch, process.execArgv.join(' '), filename].join('|'))
    .update(content)
    .digest('hex');

/**
 * `load()` (a require of a CommonJS package) with the code cache for every package file it
 * compiles; what was compiled without data is written once the event loop is free again.
 */
export function withCodeCache<T>(load: () => T, stats?: CodeCacheStats): T {
  const dir = codeCacheDir();
  if (!dir) return load();
  const M = nodeModule.Module as unknown as ModuleStatics;
  const original = M.prototype._compile;
  const toWrite: { file: string; script: vm.Script }[] = [];
  const s = stats ?? { hits: 0, misses: 0, rejected: 0, written: 0 };
  M.prototype._compile = function (this: CjsModule, content: string, filename: string): unknown {
    if (!filename.includes(`${sep}node_modules${sep}`)) return original.call(this, content, filename);
    let file = '';
    let cachedData: Buffer | undefined;
    try {
      file = join(dir, keyOf(filename, content));
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined; // none yet
    }
    const script = new vm.Script(M.wrap(content), {
      filename,
      ...(cachedData ? { cachedData } : {}),
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (cachedData && !script.cachedDataRejected) s.hits++;
    else {
      if (cachedData) s.rejected++;
      else s.misses++;
      if (file) toWrite.push({ file, script });
    }
    const fn = script.runInThisContext({ displayErrors: true }) as (...a: unknown[]) => unknown;
    // The module's own require, resolving from its file, with the shared module cache.
    return fn.call(this.exports, this.exports, nodeModule.createRequire(filename), this, filename, dirname(filename));
  };
  try {
    return load();
  } finally {
    M.prototype._compile = original;
    if (toWrite.length > 0) setImmediate(() => write(dir, toWrite, s)).unref();
  }
}

/** Writes each script's data (temp file + rename: trainers of a study may write the same key). */
function write(dir: string, scripts: { file: string; script: vm.Script }[], s: CodeCacheStats): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const { file, script } of scripts) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, file);
      s.written++;
    }
  } catch {
    // A cache that cannot be written (read-only home, full disk) costs only the compile it saves.
  }
}
