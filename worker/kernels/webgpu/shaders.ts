// WGSL generators for the GPU trainer: the recurrent forward and backward passes here, the weight
// gradients and Adam in shaders-update.ts. Every shape is baked into the source as a constant (a
// trainer compiles its pipelines once), so loops have fixed bounds and private arrays fixed sizes.
//
// Why the recurrence is ONE dispatch per layer and direction: the hidden units of a batch row only
// depend on that row, so one workgroup owns RB rows for the whole sequence and steps through time
// with workgroupBarrier() between phases. Nothing crosses workgroups, so no dispatch per time step
// is needed (that would cost ~5 µs of launch each, 50 steps × fwd + bwd × layers).
//
// Buffers (all f32 unless said):
//   params  [P] all weights (per layer [F+H+1, G·H]: kernel rows, recurrent rows, bias; then the head
//           [H+1, O]), followed by per-layer transposed copies [G·H, F+H] that the backward pass
//           reads coalesced; Adam keeps both in sync.
//   data    epoch data: X [N, T, F] at 0, Y [N, O] at step.yOff
//   idx     u32 sample order of the epoch; batch s uses idx[step.batchOffset ..]
//   hseq    [T, B, H] layer outputs; state: gate activations [T, B, G·H] then (LSTM) cells [T, B, H]
//   dgates  [T, B, G·H] pre-activation gradients; dh buffers [T, B, H] (gradient into a layer's input)
//   head    dpred [B·O], then squared errors [B·O]; pred [N, O] predictions
//   partials [S, P] split-K partial weight gradients; Adam sums them.
import { gateCount, type Cell, type RecurrentActivation } from '../types.js';

export const STEP_STRIDE = 256; // bytes between per-step uniform blocks (minUniformBufferOffsetAlignment)

export interface LayerGeo {
  cell: Cell;
  /** input features of this layer */
  F: number;
  H: number;
  /** params offset of [F+H+1, G·H] */
  off: number;
  /** params offset of the transposed [G·H, F+H] copy */
  tOff: number;
  first: boolean;
  last: boolean;
}

export interface NetGeo {
  T: number;
  B: number;
  O: number;
  /** batch rows per workgroup of the recurrent kernels */
  RB: number;
  /** split-K count of the weight-gradient products */
  S: number;
  /** number of trainable floats (without the transposed copies) */
  P: number;
  /** params offset of the head [H+1, O] */
  headOff: number;
  recAct: RecurrentActivation;
  layers: LayerGeo[];
}

export const STEP_STRUCT = /* wgsl */ `
struct Step { batchOffset: u32, rows: u32, lossSlot: u32, yOff: u32, lr: f32, c1: f32, c2: f32, pad: f32 }
@group(0) @binding(0) var<uniform> step: Step;`;

function activations(recAct: RecurrentActivation): string {
  const rec =
    recAct === 'sigmoid'
      ? 'fn ract(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }\nfn dract(a: f32) -> f32 { return a * (1.0 - a); }'
      : // tf.layers hardSigmoid: clip(0.2x + 0.5, 0, 1); its slope is 0.2 strictly inside the ramp.
        'fn ract(x: f32) -> f32 { return clamp(0.2 * x + 0.5, 0.0, 1.0); }\nfn dract(a: f32) -> f32 { return select(0.0, 0.2, a > 0.0 && a < 1.0); }';
  // tanh of large arguments overflows exp() in some drivers; |x| > 15 is ±1 in f32 anyway.
  return `${rec}\nfn th(x: f32) -> f32 { return tanh(clamp(x, -15.0, 15.0)); }`;
}

function wgSize(n: number): number {
  return Math.min(256, Math.max(32, Math.ceil(n / 32) * 32));
}

/** Workgroup size of the recurrent kernels for a layer. */
export function recurrentWorkgroup(l: LayerGeo, g: NetGeo): number {
  return wgSize(g.RB * Math.max(gateCount(l.cell) * l.H, l.F + l.H));
}

function header(l: LayerGeo, g: NetGeo): string {
  const G = gateCount(l.cell);
  const GH = G * l.H;
  const WG = recurrentWorkgroup(l, g);
  return `
const T = ${g.T}u; const B = ${g.B}u; const F = ${l.F}u; const H = ${l.H}u; const GH = ${GH}u; const O = ${g.O}u;
const RB = ${g.RB}u; const WG = ${WG}u; const EPT = ${Math.ceil((g.RB * l.H) / WG)}u;
const WOFF = ${l.off}u; const UOFF = ${l.off + l.F * GH}u; const BOFF = ${l.off + (l.F + l.H) * GH}u;
const TOFF = ${l.tOff}u; const FH = ${l.F + l.H}u; const HOFF = ${g.headOff}u;
const CBASE = ${g.T * g.B * GH}u; const DLOSS = ${g.B * g.O}u;
${activations(g.recAct)}`;
}

