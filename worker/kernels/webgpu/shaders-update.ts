// WGSL generators for the GPU trainer's update: the weight-gradient products (split-K over the
// (t, b) rows) and the Adam step that sums them. Shapes are baked in as constants, as in shaders.ts,
// which also describes the buffers.
import { gateCount } from '../types.js';
import { STEP_STRUCT, type LayerGeo, type NetGeo } from './shaders.js';

export const ATB_TILE = 64;

/**
 * Weight gradient of one layer (or of the head) as A^T·D over all (t, b) rows, split over S row
 * chunks (grid z) so that even batch 64 fills the GPU; Adam sums the S partial results.
 * A's columns are virtual: [input x_t, h_{t-1} (r_t·h_{t-1} for GRU's candidate columns), 1].
 */
export function weightGradShader(l: LayerGeo | 'head', g: NetGeo): string {
  const isHead = l === 'head';
  const top = g.layers[g.layers.length - 1]!;
  const F = isHead ? 0 : l.F;
  const H = isHead ? top.H : l.H;
  const N = isHead ? g.O : gateCount(l.cell) * l.H;
  const M = F + H + 1;
  const K = isHead ? g.B : g.T * g.B;
  const chunk = Math.ceil(K / g.S / 16) * 16;
  const off = isHead ? g.headOff : l.off;
  const gru = !isHead && l.cell === 'gru';
  let aval: string;
  if (isHead) {
    aval = `if (m < H) { return hseq[(${(g.T - 1) * g.B}u + r) * H + m]; } return 1.0;`;
  } else {
    const x = l.first ? `data[sampleOf(b) * T * F + t * F + m]` : `lower[r * F + m]`;
    aval = `let t = r / B; let b = r % B;
  if (m < F) { return ${x}; }
  if (m < F + H) { if (t == 0u) { return 0.0; } return hseq[(r - B) * H + m - F]; }
  return 1.0;`;
  }
  return `${STEP_STRUCT}
@group(0) @binding(1) var<storage, read> data: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<u32>;
@group(0) @binding(3) var<storage, read> lower: array<f32>;
@group(0) @binding(4) var<storage, read> hseq: array<f32>;
@group(0) @binding(5) var<storage, read> state: array<f32>;
@group(0) @binding(6) var<storage, read> dmat: array<f32>;
@group(0) @binding(7) var<storage, read_write> partials: array<f32>;
const T = ${g.T}u; const B = ${g.B}u; const F = ${F}u; const H = ${H}u; const M = ${M}u; const N = ${N}u;
const K = ${K}u; const CHUNK = ${chunk}u; const OFF = ${off}u; const P = ${g.P}u; const GH = ${N}u;
var<workgroup> As: array<vec4<f32>, 256>;
var<workgroup> Bs: array<vec4<f32>, 256>;
${gru ? 'var<workgroup> Ar: array<vec4<f32>, 256>;' : ''}

fn sampleOf(b: u32) -> u32 { return idx[step.batchOffset + min(b, step.rows - 1u)]; }
fn aval(r: u32, m: u32) -> f32 {
  if (m >= M) { return 0.0; }
  ${aval}
}
fn bval(r: u32, n: u32) -> f32 {
  if (n >= N) { return 0.0; }
  return dmat[r * N + n];
}

// 16×16 threads, each a 4×4 block of the 64×64 output tile; 16 rows of A and D per round, as vec4
// (fewer instructions: SwiftShader compiles this kernel several times faster than a scalar one).
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let n0 = wid.x * 64u; let m0 = wid.y * 64u; let s = wid.z;
  let rStart = s * CHUNK; let rEnd = min(K, rStart + CHUNK);
  let tid = lid.y * 16u + lid.x;
  let lk = tid / 16u; let lc = (tid % 16u) * 4u;
  var acc0 = vec4<f32>(0.0); var acc1 = vec4<f32>(0.0); var acc2 = vec4<f32>(0.0); var acc3 = vec4<f32>(0.0);
  let ncol = n0 + lid.x * 4u + vec4<u32>(0u, 1u, 2u, 3u);
  let useR = ncol >= vec4<u32>(${gru ? 2 * (l as LayerGeo).H : 0}u);
  for (var r0 = rStart; r0 < rEnd; r0 += 16u) {
    let r = r0 + lk;
    var a = vec4<f32>(0.0); var bv = vec4<f32>(0.0);
    if (r < rEnd) {
      a = vec4<f32>(aval(r, m0 + lc), aval(r, m0 + lc + 1u), aval(r, m0 + lc + 2u), aval(r, m0 + lc + 3u));
      bv = vec4<f32>(bval(r, n0 + lc), bval(r, n0 + lc + 1u), bval(r, n0 + lc + 2u), bval(r, n0 + lc + 3u));
    }
    As[tid] = a; Bs[tid] = bv;
    ${
      gru
        ? `// GRU's candidate columns take r_t·h_{t-1} in place of h_{t-1}.
    var ar = a;
    if (r < rEnd) {
      for (var i = 0u; i < 4u; i++) {
        let m = m0 + lc + i;
        if (m >= F && m < F + H) { ar[i] = a[i] * state[r * GH + H + m - F]; }
      }
    }
    Ar[tid] = ar;`
        : ''
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let av = As[kk * 16u + lid.y];
      let b4 = Bs[kk * 16u + lid.x];
      ${
        gru
          ? `let rv = Ar[kk * 16u + lid.y];
      acc0 += select(vec4<f32>(av.x), vec4<f32>(rv.x), useR) * b4;
      acc1 += select(vec4<f32>(av.y), vec4<f32>(rv.y), useR) * b4;
      acc2 += select(vec4<f32>(av.z), vec4<f32>(rv.z), useR) * b4;
      acc3 += select(vec4<f32>(av.w), vec4<f32>(rv.w), useR) * b4;`
          : `acc0 += av.x * b4; acc1 += av.y * b4; acc2 += av.z * b4; acc3 += av.w * b4;`
      }
    }
    workgroupBarrier();
  }
  let mrow = m0 + lid.y * 4u;
  store(s, mrow, ncol, acc0);
  store(s, mrow + 1u, ncol, acc1);
  store(s, mrow + 2u, ncol, acc2);
  store(s, mrow + 3u, ncol, acc3);
}

fn store(s: u32, m: u32, n: vec4<u32>, v: vec4<f32>) {
  if (m >= M) { return; }
  for (var j = 0u; j < 4u; j++) {
    if (n[j] < N) { partials[s * P + OFF + m * N + n[j]] = v[j]; }
  }
}
`;
}

