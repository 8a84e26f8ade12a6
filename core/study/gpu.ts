// Whether a study's trainers would train on a GPU, told from the host without loading a GPU
// runtime (core/ never loads TF.js or Dawn): the same preconditions the trainer checks before it
// probes an adapter (worker/train/gpu-epochs.ts chooseGpu: RNN_WORKBENCH_GPU, a Vulkan driver
// manifest on Linux, the `webgpu` package; worker/backend.ts: tfjs-node-gpu first), plus a GPU
// device node. Wrong in the safe direction when unsure: a "GPU" whose adapter the trainer then
// refuses only makes the study run fewer trials at once, and `concurrency` overrides it.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface GpuProbe {
  /** `cuda`: tfjs-node-gpu; `webgpu`: the fused GPU trainer through Dawn. */
  kind: 'cuda' | 'webgpu';
  /** GPU devices seen (device nodes on Linux; 1 where they cannot be counted). */
  devices: number;
}

/** What the probe reads; tests pass their own. */
export interface GpuProbeSystem {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Whether an npm package resolves from here. */
  hasPackage(name: string): boolean;
  /** File names in a folder ([] when it does not exist). */
  list(dir: string): string[];
}

const require = createRequire(import.meta.url);

export const hostSystem: GpuProbeSystem = {
  env: process.env,
  platform: process.platform,
  hasPackage: (name) => {
    try {
      require.resolve(name);
      return true;
    } catch {
      return false;
    }
  },
  list: (dir) => {
    try {
      return existsSync(dir) ? readdirSync(dir) : [];
    } catch {
      return [];
    }
  },
};

const ICD_DIRS = (home: string) => [
  '/usr/share/vulkan/icd.d',
  '/etc/vulkan/icd.d',
  '/usr/local/share/vulkan/icd.d',
  `${home}/.local/share/vulkan/icd.d`,
];

/** NVIDIA devices (/dev/nvidia0, 1, ...), else DRM render nodes (/dev/dri/renderD128, ...). */
function linuxDevices(sys: GpuProbeSystem): { nvidia: number; render: number } {
  const nvidia = sys.list('/dev').filter((f) => /^nvidia\d+$/.test(f)).length;
  const render = sys.list('/dev/dri').filter((f) => /^renderD\d+$/.test(f)).length;
  return { nvidia, render };
}

/**
 * The GPU the trainers of a study would use, or null when they would train on the CPU.
 * `layersOnly`: the base spec asks for tf.layers (impl "layers"), which never takes the WebGPU path.
 */
export function probeGpu(sys: GpuProbeSystem = hostSystem, layersOnly = false): GpuProbe | null {
  const linux = sys.platform === 'linux';
  const dev = linux ? linuxDevices(sys) : { nvidia: 1, render: 1 };
  const backend = sys.env.RNN_WORKBENCH_BACKEND;
  if ((!backend || backend === 'tensorflow') && sys.hasPackage('@tensorflow/tfjs-node-gpu') && dev.nvidia > 0)
    return { kind: 'cuda', devices: dev.nvidia };
  const mode = sys.env.RNN_WORKBENCH_GPU ?? 'auto';
  if (mode === 'off' || layersOnly || !sys.hasPackage('webgpu')) return null;
  if (linux) {
    const icd =
      Boolean(sys.env.VK_DRIVER_FILES || sys.env.VK_ICD_FILENAMES) ||
      ICD_DIRS(sys.env.HOME ?? '').some((d) => sys.list(d).some((f) => f.endsWith('.json')));
    if (!icd) return null;
    const devices = Math.max(dev.nvidia, dev.render);
    // A software adapter (SwiftShader) is used only when asked for (tests): then it counts as one.
    if (devices === 0) return mode === 'fallback' ? { kind: 'webgpu', devices: 1 } : null;
    return { kind: 'webgpu', devices };
  }
  return { kind: 'webgpu', devices: 1 };
}
