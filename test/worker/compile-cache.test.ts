// worker/compile-cache.ts: V8's code cache where the runtime has module.enableCompileCache (Node ≥
// 22.1, Electron's Node), nothing where it has not (Node 20), and never an exception either way.
import * as nodeModule from 'node:module';
import { describe, expect, it } from 'vitest';
import { enableCompileCache } from '../../worker/compile-cache.js';

describe('enableCompileCache', () => {
  it('turns the cache on where Node has it, and is a no-op elsewhere', () => {
    const has = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';
    const r = enableCompileCache();
    if (has) expect(r).toMatchObject({ status: expect.any(Number) });
    else expect(r).toBeNull();
    // A second call (another module of the same process) is harmless.
    expect(() => enableCompileCache()).not.toThrow();
  });
});