/** Sums the split-K partial gradients, applies Adam (TF.js semantics), refreshes the transposed copies, and reduces the batch loss. */
export function adamShader(g: NetGeo): string {
  const transposes = g.layers
    .map((l) => {
      const N = gateCount(l.cell) * l.H;
      const end = l.off + (l.F + l.H) * N;
      return `  if (p >= ${l.off}u && p < ${end}u) { let q = p - ${l.off}u; params[${l.tOff}u + (q % ${N}u) * ${l.F + l.H}u + q / ${N}u] = w; }`;
    })
    .join('\n');
  return `${STEP_STRUCT}
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> partials: array<f32>;
@group(0) @binding(3) var<storage, read_write> moments: array<f32>;
@group(0) @binding(4) var<storage, read> head: array<f32>;
@group(0) @binding(5) var<storage, read_write> lossHist: array<f32>;
const P = ${g.P}u; const S = ${g.S}u; const NL = ${g.B * g.O}u; const DLOSS = ${g.B * g.O}u; const O = ${g.O}u;
const BETA1 = 0.9; const BETA2 = 0.999; const EPS = 1e-7;
var<workgroup> red: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  if (wid.x == 0u) {
    var s = 0.0;
    for (var i = lid; i < NL; i += 256u) { s += head[DLOSS + i]; }
    red[lid] = s;
    workgroupBarrier();
    for (var w = 128u; w > 0u; w = w >> 1u) {
      if (lid < w) { red[lid] += red[lid + w]; }
      workgroupBarrier();
    }
    if (lid == 0u) { lossHist[step.lossSlot] = red[0] / f32(step.rows * O); }
  }
  let p = gid.x;
  if (p >= P) { return; }
  var grad = 0.0;
  for (var s = 0u; s < S; s++) { grad += partials[s * P + p]; }
  let m = BETA1 * moments[p] + (1.0 - BETA1) * grad;
  let v = BETA2 * moments[P + p] + (1.0 - BETA2) * grad * grad;
  moments[p] = m; moments[P + p] = v;
  let w = params[p] - step.lr * (m / step.c1) / (sqrt(v / step.c2) + EPS);
  params[p] = w;
${transposes}
}
`;
}
