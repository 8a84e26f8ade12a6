// worker/tf.ts: the trainer loads TF.js with require(), never through the ESM loader (whose
// export-name lexer parsed TF.js's CommonJS bundles for 300–450 ms of CPU at every trainer start,
// issue 15 item 4), and the module it gets is the one an ESM import gives (one engine, one backend).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tfEsm from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { tf } from '../../worker/tf.js';

const dir = mkdtempSync(join(tmpdir(), 'wb-tf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('worker/tf.ts', () => {
  it('is the same TF.js as an ESM import: one engine, one backend', async () => {
    expect(tf.engine()).toBe(tfEsm.engine());
    await tf.setBackend('cpu');
    expect(tfEsm.getBackend()).toBe('cpu');
    expect(tf.tensor([1, 2]).add(tfEsm.scalar(1)).dataSync()).toEqual(new Float32Array([2, 3]));
  });

  it("the trainer's modules hand no TF.js bundle to the ESM loader as CommonJS", () => {
    // A loader hook in a fresh Node (tsx, as a forked trainer from the sources) lists every
    // CommonJS module the ESM loader translates; TF.js must not be among them.
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      "export async function load(u, c, next) { const r = await next(u, c); if (r.format === 'commonjs') process.stderr.write(`CJS ${u}\\n`); return r; }\n",
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    const trainer = pathToFileURL(join(import.meta.dirname, '../../worker/train/trainer.ts')).href;
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        pathToFileURL(register).href,
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(trainer)}); process.stdout.write('loaded')`,
      ],
      { encoding: 'utf8', cwd: join(import.meta.dirname, '../..') },
    );
    expect(r.stdout, r.stderr).toBe('loaded');
    const cjs = r.stderr.split('\n').filter((l) => l.startsWith('CJS '));
    expect(cjs.some((l) => l.includes('better-sqlite3'))).toBe(true); // the hook sees CommonJS modules
    expect(cjs.filter((l) => l.includes('@tensorflow'))).toEqual([]);
  });
});
