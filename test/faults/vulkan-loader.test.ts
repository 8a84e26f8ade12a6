// Fresh machine: no libvulkan1 package. The trainer must find a Vulkan loader the way the kernel
// tests do (Chromium's copy), and say what to install when there is none at all.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSpec } from '../../core/spec.js';
import {
  VULKAN_LOADER_MISSING,
  defaultLoaderDirs,
  findVulkanLoader,
} from '../../worker/kernels/webgpu/vulkan-loader.js';
import { chooseGpu } from '../../worker/train/gpu-epochs.js';
import { tempDir } from '../helpers.js';

const t = tempDir('rnnwb-vk-');
afterAll(() => t.cleanup());

describe('Vulkan loader for the GPU path', () => {
  it.skipIf(process.platform !== 'linux')(
    'names the missing loader and the package to install, not "no WebGPU adapter"',
    async () => {
      const empty = join(t.dir, 'empty');
      mkdirSync(empty);
      delete process.env.RNN_WORKBENCH_GPU;
      const pick = await chooseGpu(defaultSpec('value'), 1, [empty]);
      expect(pick.gpu).toBeNull();
      expect(pick.note).toBe('GPU: Vulkan loader libvulkan.so.1 not found (install libvulkan1)');
      expect(pick.note).toBe(`GPU: ${VULKAN_LOADER_MISSING}`);
    },
  );

  it("searches the folders in order and includes Chromium's bundled copy", () => {
    const a = join(t.dir, 'a');
    const b = join(t.dir, 'b');
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(b, 'libvulkan.so.1'), '');
    expect(findVulkanLoader([a, b])).toBe(join(b, 'libvulkan.so.1'));
    expect(findVulkanLoader([a])).toBeNull();
    expect(defaultLoaderDirs()).toContain('/usr/lib/chromium');
  });
});