/** Forward over the whole sequence for one layer; the last layer also runs the dense head and the MSE gradient. */
export function forwardShader(l: LayerGeo, g: NetGeo): string {
  const GH = gateCount(l.cell) * l.H;
  // Columns whose pre-activation takes h·U in the first product (GRU's candidate waits for r).
  const recCols = l.cell === 'gru' ? 2 * l.H : GH;
  const input = l.first ? `data[sampleOf(b) * T * F + t * F + f]` : `lower[(t * B + b) * F + f]`;
  let cellCode: string;
  if (l.cell === 'lstm') {
    cellCode = `
    for (var q = 0u; q < EPT; q++) {
      let e = lid + q * WG;
      if (e < RB * H) {
        let r = e / H; let j = e % H; let b = row0 + r;
        let ig = ract(sg[r * GH + j]); let fg = ract(sg[r * GH + H + j]);
        let gg = th(sg[r * GH + 2u * H + j]); let og = ract(sg[r * GH + 3u * H + j]);
        let c = fg * cst[q] + ig * gg;
        cst[q] = c;
        let h = og * th(c);
        sh[e] = h;
        if (b < B) {
          let base = t * B + b;
          state[base * GH + j] = ig; state[base * GH + H + j] = fg;
          state[base * GH + 2u * H + j] = gg; state[base * GH + 3u * H + j] = og;
          state[CBASE + base * H + j] = c;
          hseq[base * H + j] = h;
        }
      }
    }
    workgroupBarrier();`;
  } else if (l.cell === 'gru') {
    cellCode = `
    for (var e = lid; e < RB * H; e += WG) {
      let r = e / H; let j = e % H;
      let z = ract(sg[r * GH + j]); let rr = ract(sg[r * GH + H + j]);
      sg[r * GH + j] = z; sg[r * GH + H + j] = rr;
      srh[e] = rr * sh[e];
    }
    workgroupBarrier();
    for (var col = 2u * H + lid; col < GH; col += WG) {
      var acc: array<f32, ${g.RB}>;
      for (var r = 0u; r < RB; r++) { acc[r] = sg[r * GH + col]; }
      for (var k = 0u; k < H; k++) {
        let u = params[UOFF + k * GH + col];
        for (var r = 0u; r < RB; r++) { acc[r] += srh[r * H + k] * u; }
      }
      for (var r = 0u; r < RB; r++) { sg[r * GH + col] = acc[r]; }
    }
    workgroupBarrier();
    for (var e = lid; e < RB * H; e += WG) {
      let r = e / H; let j = e % H; let b = row0 + r;
      let z = sg[r * GH + j]; let rr = sg[r * GH + H + j]; let hh = th(sg[r * GH + 2u * H + j]);
      let h = z * sh[e] + (1.0 - z) * hh;
      sh[e] = h;
      if (b < B) {
        let base = t * B + b;
        state[base * GH + j] = z; state[base * GH + H + j] = rr; state[base * GH + 2u * H + j] = hh;
        hseq[base * H + j] = h;
      }
    }
    workgroupBarrier();`;
  } else {
    cellCode = `
    for (var e = lid; e < RB * H; e += WG) {
      let r = e / H; let j = e % H; let b = row0 + r;
      let h = th(sg[r * GH + j]);
      sh[e] = h;
      if (b < B) { hseq[(t * B + b) * H + j] = h; }
    }
    workgroupBarrier();`;
  }
  const headCode = l.last
    ? `
  for (var e = lid; e < RB * O; e += WG) {
    let r = e / O; let o = e % O; let b = row0 + r;
    var p = params[HOFF + H * O + o];
    for (var k = 0u; k < H; k++) { p += sh[r * H + k] * params[HOFF + k * O + o]; }
    if (b < B) {
      let valid = b < step.rows;
      let s = sampleOf(b);
      let d = p - data[step.yOff + s * O + o];
      head[b * O + o] = select(0.0, 2.0 * d / f32(step.rows * O), valid);
      head[DLOSS + b * O + o] = select(0.0, d * d, valid);
      if (valid) { pred[s * O + o] = p; }
    }
  }`
    : '';
  return `${STEP_STRUCT}
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> data: array<f32>;
@group(0) @binding(3) var<storage, read> idx: array<u32>;
@group(0) @binding(4) var<storage, read> lower: array<f32>;
@group(0) @binding(5) var<storage, read_write> hseq: array<f32>;
@group(0) @binding(6) var<storage, read_write> state: array<f32>;
@group(0) @binding(7) var<storage, read_write> head: array<f32>;
@group(0) @binding(8) var<storage, read_write> pred: array<f32>;
${header(l, g)}
var<workgroup> sx: array<f32, ${g.RB * l.F}>;
var<workgroup> sh: array<f32, ${g.RB * l.H}>;
var<workgroup> sg: array<f32, ${g.RB * GH}>;
${l.cell === 'gru' ? `var<workgroup> srh: array<f32, ${g.RB * l.H}>;` : ''}

// Rows past the batch's end (the epoch's last, partial batch) reuse the batch's last sample.
fn sampleOf(b: u32) -> u32 { return idx[step.batchOffset + min(b, step.rows - 1u)]; }

@compute @workgroup_size(${recurrentWorkgroup(l, g)})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.x * RB;
  ${l.cell === 'lstm' ? 'var cst: array<f32, EPT>;' : ''}
  for (var e = lid; e < RB * H; e += WG) { sh[e] = 0.0; }
  for (var t = 0u; t < T; t++) {
    for (var e = lid; e < RB * F; e += WG) {
      let b = min(row0 + e / F, B - 1u); let f = e % F;
      sx[e] = ${input};
    }
    workgroupBarrier();
    for (var col = lid; col < GH; col += WG) {
      var acc: array<f32, ${g.RB}>;
      let bias = params[BOFF + col];
      for (var r = 0u; r < RB; r++) { acc[r] = bias; }
      for (var f = 0u; f < F; f++) {
        let w = params[WOFF + f * GH + col];
        for (var r = 0u; r < RB; r++) { acc[r] += sx[r * F + f] * w; }
      }
      if (col < ${recCols}u) {
        for (var k = 0u; k < H; k++) {
          let u = params[UOFF + k * GH + col];
          for (var r = 0u; r < RB; r++) { acc[r] += sh[r * H + k] * u; }
        }
      }
      for (var r = 0u; r < RB; r++) { sg[r * GH + col] = acc[r]; }
    }
    workgroupBarrier();${cellCode}
  }${headCode}
}
`;
}

