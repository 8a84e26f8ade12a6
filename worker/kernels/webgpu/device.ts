// Opens a WebGPU device in Node through Dawn (npm package `webgpu`). Loaded lazily: the package is
// a native addon that may be missing or fail to load (no Vulkan loader, unsupported platform), and
// the trainer then falls back to the CPU kernels.
import { loadWebgpuRuntime, webgpuLoadError } from './runtime.js';
import { ensureVulkanLoader } from './vulkan-loader.js';

export interface GpuUsage {
  buffer: { MAP_READ: number; COPY_SRC: number; COPY_DST: number; STORAGE: number; UNIFORM: number };
  map: { READ: number };
  stage: { COMPUTE: number };
}

export interface GpuContext {
  /** the Dawn instance; held so that it lives as long as the device */
  gpu: GPU;
  device: GPUDevice;
  adapterName: string;
  /** True for software adapters (SwiftShader): usable for tests, not worth training on. */
  isFallback: boolean;
  /** The GPUBufferUsage / GPUMapMode / GPUShaderStage constants of the loaded runtime. */
  usage: GpuUsage;
}

/**
 * A readable adapter name. Dawn puts the driver in `description` ("NVIDIA: 580.159.04 ...") and a
 * slug of the device name in `device` ("nvidia-h100-80gb-hbm3", seen on an H100): both are kept.
 */
export function adapterName(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const device = info.device?.replace(/-+$/, '').trim();
  const desc = info.description?.trim();
  const vendor = [info.vendor, info.architecture].filter((p) => p && p.trim()).join(' ');
  const main = device || vendor;
  if (main && desc) return `${main} (${desc})`;
  return main || desc || 'unknown adapter';
}

// Dawn's instance must outlive every device made from it: if the GPU object is garbage collected,
// its event loop goes with it and a later mapAsync crashes the process (seen as futex errors).
const instances = new Set<GPU>();

async function requestAdapter(
  keep: boolean,
): Promise<{ adapter: GPUAdapter; globals: Record<string, unknown>; gpu: GPU } | { reason: string }> {
  const loader = ensureVulkanLoader();
  if (!loader.ok) return { reason: loader.message };
  const rt = await loadWebgpuRuntime();
  if (!rt) return { reason: `the webgpu package did not load (${webgpuLoadError() ?? 'unknown error'})` };
  // disable_workgroup_init: every kernel writes its workgroup arrays before reading them, and the
  // zero-fill Dawn adds otherwise made SwiftShader compile the weight-gradient kernel 30× slower.
  const gpu = rt.create(['enable-dawn-features=disable_workgroup_init']);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter && keep) instances.add(gpu);
  return adapter
    ? { adapter, globals: rt.globals, gpu }
    : { reason: 'no WebGPU adapter: the `webgpu` package found no Vulkan/Metal/D3D12 device' };
}

/** The adapter the GPU trainer would use, or null when no WebGPU adapter can be created. */
export async function gpuAdapterInfo(): Promise<{ name: string; isFallback: boolean } | null> {
  try {
    const r = await requestAdapter(false);
    if ('reason' in r) return null;
    const info = r.adapter.info;
    return {
      name: adapterName(info),
      isFallback: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    };
  } catch {
    return null;
  }
}

/** Opens a device with the adapter's largest storage-buffer limits (the kernels bind up to 8 buffers). */
export async function openGpu(): Promise<GpuContext> {
  const r = await requestAdapter(true);
  if ('reason' in r) throw new Error(r.reason);
  const { adapter, globals } = r;
  const lim = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBuffersPerShaderStage: lim.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
      maxBufferSize: lim.maxBufferSize,
      maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: lim.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: lim.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupsPerDimension: lim.maxComputeWorkgroupsPerDimension,
    },
  });
  const g = globals as {
    GPUBufferUsage: GpuUsage['buffer'];
    GPUMapMode: GpuUsage['map'];
    GPUShaderStage: GpuUsage['stage'];
  };
  const info = adapter.info;
  void device.lost.then(() => instances.delete(r.gpu));
  return {
    gpu: r.gpu,
    device,
    adapterName: adapterName(info),
    isFallback: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    usage: { buffer: g.GPUBufferUsage, map: g.GPUMapMode, stage: g.GPUShaderStage },
  };
}
