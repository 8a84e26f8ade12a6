// TF.js for the worker, loaded with require(). TF.js ships CommonJS bundles: an ESM `import` of
// one makes Node's cjs-module-lexer parse it and every bundle it re-exports (tfjs-core, -layers,
// -converter, -data: several MB of JavaScript) only to learn their export names, before a line
// of TF.js runs. Measured with node --cpu-prof on Node 20 (issue 15 item 4): the import of
// '@tensorflow/tfjs' costs 460–590 ms of CPU, its require() 140 ms, the same modules loaded; the
// lexer was two thirds of a trainer's TF.js load. It is one module instance either way (the ESM
// facade wraps require's cached module), so code that still imports TF.js shares this one.
// Types come from `import type * as TF from '@tensorflow/tfjs'`, which loads nothing.
// Both requires go through V8's code cache where Node has none of its own (worker/code-cache.ts):
// half of what remains is compiling TF.js's bundles.
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs';
import { withCodeCache } from './code-cache.js';

const require = createRequire(import.meta.url);

export const tf = withCodeCache(() => require('@tensorflow/tfjs') as typeof TF);

/** The wasm backend (registers itself with TF.js), loaded the same way, only when chosen. */
export function loadWasmBackend(): void {
  withCodeCache(() => require('@tensorflow/tfjs-backend-wasm'));
}
