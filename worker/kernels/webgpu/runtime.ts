// Loads the `webgpu` package (Dawn compiled for Node) on demand. It is an optional, native
// dependency: a failure to load is reported once as a reason string, never thrown at import time.
import os from 'node:os';

export interface WebgpuRuntime {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let cached: Promise<WebgpuRuntime | null> | undefined;
let lastError: string | undefined;

/** Why the runtime failed to load (undefined when it loaded or was never tried). */
export function webgpuLoadError(): string | undefined {
  return lastError;
}

export function loadWebgpuRuntime(): Promise<WebgpuRuntime | null> {
  cached ??= import('webgpu').then(
    (m) => m as unknown as WebgpuRuntime,
    (e: unknown) => {
      lastError = e instanceof Error ? e.message.split('\n')[0] : String(e);
      return null;
    },
  );
  return cached;
}

/**
 * Makes a shared library (e.g. a Vulkan loader shipped beside Chromium, /usr/lib/chromium/
 * libvulkan.so.1) resolvable by its soname for the rest of the process, for machines without the
 * system package. process.dlopen refuses it as a Node addon, but RTLD_NODELETE (0x1000 in glibc,
 * not exported by Node) keeps it mapped; Dawn's later dlopen("libvulkan.so.1") then finds it.
 */
export function preloadSharedLibrary(path: string): void {
  const RTLD_NODELETE = 0x1000;
  const { RTLD_NOW, RTLD_GLOBAL } = os.constants.dlopen as { RTLD_NOW: number; RTLD_GLOBAL: number };
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, path, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
  } catch (e) {
    // "did not self-register" is the expected refusal of a non-addon; anything else is real.
    if (!(e instanceof Error) || !/self-register/.test(e.message)) throw e;
  }
}
