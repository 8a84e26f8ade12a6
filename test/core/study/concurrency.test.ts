// Issue 12 item 4: a study's default concurrency. On the CPU the cores over the kernels' threads;
// when the trainers would train on a GPU, one trial per device they can be spread over (one while
// trainers are not pinned to a device). The probe reads a fake system: no GPU runtime is loaded.
import { describe, expect, it } from 'vitest';
import { defaultConcurrency, gpuConcurrency } from '../../../core/study/concurrency.js';
import { probeGpu, type GpuProbeSystem } from '../../../core/study/gpu.js';

function system(o: {
  env?: NodeJS.ProcessEnv;
  packages?: string[];
  files?: Record<string, string[]>;
  platform?: NodeJS.Platform;
}): GpuProbeSystem {
  return {
    env: o.env ?? {},
    platform: o.platform ?? 'linux',
    hasPackage: (name) => (o.packages ?? []).includes(name),
    list: (dir) => o.files?.[dir] ?? [],
  };
}
const icd = { '/usr/share/vulkan/icd.d': ['nvidia_icd.json'] };

describe('GPU probe', () => {
  it('finds no GPU on a machine without device nodes or driver manifests (this test machine)', () => {
    expect(probeGpu(system({ packages: ['webgpu'] }))).toBeNull();
    expect(probeGpu(system({ packages: ['webgpu'], files: { '/dev': ['null', 'tty'] } }))).toBeNull();
    // A driver manifest without a device: no GPU, unless a software adapter is asked for (tests).
    expect(probeGpu(system({ packages: ['webgpu'], files: icd }))).toBeNull();
    expect(probeGpu(system({ packages: ['webgpu'], files: icd, env: { RNN_WORKBENCH_GPU: 'fallback' } }))).toEqual({
      kind: 'webgpu',
      devices: 1,
    });
  });

  it('sees the WebGPU trainer when the package, a Vulkan driver and GPU devices are there', () => {
    const files = { ...icd, '/dev': ['nvidia0', 'nvidia1', 'nvidiactl', 'nvidia-uvm'], '/dev/dri': ['renderD128'] };
    expect(probeGpu(system({ packages: ['webgpu'], files }))).toEqual({ kind: 'webgpu', devices: 2 });
    expect(probeGpu(system({ files }))).toBeNull(); // no webgpu package
    expect(probeGpu(system({ packages: ['webgpu'], files, env: { RNN_WORKBENCH_GPU: 'off' } }))).toBeNull();
    expect(probeGpu(system({ packages: ['webgpu'], files }), true)).toBeNull(); // impl "layers"
    expect(
      probeGpu(
        system({
          packages: ['webgpu'],
          files: { '/dev/dri': ['renderD128', 'card0'] },
          env: { VK_ICD_FILENAMES: '/x.json' },
        }),
      ),
    ).toEqual({
      kind: 'webgpu',
      devices: 1,
    });
  });

  it('sees CUDA when tfjs-node-gpu is installed and NVIDIA devices exist, unless another backend is forced', () => {
    const files = { '/dev': ['nvidia0', 'nvidiactl'] };
    const packages = ['@tensorflow/tfjs-node-gpu'];
    expect(probeGpu(system({ packages, files }))).toEqual({ kind: 'cuda', devices: 1 });
    expect(probeGpu(system({ packages, files, env: { RNN_WORKBENCH_BACKEND: 'cpu' } }))).toBeNull();
    expect(probeGpu(system({ packages }))).toBeNull(); // no device
  });
});

describe('default concurrency', () => {
  it('on the CPU: cores over the kernel threads', () => {
    expect(defaultConcurrency(2, undefined, null)).toBe(1);
    expect(defaultConcurrency(16, undefined, null)).toBe(2);
    expect(defaultConcurrency(16, '1', null)).toBe(16);
  });

  it('on a GPU: one trial per device the trials can use, one while trainers are not pinned', () => {
    const four = { kind: 'webgpu' as const, devices: 4 };
    expect(defaultConcurrency(16, '1', four)).toBe(1);
    expect(defaultConcurrency(64, undefined, { kind: 'cuda', devices: 1 })).toBe(1);
    expect(gpuConcurrency(four, true)).toBe(4);
    expect(gpuConcurrency({ kind: 'cuda', devices: 0 }, true)).toBe(1);
  });
});
