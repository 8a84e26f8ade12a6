// Points Dawn at SwiftShader (Chromium's CPU Vulkan driver) so the WGSL kernels run in `npm test`
// on machines without a GPU. Debian's `chromium` ships the driver and a Vulkan loader in
// /usr/lib/chromium; openGpu preloads that loader when the system has no libvulkan.so.1 (the same
// search the trainer uses: worker/kernels/webgpu/vulkan-loader.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openGpu, type GpuContext } from '../../../../worker/kernels/webgpu/device.js';

const CHROMIUM = '/usr/lib/chromium';
const ICD = `${CHROMIUM}/vk_swiftshader_icd.json`;

/** Opens the SwiftShader adapter (or, without it, the machine's own), or returns the reason it cannot. */
export async function openSwiftShader(): Promise<{ gpu: GpuContext } | { skip: string }> {
  if (process.platform !== 'linux')
    return { skip: `SwiftShader tests run on Linux only (this is ${process.platform})` };
  if (!fs.existsSync(ICD)) {
    // No SwiftShader: a machine's own adapter (a real GPU) will do as well.
    try {
      return { gpu: await openGpu() };
    } catch (e) {
      return {
        skip: `${ICD} is missing (install Debian's chromium package, it ships SwiftShader) and ${(e as Error).message}`,
      };
    }
  }
  process.env.VK_DRIVER_FILES = ICD;
  process.env.VK_ICD_FILENAMES = ICD;
  process.env.XDG_RUNTIME_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'xdg-'));
  try {
    return { gpu: await openGpu() };
  } catch (e) {
    return { skip: `no WebGPU adapter through SwiftShader: ${(e as Error).message}` };
  }
}
