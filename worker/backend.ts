// Picks the TF.js backend for a worker process: tfjs-node-gpu (CUDA) → tfjs-node → wasm → cpu.
// The native packages are optional dependencies that often fail to install or load (libtensorflow
// download, CUDA/cuDNN versions), so each failure is kept as one line for the run log.
// RNN_WORKBENCH_BACKEND=cpu|wasm|tensorflow forces a choice (tests, benchmarks).
import { loadWasmBackend, tf } from './tf.js';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';

export interface BackendChoice {
  backend: string;
  device: string;
  /** One line per backend tried before this one, saying why it was skipped. */
  skipped: string[];
}

const require = createRequire(import.meta.url);

function why(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Cannot find module '@tensorflow\/tfjs-node/.test(msg)) return 'not installed';
  const lib = /(lib[\w.+-]+\.so[\w.]*)/.exec(msg);
  if (lib) return `${lib[1]} not found`;
  if (/tfjs_binding|napi/i.test(msg)) return 'libtensorflow not installed (its download at install time failed)';
  return msg.split('\n')[0]!.slice(0, 200);
}

async function tryNative(pkg: string, skipped: string[]): Promise<BackendChoice | null> {
  try {
    require(pkg);
    await tf.setBackend('tensorflow');
    await tf.ready();
    const gpu = pkg.endsWith('-gpu');
    return {
      backend: 'tensorflow',
      device: gpu ? 'cuda (tfjs-node-gpu)' : `cpu (libtensorflow, ${cpus().length} cores)`,
      skipped,
    };
  } catch (e) {
    skipped.push(`${pkg}: ${why(e)}`);
    return null;
  }
}

async function tryWasm(skipped: string[]): Promise<BackendChoice | null> {
  try {
    loadWasmBackend();
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend(wasm) returned false');
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return { backend: 'wasm', device: `cpu (wasm${simd ? ' simd' : ''}, 1 thread)`, skipped };
  } catch (e) {
    skipped.push(`@tensorflow/tfjs-backend-wasm: ${why(e)}`);
    return null;
  }
}

/**
 * `fusedHost`: the fused kernels run the recurrent layers themselves, reading and writing plain
 * arrays; what remains (dense head, loss, optimizer) is small, and the pure-JS `cpu` backend hosts it
 * with fewer copies than `wasm` (LSTM 64, batch 64, lookback 50: 3,689 vs 2,422 samples/s, npm run
 * bench -- --suite train). Native TensorFlow still comes first when it loads.
 */
export async function chooseBackend(
  forced = process.env.RNN_WORKBENCH_BACKEND,
  fusedHost = false,
): Promise<BackendChoice> {
  // PROD skips TF.js debug checks and its console banner; which backend runs goes to the run log instead.
  tf.env().set('PROD', true);
  const skipped: string[] = [];
  if (forced === 'cpu') {
    await tf.setBackend('cpu');
    return { backend: 'cpu', device: 'cpu (pure JS)', skipped: ['forced by RNN_WORKBENCH_BACKEND=cpu'] };
  }
  if (forced === 'wasm') {
    const w = await tryWasm(skipped);
    if (w) return w;
  } else if (forced === 'tensorflow' || !forced) {
    const native =
      (await tryNative('@tensorflow/tfjs-node-gpu', skipped)) ?? (await tryNative('@tensorflow/tfjs-node', skipped));
    if (native) return native;
    if (fusedHost && forced !== 'tensorflow') {
      await tf.setBackend('cpu');
      skipped.push(
        '@tensorflow/tfjs-backend-wasm: not needed, the fused kernels run the RNN layers; cpu hosts the rest with fewer copies',
      );
      return { backend: 'cpu', device: 'cpu (pure JS)', skipped };
    }
    if (forced !== 'tensorflow') {
      const w = await tryWasm(skipped);
      if (w) return w;
    }
  }
  await tf.setBackend('cpu');
  return { backend: 'cpu', device: 'cpu (pure JS)', skipped };
}
