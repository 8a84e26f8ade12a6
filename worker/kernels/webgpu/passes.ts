// The dispatches of one train step, bound to the trainer's buffers: forward per layer, backward per
// layer (top down), weight gradients per layer and the head, then Adam. Rebuilt whenever a
// data-sized buffer is replaced. encodeSteps() records n steps into one command buffer, each step
// reading its uniform block through the dynamic offset.
import type { NetBuffers } from './buffers.js';
import type { Pipe, Pipes } from './pipelines.js';
import { STEP_STRIDE, type NetGeo } from './shaders.js';
import { ATB_TILE } from './shaders-update.js';
import { gateCount } from '../types.js';

export interface Pass {
  p: GPUComputePipeline;
  bg: GPUBindGroup;
  groups: [number, number, number];
}

/** The buffers that change with the uploaded data and the epoch length. */
export interface DataBuffers {
  data: GPUBuffer;
  pred: GPUBuffer;
  idx: GPUBuffer;
  steps: GPUBuffer;
  lossHist: GPUBuffer;
}

export interface PassSets {
  forward: Pass[];
  /** forward, backward and weight gradients: no update */
  gradient: Pass[];
  train: Pass[];
}

type BindGroupOf = (pipe: Pipe, bufs: GPUBuffer[]) => GPUBindGroup;

function bindGroupMaker(device: GPUDevice, steps: GPUBuffer): BindGroupOf {
  return (pipe, bufs) =>
    device.createBindGroup({
      layout: pipe.layout,
      entries: [
        { binding: 0, resource: { buffer: steps, offset: 0, size: 32 } },
        ...bufs.map((b, i) => ({ binding: i + 1, resource: { buffer: b } })),
      ],
    });
}

function recurrentPasses(
  bg: BindGroupOf,
  pipes: Pipes,
  net: NetBuffers,
  d: DataBuffers,
  geo: NetGeo,
): { fwd: Pass[]; bwd: Pass[] } {
  const rec: [number, number, number] = [Math.ceil(geo.B / geo.RB), 1, 1];
  const L = net.perLayer;
  const below = (i: number) => (i === 0 ? net.dummyRead : L[i - 1]!.hseq);
  const fwd = geo.layers.map((_, i) => ({
    p: pipes.fwd[i]!.p,
    bg: bg(pipes.fwd[i]!, [net.params, d.data, d.idx, below(i), L[i]!.hseq, L[i]!.state, net.head, d.pred]),
    groups: rec,
  }));
  const bwd = geo.layers
    .map((l, i) => ({
      p: pipes.bwd[i]!.p,
      bg: bg(pipes.bwd[i]!, [
        net.params,
        L[i]!.hseq,
        L[i]!.state,
        l.last ? net.dummyRead : L[i]!.dh!,
        L[i]!.dgates,
        i === 0 ? net.dummyWrite : L[i - 1]!.dh!,
        net.head,
      ]),
      groups: rec,
    }))
    .reverse();
  return { fwd, bwd };
}

function weightGradPasses(bg: BindGroupOf, pipes: Pipes, net: NetBuffers, d: DataBuffers, geo: NetGeo): Pass[] {
  const L = net.perLayer;
  const passes: Pass[] = geo.layers.map((l, i) => ({
    p: pipes.wgrad[i]!.p,
    bg: bg(pipes.wgrad[i]!, [
      d.data,
      d.idx,
      i === 0 ? net.dummyRead : L[i - 1]!.hseq,
      L[i]!.hseq,
      L[i]!.state,
      L[i]!.dgates,
      net.partials,
    ]),
    groups: [Math.ceil((gateCount(l.cell) * l.H) / ATB_TILE), Math.ceil((l.F + l.H + 1) / ATB_TILE), geo.S],
  }));
  const top = geo.layers[geo.layers.length - 1]!;
  passes.push({
    p: pipes.hgrad.p,
    bg: bg(pipes.hgrad, [d.data, d.idx, net.dummyRead, L[L.length - 1]!.hseq, net.dummyRead, net.head, net.partials]),
    groups: [Math.ceil(geo.O / ATB_TILE), Math.ceil((top.H + 1) / ATB_TILE), geo.S],
  });
  return passes;
}

export function buildPasses(device: GPUDevice, pipes: Pipes, net: NetBuffers, d: DataBuffers, geo: NetGeo): PassSets {
  const bg = bindGroupMaker(device, d.steps);
  const { fwd, bwd } = recurrentPasses(bg, pipes, net, d, geo);
  const gradient = [...fwd, ...bwd, ...weightGradPasses(bg, pipes, net, d, geo)];
  const adam: Pass = {
    p: pipes.adam.p,
    bg: bg(pipes.adam, [net.params, net.partials, net.moments, net.head, d.lossHist]),
    groups: [Math.ceil(geo.P / 256), 1, 1],
  };
  return { forward: fwd, gradient, train: [...gradient, adam] };
}

/** n steps of `passes` in one compute pass. */
export function encodeSteps(device: GPUDevice, n: number, passes: Pass[]): GPUCommandEncoder {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  for (let s = 0; s < n; s++) {
    for (const ps of passes) {
      pass.setPipeline(ps.p);
      pass.setBindGroup(0, ps.bg, [s * STEP_STRIDE]);
      pass.dispatchWorkgroups(...ps.groups);
    }
  }
  pass.end();
  return enc;
}

/** Per-step uniforms: batch offset and rows, loss slot, where Y starts, and Adam's lr and bias corrections. */
export function stepUniforms(
  n: number,
  total: number,
  o: { B: number; yOff: number; adamStep: number; lr: number; train: boolean },
): ArrayBuffer {
  const block = new ArrayBuffer(n * STEP_STRIDE);
  for (let s = 0; s < n; s++) {
    const u = new Uint32Array(block, s * STEP_STRIDE, 4);
    const fl = new Float32Array(block, s * STEP_STRIDE + 16, 4);
    u[0] = s * o.B;
    u[1] = Math.min(o.B, total - s * o.B);
    u[2] = s;
    u[3] = o.yOff;
    const t = o.adamStep + s + 1;
    fl[0] = o.lr;
    fl[1] = o.train ? 1 - Math.pow(0.9, t) : 1;
    fl[2] = o.train ? 1 - Math.pow(0.999, t) : 1;
  }
  return block;
}
