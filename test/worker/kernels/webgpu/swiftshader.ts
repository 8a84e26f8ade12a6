// Points Dawn at SwiftShader (Chromium's CPU Vulkan driver) so the WGSL kernels run in `npm test`
// on machines without a GPU. Debian's `chromium` ships the driver and a Vulkan loader in
// /usr/lib/chromium; the loader is preloaded when the system has no libvulkan.so.1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openGpu, type GpuContext } from '../../../../worker/kernels/webgpu/device.js';
import { preloadSharedLibrary } from '../../../../worker/kernels/webgpu/runtime.js';

const CHROMIUM = '/usr/lib/chromium';
const ICD = `${CHROMIUM}/vk_swiftshader_icd.json`;

function systemHasVulkanLoader(): boolean {
  return ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].some(
    (p) => fs.existsSync(p),
  );
}

/** Opens the SwiftShader adapter (or, without it, the machine's own), or returns the reason it cannot. */
export async function openSwiftShader(): Promise<{ gpu: GpuContext } | { skip: string }> {
  if (process.platform !== 'linux') return { skip: `SwiftShader tests run on Linux only (this is ${process.platform})` };
  if (!fs.existsSync(ICD)) {
    // No SwiftShader: a machine's own adapter (a real GPU) will do as well.
    try {
      return { gpu: await openGpu() };
    } catch (e) {
      return { skip: `${ICD} is missing (install Debian's chromium package, it ships SwiftShader) and ${(e as Error).message}` };
    }
  }
  process.env.VK_DRIVER_FILES = ICD;
  process.env.VK_ICD_FILENAMES = ICD;
  process.env.XDG_RUNTIME_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'xdg-'));
  if (!systemHasVulkanLoader() && fs.existsSync(`${CHROMIUM}/libvulkan.so.1`)) preloadSharedLibrary(`${CHROMIUM}/libvulkan.so.1`);
  try {
    return { gpu: await openGpu() };
  } catch (e) {
    return { skip: `no WebGPU adapter through SwiftShader: ${(e as Error).message}` };
  }
}
