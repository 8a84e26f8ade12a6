// The GPU trainer's compute pipelines, with explicit layouts (binding 0: the per-step uniform with a
// dynamic offset, then storage buffers). Compiled concurrently (createComputePipelineAsync): Dawn
// spreads the driver compiles over threads.
import type { GpuContext } from './device.js';
import { backwardShader, forwardShader, type NetGeo } from './shaders.js';
import { adamShader, weightGradShader } from './shaders-update.js';

export interface Pipe {
  p: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

export interface Pipes {
  /** per layer */
  fwd: Pipe[];
  bwd: Pipe[];
  wgrad: Pipe[];
  hgrad: Pipe;
  adam: Pipe;
}

type Access = 'read' | 'rw';

/** n storage bindings, those at the `rw` positions writable. */
const storage = (n: number, rw: number[]): Access[] =>
  Array.from({ length: n }, (_, i) => (rw.includes(i) ? 'rw' : 'read'));

async function compile(ctx: GpuContext, code: string, label: string, kinds: Access[]): Promise<Pipe> {
  const { device } = ctx;
  const COMPUTE = ctx.usage.stage.COMPUTE;
  const layout = device.createBindGroupLayout({
    label,
    entries: [
      { binding: 0, visibility: COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: 32 } },
      ...kinds.map((k, i) => ({
        binding: i + 1,
        visibility: COMPUTE,
        buffer: { type: k === 'read' ? ('read-only-storage' as const) : ('storage' as const) },
      })),
    ],
  });
  const module = device.createShaderModule({ label, code });
  try {
    const p = await device.createComputePipelineAsync({
      label,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    return { p, layout };
  } catch (e) {
    const info = await module.getCompilationInfo();
    const msgs = info.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
    throw new Error(`GPU trainer: pipeline ${label} failed: ${(e as Error).message}${msgs ? ` (${msgs})` : ''}`);
  }
}

export async function compilePipes(ctx: GpuContext, geo: NetGeo): Promise<Pipes> {
  const { layers } = geo;
  const [fwd, bwd, wgrad, [hgrad, adam]] = await Promise.all([
    Promise.all(layers.map((l, i) => compile(ctx, forwardShader(l, geo), `fwd${i}`, storage(8, [4, 5, 6, 7])))),
    Promise.all(layers.map((l, i) => compile(ctx, backwardShader(l, geo), `bwd${i}`, storage(7, [4, 5])))),
    Promise.all(layers.map((l, i) => compile(ctx, weightGradShader(l, geo), `wgrad${i}`, storage(7, [6])))),
    Promise.all([
      compile(ctx, weightGradShader('head', geo), 'wgradHead', storage(7, [6])),
      compile(ctx, adamShader(geo), 'adam', storage(5, [0, 2, 4])),
    ]),
  ]);
  return { fwd, bwd, wgrad, hgrad, adam };
}
