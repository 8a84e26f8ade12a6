// V8's code cache for the modules a process loads (Node ≥ 22.1, and Electron's Node: module.
// enableCompileCache): a trainer compiles about 8 MB of JavaScript at every start (TF.js, zod, the
// trainer), which a cached compile skips (issue 15 item 4). Node 20 has no such API: nothing
// happens there. The cache lives where Node puts it (NODE_COMPILE_CACHE, else the temp folder's
// node-compile-cache), is checked against each file's source, and NODE_DISABLE_COMPILE_CACHE=1
// turns it off; a cache that cannot be written only costs the compile it would have saved.
import * as nodeModule from 'node:module';

type EnableCompileCache = (dir?: string) => { status: number; message?: string; directory?: string };

/** Turns the cache on where the runtime has it; the status Node returns, or null where it has none. */
export function enableCompileCache(): { status: number; message?: string } | null {
  const enable = (nodeModule as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (typeof enable !== 'function') return null;
  try {
    return enable();
  } catch {
    return null; // a cache is an optimisation: a failure to start it must not stop the worker
  }
}
