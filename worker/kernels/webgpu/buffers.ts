// The GPU trainer's buffers: a pool that owns every buffer it made (dispose frees them all), the
// fixed network buffers sized by the geometry, and the one reusable readback buffer.
import { gateCount } from '../types.js';
import type { GpuContext } from './device.js';
import type { NetGeo } from './shaders.js';

export interface LayerBuffers {
  hseq: GPUBuffer;
  state: GPUBuffer;
  dgates: GPUBuffer;
  /** gradient flowing into this layer's output sequence from the layer above (none for the top layer) */
  dh: GPUBuffer | null;
}

export interface NetBuffers {
  params: GPUBuffer;
  moments: GPUBuffer;
  partials: GPUBuffer;
  head: GPUBuffer;
  dummyRead: GPUBuffer;
  dummyWrite: GPUBuffer;
  perLayer: LayerBuffers[];
}

export class BufferPool {
  private readonly owned: GPUBuffer[] = [];
  private readback: GPUBuffer | null = null;
  private readCap = 0;
  /** STORAGE | COPY_SRC | COPY_DST */
  readonly RW: number;

  constructor(private readonly ctx: GpuContext) {
    const U = ctx.usage.buffer;
    this.RW = U.STORAGE | U.COPY_SRC | U.COPY_DST;
  }

  /** A buffer of at least `floats` f32 (16-byte multiple), owned by the pool. */
  floats(floats: number, usage: number, label: string): GPUBuffer {
    return this.bytes(Math.max(16, Math.ceil((floats * 4) / 16) * 16), usage, label);
  }

  bytes(size: number, usage: number, label: string): GPUBuffer {
    const b = this.ctx.device.createBuffer({ label, size, usage });
    this.owned.push(b);
    return b;
  }

  /** Submits `enc` with a copy of `floats` values of `src` from `srcOff` appended, and reads them back. */
  async read(enc: GPUCommandEncoder, src: GPUBuffer, srcOff: number, floats: number): Promise<Float32Array> {
    const { device } = this.ctx;
    const bytes = floats * 4;
    if (!this.readback || bytes > this.readCap) {
      this.readback?.destroy();
      this.readCap = Math.max(bytes, 2 * this.readCap, 256);
      this.readback = this.bytes(
        this.readCap,
        this.ctx.usage.buffer.MAP_READ | this.ctx.usage.buffer.COPY_DST,
        'readback',
      );
    }
    const rb = this.readback;
    enc.copyBufferToBuffer(src, srcOff * 4, rb, 0, bytes);
    device.pushErrorScope('validation');
    device.queue.submit([enc.finish()]);
    const err = await device.popErrorScope();
    if (err) throw new Error(`GPU trainer: ${err.message}`);
    await rb.mapAsync(this.ctx.usage.map.READ, 0, bytes);
    const out = new Float32Array(rb.getMappedRange(0, bytes).slice(0));
    rb.unmap();
    return out;
  }

  destroyAll(): void {
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
    this.readback = null;
  }
}

/** The buffers whose size depends only on the network (not on the data). */
export function netBuffers(pool: BufferPool, geo: NetGeo, paramFloats: number): NetBuffers {
  const { T, B, O, S, P, layers } = geo;
  const RW = pool.RW;
  return {
    params: pool.floats(paramFloats, RW, 'params'),
    moments: pool.floats(2 * P, RW, 'moments'),
    partials: pool.floats(S * P, RW, 'partials'),
    head: pool.floats(2 * B * O, RW, 'head'),
    dummyRead: pool.floats(4, RW, 'dummyRead'),
    dummyWrite: pool.floats(4, RW, 'dummyWrite'),
    perLayer: layers.map((l, i) => {
      const GH = gateCount(l.cell) * l.H;
      return {
        hseq: pool.floats(T * B * l.H, RW, `hseq${i}`),
        state: pool.floats(l.cell === 'simpleRNN' ? 1 : T * B * (GH + (l.cell === 'lstm' ? l.H : 0)), RW, `state${i}`),
        dgates: pool.floats(T * B * GH, RW, `dgates${i}`),
        dh: l.last ? null : pool.floats(T * B * l.H, RW, `dh${i}`),
      };
    }),
  };
}
