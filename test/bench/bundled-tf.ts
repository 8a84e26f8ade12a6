// worker/tf.ts for a bench bundled with esbuild (bundle-cores.mjs): TF.js imported, so that the
// bundle holds it (worker/tf.ts loads it with a runtime require that a bundler cannot follow).
import * as TF from '@tensorflow/tfjs';

export const tf = TF;

export function loadWasmBackend(): void {
  throw new Error('the bundled bench has no wasm backend');
}