/** Backpropagation through time for one layer: writes dgates and the gradient into its input. */
export function backwardShader(l: LayerGeo, g: NetGeo): string {
  const FX = l.first ? 0 : l.F; // the first layer's input gradient is not needed
  const dhUpper = l.last
    ? `if (t == T - 1u) { for (var o = 0u; o < O; o++) { dh += head[bc * O + o] * params[HOFF + j * O + o]; } }`
    : `dh += dhIn[(t * B + bc) * H + j];`;
  // Matrix-vector product of the row's gate gradients with [W;U]^T (transposed copy, coalesced):
  // rows k < FX go to the lower layer's dh, the rest are the recurrent dh of step t-1.
  const matvec = (cols: string, extra: string) => `
    for (var k = lid; k < ${FX}u + H; k += WG) {
      var acc: array<f32, ${g.RB}>;
      let isX = k < ${FX}u;
      let kh = select(k - ${FX}u, 0u, isX);
      let kk = select(F + kh, k, isX);
      for (var r = 0u; r < RB; r++) { acc[r] = select(${extra}, 0.0, isX); }
      let ncol = select(${cols}, GH, isX);
      for (var col = 0u; col < ncol; col++) {
        let w = params[TOFF + col * FH + kk];
        for (var r = 0u; r < RB; r++) { acc[r] += sdg[r * GH + col] * w; }
      }
      for (var r = 0u; r < RB; r++) {
        if (isX) {
          let b = row0 + r;
          if (b < B) { dxOut[(t * B + b) * F + k] = acc[r]; }
        } else {
          sdh[r * H + kh] = acc[r];
        }
      }
    }
    workgroupBarrier();`;
  let body: string;
  if (l.cell === 'lstm') {
    body = `
    for (var q = 0u; q < EPT; q++) {
      let e = lid + q * WG;
      if (e < RB * H) {
        let r = e / H; let j = e % H; let b = row0 + r; let bc = min(b, B - 1u);
        var dh = sdh[e];
        ${dhUpper}
        let base = t * B + bc;
        let ig = state[base * GH + j]; let fg = state[base * GH + H + j];
        let gg = state[base * GH + 2u * H + j]; let og = state[base * GH + 3u * H + j];
        let c = state[CBASE + base * H + j];
        var cp = 0.0;
        if (t > 0u) { cp = state[CBASE + (base - B) * H + j]; }
        let tc = th(c);
        let valid = b < step.rows;
        let dc = select(0.0, dcs[q] + dh * og * (1.0 - tc * tc), valid);
        let di = dc * gg * dract(ig);
        let df = dc * cp * dract(fg);
        let dg = dc * ig * (1.0 - gg * gg);
        let dO = select(0.0, dh * tc, valid) * dract(og);
        dcs[q] = dc * fg;
        sdg[r * GH + j] = di; sdg[r * GH + H + j] = df; sdg[r * GH + 2u * H + j] = dg; sdg[r * GH + 3u * H + j] = dO;
        if (b < B) {
          dgates[base * GH + j] = di; dgates[base * GH + H + j] = df;
          dgates[base * GH + 2u * H + j] = dg; dgates[base * GH + 3u * H + j] = dO;
        }
      }
    }
    workgroupBarrier();${matvec('GH', '0.0')}`;
  } else if (l.cell === 'gru') {
    body = `
    for (var e = lid; e < RB * H; e += WG) {
      let r = e / H; let j = e % H; let b = row0 + r; let bc = min(b, B - 1u);
      var dh = sdh[e];
      ${dhUpper}
      let base = t * B + bc;
      let z = state[base * GH + j]; let hh = state[base * GH + 2u * H + j];
      var hp = 0.0;
      if (t > 0u) { hp = hseq[(base - B) * H + j]; }
      let valid = b < step.rows;
      dh = select(0.0, dh, valid);
      sdg[r * GH + j] = dh * (hp - hh) * dract(z);
      sdg[r * GH + 2u * H + j] = dh * (1.0 - z) * (1.0 - hh * hh);
      sacc[e] = dh * z;
    }
    workgroupBarrier();
    // d(r·h) = dhh_pre · Uh^T
    for (var k = lid; k < H; k += WG) {
      // Explicitly zeroed: the implicit zero-init of a loop-scoped var was seen to carry values
      // over between iterations on SwiftShader.
      var acc: array<f32, ${g.RB}>;
      for (var r = 0u; r < RB; r++) { acc[r] = 0.0; }
      for (var col = 2u * H; col < GH; col++) {
        let w = params[TOFF + col * FH + F + k];
        for (var r = 0u; r < RB; r++) { acc[r] += sdg[r * GH + col] * w; }
      }
      for (var r = 0u; r < RB; r++) { sdrh[r * H + k] = acc[r]; }
    }
    workgroupBarrier();
    for (var e = lid; e < RB * H; e += WG) {
      let r = e / H; let k = e % H; let b = row0 + r; let bc = min(b, B - 1u);
      let base = t * B + bc;
      let rr = state[base * GH + H + k];
      var hp = 0.0;
      if (t > 0u) { hp = hseq[(base - B) * H + k]; }
      let drh = sdrh[e];
      let dr = drh * hp * dract(rr);
      sdg[r * GH + H + k] = dr;
      sacc[e] += drh * rr;
      if (b < B) {
        dgates[base * GH + k] = sdg[r * GH + k]; dgates[base * GH + H + k] = dr;
        dgates[base * GH + 2u * H + k] = sdg[r * GH + 2u * H + k];
      }
    }
    workgroupBarrier();${matvec('2u * H', 'sacc[r * H + kh]')}`;
  } else {
    body = `
    for (var e = lid; e < RB * H; e += WG) {
      let r = e / H; let j = e % H; let b = row0 + r; let bc = min(b, B - 1u);
      var dh = sdh[e];
      ${dhUpper}
      let base = t * B + bc;
      let h = hseq[base * H + j];
      let d = select(0.0, dh * (1.0 - h * h), b < step.rows);
      sdg[r * GH + j] = d;
      if (b < B) { dgates[base * GH + j] = d; }
    }
    workgroupBarrier();${matvec('GH', '0.0')}`;
  }
  return `${STEP_STRUCT}
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> hseq: array<f32>;
@group(0) @binding(3) var<storage, read> state: array<f32>;
@group(0) @binding(4) var<storage, read> dhIn: array<f32>;
@group(0) @binding(5) var<storage, read_write> dgates: array<f32>;
@group(0) @binding(6) var<storage, read_write> dxOut: array<f32>;
@group(0) @binding(7) var<storage, read> head: array<f32>;
${header(l, g)}
var<workgroup> sdg: array<f32, ${g.RB * gateCount(l.cell) * l.H}>;
var<workgroup> sdh: array<f32, ${g.RB * l.H}>;
${l.cell === 'gru' ? `var<workgroup> sacc: array<f32, ${g.RB * l.H}>;\nvar<workgroup> sdrh: array<f32, ${g.RB * l.H}>;` : ''}

@compute @workgroup_size(${recurrentWorkgroup(l, g)})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.x * RB;
  ${l.cell === 'lstm' ? 'var dcs: array<f32, EPT>;' : ''}
  for (var e = lid; e < RB * H; e += WG) { sdh[e] = 0.0; }
  workgroupBarrier();
  for (var tt = 0u; tt < T; tt++) {
    let t = T - 1u - tt;${body}
  }
}
`;
}
