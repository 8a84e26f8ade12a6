// On Linux Dawn reaches every GPU (and SwiftShader) through the Vulkan loader, which it opens by
// soname (dlopen("libvulkan.so.1")). A fresh Debian has no libvulkan1 package, but Debian's
// chromium ships its own copy in /usr/lib/chromium: preloading that copy makes the soname
// resolvable for Dawn. One function, used by the trainer, the kernel tests and the benches alike.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { preloadSharedLibrary } from './runtime.js';

export const VULKAN_LOADER = 'libvulkan.so.1';
export const VULKAN_LOADER_MISSING = `Vulkan loader ${VULKAN_LOADER} not found (install libvulkan1)`;

/** Folders the dynamic linker searches itself: a loader there needs no preload. */
const SYSTEM_DIRS = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
];
/** Copies shipped beside an application (Debian's chromium). */
const BUNDLED_DIRS = ['/usr/lib/chromium'];

/** Where a loader is looked for, in order: LD_LIBRARY_PATH, the system folders, Chromium's copy. */
export function defaultLoaderDirs(): string[] {
  const ld = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  return [...ld, ...SYSTEM_DIRS, ...BUNDLED_DIRS];
}

/** The first libvulkan.so.1 in `dirs`, or null. */
export function findVulkanLoader(dirs: string[] = defaultLoaderDirs()): string | null {
  for (const dir of dirs) {
    const file = join(dir, VULKAN_LOADER);
    if (existsSync(file)) return file;
  }
  return null;
}

export type LoaderCheck = { ok: true; path: string | null } | { ok: false; message: string };

const preloaded = new Set<string>();

/**
 * Makes a Vulkan loader available to Dawn: finds one in `dirs` and, when it is outside the folders
 * the dynamic linker searches, preloads it. Other platforms need nothing (path null).
 */
export function ensureVulkanLoader(dirs: string[] = defaultLoaderDirs()): LoaderCheck {
  if (process.platform !== 'linux') return { ok: true, path: null };
  const file = findVulkanLoader(dirs);
  if (!file) return { ok: false, message: VULKAN_LOADER_MISSING };
  const inSystem =
    SYSTEM_DIRS.some((d) => join(d, VULKAN_LOADER) === file) ||
    (process.env.LD_LIBRARY_PATH ?? '').split(':').some((d) => d && join(d, VULKAN_LOADER) === file);
  if (!inSystem && !preloaded.has(file)) {
    try {
      preloadSharedLibrary(file);
    } catch (e) {
      return {
        ok: false,
        message: `Vulkan loader ${file} could not be loaded (${(e as Error).message.split('\n')[0]}); install libvulkan1`,
      };
    }
    preloaded.add(file);
  }
  return { ok: true, path: file };
}
